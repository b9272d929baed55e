"""Importing a file: each (sheet, period) slice it holds replaces the one in force,
in one transaction, recorded in the history; unchanged slices are left alone."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, select, update

import loaders
from ledger.store import summaries
from ledger.store.schema import DATA, imports, init_db, lock_for_writing, slice_changes, slices
from ledger.store.townships import check_townships, keep_other_townships, stored_townships, township_note
from loaders import LoadResult, Problem
from loaders.validate import ERROR
from loaders.values import per_unique

INSERT_BATCH = 20_000


@dataclass
class ImportOutcome:
    """What an import did: ``log_id`` is None when nothing changed or it was rejected."""

    log_id: int | None
    problems: list[Problem]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet → period → rows
    changed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(frame: pd.DataFrame) -> str:
    """A fingerprint of a slice's canonical rows, so an unchanged slice is not rewritten:
    the same rows in another order, or read from other files (a township's workbook
    completed with the stored rows of the others), are the same content."""
    body = frame.drop(columns=["source_row", "source_import"], errors="ignore")
    body = body[sorted(body.columns)].astype("str")
    hashed = pd.util.hash_pandas_object(body, index=False).to_numpy().copy()
    hashed.sort()
    return hashlib.sha256(hashed.tobytes() + ",".join(body.columns).encode()).hexdigest()


def read_and_import(
    engine: Engine, path: str | Path, *, user: str | None = None, dry_run: bool = False,
    by_township: bool = False, progress: loaders.Progress = loaders.quiet,
) -> ImportOutcome:
    """Load a file with the loaders and import it; nothing is written on any error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem(ERROR, "", None, "", "", f"文件无法打开：{exc.strerror or exc}", path.name)
        return ImportOutcome(None, [problem])
    init_db(engine)
    with engine.connect() as conn:
        stored = stored_townships(conn)
    result = loaders.load(path, stored, data, progress)
    return apply(
        engine, result, filename=path.name, sha256=file_sha256(data), user=user, dry_run=dry_run, by_township=by_township
    )


@dataclass
class Submission:
    """One file as loaded (or a set of CSV files, one per sheet): one history entry."""

    result: LoadResult
    filename: str
    sha256: str


def apply(
    engine: Engine,
    result: LoadResult,
    *,
    filename: str,
    sha256: str,
    user: str | None = None,
    dry_run: bool = False,
    by_township: bool = False,
) -> ImportOutcome:
    """Replace exactly the (sheet, period) slices ``result`` contains, in one transaction.

    ``by_township``: a township's own workbook. Each slice of a sheet with a township
    column keeps the stored rows of the townships the file has no rows of
    (``keep_other_townships``), so only the file's townships change."""
    return apply_many(engine, [Submission(result, filename, sha256)], user=user, dry_run=dry_run, by_township=by_township)[0]


def apply_many(
    engine: Engine,
    submissions: list[Submission],
    *,
    user: str | None = None,
    dry_run: bool = False,
    by_township: bool = False,
) -> list[ImportOutcome]:
    """Several files (townships' workbooks of one month, say) in one transaction, each
    its own history entry, in order. The first replaces as ``by_township`` says; each
    later one only its own townships, or it would undo the ones before it. One file
    rejected: nothing is written (every outcome's ``log_id`` is None). ``dry_run``
    writes nothing and compares each file with what is stored, not with the files
    before it (``intake.preview`` shows the combined effect)."""
    outcomes = [ImportOutcome(None, list(s.result.problems)) for s in submissions]
    for s, outcome in zip(submissions, outcomes):
        if not s.result.ok and not s.result.tables and not outcome.errors:
            outcome.problems.append(Problem(ERROR, "", None, "", "", "文件中没有可导入的数据", s.filename))
        outcome.counts = file_counts(s.result)
    if not all(s.result.ok for s in submissions):
        return outcomes
    init_db(engine)
    with engine.begin() as conn:
        lock_for_writing(conn)
        for i, (s, outcome) in enumerate(zip(submissions, outcomes)):
            _apply_on(conn, s, outcome, user=user, by_township=by_township or i > 0, record=not dry_run)
            if not outcome.ok:
                conn.rollback()
                for o in outcomes:
                    o.log_id = None
                return outcomes
        if dry_run:
            conn.rollback()
    return outcomes


