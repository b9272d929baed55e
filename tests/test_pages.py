"""Every registered page runs without an exception on the sample ledger, and the
sidebar's choices reach the URL and the figures."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ledger import queries
from ledger.figures import figure
from ledger.units import show
from ui.pages import PAGES
from tests.conftest import ROOT

APP = str(ROOT / "dashboard.py")


@pytest.fixture
def app(sample_db, monkeypatch):
    monkeypatch.setenv("LEDGER_DB_URL", sample_db.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=60)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_page_runs(app, page):
    app.run()
    app.switch_page(page.path).run()
    assert not app.exception
    assert app.title, "every page has a title"


def test_overview_shows_the_district_figures(app, sample_db):
    app.run()
    fs = queries.figures(sample_db)
    metrics = {m.label: m.value for m in app.metric}
    for key in ("labor.total", "labor.employed", "subsidy.total"):
        assert metrics[figure(key).label] == show(figure(key), fs.values[key])
    assert app.query_params["month"] == "2020-09"


def test_township_choice_goes_to_the_url_and_the_figures(app, sample_db):
    app.run()
    app.selectbox(key="overview_township").select("庆远镇").run()
    assert not app.exception
    assert app.query_params["township"] == "庆远镇"
    fs = queries.figures(sample_db, township="庆远镇", keys=["labor.total"])
    label = figure("labor.total").label
    assert {m.label: m.value for m in app.metric}[label] == show(figure("labor.total"), fs.values["labor.total"])


def test_unknown_township_in_the_url_falls_back(app):
    app.query_params["township"] = "不存在镇"
    app.run()
    assert not app.exception
    assert app.selectbox(key="overview_township").value == "全区"
