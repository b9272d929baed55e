"""审计日志 (数据管理员): logins and failures, people lists opened, personal data
revealed and why, exports, imports, restores, freezes and account changes, filtered;
exportable. The log is append-only: the database refuses to change or delete it."""

import datetime as dt

import streamlit as st

from exports import tables
from ledger.access import audit
from ui.data import ledger
from ui.downloads import table_downloads

PAGE = "audit"

data = ledger(PAGE)
st.title("审计日志")
st.caption("只增不改：数据库拒绝修改或删除日志记录。")
cols = st.columns(4)
login = cols[0].text_input("账号", key=f"{PAGE}_login").strip().lower() or None
actions = cols[1].multiselect("操作", list(audit.ACTIONS), format_func=audit.ACTIONS.get, key=f"{PAGE}_actions")
today = dt.date.today()
since = cols[2].date_input("起始日期", today - dt.timedelta(days=30), key=f"{PAGE}_since")
until = cols[3].date_input("截止日期", today, key=f"{PAGE}_until")
rows = audit.entries(data.engine, login=login, actions=actions or None, since=since, until=until)
st.dataframe(rows, hide_index=True, width="stretch", key=f"{PAGE}_table")
name = tables.filename("审计日志", f"{since:%Y%m%d}-{until:%Y%m%d}", "", "").rstrip("._")
table_downloads(rows, key=f"{PAGE}_dl", name=name, title="审计日志", caption=f"审计日志 {since}至{until}")
