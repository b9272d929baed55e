"""Signing in and out in the browser, and which account a run belongs to.

A session is the account's token (``access.accounts.open_session``), kept in the
Streamlit session and in a cookie so a reload or a bookmark stays signed in; the store
keeps only its hash and ends it at logout, after 30 idle minutes, at a password change
or when the account is disabled: a copied cookie is useless after that. Without an
account nothing of the ledger is read (``ui.data.Ledger`` binds every request to the
account's scope)."""

from __future__ import annotations

import streamlit as st

from ledger.access import accounts, audit
from ledger.access.accounts import AccessError, Account

from .data import store
from .text import plain

TOKEN = "auth_token"
COOKIE = "ledger_session"
_COOKIE_TODO = "auth_cookie"  # "set" or "clear": written by the next full run
REFUSED = "auth_refused"


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind the run (AppTest, bare mode)
        return None
    return value if isinstance(value, str) and value else None  # a test harness may hand back anything


def current_account() -> Account | None:
    """The signed-in account of this browser session, or None."""
    _, engine = store()
    token = st.session_state.get(TOKEN)
    from_cookie = token is None
    if from_cookie:
        token = _cookie_token()
    account = accounts.session_account(engine, token)
    if account is None:
        st.session_state.pop(TOKEN, None)
        if token and from_cookie:
            st.session_state[_COOKIE_TODO] = "clear"
        return None
    st.session_state[TOKEN] = token
    return account


def sync_cookie() -> None:
    """Write or clear the session cookie once, after a login or a logout. The token is
    URL-safe base64, so it goes into the script as it is."""
    todo = st.session_state.pop(_COOKIE_TODO, None)
    if todo is None:
        return
    secure = "; Secure" if str(getattr(st.context, "url", "") or "").startswith("https") else ""
    if todo == "set" and st.session_state.get(TOKEN):
        value = f"{COOKIE}={st.session_state[TOKEN]}; path=/; SameSite=Strict{secure}"
    else:
        value = f"{COOKIE}=; path=/; max-age=0; SameSite=Strict{secure}"
    st.html(f"<script>document.cookie = {value!r};</script>", unsafe_allow_javascript=True)


def _signed_in(engine, account: Account) -> None:
    st.session_state[TOKEN] = accounts.open_session(engine, account)
    st.session_state[_COOKIE_TODO] = "set"


def sign_out() -> None:
    _, engine = store()
    accounts.close_session(engine, st.session_state.pop(TOKEN, None) or _cookie_token())
    st.session_state.clear()  # the view, revealed lists and picks were this account's
    st.session_state[_COOKIE_TODO] = "clear"


def login_page() -> None:
    """登录: name and password; the demo accounts named while they keep their first password."""
    _, engine = store()
    st.title("宜州区稳岗就业台账 · 登录")
    with st.form("login", border=True):
        login = st.text_input("账号", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            account = accounts.authenticate(engine, login, password)
        except AccessError as exc:
            st.error(plain(str(exc)))
        else:
            _signed_in(engine, account)
            st.rerun()
    _oidc(engine)
    demo = accounts.listing(engine)
    waiting = demo[(demo["示例账号"] == "是") & (demo["须改密码"] == "是")]
    if len(waiting):
        rows = "；".join(f"{r['账号']}（{r['角色']}{'·' + r['乡镇'] if r['乡镇'] != '全区' else ''}）"
                        for _, r in waiting.iterrows())
        st.info(plain(f"示例账号：{rows}。初始密码均为 {accounts.DEMO_PASSWORD}，首次登录后须设置新密码。"
                      "正式使用前请由数据管理员停用示例账号并为每位用户建立自己的账号。"), icon=":material/info:")
    elif demo.empty:
        st.warning("尚无账号。请在服务器上运行 `python -m ledger users add 账号 --name 姓名 --role admin` "
                   "建立第一个数据管理员账号。")
    st.caption(f"连续{accounts.LOCK_AFTER}次密码错误将锁定{accounts.LOCK_MINUTES}分钟；"
               f"{int(accounts.idle_limit().total_seconds() // 60)}分钟无操作自动退出。")


def _oidc(engine) -> None:
    """Single sign-on through ``st.login`` when .streamlit/secrets.toml has an [auth]
    section (an intranet identity provider): the provider's e-mail names the account,
    whose role and townships apply as for a password login."""
    try:
        configured = "auth" in st.secrets
    except Exception:
        configured = False
    if not configured:
        return
    if getattr(st.user, "is_logged_in", False):
        account = oidc_account(engine, st.user.get("email"))
        if account is None:
            st.error(plain(f"统一身份认证账号 {st.user.get('email')} 未在本系统开通，请联系数据管理员。"))
        else:
            audit.record(engine, "login", login=account.login, role=account.role.key, detail="统一身份认证")
            _signed_in(engine, account)
            st.rerun()
    st.button("使用统一身份认证登录", on_click=st.login)


def oidc_account(engine, email: str | None) -> Account | None:
    """The account an identity provider's e-mail maps to: the one whose 账号 is that
    e-mail (``users add zhang@gx.gov.cn``), if enabled."""
    if not email:
        return None
    account = accounts.get(engine, email)
    return account if account is not None and not account.disabled else None


def password_page() -> None:
    """修改密码: forced at the first login and after a reset; ends every other session."""
    _, engine = store()
    account = current_account()
    if account is None:
        st.stop()
    st.title("修改密码")
    if account.must_change:
        st.warning("首次登录（或密码被重置后）须设置新密码，之后才能使用系统。")
    with st.form("password", border=True):
        old = st.text_input("原密码", type="password")
        new = st.text_input("新密码（至少8位，含字母和数字）", type="password")
        again = st.text_input("再次输入新密码", type="password")
        submitted = st.form_submit_button("确认修改", type="primary")
    if submitted:
        if new != again:
            st.error("两次输入的新密码不一致。")
            return
        try:
            accounts.change_password(engine, account.login, old, new)
        except AccessError as exc:
            st.error(plain(str(exc)))
            return
        _signed_in(engine, accounts.get(engine, account.login))  # the old sessions were closed
        st.rerun()


def operator(account: Account) -> str:
    """张三（zhangsan）: the signed-in account as a history entry or a freeze names who
    did it (never a name typed into the page)."""
    return f"{account.name}（{account.login}）"


def account_box(account: Account) -> None:
    """Who is signed in, and the way out, at the foot of the sidebar."""
    with st.sidebar:
        st.divider()
        st.caption(plain(f"当前用户：{account.label}"))
        st.button("退出登录", key="auth_sign_out", on_click=sign_out, icon=":material/logout:")


def refuse(account: Account | None, page: str) -> None:
    """A page the account may not use, opened by its URL: say so, log it, stop."""
    _, engine = store()
    if account is not None:
        audit.record(engine, "refused", login=account.login, role=account.role.key, target=page)
        st.error(plain(f"您的账号（{account.role.name}）无权使用此页面。"), icon=":material/block:")
    else:
        st.error("请先登录。", icon=":material/lock:")
    st.stop()
