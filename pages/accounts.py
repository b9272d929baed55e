"""账号管理 (数据管理员): every account, and adding, disabling, resetting and granting
them; each change goes into the audit log."""

import streamlit as st

from ledger.access import accounts
from ledger.access.accounts import AccessError
from ledger.access.roles import ROLES
from ledger.store.townships import township_names
from ui.data import ledger
from ui.text import plain

PAGE = "accounts"
DONE = f"{PAGE}_done"

data = ledger(PAGE)
engine, me = data.engine, data.account.login
st.title("账号管理")
st.caption("账号保存在台账数据库中，密码以 Argon2id 散列保存。新账号和重置后的账号首次登录须设置新密码。")
if DONE in st.session_state:
    st.success(plain(st.session_state.pop(DONE)))

table = accounts.listing(engine)
st.dataframe(table, hide_index=True, width="stretch", key=f"{PAGE}_table")
towns = township_names(engine)
roles = list(ROLES)


def _done(message: str) -> None:
    st.session_state[DONE] = message
    st.rerun()


with st.expander("新增账号", icon=":material/person_add:"):
    with st.form(f"{PAGE}_add"):
        login = st.text_input("账号（小写字母、数字）")
        name = st.text_input("姓名")
        role_key = st.selectbox("角色", roles, format_func=lambda k: ROLES[k].name)
        own = st.multiselect("所管乡镇（乡镇负责人）", towns)
        if st.form_submit_button("新增", type="primary"):
            try:
                first = accounts.add(engine, login, name, role_key, own, by=me)
            except AccessError as exc:
                st.error(plain(str(exc)))
            else:
                _done(f"已新增账号 {login.strip().lower()}，初始密码：{first}（请当面告知本人，首次登录须修改）。")

logins = list(table["账号"])
if logins:
    with st.expander("修改、停用或重置", icon=":material/manage_accounts:"):
        who = st.selectbox("账号", logins, key=f"{PAGE}_who")
        current = accounts.get(engine, who)
        cols = st.columns(3)
        if cols[0].button("重置密码", key=f"{PAGE}_reset"):
            _done(f"{who} 的新初始密码：{accounts.reset_password(engine, who, by=me)}（首次登录须修改）。")
        if current.disabled:
            if cols[1].button("启用", key=f"{PAGE}_enable"):
                accounts.disable(engine, who, by=me, enable=True)
                _done(f"已启用 {who}。")
        elif cols[1].button("停用", key=f"{PAGE}_disable", disabled=who == me):
            accounts.disable(engine, who, by=me)
            _done(f"已停用 {who}，其登录会话已全部失效。")
        with st.form(f"{PAGE}_grant"):
            role_key = st.selectbox("角色", roles, index=roles.index(current.role.key), format_func=lambda k: ROLES[k].name)
            own = st.multiselect("所管乡镇（乡镇负责人）", towns, default=[t for t in current.townships if t in towns])
            if st.form_submit_button("保存角色与乡镇"):
                try:
                    accounts.grant(engine, who, role_key, own, by=me)
                except AccessError as exc:
                    st.error(plain(str(exc)))
                else:
                    _done(f"已修改 {who} 的权限，其登录会话已失效，重新登录后生效。")
