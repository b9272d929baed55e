"""The intake, history, quality and reporting pages on a copy of the sample store
(these pages write: freezing, restoring)."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ledger import quality, reports, store
from ledger.config import make_engine
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


def _page(path: str) -> AppTest:
    """The page script on its own: AppTest drops button clicks after switch_page."""
    app = AppTest.from_file(str(ROOT / path), default_timeout=60)
    app.run()
    assert not app.exception
    return app


def test_quality_page_counts_match_the_checks(own_store):
    app = _page("pages/quality.py")
    summary = quality.summary(own_store)
    district = summary[summary["乡镇"] == "全区"]
    shown = app.dataframe[0].value
    assert list(shown["问题数"]) == list(district["问题数"])
    if district["问题数"].sum():
        assert len(app.dataframe[-1].value) > 0


def test_freezing_a_month_records_it_and_shows_no_changes(own_store):
    app = _page("pages/reported.py")
    app.text_input(key="reported_user").input("张三").run()
    app.button(key="reported_freeze").click().run()
    assert not app.exception
    got = reports.freezes(own_store)
    assert len(got) == 1 and got.iloc[0]["报送人"] == "张三" and got.iloc[0]["月份"] == "2020-09"
    assert any("没有变化" in s.value for s in app.success)


def test_restore_from_the_history_page_is_recorded(own_store):
    app = _page("pages/history.py")
    assert len(app.dataframe[0].value) == len(store.history(own_store))
    app.radio(key="history_when").set_value("该记录之前的状态").run()
    app.text_input(key="history_user").input("李四").run()
    app.button(key="history_restore").click().run()
    assert not app.exception
    rows = store.history(own_store)
    assert rows[0]["kind"] == "restore" and rows[0]["created_by"] == "李四"


def test_intake_page_waits_for_a_file(own_store):
    app = _page("pages/intake.py")
    assert app.title[0].value == "数据导入"
    assert not app.button  # nothing to confirm before a file is chosen
