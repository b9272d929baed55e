"""The catalogue of views: a chart is one entry, and the pages, the briefing, the slides
and the Excel downloads take it from there."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import catalogue
from catalogue.views import ChartView
from exports import briefing, tables
from ledger import query
from ledger.access.roles import FULL
from ledger.access.scope import ALL
from ledger.query.request import Request
from tests.conftest import ROOT
from tests.signing import sign_in
from ui.sidebar import pick_key

AS_OF = query.month_end("2020-09")
NEW = ChartView("test_poor_by_place", ("labor.poor",), "place", "建档立卡贫困劳动力人数（新图）",
                shown_on=("overview", "briefing"))


def _plotly_titles(app) -> list[str]:
    return [json.loads(e.proto.spec)["layout"]["title"]["text"] for e in app.get("plotly_chart")]


@pytest.fixture
def with_new_view(monkeypatch):
    monkeypatch.setattr(catalogue.views, "VIEWS", [*catalogue.views.VIEWS, NEW])


def test_one_entry_shows_a_new_chart_on_its_page_in_the_briefing_and_in_excel(with_new_view, sample_db, monkeypatch):
    monkeypatch.setenv("LEDGER_DB_URL", sample_db.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    sign_in(app, sample_db, "leader")  # a 区领导 lands on 总览
    app.run()
    assert not app.exception
    assert "宜州区各乡镇建档立卡贫困劳动力人数（新图）" in _plotly_titles(app)
    excel = pick_key("overview", "township", "labor.poor") + "_dl_xlsx"
    assert any(e.proto.id.endswith(excel) for e in app.get("download_button")), "the chart's Excel download"

    captions = [caption for caption, _ in briefing.chart_figures(sample_db, Request(AS_OF, scope=query.ALL, personal=FULL))]
    assert "宜州区各乡镇建档立卡贫困劳动力人数（新图）" in captions

    shown = catalogue.render(NEW, Request(AS_OF, scope=ALL), catalogue.rendered(sample_db))
    ws = openpyxl.load_workbook(io.BytesIO(tables.xlsx(shown.table, title=shown.title, caliber=shown.caliber))).active
    assert ws["A1"].value == "宜州区各乡镇建档立卡贫困劳动力人数（新图）"
    assert ws["A2"].value.startswith("数据来源：宜州区贫困劳动力就业台账，截至2020年9月30日；劳动力为2020年9月统计时点数据")
    header = [c.value for c in ws[3]]
    assert header[:2] == ["乡镇", "建档立卡贫困劳动力（人）"] or header[1].startswith("建档立卡")
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=4) if r[0].value}
    by_town = query.breakdown(sample_db, ["labor.poor"], AS_OF).set_index("township")["labor.poor"]
    assert values == {t: int(v) for t, v in by_town.items() if v}


def test_every_entry_renders_for_the_district_and_a_township(sample_db):
    read = catalogue.rendered(sample_db)
    for v in catalogue.VIEWS:
        for request in (Request(AS_OF, scope=ALL), Request(AS_OF, "庆远镇", scope=ALL)):  # the whole district's view
            shown = catalogue.render(v, request, read)
            asked = request.district() if v.district_wide else request
            place = asked.title_place if v.by == "place" else asked.place
            assert shown.title.startswith(place) and shown.title.endswith(v.title)
            assert len(shown.data) and shown.figure.layout.title.text
            assert list(shown.table.columns)[0] in ("乡镇", "村", "月份") or len(shown.table.columns) > 1


def test_the_unplaced_row_rule_is_one_and_keeps_the_sum(sample_db):
    rows = query.breakdown(sample_db, ["subsidy.total", "labor.total"], AS_OF)
    shown = query.statements.placed(rows, "township", ["subsidy.total", "labor.total"])
    assert shown["subsidy.total"].sum() == rows["subsidy.total"].sum()
    assert query.DISTRICT_WIDE not in set(shown["township"]) or shown.set_index("township").loc[query.DISTRICT_WIDE].any()


def test_names_are_unique_and_every_place_is_known():
    from ui.pages import PAGES

    names = [v.name for v in catalogue.VIEWS]
    assert len(names) == len(set(names))
    pages = {p.path.removeprefix("pages/").removesuffix(".py") for p in PAGES}
    for v in catalogue.VIEWS:
        for where in v.shown_on:
            assert where.split("#")[0] in pages or where == "briefing" or where.startswith("slides:"), (v.name, where)
