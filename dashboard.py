"""宜州区贫困劳动力稳岗就业台账: the router. Page list, titles, icons and order live
here; the pages hold layout only."""

from pathlib import Path

import streamlit as st

ICON = Path(__file__).parent / "assets" / "icon.png"

PAGES = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
]

st.set_page_config(page_title="宜州区稳岗就业台账", page_icon=str(ICON), layout="wide")
st.navigation(PAGES).run()
