"""收入: monthly income in bands, mean and median by township, 就业方式 and 务工区域,
and households with no labourer in work."""

import streamlit as st

from ui.blocks import breakdown_table, metric_row, page_charts, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "income"
KEYS = ["income.monthly_mean", "income.monthly_median", "households.total", "households.none_employed"]

data = ledger()
view = scope_sidebar(data, PAGE)
page_header(PAGE, "务工收入", view)
metric_row(data, view, KEYS)

page_charts(PAGE, data, view)

st.subheader("无人就业的家庭")
if view.level != "village":
    page_charts(PAGE, data, view, section="households")
    breakdown_table(PAGE, data, view, ["households.total", "households.none_employed"])
