"""One request through the query layer: which ledger (today's, or the one a month was
reported from), as of which date, for which place and drill level, who may be seen
(the scope, and how much of a person: ``personal``), and whether only 建档立卡
labourers count. A request that names nobody (``scope`` left at ``NOBODY``) reads no
rows: the scope comes from the signed-in account (``ui.data.Ledger`` binds it), the
command line's ``--user``, or an export's caller, never from a default. Pages, the catalogue of views
and the exports all ask with a ``Request``; the functions here turn it into the
statements' arguments, so no caller repeats the as-of default, the basis or the rule
for the district-wide row.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, replace

import pandas as pd

from ledger.access.masking import suppress_small
from ledger.access.roles import FULL, NONE, REVEAL
from ledger.access.scope import NOBODY
from ledger.query import people as people_module
from ledger.query import quality as quality_module
from ledger.query import reported as reported_module
from ledger.query import statements
from ledger.query import targets as targets_module
from ledger.query.statements import FigureSet, Scope
from ledger.store.figures import figure as figure_of
from ledger.store.townships import township_names
from ledger.store.versions import as_recorded
from loaders.townships import DISTRICT


@dataclass(frozen=True)
class Basis:
    """The ledger a month's report was made from: history entry ``log_id``."""

    log_id: int
    frozen_by: str
    frozen_at: dt.datetime


@dataclass(frozen=True)
class Request:
    as_of: dt.date | None
    township: str | None = None  # None: the whole district
    village: str | None = None
    poor_only: bool = False
    scope: Scope = NOBODY
    basis: Basis | None = None  # None: today's ledger
    # FULL: people as written; REVEAL: masked (the viewer may reveal a list); NONE: no
    # people-level data, and village counts below 5 read <5 (as for REVEAL)
    personal: str = REVEAL
    viewer: str | None = None  # the account, as an export's watermark names it

    @property
    def masked(self) -> bool:
        return self.personal != FULL

    @property
    def level(self) -> str:
        """district → township → village (the people behind the numbers)."""
        return "district" if self.township is None else "township" if self.village is None else "village"

    @property
    def by(self) -> str:
        """The grouping one level down: townships of the district, villages of a township."""
        return "township" if self.township is None else "village"

    @property
    def place(self) -> str:
        """宜州区 庆远镇 拉浪村: where the figures are from, as a heading says it."""
        return " ".join(x for x in (DISTRICT, self.township, self.village) if x)

    @property
    def title_place(self) -> str:
        """The place a chart title starts with: 宜州区, 庆远镇 or 拉浪村."""
        return self.village or self.township or DISTRICT

    @property
    def month(self) -> str | None:
        return f"{self.as_of:%Y-%m}" if self.as_of else None

    def at(self, as_of: dt.date | None) -> Request:
        return replace(self, as_of=as_of)

    def district(self) -> Request:
        """The same request for the whole district (a district-wide sheet such as 用工需求)."""
        return replace(self, township=None, village=None)

    def up(self) -> Request:
        """The same request for the place one level up (a village's township)."""
        return replace(self, village=None) if self.village else replace(self, township=None)


def reading(engine, request: Request):
    """The state the request reads: today's rows, or those in force after the freeze's entry."""
    return as_recorded(engine, request.basis.log_id) if request.basis is not None else nullcontext()


def resolved(engine, request: Request) -> Request:
    """The request with its as-of date filled in (the latest month of the ledger)."""
    if request.as_of is not None:
        return request
    with reading(engine, request):
        return request.at(statements.default_as_of(engine))


def months(engine, request: Request) -> list[str]:
    with reading(engine, request):
        return statements.months(engine)


def figures(engine, request: Request, keys=None) -> FigureSet:
    """The figures of the district, a township, or one village of it."""
    with reading(engine, request):
        if request.village is None:
            return statements.figures(
                engine, request.as_of, scope=request.scope, township=request.township, keys=keys,
                poor_only=request.poor_only,
            )
    keys = list(keys or [])
    rows = breakdown(engine, request.up(), keys, by="village")
    row = rows[rows["village"] == request.village]
    values = {k: (_scalar(row[k].iloc[0]) if len(row) else None) for k in keys}
    return FigureSet(request.as_of, request.township, values, {})


