"""就业: employed and unemployed by township and village, by 就业方式 and 务工区域,
the monthly trend, and the township head's work list (未就业 with 就业意愿)."""

import streamlit as st

from ui.blocks import breakdown_table, metric_row, open_page, page_charts, people_table

PAGE = "employment"
KEYS = ["labor.employed", "labor.unemployed", "labor.employment_rate", "labor.unemployed_wanting_work"]

data, view = open_page(PAGE, "就业与失业")
metric_row(data, view, KEYS)

page_charts(PAGE, data, view)

st.subheader("未就业且有就业意愿人员（工作清单）")
if view.level == "district":
    st.caption("选择乡镇（左侧或点击下表）查看名单。")
    breakdown_table(PAGE, data, view, ["labor.unemployed", "labor.unemployed_wanting_work"])
else:
    people_table(PAGE, data, view, "labor.unemployed_wanting_work", title="未就业且有就业意愿人员")
    if view.level == "township":
        breakdown_table(PAGE, data, view, KEYS)
