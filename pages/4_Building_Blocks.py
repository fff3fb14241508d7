"""Building Blocks: short interactive explorations of the pieces the rest is made of.

One section runs at a time, chosen in the sidebar (?section=matmul deep-links to it); each has
its controls, a chart, the formula and a few sentences, and every control lives in the URL.
The sections are registered in page_models.building_blocks.SECTIONS, their recipes in
ui.blocks.RECIPES.
"""

import streamlit as st

from ui.process import set_up_process

set_up_process()  # first, before the app's own imports: see ui.process, "One importer"
from page_models.building_blocks import PARAMS, SECTIONS
from ui.blocks import RECIPES
from ui.blocks.common import state
from ui.nav import page_header
from ui.state import bind, explain_link, publish, share_link

page_header("pages/4_Building_Blocks.py",
            intro="The pieces the rest is made of, one at a time; the address bar keeps them.")
bind(PARAMS)
explain_link(PARAMS)
with st.sidebar:
    st.pills("Section", tuple(SECTIONS), format_func=lambda key: SECTIONS[key].title,
             key="section", required=True)
    share_link(PARAMS)
section = SECTIONS[state("section")]
RECIPES[section.key](section)
publish(PARAMS)
