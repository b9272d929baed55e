"""就业: employed and unemployed by township and village, by 就业方式 and 务工区域,
the monthly trend, and the township head's work list (未就业 with 就业意愿)."""

import streamlit as st

from charts import category_bar, trend_line
from ui.blocks import (
    breakdown_table,
    chart,
    drill_chart,
    file_stub,
    metric_row,
    page_header,
    people_table,
)
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "employment"
KEYS = ["labor.employed", "labor.unemployed", "labor.employment_rate", "labor.unemployed_wanting_work"]

data = ledger()
view = scope_sidebar(data, PAGE)
page_header(PAGE, "就业与失业", view)
metric_row(data, view, KEYS)

if view.level != "village":
    left, right = st.columns(2)
    with left:
        drill_chart(PAGE, data, view, "labor.employed", title="已就业人数", what="已就业")
    with right:
        drill_chart(PAGE, data, view, "labor.unemployed", title="未就业人数", what="未就业")

left, right = st.columns(2)
for col, by, name in ((left, "mode", "就业方式"), (right, "work_area", "务工区域")):
    with col:
        rows = data.breakdown(["labor.employed"], view.as_of, by=by, township=view.township, poor_only=view.poor_only)
        fig = category_bar(rows, "labor.employed", category=by, title=f"{view.place}已就业人员{name}分布", unit="人")
        event = chart(fig, key=f"{PAGE}_{by}", view=view, data=rows, filename=file_stub(view, f"已就业人员{name}分布"), select=True)
        points = event.selection.points if event else []
        if points:
            value = points[0].get("x")
            people_table(PAGE, data, view, "labor.employed", filters={by: value}, title=f"{name}为“{value}”的已就业人员")

trend = data.monthly(["labor.employed", "labor.unemployed"], view.as_of, view.township, poor_only=view.poor_only)
fig = trend_line(trend, {"labor.employed": "已就业", "labor.unemployed": "未就业"}, title=f"{view.place}就业失业人数月度走势", unit="人")
chart(fig, key=f"{PAGE}_trend", view=view, data=trend, filename=file_stub(view, "就业失业月度走势"))

st.subheader("未就业且有就业意愿人员（工作清单）")
if view.level == "district":
    st.caption("选择乡镇（左侧或点击下表）查看名单。")
    breakdown_table(PAGE, data, view, ["labor.unemployed", "labor.unemployed_wanting_work"])
else:
    people_table(PAGE, data, view, "labor.unemployed_wanting_work", title="未就业且有就业意愿人员")
    if view.level == "township":
        breakdown_table(PAGE, data, view, KEYS)
