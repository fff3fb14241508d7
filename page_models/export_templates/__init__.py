"""The exported training scripts' templates: real Python files that ruff checks and that run on
their own (on the small run in demo.py). page_models.export makes a script from a template by
writing its run's data in place of the template's "the run" block and copying the functions that
block names (rules.py's update rule and schedule, loop.py's loop): only data is generated.
"""
