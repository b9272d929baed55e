"""Which stored rows are in force: today's (``is_current``), or, inside ``as_recorded``,
the rows that were in force right after an earlier history entry.

The store never deletes a replaced row, and ``ledger_slice_changes`` records which
import's rows each (sheet, month) pointed at after every entry. So the ledger as it
stood when a month was reported (报送) can be read again exactly, by every query,
without copying anything: each query asks ``current(table)`` instead of reading
``is_current`` itself. The choice travels in a context variable, so a page can wrap
its calls (and an export its whole build) in one ``with`` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, Engine, Table, and_, false, or_

from .schema import DATA
from .store import state_after

# table name → ((period, import id), …) in force; None: today's rows.
_IN_FORCE: ContextVar[dict[str, tuple[tuple[str, int], ...]] | None] = ContextVar("in_force", default=None)


def current(t: Table):
    """The condition that a row of ``t`` is in force in the state being read."""
    state = _IN_FORCE.get()
    if state is None:
        return t.c.is_current
    pairs = state.get(t.name, ())
    if not pairs:
        return false()
    return or_(*(and_(t.c.period == period, t.c.import_id == import_id) for period, import_id in pairs))


def recorded_state(conn: Connection, log_id: int | None) -> dict[str, tuple[tuple[str, int], ...]]:
    """Per table, the (period, import id) pairs in force right after entry ``log_id``
    (None: before the first entry, when nothing was stored)."""
    if log_id is None:
        return {}
    state: dict[str, list[tuple[str, int]]] = {}
    for (sheet, period), (import_id, _digest, _rows) in sorted(state_after(conn, log_id).items()):
        if import_id is not None:
            state.setdefault(DATA[sheet].name, []).append((period, import_id))
    return {name: tuple(pairs) for name, pairs in state.items()}


@contextmanager
def as_recorded(engine_or_conn: Engine | Connection, log_id: int | None) -> Iterator[None]:
    """Every query inside reads the ledger as it stood right after entry ``log_id``."""
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            state = recorded_state(conn, log_id)
    else:
        state = recorded_state(engine_or_conn, log_id)
    token = _IN_FORCE.set(state)
    try:
        yield
    finally:
        _IN_FORCE.reset(token)


def reading_recorded() -> bool:
    """True inside ``as_recorded`` (an export can then say it shows reported figures)."""
    return _IN_FORCE.get() is not None
