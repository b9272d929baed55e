"""Every registered page runs without an exception on the sample ledger, and the
sidebar's choices reach the URL and the figures."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ledger import query
from ledger.present.format import show
from ledger.store.figures import figure
from tests.conftest import ROOT
from tests.signing import sign_in
from ui.pages import PAGES

APP = str(ROOT / "dashboard.py")


@pytest.fixture(scope="module")
def _fresh_cache():
    """The pages' query cache emptied once for this module. Every test here reads the
    same store, never written, and the cache is keyed by its URL and data version: a
    figure computed by one test is the one the next would compute (each page's first
    test still runs it cold). Clearing it before each test cost ~1 s a test."""
    st.cache_data.clear()


@pytest.fixture
def app(sample_db, monkeypatch, _fresh_cache):
    """The dashboard signed in as a 数据管理员 (every page, every township, people as
    written), set to open 总览 on its next run: a manager lands on 数据导入, which has
    no figures. What each other role sees: tests/test_access_pages.py."""
    monkeypatch.setenv("LEDGER_DB_URL", sample_db.url.render_as_string(hide_password=False))
    at = AppTest.from_file(APP, default_timeout=60)
    sign_in(at, sample_db)
    at.run()
    assert not at.exception
    at.switch_page("pages/overview.py")
    return at


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_page_runs(app, page):
    app.run()
    app.switch_page(page.path).run()
    assert not app.exception
    assert app.title, "every page has a title"


def test_overview_shows_the_district_figures(app, sample_db):
    app.run()
    fs = query.figures(sample_db)
    metrics = {m.label: m.value for m in app.metric}
    for key in ("labor.total", "labor.employed", "subsidy.total"):
        assert metrics[figure(key).label] == show(figure(key), fs.values[key])
    assert app.query_params["month"] == "2020-09"


def test_township_choice_goes_to_the_url_and_the_figures(app, sample_db):
    app.run()
    app.selectbox(key="overview_township").select("庆远镇").run()
    assert not app.exception
    assert app.query_params["township"] == "庆远镇"
    fs = query.figures(sample_db, township="庆远镇", keys=["labor.total"])
    label = figure("labor.total").label
    assert {m.label: m.value for m in app.metric}[label] == show(figure("labor.total"), fs.values["labor.total"])


def test_a_people_list_beyond_the_cap_shows_its_first_rows_and_says_how_to_narrow_it(app, sample_db, monkeypatch):
    """A page never holds more than ``LIST_LIMIT`` people (at province scale a click on a
    category would fetch a million rows): the list says so and how to narrow it."""
    import ui.blocks
    from ui.sidebar import pick_key

    monkeypatch.setattr(ui.blocks, "LIST_LIMIT", 5)
    app.run()
    _pick_plotly(app, pick_key("overview", "township", "labor.employment_rate"), "庆远镇")
    app.run()
    village = query.breakdown(sample_db, ["labor.total"], by="village", township="庆远镇")["village"].iloc[0]
    app.session_state[pick_key("overview", "village", "table")] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    assert any(s.value == f"宜州区 庆远镇 {village} 劳动力名单（超过5人）" for s in app.subheader)
    assert len(app.dataframe[-1].value) == 5
    assert any("只显示和下载按乡镇、村排序的前5人" in w.value for w in app.warning)


def test_unknown_township_in_the_url_falls_back(app):
    app.query_params["township"] = "不存在镇"
    app.run()
    assert not app.exception
    assert app.selectbox(key="overview_township").value == "全区"


def _pick_plotly(app, key: str, value: str) -> None:
    app.session_state[key] = {"selection": {"points": [{"x": value, "customdata": [value]}], "point_indices": [0], "box": [], "lasso": []}}


def test_bar_click_drills_district_to_township_to_village_and_back(app, sample_db):
    from ui.sidebar import pick_key

    app.run()
    assert app.subheader[0].value == "分乡镇情况"
    _pick_plotly(app, pick_key("overview", "township", "labor.employment_rate"), "庆远镇")
    app.run()
    assert not app.exception
    assert app.query_params["township"] == "庆远镇"
    assert app.selectbox(key="overview_township").value == "庆远镇"
    assert any(s.value == "庆远镇各村情况" for s in app.subheader)
    assert app.button(key="overview_crumb_township").label.endswith("庆远镇")

    villages = query.breakdown(sample_db, ["labor.total"], by="village", township="庆远镇")
    village = villages["village"].iloc[0]
    app.session_state[pick_key("overview", "village", "table")] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    assert app.query_params["village"] == village
    count = int(villages["labor.total"].iloc[0])
    assert any(s.value == f"宜州区 庆远镇 {village} 劳动力名单（{count:,}人）" for s in app.subheader)
    people = app.dataframe[-1].value
    assert len(people) == count
    assert set(people["村"]) == {village}
    assert people["证件号码"].str.fullmatch(r"\d{17}[\dX]").all(), "a 数据管理员 sees the list as written"

    app.button(key="overview_crumb_district").click().run()
    assert not app.exception
    assert "township" not in app.query_params and "village" not in app.query_params
    assert app.subheader[0].value == "分乡镇情况"


def test_poor_only_toggle_changes_the_figures_and_the_url(app, sample_db):
    app.run()
    app.toggle(key="overview_poor").set_value(True).run()
    assert not app.exception
    assert app.query_params["poor"] == "1"
    poor = query.figures(sample_db, keys=["labor.total"], poor_only=True).values["labor.total"]
    assert {m.label: m.value for m in app.metric}[figure("labor.total").label] == show(figure("labor.total"), poor)


def test_month_choice_moves_every_figure(app, sample_db):
    import datetime as dt

    app.run()
    app.selectbox(key="overview_month").select("2020-02").run()
    assert app.query_params["month"] == "2020-02"
    feb = query.figures(sample_db, dt.date(2020, 2, 29), keys=["labor.employed"]).values["labor.employed"]
    assert {m.label: m.value for m in app.metric}[figure("labor.employed").label] == show(figure("labor.employed"), feb)


FIGURE_PAGES = ["overview", "employment", "income", "subsidies", "training", "workshops", "posts", "demand"]


@pytest.mark.parametrize("page", [p for p in PAGES if p.path[6:-3] in FIGURE_PAGES], ids=lambda p: p.path)
@pytest.mark.parametrize("township", [None, "福龙瑶族乡"])
def test_every_metric_equals_the_command_line_figures(app, sample_db, page, township):
    """Each headline figure a page shows is the query layer's (the CLI's) figure for
    the same month and township, formatted the district's way."""
    import re

    if township:
        app.query_params["township"] = township
    app.run()
    app.switch_page(page.path).run()
    assert not app.exception
    shown = {}
    for metric in app.metric:
        match = re.search(r"指标代码 (\S+?)(；|$)", metric.help or "")
        assert match, f"metric {metric.label} does not name its figure"
        shown[match.group(1)] = metric.value
    assert shown, "every page but the projector view shows headline figures"
    district_only = {k for k in shown if k.startswith("demand.")}
    local = query.figures(sample_db, township=township, keys=[k for k in shown if k not in district_only]).values
    local |= query.figures(sample_db, keys=list(district_only)).values if district_only else {}
    assert shown == {k: show(figure(k), local[k]) for k in shown}


