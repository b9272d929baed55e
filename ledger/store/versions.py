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
from typing import NamedTuple

from sqlalchemy import Connection, Engine, Table, and_, false, or_, select

from ledger.store.history import state_after
from ledger.store.schema import DATA, slices


class InForce(NamedTuple):
    """One table's rows in force in an earlier state: the periods whose slice is the
    same as today's (read through ``is_current`` and its index), and the (period,
    import id) pairs of the slices that have changed since."""

    unchanged: tuple[str, ...]
    changed: tuple[tuple[str, int], ...]


# table name → its rows in force; None: today's rows.
_IN_FORCE: ContextVar[dict[str, InForce] | None] = ContextVar("in_force", default=None)


def current(t: Table):
    """The condition that a row of ``t`` is in force in the state being read."""
    state = _IN_FORCE.get()
    if state is None:
        return t.c.is_current
    rows = state.get(t.name)
    if rows is None:
        return false()
    parts = [and_(t.c.period == period, t.c.import_id == import_id) for period, import_id in rows.changed]
    if rows.unchanged:
        parts.append(and_(t.c.period.in_(rows.unchanged), t.c.is_current))
    return or_(*parts)


def in_force(conn: Connection) -> dict[str, dict[str, int]]:
    """Per sheet, period → the import whose rows are in force in the state being read
    (today's, or inside ``as_recorded`` the recorded one): what the summaries are read by."""
    today: dict[str, dict[str, int]] = {}
    for r in conn.execute(select(slices.c.sheet, slices.c.period, slices.c.import_id)):
        today.setdefault(r.sheet, {})[r.period] = r.import_id
    state = _IN_FORCE.get()
    if state is None:
        return today
    out: dict[str, dict[str, int]] = {}
    for sheet, table in DATA.items():
        rows = state.get(table.name)
        if rows is None:
            continue
        mine = {p: today[sheet][p] for p in rows.unchanged if p in today.get(sheet, {})}
        out[sheet] = mine | dict(rows.changed)
    return out


def recorded_state(conn: Connection, log_id: int | None) -> dict[str, InForce]:
    """Per table, the rows in force right after entry ``log_id`` (None: before the
    first entry, when nothing was stored)."""
    if log_id is None:
        return {}
    today = {(r.sheet, r.period): r.import_id for r in conn.execute(select(slices.c.sheet, slices.c.period, slices.c.import_id))}
    same: dict[str, list[str]] = {}
    other: dict[str, list[tuple[str, int]]] = {}
    for (sheet, period), (import_id, _digest, _rows) in sorted(state_after(conn, log_id).items()):
        if import_id is None:
            continue
        name = DATA[sheet].name
        if today.get((sheet, period)) == import_id:
            same.setdefault(name, []).append(period)
        else:
            other.setdefault(name, []).append((period, import_id))
    return {name: InForce(tuple(same.get(name, ())), tuple(other.get(name, ()))) for name in {*same, *other}}


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
