"""用工需求与返岗输送: enterprises, job types and postings inside and outside the
district; point-to-point transport batches, people and the poor among them."""

import streamlit as st

from charts import category_bar, grouped_bar
from ui.blocks import breakdown_table, catalogue_chart, chart, file_stub, metric_row, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "demand"
DEMAND = ["demand.enterprises", "demand.job_types", "demand.postings"]
TRANSPORT = ["transport.batches", "transport.people", "transport.poor"]

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False)
page_header(PAGE, "用工需求与返岗输送", view)

st.subheader("用工需求信息库")
if view.township:
    st.caption("用工需求按企业登记，不分乡镇：以下为全区数字。")
metric_row(data, view, DEMAND, per_row=3, request=view.request.district())
rows = data.breakdown(view.request.district(), DEMAND, "location")
chart(
    grouped_bar(rows, {"demand.job_types": "工种（个）", "demand.enterprises": "企业（家）"}, category="location", title="区内外用工企业与工种", unit="个"),
    key=f"{PAGE}_location",
    view=view, data=rows, filename=file_stub(view, "区内外用工需求"),
)
chart(category_bar(rows, "demand.postings", category="location", title="区内外岗位信息", unit="条"), key=f"{PAGE}_postings", view=view, data=rows, filename=file_stub(view, "区内外岗位信息"))

st.subheader("点对点返岗输送")
metric_row(data, view, TRANSPORT, per_row=3)
rows = data.breakdown(view.request, TRANSPORT, "destination")
chart(
    grouped_bar(rows, {"transport.people": "输送人数", "transport.poor": "其中建档立卡"}, category="destination", title="按目的地输送人数", unit="人"),
    key=f"{PAGE}_dest",
    view=view, data=rows, filename=file_stub(view, "返岗输送目的地"),
)
if view.level == "district":
    catalogue_chart(PAGE, data, view, "transport_by_place")
    breakdown_table(PAGE, data, view, TRANSPORT)
