"""Tables as files a district office opens in Excel: xlsx (title, 口径 line, bold frozen
headers, Chinese fonts, number formats, ID and phone numbers kept as text, the 合计
row set apart) and CSV (UTF-8 with BOM). Bytes out, no Streamlit, so the dashboard's
download buttons and the briefing share them.

Every file carries the watermark line (``ledger.present.caliber.watermark``: who made
it and when): in the xlsx as the 口径 cell's last line and in the printed page's
footer, in the CSV as its first line. The workbooks made from the ledger take the
caller's ``Request``: its scope decides the rows, its ``personal`` the masking (a
people list comes from ``query.request.people``, masked unless the request has full
rights; a village's small counts read <5 for a viewer without them).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd
import xlsxwriter

from ledger.present.caliber import caliber as present_caliber
from ledger.present.caliber import sheets_of, watermark
from ledger.present.format import count, month_label
from ledger.present.frames import TOTAL, figure_table
from ledger.query import request as q
from ledger.query.request import Request
from ledger.store.figures import figure
from loaders.spec import SHEETS_BY_KEY

from .scoped import place_name, scoped

FONT = "宋体"
FONT_SIZE = 11
TITLE_SIZE = 14

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00"
INTEGER_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
# Columns whose values are codes, not quantities: written as text so Excel never turns
# them into numbers (an 18-digit ID would lose its last digits, a code its leading 0).
TEXT_HEADERS = ("证件号码", "联系电话", "户编号", "区划代码")
ROW_NUMBER_HEADERS = ("行号",)  # whole numbers that are references: no thousands separator

MIN_WIDTH = 6
MAX_WIDTH = 40
WINDOWS_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


# --- Helpers -------------------------------------------------------------------------


def text_width(text: str) -> int:
    """Display width: a Chinese (wide or full-width) character counts 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _blank(value) -> bool:
    """None, NaN, NA, NaT and the empty string: a blank cell."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, str) and value == ""):
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, Decimal) and value.is_nan():
        return True
    return False


def _column_kind(header: str) -> str | None:
    """text / money / percent / rownum by the header, or None: decided by the values."""
    h = str(header)
    if any(t in h for t in TEXT_HEADERS):
        return "text"
    if "万元" in h:
        return "money"
    if "%" in h or "％" in h:
        return "percent"
    if "（元）" in h or "(元)" in h:
        return "money"  # yuan amounts in people lists: also to the cent
    if h in ROW_NUMBER_HEADERS:
        return "rownum"
    return None


def _is_integral(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Integral):
        return True
    if isinstance(value, Decimal):
        return value == value.to_integral_value()
    return False


def _shown(value, num_format: str | None) -> str:
    """Roughly what Excel shows, for the column width."""
    if isinstance(value, (dt.date, dt.datetime)):
        return "0000-00-00"
    if isinstance(value, numbers.Number) or isinstance(value, Decimal):
        x = float(value)
        if num_format == MONEY_FORMAT:
            return f"{x:,.2f}"
        if num_format == PERCENT_FORMAT:
            return f"{x:.2f}"
        if num_format == INTEGER_FORMAT:
            return f"{x:,.0f}"
        if num_format == "0":
            return f"{x:.0f}"
        return f"{x:.10g}"
    return str(value)


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'") or "数据"
    return cleaned[:31]


class _Formats:
    """xlsxwriter formats made once per combination; every one carries the Chinese font."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.cache: dict[tuple, object] = {}

    def get(self, *, num_format=None, bold=False, top=False, wrap=False, align=None, size=FONT_SIZE, valign=None):
        key = (num_format, bold, top, wrap, align, size, valign)
        if key not in self.cache:
            # charset 134 (GB2312): Excel takes 宋体 for the Chinese characters too.
            props = {"font_name": FONT, "font_size": size, "font_charset": 134}
            if num_format:
                props["num_format"] = num_format
            if bold:
                props["bold"] = True
            if top:
                props["top"] = 1
            if wrap:
                props["text_wrap"] = True
            if align:
                props["align"] = align
            if valign:
                props["valign"] = valign
            self.cache[key] = self.workbook.add_format(props)
        return self.cache[key]


# --- xlsx and csv --------------------------------------------------------------------


