"""公益性岗位: posts by category and post type, by township, and the subsidies paid."""

import streamlit as st

from charts import category_bar
from ui.blocks import (
    breakdown_table,
    chart,
    drill_chart,
    file_stub,
    metric_row,
    page_header,
)
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "posts"
KEYS = ["posts.poverty.count", "posts.poverty.subsidy", "posts.temporary.count", "posts.temporary.subsidy"]

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False)
page_header(PAGE, "公益性岗位", view)
metric_row(data, view, KEYS)

left, right = st.columns(2)
with left:
    rows = data.breakdown(["posts.count"], view.as_of, by="category", township=view.township)
    chart(category_bar(rows, "posts.count", category="category", title="按岗位类别", unit="个"), key=f"{PAGE}_cat", view=view, data=rows, filename=file_stub(view, "公益性岗位类别"))
with right:
    rows = data.breakdown(["posts.count"], view.as_of, by="post", township=view.township)
    chart(category_bar(rows, "posts.count", category="post", title="按岗位名称", unit="个"), key=f"{PAGE}_post", view=view, data=rows, filename=file_stub(view, "公益性岗位名称"))

drill_chart(PAGE, data, view, "posts.count", title="公益性岗位数", what="公益性岗位数")
breakdown_table(PAGE, data, view, ["posts.count"] + KEYS)
