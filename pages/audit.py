"""审计日志 (数据管理员): logins and failures, people lists opened, personal data
revealed and why, exports, imports, restores, freezes and account changes, filtered;
exportable. The log is append-only: the database refuses to change or delete it."""

import datetime as dt

import streamlit as st

from exports import tables
from ledger.access import audit
from ledger.access.roles import ROLES
from ui.data import ledger
from ui.downloads import table_downloads
from ui.text import plain

PAGE = "audit"
LIMIT = 5000

data = ledger(PAGE)
st.title("审计日志")
st.caption("只增不改：数据库拒绝修改或删除日志记录。日志中的证件号码、电话号码已脱敏。")

cols = st.columns([2, 3, 2, 2])
login = cols[0].text_input("账号", key=f"{PAGE}_login", help="登录账号，如 guanli；也可填失败登录时输入的名字。")
login = login.strip().lower() or None
actions = cols[1].multiselect("操作", list(audit.ACTIONS), format_func=audit.ACTIONS.get, key=f"{PAGE}_actions",
                              placeholder="全部操作")
today = dt.date.today()
since = cols[2].date_input("起始日期", today - dt.timedelta(days=30), key=f"{PAGE}_since", max_value=today)
until = cols[3].date_input("截止日期", today, key=f"{PAGE}_until")
if since > until:
    st.error("起始日期晚于截止日期。")
    st.stop()

rows = audit.entries(data.engine, login=login, actions=actions or None, since=since, until=until, limit=LIMIT)
# The role as the rest of the UI says it (区领导, 乡镇负责人 …); blank for a name with no account.
rows["角色"] = rows["角色"].map(lambda key: ROLES[key].name if key in ROLES else (key or ""))
rows = rows.fillna("")

counts = rows["操作"].value_counts()
summary = "；".join(f"{action} {n}" for action, n in counts.items())
st.caption(plain(f"{since:%Y-%m-%d}至{until:%Y-%m-%d}共 {len(rows)} 条{'（只显示最新的' + str(LIMIT) + '条，请缩小范围）' if len(rows) >= LIMIT else ''}"
                 + (f"：{summary}" if summary else "")))
if rows.empty:
    st.info("所选范围内没有日志记录。")
else:
    st.dataframe(rows, hide_index=True, width="stretch", key=f"{PAGE}_table")
    who = f"_{login}" if login else ""
    name = tables.filename("审计日志", f"{since:%Y%m%d}-{until:%Y%m%d}{who}", "", "").rstrip("._")
    filters = "、".join(audit.ACTIONS[a] for a in actions) if actions else "全部操作"
    table_downloads(rows, key=f"{PAGE}_dl", name=name, title="审计日志",
                    caption=f"审计日志 {since:%Y-%m-%d}至{until:%Y-%m-%d}；{'账号 ' + login + '；' if login else ''}{filters}")
