"""Per-slice summaries of the figures, so pages read a few rows per village and month
instead of every labourer.

A stored slice (one sheet's rows of one month, written by one import) never changes:
an import writes a new slice, a restore points back at an old one. So its summary is
computed once, in the transaction that writes it, and is valid for ever; the ledger
in force (today's or, inside ``as_recorded``, a reported month's) is the set of
summaries of the slices in force. Nothing is summed across slices at write time, so
imports, restores and freezes need no summary bookkeeping of their own.

What is kept, per slice, by township and village (``None`` where the sheet has none):

- ``ledger_sum_<sheet>``: every count, sum and mean of the sheet (a mean as its sum and
  count), by the row's poor mark (labourers: Y/N by 是否建档立卡; trainees: Y/N, or ?
  with the ID number when blank, since whether they are poor is read from the labourer
  sheet at query time) and, for workshops, by 复工日期 (figures count resumed ones);
  ``ledger_sum_<sheet>_t`` the same summed by township (read for the district and the
  townships), ``ledger_sum_labor_by`` by township and 就业方式 / 务工区域;
- ``ledger_sum_distinct``: distinct counts within a month's snapshot (households),
  attributed as the detail query does (to the one village / township all of a value's
  rows share, else one level up), for all rows and for poor rows only;
- ``ledger_sum_entities``: for distinct counts over the months of a year (classes,
  enterprises, trainees), each value once per place and poor mark: months are combined
  at query time, so the count stays exact;
- ``ledger_sum_values``: for medians, how many rows have each value.

``ledger_sum_slices`` lists the slices summarised and the layout they were written
with; a reader uses summaries only when every slice it needs is listed with today's
layout, and reads the detail otherwise (a store written by an earlier version is
summarised by ``init_db``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from functools import cache

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    null,
    select,
)

from ledger.store.figures import BANDS, EMPLOYED, FIGURES, Figure, aggregates, income_band
from ledger.store.schema import DATA, MYSQL, lock_for_writing, metadata, slice_changes
from loaders.spec import SHEETS_BY_KEY

SNAPSHOT = tuple(k for k, s in SHEETS_BY_KEY.items() if s.period == "month")
POOR_MARKED = ("labor", "training")  # sheets whose rows ``poor_only`` narrows


def _additive(sheet: str) -> list[Figure]:
    return [f for f in FIGURES if f.table == sheet and f.agg in ("count", "sum", "mean")]


def columns_of(fig: Figure) -> list[str]:
    """The summary columns holding a figure: its value, or a mean's sum and count."""
    i = _additive(fig.table).index(fig)
    return [f"a{i}", f"b{i}"] if fig.agg == "mean" else [f"a{i}"]


def snapshot_distinct() -> list[Figure]:
    return [f for f in FIGURES if f.agg == "distinct" and f.table in SNAPSHOT]


def year_distinct() -> list[Figure]:
    return [f for f in FIGURES if f.agg == "distinct" and f.table not in SNAPSHOT]


def medians() -> list[Figure]:
    return [f for f in FIGURES if f.agg == "median"]


def _place() -> list[Column]:
    return [
        Column("period", String(7), nullable=False),
        Column("import_id", Integer, nullable=False),
        Column("township", String(40)),
        Column("village", String(255)),
    ]


def _marks() -> list[Column]:
    return [Column("poor_mark", String(1), nullable=False), Column("trainee", String(18))]


# Columns of a sheet its summary is also kept by, for the breakdowns by them the pages
# draw (就业方式, 务工区域 of the labourers); other columns' breakdowns read the detail.
BY_COLUMNS = {"labor": ("mode", "work_area")}


def _by_columns(sheet: str) -> list[Column]:
    return [Column(name, String(20)) for name in BY_COLUMNS.get(sheet, ())]


