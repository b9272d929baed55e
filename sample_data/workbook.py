"""Writing the ledger's tables as the .xlsx workbook township staff would keep."""

from __future__ import annotations

import datetime as _dt
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .district import DISTRICT

_TEXT_ALWAYS = {"证件号码", "区划代码", "户编号", "联系电话", "统计时点"}
_CHUNK = 20_000


def _cell_values(s: pd.Series, kind: str) -> list:
    """Python values for one column chunk; None for an empty cell."""
    if kind == "date":
        return [None if pd.isna(v) else v.to_pydatetime() for v in s]
    if kind == "text":
        vals = s.astype(object).where(s.notna(), None).tolist()
        return [v if v is None or isinstance(v, str) else str(v) for v in vals]
    if pd.api.types.is_integer_dtype(s):
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isnan(arr).any():
            return s.to_numpy(dtype=np.int64).tolist()
        return [None if v != v else int(v) for v in arr.tolist()]
    return [None if v != v else v for v in s.to_numpy(dtype=np.float64, na_value=np.nan).tolist()]


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


@functools.cache
def _sheet_class():
    """xlsxwriter's Worksheet, writing its cell table a row at a time instead of in several
    calls per cell, which took a good part of the writing time: the same XML."""
    from xlsxwriter.worksheet import Worksheet

    class Sheet(Worksheet):
        def _plain(self) -> bool:
            # What the fast path assumes; anything else is written by xlsxwriter itself.
            return not (self.comments or self.constant_memory or self.excel_version == 2010
                        or self.default_row_height != self.original_row_height)

        def _calculate_spans(self) -> None:
            if not self._plain():
                return super()._calculate_spans()
            spans, lo, hi, table = {}, None, None, self.table
            last = self.dim_rowmax
            for row_num in range(self.dim_rowmin, last + 1):
                cells = table.get(row_num)
                if cells:
                    a, b = min(cells), max(cells)
                    lo, hi = (a, b) if lo is None else (min(lo, a), max(hi, b))
                if ((row_num + 1) % 16 == 0 or row_num == last) and lo is not None:
                    spans[row_num // 16] = f"{lo + 1}:{hi + 1}"
                    lo = None
            self.row_spans = spans
            return None

        def _write_rows(self) -> None:
            if not self._plain():
                return super()._write_rows()
            self._calculate_spans()
            from xlsxwriter.utility import xl_col_to_name

            write, table, row_info, spans = self.fh.write, self.table, self.row_info, self.row_spans
            col_xf = {c: info.column_format._get_xf_index() for c, info in self.col_info.items()
                      if info.column_format is not None}
            names = [xl_col_to_name(c) for c in range(self.dim_colmax + 1)]
            for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
                cells = table.get(row_num)
                span = spans.get(row_num // 16)
                info = row_info.get(row_num)
                if not cells:
                    if info is not None:
                        self._write_empty_row(row_num, span, info)
                    continue
                if info is not None:
                    self._write_row(row_num, span, info)
                else:
                    write(f'<row r="{row_num + 1}" spans="{span}">' if span else f'<row r="{row_num + 1}">')
                row_xf = info.row_format._get_xf_index() if info is not None and info.row_format else None
                r = str(row_num + 1)
                out = []
                for col_num in sorted(cells):
                    cell = cells[col_num]
                    kind = cell.__class__.__name__
                    if cell.format:
                        xf = cell.format._get_xf_index()
                    else:
                        xf = row_xf if row_xf is not None else col_xf.get(col_num)
                    s = "" if xf is None else f' s="{xf}"'
                    if kind == "String" or kind == "RichString":
                        out.append(f'<c r="{names[col_num]}{r}"{s} t="s"><v>{cell.string}</v></c>')
                    elif kind == "Number" or kind == "Datetime":
                        out.append(f'<c r="{names[col_num]}{r}"{s}><v>{cell.number:.16G}</v></c>')
                    else:
                        write("".join(out))
                        out = []
                        self._write_cell(row_num, col_num, cell)
                write("".join(out))
                write("</row>")
            return None

    return Sheet


def _store_rows(ws, first: int, plan: list, columns: list[list]) -> bool:
    """Put a chunk's cells straight into the worksheet's cell table, as xlsxwriter's
    _write_string/_write_number/_write_datetime would, without three calls per cell (a
    third of the writing time). Strings are looked up row by row, so the shared strings
    come out in the same order. False, with nothing stored, if the chunk has a cell those
    writers would change or refuse (a string over 16383 characters, an infinite number,
    a row beyond the sheet)."""
    from xlsxwriter.worksheet import CellDatetimeTuple, CellNumberTuple, CellStringTuple

    n = len(columns[0]) if columns else 0
    if not n or ws.constant_memory or first + n > ws.xls_rowmax or len(columns) > ws.xls_colmax:
        return False
    text, ready = [], []
    for (c, _w, fmt, kind), vals in zip(plan, columns):
        if kind == "text":
            if max(map(len, filter(None, vals)), default=0) > ws.xls_strmax // 2:
                return False
            text.append((c, vals))
        elif kind == "date":
            days = ws._convert_date_time
            ready.append((c, [None if v is None else CellDatetimeTuple(days(v), fmt) for v in vals]))
        else:
            if not all(v is None or math.isfinite(v) for v in vals):
                return False
            ready.append((c, [None if v is None else CellNumberTuple(v, fmt) for v in vals]))
    table, sst = ws.table, ws.str_table._get_shared_string_index
    last = None
    for i in range(n):
        cells = {}
        for c, vals in text:
            v = vals[i]
            if v is not None:
                cells[c] = CellStringTuple(sst(v), None)
        for c, vals in ready:
            v = vals[i]
            if v is not None:
                cells[c] = v
        if cells:
            table[first + i] = cells
            last = first + i
    if last is not None:
        ws._check_dimensions(last, 0)  # the header row already spans every column
    return True


def write_xlsx(path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the tables as an .xlsx the way township staff keep it: one sheet each, header in row 1.

    Any dict of DataFrames is written as given (sheet per key, columns in order). IDs,
    codes, household numbers, phones and 统计时点 are text cells (an 18-digit ID as a
    number would be an error in the format); dates are real Excel dates; money and counts
    are numbers.
    """
    import xlsxwriter

    sheet_class = _sheet_class()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {
        # Shared strings, as Excel itself writes: a smaller file (20 vs 23 MB) that is
        # faster to write and to read; the price is ~800 MB of memory while writing.
        "constant_memory": False,
        "default_format_properties": {"font_name": "宋体", "font_size": 11},
        "strings_to_formulas": False, "strings_to_urls": False,
    })
    wb.set_properties({"title": f"{DISTRICT}就业扶贫台账（样例，虚构数据）", "author": "sample_data.generate",
                       "created": _dt.datetime(2020, 10, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                          "valign": "vcenter", "font_name": "宋体"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "font_name": "宋体"})
    for sheet, df in tables.items():
        cols = [str(c) for c in df.columns]
        ws = wb.add_worksheet(sheet, worksheet_class=sheet_class)
        ws.freeze_panes(1, 0)
        # xlsxwriter's undecorated writers skip the A1-notation check: ~10% faster on 6M cells.
        w_str = getattr(ws, "_write_string", ws.write_string)
        w_num = getattr(ws, "_write_number", ws.write_number)
        w_date = getattr(ws, "_write_datetime", ws.write_datetime)
        plan = []
        for c, col in enumerate(cols):
            s = df.iloc[:, c]
            if pd.api.types.is_datetime64_any_dtype(s):
                plan.append((c, w_date, date_fmt, "date"))
                width = 12
            elif col in _TEXT_ALWAYS or not pd.api.types.is_numeric_dtype(s):
                plan.append((c, w_str, None, "text"))
                sample = s.dropna().drop_duplicates().head(400).astype(str)
                width = max([_display_width(v) for v in sample] + [0]) + 2
            else:
                plan.append((c, w_num, None, "number"))
                width = 10
            ws.set_column(c, c, min(max(width, _display_width(col) + 3, 6), 42))
        ws.set_row(0, 20)
        for c, col in enumerate(cols):
            ws.write_string(0, c, col, head)
        if len(df):
            ws.autofilter(0, 0, len(df), len(cols) - 1)
        for lo in range(0, len(df), _CHUNK):  # convert in chunks so memory stays flat
            part = df.iloc[lo:lo + _CHUNK]
            columns = [_cell_values(part.iloc[:, c], kind) for c, _w, _f, kind in plan]
            if _store_rows(ws, lo + 1, plan, columns):
                continue
            writers = [(c, w, f) for c, w, f, _k in plan]
            for r, row in enumerate(zip(*columns), start=lo + 1):
                for (c, write, fmt), v in zip(writers, row):
                    if v is not None:
                        write(r, c, v, fmt)
    wb.close()
    return path