def test_targets_page_lists_every_township_of_every_indicator(app, sample_db):
    from ledger.query.targets import progress

    app.run()
    app.switch_page("pages/targets.py").run()
    assert not app.exception
    expected = progress(sample_db, query.default_as_of(sample_db))
    tables = app.dataframe
    assert len(tables) == expected["indicator"].nunique()
    assert sum(len(t.value) for t in tables) == len(expected)
    first = tables[0].value
    assert list(first["排名"]) == list(range(1, len(first) + 1))
    assert set(first["状态"]) <= {"达到进度", "略低于进度", "明显落后"}


def test_unknown_village_in_the_url_falls_back_to_the_township(app):
    app.query_params["township"] = "庆远镇"
    app.query_params["village"] = "不存在村"
    app.run()
    assert not app.exception
    assert "village" not in app.query_params
    assert any(s.value == "庆远镇各村情况" for s in app.subheader)


def test_reports_page_previews_the_briefing_with_the_seed_figures(app, seed_figures):
    app.run()
    app.switch_page("pages/reports.py").run()
    assert not app.exception
    text = "".join(m.value for m in app.markdown)
    assert "41239条" in text and "2.89万元" in text and "366人" in text


@pytest.mark.parametrize("township", [None, "庆远镇"])
def test_no_table_shows_none(app, township):
    """A blank the clerk would read as the word None: every page's tables, district and township."""
    if township:
        app.query_params["township"] = township
    for page in PAGES:
        app.switch_page(page.path).run()
        assert not app.exception, page.path
        for table in app.dataframe:
            frame = table.value
            blanks = frame.isna() | frame.astype(str).isin(["None", "nan", "<NA>"])
            assert not blanks.any().any(), (page.path, list(frame.columns[blanks.any()]))