def _value_columns(sheet: str) -> list[Column]:
    values = [Column(name, BigInteger, nullable=False) for f in _additive(sheet) for name in columns_of(f)]
    if sheet == "labor":  # 已就业 labourers per 月收入 band (query.income_bands)
        values += [Column(f"band{i}", BigInteger, nullable=False) for i in range(len(BANDS))]
    return values


def _sheet_table(sheet: str) -> Table:
    extra = [Column("resumed_on", Date)] if sheet == "workshops" else []
    table = Table(f"ledger_sum_{sheet}", metadata, *_place(), *_marks(), *extra, *_value_columns(sheet), **MYSQL)
    Index(f"ix_sum_{sheet}", table.c.period, table.c.import_id, table.c.township)
    return table


def _by_table(sheet: str) -> Table:
    """The same sums by township and the ``BY_COLUMNS`` (no village): a table of its own,
    so the district's figures still read only a few rows per village."""
    table = Table(f"ledger_sum_{sheet}_by", metadata, *_place(), *_marks(), *_by_columns(sheet),
                  *_value_columns(sheet), **MYSQL)
    Index(f"ix_sum_{sheet}_by", table.c.period, table.c.import_id, table.c.township)
    return table


def _town_table(sheet: str) -> Table:
    """The by-village sums added up by township (village NULL): the district's figures and
    the by-township breakdowns read a row per township instead of one per village (85
    districts: 1,360 townships, 21,600 villages; the subsidies of nine months summed from
    the villages took 30-40 ms on PostgreSQL)."""
    extra = [Column("resumed_on", Date)] if sheet == "workshops" else []
    table = Table(f"ledger_sum_{sheet}_t", metadata, *_place(), *_marks(), *extra, *_value_columns(sheet), **MYSQL)
    Index(f"ix_sum_{sheet}_t", table.c.period, table.c.import_id, table.c.township)
    return table


SHEET_SUMS: dict[str, Table] = {s: _sheet_table(s) for s in SHEETS_BY_KEY if _additive(s)}
TOWN_SUMS: dict[str, Table] = {s: _town_table(s) for s in SHEET_SUMS}
BY_SUMS: dict[str, Table] = {s: _by_table(s) for s in BY_COLUMNS}
# The kinds of a sheet's own sums: by village, by township, by township and BY_COLUMNS.
OWN_SUMS = (SHEET_SUMS, TOWN_SUMS, BY_SUMS)

distinct_sums = Table(
    "ledger_sum_distinct", metadata,
    *_place(),
    Column("poor", Boolean, nullable=False),  # counted among the poor rows only
    # one column per distinct figure of a snapshot (``distinct_column``)
    *[Column(f"d{i}", BigInteger, nullable=False) for i, _ in enumerate(snapshot_distinct())],
    **MYSQL,
)
Index("ix_sum_distinct", distinct_sums.c.period, distinct_sums.c.import_id, distinct_sums.c.township)


def distinct_column(fig: Figure) -> str:
    return f"d{snapshot_distinct().index(fig)}"


entities = Table(
    "ledger_sum_entities", metadata,
    Column("key", String(100), nullable=False),
    *_place(),
    *_marks(),
    Column("entity", String(255), nullable=False),
    **MYSQL,
)
Index("ix_sum_entities", entities.c.key, entities.c.period, entities.c.import_id)

values = Table(
    "ledger_sum_values", metadata,
    Column("key", String(100), nullable=False),
    # t: by township (village NULL); d: the district (both NULL), also by the BY_COLUMNS:
    # a median of the district reads one slice's few hundred values
    Column("level", String(1), nullable=False),
    *_place(),
    *_marks(),
    *_by_columns("labor"),  # level d only
    Column("value", BigInteger, nullable=False),
    Column("n", BigInteger, nullable=False),
    **MYSQL,
)
Index("ix_sum_values", values.c.key, values.c.level, values.c.period, values.c.import_id, values.c.township)