def breakdown(engine, request: Request, keys, by: str | None = None) -> pd.DataFrame:
    """Figures per township, village or a column of the figures' sheet (``by``; one
    level down from the request's place by default), less an unplaced row that holds
    nothing (``statements.placed``)."""
    by = by or request.by
    with reading(engine, request):
        rows = statements.breakdown(
            engine, list(keys), request.as_of, scope=request.scope, by=by, township=request.township,
            poor_only=request.poor_only,
        )
    rows = statements.placed(rows, by, list(keys))
    if by == "village" and request.masked:
        rows = suppress_small(rows, [k for k in keys if _is_count(k)])
    return rows


def _is_count(key: str) -> bool:
    """A head count (people, households, posts …) that can point at a household when small."""
    fig = figure_of(key)
    return fig.agg in ("count", "distinct") and not fig.money


def monthly(engine, request: Request, keys, cumulative: bool = True) -> pd.DataFrame:
    with reading(engine, request):
        return statements.monthly(
            engine, list(keys), request.as_of, scope=request.scope, township=request.township,
            poor_only=request.poor_only, cumulative=cumulative,
        )


def townships(engine, request: Request) -> list[str]:
    """Every township of the district in code order (today's 行政区划 list, or the
    configuration's), whoever asks: the sidebar narrows it to the account's. A request
    function so the pages read it through their cache (an import that changes the list
    is a new data version)."""
    return township_names(engine)


def villages(engine, request: Request) -> list[str]:
    """The villages of the request's township."""
    return list(breakdown(engine, Request(request.as_of, request.township, scope=request.scope, basis=request.basis,
                                          personal=request.personal), ["labor.total"], by="village")["village"])


def people(engine, request: Request, key: str, filters=None, limit: int | None = None) -> pd.DataFrame:
    """The ledger rows behind a count figure; ``filters`` maps columns to values (a dict
    or its items), ``limit`` caps the rows (the first in the list's order). Masked
    unless the request carries full rights; PermissionError for a request with no right
    to people-level data."""
    if request.personal == NONE:
        raise PermissionError("该账号无权查看人员名单。")
    filters = dict(filters) if filters else None
    with reading(engine, request):
        return people_module.people(
            engine, key, request.as_of, scope=request.scope, township=request.township, village=request.village,
            poor_only=request.poor_only, filters=filters, masked=request.masked, limit=limit,
        )


def income_bands(engine, request: Request) -> pd.DataFrame:
    with reading(engine, request):
        return statements.income_bands(engine, request.as_of, scope=request.scope, township=request.township,
                                       poor_only=request.poor_only)


def workshop_monthly(engine, request: Request) -> pd.DataFrame:
    with reading(engine, request):
        return statements.workshop_monthly(engine, request.as_of, scope=request.scope, township=request.township)


def targets(engine, request: Request) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """Progress on each target of the year, per indicator, ranked (``targets.ranked_tables``)."""
    with reading(engine, request):
        rows = targets_module.progress(engine, request.as_of, scope=request.scope, township=request.township)
    return targets_module.ranked_tables(rows)


def quality_summary(engine, request: Request) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Data-quality counts, from one run of the 13 checks (always today's ledger): per
    check (``quality.overview``), and per township of the checks that found something
    (``quality.by_township``)."""
    counts = quality_module.summary(engine, request.as_of, scope=request.scope)
    overview = quality_module.overview(counts, request.township)
    found = tuple(overview.loc[overview["问题数"] > 0, "检查项"])
    return overview, quality_module.by_township(counts, request.township, found)


def quality_rows(engine, request: Request, check_key: str) -> pd.DataFrame:
    """The rows a check found (named people: masked unless the request has full rights)."""
    if request.personal == NONE:
        raise PermissionError("该账号无权查看人员名单。")
    return quality_module.rows(engine, check_key, request.as_of, scope=request.scope, township=request.township,
                               masked=request.masked)


def changes_since_reported(engine, request: Request, freeze_id: int) -> pd.DataFrame:
    """How today's ledger differs from the latest report of the request's month, whose
    freeze is ``freeze_id`` (part of the cache key: freezing again adds no history entry);
    only the rows of the request's scope (the district's own rows for a district scope)."""
    # For a township's scope the district's import list would name other townships'
    # files and people: the reasons then give only the entry, its date and kind.
    changes = reported_module.changes_since_reported(engine, request.month, named=request.scope.is_district)
    place = changes["乡镇"].map(lambda t: None if t == DISTRICT else t)
    return changes[[request.scope.allows(t) for t in place]].reset_index(drop=True)


def _scalar(value):
    """A DataFrame cell as a plain Python value (numpy integers become int)."""
    return value.item() if hasattr(value, "item") else value
