"""What a month's report (报送) holds and how today's ledger differs from it.

Freezing a month stores every figure (``definitions.FIGURES``) for the district
(township None) and for each township of the breakdown (including the district-wide
part, ``statements.DISTRICT_WIDE``), as of the month's end; ``store.freezes`` keeps them.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine

from ledger import query
from ledger.store.figures import FIGURES, figure
from ledger.store.freezes import (
    check_month,
    frozen_values,
    latest_row,
    reasons_after,
    record,
    shown_value,
    stored_value,
)
from ledger.store.imports import current_user
from ledger.store.schema import init_db, lock_for_writing

DISTRICT = "全区"


CHANGE_COLUMNS = ["乡镇", "指标", "报送值", "当前值", "变化", "原因", "key"]


def _all_figures(conn: Connection, month: str) -> dict[tuple[str | None, str], object]:
    """(township or None for the district, key) → value as of the month's end."""
    as_of = query.month_end(month)
    keys = [f.key for f in FIGURES]
    out: dict[tuple[str | None, str], object] = {}
    for k, v in query.figures(conn, as_of, keys=keys).values.items():
        out[(None, k)] = v
    frame = query.breakdown(conn, keys, as_of)
    for rec in frame.to_dict("records"):
        for k in keys:
            out[(rec["township"], k)] = rec[k]
    return out


def freeze(engine: Engine, month: str, *, user: str | None, note: str | None = None) -> int:
    """Store every figure of ``month`` as reported; returns the freeze's id. Who may
    freeze is the caller's to check: a 数据管理员 (``Role.manage``), as the page and the
    command line do."""
    check_month(month)
    init_db(engine)
    with engine.begin() as conn:
        lock_for_writing(conn)  # no import between reading the figures and recording the history id
        return record(conn, month, _all_figures(conn, month), user=user or current_user(), note=note)


def changes_since_reported(engine: Engine, month: str, *, named: bool = True) -> pd.DataFrame:
    """Figures whose current value differs from the latest freeze of ``month``: one row
    per township (全区 for the district) and figure, with 原因 naming the imports and
    restores recorded after the freeze that touched the month's slices or the year's
    event months up to it. Empty when nothing changed or the month was never frozen.
    ``指标`` is the figure's label, ``key`` its key; ``named=False`` leaves who and which
    file out of 原因."""
    check_month(month)
    init_db(engine)
    with engine.connect() as conn:
        latest = latest_row(conn, month)
        if latest is None:
            return pd.DataFrame(columns=CHANGE_COLUMNS)
        then = frozen_values(conn, latest.id)
        now = _all_figures(conn, month)
        reason = reasons_after(conn, month, latest.log_id, named=named)
    order = {k: i for i, k in enumerate(now)}
    records = []
    for where in sorted(set(then) | set(now), key=lambda w: order.get(w, len(order))):
        old = stored_value(then.get(where))
        new = stored_value(now.get(where))
        if old == new:
            continue
        township, key = where
        delta = None if old is None or new is None else shown_value(new - old)
        records.append(
            {
                "乡镇": township or DISTRICT,
                "指标": figure(key).label if _known(key) else key,
                "报送值": shown_value(old),
                "当前值": shown_value(new),
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
