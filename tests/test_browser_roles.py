"""Each demo role in a real browser (Debian's Chromium through Playwright) against a real
``streamlit run`` on a private copy of the sample store:

1. each demo account signs in through the login form with the initial password, is
   held on the forced 修改密码 page, sets a new one and lands on its role's first page;
   the navigation lists exactly the role's pages; 总览 shows its headline figure for the
   account's scope; a village's people list is masked for the 区领导, absent for the
   材料员, as written for a 乡镇负责人 and the 数据管理员; a page the role may not use,
   opened by its URL, shows the refusal (and the audit log notes it); screenshots of the
   first page at 1280 px and 390 px: /tmp/roles_<account>_<width>.png;
2. a 乡镇负责人 of 庆远镇 never sees 北山镇 through a crafted ``?township=北山镇``;
3. five wrong passwords lock the name, in the browser too (slowed down as they go);
4. after 退出登录, the old session cookie signs nobody in.

Nothing may be fetched from outside 127.0.0.1. Without /usr/bin/chromium the module
skips (under CI=true it fails). Never ``playwright install``.
"""

from __future__ import annotations

import re
import sqlite3
import time

import pytest

from ledger.access import accounts, audit
from ledger.access.roles import role as role_of
from ledger.present.format import show
from ledger.query import statements
from ledger.store.figures import figure
from tests.browser_helpers import (
    COOKIE,
    LOGIN_TITLE,
    MASKED_ID,
    PHONE,
    alert_texts,
    change_password,
    current_nav_title,
    grid_column,
    guarded_page,
    headings,
    horizontal_overflow,
    launch_chromium,
    log_in,
    main_title,
    metric_value,
    nav_titles,
    query,
    session_cookie,
    sign_in,
    start_streamlit,
    stop,
    url_path,
    wait_ready,
)
from tests.conftest import ROOT
from ui.pages import PAGES, pages_of

WIDE = {"width": 1280, "height": 1000}
SHOTS = "/tmp/roles_{}_{}.png"
NEW_PASSWORDS = {login: f"Neues-Passwort-{i}-2021" for i, (login, *_) in enumerate(accounts.DEMO_ACCOUNTS)}
TOTAL = figure("labor.total")
FULL_ID = re.compile(r"^\d{17}[\dX]$")
MAIN = '[data-testid="stMain"]'
# A page each role may not use, opened by its URL (the 数据管理员 may use every page).
REFUSED = {"lingdao": "accounts", "qingyuan": "intake", "beishan": "screen", "cailiao": "intake"}
TITLE = {p.key: p.title for p in PAGES}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser():
    yield from launch_chromium()


