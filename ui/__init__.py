"""Streamlit helpers shared by the pages: navigation, URL state, error display.

May import streamlit, viz and engine; never pages.
"""
