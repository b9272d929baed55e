"""The figures, aggregated in SQL: for the district or one township, broken down by
township, village or any column of the figures' sheet, and month by month, as of any
date, always within the viewer's scope.

Snapshot sheets (labourers, workshops) are read at their latest month on or before
the date; event sheets are summed from 1 January of that year up to the date. A
distinct count (classes, enterprises, workshops, people, households) whose rows span
several townships is counted once, in the district-wide part, so that townships plus
the district-wide part always add up exactly to the district.

``poor_only=True`` (on ``figures``, ``breakdown``, ``monthly``, ``trend`` and
``income_bands``) keeps only the poor: labourer-sheet figures count only rows with
是否建档立卡 = 是 (a household figure then looks at a household's poor labourers
only), training figures only poor trainees (``trainee_is_poor``: 是 as written, or
blank and 是 in the labourer sheet); the other sheets are unchanged.

Every function takes the viewer's ``scope``: rows of townships outside it are never
read, and rows that belong to no township only by the whole-district scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ScalarSelect,
    and_,
    case,
    false,
    func,
    literal_column,
    null,
    select,
    true,
)

from ledger.access.scope import ALL, NOBODY, Scope  # noqa: F401  (the query layer's scope is the account's)
from ledger.query import summarised
from ledger.query.summarised import month_end
from ledger.store.figures import (
    BANDS,
    BY_KEY,
    EMPLOYED,
    FIGURES,
    Figure,
    aggregates,
    figure,
    income_band,
    trainee_is_poor,
)
from ledger.store.schema import BOOKKEEPING, DATA
from ledger.store.schema import slices as slice_table
from ledger.store.townships import names_in_order
from ledger.store.versions import current, in_force, reading_recorded
from loaders.spec import SHEETS_BY_KEY, YES_NO

# Sheets whose figures are a month's snapshot (the rest count events since 1 January).
SNAPSHOT_SHEETS = tuple(k for k, s in SHEETS_BY_KEY.items() if s.period == "month")
DISTRICT_WIDE = "全区（不分乡镇）"
NO_VILLAGE = "（未分村）"
BLANK = "（未填）"
CENTS = Decimal("0.01")


@dataclass
class FigureSet:
    as_of: dt.date | None
    township: str | None
    values: dict[str, object]
    months: dict[str, str | None]  # snapshot sheet → the month its figures come from


def connect(engine_or_conn):
    """A connection from an engine, or the caller's own connection borrowed as is (the
    caller's may be inside a write transaction: nothing is kept from it, see
    ``summarised.memo_reads``)."""
    return summarised.own(engine_or_conn) if isinstance(engine_or_conn, Engine) else _Borrowed(engine_or_conn)


class _Borrowed:
    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc):
        return False


def months(engine_or_conn, sheet: str = "labor") -> list[str]:
    """The months a sheet holds current rows for, oldest first (from the slices in
    force: a few rows, however large the ledger)."""
    with connect(engine_or_conn) as conn:
        return sorted(p for p in in_force(conn).get(sheet, {}) if p)


def default_as_of(engine_or_conn) -> dt.date | None:
    """The end of the latest 统计时点 in the labourer sheet (or of any sheet, if none)."""
    with connect(engine_or_conn) as conn:
        held = in_force(conn)
    latest = max((p for p in held.get("labor", {}) if p), default=None)
    if latest is None:
        candidates = [
            max((p for p in held.get(s, {}) if p), default=None)
            for s, sheet in SHEETS_BY_KEY.items() if sheet.period in ("month", "event") and s != "labor"
        ]
        latest = max((c for c in candidates if c), default=None)
    return month_end(latest) if latest else None


def snapshot_month(conn: Connection, sheet: str, as_of: dt.date) -> str | None:
    month = as_of.strftime("%Y-%m")
    return max((p for p in in_force(conn).get(sheet, {}) if p and p <= month), default=None)


def snapshot_period(conn: Connection, sheet: str, as_of: dt.date) -> str | ScalarSelect | None:
    """``snapshot_month`` for ``base_filter``: today's as a scalar subquery of the
    slices, so a people list is one statement (the slices' own round trip was a tenth
    of a village's list); a recorded state's month is read first, as before."""
    if reading_recorded():
        return snapshot_month(conn, sheet, as_of)
    return (
        select(func.max(slice_table.c.period))
        .where(slice_table.c.sheet == sheet, slice_table.c.period <= as_of.strftime("%Y-%m"), slice_table.c.period != "")
        .scalar_subquery()
    )


def township_order(conn: Connection) -> list[str]:
    """The townships in code order: the stored 行政区划 list, or the configuration's."""
    return names_in_order(conn)


def _poor_filter(sheet: str, t) -> list:
    """``poor_only``: 建档立卡 labourers, poor trainees; other sheets are not narrowed."""
    if sheet == "labor":
        return [t.c.is_poor.is_(True)]
    if sheet == "training":
        return [trainee_is_poor(t)]
    return []


def base_filter(sheet: str, t, as_of: dt.date, snap: dict[str, str | ScalarSelect | None], poor_only: bool = False):
    spec = SHEETS_BY_KEY[sheet]
    clauses = [current(t)]
    if sheet in SNAPSHOT_SHEETS:
        month = snap.get(sheet)  # a month, None, or ``snapshot_period``'s subquery
        clauses.append(false() if month is None or isinstance(month, str) and not month else t.c.period == month)
        if sheet == "workshops":
            clauses += [t.c.resumed_on.is_not(None), t.c.resumed_on <= as_of]
    else:
        date_col = t.c[spec.period_column]
        clauses += [date_col >= dt.date(as_of.year, 1, 1), date_col <= as_of]
        # The period narrows the scan to this year's slices before the date test.
        clauses += [t.c.period >= f"{as_of.year:04d}-01", t.c.period <= as_of.strftime("%Y-%m")]
    if poor_only:
        clauses += _poor_filter(sheet, t)
    return and_(*clauses)


def _township_col(t):
    return t.c.township if "township" in t.c else null()


def _village_col(t):
    return t.c.village if "village" in t.c else null()


# --- Aggregates at a grain ---------------------------------------------------------
# A grain is a list of (label, expression or None): the groups a query returns. None
# stands for a column the sheet lacks (it selects NULL, ungrouped: GROUP BY NULL is an
# error on PostgreSQL); an expression that is not a plain column is grouped by its
# label, since PostgreSQL does not match a GROUP BY expression whose parameters differ.


def _grain(t, by: str | None) -> list[tuple[str, object]]:
    if by is None:
        return []
    if by in ("township", "village"):
        names = ["township"] + (["village"] if by == "village" else [])
        return [(n, t.c[n] if n in t.c else None) for n in names]
    return [(by, t.c[by])]


def _grain_sql(grain) -> tuple[list, list]:
    selected = [(e if e is not None else null()).label(n) for n, e in grain]
    grouped = [e if isinstance(e, Column) else n for n, e in grain if e is not None]
    return selected, grouped


def _plain_query(figs: list[Figure], t, grain, scope: Scope, base):
    selected, grouped = _grain_sql(grain)
    aggs = [a for fig in figs for a in aggregates(fig, t)]
    stmt = select(*selected, *aggs).where(base, scope.clause(_township_col(t)))
    return stmt.group_by(*grouped) if grouped else stmt


def _median_query(fig: Figure, t, grain, scope: Scope, base):
    """The middle row (odd count) or two middle rows (even) of each group, by ROW_NUMBER
    and COUNT over the group: returns the group, their sum and how many (1 or 2)."""
    col = t.c[fig.column]
    where = [base, scope.clause(_township_col(t)), col.is_not(None)]
    if fig.condition(t) is not None:
        where.append(fig.condition(t))
    parts = [e for _, e in grain if e is not None] or None
    selected = [(e if e is not None else null()).label(f"g{i}") for i, (_, e) in enumerate(grain)]
    sub = select(
        *selected,
        col.label("v"),
        func.row_number().over(partition_by=parts, order_by=col).label("rn"),
        func.count().over(partition_by=parts).label("n"),
    ).where(*where).subquery()
    groups = [sub.c[f"g{i}"] for i in range(len(grain))]
    # 2·rn ∈ [n, n + 2]: the middle row when n is odd, the two middle rows when even
    # (no division, whose result type differs between backends).
    middle = and_(2 * sub.c.rn >= sub.c.n, 2 * sub.c.rn <= sub.c.n + 2)
    stmt = select(*groups, func.sum(sub.c.v), func.count()).where(middle)
    real = [g for g, (_, e) in zip(groups, grain) if e is not None]
    return stmt.group_by(*real) if real else stmt


def _distinct_where(fig: Figure, t, base) -> list:
    where = [base, t.c[fig.column].is_not(None)]
    if fig.condition(t) is not None:
        where.append(fig.condition(t))
    return where


def _none_of(stmt, fig: Figure, t):
    if fig.none_of is None:
        return stmt
    return stmt.having(func.max(case((fig.none_of(t), 1), else_=0)) == 0)


def _distinct_query(fig: Figure, t, by, scope: Scope, base, extra=()):
    """Each distinct value is attributed to the one township (village) all its rows share,
    else to the district-wide part; the scope then applies to that attribution.
    ``extra`` columns (the period) split the values before attribution."""
    entity = t.c[fig.column]
    town = _township_col(t)
    one_town = func.min(town) == func.max(town)
    attributed = [case((one_town, func.min(town)), else_=null()).label("township")]
    if by == "village":
        vil = _village_col(t)
        same = and_(one_town, func.min(vil) == func.max(vil))
        attributed.append(case((same, func.min(vil)), else_=null()).label("village"))
    extra_sel = [e.label(n) for n, e in extra]
    sub = select(entity.label("entity"), *extra_sel, *attributed).where(*_distinct_where(fig, t, base))
    sub = _none_of(sub.group_by(entity, *[e for _, e in extra]), fig, t).subquery()
    grain = [sub.c[n] for n, _ in extra]
    if by is not None:
        grain += [sub.c.township] + ([sub.c.village] if by == "village" else [])
    stmt = select(*grain, func.count()).select_from(sub).where(scope.clause(sub.c.township))
    return stmt.group_by(*grain) if grain else stmt


def _distinct_by_column(fig: Figure, t, by: str, scope: Scope, base):
    """Distinct values per value of column ``by``: a value with rows in several groups
    is counted in each; the scope applies to its township attribution over all rows.
    One pass with window functions over the value's rows (a join of the pairs with the
    values' attribution was planned as a nested loop on PostgreSQL: 11 s for 20,000
    rows)."""
    entity = t.c[fig.column]
    town = _township_col(t)
    whole = {"partition_by": entity}
    lo, hi = func.min(town).over(**whole), func.max(town).over(**whole)
    rows = [t.c[by].label("grp"), entity.label("entity"), case((lo == hi, lo), else_=null()).label("township")]
    if fig.none_of is not None:
        rows.append(func.max(case((fig.none_of(t), 1), else_=0)).over(**whole).label("hit"))
    sub = select(*rows).where(*_distinct_where(fig, t, base)).subquery()
    keep = [scope.clause(sub.c.township)] + ([sub.c.hit == 0] if fig.none_of is not None else [])
    pairs = select(sub.c.grp, sub.c.entity).where(*keep).distinct().subquery()
    return select(pairs.c.grp, func.count()).group_by(pairs.c.grp)


def _gather(conn: Connection, figs: list[Figure], t, grain, scope: Scope, base, distinct, raws) -> None:
    """Run one query for the sheet's plain figures and one per median or distinct figure;
    ``raws[group][key]`` gets the raw aggregates. ``distinct`` says how distinct figures
    are grouped: "attributed" (grain None/township/village), "column" or "period"."""
    width = len(grain)
    plain = [f for f in figs if f.agg in ("count", "sum", "mean")]
    if plain:
        for row in conn.execute(_plain_query(plain, t, grain, scope, base)):
            group, rest = tuple(row[:width]), list(row[width:])
            for fig in plain:
                n = 2 if fig.agg == "mean" else 1
                raws[group][fig.key], rest = rest[:n], rest[n:]
    for fig in (f for f in figs if f.agg == "median"):
        for row in conn.execute(_median_query(fig, t, grain, scope, base)):
            raws[tuple(row[:width])][fig.key] = list(row[width:])
    for fig in (f for f in figs if f.agg == "distinct"):
        if distinct == "column":
            stmt = _distinct_by_column(fig, t, grain[0][0], scope, base)
        elif distinct == "period":
            stmt = _distinct_query(fig, t, None, scope, base, extra=[("period", t.c.period)])
        else:
            stmt = _distinct_query(fig, t, None if not grain else grain[-1][0], scope, base)
        for row in conn.execute(stmt):
            raws[tuple(row[:width])][fig.key] = [row[width]]


def _convert(fig: Figure, raw: list):
    if fig.agg in ("mean", "median"):
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


def _expand(figs: list[Figure]) -> tuple[list[Figure], list[Figure]]:
    """The figures to aggregate (a ratio's parts instead of the ratio) and the ratios."""
    ratios = [f for f in figs if f.agg == "ratio"]
    wanted = {f.key: f for f in figs if f.agg != "ratio"}
    for f in ratios:
        wanted |= {k: BY_KEY[k] for k in f.parts}
    return list(wanted.values()), ratios


def _per_sheet(figs: list[Figure]) -> dict[str, list[Figure]]:
    by_sheet: dict[str, list[Figure]] = defaultdict(list)
    for fig in figs:
        by_sheet[fig.table].append(fig)
    return by_sheet


def _values(raws: dict, ratios: list[Figure]) -> dict:
    out: dict = defaultdict(dict)
    for group, vals in raws.items():
        for key, raw in vals.items():
            out[group][key] = _convert(BY_KEY[key], raw)
        for f in ratios:
            out[group][f.key] = _ratio(f, out[group])
    return out


def _from_summaries(conn, sheet, figs, slices, by, scope: Scope, poor_only: bool, as_of, raws, extra=(),
                    memos: list | None = None) -> None:
    """One sheet's figures from its summaries, into ``raws`` as ``_gather`` fills it.
    ``extra``: groups before the place, (label, summary table → expression): the
    period, for month-by-month series. A year's distinct count that a memo may serve
    is added to ``memos`` (fig, slices), when given, for ``_distinct_from_memos``."""
    plain = [f for f in figs if f.agg in ("count", "sum", "mean")]
    if plain:
        summarised.additive(conn, sheet, plain, slices, by, scope, poor_only, as_of, raws, extra)
    snapshot = [f for f in figs if f.agg == "distinct" and sheet in SNAPSHOT_SHEETS]
    if snapshot:
        summarised.snapshot_distinct(conn, snapshot, slices, by, scope, poor_only, raws, extra)
    for fig in figs:
        if fig.agg == "median" and summarised.median_level(by, scope) is None:
            # by village (or a column within a township): the detail of those slices
            t = DATA[sheet]
            base = and_(summarised.in_slices(t, slices), *(_poor_filter(sheet, t) if poor_only else []))
            grain = [(n, fn(t)) for n, fn in extra] + _grain(t, by)
            width = len(grain)
            for row in conn.execute(_median_query(fig, t, grain, scope, base)):
                raws[tuple(row[:width])][fig.key] = list(row[width:])
        elif fig.agg == "median":
            summarised.median(conn, fig, slices, by, scope, poor_only, raws, extra)
        elif fig.agg == "distinct" and sheet not in SNAPSHOT_SHEETS:
            if memos is not None and not extra:
                memos.append((fig, slices))
            else:
                _year_distinct(conn, fig, slices, by, scope, poor_only, raws, extra)


def _year_distinct(conn, fig: Figure, slices, by, scope: Scope, poor_only: bool, raws, extra=()) -> None:
    """A distinct count over the months of a year, counted from the entity summaries."""
    source = summarised.entity_source(conn, fig, slices, poor_only)
    groups = [(n, fn(source)) for n, fn in extra]
    width = len(groups) + (0 if by is None else 1 if by == "township" else 2)
    stmt = _distinct_query(summarised.bare(fig), source, by, scope, true(), extra=groups)
    for row in conn.execute(stmt):
        raws[tuple(row[:width])][fig.key] = [row[width]]


def _distinct_from_memos(conn, memos: list, by, scope: Scope, poor_only: bool, raws) -> None:
    """The year's distinct counts gathered by ``_from_summaries``: from their memos,
    or counted where none can be kept."""
    for fig, slices in summarised.memo_reads(conn, memos, by, scope, poor_only, raws, _year_distinct_by_village):
        _year_distinct(conn, fig, slices, by, scope, poor_only, raws)


def _year_distinct_by_village(conn, fig: Figure, slices, poor_only: bool) -> list[tuple]:
    """A year's distinct count attributed by village for every scope: (township, village, n)."""
    source = summarised.entity_source(conn, fig, slices, poor_only)
    return [tuple(r) for r in conn.execute(_distinct_query(summarised.bare(fig), source, "village", ALL, true()))]


def _collect(conn: Connection, figs: list[Figure], as_of: dt.date, scope: Scope, by: str | None, poor_only=False):
    """{group: {key: value}} for the figures at the grain ``by`` (None, township, village
    or a column)."""
    figs, ratios = _expand(figs)
    raws: dict[tuple, dict[str, list]] = defaultdict(dict)
    if summarised.serves(figs, by) and summarised.is_month_end(as_of):
        plan = summarised.plan(conn, {f.table for f in figs}, [as_of.strftime("%Y-%m")])
        if plan is not None:
            memos: list = []
            for sheet, sheet_figs in _per_sheet(figs).items():
                _from_summaries(conn, sheet, sheet_figs, plan.slices[sheet], by, scope, poor_only, as_of, raws,
                                memos=memos)
            _distinct_from_memos(conn, memos, by, scope, poor_only, raws)
            return _values(raws, ratios), plan.snap
    snap = {s: snapshot_month(conn, s, as_of) for s in SNAPSHOT_SHEETS}
    distinct = "attributed" if by in (None, "township", "village") else "column"
    for sheet, sheet_figs in _per_sheet(figs).items():
        t = DATA[sheet]
        base = base_filter(sheet, t, as_of, snap, poor_only)
        _gather(conn, sheet_figs, t, _grain(t, by), scope, base, distinct, raws)
    return _values(raws, ratios), snap


def _zero(fig: Figure):
    if fig.agg in ("mean", "median", "ratio"):
        return None
    return Decimal(0) if fig.money else 0


def figures(
    engine_or_conn,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    township: str | None = None,
    keys: list[str] | None = None,
    poor_only: bool = False,
) -> FigureSet:
    """The figures for the district (or one township) as of a date, within ``scope``."""
    figs = [figure(k) for k in keys] if keys else list(FIGURES)
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        if as_of is None:
            return FigureSet(None, township, {f.key: _zero(f) for f in figs}, {})
        got, snap = _collect(conn, figs, as_of, scope.narrowed(township), None, poor_only)
    row = got.get((), {})
    values = {f.key: row.get(f.key, _zero(f)) for f in figs}
    return FigureSet(as_of, township, values, snap)


# --- Breakdowns --------------------------------------------------------------------


def _column_of(figs: list[Figure], by: str):
    """The spec of column ``by``, which every figure's sheet (a ratio's parts' too) must have."""
    sheets = {f.table for f in _expand(figs)[0]}
    lacking = sorted(s for s in sheets if by in BOOKKEEPING or by not in DATA[s].c)
    if lacking:
        raise ValueError(f"Column {by!r} is not a column of sheet(s) {', '.join(lacking)}: cannot break down by it.")
    return SHEETS_BY_KEY[sorted(sheets)[0]].column(by)


def _shown(col, value):
    """A column value as a category label: blank as （未填）, yes/no as 是/否 (有/无)."""
    if value is None or value == "":
        return BLANK
    if col.kind == "yesno":
        yes, no = col.values or YES_NO
        return yes if value else no
    return value


def _allowed(col) -> tuple:
    return tuple(col.values or YES_NO) if col.kind == "yesno" else tuple(col.values)


def _category_order(col, groups: dict, rank) -> list:
    """Every allowed value of ``col`` in the spec's order, then other values present that
    have something to show, by ``rank`` (a sort key), then （未填） if it has."""
    allowed = _allowed(col)
    others = sorted((v for v in groups if v not in allowed and v != BLANK and rank(v) is not None), key=str)
    others.sort(key=rank)
    blank = [BLANK] if BLANK in groups and rank(BLANK) is not None else []
    return list(allowed) + others + blank


UNPLACED = {"township": DISTRICT_WIDE, "village": NO_VILLAGE}


def placed(rows: pd.DataFrame, by: str, keys: list[str]) -> pd.DataFrame:
    """``rows`` of a breakdown less its unplaced row (全区（不分乡镇）, （未分村）) when that
    row holds nothing: most sheets have no district-wide part, and an empty bar or row
    would only puzzle a reader. An unplaced row with a figure stays, so the rows still
    add up to the district."""
    unplaced = UNPLACED.get(by)
    if unplaced is None or not len(rows):
        return rows
    empty = (rows[by] == unplaced) & ~rows[keys].apply(lambda r: any(v for v in r if v == v), axis=1)
    return rows[~empty].reset_index(drop=True)


def with_figure(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``rows`` less the places without any of the figures (a township with no labourers
    has no employment rate): for a ranking that shows only what can be ranked."""
    return rows.dropna(subset=keys, how="all").reset_index(drop=True)


def breakdown(
    engine_or_conn,
    keys: list[str] | str,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    by: str = "township",
    township: str | None = None,
    poor_only: bool = False,
) -> pd.DataFrame:
    """Figures by township (every township in scope, zeros included, in code order, then
    the district-wide part), by village (of one township, or all), or by a column of the
    figures' sheet (e.g. ``mode``): then one row per value, in a column named ``by``.

    By a column: every value the spec allows, in the spec's order, zeros included; then
    other values with a nonzero figure, by the first key descending; then blank values
    as （未填） when they have any. Every key must come from a sheet with that column
    (ValueError otherwise). A distinct figure counts a value (class, household) in each
    group it has rows in, so its groups may add up to more than the district's figure.
    One SQL query per sheet involved; a median or distinct figure adds one of its own."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    figs = [figure(k) for k in keys]
    column = None if by in ("township", "village") else _column_of(figs, by)
    narrowed = scope.narrowed(township)
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        got, _ = _collect(conn, figs, as_of, narrowed, by, poor_only) if as_of else ({}, {})
        names = township_order(conn) if by == "township" else []  # only townships are placed in code order
    if column is not None:
        return _column_frame(column, by, figs, keys, got, narrowed)
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
            rec["village"] = group[1] if group[1] is not None else NO_VILLAGE
        rec |= {f.key: vals.get(f.key, _zero(f)) for f in figs}
        records.append(rec)
    if by == "township" and not any(r["township"] == DISTRICT_WIDE for r in records):
        if narrowed.townships is None:
            records.append({"township": DISTRICT_WIDE} | {f.key: _zero(f) for f in figs})
    columns = ["township"] + (["village"] if by == "village" else []) + keys
    return pd.DataFrame.from_records(records, columns=columns)


def _column_frame(column, by: str, figs: list[Figure], keys: list[str], got: dict, scope: Scope) -> pd.DataFrame:
    if scope.townships is not None and not scope.townships:
        return pd.DataFrame(columns=[by, *keys])
    merged: dict = {}
    for (value,), vals in got.items():
        merged.setdefault(_shown(column, value), vals)
    first = figs[0].key

    def rank(v):
        vals = merged.get(v, {})
        if not any(vals.get(f.key) for f in figs):
            return None
        x = vals.get(first)
        return (x is None, -(x or 0))

    records = [
        {by: v} | {f.key: merged.get(v, {}).get(f.key, _zero(f)) for f in figs}
        for v in _category_order(column, merged, rank)
    ]
    return pd.DataFrame.from_records(records, columns=[by, *keys])


# --- Month by month ----------------------------------------------------------------


def _snapshot_series(conn, sheet: str, figs, months_, ends, scope: Scope, poor_only: bool, carry: bool, raws,
                     plan=None) -> None:
    """Snapshot sheets: each month at its own snapshot (``carry``: the latest one on or
    before it, as ``figures`` reads it), one query grouped by period. Workshops count
    from their 复工日期, which is bucketed by month so one query serves every month."""
    t = DATA[sheet]
    if plan is not None:
        stored = sorted(plan.held.get(sheet, {}))
        source = {m: max((p for p in stored if p <= m), default=None) if carry else (m if m in stored else None)
                  for m in months_}
    elif carry:
        stored = months(conn, sheet)
        source = {m: max((p for p in stored if p <= m), default=None) for m in months_}
    else:
        source = dict(zip(months_, months_))
    periods = sorted({p for p in source.values() if p})
    if not periods:
        return
    base = [current(t), t.c.period.in_(periods)] + (_poor_filter(sheet, t) if poor_only else [])
    grain = [("period", t.c.period)]
    dated = sheet == "workshops"
    if dated:
        if any(f.agg not in ("count", "sum") for f in figs):
            raise ValueError("Month by month, workshop figures must be counts or sums.")
        base += [t.c.resumed_on.is_not(None), t.c.resumed_on <= ends[-1]]
        grain.append(("_bucket", case(*[(t.c.resumed_on <= end, i) for i, end in enumerate(ends)])))
    got: dict = defaultdict(dict)
    if plan is not None:
        extra = [("period", lambda s: s.c.period)]
        if dated:
            extra.append(("_bucket", lambda s: case(*[(s.c.resumed_on <= end, i) for i, end in enumerate(ends)])))
        _from_summaries(conn, sheet, figs, plan.slices[sheet], None, scope, poor_only, ends[-1], got, extra=extra)
    else:
        _gather(conn, figs, t, grain, scope, and_(*base), "period", got)
    for i, m in enumerate(months_):
        if not source[m]:
            continue
        if not dated:
            raws[m] |= got.get((source[m],), {})
            continue
        for fig in figs:  # resumed by this month's end: buckets 0 … i
            parts = [got[(source[m], b)][fig.key][0] for b in range(i + 1) if (source[m], b) in got]
            raws[m][fig.key] = [sum(int(x or 0) for x in parts)]


def _distinct_running(fig: Figure, t, scope: Scope, base):
    """Year to date, a value counts from its first month on; within a narrowed scope it
    counts while all its rows so far share one township in scope, which can change as
    rows come. Returns (period, change in the count) rows: a running MIN/MAX of the
    township per value over the months, and LAG to find where its standing changes."""
    if fig.none_of is not None:
        raise ValueError(f"{fig.key}: a running count of values none of whose rows meets a condition is not supported.")
    entity, town = t.c[fig.column], _township_col(t)
    per_month = (
        select(entity.label("entity"), t.c.period.label("period"), func.min(town).label("lo"),
               func.max(town).label("hi"))
        .where(*_distinct_where(fig, t, base))
        .group_by(entity, t.c.period)
        .subquery()
    )
    window = {"partition_by": per_month.c.entity, "order_by": per_month.c.period}
    so_far = select(
        per_month.c.entity,
        per_month.c.period,
        func.min(per_month.c.lo).over(**window).label("lo"),
        func.max(per_month.c.hi).over(**window).label("hi"),
    ).subquery()
    if scope.townships is None:
        counted = literal_column("1")
    else:
        counted = case((and_(so_far.c.lo == so_far.c.hi, scope.clause(so_far.c.lo)), literal_column("1")),
                       else_=literal_column("0"))
    # LAG(x) without a default: MariaDB's LAG takes none; the first month has NULL.
    before = func.coalesce(func.lag(counted).over(partition_by=so_far.c.entity, order_by=so_far.c.period), 0)
    steps = select(so_far.c.period, counted.label("now"), before.label("before")).subquery()
    return select(steps.c.period, func.sum(steps.c.now - steps.c.before)).group_by(steps.c.period)


def _event_series(conn, sheet: str, figs, months_, ends, scope: Scope, poor_only: bool, cumulative: bool, raws,
                  plan=None) -> None:
    """Event sheets: one query grouped by period (the month of the row's date) for the
    year up to the last date; year to date is the running sum of the months (a distinct
    figure has its own query for the running count)."""
    t = DATA[sheet]
    date = t.c[SHEETS_BY_KEY[sheet].period_column]
    base = [
        current(t), date >= dt.date(ends[-1].year, 1, 1), date <= ends[-1],
        t.c.period >= months_[0], t.c.period <= months_[-1],
    ]
    base = and_(*base, *(_poor_filter(sheet, t) if poor_only else []))
    if cumulative and any(f.agg == "median" for f in figs):
        raise ValueError("A median cannot be summed over the months of an event sheet.")
    got: dict = defaultdict(dict)
    running_distinct = [f for f in figs if f.agg == "distinct"] if cumulative else []
    grain = [("period", t.c.period)]
    rest = [f for f in figs if f not in running_distinct]
    if plan is not None:
        _from_summaries(conn, sheet, rest, plan.slices[sheet], None, scope, poor_only, ends[-1], got,
                        extra=[("period", lambda s: s.c.period)])
    else:
        _gather(conn, rest, t, grain, scope, base, "period", got)
    for fig in running_distinct:
        if plan is not None:
            source = summarised.entity_source(conn, fig, plan.slices[sheet], poor_only)
            stmt = _distinct_running(summarised.bare(fig), source, scope, true())
        else:
            stmt = _distinct_running(fig, t, scope, base)
        for period, change in conn.execute(stmt):
            got[(period,)][fig.key] = [change]
    if not cumulative:
        for m in months_:
            raws[m] |= got.get((m,), {})
        return
    total: dict[str, list[int]] = {}
    for m in months_:
        for fig in figs:
            raw = got.get((m,), {}).get(fig.key)
            so_far = total.setdefault(fig.key, [0] * (2 if fig.agg == "mean" else 1))
            if raw is not None:
                total[fig.key] = so_far = [a + int(b or 0) for a, b in zip(so_far, raw)]
            raws[m][fig.key] = list(so_far)


def _series(conn, figs: list[Figure], last: dt.date, scope: Scope, poor_only: bool, cumulative: bool, carry: bool):
    """{month: {key: value}} for every month from January of ``last``'s year to its month,
    each as of its month's end (the last as of ``last``)."""
    months_ = [f"{last.year:04d}-{m:02d}" for m in range(1, last.month + 1)]
    ends = [month_end(m) for m in months_[:-1]] + [last]
    figs, ratios = _expand(figs)
    raws: dict[str, dict[str, list]] = {m: {} for m in months_}
    plan = summarised.plan(conn, {f.table for f in figs}, months_, carry=carry) if summarised.is_month_end(last) else None
    for sheet, sheet_figs in _per_sheet(figs).items():
        if sheet in SNAPSHOT_SHEETS:
            _snapshot_series(conn, sheet, sheet_figs, months_, ends, scope, poor_only, carry, raws, plan)
        else:
            _event_series(conn, sheet, sheet_figs, months_, ends, scope, poor_only, cumulative, raws, plan)
    out = {}
    for m in months_:
        vals = {f.key: (_convert(f, raws[m][f.key]) if f.key in raws[m] else _zero(f)) for f in figs}
        out[m] = vals | {f.key: _ratio(f, vals) for f in ratios}
    return out


def monthly(
    engine_or_conn,
    keys: list[str] | str,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    township: str | None = None,
    poor_only: bool = False,
    cumulative: bool = True,
) -> pd.DataFrame:
    """Columns ``month`` + keys, one row per month from January of ``as_of``'s year to
    its month (default: the latest labourer month). Snapshot sheets are read at each
    month's own snapshot (a month without one gives zeros / None); event sheets are
    summed within each month, or with ``cumulative`` from 1 January to the month's end
    (year to date, as the trend charts show); the last month ends at ``as_of``. Ratios,
    means and medians are computed per month. One query grouped by period per sheet
    (a median or distinct figure adds one of its own), not one per month."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    figs = [figure(k) for k in keys]
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        if as_of is None:
            return pd.DataFrame(columns=["month", *keys])
        got = _series(conn, figs, as_of, scope.narrowed(township), poor_only, cumulative, carry=False)
    rows = [{"month": m} | {k: vals[k] for k in keys} for m, vals in got.items()]
    return pd.DataFrame(rows, columns=["month", *keys])


# --- Income bands and workshops month by month -------------------------------------

def income_bands(
    engine_or_conn,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    township: str | None = None,
    by: str | None = None,
    poor_only: bool = False,
) -> pd.DataFrame:
    """已就业 labourers of the snapshot by 月收入 band: columns [``by``] + ``band``,
    ``people``; every band in order, zeros included (a band's lower bound belongs to it:
    1000 yuan is in 1000–2000元). ``by`` is None, "township" (every township in scope, in
    code order) or a labourer column such as "mode" or "work_area" (its allowed values
    in order, then others, then （未填）); one query with a CASE for the band."""
    t = DATA["labor"]
    if by is not None and (by in BOOKKEEPING or by not in t.c):
        raise ValueError(f"Column {by!r} is not a column of the labourer sheet.")
    narrowed = scope.narrowed(township)
    grain = [] if by is None else [(by, t.c[by])]
    counts: dict[tuple, int] = {}
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        names = township_order(conn)
        plan = None
        if as_of is not None and by in (None, "township") and summarised.is_month_end(as_of):
            plan = summarised.plan(conn, {"labor"}, [as_of.strftime("%Y-%m")])
        if plan is not None:
            counts = summarised.bands(conn, plan.slices["labor"], by, narrowed, poor_only)
        elif as_of is not None:
            base = base_filter("labor", t, as_of, {"labor": snapshot_month(conn, "labor", as_of)}, poor_only)
            selected, grouped = _grain_sql(grain)
            stmt = (
                select(*selected, income_band(t.c.monthly_income).label("_band"), func.count())
                .where(base, EMPLOYED(t), narrowed.clause(t.c.township))
                .group_by(*grouped, "_band")
            )
            counts = {tuple(r[:-1]): int(r[-1]) for r in conn.execute(stmt)}
    columns = ([by] if by else []) + ["band", "people"]
    if by is None:
        groups = [()]
    elif narrowed.townships is not None and not narrowed.townships:
        return pd.DataFrame(columns=columns)
    elif by == "township":
        present = {g[0] for g in counts}
        visible = [n for n in names if narrowed.townships is None or n in narrowed.townships]
        groups = [(n,) for n in visible + sorted(present - set(visible) - {None})]
    else:
        col = SHEETS_BY_KEY["labor"].column(by)
        per: dict = defaultdict(lambda: [0] * len(BANDS))  # shown value → people per band
        for (value, band), n in counts.items():
            per[_shown(col, value)][band] += n
        order = _category_order(col, per, lambda v: -sum(per[v]) if sum(per.get(v, ())) else None)
        records = [
            {by: label, "band": band, "people": per[label][i] if label in per else 0}
            for label in order for i, band in enumerate(BANDS)
        ]
        return pd.DataFrame.from_records(records, columns=columns)
    records = [
        ({by: g[0]} if by else {}) | {"band": band, "people": counts.get((*g, i), 0)}
        for g in groups for i, band in enumerate(BANDS)
    ]
    return pd.DataFrame.from_records(records, columns=columns)


# The 扶贫车间 chart's lines: the workshops with most people on duty, the rest summed
# as one line. A line each was ~1,000 lines at district level at scale 10: unreadable,
# and 1.3 s of every warm view of the page went into building and sending them.
WORKSHOP_LINES = 15


def other_workshops(n: int) -> str:
    """The name of the line that sums the workshops left out of the chart."""
    return f"其他{n}个车间"


def workshop_monthly(
    engine_or_conn, as_of: dt.date | None = None, *, scope: Scope = ALL, township: str | None = None,
    lines: int | None = WORKSHOP_LINES,
) -> pd.DataFrame:
    """Workshops' monthly rows (resumed or not) of ``as_of``'s year up to its month:
    columns ``name``, ``township``, ``month``, ``on_duty``, ``poor_on_duty``,
    ``resumed_on``, ``workshops`` (how many workshops the row stands for); ordered by
    township (code order), workshop name and month. With more than ``lines`` + 1
    workshops, only the ``lines`` with most people on duty in the latest month (then
    in the year, then by township and name; ranked in SQL) keep their own rows, and
    the rest are summed per month into rows named ``other_workshops(N)`` (last), so
    the months' totals are unchanged. ``lines=None``: every workshop."""
    t = DATA["workshops"]
    columns = ["name", "township", "month", "on_duty", "poor_on_duty", "resumed_on", "workshops"]
    narrowed = scope.narrowed(township)
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        if as_of is None:
            return pd.DataFrame(columns=columns)
        where = (
            current(t),
            t.c.period >= f"{as_of.year:04d}-01",
            t.c.period <= as_of.strftime("%Y-%m"),
            narrowed.clause(t.c.township),
        )
        per_workshop = select(t.c.township, t.c.name).where(*where).group_by(t.c.township, t.c.name)
        count = conn.execute(select(func.count()).select_from(per_workshop.subquery())).scalar() or 0
        if lines is None or count <= lines + 1:
            stmt = select(t.c.name, t.c.township, t.c.period, t.c.on_duty, t.c.poor_on_duty,
                          t.c.resumed_on).where(*where)
        else:
            latest = snapshot_month(conn, "workshops", as_of)
            on_duty = func.coalesce(t.c.on_duty, 0)
            top = (
                per_workshop.order_by(func.sum(case((t.c.period == latest, on_duty), else_=0)).desc(),
                                      func.sum(on_duty).desc(), t.c.township, t.c.name)
                .limit(lines)
                .subquery("top")
            )
            kept = top.c.name.is_not(None)
            stmt = (
                select(top.c.name, top.c.township, t.c.period, func.sum(on_duty).label("on_duty"),
                       func.sum(func.coalesce(t.c.poor_on_duty, 0)).label("poor_on_duty"),
                       func.max(case((kept, t.c.resumed_on))).label("resumed_on"))
                .select_from(t.outerjoin(top, and_(t.c.township == top.c.township, t.c.name == top.c.name)))
                .where(*where)
                .group_by(top.c.name, top.c.township, t.c.period)
            )
        rows = conn.execute(stmt).all()
        names = township_order(conn)
    rest = count - lines if lines is not None and count > lines + 1 else 0
    place = {n: i for i, n in enumerate(names)}
    rows.sort(key=lambda r: (r.name is None, place.get(r.township, len(place)), r.township or "", r.name or "",
                             r.period))
    records = [
        {"name": r.name, "township": r.township, "month": r.period, "on_duty": int(r.on_duty or 0),
         "poor_on_duty": int(r.poor_on_duty or 0), "resumed_on": r.resumed_on, "workshops": 1}
        if r.name is not None else
        {"name": other_workshops(rest), "township": None, "month": r.period, "on_duty": int(r.on_duty or 0),
         "poor_on_duty": int(r.poor_on_duty or 0), "resumed_on": None, "workshops": rest}
        for r in rows
    ]
    return pd.DataFrame.from_records(records, columns=columns)
