"""The intake, history, quality and reporting pages on a copy of the sample store
(these pages write: freezing, restoring)."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ledger.access import audit
from ledger.query import quality
from ledger.query.reported import freeze
from ledger.store.config import make_engine
from ledger.store.freezes import freezes, reported
from ledger.store.history import history
from ledger.store.imports import read_and_import
from tests.conftest import ROOT


@pytest.fixture
def own_store(sample_db, tmp_path, monkeypatch):
    shutil.copy(sample_db.url.database, tmp_path / "copy.db")
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    monkeypatch.setenv("LEDGER_DB_URL", url)
    st.cache_data.clear()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _page(path: str, engine=None, role: str = "admin") -> AppTest:
    """The page script on its own (AppTest drops button clicks after switch_page), signed
    in as the test account of ``role`` on ``engine`` (the store the page reads)."""
    from tests.signing import sign_in

    app = AppTest.from_file(str(ROOT / path), default_timeout=60)
    if engine is not None:
        sign_in(app, engine, role)
    app.run()
    assert not app.exception
    return app


def test_quality_page_counts_match_the_checks(own_store):
    app = _page("pages/quality.py", own_store)
    summary = quality.summary(own_store)
    district = summary[summary["乡镇"] == "全区"]
    shown = app.dataframe[0].value
    assert list(shown["问题数"]) == list(district["问题数"])
    if district["问题数"].sum():
        assert len(app.dataframe[-1].value) > 0


def test_freezing_a_month_records_it_and_shows_no_changes(own_store):
    """A 数据管理员 freezes in their own name (no name to type), and the log says so."""
    app = _page("pages/reported.py", own_store)
    assert not [t for t in app.text_input if t.key == "reported_user"]
    app.button(key="reported_freeze").click().run()
    assert not app.exception
    got = freezes(own_store)
    assert len(got) == 1 and got.iloc[0]["报送人"] == "测试数据管理员（t-admin-all）" and got.iloc[0]["月份"] == "2020-09"
    assert any("没有变化" in s.value for s in app.success)
    logged = audit.entries(own_store, actions=["freeze"])
    assert len(logged) == 1 and (logged.iloc[0]["账号"], logged.iloc[0]["对象"]) == ("t-admin-all", "2020-09")


@pytest.mark.parametrize("role", ["leader", "township", "writer"])
def test_only_a_manager_may_freeze(own_store, role):
    app = _page("pages/reported.py", own_store, role)
    assert not [b for b in app.button if b.key == "reported_freeze"]
    assert any("数据管理员" in c.value for c in app.caption)


def test_restore_from_the_history_page_names_its_reason_and_is_recorded(own_store):
    """The 操作人 is the signed-in 数据管理员; without a reason nothing is restored; the
    reason goes into the history entry and the audit log."""
    app = _page("pages/history.py", own_store)
    before = history(own_store)
    assert len(app.dataframe[0].value) == len(before)
    assert not [t for t in app.text_input if t.key == "history_user"]
    app.radio(key="history_when").set_value("该记录之前的状态").run()
    app.button(key="history_restore").click().run()
    assert not app.exception
    assert any("请填写恢复原因" in e.value for e in app.error)
    assert len(history(own_store)) == len(before)

    app.text_input(key="history_reason").input("示例数据导错，退回导入前").run()
    app.button(key="history_restore").click().run()
    assert not app.exception
    rows = history(own_store)
    assert rows[0]["kind"] == "restore" and rows[0]["created_by"] == "测试数据管理员（t-admin-all）"
    assert rows[0]["note"].endswith("之前的状态；原因：示例数据导错，退回导入前")
    logged = audit.entries(own_store, actions=["restore"])
    assert (logged.iloc[0]["账号"], logged.iloc[0]["对象"], logged.iloc[0]["说明"]) == (
        "t-admin-all", f"#{before[0]['id']}", "示例数据导错，退回导入前")


def test_intake_page_waits_for_a_file(own_store):
    app = _page("pages/intake.py", own_store)
    assert app.title[0].value == "数据导入"
    assert not app.button  # nothing to confirm before a file is chosen


def test_a_frozen_month_can_be_shown_as_reported_or_current(own_store, tmp_path):
    """Freeze September, then a correction replaces the month: the overview shows today's
    figures by default and, on 已报送数据, exactly the figures that were reported."""
    from ledger.present.format import show
    from ledger.query.definitions import figure
    from tests.fixtures_ledger import LABOR_HEADER, ids, labor_row, write_workbook

    freeze(own_store, "2020-09", user="张三")
    reported_total = reported(own_store, "2020-09")["labor.total"]
    people = ids(3)
    book = write_workbook(
        tmp_path / "更正.xlsx",
        {"劳动力就业台账": [LABOR_HEADER] + [labor_row("2020-09", "庆远镇", "城东村", f"更正{i}", n) for i, n in enumerate(people)]},
    )
    assert read_and_import(own_store, book, user="李四").log_id is not None
    st.cache_data.clear()

    label = figure("labor.total").label
    app = _page("pages/overview.py", own_store)
    assert app.radio(key="overview_basis").value == "当前数据"
    assert {m.label: m.value for m in app.metric}[label] == show(figure("labor.total"), 3)
    assert not app.warning

    app.radio(key="overview_basis").set_value("已报送数据").run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}[label] == show(figure("labor.total"), reported_total)
    assert any("已报送数据" in w.value for w in app.warning)
    assert "已报送数据" in app.caption[0].value
    assert app.query_params.get("basis") in ("reported", ["reported"])

    # 月度报送 lists the figure with the reported and the current value side by side, and why.
    shown = _page("pages/reported.py", own_store).dataframe[0].value.set_index(["乡镇", "指标"])
    fig = figure("labor.total")
    row = shown.loc[("全区", label)]
    assert (row["报送值"], row["当前值"], row["变化"]) == (show(fig, reported_total), show(fig, 3), show(fig, 3 - reported_total))
    assert "更正.xlsx" in shown.loc[("全区", label), "原因"]


def test_months_never_frozen_have_no_basis_choice(own_store):
    app = _page("pages/overview.py", own_store)
    assert not [r for r in app.radio if r.key == "overview_basis"]
