"""数据质量: the checks a ledger office runs by hand, counted by township, with the rows
behind each count."""

import streamlit as st

from ledger.query import quality
from ledger.query import request as q
from ui.blocks import MASKED_NOTE, no_people_note, open_page
from ui.downloads import table_downloads

PAGE = "quality"
OPENED = f"{PAGE}_opened"  # the checks whose rows this session has already logged

data, view = open_page(PAGE, "数据质量检查", poor_toggle=False, drill=False, basis=False)

overview, by_township = data.read(q.quality_summary, view.request)
st.dataframe(overview.drop(columns="检查项"), hide_index=True, width="stretch", height="content", key=f"{PAGE}_summary")
st.caption(f"共 {len(quality.CHECKS)} 项检查；{int((overview['问题数'] > 0).sum())} 项发现问题。")

found_in = set(overview.loc[overview["问题数"] > 0, "检查项"])
with_problems = [c for c in quality.CHECKS if c.key in found_in]
if not with_problems:
    st.success("未发现问题。")
    st.stop()

st.subheader("按乡镇统计")
st.dataframe(by_township, hide_index=True, width="stretch")

st.subheader("问题明细")
# Nothing is chosen at first: a check's rows are read from the ledger's detail (at a
# province's size a second or more each), the counts above from what the import kept.
chosen = st.selectbox("检查项", with_problems, index=None, format_func=lambda c: c.title, key=f"{PAGE}_check",
                      placeholder="选择一项检查，查看发现问题的行")
if chosen is None:
    st.caption(f"{len(with_problems)} 项检查发现问题；选择其中一项，列出有问题的行（可下载 Excel、CSV）。")
    st.stop()
st.caption(chosen.description)
try:
    # Named people: as the account may see them (the query layer masks or refuses).
    found = data.read(q.quality_rows, view.request, chosen.key)
except PermissionError:
    no_people_note(data)
    st.stop()
opened = st.session_state.setdefault(OPENED, set())
if (view.place, chosen.key) not in opened:  # who looked at which named rows: once a session
    data.log("people_list", target=f"数据质量 {chosen.title} {view.place}", detail="脱敏" if data.bound(view.request).masked else "完整信息")
    opened.add((view.place, chosen.key))
st.dataframe(found, hide_index=True, width="stretch", key=f"{PAGE}_rows")
if data.bound(view.request).masked:
    st.caption("已脱敏：" + MASKED_NOTE)
table_downloads(found, key=f"{PAGE}_rows_dl", name=f"{view.place}_{chosen.title}", title=f"{view.place} {chosen.title}", caption=view.caliber)
