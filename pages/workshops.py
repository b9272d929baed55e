"""扶贫车间: workshops resumed, on-duty headcount and poor labourers absorbed by
township, and each workshop's monthly headcount."""

import streamlit as st

from ui.blocks import breakdown_table, metric_row, open_page, page_charts

PAGE = "workshops"
KEYS = ["workshops.count", "workshops.on_duty", "workshops.poor_absorbed"]

data, view = open_page(PAGE, "扶贫车间", poor_toggle=False)
metric_row(data, view, KEYS, per_row=3)

page_charts(PAGE, data, view)

st.subheader("各车间情况")
rows = data.breakdown(view.request, KEYS[1:], "name")
st.dataframe(
    rows.rename(columns={"name": "车间名称", "workshops.on_duty": "在岗人数（人）", "workshops.poor_absorbed": "其中贫困劳动力（人）"}),
    hide_index=True,
    width="stretch",
)
breakdown_table(PAGE, data, view, KEYS)
