"""Home page of Backprop Playground: what it is for, and a card for each page."""

import streamlit as st

from ui.process import set_up_process

set_up_process()  # first, before the app's own imports: see ui.process, "One importer"
from ui.nav import PAGES, page_header

page_header(
    "app.py",
    intro=(
        "A hands-on playground for the mathematics under neural networks. Every number on "
        "screen comes from a small NumPy autograd engine written for teaching, so you can "
        "follow each value forward and each gradient backward."
    ),
)

st.markdown(
    """
**What you can do here**

- **Type an expression** and see its computation graph, or **build a small network** and watch
  it learn live.
- **Watch it compute**: forward values and backward gradients flowing along the edges.
- **Check gradients numerically** against central finite differences.
- **Compare optimizers**: SGD, momentum and Adam, with and without dropout.
- **Explore the building blocks**: softmax and sampling, cross-entropy, normalisation, matrix
  shapes, numerical derivatives.
- **Follow a lesson**: guided steps over live views with questions the engine answers, or write
  your own from any page and share it as one link.
"""
)

st.header("Pages", anchor=False)  # h2 under the title
columns = st.columns(2, gap="medium")
for i, page in enumerate(PAGES):
    with columns[i % 2], st.container(border=True):
        if page.exists():
            st.page_link(page.path, label=f"**{page.label}**", icon=page.icon, width="stretch")
        else:
            st.markdown(f"**{page.label}** · _coming soon_")
        st.caption(page.description)

st.info(
    "Each page keeps its settings in the address bar: copy the URL to share exactly what you "
    "set up, for example with a class.",
    icon=":material/link:",
)
