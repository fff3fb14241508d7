"""Each page's model, plain Python (no Streamlit): its state as a table of URL params, what to
compute and what to show. Pages are recipes over this layer; it is tested without a browser."""