@pytest.fixture(scope="module")
def store(sample_db, tmp_path_factory):
    """A private copy of the sample store (its demo accounts are signed in, locked and
    changed here), with every demo account at its initial password, to be changed."""
    target = tmp_path_factory.mktemp("roles_store") / "ledger.db"
    src, dst = sqlite3.connect(sample_db.url.database), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    from ledger.store.config import make_engine

    engine = make_engine(f"sqlite:///{target}")
    for login, *_ in accounts.DEMO_ACCOUNTS:
        found = accounts.get(engine, login)
        assert found is not None and found.demo, f"the sample's first start made no demo account {login}"
        accounts.reset_password(engine, login, by="测试", password=accounts.DEMO_PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    srv = start_streamlit(ROOT, store.url.render_as_string(hide_password=False),
                          tmp_path_factory.mktemp("roles_server") / "server.log")
    yield srv
    stop(srv)


def _village(engine, town: str) -> str:
    """The village of ``town`` with the most labourers."""
    rows = statements.breakdown(engine, ["labor.total"], by="village", township=town)
    rows = rows[rows["village"] != statements.NO_VILLAGE]
    return rows.sort_values("labor.total", ascending=False)["village"].iloc[0]


def _entries(engine, login: str, action: str) -> list:
    return audit.entries(engine, login=login, actions=[action])["对象"].tolist()


# ---------------------------------------------------------------- 1. each demo role


@pytest.mark.parametrize("login", [a[0] for a in accounts.DEMO_ACCOUNTS])
def test_each_demo_role_signs_in_and_sees_its_own(browser, server, store, login):
    context, tab = guarded_page(browser, server, WIDE, role=None)
    page = tab.page
    try:
        # The login form; the demo accounts named while they keep their first password.
        page = tab.open("/")
        assert main_title(page) == LOGIN_TITLE, main_title(page)
        info = " ".join(alert_texts(page, "Info"))
        assert f"{login}（" in info and accounts.DEMO_PASSWORD in info, info
        assert not nav_titles(page), f"signed out, yet the navigation lists {nav_titles(page)}"

        log_in(page, login, accounts.DEMO_PASSWORD)
        tab.assert_clean()
        assert main_title(page) == "修改密码", f"{login}: {main_title(page)} {alert_texts(page, 'Error')}"
        assert any("首次登录" in t for t in alert_texts(page, "Warning"))
        assert set(nav_titles(page)) <= {"修改密码"}, nav_titles(page)
        page.goto(server.base + "/overview")
        wait_ready(page)
        assert main_title(page) == "修改密码", "a page opened before the forced password change"
        page.goto(server.base + "/")  # (Streamlit's "Page not found" dialog for /overview goes with it)
        wait_ready(page)

        change_password(page, accounts.DEMO_PASSWORD, NEW_PASSWORDS[login])
        tab.assert_clean()
        assert not alert_texts(page, "Error"), alert_texts(page, "Error")
        account = accounts.get(store, login)
        assert not account.must_change
        landing = TITLE[account.role.landing]
        assert current_nav_title(page) == landing and url_path(page) == "/", (login, page.url, current_nav_title(page))
        assert nav_titles(page) == [p.title for p in pages_of(account)] + ["修改密码"], nav_titles(page)
        assert session_cookie(context), "no session cookie after signing in"

        # The first page, wide and on a phone (a reload keeps the session).
        page.screenshot(path=SHOTS.format(login, WIDE["width"]))
        page.set_viewport_size(PHONE)
        page.reload()
        tab.ready()
        assert main_title(page) != LOGIN_TITLE, "a reload signed the browser out"
        page.screenshot(path=SHOTS.format(login, PHONE["width"]))
        widths = horizontal_overflow(page)
        assert widths["document"][0] <= PHONE["width"] + 4, f"{login}: the first page is wider than a phone: {widths}"
        page.set_viewport_size(WIDE)

        # 总览's headline figure, for the account's scope.
        page = tab.open("/overview")
        expected = statements.figures(store, scope=account.scope, keys=[TOTAL.key]).values[TOTAL.key]
        assert metric_value(page, TOTAL.label) == show(TOTAL, expected), (login, account.scope)

        # A village's people list.
        town = account.townships[0] if account.townships else "庆远镇"
        village = _village(store, town)
        page = tab.open(f"/overview?township={town}&village={village}")
        listed = [h for h in headings(page) if "名单（" in h]
        if not account.role.people_lists:
            assert not listed, f"{login} sees a people list: {listed}"
            grids = page.locator(f'{MAIN} [data-testid="stDataFrame"] thead th').all_inner_texts()
            assert "证件号码" not in [g.strip() for g in grids], f"{login} sees a column 证件号码"
        else:
            assert listed, f"{login}: no people list for {town} {village}: {headings(page)}"
            grid = page.locator(f'{MAIN} [data-testid="stDataFrame"]').first
            ids = [x for x in grid_column(grid, "证件号码") if x]
            names = [x for x in grid_column(grid, "姓名") if x]
            assert ids and names
            if account.role.personal == "reveal":
                assert all(MASKED_ID.match(x) for x in ids), f"{login}: IDs not masked: {ids[:3]}"
                assert all(n.endswith("*") for n in names), f"{login}: names not masked: {names[:3]}"
            else:
                assert all(FULL_ID.match(x) for x in ids), f"{login}: IDs masked for full rights: {ids[:3]}"
                assert not any("*" in n for n in names), names[:3]

        # A page the role may not use, opened by its URL.
        refused = REFUSED.get(login)
        if refused:
            page = tab.open(f"/{refused}")
            errors = [e.splitlines()[-1] for e in alert_texts(page, "Error")]  # (the icon's name first)
            assert errors == [f"您的账号（{account.role.name}）无权使用此页面。"], f"{login} /{refused}: {errors}"
            assert not page.locator('[role="dialog"]').count(), "Streamlit's Page not found instead of the refusal"
            assert TITLE[refused] not in nav_titles(page)
            assert refused in _entries(store, login, "refused")
        else:
            page = tab.open("/accounts")
            assert main_title(page) == "账号管理" and not alert_texts(page, "Error")
        assert _entries(store, login, "password_changed") == [login]
        tab.assert_clean()
    finally:
        context.close()


# ---------------------------------------------------------------- 2. a township head and 北山镇


def _visible_text(page) -> str:
    """What the main area and the sidebar say (toasts, which echo the URL, aside)."""
    return "\n".join(page.locator(f'{MAIN}, [data-testid="stSidebar"]').all_inner_texts())


def test_a_township_head_never_sees_another_township(browser, server, store):
    context, tab = guarded_page(browser, server, WIDE, role="township", townships=["庆远镇"])
    other_villages = set(statements.breakdown(store, ["labor.total"], by="village", township="北山镇")["village"])
    own_villages = set(statements.breakdown(store, ["labor.total"], by="village", township="庆远镇")["village"])
    foreign = sorted(other_villages - own_villages - {statements.NO_VILLAGE})
    assert foreign
    own_total = show(TOTAL, statements.figures(store, township="庆远镇", keys=[TOTAL.key]).values[TOTAL.key])
    try:
        for path in ("/overview?township=北山镇", "/employment?township=北山镇", "/targets?township=北山镇",
                     f"/overview?township=北山镇&village={foreign[0]}", "/income?township=北山镇",
                     "/reports?township=北山镇", "/quality?township=北山镇"):
            page = tab.open(path)
            text = _visible_text(page)
            seen = [w for w in ["北山镇", *foreign] if w in text]
            assert not seen, f"{path}: the page shows {seen}"
            assert query(page).get("township") != "北山镇", page.url
            if path.startswith("/overview"):
                assert metric_value(page, TOTAL.label) == own_total
                # The sidebar's township choice offers no other township, even after the
                # crafted link (checked on the pages already open: no extra page load).
                box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="乡镇").first
                # With one own township the choice is shown fixed (disabled): it reads 庆远镇.
                shown = box.locator("input").first.input_value() if box.locator("input").count() else box.inner_text()
                assert shown == "庆远镇", (path, shown)
        tab.assert_clean()
    finally:
        context.close()


