"""N districts of sample ledger written straight into a new store: for sizes no
workbook holds (85 copies ≈ 23 million labourer rows; a sheet stops at 1,048,576).

Why not N imports: a second district's workbook would replace the first's (sheet,
month) slices, and importing it ``by_township`` rewrites every other township's rows
each time (quadratic). Here the whole sample is one history entry, "示例台账×N": each
copy is generated, checked by the loaders' rules (``loaders.load_sheets``, as if read
from its workbook) and bulk-inserted into the same (sheet, period) slices; one copy
is in memory at a time. Each slice's ``content_hash`` is what
``ledger.store.imports.content_hash`` gives for the whole slice: the per-row hashes of
every copy are spooled to a temporary file per slice and sorted once at the end, when each slice's summary is written too
(``ledger.store.summaries.write_slice``, as an import writes it).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func, select, update

import loaders
from ledger.access.accounts import add_demo_accounts
from ledger.store import summaries
from ledger.store.imports import current_user, insert_rows, point_slice, row_hashes, slice_digest
from ledger.store.schema import imports, init_db, lock_for_writing

from .generate import DEFAULT_LABOURERS
from .scale import MAX_COPIES, district_name, district_tables, raw_sheets, workbook_name

# (copies done, copies in all, what is happening)
Progress = Callable[[float, int, str], None]


class NotEmpty(Exception):
    """The store already holds a ledger: the sample is only written into a new one."""


class Rejected(Exception):
    """A generated copy broke a rule of the ledger format (a bug of the generator)."""


def history_name(n: int) -> str:
    return f"示例台账×{n}"


def write_database(engine: Engine, n: int, *, user: str | None = None, progress: Progress | None = None,
                   n_labourers: int = DEFAULT_LABOURERS) -> int:
    """Write copies 1..n into an empty store in one transaction; returns the history
    entry's id. On any error nothing is written. The demo accounts are added as the
    first start adds them with the sample (when the store has no account yet)."""
    if not 1 <= n <= MAX_COPIES:
        raise ValueError(f"--scale must be 1..{MAX_COPIES}")
    say = progress or (lambda done, total, message: None)
    init_db(engine)
    with engine.begin() as conn, tempfile.TemporaryDirectory(prefix="ledger-scale-") as spool:
        lock_for_writing(conn)
        if conn.execute(select(func.count()).select_from(imports)).scalar():
            raise NotEmpty("数据库中已有台账数据：示例数据只写入新的（空的）数据库。")
        log_id = conn.execute(
            imports.insert().values(
                kind="import", created_at=dt.datetime.now().replace(microsecond=0), created_by=user or current_user(),
                filename=history_name(n), sha256=None, row_counts="{}",
                note=f"示例数据：{n}个区县（{district_name(1)}" + (f"至{district_name(n)}" if n > 1 else "") + "），由生成器直接写入",
            )
        ).inserted_primary_key[0]
        counts: dict[str, dict[str, int]] = {}
        columns: dict[tuple[str, str], list[str]] = {}
        start = time.perf_counter()
        for k in range(1, n + 1):
            name = district_name(k)
            say(k - 1, n, f"第{k}/{n}份（{name}）：生成")
            tables = district_tables(k, n_labourers)
            say(k - 0.8, n, f"第{k}/{n}份（{name}）：按台账格式检查")
            result = loaders.load_sheets(raw_sheets(tables, workbook_name(k)))
            del tables
            if not result.ok:
                raise Rejected("；".join(p.said for p in result.errors[:5]))
            say(k - 0.5, n, f"第{k}/{n}份（{name}）：写入")
            for sheet, frame in result.tables.items():
                for period, part in frame.groupby("period", sort=True):
                    period = str(period)
                    insert_rows(conn, sheet, period, part, log_id)
                    hashed, cols = row_hashes(part)
                    if columns.setdefault((sheet, period), cols) != cols:
                        raise Rejected(f"{sheet} {period}: columns differ between copies")
                    with open(_spool(spool, sheet, period), "ab") as f:
                        f.write(hashed.astype("<u8").tobytes())
                    counts.setdefault(sheet, {}).setdefault(period, 0)
                    counts[sheet][period] += len(part)
            del result
            rows = sum(sum(p.values()) for p in counts.values())
            say(k, n, f"第{k}/{n}份（{name}）完成：共{rows:,}行，{rows / (time.perf_counter() - start):,.0f}行/秒")
        say(n, n, "登记各表各月并汇总")
        for (sheet, period), cols in sorted(columns.items()):
            hashed = np.fromfile(_spool(spool, sheet, period), dtype="<u8").astype(np.uint64)
            point_slice(conn, log_id, sheet, period, None, log_id, slice_digest(hashed, cols), counts[sheet][period])
            summaries.write_slice(conn, sheet, period, log_id)  # the slice holds every copy now
        conn.execute(update(imports).where(imports.c.id == log_id)
                     .values(row_counts=json.dumps(counts, ensure_ascii=False, sort_keys=True)))
    add_demo_accounts(engine)
    return log_id


def _spool(folder: str, sheet: str, period: str) -> Path:
    return Path(folder) / f"{sheet}_{period or 'all'}.u64"