def xlsx(table: pd.DataFrame, *, title: str, caliber: str, sheet: str = "数据", watermark: str | None = None) -> bytes:
    """One sheet: row 1 the title (bold, merged across the columns), row 2 the 口径
    line (and under it, in the same cell, the ``watermark`` line, which the printed
    page's footer repeats), row 3 the headers (bold, wrapped, frozen below), then the
    data. Money (万元, 元) to the cent, percentages to 2 decimals, whole numbers with
    separators; ID, phone, household and area-code columns as text; the 合计 row bold
    with a top rule; None/NaN blank."""
    headers = [str(c) for c in table.columns]
    ncols = max(len(headers), 1)
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
        },
    )
    fmts = _Formats(workbook)
    ws = workbook.add_worksheet(_sheet_name(sheet))

    kinds = [_column_kind(h) for h in headers]
    rows = list(table.itertuples(index=False, name=None))
    # A column without a header rule: whole numbers if every value is one, else general.
    for j, kind in enumerate(kinds):
        if kind is None:
            values = [r[j] for r in rows if not _blank(r[j])]
            nums = [v for v in values if isinstance(v, (numbers.Number, Decimal)) and not isinstance(v, (bool, np.bool_))]
            if nums and all(_is_integral(v) or (isinstance(v, float) and v.is_integer()) for v in nums):
                kinds[j] = "integer"
    num_formats = {"text": TEXT_FORMAT, "money": MONEY_FORMAT, "percent": PERCENT_FORMAT,
                   "integer": INTEGER_FORMAT, "rownum": "0"}
    widths = [text_width(h) for h in headers]

    for i, row in enumerate(rows):
        r = 3 + i
        total = len(row) > 0 and row[0] == TOTAL
        for j, value in enumerate(row):
            kind = kinds[j]
            nf = num_formats.get(kind)
            style = dict(bold=total, top=total)
            if _blank(value):
                ws.write_blank(r, j, None, fmts.get(num_format=nf, **style))
                continue
            if kind == "text" or isinstance(value, str):
                text = str(value)
                ws.write_string(r, j, text, fmts.get(num_format=TEXT_FORMAT if kind == "text" else None, **style))
                widths[j] = max(widths[j], text_width(text))
            elif isinstance(value, (bool, np.bool_)):
                ws.write_boolean(r, j, bool(value), fmts.get(**style))
                widths[j] = max(widths[j], 5)
            elif isinstance(value, (dt.datetime, dt.date)):
                when = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
                when = when.replace(tzinfo=None)
                ws.write_datetime(r, j, when, fmts.get(num_format=DATE_FORMAT, **style))
                widths[j] = max(widths[j], 10)
            elif isinstance(value, (numbers.Number, Decimal)):
                ws.write_number(r, j, float(value), fmts.get(num_format=nf, **style))
                widths[j] = max(widths[j], text_width(_shown(value, nf)))
            else:
                text = str(value)
                ws.write_string(r, j, text, fmts.get(**style))
                widths[j] = max(widths[j], text_width(text))

    widths = [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w, fmts.get(num_format=TEXT_FORMAT if kinds[j] == "text" else None))

    # Title and 口径 across the table; the 口径 line wraps and its row grows to fit.
    title_fmt = fmts.get(bold=True, size=TITLE_SIZE, align="center", valign="vcenter")
    caliber_fmt = fmts.get(wrap=True, valign="top")
    lines = [caliber] + ([watermark] if watermark else [])
    caliber = "\n".join(lines)
    if ncols > 1:
        ws.merge_range(0, 0, 0, ncols - 1, title, title_fmt)
        ws.merge_range(1, 0, 1, ncols - 1, caliber, caliber_fmt)
    else:
        ws.write_string(0, 0, title, title_fmt)
        ws.write_string(1, 0, caliber, caliber_fmt)
    ws.set_row(0, 24)
    span = sum(widths) if headers else MIN_WIDTH
    ws.set_row(1, 15 * sum(max(1, math.ceil(text_width(line) / max(span - 1, 1))) for line in lines))
    if watermark:
        ws.set_footer("&L&8" + _footer_text(watermark) + "&R&8&P / &N")

    header_fmt = fmts.get(bold=True, wrap=True, align="center", valign="vcenter")
    for j, h in enumerate(headers):
        ws.write_string(2, j, h, header_fmt)
    header_lines = max([math.ceil((text_width(h) + 2) / w) for h, w in zip(headers, widths)] or [1])
    ws.set_row(2, 15 * max(1, header_lines))

    ws.freeze_panes(3, 0)
    ws.repeat_rows(2)
    ws.fit_to_pages(1, 0)
    if sum(widths) > 100:
        ws.set_landscape()
    workbook.close()
    return buf.getvalue()


def _footer_text(text: str) -> str:
    """Text for an Excel header or footer: ``&`` starts a code there, so it is doubled;
    the whole footer may hold 255 characters."""
    return text.replace("&", "&&")[:200]


