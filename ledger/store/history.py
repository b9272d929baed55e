"""The history of every import and restore, whether each import is still in force,
and restoring the ledger to how it stood after (or before) any entry."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, Engine, func, select, update

from ledger.store.imports import current_user, point_slice
from ledger.store.schema import DATA, imports, init_db, lock_for_writing, slice_changes, slices
from loaders.spec import SHEETS_BY_KEY


def history(engine: Engine) -> list[dict]:
    """Every import and restore, newest first."""
    init_db(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(imports).order_by(imports.c.id.desc())).all()
    return [
        dict(r._mapping) | {"row_counts": json.loads(r.row_counts or "{}"), "inferred": json.loads(r.inferred or "[]")}
        for r in rows
    ]


IN_FORCE, PART_IN_FORCE, NOT_IN_FORCE = "生效中", "部分生效", "已被替换或撤销"


def import_status(engine: Engine) -> dict[int, str]:
    """For each import in the history, whether its rows are what the ledger holds now:
    生效中 (every slice it wrote is current), 部分生效（k/n）, or 已被替换或撤销 (a later
    import replaced them, or a restore went back before it). Restores are not listed."""
    init_db(engine)
    with engine.connect() as conn:
        written = dict(
            conn.execute(
                select(slice_changes.c.new_import_id, func.count())
                .where(slice_changes.c.new_import_id == slice_changes.c.log_id)
                .group_by(slice_changes.c.new_import_id)
            ).all()
        )
        current = dict(conn.execute(select(slices.c.import_id, func.count()).group_by(slices.c.import_id)).all())
    out = {}
    for log_id, n in written.items():
        k = current.get(log_id, 0)
        out[log_id] = IN_FORCE if k == n else NOT_IN_FORCE if k == 0 else f"{PART_IN_FORCE}（{k}/{n}）"
    return out


def state_after(conn: Connection, log_id: int) -> dict[tuple[str, str], tuple[int | None, str | None, int]]:
    """(sheet, period) → (import id, hash, rows) as they stood right after entry ``log_id``."""
    rows = conn.execute(
        select(slice_changes).where(slice_changes.c.log_id <= log_id).order_by(slice_changes.c.id)
    ).all()
    state = {}
    for r in rows:
        state[(r.sheet, r.period)] = (r.new_import_id, r.content_hash, r.row_count)
    return state


def removed_slices(conn: Connection, diffs) -> list[str]:
    """The slices (工作表 月份) a restore would point at whose rows the retention
    command has deleted: a version of one or more rows that has none left."""
    gone = []
    for (sheet, period), _have, (want_id, _digest, rows) in diffs:
        if want_id is None or not rows:
            continue
        table = DATA[sheet]
        if conn.execute(select(table.c.row_id).where(table.c.period == period, table.c.import_id == want_id)
                        .limit(1)).first() is None:
            gone.append(f"{SHEETS_BY_KEY[sheet].name}{' ' + period if period else ''}")
    return gone


def restore(engine: Engine, log_id: int, *, before: bool = False, user: str | None = None,
            reason: str | None = None) -> int | None:
    """Bring every slice back to how it stood right after (or, ``before``, right before)
    history entry ``log_id``; the restore is itself recorded, with its ``reason`` in the
    note. Returns the new entry's id, or None when nothing differed."""
    init_db(engine)
    with engine.begin() as conn:
        lock_for_writing(conn)
        if conn.execute(select(imports.c.id).where(imports.c.id == log_id)).first() is None:
            raise KeyError(f"没有编号为 {log_id} 的导入记录")
        target = state_after(conn, log_id - 1 if before else log_id)
        current = {(r.sheet, r.period): r for r in conn.execute(select(slices)).all()}
        keys = sorted(set(target) | set(current))
        diffs = []
        for key in keys:
            want = target.get(key, (None, None, 0))
            have = current.get(key)
            if (have.import_id if have else None) != want[0]:
                diffs.append((key, have, want))
        if not diffs:
            return None
        if gone := removed_slices(conn, diffs):
            raise KeyError(
                f"无法恢复到第{log_id}号记录{'之前' if before else '之后'}的状态：该状态所用的"
                f"{'、'.join(gone)}的旧版本已按保留期限清理（python -m ledger retention），"
                "恢复将得到不完整的数字，因此未作任何改动。"
            )
        counts: dict[str, dict[str, int]] = {}
        new_id = conn.execute(
            imports.insert().values(
                kind="restore",
                created_at=dt.datetime.now().replace(microsecond=0),
                created_by=user or current_user(),
                note=f"恢复到第{log_id}号记录{'之前' if before else '之后'}的状态"
                + (f"；原因：{reason.strip()}" if reason and reason.strip() else ""),
            )
        ).inserted_primary_key[0]
        for (sheet, period), have, (want_id, digest, rows) in diffs:
            table = DATA[sheet]
            conn.execute(update(table).where(table.c.period == period, table.c.is_current).values(is_current=False))
            if want_id is not None:
                conn.execute(
                    update(table).where(table.c.period == period, table.c.import_id == want_id).values(is_current=True)
                )
            point_slice(conn, new_id, sheet, period, have, want_id, digest, rows)
            counts.setdefault(sheet, {})[period] = rows
        conn.execute(
            update(imports).where(imports.c.id == new_id).values(row_counts=json.dumps(counts, ensure_ascii=False))
        )
    return new_id
