"""Cell parsers for the spellings clerks really use.

A column holds few distinct values (months, dates, amounts, enumerations), so each
parser works on the column's unique values and maps the result back: exact Python
parsing (Decimal, regexes) at vectorised cost.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    Invalid with a Chinese reason for a bad cell. The column is hashed once; the
    results come back as ``values.map`` of the two dicts would give them (dtypes too)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed: list = [_NONE] * len(uniques)
    reasons: list = [_NONE] * len(uniques)
    for i, value in enumerate(uniques):
        try:
            parsed[i] = parse(value)
        except Invalid as exc:
            reasons[i] = str(exc)
    out = like_map(values, codes, parsed)
    reason = like_map(values, codes, reasons) if any(r is not _NONE for r in reasons) else pd.Series(pd.NA, index=values.index)
    return out, reason.astype("object")


_NONE = object()  # no entry for this distinct value (``like_map``)


def like_map(values: pd.Series, codes: np.ndarray, results: list) -> pd.Series:
    """``values.map(d, na_action="ignore")`` for d = {unique: result} without the
    entries that are ``_NONE``, from ``pd.factorize(values)``'s codes: the same values
    and dtype (a dict of ints gives float64 where a value has no entry), without
    hashing the column again (``Series.map`` of a dict takes ~0.1 s per 270,000 rows)."""
    have = np.fromiter((r is not _NONE for r in results), dtype=bool, count=len(results))
    kept = [r for r in results if r is not _NONE]
    mapper = pd.Series(kept)._values if kept else np.array([], dtype=np.float64)
    position = np.full(len(results) + 1, -1, dtype=np.intp)
    position[:-1][have] = np.arange(len(kept), dtype=np.intp)
    new = pd.api.extensions.take(mapper, position[codes], allow_fill=True)
    return pd.Series(new, index=values.index, name=values.name, copy=False)


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
    text = unicodedata.normalize("NFKC", text)
    if m := _DATE_RE.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _DATE_COMPACT_RE.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    if _SERIAL_RE.fullmatch(text):
        serial = int(float(text))
        if 20000 <= serial <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    raise Invalid(f"无法识别的日期“{text}”，请写成 2020-03-15 的形式")


_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = r"[〇○零一二三四五六七八九十]"
# 2020年9月份, 20年9月, 二〇二〇年九月: the year, then the month; 份 and a day may follow.
_MONTH_CN_RE = re.compile(
    rf"(\d{{4}}|\d{{2}}|{_CN_NUMBER}{{4}})\s*年\s*(\d{{1,2}}|{_CN_NUMBER}{{1,3}})\s*月份?(?:\s*(?:\d{{1,2}}|{_CN_NUMBER}{{1,3}})\s*日)?"
)
_MONTH_ONLY_RE = re.compile(rf"(\d{{1,2}}|{_CN_NUMBER}{{1,3}})\s*月份?")


def _cn_int(text: str) -> int:
    """12, 〇九, 十二 or 二〇二〇 as a number."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def _full_year(year: str) -> int:
    value = _cn_int(year)
    return 2000 + value if len(year) == 2 else value


YEAR_MISSING = "月份没有写年份，标题、工作表名和文件名中也没有年份：请写成“2020年9月”或“2020-09”"


def cn_month(month: str) -> str:
    """2020-09 as the district writes it: 2020年9月."""
    return f"{month[:4]}年{int(month[5:7])}月"


def month_without_year(text: str) -> int | None:
    """9 for "9月" or "九月份": a month the clerk wrote without its year."""
    m = _MONTH_ONLY_RE.fullmatch(text.strip())
    if not m:
        return None
    month = _cn_int(m[1])
    return month if 1 <= month <= 12 else None


def parse_month(text: str) -> str:
    """2020-09, 2020年9月(份), 二〇二〇年九月, 20年9月, 202009, or any date: YYYY-MM."""
    text = unicodedata.normalize("NFKC", text)
    m = _MONTH_RE.fullmatch(text) or _MONTH_COMPACT_RE.fullmatch(text)
    if m:
        year, month = int(m[1]), int(m[2])
    elif m := _MONTH_CN_RE.fullmatch(text.strip()):
        year, month = _full_year(m[1]), _cn_int(m[2])
    else:
        try:
            day = parse_date(text)
        except Invalid:
            if month_without_year(text):
                raise Invalid(YEAR_MISSING) from None
            raise Invalid(f"无法识别的月份“{text}”，请写成 2020-09 或 2020年9月") from None
        year, month = day.year, day.month
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        raise Invalid(f"月份“{text}”不存在")
    return f"{year:04d}-{month:02d}"


