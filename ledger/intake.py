"""Before an import: what it would do (rows added, replaced, removed per slice, and the
figures that would change), and a workbook of its problems for the clerk to fix.

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
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, select

from loaders import LoadResult, Problem
from loaders import read_isolated
from loaders.spec import SHEETS_BY_KEY
from loaders.validate import ERROR, by_headers, locate_header, match_sheet

from . import queries
from .figures import figure
from .schema import BOOKKEEPING, DATA, slices
from .store import _check_townships, _lock, _slices, file_counts, init_db, keep_other_townships, replace_rows

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
PREVIEW_IMPORT_ID = 0  # import_id of the rows a preview writes, always rolled back

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
            _lock(conn)
            current = {(r.sheet, r.period): r.content_hash for r in conn.execute(select(slices)).all()}
            old_rows = {k: _rows(conn, k[0], k[1]) for k in in_file if k in current}
            months = _months(in_file)
            before = _figures(conn, months, keys)
            problems, changed = [], []
            for i, r in enumerate(results):
                problems += list(r.problems) + _check_townships(conn, r)
                if _rejected(problems):
                    changed = []
                    break
                pieces = _slices(keep_other_townships(conn, r) if by_township or i > 0 else r)
                for key, (frame, digest) in pieces.items():
                    if current.get(key) == digest:
                        continue
                    # The history tables are not touched: a preview is always rolled back,
                    # and writing them would use up history numbers on PostgreSQL and MariaDB.
                    replace_rows(conn, key[0], key[1], frame, PREVIEW_IMPORT_ID)
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
        as_of = queries.month_end(month)
        district = queries.figures(conn, as_of, keys=keys).values
        for k in keys:
            out[(month, DISTRICT, k)] = district[k]
        frame = queries.breakdown(conn, keys, as_of)
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


# --- The problems workbook ------------------------------------------------------------

PROBLEM_SHEET = "问题清单"
PROBLEM_HEADER = ["工作表", "行号", "列", "表头", "值", "问题", "级别", "文件"]
RED = "#FF0000"
LIGHT_RED = "#FFC7CE"


def errors_workbook(result: LoadResult, files: dict[str, bytes]) -> bytes:
    """An .xlsx file: every problem on 问题清单, then, for each sheet with errors, a
    copy of that sheet as the clerk sent it with each offending cell filled red and a
    comment giving the reason, and each offending row's first cell filled light red
    with a comment listing that row's problems. ``files`` maps file name → contents
    (one workbook, or one CSV per sheet), as given to the loaders."""
    import xlsxwriter

    raws = {}
    for name, data in files.items():
        try:
            for raw in read_isolated(name, data):
                raws.setdefault(raw.name, raw)
        except Exception:  # an unreadable file: its problem is on the list already
            continue

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    bad = book.add_format({"bg_color": RED, "font_color": "#FFFFFF"})
    bad_date = book.add_format({"bg_color": RED, "font_color": "#FFFFFF", "num_format": "yyyy-mm-dd"})
    row_mark = book.add_format({"bg_color": LIGHT_RED, "bold": True})
    row_mark_date = book.add_format({"bg_color": LIGHT_RED, "bold": True, "num_format": "yyyy-mm-dd"})
    link = book.add_format({"font_color": "#0563C1", "underline": 1})

    listing = book.add_worksheet(PROBLEM_SHEET)
    listing.write_row(0, 0, PROBLEM_HEADER, bold)
    for first, last, width in ((0, 0, 18), (1, 2, 6), (3, 4, 16), (5, 5, 60), (6, 6, 6), (7, 7, 24)):
        listing.set_column(first, last, width)
    listing.freeze_panes(1, 0)

    error_sheets = [s for s in dict.fromkeys(p.sheet for p in result.problems if p.level == ERROR) if s in raws]
    copies = {}
    used = {PROBLEM_SHEET}
    for s in error_sheets:
        title = _sheet_title(s, used)
        used.add(title)
        copies[s] = title

    for i, p in enumerate(result.problems, start=1):
        listing.write_string(i, 0, p.sheet)
        if p.row:
            listing.write_number(i, 1, p.row)
        for j, text in enumerate((p.letter, p.column or "", p.value or "", p.message, p.level, p.file), start=2):
            listing.write_string(i, j, text)

    for s, title in copies.items():
        raw = raws[s]
        ws = book.add_worksheet(title)
        cells = raw.cells
        header_row = _header_row(raw)
        # (excel row, column position) → reasons; excel row → reasons for the row
        marks: dict[tuple[int, int], list[str]] = defaultdict(list)
        rows: dict[int, list[str]] = defaultdict(list)
        for p in result.problems:
            if p.sheet != s or p.level != ERROR or not p.row:
                continue
            pos = _position(p.letter)
            text = f"“{p.column}”：{p.message}" if p.column else p.message
            if pos is not None:
                marks[(p.row, pos)].append(p.message)
            rows[p.row].append(text)
        cols = list(cells.columns)
        for r in cells.index:
            for j, pos in enumerate(cols):
                value = cells.at[r, pos]
                is_bad = (r, pos) in marks
                first = j == 0 and r in rows
                fmt = bad if is_bad else (row_mark if first else None)
                _write(ws, r - 1, j, value, fmt, date_fmt, bad_date if is_bad else (row_mark_date if first else None))
                notes = []
                if is_bad:
                    notes += marks[(r, pos)]
                if first:
                    notes = [f"本行有{len(rows[r])}个问题："] + rows[r] if not is_bad else notes + ["本行问题："] + rows[r]
                if notes:
                    ws.write_comment(r - 1, j, "\n".join(dict.fromkeys(notes)), {"author": "台账导入检查", "x_scale": 2, "y_scale": 2})
        ws.set_column(0, max(len(cols) - 1, 0), 14)
        if header_row:
            ws.freeze_panes(header_row, 0)

    # Link each listed problem to its cell in the copy.
    for i, p in enumerate(result.problems, start=1):
        if p.sheet in copies and p.row:
            listing.write_url(i, 0, f"internal:'{copies[p.sheet]}'!A{p.row}", link, p.sheet)
    book.close()
    return out.getvalue()


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "工作表"
    title, n = base, 2
    while title in used:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


def _position(letters: str) -> int | None:
    """The 0-based column of a single column letter (E, AA); None for a span or none."""
    if not letters or not letters.isalpha() or not letters.isupper():
        return None
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _header_row(raw) -> int | None:
    """The Excel row of a sheet's header (the copy is frozen below it)."""
    spec = match_sheet(raw.name)
    header = locate_header(raw, spec) if spec is not None else None
    if header is None and (found := by_headers(raw)) is not None:
        header = found[1]
    return header.last if header is not None else None


def _write(ws, r: int, c: int, value, fmt, date_fmt, dated_fmt) -> None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (dt.datetime, dt.date)):
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        ws.write_datetime(r, c, value, dated_fmt or date_fmt)
    elif isinstance(value, dt.time):
        ws.write_string(r, c, value.isoformat(), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)
