"""Pure figure builders: engine objects -> networkx graphs -> plotly figures (no streamlit)."""
