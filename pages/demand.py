"""用工需求与返岗输送: enterprises, job types and postings inside and outside the
district; point-to-point transport batches, people and the poor among them."""

import streamlit as st

from ui.blocks import breakdown_table, metric_row, open_page, page_charts

PAGE = "demand"
DEMAND = ["demand.enterprises", "demand.job_types", "demand.postings"]
TRANSPORT = ["transport.batches", "transport.people", "transport.poor"]

data, view = open_page(PAGE, "用工需求与返岗输送", poor_toggle=False)

st.subheader("用工需求信息库")
if view.township:
    st.caption("用工需求按企业登记，不分乡镇：以下为全区数字。")
metric_row(data, view, DEMAND, per_row=3, request=view.request.district())
page_charts(PAGE, data, view, section="demand")

st.subheader("点对点返岗输送")
metric_row(data, view, TRANSPORT, per_row=3)
page_charts(PAGE, data, view, section="transport")
if view.level == "district":
    breakdown_table(PAGE, data, view, TRANSPORT)
