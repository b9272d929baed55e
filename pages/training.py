"""培训: classes and person-times by type, organiser and trade, the poor share, by
township, and the trend by month."""

import streamlit as st

from charts import category_bar, grouped_bar
from ui.blocks import breakdown_table, chart, file_stub, metric_row, page_charts, page_header
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
    rows = data.breakdown(view.request, list(SERIES), "training_type")
    chart(grouped_bar(rows, SERIES, category="training_type", title="按培训类型", unit="人次"), key=f"{PAGE}_type", view=view, data=rows, filename=file_stub(view, "培训类型"))
with right:
    rows = data.breakdown(view.request, ["training.classes"], "organiser")
    chart(category_bar(rows, "training.classes", category="organiser", title="各主办部门培训期数", unit="期"), key=f"{PAGE}_org", view=view, data=rows, filename=file_stub(view, "主办部门培训期数"))

rows = data.breakdown(view.request, ["training.person_times"], "trade")
chart(category_bar(rows, "training.person_times", category="trade", title="各培训工种人次", unit="人次"), key=f"{PAGE}_trade", view=view, data=rows, filename=file_stub(view, "培训工种"))

page_charts(PAGE, data, view, at_village=True)
breakdown_table(PAGE, data, view, KEYS + ["training.vocational.person_times", "training.short_term.people", "training.rural_practical.people"])
