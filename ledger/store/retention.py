"""Retention: replaced versions of the ledger are not kept without end.

An import replaces a (sheet, month) slice by flipping ``is_current``; the rows it
replaced stay, so that ``restore`` can bring them back. They hold names, ID numbers and
incomes, so ``remove`` deletes the replaced versions (one sheet's rows of one month
written by one import) that stopped being in force longer ago than a given age, except:

- the versions any freeze (报送) still reads: ``versions.as_recorded(log_id)`` serves a
  month "as reported" from the slices in force right after the freeze's history entry
  (``history.state_after``), so every (sheet, period, import) of that state is kept;
- today's rows, of course.

The history entries (``ledger_imports``) and the slice bookkeeping
(``ledger_slice_changes``: sheet, period, import ids, hash, row count, no personal
data) stay whole: they are the record of what happened, and they are what lets
``history.restore`` see that a state it is asked for used rows that are gone, and
refuse instead of restoring a ledger with holes in it.

On SQLite the deleted rows are overwritten (``secure_delete``) and the WAL is
checkpointed and truncated, so the file keeps no copy of them (剩余信息保护).
PostgreSQL and MySQL keep dead rows until VACUUM / OPTIMIZE TABLE (docs/deploy.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, delete, func, not_, select

from ledger.store import summaries
from ledger.store.history import state_after
from ledger.store.schema import DATA, freezes, imports, init_db, lock_for_writing, slice_changes, slices


@dataclass(frozen=True)
class Version:
    """The rows one import wrote for one (sheet, period), now replaced."""

    sheet: str
    period: str
    import_id: int
    rows: int
    replaced_at: dt.datetime  # when it last stopped being in force


@dataclass
class Plan:
    """What ``remove`` deletes (``removed``) and what it keeps although replaced and old
    enough, because a freeze still reads it (``kept_for_freezes``); ``younger``: replaced
    versions within the age limit."""

    cutoff: dt.datetime
    removed: list[Version] = field(default_factory=list)
    kept_for_freezes: list[Version] = field(default_factory=list)
    younger: list[Version] = field(default_factory=list)

    def rows_by_sheet(self, versions: list[Version] | None = None) -> dict[str, int]:
        """sheet → rows, in the order of the sheets (every sheet listed, 0 included)."""
        out = {sheet: 0 for sheet in DATA}
        for v in self.removed if versions is None else versions:
            out[v.sheet] += v.rows
        return out


def needed_by_freezes(conn: Connection) -> set[tuple[str, str, int]]:
    """(sheet, period, import id) of every slice some freeze's state reads."""
    log_ids = [r[0] for r in conn.execute(select(freezes.c.log_id).where(freezes.c.log_id.is_not(None)).distinct())]
    needed = set()
    for log_id in log_ids:
        for (sheet, period), (import_id, _digest, _rows) in state_after(conn, log_id).items():
            if import_id is not None:
                needed.add((sheet, period, import_id))
    return needed


def replaced_versions(conn: Connection) -> list[Version]:
    """Every replaced version still stored, with when it stopped being in force: the
    latest history entry that moved its slice away from it (a version restored and
    replaced again counts from the second time)."""
    moved = {
        (r.sheet, r.period, r.old_import_id): r.at
        for r in conn.execute(
            select(slice_changes.c.sheet, slice_changes.c.period, slice_changes.c.old_import_id,
                   func.max(imports.c.created_at).label("at"))
            .join(imports, imports.c.id == slice_changes.c.log_id)
            .where(slice_changes.c.old_import_id.is_not(None))
            .group_by(slice_changes.c.sheet, slice_changes.c.period, slice_changes.c.old_import_id)
        )
    }
    written = dict(conn.execute(select(imports.c.id, imports.c.created_at)).all())
    in_force = {(r.sheet, r.period, r.import_id) for r in conn.execute(select(slices.c.sheet, slices.c.period,
                                                                               slices.c.import_id))}
    out = []
    for sheet, table in DATA.items():
        stmt = (
            select(table.c.period, table.c.import_id, func.count().label("n"))
            .where(not_(table.c.is_current))
            .group_by(table.c.period, table.c.import_id)
            .order_by(table.c.period, table.c.import_id)
        )
        for r in conn.execute(stmt):
            key = (sheet, r.period, r.import_id)
            if key in in_force:  # never: a slice in force is current; kept to be safe
                continue
            at = moved.get(key) or written.get(r.import_id) or dt.datetime.min
            out.append(Version(sheet, r.period, r.import_id, int(r.n), at))
    return out


def plan(engine: Engine, older_than: dt.timedelta, *, now: dt.datetime | None = None) -> Plan:
    """What ``remove`` would delete, without deleting anything."""
    init_db(engine)
    with engine.connect() as conn:
        return _plan(conn, older_than, now)


def _plan(conn: Connection, older_than: dt.timedelta, now: dt.datetime | None) -> Plan:
    cutoff = (now or dt.datetime.now()).replace(microsecond=0) - older_than
    needed = needed_by_freezes(conn)
    out = Plan(cutoff)
    for v in replaced_versions(conn):
        if v.replaced_at > cutoff:
            out.younger.append(v)
        elif (v.sheet, v.period, v.import_id) in needed:
            out.kept_for_freezes.append(v)
        else:
            out.removed.append(v)
    return out


def remove(engine: Engine, older_than: dt.timedelta, *, now: dt.datetime | None = None, dry_run: bool = False) -> Plan:
    """Delete the replaced versions older than ``older_than`` that no freeze reads, in
    one transaction under the write lock (no import or restore meanwhile); returns what
    was (or, ``dry_run``, would be) deleted."""
    init_db(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        with conn.begin():
            lock_for_writing(conn)
            done = _plan(conn, older_than, now)
            if dry_run or not done.removed:
                conn.rollback()
                return done
            if sqlite:  # deleted rows are zeroed, not left readable in the file
                secure = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
            for v in done.removed:
                table = DATA[v.sheet]
                conn.execute(delete(table).where(table.c.period == v.period, table.c.import_id == v.import_id,
                                                 not_(table.c.is_current)))
                summaries.drop_slice(conn, v.sheet, v.period, v.import_id)
        if sqlite:  # the WAL held the pages before they were zeroed: fold it in and empty it
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql(f"PRAGMA secure_delete={int(secure or 0)}")
    return done
