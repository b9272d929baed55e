"""总览: headline figures with 环比, the employment rate by township (ranked, click to
drill), the monthly trend, the main figures in words, and every township's table."""

import streamlit as st

from ledger.present.narrative import overview_sentence
from ui.blocks import breakdown_table, metric_row, open_page, page_charts, people_table
from ui.text import plain

PAGE = "overview"
HEADLINE = [
    "labor.total",
    "labor.employed",
    "labor.employment_rate",
    "labor.unemployed",
    "labor.poor",
    "labor.poor_employed",
    "labor.poor_employment_rate",
    "labor.unemployed_wanting_work",
    "income.monthly_mean",
    "subsidy.total",
    "training.person_times",
    "workshops.on_duty",
]
TABLE = HEADLINE[:8] + ["subsidy.total", "training.person_times", "workshops.on_duty"]

data, view = open_page(PAGE, "宜州区贫困劳动力稳岗就业总览")

values = metric_row(data, view, HEADLINE)
st.info(plain(overview_sentence(values, place=view.place, month_label=view.month_label)))

if view.level == "village":
    people_table(PAGE, data, view, "labor.total", title="劳动力")
else:
    page_charts(PAGE, data, view)

    st.subheader("分乡镇情况" if view.level == "district" else plain(f"{view.township}各村情况"))
    breakdown_table(PAGE, data, view, TABLE)