# ---------------------------------------------------------------- 3. lock-out


def test_five_wrong_passwords_lock_the_name(browser, server, store):
    password = "Lock-test-2020"
    if accounts.get(store, "t-lockout") is None:
        accounts.add(store, "t-lockout", "锁定测试", "writer", password=password, by="测试", must_change=False)
    context, tab = guarded_page(browser, server, WIDE, role=None)
    try:
        page = tab.open("/")
        start = time.monotonic()
        for n in range(1, accounts.LOCK_AFTER + 1):
            log_in(page, "t-lockout", f"wrong-{n}-pass")
            errors = alert_texts(page, "Error")
            want = "账号或密码不正确。" if n < accounts.LOCK_AFTER else "已锁定15分钟"
            assert errors and want in errors[0], f"attempt {n}: {errors}"
            assert main_title(page) == LOGIN_TITLE
        took = time.monotonic() - start
        owed = sum(accounts.delay_after(k) for k in range(accounts.LOCK_AFTER))
        assert took >= owed, f"{accounts.LOCK_AFTER} wrong passwords answered in {took:.1f} s (slow-down {owed} s)"
        # The right password now: still refused, the name is locked.
        log_in(page, "t-lockout", password)
        errors = alert_texts(page, "Error")
        assert errors and "已锁定至" in errors[0], errors
        assert main_title(page) == LOGIN_TITLE and session_cookie(context) is None
        assert audit.entries(store, login="t-lockout", actions=["locked"]).shape[0] == 1
        tab.assert_clean()
    finally:
        context.close()


# ---------------------------------------------------------------- 4. logout and the old cookie


def test_after_logout_the_old_cookie_signs_nobody_in(browser, server, store):
    # Signed in by cookie (the session a login opens; the form itself is tested above).
    context, tab = guarded_page(browser, server, WIDE, role=None)
    who, _ = sign_in(context, server, "leader")
    try:
        page = tab.open("/")
        assert current_nav_title(page) == TITLE[role_of("leader").landing]
        token = session_cookie(context)
        assert token and accounts.session_account(store, token).login == who.login
        page.reload()
        tab.ready()
        assert current_nav_title(page) == TITLE["overview"], "a reload lost the session"

        page.locator('[data-testid="stSidebar"] button', has_text="退出登录").click()
        page.wait_for_function("t => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === t",
                               arg=LOGIN_TITLE, timeout=60_000)
        tab.ready()
        assert accounts.session_account(store, token) is None
        page.wait_for_function(f"() => !document.cookie.includes('{COOKIE}=')", timeout=10_000)
        assert session_cookie(context) is None
        assert "logout" in audit.entries(store, login=who.login)["操作"].map(
            {v: k for k, v in audit.ACTIONS.items()}).tolist()
    finally:
        context.close()

    # Another browser given the old cookie value: the login page, on every path.
    context, tab = guarded_page(browser, server, WIDE, role=None)
    try:
        context.add_cookies([{"name": COOKIE, "value": token, "url": server.base}])
        for path in ("/", "/overview", "/employment?township=庆远镇"):
            page = tab.open(path)
            assert main_title(page) == LOGIN_TITLE, f"{path} with a logged-out cookie: {main_title(page)}"
            assert not nav_titles(page)
        tab.assert_clean()
    finally:
        context.close()
