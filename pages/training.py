"""培训: classes and person-times by type, organiser and trade, the poor share, by
township, and the trend by month."""

import streamlit as st

from charts import category_bar, grouped_bar, trend_line
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

PAGE = "training"
KEYS = ["training.classes", "training.person_times", "training.poor_person_times", "training.vocational.classes"]
SERIES = {"training.person_times": "培训人次", "training.poor_person_times": "其中建档立卡"}

data = ledger()
view = scope_sidebar(data, PAGE)
page_header(PAGE, "技能培训", view)
metric_row(data, view, KEYS)

left, right = st.columns(2)
with left:
    rows = data.breakdown(list(SERIES), view.as_of, by="training_type", township=view.township, poor_only=view.poor_only)
    chart(grouped_bar(rows, SERIES, category="training_type", title="按培训类型", unit="人次"), key=f"{PAGE}_type", view=view, data=rows, filename=file_stub(view, "培训类型"))
with right:
    rows = data.breakdown(["training.classes"], view.as_of, by="organiser", township=view.township, poor_only=view.poor_only)
    chart(category_bar(rows, "training.classes", category="organiser", title="各主办部门培训期数", unit="期"), key=f"{PAGE}_org", view=view, data=rows, filename=file_stub(view, "主办部门培训期数"))

rows = data.breakdown(["training.person_times"], view.as_of, by="trade", township=view.township, poor_only=view.poor_only)
chart(category_bar(rows, "training.person_times", category="trade", title="各培训工种人次", unit="人次"), key=f"{PAGE}_trade", view=view, data=rows, filename=file_stub(view, "培训工种"))

drill_chart(PAGE, data, view, "training.person_times", title="培训人次", what="培训人次")

monthly = data.monthly(list(SERIES), view.as_of, view.township, poor_only=view.poor_only, cumulative=True)
chart(trend_line(monthly, SERIES, title=f"{view.place}培训人次累计（按月）", unit="人次"), key=f"{PAGE}_trend", view=view, data=monthly, filename=file_stub(view, "培训人次累计"))
breakdown_table(PAGE, data, view, KEYS + ["training.vocational.person_times", "training.short_term.people", "training.rural_practical.people"])
