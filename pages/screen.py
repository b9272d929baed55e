"""大屏: the briefing-room view for a projector. A few headline figures in very large
type, the township ranking and the trend, dark, no sidebar, refreshing itself."""

import html

import streamlit as st

from charts import projector_ranking
from ledger.present.format import month_label, show
from ledger.query.request import Request
from ledger.query.statements import month_end
from ledger.store.figures import figure
from ui.blocks import chart, rendered_view
from ui.data import ledger

PAGE = "screen"
REFRESH = "5m"
HEADLINE = ["labor.employed", "labor.employment_rate", "labor.poor_employed", "subsidy.total"]

st.markdown(
    """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.stApp {background: #0B1526; color: #E8EEF7;}
.stApp h1, .stApp h2, .stApp h3, .stApp p, .stApp span {color: #E8EEF7;}
.big {text-align: center; padding: 0.6rem 0.2rem; border-radius: 12px; background: #14243D;}
.big .label {font-size: clamp(1rem, 1.6vw, 1.6rem); opacity: 0.85;}
.big .value {font-size: clamp(1.8rem, 3.4vw, 4.2rem); font-weight: 700; color: #FFD166; line-height: 1.15;}
</style>
""",
    unsafe_allow_html=True,
)


@st.fragment(run_every=REFRESH)
def board() -> None:
    data = ledger(PAGE)
    months = data.months()
    if not months:
        st.header("台账中还没有数据")
        return
    month = st.query_params.get("month") if st.query_params.get("month") in months else months[-1]
    as_of = month_end(month)
    st.title(f"宜州区贫困劳动力稳岗就业　{month_label(month)}")
    request = data.bound(Request(as_of))  # the account's scope and rights (every read binds it again)
    values = data.figures(request, HEADLINE).values
    for col, key in zip(st.columns(len(HEADLINE)), HEADLINE):
        col.markdown(
            f'<div class="big"><div class="label">{html.escape(figure(key).label)}</div>'
            f'<div class="value">{html.escape(show(figure(key), values[key]))}</div></div>',
            unsafe_allow_html=True,
        )
    left, right = st.columns([3, 2])
    with left:
        ranked = data.built(rendered_view, request, "employment_rate_ranking")
        st.echarts_chart(
            # ?township=… marks one township in the ranking (a township head presenting).
            projector_ranking(ranked.data, "labor.employment_rate", title="各乡镇就业率排名", unit="%", dark=True,
                              highlight=st.query_params.get("township")),
            key=f"{PAGE}_ranking",
            height=560,
        )
    with right:
        trend = data.built(rendered_view, request, "employment_rate_trend", dark=True)
        chart(trend.figure, key=f"{PAGE}_trend", filename=f"宜州区_就业率月度走势_{month}")
    st.caption(f"数据来源：宜州区贫困劳动力就业台账；每{REFRESH.rstrip('m')}分钟自动刷新。")


board()
