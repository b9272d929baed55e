"""Reading the figures from the per-slice summaries (ledger/store/summaries.py) instead
of the detail: the same groups and raw aggregates as the detail statements, so the
figures built from them are the same to the last fen.

A summary serves a month: figures as of a month's end (what every page asks), by the
district, township or village. Anything else (a date inside a month, a breakdown by
another column, a state whose slices were never summarised) is read from the detail
by the caller; ``plan`` says which.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from sqlalchemy import Column, Connection, and_, case, false, func, literal_column, null, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.access.scope import Scope
from ledger.store.figures import BANDS, Figure
from ledger.store.schema import DATA
from ledger.store.summaries import (
    BY_COLUMNS,
    BY_SUMS,
    SHEET_SUMS,
    SNAPSHOT,
    TOWN_SUMS,
    columns_of,
    distinct_column,
    distinct_sums,
    entities,
    in_force_summarised,
    layout,
    memo,
    memo_done,
    memo_towns,
    values,
)
from ledger.store.versions import current, in_force

_DETAIL_ONLY: ContextVar[bool] = ContextVar("detail_only", default=False)


@contextmanager
def detail_only() -> Iterator[None]:
    """Every figure inside is read from the detail: what the summaries are checked
    against (tests) and compared with (bench)."""
    token = _DETAIL_ONLY.set(True)
    try:
        yield
    finally:
        _DETAIL_ONLY.reset(token)


_OWN: ContextVar[bool] = ContextVar("own_connection", default=False)


@contextmanager
def own(engine) -> Iterator[Connection]:
    """A read-only connection of the query layer's own: a memo may be kept from it (a
    caller's connection may hold the write lock, which a second connection would wait for)."""
    token = _OWN.set(True)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        _OWN.reset(token)


def keeps_memos() -> bool:
    """Whether a memo may be kept from the connection being read (``own``'s)."""
    return _OWN.get()


@dataclass(frozen=True)
class Plan:
    """The slices to read per sheet (period → import id) and each snapshot's month."""

    slices: dict[str, dict[str, int]]
    snap: dict[str, str | None]
    held: dict[str, dict[str, int]]  # every slice in force, by sheet


def month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, calendar.monthrange(year, mon)[1])


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day.strftime("%Y-%m"))


def plan(conn: Connection, sheets: set[str], months_: list[str], *, carry: bool = True,
         pairs: dict[str, dict[str, int]] | None = None) -> Plan | None:
    """The slices that figures of ``sheets`` over ``months_`` (each as of its end) read:
    a snapshot sheet's month (with ``carry`` the latest on or before it), an event
    sheet's months of the year up to the last; None if one is not summarised."""
    if _DETAIL_ONLY.get():
        return None
    pairs = in_force(conn) if pairs is None else pairs
    last = months_[-1]
    need: dict[str, dict[str, int]] = {}
    snap: dict[str, str | None] = {}
    for sheet in SNAPSHOT:
        held = pairs.get(sheet, {})
        snap[sheet] = max((p for p in held if p <= last), default=None)
    for sheet in sheets:
        held = pairs.get(sheet, {})
        if sheet in SNAPSHOT:
            wanted = {max((p for p in held if p <= m), default=None) if carry else (m if m in held else None)
                      for m in months_}
            need[sheet] = {p: held[p] for p in wanted if p}
        else:
            need[sheet] = {p: i for p, i in held.items() if f"{last[:4]}-01" <= p <= last}
    if not in_force_summarised(conn, need):
        return None
    return Plan(need, snap, pairs)


def in_slices(s, slices: dict[str, int]):
    if not slices:
        return false()
    return or_(*[and_(s.c.period == p, s.c.import_id == i) for p, i in sorted(slices.items())])


def poor_rows(sheet: str, s, poor_ids=None):
    """``poor_only`` on summary rows: poor labourers; poor trainees (是 as written, or
    blank and 是 in the labourer sheet: ``poor_ids``, from ``poor_blank_trainees``)."""
    if sheet == "labor":
        return s.c.poor_mark == "Y"
    if sheet == "training":
        if poor_ids is None:
            poor_ids = _poor_listed()
        elif not poor_ids:
            return s.c.poor_mark == "Y"
        return or_(s.c.poor_mark == "Y", and_(s.c.poor_mark == "?", s.c.trainee.in_(poor_ids)))
    return None


