"""The Streamlit glue that pages share: cached calls, the sidebar, formatting of figures
for the screen. Only this package and pages/ import Streamlit."""
