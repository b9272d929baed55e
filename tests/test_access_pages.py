"""Each role on the pages of the sample ledger (AppTest): what its navigation lists, that
the other pages refuse when opened by their path (and the refusal is logged), that a
乡镇负责人 of 庆远镇 is never shown another township (crafted URL, edited session,
injected drill-down, village level), that a 区领导's lists are masked until a reason is
given, that a 材料员 sees no people at all, that nobody signed out sees a figure, and
that a session ends for good at logout.

Every element of a run is read as text by ``shown_text``: the values of tables, metrics,
Markdown, captions, the options of select boxes, and the JSON of plotly and ECharts
figures. An AppTest run of a page costs about a second on the sample: the expensive
walks (every page of a role) are one per role, the rest look at one page."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import streamlit as st
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from ledger import query
from ledger.access import accounts, audit
from ledger.access.masking import FEW
from ledger.access.roles import ROLES
from ledger.store.townships import township_names
from tests.conftest import ROOT
from tests.signing import account, sign_in
from ui.auth import TOKEN
from ui.pages import PAGES, hidden_of, pages_of
from ui.sidebar import pick_key

APP = str(ROOT / "dashboard.py")
HOME = "庆远镇"
OTHER = "北山镇"
# An 18-digit ID or an 11-digit mobile standing alone (not inside an element's hex id).
ID_OR_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:[1-9][0-9]{16}[0-9Xx]|1[3-9][0-9]{9})(?![0-9A-Za-z])")
ROLE_CASES = [("leader", None), ("township", [HOME]), ("writer", None), ("admin", None)]
PEOPLE_COLUMNS = {"姓名", "证件号码", "联系电话", "领取人", "补贴对象"}


@pytest.fixture(scope="module")
def _fresh_cache():
    """The pages' query cache emptied once for the module (the store is only read here,
    and the cache is keyed by its URL, its data version and the bound request)."""
    st.cache_data.clear()


@pytest.fixture
def store(sample_db, monkeypatch, _fresh_cache):
    monkeypatch.setenv("LEDGER_DB_URL", sample_db.url.render_as_string(hide_password=False))
    return sample_db


def _app(engine, role: str | None = None, townships=None, path: str = APP) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    if role is not None:
        sign_in(at, engine, role, townships)
    return at


def _strings(msg: Message, out: list[str]) -> None:
    for field, value in msg.ListFields():
        for v in (value if field.is_repeated else [value]):
            if isinstance(v, Message):
                _strings(v, out)
            elif isinstance(v, str):
                text = v.strip()
                if text[:1] in "{[":  # a chart's spec: decoded, so \\u escapes are read as the names
                    try:
                        text = json.dumps(json.loads(text), ensure_ascii=False)
                    except ValueError:
                        pass
                out.append(text)


def shown_text(at: AppTest) -> list[str]:
    """Every string of every element of the last run (main area and sidebar): table
    cells and headers (the Arrow bytes decoded), labels, values, options, help, and
    chart specs."""
    out: list[str] = []

    def visit(node) -> None:
        if getattr(node, "type", None) == "arrow_data_frame":
            frame = node.value
            out.append(frame.to_csv(index=False))
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            _strings(proto, out)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return out


def _mentions(at: AppTest, names) -> list[tuple[str, str]]:
    return [(n, s[:120]) for s in shown_text(at) for n in names if n in s]


def _others(engine) -> list[str]:
    return [t for t in township_names(engine) if t != HOME]


def _entries(engine, who, action: str) -> pd.DataFrame:
    return audit.entries(engine, login=who.login, actions=[action])


def _ok(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])


# ---------------------------------------------------------------- navigation and refusal


@pytest.mark.parametrize("role,townships", ROLE_CASES, ids=[r for r, _ in ROLE_CASES])
def test_navigation_lists_the_roles_pages_and_the_others_refuse_by_path(store, monkeypatch, role, townships):
    registered: list[tuple[str, str, bool]] = []
    real = st.navigation

    def recording(pages, **kwargs):
        registered[:] = [(p.title, p.visibility, p._default) for p in pages]
        return real(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    at = _app(store, role, townships)
    who = account(store, role, townships)
    at.run()
    _ok(at, "landing")

    allowed = ROLES[role].pages
    assert {p.key for p in pages_of(who)} == allowed
    assert {p.key for p in hidden_of(who)} == {p.key for p in PAGES} - allowed
    listed = [title for title, visibility, _ in registered if visibility == "visible"]
    assert listed == [p.title for p in pages_of(who)] + ["修改密码"]
    default = [title for title, _, is_default in registered if is_default]
    assert default == [next(p.title for p in PAGES if p.key == ROLES[role].landing)]
    assert not at.error, "the landing page is the role's own"

    refused_before = len(_entries(store, who, "refused"))
    for page in hidden_of(who):
        at.switch_page(page.path).run()
        _ok(at, page.path)
        assert [e.value for e in at.error] == [f"您的账号（{ROLES[role].name}）无权使用此页面。"], page.path
        assert not at.metric and not at.dataframe and not at.get("plotly_chart"), page.path
    refused = _entries(store, who, "refused")
    assert len(refused) - refused_before == len(hidden_of(who))
    assert set(refused["对象"].head(len(hidden_of(who)))) == {p.key for p in hidden_of(who)}


def test_nobody_signed_in_is_refused_every_page_and_shown_no_figure(store):
    for page in PAGES:
        at = _app(store, path=str(ROOT / page.path))
        at.run()
        _ok(at, page.path)
        assert [e.value for e in at.error] == ["请先登录。"], page.path
        assert not at.metric and not at.dataframe and not at.get("plotly_chart"), page.path
        assert not [s for s in shown_text(at) if HOME in s], page.path

    at = _app(store)
    at.query_params["township"] = OTHER
    at.run()
    _ok(at, "login")
    assert at.title[0].value.endswith("登录")
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    with pytest.raises(ValueError):  # signed out, no ledger page is registered at all
        at.switch_page("pages/overview.py")


def test_logout_ends_the_session_for_good(store):
    at = _app(store, "leader")
    who = account(store, "leader")
    at.run()
    token = at.session_state[TOKEN]
    assert at.metric
    at.button(key="auth_sign_out").click().run()
    _ok(at, "logout")
    assert at.title[0].value.endswith("登录") and not at.metric
    assert accounts.session_account(store, token) is None
    assert len(_entries(store, who, "logout"))

    at.session_state[TOKEN] = token  # a copied token (or the cookie) put back
    at.run()
    assert at.title[0].value.endswith("登录") and not at.metric
    assert TOKEN not in at.session_state


# ---------------------------------------------------------------- a township head's view


def test_a_township_head_sees_only_their_township_on_every_page(store):
    """Opened through a link that names another township: a notice, their own township,
    and on no page a name of another township (the walker does find them for an admin)."""
    admin = _app(store, "admin")
    admin.run()
    admin.switch_page("pages/overview.py").run()  # an admin lands on 数据导入
    assert _mentions(admin, [OTHER]), "the walker reads the figures and charts"

    at = _app(store, "township", [HOME])
    who = account(store, "township", [HOME])
    at.query_params["township"] = OTHER
    at.run()
    _ok(at, "landing")
    assert [t.value for t in at.toast] == ["链接中的乡镇不存在或不在您的查看范围内，已改为默认值"]
    others = _others(store)
    for page in pages_of(who):
        at.switch_page(page.path).run()
        _ok(at, page.path)
        assert not at.error, page.path
        assert not _mentions(at, others), (page.path, _mentions(at, others)[:3])
        assert any(HOME in s for s in shown_text(at)), page.path
        town = at.selectbox(key=f"{page.key}_township")
        assert town.options == [HOME] and town.value == HOME and town.disabled, page.path
        assert not [b for b in at.button if b.key == f"{page.key}_crumb_district"], "no 全区 to go up to"


def test_a_township_head_cannot_widen_the_view_by_session_state_or_a_drill_down_pick(store):
    at = _app(store, "township", [HOME])
    at.run()
    at.switch_page("pages/overview.py").run()
    _ok(at, "overview")
    others = _others(store)

    # An edited session: the view carried across pages names another township, and the
    # next page (whose own key is not set yet) starts from it. (AppTest itself refuses to
    # set a select box to a value outside its options; the sidebar checks that case too.)
    at.session_state["view_township"] = OTHER
    at.switch_page("pages/employment.py").run()
    _ok(at, "session edit")
    assert at.selectbox(key="employment_township").value == HOME
    assert not _mentions(at, others)
    at.switch_page("pages/overview.py").run()

    # A village of another township from the URL: back to the township, nothing of it shown.
    theirs = set(query.breakdown(store, ["labor.total"], by="village", township=OTHER)["village"])
    ours = set(query.breakdown(store, ["labor.total"], by="village", township=HOME)["village"])
    foreign = sorted(theirs - ours)[0]
    at.query_params["village"] = foreign
    at.session_state["view_village"] = foreign
    at.run()
    _ok(at, "foreign village")
    assert "village" not in at.query_params
    assert not _mentions(at, others + [foreign])

    # Down to one of their villages: the people are theirs, in full.
    at.session_state[pick_key("overview", "village", "table")] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    _ok(at, "village")
    village = at.query_params["village"]
    assert village in ours
    people = at.dataframe[-1].value
    expected = query.breakdown(store, ["labor.total"], by="village", township=HOME).set_index("village")
    assert len(people) == int(expected.loc[village, "labor.total"])
    assert set(people["乡镇"]) == {HOME} and set(people["村"]) == {village}
    assert people["证件号码"].str.fullmatch(r"\d{17}[\dX]").all(), "a township head sees their people in full"
    assert not _mentions(at, others)

    # A bar "clicked" on another township (a crafted selection): ignored, the view stays
    # at their village (a pick that was taken would have gone up to a township).
    key = pick_key("overview", "township", "labor.employment_rate")
    at.session_state[key] = {"selection": {"points": [{"x": OTHER, "customdata": [OTHER]}], "point_indices": [0],
                                           "box": [], "lasso": []}}
    at.run()
    _ok(at, "pick")
    assert at.selectbox(key="overview_township").value == HOME
    assert (at.query_params.get("township"), at.query_params.get("village")) == (HOME, village)
    assert len(at.dataframe[-1].value) == len(people)
    assert not _mentions(at, others)


# ---------------------------------------------------------------- 区领导: masked lists, <5


def test_a_leaders_lists_are_masked_until_a_reason_is_given(store):
    at = _app(store, "leader")
    who = account(store, "leader")
    at.query_params["township"] = HOME
    at.run()
    at.session_state[pick_key("overview", "village", "table")] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    _ok(at, "village")
    village = at.query_params["village"]
    people = at.dataframe[-1].value
    assert len(people) and people["证件号码"].str.fullmatch(r"\d{6}\*{8}\d{3}[\dX]").all()
    assert people["姓名"].map(lambda n: set(n[1:]) <= {"*"}).all()
    assert not [s for s in shown_text(at) if ID_OR_PHONE.search(s)], "no full ID or phone anywhere on the page"
    assert any(c.value.startswith("已脱敏：") for c in at.caption)
    list_id = f"labor.total 宜州区 {HOME} {village}"
    assert list_id in set(_entries(store, who, "people_list")["对象"])

    reveals = len(_entries(store, who, "reveal"))
    reveal = "overview_people_labor.total_reveal"
    at.button(key=reveal).click().run()  # no reason
    _ok(at, "no reason")
    assert any("请填写查看理由" in e.value for e in at.error)
    assert len(_entries(store, who, "reveal")) == reveals
    assert not [s for s in shown_text(at) if ID_OR_PHONE.search(s)]

    at.text_input(key="overview_people_labor.total_reason").input("核实就业帮扶对象").run()
    at.button(key=reveal).click().run()
    _ok(at, "revealed")
    shown = at.dataframe[-1].value
    assert shown["证件号码"].str.fullmatch(r"\d{17}[\dX]").all(), "the list in full after the reason"
    assert not [b for b in at.button if b.key == reveal]
    logged = _entries(store, who, "reveal")
    assert len(logged) == reveals + 1
    assert (logged.iloc[0]["对象"], logged.iloc[0]["说明"], logged.iloc[0]["角色"]) == (list_id, "核实就业帮扶对象", "leader")

    # Only that list: the work list of the township is still masked.
    at.button(key="overview_crumb_township").click().run()
    at.switch_page("pages/employment.py").run()
    _ok(at, "employment")
    work = [t.value for t in at.dataframe if "证件号码" in t.value.columns]
    assert len(work) == 1 and len(work[0]) and work[0]["证件号码"].str.contains(r"\*{8}").all()
    assert not [s for s in shown_text(at) if ID_OR_PHONE.search(s)]


@pytest.mark.parametrize("role,suppressed", [("leader", True), ("township", False)])
def test_village_counts_below_five_read_less_than_five_for_a_leader(store, role, suppressed):
    """The posts page's villages of 庆远镇: counts of 1–4 read <5 for a 区领导 (none of
    them is the figure of a household to find), the 合计 row keeps the true total; a
    township head sees the numbers."""
    at = _app(store, role, [HOME] if role == "township" else None)
    at.query_params["township"] = HOME
    at.run()
    at.switch_page("pages/posts.py").run()
    _ok(at, "posts")
    table = at.dataframe[-1].value.set_index("村")
    column = "扶贫公益性岗位（个）"
    truth = query.breakdown(store, ["posts.poverty.count"], by="village", township=HOME).set_index("village")["posts.poverty.count"]
    small = [v for v, n in truth.items() if 0 < n < 5]
    assert small, "the sample has villages with 1–4 posts"
    for village, n in truth.items():
        expected = FEW if suppressed and 0 < n < 5 else str(int(n))
        assert str(table.loc[village, column]) == expected, village
    total = query.figures(store, township=HOME, keys=["posts.poverty.count"]).values["posts.poverty.count"]
    assert str(table.loc[table.index[-1], column]) == str(total) and table.index[-1] == ""


# ---------------------------------------------------------------- walks of a leader and a writer


@pytest.mark.parametrize("role", ["leader", "writer"])
def test_every_page_of_a_district_role_runs_without_full_personal_data(store, role):
    """Each page a 区领导 or a 材料员 may use, at 庆远镇's level (where people lists are):
    no full ID or phone number anywhere; a 材料员 gets no people-level table at all."""
    at = _app(store, role)
    who = account(store, role)
    at.query_params["township"] = HOME
    at.run()
    for page in pages_of(who):
        at.switch_page(page.path).run()
        _ok(at, page.path)
        assert at.title, page.path
        assert not at.error, page.path
        assert not [s[:80] for s in shown_text(at) if ID_OR_PHONE.search(s)], page.path
        if role == "writer":
            for table in at.dataframe:
                assert not PEOPLE_COLUMNS & set(table.value.columns), page.path
        if page.key == "reported":  # the freezes are shown; freezing is a manager's
            assert at.dataframe and not [b for b in at.button if b.key == "reported_freeze"]
    if role == "writer":
        assert _entries(store, who, "people_list").empty


def test_a_writer_at_village_level_gets_figures_and_no_list(store):
    at = _app(store, "writer")
    at.query_params["township"] = HOME
    at.run()
    at.switch_page("pages/overview.py").run()  # a writer lands on 简报与导出
    at.session_state[pick_key("overview", "village", "table")] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    _ok(at, "village")
    assert at.query_params.get("village"), "the drill-down reached a village"
    assert at.metric, "the village's figures"
    assert any("无权查看人员信息" in i.value for i in at.info)
    assert not [t for t in at.dataframe if PEOPLE_COLUMNS & set(t.value.columns)]

    at.switch_page("pages/posts.py").run()  # ranked charts would list the people at village level
    _ok(at, "posts village")
    assert at.metric and any("无权查看人员信息" in i.value for i in at.info)
    assert not [t for t in at.dataframe if PEOPLE_COLUMNS & set(t.value.columns)]


# ---------------------------------------------------------------- 账号管理 and 审计日志


@pytest.fixture
def manager_page(sqlite_engine, monkeypatch):
    """A page script on its own (its buttons' clicks reach it) over an empty store,
    signed in as a 数据管理员."""
    monkeypatch.setenv("LEDGER_DB_URL", sqlite_engine.url.render_as_string(hide_password=False))

    def open_(path: str) -> AppTest:
        at = _app(sqlite_engine, "admin", path=str(ROOT / path))
        at.run()
        _ok(at, path)
        return at

    return open_


def test_a_manager_adds_and_disables_accounts_but_not_their_own(manager_page, sqlite_engine):
    at = manager_page("pages/accounts.py")
    me = account(sqlite_engine, "admin")
    assert at.selectbox(key="accounts_who").value == me.login
    assert at.button(key="accounts_disable").disabled and at.button(key="accounts_reset").disabled
    assert at.selectbox(key=f"accounts_grant_role_{me.login}").disabled
    assert next(b for b in at.button if b.label == "保存角色与乡镇").disabled

    at.text_input(key="accounts_new_login").input("zhangsan")
    at.text_input(key="accounts_new_name").input("张三")
    at.selectbox(key="accounts_new_role").set_value("writer")
    next(b for b in at.button if b.label == "新增").click().run()
    _ok(at, "add")
    assert any(s.value.startswith("已新增账号 zhangsan，初始密码：") for s in at.success)
    added = accounts.get(sqlite_engine, "zhangsan")
    assert added is not None and added.role.key == "writer" and added.must_change

    at.selectbox(key="accounts_who").set_value("zhangsan").run()
    assert not at.button(key="accounts_disable").disabled
    at.button(key="accounts_disable").click().run()
    _ok(at, "disable")
    assert accounts.get(sqlite_engine, "zhangsan").disabled
    assert not accounts.get(sqlite_engine, me.login).disabled
    log = audit.entries(sqlite_engine, login=me.login)
    assert {"account_added", "account_disabled"} <= {k for k, v in audit.ACTIONS.items() if v in set(log["操作"])}


def test_the_audit_log_is_filtered_shows_roles_in_chinese_and_exports(manager_page, sqlite_engine):
    leader = account(sqlite_engine, "leader")
    audit.record(sqlite_engine, "reveal", login=leader.login, role="leader", target="labor.total 宜州区 庆远镇",
                 detail="核实 身份证451203198503121234")
    at = manager_page("pages/audit.py")
    table = at.dataframe[0].value
    assert set(table["角色"]) <= {r.name for r in ROLES.values()} | {""}
    row = table[table["操作"] == "查看完整个人信息"].iloc[0]
    assert (row["账号"], row["角色"]) == (leader.login, "区领导")
    assert "451203198503121234" not in row["说明"], "the log itself is masked"
    assert {"audit_dl_xlsx", "audit_dl_csv"} <= {e.proto.id.rsplit("-", 1)[-1] for e in at.get("download_button")}

    at.text_input(key="audit_login").input(leader.login)
    at.multiselect(key="audit_actions").select("reveal").run()
    _ok(at, "filtered")
    shown = at.dataframe[0].value
    assert list(shown["账号"].unique()) == [leader.login] and list(shown["操作"].unique()) == ["查看完整个人信息"]


# ---------------------------------------------------------------- built charts


def test_built_charts_are_shared_only_within_one_scope_and_rights(store):
    """``Ledger.built`` keeps a chart per scope and rights (and data version): an admin's
    district chart is built once for every admin view, never served to a 区领导 (other
    rights) or to a township head (another scope), and a cleared query cache drops it."""
    from ledger.query.request import Request, breakdown
    from ui.data import Ledger, forget

    forget()
    calls = []

    def build(read, request, key):
        calls.append((request.scope, request.personal))
        return read(breakdown, request, (key,), "village" if request.township else "township")

    def built(role, townships=None, township=None):
        return Ledger(store, account(store, role, townships)).built(build, Request(None, township), "labor.total")

    first = built("admin")
    assert built("admin") is first and len(calls) == 1
    assert set(first["township"]) > {HOME, OTHER}
    assert built("leader") is not first and len(calls) == 2
    mine = built("township", [HOME], HOME)
    assert len(calls) == 3 and OTHER not in set(mine["village"]) and calls[-1][0].townships == frozenset({HOME})
    admin_home = built("admin", None, HOME)
    assert admin_home is not mine and len(calls) == 4
    st.cache_data.clear()  # as after a restore or a freeze
    assert built("admin") is not first and len(calls) == 5