def _poor_listed():
    """The labourer sheet's poor among the blank trainees, as a subquery (through the ID index)."""
    labor, sums = DATA["labor"], TOWN_SUMS["training"]  # the same trainees as by village, fewer rows
    blank = select(sums.c.trainee).where(sums.c.poor_mark == "?")
    return select(labor.c.id_number).where(labor.c.id_number.in_(blank), current(labor), labor.c.is_poor.is_(True))


BLANK_LOOKUP = 5_000  # more blank trainees than this: looked up inside the statement instead


def poor_blank_trainees(conn: Connection, slices: dict[str, int]):
    """The blank trainees of these training slices whom the labourer sheet has as poor:
    a tuple of ID numbers (usually none: then nothing is looked up at all), or the
    subquery when there are many."""
    sums = TOWN_SUMS["training"]
    blank = [r[0] for r in conn.execute(
        select(sums.c.trainee).where(sums.c.poor_mark == "?", in_slices(sums, slices)).distinct())]
    if not blank:
        return ()
    if len(blank) > BLANK_LOOKUP:
        return _poor_listed()
    labor = DATA["labor"]
    found = conn.execute(select(labor.c.id_number).where(
        labor.c.id_number.in_(blank), current(labor), labor.c.is_poor.is_(True)).distinct())
    return tuple(sorted(r[0] for r in found))


def _grain(s, by: str | None, extra=(), sheet: str | None = None) -> tuple[list, list]:
    """The selected and the grouped columns: ``extra`` groups, (label, table →
    expression), then the place (or the column of ``summaries.BY_COLUMNS``); an expression is grouped by its label (PostgreSQL does
    not match a GROUP BY expression whose parameters differ). A place the sheet does not
    have is selected as NULL, ungrouped, as the detail statement does it."""
    names = {None: [], "township": ["township"], "village": ["township", "village"]}.get(by, [by])
    lacks = set() if sheet is None else {n for n in names if n not in DATA[sheet].c}
    place = [null().label(n) if n in lacks else s.c[n] for n in names]
    grouped_place = [s.c[n] for n in names if n not in lacks]
    selected, grouped = [], []
    for label, fn in extra:
        expr = fn(s)
        selected.append(expr.label(label))
        grouped.append(expr if isinstance(expr, Column) else label)
    return selected + place, grouped + grouped_place


def _group(stmt, grouped):
    return stmt.group_by(*grouped) if grouped else stmt


def additive(conn: Connection, sheet: str, figs: list[Figure], slices: dict[str, int], by, scope: Scope,
             poor_only: bool, as_of: dt.date, raws, extra=()) -> None:
    """Counts, sums and means of one sheet: ``raws[group][key]`` as the detail gives.
    ``extra`` (label, column of the summary) adds groups (the period)."""
    s = {None: TOWN_SUMS, "township": TOWN_SUMS, "village": SHEET_SUMS}.get(by, BY_SUMS)[sheet]
    grain, grouped = _grain(s, by, extra, sheet)
    poor = poor_rows(sheet, s, poor_blank_trainees(conn, slices) if sheet == "training" else None)
    aggs = []
    for fig in figs:
        for name in columns_of(fig):
            col = s.c[name]
            aggs.append(func.coalesce(func.sum(case((poor, col), else_=0) if fig.poor_trainees else col), 0))
    where = [in_slices(s, slices), scope.clause(s.c.township)]
    if poor_only and poor is not None:
        where.append(poor)
    if sheet == "workshops":
        where += [s.c.resumed_on.is_not(None), s.c.resumed_on <= as_of]
    width = len(grain)
    for row in conn.execute(_group(select(*grain, *aggs).where(*where), grouped)):
        group, rest = tuple(row[:width]), [int(x or 0) for x in row[width:]]
        for fig in figs:
            n = 2 if fig.agg == "mean" else 1
            raws[group][fig.key], rest = rest[:n], rest[n:]


