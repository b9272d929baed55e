"""报送: freeze a month's figures as reported, and see which figures have changed since,
and which import changed them."""

import pandas as pd
import streamlit as st

from ledger.present.frames import shown_changes
from ledger.query import request as q
from ledger.query.reported import freeze
from ledger.query.request import Request
from ledger.store.config import report_code
from ledger.store.freezes import freezes
from ui.blocks import open_page
from ui.text import plain

PAGE = "reported"

data, view = open_page(PAGE, "月度报送", poor_toggle=False, drill=False, basis=False)

frozen = freezes(data.engine)
mine = frozen[frozen["月份"] == view.month] if len(frozen) else frozen
if len(mine):
    latest = mine.iloc[0]
    st.success(plain(f"{view.month_label}已于 {latest['报送时间']} 由 {latest['报送人']} 报送（报送时数据为第 {latest['历史记录号']} 号记录）。"))
else:
    st.info(f"{view.month_label}尚未报送。")

with st.container(border=True):
    st.write(f"将{view.month_label}全区及各乡镇的全部指标按当前数据冻结为“已报送”。")
    user = st.text_input("报送人", key=f"{PAGE}_user")
    note = st.text_input("备注（可选）", key=f"{PAGE}_note")
    if report_code() is None:
        code = None
        st.caption("未设置报送口令，任何人都可以冻结。设置方法：环境变量 LEDGER_REPORT_CODE，或 .streamlit/secrets.toml 中 [reporting] code。")
    else:
        code = st.text_input("报送口令", type="password", key=f"{PAGE}_code", help="由区里统计负责人设置；只有知道口令的人才能冻结。")
    if st.button("冻结为已报送", type="primary", key=f"{PAGE}_freeze", disabled=not user.strip()):
        try:
            freeze(data.engine, view.month, user=user.strip(), note=note.strip() or None, code=code)
        except PermissionError as exc:
            st.error(str(exc))
        else:
            st.cache_data.clear()
            st.rerun()

if len(mine):
    st.subheader("报送后发生变化的数字")
    changes = data.read(q.changes_since_reported, Request(view.as_of), int(latest["编号"]))
    if view.township is not None and len(changes):
        changes = changes[changes["乡镇"] == view.township]
    if len(changes):
        st.dataframe(shown_changes(changes, ("报送值", "当前值")), hide_index=True, width="stretch", key=f"{PAGE}_changes")
    else:
        st.success("报送后数字没有变化。")

st.subheader("报送记录")
st.dataframe(frozen if len(frozen) else pd.DataFrame(columns=["编号", "月份", "报送人", "报送时间"]), hide_index=True, width="stretch")
