"""Cell parsers for the spellings clerks really use.

A column holds few distinct values (months, dates, amounts, enumerations), so each
parser works on the column's unique values and maps the result back: exact Python
parsing (Decimal, regexes) at vectorised cost.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import unicodedata

import numpy as np
import pandas as pd

EXCEL_EPOCH = dt.date(1899, 12, 30)

# A date cell read with its time of day (2020-03-15 09:30:00) is still that day.
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_MONTH_COMPACT_RE = re.compile(r"(\d{4})(\d{2})")
_SERIAL_RE = re.compile(r"\d{5}(?:\.\d+)?")  # the fraction is the time of day
_NUMBER_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


class Invalid(ValueError):
    """A cell that cannot be read; the message is shown to the clerk."""


def by_unique(values: pd.Series, parse) -> tuple[pd.Series, pd.Series]:
    """Apply ``parse`` to each distinct non-empty value.

    Returns (parsed values, reason or <NA>) aligned with ``values``; ``parse`` raises
    Invalid with a Chinese reason for a bad cell.
    """
    parsed: dict[str, object] = {}
    reasons: dict[str, str] = {}
    for value in values.dropna().unique():
        try:
            parsed[value] = parse(value)
        except Invalid as exc:
            reasons[value] = str(exc)
    out = values.map(parsed, na_action="ignore")
    reason = values.map(reasons, na_action="ignore") if reasons else pd.Series(pd.NA, index=values.index)
    return out, reason.astype("object")


def _make_date(y: int, m: int, d: int, text: str) -> dt.date:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        raise Invalid(f"日期“{text}”不存在") from None
    # A mistyped year (0202, 2920) would file the row under a month no figure reads.
    if not 1900 <= y <= 2100:
        raise Invalid(f"日期“{text}”的年份不对")
    return day


def parse_date(text: str) -> dt.date:
    """2020-03-15, 2020/3/15, 2020年3月15日, 20200315, or an Excel date serial."""
    if m := _DATE_RE.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _DATE_COMPACT_RE.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    if _SERIAL_RE.fullmatch(text):
        serial = int(float(text))
        if 20000 <= serial <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    raise Invalid(f"无法识别的日期“{text}”，请写成 2020-03-15 的形式")


def parse_month(text: str) -> str:
    """2020-09, 2020年9月, 202009, or any date: the month as YYYY-MM."""
    m = _MONTH_RE.fullmatch(text) or _MONTH_COMPACT_RE.fullmatch(text)
    if m:
        year, month = int(m[1]), int(m[2])
    else:
        try:
            day = parse_date(text)
        except Invalid:
            raise Invalid(f"无法识别的月份“{text}”，请写成 2020-09 或 2020年9月") from None
        year, month = day.year, day.month
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        raise Invalid(f"月份“{text}”不存在")
    return f"{year:04d}-{month:02d}"


def parse_year(text: str) -> int:
    m = re.fullmatch(r"(\d{4})(?:\.0+)?\s*年?(?:度)?", text)
    if not m:
        raise Invalid(f"无法识别的年度“{text}”，请写成 2020")
    return int(m[1])


def _decimal(text: str) -> Decimal:
    cleaned = re.sub(r"[,，\s元¥￥]", "", text)
    if not _NUMBER_RE.fullmatch(cleaned):
        raise Invalid(f"“{text}”不是数字")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise Invalid(f"“{text}”不是数字") from None


def money_parser(wan: bool):
    """A parser to integer fen; ``wan`` when the header says 万元."""
    scale = Decimal(1_000_000 if wan else 100)

    def parse(text: str) -> int:
        fen = _decimal(text) * scale
        rounded = fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        # Binary floats from Excel formulas carry noise far below a fen; anything
        # coarser is a real fraction of a fen and is refused rather than rounded.
        if abs(fen - rounded) > Decimal("0.0001"):
            raise Invalid(f"金额“{text}”精确到分即可（元最多两位小数）")
        return int(rounded)

    return parse


def parse_int(text: str) -> int:
    value = _decimal(text)
    if value != value.to_integral_value():
        raise Invalid(f"“{text}”应为整数")
    return int(value)


def parse_number(text: str) -> Decimal:
    """A target value; 90% is read as 90."""
    return _decimal(text.rstrip("%％"))


def per_unique(values: pd.Series, fn) -> pd.Series:
    """``fn`` applied once per distinct value, blanks left blank (an object Series).

    A month of 30,000 labourers holds at most 30,000 distinct names or IDs and a
    handful of months, townships and enumeration values: hashing the column once
    and working on the distinct values is the column-at-a-time form of Python code."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = None
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def fold_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def fold_values(values: pd.Series) -> pd.Series:
    """NFKC, no whitespace: the form enumeration values are matched in."""
    return per_unique(values, fold_text)


def clean_text(values: pd.Series) -> pd.Series:
    """NFKC and trimmed: full-width letters and digits in names and places fold."""
    return per_unique(values, lambda v: unicodedata.normalize("NFKC", v).strip())


_EMPTY = {"", "nan", "NaN", "None", "NaT", "<NA>"}


def cell_text(value) -> str | None:
    """One cell as a trimmed string: 12.0 → '12', a midnight datetime → its date."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value).strip()
    if text in _EMPTY:
        return None
    return re.sub(r"^(-?\d+)\.0+$", r"\1", text)


def to_text(raw: pd.Series) -> pd.Series:
    """Cells as trimmed strings, None where empty; numbers lose a trailing .0."""
    return per_unique(raw, cell_text)


def is_number_cell(raw: pd.Series) -> pd.Series:
    """True where the cell held a number rather than text (Excel's own cell type)."""
    return per_unique(raw, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).fillna(False).astype(bool)
