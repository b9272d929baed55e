"""The figures, aggregated in SQL: for the district or one township, and broken down
by township or village, as of any date, always within the viewer's scope.

Snapshot sheets (labourers, workshops) are read at their latest month on or before
the date; event sheets are summed from 1 January of that year up to the date. A
distinct count (classes, enterprises, workshops, people) whose rows span several
townships is counted once, in the district-wide part, so that townships plus the
district-wide part always add up exactly to the district.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, false, func, literal, null, select, true

from .figures import BY_KEY, FIGURES, Figure, figure
from .schema import DATA
from loaders.townships import DEFAULT_TOWNSHIPS

from .store import stored_townships

SNAPSHOT_SHEETS = ("labor", "workshops")
DISTRICT_WIDE = "全区（不分乡镇）"
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Scope:
    """The townships a viewer may see. ``None`` is the whole district, including rows
    that belong to no township; an empty set sees nothing."""

    townships: frozenset[str] | None = None

    @classmethod
    def of(cls, *names: str) -> "Scope":
        return cls(frozenset(names))

    def narrowed(self, township: str | None) -> "Scope":
        if township is None:
            return self
        allowed = self.townships is None or township in self.townships
        return Scope(frozenset([township]) if allowed else frozenset())

    def clause(self, column):
        if self.townships is None:
            return true()
        if not self.townships:
            return false()
        return column.in_(sorted(self.townships))


ALL = Scope()


@dataclass
class FigureSet:
    as_of: dt.date | None
    township: str | None
    values: dict[str, object]
    months: dict[str, str | None]  # snapshot sheet → the month its figures come from


def connect(engine_or_conn):
    """A connection from an engine, or the caller's own connection borrowed as is."""
    return engine_or_conn.connect() if isinstance(engine_or_conn, Engine) else _Borrowed(engine_or_conn)


class _Borrowed:
    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc):
        return False


def month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, calendar.monthrange(year, mon)[1])


def months(engine_or_conn, sheet: str = "labor") -> list[str]:
    """The months a sheet holds current rows for, oldest first."""
    t = DATA[sheet]
    with connect(engine_or_conn) as conn:
        rows = conn.execute(select(t.c.period).where(t.c.is_current).distinct().order_by(t.c.period)).scalars()
        return [r for r in rows if r]


def default_as_of(engine_or_conn) -> dt.date | None:
    """The end of the latest 统计时点 in the labourer sheet (or of any sheet, if none)."""
    with connect(engine_or_conn) as conn:
        latest = conn.execute(select(func.max(DATA["labor"].c.period)).where(DATA["labor"].c.is_current)).scalar()
        if latest is None:
            candidates = [
                conn.execute(select(func.max(DATA[s].c.period)).where(DATA[s].c.is_current)).scalar()
                for s in ("workshops", "posts", "training", "subsidies", "demand", "transport")
            ]
            latest = max((c for c in candidates if c), default=None)
    return month_end(latest) if latest else None


def snapshot_month(conn: Connection, sheet: str, as_of: dt.date) -> str | None:
    t = DATA[sheet]
    stmt = select(func.max(t.c.period)).where(t.c.is_current, t.c.period <= as_of.strftime("%Y-%m"))
    return conn.execute(stmt).scalar()


def _base_filter(sheet: str, t, as_of: dt.date, snap: dict[str, str | None]):
    from loaders.spec import SHEETS_BY_KEY

    spec = SHEETS_BY_KEY[sheet]
    clauses = [t.c.is_current]
    if sheet in SNAPSHOT_SHEETS:
        month = snap.get(sheet)
        clauses.append(t.c.period == month if month else false())
        if sheet == "workshops":
            clauses += [t.c.resumed_on.is_not(None), t.c.resumed_on <= as_of]
    else:
        date_col = t.c[spec.period_column]
        clauses += [date_col >= dt.date(as_of.year, 1, 1), date_col <= as_of]
        # The period narrows the scan to this year's slices before the date test.
        clauses += [t.c.period >= f"{as_of.year:04d}-01", t.c.period <= as_of.strftime("%Y-%m")]
    return and_(*clauses)


def _township_col(t):
    return t.c.township if "township" in t.c else null()


