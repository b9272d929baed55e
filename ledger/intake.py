"""Before an import: what it would do (rows added, replaced, removed per slice, and the
figures that would change), and a workbook of its problems for the clerk to fix.

A loader's problem quotes the cell it is about (an ID, a phone, a name): ``masked``
gives the problems as the page, the problems workbook and the command line show them,
through the one masking policy (``ledger.access.masking``), and ``column_kind`` says
what a column of an uploaded sheet holds, for masking a copy of its cells.

Nothing here writes to the ledger. ``preview`` applies the import inside a
transaction on one connection, reads the figures and rolls back, so the numbers it
shows are exactly the ones the import would produce, on every backend.

Rows are matched by each sheet's natural key (``MATCH_KEYS``): a file row whose whole
content equals a stored row is 不变; of the rest, a file row and a stored row with the
same key are 修改 (paired in file order when a key repeats); file rows left over are
新增, stored rows left over are 删除. A sheet without a key would fall back to whole-row
equality (every difference is then one 新增 and one 删除).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, select

from ledger import query
from ledger.access.masking import KIND_OF, Names, mask_text, mask_value
from ledger.store.figures import figure
from ledger.store.imports import file_counts, replace_rows, set_slice, slices_of
from ledger.store.schema import BOOKKEEPING, DATA, init_db, lock_for_writing, slices
from ledger.store.townships import check_townships, keep_other_townships
from loaders import LoadResult, Problem
from loaders.spec import SHEETS_BY_KEY, Column
from loaders.validate import ERROR, header_lookup, match_sheet, resolve_header

PREVIEW_KEYS = [
    "labor.total",
    "labor.employed",
    "labor.poor_employed",
    "labor.unemployed",
    "subsidy.total",
    "training.person_times",
    "workshops.on_duty",
    "posts.count",
]

# Natural keys: which stored row a file row corrects. ``who`` is 证件号码, or the
# recipient's name when a subsidy goes to an enterprise or workshop (no ID number).
MATCH_KEYS: dict[str, tuple[str, ...]] = {
    "labor": ("id_number",),  # one row per person and month (the format's unique key)
    "workshops": ("name",),  # one row per workshop and month
    "posts": ("id_number", "category"),  # a person's post of one category
    "training": ("id_number", "class_id"),  # a person in one class
    "subsidies": ("who", "subsidy_type", "paid_on"),  # one payment of a kind on a day
    "demand": ("enterprise", "job_type"),
    "transport": ("batch",),
    "targets": ("township", "indicator"),
    "townships": ("name",),
}

DISTRICT = "全区"
NO_PERIOD = "（不分月份）"
PREVIEW_IMPORT_ID = 0  # import_id (and below) of the rows a preview writes, always rolled back

SLICE_COLUMNS = ["表", "月份", "文件行数", "现有行数", "新增", "修改", "删除", "不变"]
CHANGE_COLUMNS = ["月份", "乡镇", "指标", "导入前", "导入后", "变化", "key"]


@dataclass
class Preview:
    """``slices``: one row per (sheet, period) in the file; ``changes``: the figures
    that would change (``指标`` is the figure's label, ``key`` its key); ``problems``:
    the file's warnings, plus the store's reasons for rejecting it (then ``ok`` is
    False and ``changes`` is empty)."""

    slices: pd.DataFrame
    changes: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.level == ERROR for p in self.problems)


def preview(
    engine: Engine, result: LoadResult | list[LoadResult], *, keys: list[str] = PREVIEW_KEYS, by_township: bool = False
) -> Preview | None:
    """What importing ``result`` would do (``by_township`` as in ``store.apply``; a list
    of results as ``store.apply_many`` would import them), computed without writing.

    Returns None when a file has errors (``result.ok`` is False): such a file cannot
    be imported, show ``result.problems`` / ``errors_workbook`` instead."""
    results = result if isinstance(result, list) else [result]
    if not all(r.ok for r in results):
        return None
    init_db(engine)
    in_file: dict[tuple[str, str], int] = defaultdict(int)
    for r in results:
        for sheet, periods in file_counts(r).items():
            for period, n in periods.items():
                in_file[(sheet, period)] += n
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            # The write lock first: the figures before and after are then read in the
            # same transaction as the change, with no import slipping in between.
            lock_for_writing(conn)
            current = {(r.sheet, r.period): r.content_hash for r in conn.execute(select(slices)).all()}
            old_rows = {k: _rows(conn, k[0], k[1]) for k in in_file if k in current}
            months = _months(in_file)
            before = _figures(conn, months, keys)
            problems, changed = [], []
            for i, r in enumerate(results):
                problems += list(r.problems) + check_townships(conn, r)
                if _rejected(problems):
                    changed = []
                    break
                pieces = slices_of(keep_other_townships(conn, r) if by_township or i > 0 else r)
                for key, (frame, digest) in pieces.items():
                    if current.get(key) == digest:
                        continue
                    # The history tables are not touched: a preview is always rolled back,
                    # and writing them would use up history numbers on PostgreSQL and MariaDB.
                    # each replacement its own (never stored) import id, so its summary is its own
                    preview_id = PREVIEW_IMPORT_ID - len(changed)
                    replace_rows(conn, key[0], key[1], frame, preview_id)
                    set_slice(conn, key[0], key[1], preview_id, digest, len(frame), exists=key in current)
                    current[key] = digest
                    changed.append(key)
            changed = list(dict.fromkeys(changed))
            new_rows = {k: _rows(conn, k[0], k[1]) for k in changed}
            after = _figures(conn, months, keys) if changed else before
        finally:
            trans.rollback()
    records = []
    for sheet, period in in_file:
        old = old_rows.get((sheet, period), [])
        if (sheet, period) in new_rows:
            counts = diff_rows(sheet, old, new_rows[(sheet, period)])
        elif _rejected(problems):
            counts = {"新增": 0, "修改": 0, "删除": 0, "不变": 0}
        else:  # the same content as stored: the slice is not rewritten
            counts = {"新增": 0, "修改": 0, "删除": 0, "不变": len(old)}
        records.append(
            {"表": SHEETS_BY_KEY[sheet].name, "月份": period or NO_PERIOD, "文件行数": in_file[(sheet, period)], "现有行数": len(old)}
            | counts
        )
    slice_frame = pd.DataFrame.from_records(records, columns=SLICE_COLUMNS)
    change_frame = _changes(before, after, keys) if not _rejected(problems) else pd.DataFrame(columns=CHANGE_COLUMNS)
    return Preview(slice_frame, change_frame, problems)


def _rejected(problems) -> bool:
    return any(p.level == ERROR for p in problems)


def _rows(conn: Connection, sheet: str, period: str) -> list[dict]:
    t = DATA[sheet]
    cols = [c for c in t.c if c.name not in BOOKKEEPING]
    stmt = select(*cols).where(t.c.period == period, t.c.is_current).order_by(t.c.source_row, t.c.row_id)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def _norm(v):
    if isinstance(v, Decimal):
        return v.normalize()
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date()
    return v


def _key(sheet: str, row: dict) -> tuple:
    out = []
    for name in MATCH_KEYS.get(sheet, ()):
        if name == "who":
            out.append(row.get("id_number") or row.get("recipient"))
        else:
            out.append(row.get(name))
    return tuple(out)


def diff_rows(sheet: str, old: list[dict], new: list[dict]) -> dict[str, int]:
    """Counts of 新增, 修改, 删除 and 不变 between a slice's stored and file rows."""
    whole = lambda r: tuple(sorted((k, _norm(v)) for k, v in r.items()))  # noqa: E731
    remaining = Counter(whole(r) for r in old)
    unchanged = 0
    new_left = []
    for r in new:
        w = whole(r)
        if remaining[w] > 0:
            remaining[w] -= 1
            unchanged += 1
        else:
            new_left.append(r)
    old_left = []
    for r in old:
        w = whole(r)
        if remaining[w] > 0:
            remaining[w] -= 1
            old_left.append(r)
    if not MATCH_KEYS.get(sheet):
        return {"新增": len(new_left), "修改": 0, "删除": len(old_left), "不变": unchanged}
    by_key_old: dict[tuple, int] = defaultdict(int)
    for r in old_left:
        by_key_old[_key(sheet, r)] += 1
    replaced = added = 0
    for r in new_left:
        k = _key(sheet, r)
        if by_key_old[k] > 0:
            by_key_old[k] -= 1
            replaced += 1
        else:
            added += 1
    removed = sum(by_key_old.values())
    return {"新增": added, "修改": replaced, "删除": removed, "不变": unchanged}


def _months(pieces) -> list[str]:
    """The months the file touches: the periods of its monthly and event slices."""
    return sorted({p for _, p in pieces if len(p) == 7})


def _figures(conn: Connection, months: list[str], keys: list[str]) -> dict[tuple[str, str, str], object]:
    """(month, township or 全区, key) → value, as of each month's end."""
    out = {}
    for month in months:
        as_of = query.month_end(month)
        district = query.figures(conn, as_of, keys=keys).values
        for k in keys:
            out[(month, DISTRICT, k)] = district[k]
        frame = query.breakdown(conn, keys, as_of)
        for rec in frame.to_dict("records"):
            for k in keys:
                out[(month, rec["township"], k)] = rec[k]
    return out


def _delta(a, b):
    if a is None or b is None:
        return None
    return b - a


def _changes(before: dict, after: dict, keys: list[str]) -> pd.DataFrame:
    records = []
    for where in sorted(set(before) | set(after), key=lambda w: (w[0], w[1] != DISTRICT, keys.index(w[2]))):
        a, b = before.get(where), after.get(where)
        if a == b:
            continue
        month, township, key = where
        records.append(
            {"月份": month, "乡镇": township, "指标": figure(key).label, "导入前": a, "导入后": b, "变化": _delta(a, b), "key": key}
        )
    frame = pd.DataFrame.from_records(records, columns=CHANGE_COLUMNS)
    # Keep townships in the order the breakdown gave them within each month.
    order = {}
    for (month, township, _k) in list(before) + list(after):
        order.setdefault((month, township), len(order))
    if len(frame):
        frame["_o"] = [order.get((m, t), 0) for m, t in zip(frame["月份"], frame["乡镇"])]
        frame["_k"] = [keys.index(k) for k in frame["key"]]
        frame = frame.sort_values(["_o", "_k"], kind="stable").drop(columns=["_o", "_k"]).reset_index(drop=True)
    return frame


# --- Problems as anyone may read them ----------------------------------------------------

# A column's kind by the format's own kind (an ID or phone column of any name).
_KIND_OF_COLUMN = {"id": "id", "phone": "phone"}


def column_kind(column: Column | None, written: str = "") -> str:
    """What a column of an uploaded sheet holds for the masking policy: ``id``,
    ``phone``, ``name`` (by the format's column, or the header as written), else
    ``text`` (free text: any ID- or phone-like run of digits in it is masked)."""
    if column is not None:
        kind = KIND_OF.get(column.key) or _KIND_OF_COLUMN.get(column.kind) or KIND_OF.get(column.header)
        if kind:
            return kind
    return KIND_OF.get(str(written).strip()) or "text"


def problem_kind(problem: Problem) -> str:
    """The kind of the column a problem is about (its sheet's format, its header)."""
    spec = match_sheet(problem.sheet) if problem.sheet else None
    column = resolve_header(problem.column, header_lookup(spec))[0] if spec is not None and problem.column else None
    return column_kind(column, problem.column)


def as_text(value):
    """A cell for the masking policy: a number that may be an ID or a phone (nine digits
    or more, as Excel stores a long number) as its digits, other values unchanged."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, float) and not value.is_integer():
        return value
    return str(int(value)) if abs(value) >= 1e8 else value


def mask_cell(kind: str, value, names=()):
    """One cell of an uploaded sheet, masked as its column's ``kind`` says."""
    value = as_text(value)
    if kind in ("id", "phone", "name") and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        value = str(value)
    return mask_value(kind, value, names)


def masked(problems) -> list[Problem]:
    """The problems with their quoted value masked as its column says (ID, phone, name
    or free text) and their message masked as free text, the names the list quotes
    included: for the intake page, the problems workbook and the command line."""
    problems = list(problems)
    known: dict[tuple[str, str], str] = {}  # a bad file has thousands of problems in a few columns
    kinds = []
    for p in problems:
        if (p.sheet, p.column) not in known:
            known[(p.sheet, p.column)] = problem_kind(p)
        kinds.append(known[(p.sheet, p.column)])
    names = Names(p.value for p, k in zip(problems, kinds) if k == "name" and p.value)
    return [replace(p, value=mask_cell(k, p.value, names) or "", message=mask_text(p.message, names))
            for p, k in zip(problems, kinds)]
