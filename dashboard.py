"""宜州区贫困劳动力稳岗就业台账: the router. Page config, the first start, signing in,
and the navigation of the signed-in account's role; the page list lives in
ui/pages.py, the pages hold layout."""

from pathlib import Path

import streamlit as st

from ui.auth import account_box, current_account, login_page, password_page, sync_cookie
from ui.first_start import prepare
from ui.pages import hidden_of, pages_of

ICON = Path(__file__).parent / "assets" / "icon.png"

st.set_page_config(page_title="宜州区稳岗就业台账", page_icon=str(ICON), layout="wide")
prepare()  # first start on the embedded default: the sample ledger, with its progress shown
account = current_account()
sync_cookie()
if account is None:
    pages = [st.Page(login_page, title="登录", icon=":material/login:", url_path="login", default=True)]
elif account.must_change:
    # Its own page (not "password"): once the new password is set, the run after it no
    # longer finds this page and opens the role's first page instead of 修改密码 again.
    pages = [st.Page(password_page, title="修改密码", icon=":material/password:", url_path="first-password", default=True)]
else:
    # A page the role may not use is not listed; opened by its URL, it refuses (ui.data.ledger).
    pages = [st.Page(p.path, title=p.title, icon=p.icon, default=p.key == account.role.landing) for p in pages_of(account)]
    pages += [st.Page(p.path, title=p.title, icon=p.icon, visibility="hidden") for p in hidden_of(account)]
    pages.append(st.Page(password_page, title="修改密码", icon=":material/password:", url_path="password"))
    account_box(account)
# expanded: every page of the role listed, none folded under "View more".
st.navigation(pages, expanded=True).run()
