"""The course: lessons as data (lesson), the engine's answers to their questions (answers), what
lessons know of the pages they show (views), and the Lessons page's model (page).

It sits on top of the other page models (it reads their Param tables and computations); no other
page model imports it (tests/test_layering.py).
"""
