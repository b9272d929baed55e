"""账号管理 (数据管理员): every account, and adding, disabling, resetting and granting
them; each change goes into the audit log (``ledger.access.accounts`` records it).
A manager cannot lock themselves out: their own account cannot be disabled, reset
here or given another role (another 数据管理员 can)."""

import streamlit as st

from ledger.access import accounts
from ledger.access.accounts import AccessError
from ledger.access.roles import ROLES
from ledger.store.townships import township_names
from ui.data import ledger
from ui.text import plain

PAGE = "accounts"
DONE = f"{PAGE}_done"
ROLE_KEYS = list(ROLES)

data = ledger(PAGE)
engine, me = data.engine, data.account.login
st.title("账号管理")
st.caption("账号保存在台账数据库中，密码以 Argon2id 散列保存，不保存明文。新账号和重置密码后的账号首次登录须设置新密码；"
           "停用账号、修改角色或乡镇后，该账号的登录会话立即失效。")

if DONE in st.session_state:
    st.success(plain(st.session_state.pop(DONE)), icon=":material/check_circle:")

table = accounts.listing(engine)
demo_on = table[(table["示例账号"] == "是") & (table["状态"] == "正常")]
if len(demo_on):
    st.warning(plain(f"示例账号仍可登录：{'、'.join(demo_on['账号'])}。正式使用前请停用示例账号，为每位用户建立自己的账号。"),
               icon=":material/warning:")

cols = st.columns([2, 2, 3])
role_filter = cols[0].multiselect("角色", ROLE_KEYS, format_func=lambda k: ROLES[k].name, key=f"{PAGE}_roles",
                                  placeholder="全部角色")
status_filter = cols[1].selectbox("状态", ["全部", "正常", "已停用"], key=f"{PAGE}_status")
shown = table
if role_filter:
    shown = shown[shown["角色"].isin([ROLES[k].name for k in role_filter])]
if status_filter != "全部":
    shown = shown[shown["状态"] == status_filter]
st.dataframe(shown, hide_index=True, width="stretch", key=f"{PAGE}_table")
st.caption(f"共 {len(table)} 个账号，显示 {len(shown)} 个。")
towns = township_names(engine)


def _done(message: str, *clear: str) -> None:
    """Say what was done on the next run (after the table shows it); ``clear`` empties a form."""
    for key in clear:
        st.session_state.pop(key, None)
    st.session_state[DONE] = message
    st.rerun()


with st.expander("新增账号", icon=":material/person_add:"):
    with st.form(f"{PAGE}_add"):
        login = st.text_input("账号（小写字母、数字，如 zhangsan）", key=f"{PAGE}_new_login")
        name = st.text_input("姓名", key=f"{PAGE}_new_name")
        role_key = st.selectbox("角色", ROLE_KEYS, format_func=lambda k: f"{ROLES[k].name}：{ROLES[k].about}",
                                key=f"{PAGE}_new_role")
        own = st.multiselect("所管乡镇（仅乡镇负责人）", towns, key=f"{PAGE}_new_towns")
        if st.form_submit_button("新增", type="primary"):
            try:
                first = accounts.add(engine, login, name, role_key, own, by=me)
            except AccessError as exc:
                st.error(plain(str(exc)))
            else:
                _done(f"已新增账号 {login.strip().lower()}，初始密码：{first}（请当面告知本人，首次登录须修改）。",
                      *[f"{PAGE}_new_{k}" for k in ("login", "name", "role", "towns")])

logins = list(table["账号"])
if logins:
    with st.expander("修改、停用或重置", icon=":material/manage_accounts:", expanded=True):
        who = st.selectbox("账号", logins, key=f"{PAGE}_who",
                           format_func=lambda x: x + ("（本人）" if x == me else ""))
        current = accounts.get(engine, who)
        own_account = who == me
        st.caption(plain(f"{current.label}；{'已停用' if current.disabled else '正常'}"
                         f"{'；须修改密码' if current.must_change else ''}"))
        if own_account:
            st.info("这是您本人的账号：不能在此停用、重置或降低角色（请由另一位数据管理员操作）；修改密码请用“修改密码”页。",
                    icon=":material/info:")
        cols = st.columns(3)
        # Disabled for one's own account, and refused all the same should a click arrive.
        if cols[0].button("重置密码", key=f"{PAGE}_reset", disabled=own_account) and not own_account:
            _done(f"{who} 的新初始密码：{accounts.reset_password(engine, who, by=me)}（首次登录须修改，原会话已失效）。")
        if current.disabled:
            if cols[1].button("启用", key=f"{PAGE}_enable"):
                accounts.disable(engine, who, by=me, enable=True)
                _done(f"已启用 {who}。")
        elif cols[1].button("停用", key=f"{PAGE}_disable", disabled=own_account) and not own_account:
            accounts.disable(engine, who, by=me)
            _done(f"已停用 {who}，其登录会话已全部失效。")
        with st.form(f"{PAGE}_grant"):  # keyed by the account: another account's choice starts from its own
            role_key = st.selectbox("角色", ROLE_KEYS, index=ROLE_KEYS.index(current.role.key),
                                    format_func=lambda k: ROLES[k].name, key=f"{PAGE}_grant_role_{who}", disabled=own_account)
            own = st.multiselect("所管乡镇（仅乡镇负责人）", towns, default=[t for t in current.townships if t in towns],
                                 key=f"{PAGE}_grant_towns_{who}", disabled=own_account)
            if st.form_submit_button("保存角色与乡镇", disabled=own_account):
                if own_account:  # the widgets are disabled; a crafted submit is refused all the same
                    st.error("不能修改本人账号的角色。")
                else:
                    try:
                        accounts.grant(engine, who, role_key, own, by=me)
                    except AccessError as exc:
                        st.error(plain(str(exc)))
                    else:
                        _done(f"已修改 {who} 的权限，其登录会话已失效，重新登录后生效。")