def median(conn: Connection, fig: Figure, slices: dict[str, int], by, scope: Scope, poor_only: bool, raws,
           extra=()) -> None:
    """The middle value (odd count) or two middle values of each group, from how many
    rows hold each value: ``[sum of the middle values, how many (1 or 2)]``."""
    v = values
    grain, grouped = _grain(v, by, extra)
    level = median_level(by, scope)
    where = [v.c.key == fig.key, v.c.level == level, in_slices(v, slices), scope.clause(v.c.township)]
    poor = poor_rows(fig.table, v)
    if poor_only and poor is not None:
        where.append(poor)
    stmt = select(*grain, v.c.value, func.sum(v.c.n)).where(*where).group_by(*grouped, v.c.value)
    counts: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    width = len(grain)
    for row in conn.execute(stmt):
        counts[tuple(row[:width])].append((int(row[width]), int(row[width + 1])))
    for group, hist in counts.items():
        total = sum(n for _, n in hist)
        # rows r (1-based) with total <= 2r <= total + 2, as the detail query picks them
        lo, hi = (total + 1) // 2, (total + 2) // 2
        picked, seen = [], 0
        for value, n in sorted(hist):
            first, last = seen + 1, seen + n
            picked += [value] * max(0, min(last, hi) - max(first, lo) + 1)
            seen = last
        raws[group][fig.key] = [sum(picked), len(picked)]


def median_level(by, scope: Scope) -> str | None:
    """The histogram a median is read from: the district's (d, kept by the columns of
    ``BY_COLUMNS`` too) for the whole district, the townships' (t) by township or within
    some; None where neither serves (by village, or by a column within a township: the
    detail, one township's rows through the index, is read then)."""
    if by == "village":
        return None
    if scope.is_district and by != "township":
        return "d"
    return "t" if by in (None, "township") else None


def snapshot_distinct(conn: Connection, figs: list[Figure], slices: dict[str, int], by, scope: Scope,
                      poor_only: bool, raws, extra=()) -> None:
    """A snapshot sheet's distinct counts, attributed when it was summarised: one
    statement for all of them (a column each)."""
    d = distinct_sums
    grain, grouped = _grain(d, by, extra)
    where = [d.c.poor.is_(bool(poor_only)), in_slices(d, slices), scope.clause(d.c.township)]
    sums = [func.coalesce(func.sum(d.c[distinct_column(fig)]), 0) for fig in figs]
    stmt = _group(select(*grain, *sums).where(*where), grouped)
    width = len(grain)
    for row in conn.execute(stmt):
        for fig, n in zip(figs, row[width:], strict=True):
            raws[tuple(row[:width])][fig.key] = [int(n or 0)]


def entity_source(conn: Connection, fig: Figure, slices: dict[str, int], poor_only: bool):
    """The values of a distinct figure over the months of a year, once per place and
    poor mark: shaped like the detail table (``fig.column``, township, village, period),
    so the detail's distinct statements count them; with ``bare(fig)``."""
    e = entities
    where = [e.c.key == fig.key, in_slices(e, slices)]
    poor = poor_rows(fig.table, e, poor_blank_trainees(conn, slices) if poor_only and fig.table == "training" else None)
    if poor_only and poor is not None:
        where.append(poor)
    return select(
        e.c.entity.label(fig.column), e.c.township, e.c.village, e.c.period, literal_column("1").label("is_current"),
    ).where(*where).subquery()


def bare(fig: Figure) -> Figure:
    """The figure as the entity source holds it: its conditions are already applied."""
    return replace(fig, where=None, poor_trainees=False, none_of=None)


def bands(conn: Connection, slices: dict[str, int], by: str | None, scope: Scope, poor_only: bool) -> dict[tuple, int]:
    """已就业 labourers per 月收入 band, by nothing or township: {(township?, band): people}."""
    s = TOWN_SUMS["labor"]
    grain = [s.c.township] if by == "township" else []
    where = [in_slices(s, slices), scope.clause(s.c.township)] + ([poor_rows("labor", s)] if poor_only else [])
    sums = [func.coalesce(func.sum(s.c[f"band{i}"]), 0) for i in range(len(BANDS))]
    out: dict[tuple, int] = {}
    for row in conn.execute(_group(select(*grain, *sums).where(*where), grain)):
        group = tuple(row[: len(grain)])
        for i, n in enumerate(row[len(grain):]):
            if n:
                out[(*group, i)] = int(n)
    return out


