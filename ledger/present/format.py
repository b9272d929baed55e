"""Every number as text, in one of two styles, so the screen and the report never
disagree on a figure's digits or unit:

- ``SCREEN`` (pages, tables, slides): 万元 with two decimals, thousands separators:
  2.89万元, 41,239条, 88.51%.
- ``REPORT`` (the Word briefing's sentences): as the district's report writes them,
  万元 exact without trailing zeros and no separators: 2.89万元, 31.3万元, 41239条.

Changes are signed (+12人, -0.50万元, +0.97个百分点); months and dates are Chinese
(2020年9月, 2020年9月30日)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ledger.access.masking import is_few
from ledger.store.figures import Figure

SCREEN, REPORT = "screen", "report"
CENTS = Decimal("0.01")
MISSING = "—"


def wan(yuan, style: str = SCREEN) -> str:
    """Yuan as 万元 without the unit: SCREEN 28900 → '2.89', 2994000 → '299.40';
    REPORT 313000 → '31.3', 22180 → '2.218', 100000 → '10' (exact)."""
    if yuan is None:
        return MISSING
    value = Decimal(str(yuan)) / 10000
    if style == SCREEN:
        return f"{value.quantize(CENTS, rounding=ROUND_HALF_UP):,}"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def unit(fig: Figure) -> str:
    """The unit a figure is shown in: 万元 for money kept in 万元, else its own."""
    return "万元" if fig.in_wan else fig.unit


def show(fig: Figure, value, style: str = SCREEN) -> str:
    """A figure with its unit: money in 万元, rates in %, counts as integers (a
    suppressed small count as ``<5人``)."""
    if value is None:
        return MISSING
    if is_few(value):
        return f"{value}{fig.unit}"
    if fig.in_wan:
        return f"{wan(value, style)}万元"
    if fig.agg == "ratio":
        return f"{value}%"
    if fig.money:
        return f"{value:,}元" if style == SCREEN else f"{value}元"
    return f"{int(value):,}{fig.unit}" if style == SCREEN else f"{int(value)}{fig.unit}"


def signed(fig: Figure, change) -> str:
    """A change of a figure with its sign and unit: +12人, -0.50万元, +0.97个百分点."""
    if change is None:
        return MISSING
    sign = "+" if change > 0 else ""
    if fig.agg == "ratio":
        return f"{sign}{Decimal(str(change)).quantize(CENTS)}个百分点"
    if fig.money and not fig.in_wan:
        return f"{sign}{Decimal(str(change)).quantize(CENTS):,}元"
    return sign + show(fig, change)


def delta(fig: Figure, now, before) -> str | None:
    """The change from ``before`` to ``now`` (环比), or None when either is missing
    (or suppressed)."""
    if now is None or before is None or is_few(now) or is_few(before):
        return None
    return signed(fig, Decimal(str(now)) - Decimal(str(before)))


def cell(fig: Figure, value):
    """A figure as a table cell (screen, Excel): money in 万元 rounded to cents, other
    numbers as they are; None stays blank, a suppressed count reads ``<5``."""
    if value is None or is_few(value):
        return value
    if fig.in_wan:
        return float((Decimal(value) / 10000).quantize(CENTS, rounding=ROUND_HALF_UP))
    if isinstance(value, Decimal):
        return float(value)
    return value


def cell_text(fig: Figure, value) -> str:
    """A figure as the text of a printed table's cell (the briefing's): no unit."""
    if value is None:
        return MISSING
    if is_few(value):
        return value
    if fig.in_wan:
        return wan(value)
    if fig.agg == "ratio":
        return f"{value}"
    return f"{int(value)}"


def count(value) -> str:
    """A whole number with separators: 30,000."""
    return f"{int(value):,}"


def month_label(month: str | dt.date | None) -> str:
    """'2020-09' or a date → 2020年9月."""
    if month is None:
        return ""
    if isinstance(month, dt.date):
        return f"{month.year}年{month.month}月"
    return f"{month[:4]}年{int(month[5:7])}月"


def date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def moment(when: dt.datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M}"
