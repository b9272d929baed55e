"""扶贫车间: workshops resumed, on-duty headcount and poor labourers absorbed by
township, and each workshop's monthly headcount."""

import streamlit as st

from charts import workshop_lines
from ledger.query import request as q
from ui.blocks import breakdown_table, catalogue_chart, chart, file_stub, metric_row, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "workshops"
KEYS = ["workshops.count", "workshops.on_duty", "workshops.poor_absorbed"]

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False)
page_header(PAGE, "扶贫车间", view)
metric_row(data, view, KEYS, per_row=3)

if view.level != "village":
    catalogue_chart(PAGE, data, view, "workshops_poor_by_place")

monthly = data.read(q.workshop_monthly, view.request)
chart(workshop_lines(monthly, title=f"{view.place}各扶贫车间在岗人数（按月）"), key=f"{PAGE}_lines", view=view, data=monthly, filename=file_stub(view, "扶贫车间在岗人数"))

st.subheader("各车间情况")
rows = data.breakdown(view.request, KEYS[1:], "name")
st.dataframe(
    rows.rename(columns={"name": "车间名称", "workshops.on_duty": "在岗人数（人）", "workshops.poor_absorbed": "其中贫困劳动力（人）"}),
    hide_index=True,
    width="stretch",
)
breakdown_table(PAGE, data, view, KEYS)
