"""导入记录: every import and restore, and a way back to the state before any of them.
Restoring is a 数据管理员's (the page is theirs alone, ``Role.pages``): in their own
name, with a stated reason kept in the history entry and in the audit log."""

import pandas as pd
import streamlit as st

from ledger.query.prepared import after_change
from ledger.store.history import history, import_status, restore
from loaders.spec import SHEETS_BY_KEY
from ui.auth import operator
from ui.data import ledger
from ui.text import plain

PAGE = "history"
DONE = f"{PAGE}_done"

data = ledger(PAGE)
engine, account = data.engine, data.account
st.title("导入记录")
st.caption("每次导入和恢复都会记录：时间、导入人、文件、SHA-256、各表各月行数。恢复不会删除任何数据，恢复本身也会记录，可以再次恢复。")

if DONE in st.session_state:
    st.success(st.session_state.pop(DONE))
rows = history(engine)
status = import_status(engine)
if not rows:
    st.info("尚无导入记录。")
    st.stop()


def counts(row_counts: dict) -> str:
    return "；".join(
        f"{SHEETS_BY_KEY[s].name} " + "、".join(f"{p or '全部'}:{n}" for p, n in periods.items()) for s, periods in row_counts.items()
    )


table = pd.DataFrame(
    [
        {
            "记录号": r["id"],
            "时间": r["created_at"],
            "操作人": r["created_by"],
            "类型": "导入" if r["kind"] == "import" else "恢复",
            "状态": status.get(r["id"], "—"),
            "文件或说明": "；".join(x for x in (r["filename"], r["note"]) if x),
            "SHA-256": (r["sha256"] or "")[:16],
            "各表各月行数": counts(r["row_counts"]),
            # what the reader inferred or skipped, as the importer confirmed it
            "导入时的说明": "；".join(r["inferred"]),
        }
        for r in rows
    ]
)
st.dataframe(table, hide_index=True, width="stretch", key=f"{PAGE}_table")

if not account.role.manage:  # the page is a 数据管理员's; should a role gain it, restoring stays theirs
    st.caption("恢复由数据管理员操作。")
    st.stop()
st.subheader("恢复")
ids = [r["id"] for r in rows]
target = st.selectbox("恢复到哪条记录", ids, format_func=lambda i: f"#{i}", key=f"{PAGE}_target")
before = st.radio("恢复到", ["该记录之前的状态", "该记录之后的状态"], key=f"{PAGE}_when", horizontal=True) == "该记录之前的状态"
who = operator(account)
st.caption(plain(f"操作人：{who}"))
reason = st.text_input("恢复原因（必填）", key=f"{PAGE}_reason", max_chars=200,
                       placeholder="例如：庆远镇9月台账导错文件，退回导入前")
if st.button("恢复", type="primary", key=f"{PAGE}_restore"):
    if not reason.strip():
        st.error("请填写恢复原因。")
        st.stop()
    new_id = restore(engine, int(target), before=before, user=who, reason=reason.strip())
    st.cache_data.clear()
    st.session_state[DONE] = "当前数据已是该状态，无需恢复。" if new_id is None else f"已恢复（记录号 {new_id}）。"
    if new_id is not None:
        data.log("restore", target=f"#{target}", detail=reason.strip())
        # as after an import: the pages then open from what the checks and counts keep
        try:
            with st.spinner("已恢复，正在做数据质量检查…"):
                after_change(engine)
        except Exception:  # noqa: BLE001 (the restore stands; the 数据质量 page runs the checks and shows what fails)
            st.session_state[DONE] += "数据质量检查没有完成，打开“数据质量”页面时会重新检查。"
    st.rerun()  # the table above then lists the restore
