"""收入: monthly income in bands, mean and median by township, 就业方式 and 务工区域,
and households with no labourer in work."""

import streamlit as st

from charts import category_bar, grouped_bar
from ledger.query import request as q
from ui.blocks import breakdown_table, catalogue_chart, chart, file_stub, metric_row, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "income"
KEYS = ["income.monthly_mean", "income.monthly_median", "households.total", "households.none_employed"]
MEANS = {"income.monthly_mean": "平均数", "income.monthly_median": "中位数"}

data = ledger()
view = scope_sidebar(data, PAGE)
page_header(PAGE, "务工收入", view)
metric_row(data, view, KEYS)

bands = data.read(q.income_bands, view.request)
chart(
    category_bar(bands, "people", category="band", title=f"{view.place}已就业人员月收入分布", unit="人"),
    key=f"{PAGE}_bands",
    view=view, data=bands, filename=file_stub(view, "月收入分布"),
)

if view.level != "village":
    by = "township" if view.level == "district" else "village"
    rows = data.breakdown(view.request, list(MEANS), by)
    place = "各乡镇" if by == "township" else f"{view.township}各村"
    chart(
        grouped_bar(rows, MEANS, category=by, title=f"{place}已就业人员月收入", unit="元"),
        key=f"{PAGE}_by_{by}",
        view=view, data=rows, filename=file_stub(view, f"{place}月收入"),
    )

left, right = st.columns(2)
for col, by, name in ((left, "mode", "就业方式"), (right, "work_area", "务工区域")):
    with col:
        rows = data.breakdown(view.request, list(MEANS), by)
        chart(
            grouped_bar(rows, MEANS, category=by, title=f"按{name}的月收入", unit="元"),
            key=f"{PAGE}_{by}",
            view=view, data=rows, filename=file_stub(view, f"按{name}月收入"),
        )

st.subheader("无人就业的家庭")
if view.level != "village":
    catalogue_chart(PAGE, data, view, "households_none_employed_by_place")
    breakdown_table(PAGE, data, view, ["households.total", "households.none_employed"])
