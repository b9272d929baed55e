"""收入: monthly income in bands, mean and median by township, 就业方式 and 务工区域,
and households with no labourer in work."""

import streamlit as st

from ui.blocks import breakdown_table, metric_row, open_page, page_charts

PAGE = "income"
KEYS = ["income.monthly_mean", "income.monthly_median", "households.total", "households.none_employed"]

data, view = open_page(PAGE, "务工收入")
metric_row(data, view, KEYS)

page_charts(PAGE, data, view)

st.subheader("无人就业的家庭")
if view.level != "village":
    page_charts(PAGE, data, view, section="households")
    breakdown_table(PAGE, data, view, ["households.total", "households.none_employed"])
