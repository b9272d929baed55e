"""总览: the district's headline figures and every township side by side."""

import streamlit as st

from ledger.figures import figure
from ledger.tables import figure_table
from ledger.units import show
from ui.data import ledger
from ui.sidebar import scope_sidebar

HEADLINE = [
    "labor.total",
    "labor.employed",
    "labor.employment_rate",
    "labor.unemployed",
    "labor.poor",
    "labor.poor_employed",
    "labor.poor_employment_rate",
    "income.monthly_mean",
    "subsidy.total",
    "training.person_times",
    "workshops.on_duty",
    "posts.poverty.count",
]
TABLE = HEADLINE[:7] + ["subsidy.total", "training.person_times", "workshops.on_duty"]

data = ledger()
view = scope_sidebar(data, page="overview")

st.title("宜州区贫困劳动力稳岗就业总览")
st.caption(view.caliber)

if view.as_of is None:
    st.info("台账中还没有数据。请用 `python -m ledger import 工作簿.xlsx` 导入台账。")
    st.stop()

fs = data.figures(view.as_of, view.township, HEADLINE)
for start in range(0, len(HEADLINE), 4):
    cols = st.columns(4)
    for col, key in zip(cols, HEADLINE[start : start + 4]):
        col.metric(figure(key).label, show(figure(key), fs.values[key]))

st.subheader("分乡镇情况" if view.township is None else f"{view.township}各村情况")
by = "township" if view.township is None else "village"
rows = data.breakdown(TABLE, view.as_of, by=by, township=view.township)
total = data.figures(view.as_of, view.township, TABLE)
st.dataframe(
    figure_table(rows, TABLE, total),
    hide_index=True,
    width="stretch",
    key="overview_table",
)
