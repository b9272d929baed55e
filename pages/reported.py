"""报送: which months are frozen as reported, which figures have changed since and which
import changed them (every role that may open the page); freezing a month is a
数据管理员's, in their own name, and goes into the audit log."""

import pandas as pd
import streamlit as st

from ledger.present.frames import shown_changes
from ledger.query import request as q
from ledger.query.reported import freeze
from ledger.query.request import Request
from ledger.store.freezes import freezes
from ui.auth import operator
from ui.blocks import open_page
from ui.text import plain

PAGE = "reported"

data, view = open_page(PAGE, "月度报送", poor_toggle=False, drill=False, basis=False)
account = data.account

frozen = freezes(data.engine)  # months, who froze and when: no personal data, shown to every role
mine = frozen[frozen["月份"] == view.month] if len(frozen) else frozen
if len(mine):
    latest = mine.iloc[0]
    st.success(plain(f"{view.month_label}已于 {latest['报送时间']} 由 {latest['报送人']} 报送（报送时数据为第 {latest['历史记录号']} 号记录）。"))
else:
    st.info(f"{view.month_label}尚未报送。")

if account.role.manage:
    with st.container(border=True):
        who = operator(account)
        st.write(plain(f"将{view.month_label}全区及各乡镇的全部指标按当前数据冻结为“已报送”，报送人：{who}。"))
        note = st.text_input("备注（可选）", key=f"{PAGE}_note")
        if st.button("冻结为已报送", type="primary", key=f"{PAGE}_freeze"):
            freeze_id = freeze(data.engine, view.month, user=who, note=note.strip() or None)
            data.log("freeze", target=view.month, detail=f"报送记录 {freeze_id}" + (f"；{note.strip()}" if note.strip() else ""))
            st.cache_data.clear()
            st.rerun()
else:
    st.caption("冻结月份为“已报送”由数据管理员操作。")

if len(mine):
    st.subheader("报送后发生变化的数字")
    # The account's scope is bound to the request: a township head sees their townships' rows only.
    changes = data.read(q.changes_since_reported, Request(view.as_of), int(latest["编号"]))
    if view.township is not None and len(changes):
        changes = changes[changes["乡镇"] == view.township]
    if len(changes):
        st.dataframe(shown_changes(changes, ("报送值", "当前值")), hide_index=True, width="stretch", key=f"{PAGE}_changes")
    else:
        st.success("报送后数字没有变化。")

st.subheader("报送记录")
if not data.bound(view.request).scope.is_district:
    frozen = frozen.drop(columns=["备注"])  # a district-wide note may name other townships
st.dataframe(frozen if len(frozen) else pd.DataFrame(columns=["编号", "月份", "报送人", "报送时间"]), hide_index=True, width="stretch")