def memo_reads(conn: Connection, wanted: list[tuple[Figure, dict[str, int]]], by, scope: Scope,
               poor_only: bool, raws, compute) -> list[tuple[Figure, dict[str, int]]]:
    """Distinct counts over the months of a year from their memos: each the count
    attributed by village for exactly its slices, computed once (``compute``) and kept,
    since the slices never change. Which are kept is one statement and their sums one
    more, however many figures. Returns those that cannot be kept (a preview's
    rolled-back slices), for the caller to count."""
    if not keeps_memos():
        return list(wanted)
    left = [(fig, slices) for fig, slices in wanted if any(i <= 0 for i in slices.values())]
    usable = [(fig, slices) for fig, slices in wanted if all(i > 0 for i in slices.values())]
    if not usable:
        return left
    # whether a blank trainee is poor is read from the labourer sheet: its slices are
    # part of what such a count depends on
    labor = in_force(conn).get("labor", {}) if poor_only and any(f.table == "training" for f, _ in usable) else {}
    digests = {memo_key(fig, slices, poor_only, labor if poor_only and fig.table == "training" else {}): (fig, slices)
               for fig, slices in usable}
    done = {r[0] for r in conn.execute(select(memo_done.c.digest).where(memo_done.c.digest.in_(sorted(digests))))}
    width = {None: 0, "township": 1, "village": 2}[by]
    for digest, (fig, slices) in digests.items():
        if digest in done:
            if by is None:
                raws[()][fig.key] = [0]  # no row of it in scope: none counted
            continue
        rows = compute(conn, fig, slices, poor_only)
        _keep(conn, digest, fig, rows)
        # summed here: this connection's snapshot (MySQL's repeatable read) may not see
        # the memo just kept by another one
        got: dict[tuple, int] = defaultdict(int) if width else {(): 0}
        for township, village, n in rows:
            if scope.allows(township):
                got[(township, village)[:width]] += int(n)
        for group, n in got.items():
            raws[group][fig.key] = [n]
    if done:
        m = memo if by == "village" else memo_towns
        grain, grouped = _grain(m, by)
        stmt = select(m.c.digest, *grain, func.coalesce(func.sum(m.c.n), 0)).where(
            m.c.digest.in_(sorted(done)), scope.clause(m.c.township)).group_by(m.c.digest, *grouped)
        for row in conn.execute(stmt):
            raws[tuple(row[1:1 + width])][digests[row[0]][0].key] = [int(row[-1] or 0)]
    return left


def _keep(conn: Connection, digest: str, fig: Figure, rows: list[tuple]) -> None:
    """Store a memo in a transaction of its own: its rows and the marker that says they
    are complete, so another process computing the same one adds nothing twice."""
    try:
        with conn.engine.begin() as w:
            w.execute(memo_done.insert().values(digest=digest, key=fig.key))
            if rows:
                w.execute(memo.insert(), [{"digest": digest, "township": t, "village": v, "n": int(n)} for t, v, n in rows])
                towns: dict[str | None, int] = defaultdict(int)
                for t, _, n in rows:
                    towns[t] += int(n)
                w.execute(memo_towns.insert(), [{"digest": digest, "township": t, "n": n} for t, n in towns.items()])
    except (IntegrityError, OperationalError):
        pass  # another session kept it first (or the store is busy: it is kept next time)


# 2: kept by township too (``memo_towns``); a memo of an earlier form is kept again
MEMO_FORM = 2


def memo_key(fig: Figure, slices: dict[str, int], poor_only: bool, labor: dict[str, int]) -> str:
    text = json.dumps([fig.key, bool(poor_only), sorted(slices.items()), sorted(labor.items()), layout(), MEMO_FORM])
    return hashlib.sha256(text.encode()).hexdigest()


def serves(figs: list[Figure], by: str | None) -> bool:
    """Whether the summaries hold these figures at grain ``by``: the place, or a column
    they are kept by (counts, sums, means and medians of that sheet)."""
    if by in (None, "township", "village"):
        return True
    return all(by in BY_COLUMNS.get(f.table, ()) and f.agg in ("count", "sum", "mean", "median") for f in figs)
