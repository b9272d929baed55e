"""The query layer: every figure of the ledger as SQL aggregates, for a scope, an as-of
date and a drill level, the same statements on SQLite, PostgreSQL and MySQL. The
functions below are its public face; people lists, quality checks, targets and the
frozen reports live in their own modules beside it."""

from ledger.query.statements import (
    ALL,
    DISTRICT_WIDE,
    NO_VILLAGE,
    FigureSet,
    Scope,
    breakdown,
    default_as_of,
    figures,
    income_bands,
    month_end,
    monthly,
    months,
    workshop_monthly,
)

__all__ = [
    "ALL", "DISTRICT_WIDE", "NO_VILLAGE", "FigureSet", "Scope", "breakdown", "default_as_of", "figures",
    "income_bands", "month_end", "monthly", "months", "workshop_monthly",
]