def _village_col(t):
    return t.c.village if "village" in t.c else null()


def _aggregates(fig: Figure, t) -> list:
    cond = fig.where(t) if fig.where is not None else None
    col = t.c[fig.column] if fig.column else None
    if fig.agg == "count":
        return [func.count() if cond is None else func.coalesce(func.sum(case((cond, 1), else_=0)), 0)]
    if fig.agg == "sum":
        value = col if cond is None else case((cond, col), else_=0)
        return [func.coalesce(func.sum(value), 0)]
    if fig.agg == "mean":
        ok = and_(cond, col.is_not(None)) if cond is not None else col.is_not(None)
        return [func.coalesce(func.sum(case((ok, col), else_=0)), 0), func.coalesce(func.sum(case((ok, 1), else_=0)), 0)]
    raise ValueError(fig.agg)


def _grain(t, by: str | None) -> tuple[list, list]:
    """The grouping columns to select and the real ones to group by (GROUP BY NULL is
    an error on PostgreSQL, so a sheet without the column selects NULL ungrouped)."""
    if by is None:
        return [], []
    names = ["township"] + (["village"] if by == "village" else [])
    selected = [(t.c[n] if n in t.c else null()).label(n) for n in names]
    return selected, [t.c[n] for n in names if n in t.c]


def _plain_query(figs: list[Figure], sheet: str, by, scope: Scope, base):
    t = DATA[sheet]
    selected, grouped = _grain(t, by)
    aggs = [a for fig in figs for a in _aggregates(fig, t)]
    stmt = select(*selected, *aggs).where(base, scope.clause(_township_col(t)))
    return stmt.group_by(*grouped) if grouped else stmt


def _distinct_query(fig: Figure, sheet: str, by, scope: Scope, base):
    """Each distinct value is attributed to the one township (village) all its rows share,
    else to the district-wide part; the scope then applies to that attribution."""
    t = DATA[sheet]
    entity = t.c[fig.column]
    where = [base, entity.is_not(None)]
    if fig.where is not None:
        where.append(fig.where(t))
    town = _township_col(t)
    one_town = func.min(town) == func.max(town)
    attributed = [case((one_town, func.min(town)), else_=null()).label("township")]
    if by == "village":
        vil = _village_col(t)
        same = and_(one_town, func.min(vil) == func.max(vil))
        attributed.append(case((same, func.min(vil)), else_=null()).label("village"))
    sub = select(entity.label("entity"), *attributed).where(*where).group_by(entity).subquery()
    grain = [] if by is None else [sub.c.township] + ([sub.c.village] if by == "village" else [])
    stmt = select(*grain, func.count()).select_from(sub).where(scope.clause(sub.c.township))
    if grain:
        stmt = stmt.group_by(*grain)
    return stmt


def _convert(fig: Figure, raw: list):
    if fig.agg == "mean":
        total, count = (Decimal(int(x or 0)) for x in raw)
        if not count:
            return None
        mean = total / count
        return (mean / 100).quantize(CENTS, rounding=ROUND_HALF_UP) if fig.money else mean.quantize(CENTS, ROUND_HALF_UP)
    value = int(raw[0] or 0)
    return Decimal(value) / 100 if fig.money else value


def _ratio(fig: Figure, values: dict):
    num, den = (values.get(k) for k in fig.parts)
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(CENTS, rounding=ROUND_HALF_UP)


