"""补贴: spending by type and by township, cumulative by month, and the policy figures
the district reports (稳岗、防疫、交通、车间奖补…)."""

import streamlit as st

from ledger.present.format import count
from ledger.present.frames import figure_list
from ui.blocks import breakdown_table, metric_row, open_page, page_charts

PAGE = "subsidies"
POLICY = [
    "subsidy.enterprise_absorption",
    "subsidy.flexible_social_insurance",
    "subsidy.workshop_reward",
    "subsidy.key_enterprise_social_insurance",
    "subsidy.job_stability",
    "subsidy.epidemic_prevention",
    "subsidy.transport",
    "posts.poverty.subsidy",
    "posts.temporary.subsidy",
    "training.short_term_reward.amount",
    "training.rural_practical.amount",
]

data, view = open_page(PAGE, "补贴发放", poor_toggle=False)
metric_row(data, view, ["subsidy.total", "subsidy.job_stability", "subsidy.epidemic_prevention", "subsidy.transport"])

page_charts(PAGE, data, view)

st.subheader("政策补贴落实情况")
values = data.figures(view.request, POLICY + ["subsidy.workshop_reward_workshops", "training.short_term_reward.people"])
st.dataframe(figure_list(values.values, POLICY), hide_index=True, width="stretch")
st.caption(
    f"获带动就业奖补的扶贫车间{values.values['subsidy.workshop_reward_workshops']}家；"
    f"短期技能培训以奖代补已发放{count(values.values['training.short_term_reward.people'])}人。"
)
if view.level != "village":
    breakdown_table(PAGE, data, view, ["subsidy.total"] + POLICY[:7])
