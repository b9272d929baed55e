"""目标考核: each township's progress on each target of the year, paced against the
calendar (时间过半、任务过半), red / amber / green, rank, and what is still needed."""

import streamlit as st

from charts import completion_gauge
from ledger.query import request as q
from ledger.query.targets import year_elapsed
from ui.blocks import chart, file_stub, page_header, progress_chart
from ui.data import ledger
from ui.sidebar import scope_sidebar
from ui.text import plain

PAGE = "targets"

data = ledger(PAGE)
view = scope_sidebar(data, PAGE, poor_toggle=False, drill=False)
page_header(PAGE, f"{view.as_of.year if view.as_of else ''}年度目标任务考核", view)

indicators = data.read(q.targets, view.request)
if not indicators:
    st.info("台账中没有本年度的目标任务（目标任务表）。")
    st.stop()
st.caption(f"时间进度：截至{view.as_of.month}月{view.as_of.day}日，全年已过{year_elapsed(view.as_of)}%。累计类指标（培训人次、公益性岗位数）按时间进度考核，存量类指标（就业人数、就业率、车间吸纳）按全年目标考核。")

for indicator, rows, table in indicators:
    st.subheader(plain(indicator))
    if view.township:
        row = rows.iloc[0]
        st.echarts_chart(
            completion_gauge(float(row["completion"] or 0), title=f"{view.township}{indicator}完成率", pace=float(row["pace"])),
            key=f"{PAGE}_gauge_{indicator}",
        )
    else:
        chart(data.built(progress_chart, view.request, indicator), key=f"{PAGE}_bar_{indicator}", view=view, data=rows, filename=file_stub(view, f"{indicator}完成情况"))
    st.dataframe(table, hide_index=True, width="stretch")