# A CSV cell starting with one of these is run as a formula by Excel (=HYPERLINK(…),
# +cmd|…, @SUM(…)); OWASP's advice: a leading ' makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """A text cell that a spreadsheet would read as a formula, with ``'`` in front;
    numbers and other text unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def csv(table: pd.DataFrame, watermark: str | None = None) -> bytes:
    """UTF-8 with BOM, so Excel on a Chinese PC opens it right; blanks empty, text as
    is except that a cell Excel would run as a formula (a name from the data such as
    ``=HYPERLINK(…)``) is made ``inert``; number columns are never touched. The
    ``watermark`` is the first line: one cell, quoted, so Excel shows it in A1 and the
    headers follow in row 2."""
    out = table.copy()
    for j in range(out.shape[1]):
        if not pd.api.types.is_numeric_dtype(out.dtypes.iloc[j]):
            out.isetitem(j, out.iloc[:, j].map(inert))
    out.columns = [inert(c) for c in out.columns]
    first = ""
    if watermark:
        first = '"' + str(inert(watermark)).replace('"', '""').replace("\r", " ").replace("\n", " ") + '"\n'
    return (first + out.to_csv(index=False)).encode("utf-8-sig")


# --- From the ledger -----------------------------------------------------------------


def breakdown_workbook(
    engine,
    request: Request,
    keys,
    *,
    by: str | None = None,
    title: str | None = None,
    at: dt.datetime | None = None,
) -> bytes:
    """The breakdown table as on screen (ledger.present.frames.figure_table: Chinese headers,
    万元, the 合计 row from the place's own figures) as xlsx, within the request's scope.
    ``by`` is township, village or a column of the figures' sheet (e.g. ``mode``); one
    level down from the request's place by default."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    request = scoped(engine, request)
    by = by or request.by
    rows = q.breakdown(engine, request, keys, by)
    total = q.figures(engine, request, keys)
    table = figure_table(rows, keys, total)
    if by not in ("township", "village"):
        label = SHEETS_BY_KEY[sheets_of(keys)[0]].column(by).header
        if table.columns[0] != label:  # a figure_table that labels townships and villages only
            table = figure_table(rows.rename(columns={by: "township"}), keys, total).rename(columns={"乡镇": label})
    where = request.place if request.township or request.scope.is_district else place_name(request)
    what = figure(keys[0]).label if len(keys) == 1 else "主要指标"
    month = month_label(request.as_of) if request.as_of else ""
    if by in ("township", "village"):
        scope_text = f"{where}{'各乡镇' if by == 'township' else '各村'}"
        default_title = f"{scope_text}{what}" + (f"（{month}）" if month else "")
    else:
        scope_text = f"{where}，按{table.columns[0]}分"
        default_title = f"{where}{what}（按{table.columns[0]}分" + (f"，{month}）" if month else "）")
    title = title or default_title
    caliber = present_caliber(request, sheets=sheets_of(keys), scope_text=scope_text)
    if request.masked and by == "village":
        caliber = caliber[:-1] + "；不足5的村级人数显示为“<5”。"
    return xlsx(table, title=title, caliber=caliber, watermark=watermark(request, at))


def people_workbook(
    engine,
    request: Request,
    key: str,
    *,
    filters: dict | None = None,
    at: dt.datetime | None = None,
) -> bytes:
    """The people behind a count figure (花名册) exactly as on screen — masked unless
    the request carries full rights, refused (PermissionError) without any — as xlsx
    titled like the screen: 宜州区 庆远镇 X村 劳动力人数名单（n人）."""
    fig = figure(key)
    request = scoped(engine, request)
    table = q.people(engine, request, key, filters)
    where = request.place
    title = f"{where} {fig.label}名单（{count(len(table))}{fig.unit}）"
    caliber = present_caliber(request, sheets=[fig.table], scope_text=where)
    if request.masked:
        caliber = caliber[:-1] + "；姓名、证件号码、联系电话等个人信息已脱敏。"
    return xlsx(table, title=title, caliber=caliber, sheet="名单", watermark=watermark(request, at))


def filename(place: str, what: str, month_label: str, ext: str) -> str:
    """``宜州区 庆远镇``, ``各村就业率``, ``2020年9月``, ``xlsx`` → ``宜州区_庆远镇_各村就业率_2020年9月.xlsx``:
    spaces and the characters Windows forbids (\\ / : * ? " < > |) become ``_``."""
    parts = [str(p).strip() for p in (place, what, month_label) if p is not None and str(p).strip()]
    stem = "_".join(parts)
    stem = WINDOWS_FORBIDDEN.sub("_", stem)
    stem = re.sub(r"\s+", "_", stem)
    stem = re.sub(r"_{2,}", "_", stem).strip("_. ")[:150] or "导出"
    if stem.upper() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    ext = WINDOWS_FORBIDDEN.sub("", str(ext)).strip().lstrip(".").strip()
    return f"{stem}.{ext}" if ext else stem