# Distinct counts over the months of a year, attributed by village, for one set of
# slices (``digest``): computed at the first read and kept, since slices never change.
memo_done = Table(
    "ledger_sum_memo_done", metadata,
    Column("digest", String(64), primary_key=True),
    Column("key", String(100), nullable=False),
    **MYSQL,
)
memo = Table(
    "ledger_sum_memo", metadata,
    Column("digest", String(64), nullable=False, index=True),
    Column("township", String(40)),
    Column("village", String(255)),
    Column("n", BigInteger, nullable=False),
    **MYSQL,
)
# The same counts summed by township, kept with them: the district's figures and the
# by-township breakdowns read a row per township (at a province's size 22,000 villages
# against 1,400 townships).
memo_towns = Table(
    "ledger_sum_memo_t", metadata,
    Column("digest", String(64), nullable=False, index=True),
    Column("township", String(40)),
    Column("n", BigInteger, nullable=False),
    **MYSQL,
)

# The 数据质量 page's counts (``ledger.query.quality.summary``) for one state of the
# ledger, date, scope and version of the checks (``digest``): the row checks read the
# whole detail (5 s at scale 10), and a state never changes once written.
quality_done = Table(
    "ledger_quality_memo_done", metadata,
    Column("digest", String(64), primary_key=True),
    **MYSQL,
)
quality_memo = Table(
    "ledger_quality_memo", metadata,
    Column("digest", String(64), nullable=False, index=True),
    Column("check_key", String(40), nullable=False),
    Column("township", String(40)),
    Column("n", BigInteger, nullable=False),
    **MYSQL,
)

