"""A fresh clone with nothing configured: the first page view builds the SQLite store
from the sample ledger, with progress shown, and later views reuse it."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from ledger import query
from ledger.access import accounts
from ledger.present.format import show
from ledger.store import config
from ledger.store.figures import figure
from tests.conftest import ROOT
from tests.signing import sign_in
from ui import first_start as bootstrap


def test_load_sample_reports_progress_and_runs_once(sample_import, sample_db, sample_workbook):
    # The session's sample store is this call's work: tests/sample_build.py runs
    # bootstrap.load_sample on an empty SQLite file and records what it reported
    # (one import of the 20 MB sample fewer than calling it again here).
    steps = [f for f, _ in sample_import["steps"]]
    assert sample_import["ok"] and sample_import["log_id"] == 1
    assert steps and steps[-1] == 1.0 and steps == sorted(steps)
    assert all(isinstance(m, str) and m for _, m in sample_import["steps"])
    assert bootstrap.load_sample(sample_db, workbook=sample_workbook) is None


def test_first_start_on_the_default_database(tmp_path, sample_workbook, monkeypatch, seed_figures):
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    monkeypatch.setattr(config, "DEFAULT_DB", tmp_path / "data" / "ledger.db")
    monkeypatch.setattr(config, "SECRETS", tmp_path / "no-secrets.toml")
    monkeypatch.setattr(bootstrap, "SAMPLE", sample_workbook)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    assert (tmp_path / "data" / "ledger.db").exists()
    engine = config.make_engine()
    assert engine.url.database == str(tmp_path / "data" / "ledger.db")
    assert query.figures(engine, keys=["demand.postings"]).values["demand.postings"] == seed_figures["demand.postings"]

    # Signed out: the login page, which names the demo accounts the sample came with.
    assert at.title[0].value.endswith("登录") and not at.metric
    demo = next(i.value for i in at.info if "示例账号" in i.value)
    assert all(login in demo for login, *_ in accounts.DEMO_ACCOUNTS) and accounts.DEMO_PASSWORD in demo
    # A demo account signs in with the first password and must choose a new one first.
    at.text_input(key="login_name").input("lingdao")
    at.text_input(key="login_password").input(accounts.DEMO_PASSWORD)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.exception and not at.error
    assert at.title[0].value == "修改密码" and not at.metric

    sign_in(at, engine, "leader")  # an account with its own password: the figures
    at.run()  # still at 修改密码, which every account has
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    total = query.figures(engine, keys=["labor.total"]).values["labor.total"]
    assert {m.label: m.value for m in at.metric}[figure("labor.total").label] == show(figure("labor.total"), total)
    st.cache_resource.clear()
