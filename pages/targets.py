"""目标考核: each township's progress on each target of the year, paced against the
calendar (时间过半、任务过半), red / amber / green, rank, and what is still needed."""

import pandas as pd
import streamlit as st

from charts import completion_gauge, progress_bar, rag
from ledger.query.targets import year_elapsed
from ui.blocks import chart, file_stub, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar
from ui.text import plain

PAGE = "targets"
RAG_TEXT = {"green": "达到进度", "amber": "略低于进度", "red": "落后"}

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False, drill=False)
page_header(PAGE, f"{view.as_of.year if view.as_of else ''}年度目标任务考核", view)

progress = data.call("ledger.query.targets.progress", view.as_of, township=view.township)
if progress.empty:
    st.info("台账中没有本年度的目标任务（目标任务表）。")
    st.stop()
st.caption(f"时间进度：截至{view.as_of.month}月{view.as_of.day}日，全年已过{year_elapsed(view.as_of)}%。累计类指标（培训人次、公益性岗位数）按时间进度考核，存量类指标（就业人数、就业率、车间吸纳）按全年目标考核。")

progress = progress.assign(
    rag=[rag(c, p) if c is not None else "red" for c, p in zip(progress["completion"], progress["pace"])]
)
for indicator, rows in progress.groupby("indicator", sort=False):
    st.subheader(plain(indicator))
    rows = rows.sort_values("completion", ascending=False, key=lambda s: s.map(lambda v: -1 if v is None else float(v)))
    if view.township:
        row = rows.iloc[0]
        st.echarts_chart(
            completion_gauge(float(row["completion"] or 0), title=f"{view.township}{indicator}完成率", pace=float(row["pace"])),
            key=f"{PAGE}_gauge_{indicator}",
        )
    else:
        chart(progress_bar(rows, title=f"各乡镇{indicator}完成情况"), key=f"{PAGE}_bar_{indicator}", view=view, data=rows, filename=file_stub(view, f"{indicator}完成情况"))
    table = pd.DataFrame(
        {
            "排名": range(1, len(rows) + 1),
            "乡镇": rows["township"],
            "目标": rows["target"].map(float),
            "完成": rows["actual"].map(lambda v: None if v is None else float(v)),
            "完成率（%）": rows["completion"].map(lambda v: None if v is None else float(v)),
            "进度要求（%）": rows["pace"].map(float),
            "状态": rows["rag"].map(RAG_TEXT),
            "剩余各月每月需完成": pd.array(rows["needed_per_month"], dtype="Int64"),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
