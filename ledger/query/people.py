"""The ledger rows behind a count figure (花名册): who the number counts, traceable to
the row of the imported workbook, with ID and phone numbers masked.

``people(engine, "labor.unemployed_wanting_work", township="庆远镇")`` selects exactly
the rows the figure counts for that scope and date (the same SQL condition, snapshot
and year-to-date window as ``query.figures``), so ``len(people(...))`` is the figure.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from sqlalchemy import case, func, select

from ledger.access.masking import mask_columns
from ledger.query.statements import (
    ALL,
    BLANK,
    SNAPSHOT_SHEETS,
    Scope,
    base_filter,
    connect,
    default_as_of,
    snapshot_period,
    township_order,
)
from ledger.store.figures import figure, trainee_is_poor
from ledger.store.schema import DATA, imports
from loaders.spec import SHEETS_BY_KEY, YES_NO

# The sheets whose rows are people (or payments), and the columns a list shows.
COLUMNS: dict[str, tuple[str, ...]] = {
    "labor": (
        "township", "village", "name", "sex", "id_number", "is_poor", "employed", "mode", "work_area", "work_place",
        "employer", "monthly_income", "household_size", "wants_work", "phone", "remark",
    ),
    "posts": ("township", "village", "name", "id_number", "category", "post", "started_on", "ended_on", "reason"),
    "training": (
        "township", "village", "name", "id_number", "is_poor", "class_id", "training_type", "organiser", "trade",
        "started_on", "ended_on",
    ),
    "subsidies": ("township", "village", "recipient", "id_number", "recipient_type", "subsidy_type", "paid_on", "amount"),
}
NAME_COLUMN = {"labor": "name", "posts": "name", "training": "name", "subsidies": "recipient"}
ROW = "行号"
SOURCE = "来源文件"  # the workbook 行号 is a row of (an import may carry rows of an earlier file)
CENTS = Decimal("0.01")
LOOKED_UP = "是（据劳动力台账）"  # a trainee's blank 是否建档立卡 that the labourer sheet fills


def _is_row_count(fig) -> bool:
    return fig.agg == "count" and fig.table in COLUMNS


def _filter_value(col, value):
    """A filter value as stored: 是/否 (有/无) as booleans, yuan as fen, ISO dates as dates."""
    if col.kind == "yesno" and not isinstance(value, bool):
        yes, no = col.values or YES_NO
        if value not in (yes, no, "是", "否"):
            raise ValueError(f"Filter on {col.key!r}: {value!r} is not {yes} or {no}.")
        return value in (yes, "是")
    if col.kind == "money":
        return int((Decimal(str(value)) * 100).to_integral_value())
    if col.kind == "int":
        return int(value)
    if col.kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _filters(sheet: str, t, filters: dict | None) -> list:
    spec = SHEETS_BY_KEY[sheet]
    clauses = []
    for key, value in (filters or {}).items():
        if key not in t.c or key not in {c.key for c in spec.columns}:
            raise ValueError(f"Filter column {key!r} is not a column of sheet {sheet}.")
        col = spec.column(key)
        if value is None or value == BLANK:  # the （未填） bar of a breakdown
            clauses.append(t.c[key].is_(None))
        else:
            clauses.append(t.c[key] == _filter_value(col, value))
    return clauses


_BLANK_AS_EMPTY = ("yesno", "text", "enum", "id", "phone")


def _shown(col, values) -> list:
    """A column's stored values as the list shows them: blank text as "", yes/no in the
    column's own words, money in yuan to the fen; the same conversion for every cell of
    a kind, so it is made per column (or per distinct amount)."""
    if col.kind == "yesno":
        yes, no = col.values or YES_NO
        words = {True: yes, False: no, None: ""}  # a backend may hand back 1/0: 1 == True
        return [words[v] for v in values]
    if col.kind == "money":
        yuan: dict = {None: None}
        return [yuan[v] if v in yuan else yuan.setdefault(v, (Decimal(int(v)) / 100).quantize(CENTS)) for v in values]
    if col.kind == "int":
        return [None if v is None else int(v) for v in values]
    if col.kind in _BLANK_AS_EMPTY:
        return ["" if v is None else v for v in values] if None in values else list(values)
    return list(values)


def people(
    engine_or_conn,
    key: str,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    township: str | None = None,
    village: str | None = None,
    poor_only: bool = False,
    limit: int | None = None,
    filters: dict | None = None,
    masked: bool = True,
) -> pd.DataFrame:
    """The rows a count figure counts (labourers, posts, trainees, payments) for that
    scope and date, ordered by township (code order), village, name and row: 行号 (the
    row in the imported workbook), the sheet's columns under their Chinese headers
    (names, ID and phone numbers and free text masked by ``access.masking`` unless
    ``masked=False``, for a viewer with full rights), yes/no as 是/否 (意愿 as 有/无), money in yuan, and last
    来源文件 (the workbook 行号 refers to).

    ``village`` narrows to one village; ``filters`` ({column key: value}, a value of
    None or （未填） meaning blank) adds equality conditions, as when a category bar is
    clicked. Without filters, ``len(people(...))`` equals the figure. ValueError for a
    figure that does not count rows of these sheets."""
    fig = figure(key)
    if not _is_row_count(fig):
        raise ValueError(f"{key} is not a count of ledger rows (people lists exist for: counts of {', '.join(COLUMNS)}).")
    sheet = fig.table
    t = DATA[sheet]
    spec = SHEETS_BY_KEY[sheet]
    cols = [spec.column(c) for c in COLUMNS[sheet]]
    headers = [ROW] + [c.header for c in cols]
    narrowed = scope.narrowed(township)
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        if as_of is None:
            return pd.DataFrame(columns=headers + [SOURCE])
        snap = {sheet: snapshot_period(conn, sheet, as_of)} if sheet in SNAPSHOT_SHEETS else {}
        where = [base_filter(sheet, t, as_of, snap, poor_only), narrowed.clause(t.c.township)]
        if fig.condition(t) is not None:
            where.append(fig.condition(t))
        if village is not None:
            where.append(t.c.village == village)
        where += _filters(sheet, t, filters)
        # code order of the townships the rows can be in (a province lists 1,400: the
        # ORDER BY would test each of them on every row); one township needs no order
        one = narrowed.townships is not None and len(narrowed.townships) <= 1
        names = [] if one else [n for n in township_order(conn) if narrowed.allows(n)]
        place = [case({n: i for i, n in enumerate(names)}, value=t.c.township, else_=len(names))] if names else []
        extra = [case((trainee_is_poor(t), 1), else_=0).label("_poor")] if sheet == "training" else []
        origin = imports.c.id == func.coalesce(t.c.source_import, t.c.import_id)
        stmt = (
            select(t.c.source_row, imports.c.filename, *[t.c[c.key] for c in cols], *extra)
            .select_from(t.outerjoin(imports, origin))
            .where(*where)
            # blank villages last on every backend (SQLite and MySQL sort NULL first)
            .order_by(*place, t.c.township, case((t.c.village.is_(None), 1), else_=0), t.c.village,
                      t.c[NAME_COLUMN[sheet]], t.c.source_row, t.c.row_id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = conn.execute(stmt).all()
    # column by column: a village's list is hundreds of rows, a township's thousands
    columns = list(zip(*rows)) if rows else [()] * (2 + len(cols) + len(extra))
    data: dict[str, list] = {h: _shown(c, values) for h, c, values in zip(headers[1:], cols, columns[2 : 2 + len(cols)])}
    if sheet == "training":
        at = cols.index(spec.column("is_poor"))
        shown = data[spec.column("is_poor").header]
        for i, (written, looked_up) in enumerate(zip(columns[2 + at], columns[-1])):
            if written is None and looked_up:
                shown[i] = LOOKED_UP
    if masked:
        data |= mask_columns(data, _kinds(sheet, cols))
    data[ROW], data[SOURCE] = list(columns[0]), list(columns[1])
    # one block of Python objects (pandas would make an Arrow string array of each text
    # column, a third of a village list's time; the grid and the downloads take objects
    # as they are), then the whole-number columns as nullable integers
    frame = pd.DataFrame(data, columns=headers + [SOURCE], dtype=object)
    for h in [ROW] + [h for h, c in zip(headers[1:], cols) if c.kind == "int"]:
        frame[h] = pd.array(data[h], dtype="Int64")
    return frame


FREE_TEXT = ("remark", "employer", "work_place", "reason")


def _kinds(sheet: str, cols) -> dict[str, str]:
    """What each shown column holds, for the masking policy."""
    kinds = {c.header: c.kind for c in cols if c.kind in ("id", "phone")}
    kinds |= {c.header: "text" for c in cols if c.key in FREE_TEXT}
    kinds |= {c.header: "name" for c in cols if c.key == NAME_COLUMN[sheet]}
    return kinds
