"""数据质量: the checks a ledger office runs by hand, counted by township, with the rows
behind each count."""

import streamlit as st

from ledger.query import quality
from ui.blocks import page_header
from ui.data import ledger
from ui.downloads import table_downloads
from ui.sidebar import scope_sidebar

PAGE = "quality"

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False, drill=False, basis=False)
page_header(PAGE, "数据质量检查", view)

summary = data.call("ledger.query.quality.summary", view.as_of)
district = summary[summary["乡镇"] == "全区"].set_index("检查项")
if view.township:
    mine = summary[summary["乡镇"] == view.township].set_index("检查项")["问题数"]
    district = district.assign(问题数=[int(mine.get(k, 0)) for k in district.index])
overview = district.reset_index()[["检查项", "检查内容", "问题数"]]
st.dataframe(overview.drop(columns="检查项"), hide_index=True, width="stretch", height="content", key=f"{PAGE}_summary")
st.caption(f"共 {len(quality.CHECKS)} 项检查；{int((overview['问题数'] > 0).sum())} 项发现问题。")

with_problems = [c for c in quality.CHECKS if int(district.loc[c.key, "问题数"]) > 0]
if not with_problems:
    st.success("未发现问题。")
    st.stop()

st.subheader("按乡镇统计")
by_town = summary[(summary["乡镇"] != "全区") & summary["检查项"].isin([c.key for c in with_problems])]
if view.township:
    by_town = by_town[by_town["乡镇"] == view.township]
st.dataframe(
    by_town.pivot_table(index="乡镇", columns="检查内容", values="问题数", aggfunc="sum", fill_value=0, sort=False).reset_index(),
    hide_index=True,
    width="stretch",
)

st.subheader("问题明细")
chosen = st.selectbox("检查项", with_problems, format_func=lambda c: c.title, key=f"{PAGE}_check")
st.caption(chosen.description)
found = data.call("ledger.query.quality.rows", chosen.key, view.as_of, township=view.township)
st.dataframe(found, hide_index=True, width="stretch", key=f"{PAGE}_rows")
table_downloads(found, key=f"{PAGE}_rows_dl", name=f"{view.place}_{chosen.title}", title=f"{view.place} {chosen.title}", caption=view.caliber)
