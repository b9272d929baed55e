"""宜州区贫困劳动力稳岗就业台账: the router. Page config, the first start and navigation;
the page list lives in ui/pages.py, the pages hold layout."""

from pathlib import Path

import streamlit as st

from ui.first_start import prepare
from ui.pages import PAGES

ICON = Path(__file__).parent / "assets" / "icon.png"

st.set_page_config(page_title="宜州区稳岗就业台账", page_icon=str(ICON), layout="wide")
prepare()  # first start on the embedded default: the sample ledger, with its progress shown
# expanded: all fifteen pages listed, none folded under "View more".
st.navigation([st.Page(p.path, title=p.title, icon=p.icon, default=i == 0) for i, p in enumerate(PAGES)], expanded=True).run()
