"""Showing figures the way the district writes them: 万元 with two decimals, counts with
thousands separators, rates as percentages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ledger.query.definitions import Figure


def wan(yuan) -> str:
    """28900 → '2.89': yuan as 万元 with two decimals."""
    if yuan is None:
        return "—"
    return f"{(Decimal(yuan) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def show(fig: Figure, value) -> str:
    """A figure as text with its unit: money in 万元, rates in %, counts as integers."""
    if value is None:
        return "—"
    if fig.in_wan:
        return f"{wan(value)}万元"
    if fig.agg == "ratio":
        return f"{value}%"
    if fig.money:
        return f"{value:,}元"
    return f"{value:,}{fig.unit}"


def signed(fig: Figure, change) -> str:
    """A change of a figure with its sign and unit: +12人, -0.50万元, +0.97个百分点."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else ""
    if fig.agg == "ratio":
        return f"{sign}{change}个百分点"
    return sign + show(fig, change)