def _collect(conn: Connection, figs: list[Figure], as_of: dt.date, scope: Scope, by: str | None):
    """{group: {key: value}} for the figures at the grain ``by`` (None, township, village)."""
    ratios = [f for f in figs if f.agg == "ratio"]
    wanted = {f.key: f for f in figs if f.agg != "ratio"}
    for f in ratios:
        wanted |= {k: BY_KEY[k] for k in f.parts}
    figs = list(wanted.values())
    snap = {s: snapshot_month(conn, s, as_of) for s in SNAPSHOT_SHEETS}
    out: dict[tuple, dict[str, object]] = defaultdict(dict)
    raws: dict[tuple, dict[str, list]] = defaultdict(dict)
    by_sheet: dict[str, list[Figure]] = defaultdict(list)
    for fig in figs:
        by_sheet[fig.table].append(fig)
    width = 0 if by is None else (1 if by == "township" else 2)
    for sheet, sheet_figs in by_sheet.items():
        t = DATA[sheet]
        base = _base_filter(sheet, t, as_of, snap)
        plain = [f for f in sheet_figs if f.agg != "distinct"]
        if plain:
            for row in conn.execute(_plain_query(plain, sheet, by, scope, base)):
                group, rest = tuple(row[:width]), list(row[width:])
                for fig in plain:
                    n = 2 if fig.agg == "mean" else 1
                    raws[group][fig.key], rest = rest[:n], rest[n:]
        for fig in (f for f in sheet_figs if f.agg == "distinct"):
            for row in conn.execute(_distinct_query(fig, sheet, by, scope, base)):
                raws[tuple(row[:width])][fig.key] = [row[width]]
    for group, vals in raws.items():
        for key, raw in vals.items():
            out[group][key] = _convert(BY_KEY[key], raw)
        for f in ratios:
            out[group][f.key] = _ratio(f, out[group])
    return out, snap


def _zero(fig: Figure):
    if fig.agg in ("mean", "ratio"):
        return None
    return Decimal(0) if fig.money else 0


def figures(
    engine_or_conn,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    township: str | None = None,
    keys: list[str] | None = None,
) -> FigureSet:
    """The figures for the district (or one township) as of a date, within ``scope``."""
    figs = [figure(k) for k in keys] if keys else list(FIGURES)
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        if as_of is None:
            return FigureSet(None, township, {f.key: _zero(f) for f in figs}, {})
        got, snap = _collect(conn, figs, as_of, scope.narrowed(township), None)
    row = got.get((), {})
    values = {f.key: row.get(f.key, _zero(f)) for f in figs}
    return FigureSet(as_of, township, values, snap)


def breakdown(
    engine_or_conn,
    keys: list[str] | str,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    by: str = "township",
    township: str | None = None,
) -> pd.DataFrame:
    """Figures by township (every township in scope, zeros included, in code order, then
    the district-wide part) or by village (of one township, or all). One SQL query per
    sheet involved; a distinct figure adds one of its own."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    figs = [figure(k) for k in keys]
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        narrowed = scope.narrowed(township)
        got, _ = _collect(conn, figs, as_of, narrowed, by) if as_of else ({}, {})
        names = [t.name for t in (stored_townships(conn) or DEFAULT_TOWNSHIPS)]
    groups = list(got)
    if narrowed.townships is not None:
        # A sheet without townships aggregates to one ungrouped row even when the scope
        # sees none of it: the district-wide part belongs to district-wide viewers only.
        groups = [g for g in groups if g[0] is not None]
    if by == "township":
        visible = [n for n in names if narrowed.townships is None or n in narrowed.townships]
        groups = [(n,) for n in visible] + [g for g in groups if g[0] not in visible]
    else:
        groups.sort(key=lambda g: (g[0] is None, g[0] or "", g[1] is None, g[1] or ""))
    records = []
    for group in groups:
        vals = got.get(group, {})
        rec = {"township": group[0] if group[0] is not None else DISTRICT_WIDE}
        if by == "village":
            rec["village"] = group[1] if group[1] is not None else "（未分村）"
        rec |= {f.key: vals.get(f.key, _zero(f)) for f in figs}
        records.append(rec)
    if by == "township" and not any(r["township"] == DISTRICT_WIDE for r in records):
        if narrowed.townships is None:
            records.append({"township": DISTRICT_WIDE} | {f.key: _zero(f) for f in figs})
    columns = ["township"] + (["village"] if by == "village" else []) + keys
    return pd.DataFrame.from_records(records, columns=columns)


def trend(engine_or_conn, keys: list[str], *, scope: Scope = ALL, township: str | None = None) -> pd.DataFrame:
    """Each figure as of the end of every month the labourer sheet holds."""
    rows = []
    with connect(engine_or_conn) as conn:
        for month in months(conn):
            fs = figures(conn, month_end(month), scope=scope, township=township, keys=keys)
            rows.append({"month": month} | fs.values)
    return pd.DataFrame(rows, columns=["month", *keys])