summarised = Table(
    "ledger_sum_slices", metadata,
    Column("sheet", String(20), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("import_id", Integer, primary_key=True),
    Column("layout", String(64), nullable=False),
    **MYSQL,
)

TABLES = (*SHEET_SUMS.values(), *TOWN_SUMS.values(), *BY_SUMS.values(), distinct_sums, entities, values)
# derived from TABLES or the detail; emptied whenever those are rewritten or pruned
MEMOS = (memo, memo_towns, memo_done, quality_memo, quality_done)


@cache
def layout() -> str:
    """A fingerprint of what the summaries hold: a figure added or changed makes every
    stored summary stale (``ensure`` rewrites them)."""
    parts = {
        "sums": {s: [(f.key, f.agg, f.column, f.poor_trainees) for f in _additive(s)] for s in SHEET_SUMS},
        "distinct": [f.key for f in snapshot_distinct()],
        "entities": [f.key for f in year_distinct()],
        "values": [f.key for f in medians()],
        "bands": list(BANDS),
        "by": BY_COLUMNS,
        "version": 7,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _text(value: str):
    return literal_column(f"'{value}'")  # a constant the GROUP BY can repeat (no bound parameter)


def _mark(sheet: str, t):
    """Y/N (or ? when a trainee's 是否建档立卡 is blank), and the ID of a ? trainee."""
    if sheet == "labor":
        return case((t.c.is_poor.is_(True), _text("Y")), else_=_text("N")), null()
    if sheet == "training":
        mark = case((t.c.is_poor.is_(True), _text("Y")), (t.c.is_poor.is_(None), _text("?")), else_=_text("N"))
        return mark, case((t.c.is_poor.is_(None), t.c.id_number), else_=null())
    return _text("N"), null()


def _places(t) -> list:
    return [t.c.township if "township" in t.c else null(), t.c.village if "village" in t.c else null()]


def write_slice(conn: Connection, sheet: str, period: str, import_id: int) -> None:
    """Summarise the stored slice (sheet, period, import_id), on the caller's transaction."""
    for target, stmt in statements(sheet, period, import_id):
        conn.execute(insert(target).from_select([c.name for c in target.columns], stmt))
    if sheet in DATA and sheet != "townships":
        conn.execute(insert(summarised).values(sheet=sheet, period=period, import_id=import_id, layout=layout()))


def statements(sheet: str, period: str, import_id: int) -> list[tuple[Table, object]]:
    """(summary table, the SELECT of its rows for the slice from the detail), in the
    table's column order."""
    if sheet not in DATA or sheet == "townships":
        return []
    t = DATA[sheet]
    in_slice = and_(t.c.period == period, t.c.import_id == import_id)
    head = [literal(period, String(7)).label("period"), literal(import_id, Integer).label("import_id")]
    mark, trainee = _mark(sheet, t)
    town, village = _places(t)
    # constants (a sheet without townships, a sheet ``poor_only`` does not narrow) are not grouped
    varies = [c for c in (town, village) if not _is_null(c)] + [mark] * (sheet in POOR_MARKED) + [trainee] * (
        sheet == "training")
    out = []
    if sheet in SHEET_SUMS:
        aggs = []
        for fig in _additive(sheet):
            aggs += aggregates(_plain(fig), t)
        if sheet == "labor":
            band = income_band(t.c.monthly_income)
            aggs += [func.coalesce(func.sum(case((and_(EMPLOYED(t), band == i), 1), else_=0)), 0) for i in range(len(BANDS))]
        resumed = [t.c.resumed_on] if sheet == "workshops" else []
        grouped = varies + resumed
        stmt = select(*head, town, village, mark, trainee, *resumed, *aggs).where(in_slice)
        out.append((SHEET_SUMS[sheet], stmt.group_by(*grouped) if grouped else stmt))
        out.append((TOWN_SUMS[sheet], _by_township(SHEET_SUMS[sheet], period, import_id)))
        if sheet in BY_SUMS:
            columns = [t.c[n] for n in BY_COLUMNS[sheet]]
            grouped = [g for g in varies if g is not village] + columns
            stmt = select(*head, town, null(), mark, trainee, *columns, *aggs).where(in_slice).group_by(*grouped)
            out.append((BY_SUMS[sheet], stmt))
    # figures counting the same column under the same condition share one pass (households
    # and households with nobody in work); the others' columns are zero in its rows
    passes: dict[tuple, list[Figure]] = {}
    for fig in snapshot_distinct():
        if fig.table == sheet:
            passes.setdefault((fig.column, fig.where), []).append(fig)
    for figs in passes.values():
        out += [(distinct_sums, _distinct_stmt(figs, t, in_slice, head, poor)) for poor in (False, True)]
    for fig in year_distinct():
        if fig.table == sheet:
            entity = t.c[fig.column]
            where = [in_slice, entity.is_not(None)] + ([fig.where(t)] if fig.where is not None else [])
            stmt = select(_key(fig), *head, town, village, mark, trainee, entity).where(*where).distinct()
            out.append((entities, stmt))
    for fig in medians():
        if fig.table == sheet:
            col = t.c[fig.column]
            where = [in_slice, col.is_not(None)] + ([fig.where(t)] if fig.where is not None else [])
            marks = [g for g in varies if g is not town and g is not village]
            columns = [t.c[n] for n in BY_COLUMNS.get(sheet, ())]
            # t: by township; d: the district, by the BY_COLUMNS too (a village's or one
            # township's median by a column reads the detail through its index)
            for level, places, kept in (("t", [town, null()], []), ("d", [null(), null()], columns)):
                shown = [g for g in places if any(g is x for x in varies)]
                by_cols = kept + [null()] * (len(BY_COLUMNS["labor"]) - len(kept))
                stmt = select(_key(fig), _text(level).label("level"), *head, *places, mark, trainee, *by_cols, col,
                              func.count())
                out.append((values, stmt.where(*where).group_by(*shown, *marks, *kept, col)))
    return out


def _by_township(v: Table, period: str, import_id: int):
    """The slice's by-village rows summed by township: read after they are written (the
    statements run in order), so both levels hold the same numbers by construction."""
    keys = [v.c.township, v.c.poor_mark, v.c.trainee] + ([v.c.resumed_on] if "resumed_on" in v.c else [])
    kept = {"period", "import_id", "village"} | {k.name for k in keys}
    sums = [func.coalesce(func.sum(c), 0) for c in v.c if c.name not in kept]
    head = [literal(period, String(7)).label("period"), literal(import_id, Integer).label("import_id")]
    return (select(*head, v.c.township, null().label("village"), *keys[1:], *sums)
            .where(v.c.period == period, v.c.import_id == import_id).group_by(*keys))


def _key(fig: Figure):
    return literal(fig.key, String(100)).label("key")


def differences(conn: Connection) -> list[str]:
    """Every stored summary recomputed from the detail and compared, row for row: what
    differs (nothing, if the summaries are right). Writes nothing."""
    out = []
    for r in conn.execute(select(summarised)).all():
        fresh_by: dict[Table, Counter] = {}
        for target, stmt in statements(r.sheet, r.period, r.import_id):
            fresh_by.setdefault(target, Counter()).update(_row(x) for x in conn.execute(stmt))
        for target, fresh in fresh_by.items():
            cond = [target.c.period == r.period, target.c.import_id == r.import_id]
            if "key" in target.c:
                cond.append(target.c.key.in_([f.key for f in FIGURES if f.table == r.sheet]))
            kept = Counter(_row(x) for x in conn.execute(select(target).where(*cond)))
            if fresh != kept:
                out.append(f"{target.name} {r.sheet} {r.period} #{r.import_id}: "
                           f"{sum((kept - fresh).values())} stored rows not in the detail, "
                           f"{sum((fresh - kept).values())} detail rows not stored")
    return out


def _row(row) -> tuple:
    """A row as comparable values (a backend may hand back a count as Decimal or a bool as 0/1)."""
    return tuple(int(v) if isinstance(v, (bool, Decimal)) else v for v in row)


def _plain(fig: Figure) -> Figure:
    """The figure without its poor-trainee test, which the summary keeps as a mark."""
    return replace(fig, poor_trainees=False) if fig.poor_trainees else fig


def _is_null(expr) -> bool:
    return getattr(expr, "__visit_name__", None) == "null"


def _distinct_stmt(figs: list[Figure], t, in_slice, head, poor: bool):
    """Distinct values of a snapshot, each attributed to the one village (township) all
    its rows share, else one level up: the detail query's rule, so the sums agree. One
    pass for figures of one column and condition; ``none_of`` counts only the values
    none of whose rows meets it."""
    first = figs[0]
    entity = t.c[first.column]
    town, village = _places(t)
    where = [in_slice, entity.is_not(None)] + ([first.where(t)] if first.where is not None else [])
    if poor:
        where.append(t.c.is_poor.is_(True))
    one_town = func.min(town) == func.max(town)
    same = and_(one_town, func.min(village) == func.max(village))
    flags = [
        (literal_column("1") if f.none_of is None else
         case((func.max(case((f.none_of(t), 1), else_=0)) == 0, 1), else_=0)).label(f"f{i}")
        for i, f in enumerate(figs)
    ]
    sub = select(
        case((one_town, func.min(town)), else_=null()).label("township"),
        case((same, func.min(village)), else_=null()).label("village"),
        *flags,
    ).where(*where).group_by(entity).subquery()
    mine = {distinct_column(f): func.sum(sub.c[f"f{i}"]) for i, f in enumerate(figs)}
    counts = [mine.get(f"d{i}", literal_column("0")).label(f"d{i}") for i, _ in enumerate(snapshot_distinct())]
    return select(
        *head, sub.c.township, sub.c.village, literal(poor, Boolean).label("poor"), *counts,
    ).group_by(sub.c.township, sub.c.village)


def drop_slice(conn: Connection, sheet: str, period: str, import_id: int) -> None:
    """Forget a slice's summary (its rows were removed by the retention command)."""
    for table in TABLES:
        cond = [table.c.period == period, table.c.import_id == import_id]
        if any(table in kind.values() for kind in OWN_SUMS):
            if all(table is not kind.get(sheet) for kind in OWN_SUMS):
                continue
        elif table is distinct_sums:
            if sheet not in {f.table for f in snapshot_distinct()}:
                continue
        else:
            keys = [f.key for f in FIGURES if f.table == sheet]
            cond.append(table.c.key.in_(keys))
        conn.execute(delete(table).where(*cond))
    conn.execute(delete(summarised).where(summarised.c.sheet == sheet, summarised.c.period == period,
                                          summarised.c.import_id == import_id))
    for table in MEMOS:  # a memo may have read it (memos are kept again when next read)
        conn.execute(delete(table))


def ensure(conn: Connection) -> int:
    """Summarise every stored slice that lacks a summary of today's layout (a store of
    an earlier version, or figures changed since); returns how many were written."""
    if not _missing(conn):
        return 0
    lock_for_writing(conn)  # another process may be doing the same: one at a time
    return _summarise_missing(conn)


def _columns_current(conn: Connection) -> bool:
    seen = inspect(conn)
    return all({c["name"] for c in seen.get_columns(t.name)} == set(t.c.keys()) for t in TABLES)


def _missing(conn: Connection) -> bool:
    stale = conn.execute(select(func.count()).select_from(summarised).where(summarised.c.layout != layout())).scalar()
    have = conn.execute(select(func.count()).select_from(summarised)).scalar()
    written = conn.execute(
        select(func.count()).select_from(
            select(slice_changes.c.sheet, slice_changes.c.period, slice_changes.c.new_import_id)
            .where(slice_changes.c.new_import_id.is_not(None), slice_changes.c.sheet != "townships").distinct().subquery()
        )
    ).scalar()
    return bool(stale) or have < written or not _columns_current(conn)


def _summarise_missing(conn: Connection) -> int:
    stale = conn.execute(select(func.count()).select_from(summarised).where(summarised.c.layout != layout())).scalar()
    if stale or not _columns_current(conn):
        # other figures, other columns: the summary tables are made again and refilled
        for table in TABLES:
            table.drop(conn, checkfirst=True)
            table.create(conn)
        for table in (*MEMOS, summarised):
            conn.execute(delete(table))
    done = {(r.sheet, r.period, r.import_id) for r in conn.execute(select(summarised))}
    # Every slice ever written is named in the history (a removed one gets an empty summary).
    written = select(slice_changes.c.sheet, slice_changes.c.period, slice_changes.c.new_import_id).where(
        slice_changes.c.new_import_id.is_not(None)).distinct()
    wanted = {tuple(r) for r in conn.execute(written) if r[0] in DATA and r[0] != "townships"}
    missing = sorted(wanted - done)
    for sheet, period, import_id in missing:
        write_slice(conn, sheet, period, import_id)
    return len(missing)


def rebuild(conn: Connection) -> int:
    """Every summary written again from the detail (after the detail was changed by hand,
    which no import does); returns how many slices were summarised."""
    lock_for_writing(conn)
    for table in (*TABLES, *MEMOS, summarised):
        conn.execute(delete(table))
    return ensure(conn)


def in_force_summarised(conn: Connection, pairs: dict[str, dict[str, int]]) -> bool:
    """Whether every (sheet, period, import id) in ``pairs`` has a summary of today's layout."""
    wanted = {(s, p, i) for s, by in pairs.items() for p, i in by.items()}
    if not wanted:
        return True
    sheets = sorted({s for s, _, _ in wanted})
    have = {
        (r.sheet, r.period, r.import_id)
        for r in conn.execute(select(summarised).where(summarised.c.sheet.in_(sheets), summarised.c.layout == layout()))
    }
    return wanted <= have


