"""The problems workbook a clerk gets back with a rejected file: every problem listed,
and each sheet as sent with the offending cells marked, so the fix is made where the
mistake is.

Personal data is masked throughout (``ledger.access.masking``, through
``ledger.intake.masked`` and ``mask_cell``): the listing's values and messages, the
comments, and the copy of each sheet. The copy keeps every cell in place, but a cell
of an ID, phone or name column reads masked (451203********1234, 138****5678, 张*) and
any other cell has its ID- and phone-like digits and the sheet's names masked: the
workbook points at the cell to fix in the clerk's own file, it is not a second copy
of the people in it. The first row notes this; the watermark line says who made it."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pandas as pd

from ledger.access.masking import Names, mask_text
from ledger.intake import as_text, column_kind, mask_cell, masked
from loaders import LoadResult, read_isolated
from loaders.validate import ERROR, by_headers, locate_header, match_sheet

PROBLEM_SHEET = "问题清单"
PROBLEM_HEADER = ["工作表", "行号", "列", "表头", "值", "问题", "级别", "文件"]
MASKED_NOTE = "证件号码、联系电话、姓名等个人信息已脱敏；请在原文件中按行号和列修改。"
RED = "#FF0000"
LIGHT_RED = "#FFC7CE"


def errors_workbook(result: LoadResult, files: dict[str, bytes], *, watermark: str | None = None) -> bytes:
    """An .xlsx file: every problem on 问题清单, then, for each sheet with errors, a
    copy of that sheet as the clerk sent it (personal data masked, see the module
    docstring) with each offending cell filled red and a comment giving the reason,
    and each offending row's first cell filled light red with a comment listing that
    row's problems. ``files`` maps file name → contents (one workbook, or one CSV per
    sheet), as given to the loaders; ``watermark`` (who made the file, when) heads the
    listing."""
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

    problems = masked(result.problems)
    listing = book.add_worksheet(PROBLEM_SHEET)
    # Row 1: the note on masking and the watermark; row 2 the headers; then the problems.
    listing.write_string(0, 0, "　".join(t for t in (MASKED_NOTE, watermark) if t))
    listing.write_row(1, 0, PROBLEM_HEADER, bold)
    for first, last, width in ((0, 0, 18), (1, 2, 6), (3, 4, 16), (5, 5, 60), (6, 6, 6), (7, 7, 24)):
        listing.set_column(first, last, width)
    listing.freeze_panes(2, 0)
    if watermark:
        listing.set_footer("&L&8" + watermark.replace("&", "&&")[:200])

    error_sheets = [s for s in dict.fromkeys(p.sheet for p in problems if p.level == ERROR) if s in raws]
    copies = {}
    used = {PROBLEM_SHEET}
    for s in error_sheets:
        title = _sheet_title(s, used)
        used.add(title)
        copies[s] = title

    for i, p in enumerate(problems, start=LISTED):
        listing.write_string(i, 0, p.sheet)
        if p.row:
            listing.write_number(i, 1, p.row)
        for j, text in enumerate((p.letter, p.column or "", p.value or "", p.message, p.level, p.file), start=2):
            listing.write_string(i, j, text)

    for s, title in copies.items():
        raw = raws[s]
        ws = book.add_worksheet(title)
        cells = _masked_cells(raw)
        header_row = _header_row(raw)
        # (excel row, column position) → reasons; excel row → reasons for the row
        marks: dict[tuple[int, int], list[str]] = defaultdict(list)
        rows: dict[int, list[str]] = defaultdict(list)
        for p in problems:
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
        if watermark:
            ws.set_footer("&L&8" + watermark.replace("&", "&&")[:200])

    # Link each listed problem to its cell in the copy.
    for i, p in enumerate(problems, start=LISTED):
        if p.sheet in copies and p.row:
            listing.write_url(i, 0, f"internal:'{copies[p.sheet]}'!A{p.row}", link, p.sheet)
    book.close()
    return out.getvalue()


LISTED = 2  # the first problem's row on 问题清单 (0-based): under the note and the headers


def _masked_cells(raw) -> pd.DataFrame:
    """The sheet's cells with personal data masked: below the header, each column as
    its header says (``ledger.intake.column_kind``: an ID, phone or name column, else
    free text, where ID- and phone-like digits and the sheet's own names are masked);
    the header and the rows above it (titles) as free text."""
    cells = raw.cells
    spec, header = _layout(raw)
    kinds: dict[int, str] = {}
    if header is not None:
        by_key = {c.key: c for c in spec.columns} if spec is not None else {}
        for key, pos in header.positions.items():
            kinds[pos] = column_kind(by_key.get(key), header.written.get(key, ""))
        for pos, written in header.unknown:
            kinds[pos] = column_kind(None, written)
    last = header.last if header is not None else cells.index.max() if len(cells.index) else 0
    below = cells.index > last
    names = Names(v for pos, k in kinds.items() if k == "name" for v in cells.loc[below, pos].tolist())
    out = cells.astype(object).copy()
    for pos in cells.columns:
        kind = kinds.get(pos, "text")
        column = cells[pos].tolist()
        out[pos] = [_free_text(v, names) if kind == "text" or not low else mask_cell(kind, v)
                    for v, low in zip(column, below)]
    return out




def _free_text(value, names: Names):
    """A free-text cell through the policy's ``mask_text`` with the sheet's names."""
    return mask_text(as_text(value), names)


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


def _layout(raw):
    """(the sheet's format, its header) as the loaders find them, or (None, None)."""
    spec = match_sheet(raw.name)
    header = locate_header(raw, spec) if spec is not None else None
    if header is None and (found := by_headers(raw)) is not None:
        spec, header = found
    return (spec, header) if header is not None else (None, None)


def _header_row(raw) -> int | None:
    """The Excel row of a sheet's header (the copy is frozen below it)."""
    header = _layout(raw)[1]
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