# Text after these words is a date of filling in or printing, never the month described.
_FILLED_ON = re.compile(
    rf"(?:填报|填表|报送|制表|打印|导出|审核)(?:日期|时间)\s*[:：]?\s*"
    rf"(?:(?:\d{{2,4}}|{_CN_NUMBER}{{2,4}})\s*[-/.年]\s*)?(?:\d{{1,2}}|{_CN_NUMBER}{{1,3}})\s*[-/.月]\s*"
    rf"(?:(?:\d{{1,2}}|{_CN_NUMBER}{{1,3}})\s*日?)?"
)
_RANGE_RE = re.compile(rf"(\d{{1,2}}|{_CN_NUMBER}{{1,3}})\s*[-—–~～至到]\s*(\d{{1,2}}|{_CN_NUMBER}{{1,3}})\s*月")
_ISO_MONTH_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](0?[1-9]|1[0-2])(?![\d])")
_COMPACT_IN_TEXT_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(?!\d)")
_YEAR_RE = re.compile(rf"(\d{{4}}|{_CN_NUMBER}{{4}})\s*年")


def months_in_text(text: str) -> tuple[str | None, int | None, int | None]:
    """What a title, a sheet name or a file name says of the month it describes:
    (YYYY-MM or None, a month without its year or None, a year or None). A range
    (2020年1-9月) names no single month; a date of filling in is not the month."""
    text = _FILLED_ON.sub(" ", unicodedata.normalize("NFKC", text))
    if _RANGE_RE.search(text):
        year = _YEAR_RE.search(text)
        return None, None, _full_year(year[1]) if year else None
    for pattern, convert in (
        (_MONTH_CN_RE, lambda m: (_full_year(m[1]), _cn_int(m[2]))),
        (_ISO_MONTH_RE, lambda m: (int(m[1]), int(m[2]))),
        (_COMPACT_IN_TEXT_RE, lambda m: (int(m[1]), int(m[2]))),
    ):
        for m in pattern.finditer(text):
            year, month = convert(m)
            if 1 <= month <= 12 and 1900 <= year <= 2100:
                return f"{year:04d}-{month:02d}", month, year
    year = _YEAR_RE.search(text)
    year = _full_year(year[1]) if year else None
    m = _MONTH_ONLY_RE.search(text)
    month = _cn_int(m[1]) if m else None
    return None, month if month and 1 <= month <= 12 else None, year


def parse_year(text: str) -> int:
    m = re.fullmatch(r"(\d{4})(?:\.0+)?\s*年?(?:度)?", text)
    if not m:
        raise Invalid(f"无法识别的年度“{text}”，请写成 2020")
    return int(m[1])


TOO_MANY_DIGITS = "数字位数过多（15位以上），疑似把证件号码或电话填入了此列"
_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")


def _decimal(text: str) -> Decimal:
    cleaned = re.sub(r"[,，\s元¥￥]", "", unicodedata.normalize("NFKC", text))
    if not _NUMBER_RE.fullmatch(cleaned):
        raise Invalid(TOO_MANY_DIGITS if _ID_LIKE.fullmatch(cleaned) else f"“{text}”不是数字")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise Invalid(f"“{text}”不是数字") from None
    # 15 digits before the point: an ID number or a phone pasted one column over, never
    # a count or an amount (and past this, exact arithmetic would overflow).
    if value.is_finite() and value != 0 and value.adjusted() >= 14:
        raise Invalid(TOO_MANY_DIGITS)
    return value


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
    codes, mapped = unique_results(values, fn)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def unique_results(values: pd.Series, fn) -> tuple[np.ndarray, np.ndarray]:
    """(codes, ``fn`` of each distinct value with None last): ``results[codes]`` is
    ``per_unique``'s values, and other functions of the results need no second hashing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = None
    return codes, mapped


def distinct(values: pd.Series):
    """(the column's distinct values as an object Series, ``spread``): ``spread(r)`` puts
    a Series computed element-wise on the distinct values back over the column's rows,
    with the values and dtype the same computation on the whole column gives; the
    column is hashed once, however many steps work on its distinct values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)

    def spread(results: pd.Series) -> pd.Series:
        taken = pd.api.extensions.take(results._values, codes, allow_fill=True)
        return pd.Series(taken, index=values.index, dtype=taken.dtype, copy=False)  # an object array stays object

    return pd.Series(np.asarray(uniques, dtype=object), dtype=object), spread


def fold_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def fold_values(values: pd.Series) -> pd.Series:
    """NFKC, no whitespace: the form enumeration values are matched in."""
    return per_unique(values, fold_text)


def clean_text(values: pd.Series) -> pd.Series:
    """NFKC and trimmed: full-width letters and digits in names and places fold."""
    return per_unique(values, lambda v: unicodedata.normalize("NFKC", v).strip())


_EMPTY = {"", "nan", "NaN", "None", "NaT", "<NA>"}
# Zero-width characters, the BOM, bidirectional marks and the soft hyphen: invisible on
# screen, so never part of a value (nor shown as the reason a value is wrong).
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def visible(text: str) -> str:
    return INVISIBLE.sub("", text)


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
    text = str(value)
    if not text.isascii():  # every invisible character is outside ASCII
        text = visible(text)
    text = text.strip()
    if text in _EMPTY:
        return None
    return _POINT_ZEROS.sub(r"\1", text) if "." in text else text


_POINT_ZEROS = re.compile(r"^(-?\d+)\.0+$")


def to_text(raw: pd.Series) -> pd.Series:
    """Cells as trimmed strings, None where empty; numbers lose a trailing .0."""
    return per_unique(raw, cell_text)
