"""Frozen monthly reports (报送) as stored: each freeze keeps every figure of a month
as reported and the history entry it was made from; the latest freeze of a month
is 'as reported'. Which figures are frozen is the query layer's (query.reported)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, or_, select

from ledger.store.schema import freezes as freezes_table
from ledger.store.schema import imports, init_db, slice_changes
from ledger.store.schema import reported as reported_table
from loaders.spec import SHEETS_BY_KEY

FOUR = Decimal("0.0001")


FREEZE_COLUMNS = ["编号", "月份", "报送人", "报送时间", "历史记录号", "备注"]


KINDS = {"import": "导入", "restore": "恢复"}


def check_month(month: str) -> str:
    try:
        dt.date(int(month[:4]), int(month[5:7]), 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份应写成 YYYY-MM：{month!r}") from None
    if len(month) != 7 or month[4] != "-":
        raise ValueError(f"月份应写成 YYYY-MM：{month!r}")
    return month


def stored_value(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(FOUR)


def shown_value(value):
    """A stored Numeric as the figure would show it: an int when whole."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


def record(conn: Connection, month: str, values: dict, *, user: str, note: str | None) -> int:
    """Keep ``values`` ((township or None, key) → value) as ``month``'s report, made from
    the latest history entry, on the caller's transaction (which holds the write lock)."""
    now = dt.datetime.now().replace(microsecond=0)
    log_id = conn.execute(select(func.max(imports.c.id))).scalar()
    freeze_id = conn.execute(
        freezes_table.insert().values(month=month, frozen_by=user, frozen_at=now, log_id=log_id, note=note)
    ).inserted_primary_key[0]
    rows = [
        dict(freeze_id=freeze_id, month=month, township=t, key=k, value=stored_value(v), log_id=log_id, frozen_by=user, frozen_at=now)
        for (t, k), v in values.items()
    ]
    conn.execute(reported_table.insert(), rows)
    return freeze_id


def frozen_values(conn: Connection, freeze_id: int) -> dict[tuple[str | None, str], Decimal]:
    t = reported_table
    rows = conn.execute(select(t.c.township, t.c.key, t.c.value).where(t.c.freeze_id == freeze_id))
    return {(r.township, r.key): r.value for r in rows}


def latest_row(conn: Connection, month: str):
    return conn.execute(
        select(freezes_table).where(freezes_table.c.month == month).order_by(freezes_table.c.id.desc()).limit(1)
    ).first()


def latest_freeze(engine: Engine, month: str) -> dict | None:
    """The latest freeze of ``month`` (id, month, frozen_by, frozen_at, log_id, note), or
    None. Its ``log_id`` is the history entry whose ledger the report was made from:
    ``versions.as_recorded(engine, log_id)`` reads that ledger again."""
    if month is None:
        return None
    init_db(engine)
    with engine.connect() as conn:
        latest = latest_row(conn, month)
    return dict(latest._mapping) if latest is not None else None


def reported(engine: Engine, month: str, township: str | None = None) -> dict[str, object] | None:
    """The figures of the latest freeze of ``month`` (district, or one township), or None
    when the month was never frozen. Whole numbers come back as int, others as Decimal."""
    init_db(engine)
    with engine.connect() as conn:
        latest = latest_row(conn, month)
        if latest is None:
            return None
        t = reported_table
        cond = t.c.township.is_(None) if township is None else t.c.township == township
        rows = conn.execute(select(t.c.key, t.c.value).where(t.c.freeze_id == latest.id, cond)).all()
    return {r.key: shown_value(r.value) for r in rows}


def freezes(engine: Engine) -> pd.DataFrame:
    """Every freeze, newest first."""
    init_db(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(freezes_table).order_by(freezes_table.c.id.desc())).all()
    frame = pd.DataFrame(
        [[r.id, r.month, r.frozen_by, r.frozen_at, r.log_id, r.note] for r in rows], columns=FREEZE_COLUMNS, dtype=object
    )
    frame["编号"] = frame["编号"].astype("int64")
    return frame


def _touching(month: str):
    """slice_changes rows that can move ``month``'s figures: any sheet's slice of the month,
    event sheets' months of the year up to it, earlier months of the snapshot sheets (a
    snapshot figure falls back to the latest month on or before), the year's targets and
    the list of townships."""
    sc = slice_changes.c
    year = month[:4]
    event = [k for k, s in SHEETS_BY_KEY.items() if s.period == "event"]
    snapshot = [k for k, s in SHEETS_BY_KEY.items() if s.period == "month"]
    return or_(
        sc.period == month,
        and_(sc.sheet.in_(event), sc.period >= f"{year}-01", sc.period <= month),
        and_(sc.sheet.in_(snapshot), sc.period <= month),
        and_(sc.sheet == "targets", sc.period == year),
        sc.sheet == "townships",
    )


def reasons_after(conn: Connection, month: str, after_log_id: int | None, *, named: bool = True) -> str:
    stmt = (
        select(imports)
        .where(imports.c.id.in_(select(slice_changes.c.log_id).where(_touching(month))))
        .order_by(imports.c.id)
    )
    if after_log_id is not None:
        stmt = stmt.where(imports.c.id > after_log_id)
    parts = []
    for r in conn.execute(stmt):
        what = r.filename if r.kind == "import" else (r.note or "")
        if not named:
            parts.append(f"#{r.id} {r.created_at:%Y-%m-%d} {KINDS.get(r.kind, r.kind)}")
            continue
        parts.append(f"#{r.id} {r.created_at:%Y-%m-%d} {r.created_by} {KINDS.get(r.kind, r.kind)} {what}".rstrip())
    return "；".join(parts)
