"""Frozen monthly reports (报送): the figures as they were reported for a month, kept
while the ledger is corrected afterwards, and what changed since and why.

Freezing a month stores every figure (``ledger.figures.FIGURES``) for the district
(township None) and for each township of the breakdown (including the district-wide
part, ``queries.DISTRICT_WIDE``), as of the month's end. Freezing the same month again
adds a new freeze; the latest is "as reported".
"""

from __future__ import annotations

import datetime as dt
import hmac
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, or_, select

from loaders.spec import SHEETS_BY_KEY

from . import queries
from .config import report_code
from .figures import FIGURES, figure
from .schema import freezes as freezes_table
from .schema import imports, reported as reported_table, slice_changes
from .store import _lock, _user, init_db

DISTRICT = "全区"
FOUR = Decimal("0.0001")
CHANGE_COLUMNS = ["乡镇", "指标", "报送值", "当前值", "变化", "原因", "key"]
FREEZE_COLUMNS = ["编号", "月份", "报送人", "报送时间", "历史记录号", "备注"]
KINDS = {"import": "导入", "restore": "恢复"}


def _check_month(month: str) -> str:
    try:
        dt.date(int(month[:4]), int(month[5:7]), 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份应写成 YYYY-MM：{month!r}") from None
    if len(month) != 7 or month[4] != "-":
        raise ValueError(f"月份应写成 YYYY-MM：{month!r}")
    return month


def _stored(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(FOUR)


def _shown(value):
    """A stored Numeric as the figure would show it: an int when whole."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


def _all_figures(conn: Connection, month: str) -> dict[tuple[str | None, str], object]:
    """(township or None for the district, key) → value as of the month's end."""
    as_of = queries.month_end(month)
    keys = [f.key for f in FIGURES]
    out: dict[tuple[str | None, str], object] = {}
    for k, v in queries.figures(conn, as_of, keys=keys).values.items():
        out[(None, k)] = v
    frame = queries.breakdown(conn, keys, as_of)
    for rec in frame.to_dict("records"):
        for k in keys:
            out[(rec["township"], k)] = rec[k]
    return out


def authorised(code: str | None) -> bool:
    """Whether ``code`` is the configured 报送口令 (always, when none is configured)."""
    wanted = report_code()
    return wanted is None or (code is not None and hmac.compare_digest(code.encode(), wanted.encode()))


def freeze(engine: Engine, month: str, *, user: str | None, note: str | None = None, code: str | None = None) -> int:
    """Store every figure of ``month`` as reported; returns the freeze's id. Where a
    报送口令 is configured (``config.report_code``), ``code`` must be it."""
    _check_month(month)
    if not authorised(code):
        raise PermissionError("报送口令不正确，未冻结")
    init_db(engine)
    now = dt.datetime.now().replace(microsecond=0)
    who = user or _user()
    with engine.begin() as conn:
        _lock(conn)  # no import between reading the figures and recording the history id
        log_id = conn.execute(select(func.max(imports.c.id))).scalar()
        values = _all_figures(conn, month)
        freeze_id = conn.execute(
            freezes_table.insert().values(month=month, frozen_by=who, frozen_at=now, log_id=log_id, note=note)
        ).inserted_primary_key[0]
        rows = [
            dict(freeze_id=freeze_id, month=month, township=t, key=k, value=_stored(v), log_id=log_id, frozen_by=who, frozen_at=now)
            for (t, k), v in values.items()
        ]
        conn.execute(reported_table.insert(), rows)
    return freeze_id


def _latest(conn: Connection, month: str):
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
        latest = _latest(conn, month)
    return dict(latest._mapping) if latest is not None else None


def reported(engine: Engine, month: str, township: str | None = None) -> dict[str, object] | None:
    """The figures of the latest freeze of ``month`` (district, or one township), or None
    when the month was never frozen. Whole numbers come back as int, others as Decimal."""
    init_db(engine)
    with engine.connect() as conn:
        latest = _latest(conn, month)
        if latest is None:
            return None
        t = reported_table
        cond = t.c.township.is_(None) if township is None else t.c.township == township
        rows = conn.execute(select(t.c.key, t.c.value).where(t.c.freeze_id == latest.id, cond)).all()
    return {r.key: _shown(r.value) for r in rows}


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


def _reasons(conn: Connection, month: str, after_log_id: int | None) -> str:
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
        parts.append(f"#{r.id} {r.created_at:%Y-%m-%d} {r.created_by} {KINDS.get(r.kind, r.kind)} {what}".rstrip())
    return "；".join(parts)


def changes_since_reported(engine: Engine, month: str) -> pd.DataFrame:
    """Figures whose current value differs from the latest freeze of ``month``: one row
    per township (全区 for the district) and figure, with 原因 naming the imports and
    restores recorded after the freeze that touched the month's slices or the year's
    event months up to it. Empty when nothing changed or the month was never frozen.
    ``指标`` is the figure's label, ``key`` its key."""
    _check_month(month)
    init_db(engine)
    with engine.connect() as conn:
        latest = _latest(conn, month)
        if latest is None:
            return pd.DataFrame(columns=CHANGE_COLUMNS)
        t = reported_table
        then = {(r.township, r.key): r.value for r in conn.execute(select(t.c.township, t.c.key, t.c.value).where(t.c.freeze_id == latest.id))}
        now = _all_figures(conn, month)
        reason = _reasons(conn, month, latest.log_id)
    order = {k: i for i, k in enumerate(now)}
    records = []
    for where in sorted(set(then) | set(now), key=lambda w: order.get(w, len(order))):
        old = _stored(then.get(where))
        new = _stored(now.get(where))
        if old == new:
            continue
        township, key = where
        delta = None if old is None or new is None else _shown(new - old)
        records.append(
            {
                "乡镇": township or DISTRICT,
                "指标": figure(key).label if _known(key) else key,
                "报送值": _shown(old),
                "当前值": _shown(new),
                "变化": delta,
                "原因": reason,
                "key": key,
            }
        )
    return pd.DataFrame.from_records(records, columns=CHANGE_COLUMNS)


def _known(key: str) -> bool:
    try:
        figure(key)
        return True
    except KeyError:
        return False
