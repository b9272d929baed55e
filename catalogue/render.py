"""A view rendered for a request: its rows from the query layer, the chart built from
them, the same rows as a table with Chinese headers (the chart's Excel), its title and
its 口径. ``read`` runs a query-layer function of ``ledger.query.request`` — directly
for the exports, through the cache for the pages — so both read the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from catalogue.views import ChartView
from charts import category_bar, grouped_bar, ranked_bar, trend_line, workshop_lines
from ledger.access.masking import chart_values
from ledger.present.caliber import caliber, sheets_of
from ledger.present.frames import figure_table
from ledger.query import request as q
from ledger.query.request import Request
from ledger.query.statements import with_figure

Read = Callable[..., object]  # read(fn, request, *args) → fn(engine, request, *args)


@dataclass
class Shown:
    view: ChartView
    request: Request
    category: str  # the column the rows are grouped by: township, village, month, mode…
    title: str
    data: pd.DataFrame
    figure: object  # a plotly Figure
    table: pd.DataFrame
    caliber: str

    @property
    def name(self) -> str:
        return self.view.name


def rendered(engine) -> Read:
    """``read`` straight from an engine (the exports, the command line)."""
    return lambda fn, request, *args: fn(engine, request, *args)


def title(v: ChartView, request: Request) -> str:
    """宜州区各乡镇就业率, 庆远镇各村就业率; 宜州区 庆远镇就业率月度走势."""
    if v.by == "place":
        return f"{request.title_place}{'各乡镇' if request.by == 'township' else '各村'}{v.title}"
    return f"{request.place}{v.title}"


def render(v: ChartView, request: Request, read: Read, *, dark: bool = False, highlight: str | None = None) -> Shown:
    if v.district_wide:
        request = request.district()
    name = title(v, request)
    if v.by == "income_band":
        category = "band"
        rows = read(q.income_bands, request)
        fig = category_bar(rows, "people", category=category, title=name, unit=v.unit)
    elif v.by == "workshop_month":
        category = "month"
        rows = read(q.workshop_monthly, request)
        fig = workshop_lines(rows, title=name)
    elif v.by == "month":
        category = "month"
        rows = read(q.monthly, request, list(v.keys), v.cumulative)
        fig = trend_line(rows, v.series, title=name, unit=v.unit, money=v.money, percent=v.percent, dark=dark)
    elif v.by == "place":
        category = request.by
        rows = read(q.breakdown, request, list(v.keys), category)
        if v.known_only:
            rows = with_figure(rows, list(v.keys))
        bars = chart_values(rows, v.keys)  # a village's <5 has no bar; its table cell says <5
        if len(v.keys) == 1:
            fig = ranked_bar(bars, v.keys[0], category=category, title=name, unit=v.unit, money=v.money, dark=dark,
                             highlight=highlight)
        else:
            fig = grouped_bar(bars, v.series, category=category, title=name, unit=v.unit, money=v.money, dark=dark)
    else:
        category = v.by
        rows = read(q.breakdown, request, list(v.keys), category)
        if v.known_only:
            rows = with_figure(rows, list(v.keys))
        if len(v.keys) == 1:
            fig = category_bar(rows, v.keys[0], category=category, title=name, unit=v.unit, money=v.money)
        else:
            fig = grouped_bar(rows, v.series, category=category, title=name, unit=v.unit, money=v.money, dark=dark)
    table = figure_table(rows, list(v.keys))
    return Shown(v, request, category, name, rows, fig, table, caliber(request, sheets=v.sheets or sheets_of(v.keys)))