def test_workshop_chart_draws_the_largest_workshops_and_sums_the_rest(app, sample_db):
    """At district level the chart has at most WORKSHOP_LINES + 1 lines (the rest summed
    as one dashed line) whose months add up to every workshop's; the table below still
    lists every workshop resumed in the month."""
    import json
    from collections import Counter

    from ledger.query.statements import WORKSHOP_LINES, other_workshops, workshop_monthly

    every = workshop_monthly(sample_db, lines=None)
    workshops = every["name"].nunique()
    assert workshops > WORKSHOP_LINES + 1, "the sample has more workshops than the chart draws"
    app.run()
    app.switch_page("pages/workshops.py").run()
    assert not app.exception
    specs = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    lines = next(s for s in specs if "各扶贫车间在岗人数" in s["layout"]["title"]["text"])["data"]
    rest = workshops - WORKSHOP_LINES
    assert len(lines) == WORKSHOP_LINES + 1
    assert lines[-1]["name"] == other_workshops(rest) and lines[-1]["line"]["dash"] == "dash"
    assert not any("dash" in t["line"] for t in lines[:-1])
    drawn = Counter()
    for t in lines:
        for x, y in zip(t["x"], t["y"]):
            drawn[x] += y
    totals = every.groupby("month")["on_duty"].sum()
    assert dict(drawn) == {f"{int(m[5:])}月": v for m, v in totals.items()}
    assert any(f"其余{rest}个车间" in c.value for c in app.caption)
    table = next(d.value for d in app.dataframe if "车间名称" in d.value.columns)
    month = app.query_params["month"]
    resumed = every[(every["month"] == month) & every["resumed_on"].notna()]  # the month's resumed workshops
    assert sorted(table["车间名称"]) == sorted(resumed["name"])


def test_sidebar_reads_the_township_list_through_the_query_cache(app, sample_db, monkeypatch):
    """The township list is read once per data version, not on every rerun."""
    import ledger.store.townships as townships_module

    stored = townships_module.stored_townships
    calls = []
    monkeypatch.setattr(townships_module, "stored_townships", lambda conn: calls.append(1) or stored(conn))
    for _ in range(3):
        app.run()
        assert not app.exception
    assert len(calls) <= 1
    assert app.selectbox(key="overview_township").options == ["全区", *townships_module.township_names(sample_db)]


def test_reruns_serve_the_built_charts(app, monkeypatch):
    """A page's charts are built once and served built on later runs (``Ledger.built``);
    bench/bench_pages.py's cold runs start without them (``ui.data.forget``)."""
    import catalogue
    from ui.data import forget

    real = catalogue.render
    calls = []
    monkeypatch.setattr(catalogue, "render", lambda *a, **k: calls.append(a[0].name) or real(*a, **k))
    forget()
    app.run()
    calls.clear()
    app.switch_page("pages/employment.py").run()
    assert not app.exception
    first = list(calls)
    assert sorted(first) == sorted(v.name for v in catalogue.on("employment"))
    for _ in range(2):
        app.switch_page("pages/employment.py").run()
    assert calls == first
    forget()
    app.switch_page("pages/employment.py").run()
    assert sorted(calls) == sorted(first * 2)
