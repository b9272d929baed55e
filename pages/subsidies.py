"""补贴: spending by type and by township, cumulative by month, and the policy figures
the district reports (稳岗、防疫、交通、车间奖补…)."""

import streamlit as st

from charts import category_bar, trend_line
from ledger.present.frames import figure_table
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

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False)
page_header(PAGE, "补贴发放", view)
metric_row(data, view, ["subsidy.total", "subsidy.job_stability", "subsidy.epidemic_prevention", "subsidy.transport"])

by_type = data.breakdown(["subsidy.total"], view.as_of, by="subsidy_type", township=view.township)
left, right = st.columns(2)
with left:
    chart(
        category_bar(by_type, "subsidy.total", category="subsidy_type", title=f"{view.place}各类补贴发放金额", unit="万元", money=True),
        key=f"{PAGE}_types",
        view=view, data=by_type, filename=file_stub(view, "各类补贴发放金额"),
    )
with right:
    if view.level != "village":
        drill_chart(PAGE, data, view, "subsidy.total", title="补贴发放金额", what="补贴发放金额")

monthly = data.monthly(["subsidy.total"], view.as_of, view.township, cumulative=True)
chart(
    trend_line(monthly, {"subsidy.total": "累计发放"}, title=f"{view.place}补贴累计发放金额（按月）", unit="万元", money=True),
    key=f"{PAGE}_trend",
    view=view, data=monthly, filename=file_stub(view, "补贴累计发放"),
)

st.subheader("政策补贴落实情况")
values = data.figures(view.as_of, view.township, POLICY + ["subsidy.workshop_reward_workshops", "training.short_term_reward.people"])
policy = figure_table(
    __import__("pandas").DataFrame([{"township": view.place, **{k: values.values[k] for k in POLICY}}]), POLICY
).T.reset_index()
policy.columns = ["项目", "金额"]
st.dataframe(policy.iloc[1:], hide_index=True, width="stretch")
st.caption(
    f"获带动就业奖补的扶贫车间{values.values['subsidy.workshop_reward_workshops']}家；"
    f"短期技能培训以奖代补已发放{values.values['training.short_term_reward.people']:,}人。"
)
if view.level != "village":
    breakdown_table(PAGE, data, view, ["subsidy.total"] + POLICY[:7])