def _apply_on(conn: Connection, s: Submission, outcome: ImportOutcome, *, user, by_township: bool, record: bool) -> None:
    """One submission on the caller's transaction (which holds the write lock): the
    slices whose content differs from what is in force are replaced and, with
    ``record``, written to the history under a new entry."""
    problems = check_townships(conn, s.result)
    if problems:
        outcome.problems.extend(problems)
        return
    pieces = slices_of(keep_other_townships(conn, s.result) if by_township else s.result)
    current = {(r.sheet, r.period): r for r in conn.execute(select(slices)).all()}
    for key, (_frame, digest) in pieces.items():
        held = current.get(key)
        (outcome.unchanged if held is not None and held.content_hash == digest else outcome.changed).append(key)
    if not record or not outcome.changed:
        return
    log_id = conn.execute(
        imports.insert().values(
            kind="import",
            created_at=dt.datetime.now().replace(microsecond=0),
            created_by=user or current_user(),
            filename=s.filename,
            sha256=s.sha256,
            row_counts=json.dumps(outcome.counts, ensure_ascii=False),
            note=township_note(s.result) if by_township else None,
            inferred=json.dumps([p.said for p in s.result.notes], ensure_ascii=False) if s.result.notes else None,
        )
    ).inserted_primary_key[0]
    for sheet, period in outcome.changed:
        frame, digest = pieces[(sheet, period)]
        replace_rows(conn, sheet, period, frame, log_id)
        point_slice(conn, log_id, sheet, period, current.get((sheet, period)), log_id, digest, len(frame))
    outcome.log_id = log_id


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def slices_of(result: LoadResult) -> dict[tuple[str, str], tuple[pd.DataFrame, str]]:
    pieces = {}
    for sheet, frame in result.tables.items():
        for period, part in frame.groupby("period", sort=True):
            part = part.reset_index(drop=True)
            pieces[(sheet, str(period))] = (part, content_hash(part))
    return pieces


def file_counts(result: LoadResult) -> dict[str, dict[str, int]]:
    """Rows of the file per sheet and period, as the history records them."""
    return {
        sheet: {str(p): int(n) for p, n in frame.groupby("period", sort=True).size().items()}
        for sheet, frame in result.tables.items()
    }


def _columns(frame: pd.DataFrame, table, dialect) -> list[tuple[str, list]]:
    """Each column as a list of DBAPI values: None for blanks, Python scalars, and the
    column type's own bind processing (dates and booleans on SQLite)."""
    out = []
    for name in frame.columns:
        if name not in table.c or name == "period":
            continue
        col = frame[name]
        process = table.c[name].type.bind_processor(dialect)
        if process is not None:
            values = per_unique(col, process).tolist()
        else:
            values = col.astype(object).where(col.notna(), None).tolist()
        out.append((name, values))
    return out


def replace_rows(conn: Connection, sheet: str, period: str, frame: pd.DataFrame, import_id: int) -> None:
    """The data half of an import, on the caller's transaction: the slice's current rows
    stop being current (they stay, for restoring) and ``frame``'s rows become current."""
    table = DATA[sheet]
    conn.execute(update(table).where(table.c.period == period, table.c.is_current).values(is_current=False))
    _insert(conn, table, frame, import_id, period)
    summaries.write_slice(conn, sheet, period, import_id)


def _insert(conn: Connection, table, frame: pd.DataFrame, log_id: int, period: str) -> None:
    """Bulk insert through the driver's executemany: SQLAlchemy's per-row parameter
    handling costs more than the database itself for a month of 30,000 labourers."""
    dialect = conn.dialect
    columns = _columns(frame, table, dialect)
    process = table.c.is_current.type.bind_processor(dialect)
    fixed = [("import_id", log_id), ("period", period), ("is_current", process(True) if process else True)]
    names = [n for n, _ in fixed] + [n for n, _ in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) VALUES ({', '.join([mark] * len(names))})"
    head = tuple(v for _, v in fixed)
    rows = [head + rest for rest in zip(*(v for _, v in columns))]
    for start in range(0, len(rows), INSERT_BATCH):
        conn.exec_driver_sql(sql, rows[start : start + INSERT_BATCH])


def set_slice(conn: Connection, sheet, period, import_id, digest, rows, *, exists: bool) -> None:
    """Point (sheet, period) at ``import_id``'s rows, unrecorded: ``point_slice`` records
    it; a preview, always rolled back, only needs the readers to see its rows."""
    key = (slices.c.sheet == sheet, slices.c.period == period)
    values = dict(import_id=import_id, content_hash=digest, row_count=rows)
    if import_id is None:
        conn.execute(slices.delete().where(*key))
    elif not exists:
        conn.execute(slices.insert().values(sheet=sheet, period=period, **values))
    else:
        conn.execute(update(slices).where(*key).values(**values))


def point_slice(conn: Connection, log_id, sheet, period, old, import_id, digest, rows) -> None:
    """Make (sheet, period) point at ``import_id``'s rows (None: no rows at all) and
    record the change under history entry ``log_id``, so any state can be rebuilt."""
    set_slice(conn, sheet, period, import_id, digest, rows, exists=old is not None)
    conn.execute(
        slice_changes.insert().values(
            log_id=log_id, sheet=sheet, period=period, old_import_id=old.import_id if old else None,
            new_import_id=import_id, content_hash=digest, row_count=rows,
        )
    )
