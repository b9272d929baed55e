"""Importing a file: each (sheet, period) slice it holds replaces the one in force,
in one transaction, recorded in the history; unchanged slices are left alone."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
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
    hashed, columns = row_hashes(frame)
    return slice_digest(hashed, columns)


def row_hashes(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """One 64-bit hash per row, independent of the other rows, and the columns hashed:
    the hashes of a slice written in parts (``sample_data.bulk``, one district at a time)
    concatenated give the same ``slice_digest`` as the whole slice's."""
    body = frame.drop(columns=["source_row", "source_import"], errors="ignore")
    body = body[sorted(body.columns)].astype("str")
    return pd.util.hash_pandas_object(body, index=False).to_numpy().copy(), list(body.columns)


def slice_digest(hashed: np.ndarray, columns: list[str]) -> str:
    """The slice's fingerprint from its rows' hashes, in any order."""
    hashed = np.sort(hashed)
    return hashlib.sha256(hashed.tobytes() + ",".join(columns).encode()).hexdigest()


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


def insert_rows(conn: Connection, sheet: str, period: str, frame: pd.DataFrame, import_id: int) -> None:
    """Add ``frame``'s rows to (sheet, period) as current rows of ``import_id``, on the
    caller's transaction, through the backend's bulk path; nothing else is touched (a
    slice written in parts: ``sample_data.bulk``)."""
    _insert(conn, DATA[sheet], frame, import_id, period)


def _insert(conn: Connection, table, frame: pd.DataFrame, log_id: int, period: str) -> None:
    """Bulk insert through each backend's fastest path that stays on the transaction:
    PostgreSQL COPY, MySQL multi-row INSERT statements as large as the server takes,
    SQLite executemany. SQLAlchemy's per-row parameter handling would cost more than
    the database itself for a month of 30,000 labourers."""
    if not len(frame):
        return
    dialect = conn.dialect
    names = ["import_id", "period", "is_current"] + [n for n in frame.columns if n in table.c and n != "period"]
    quote = dialect.identifier_preparer.quote
    into = f"{quote(table.name)} ({', '.join(map(quote, names))})"
    raw = conn.connection.driver_connection
    driver = type(raw).__module__.partition(".")[0]
    if dialect.name == "postgresql" and driver == "psycopg":
        _copy(raw, into, _literals(frame, names, log_id, period, _copy_text, _copy_plain))
        return
    if dialect.name in ("mysql", "mariadb") and driver == "pymysql":
        _multi_row(raw, into, _literals(frame, names, log_id, period, _mysql_literal(raw)))
        return
    columns = _columns(frame, table, dialect)
    process = table.c.is_current.type.bind_processor(dialect)
    head = (log_id, period, process(True) if process else True)
    rows = [head + rest for rest in zip(*(v for _, v in columns))] if columns else [head] * len(frame)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {into} VALUES ({', '.join([mark] * len(names))})"
    for start in range(0, len(rows), INSERT_BATCH):
        conn.exec_driver_sql(sql, rows[start : start + INSERT_BATCH])


def _literals(frame: pd.DataFrame, names: list[str], log_id: int, period: str, literal, plain=None) -> list[np.ndarray]:
    """Each column as the backend's text for its values, computed once per distinct
    value (a column of 30,000 rows holds a few hundred months, places and amounts):
    the statement or COPY stream is then joined from these arrays without a Python
    call per cell. ``plain(values)``, if given, may return a column's texts at once
    (names and ID numbers: tens of thousands of distinct values that need no escape)."""
    n = len(frame)
    out = [np.full(n, literal(v), dtype=object) for v in (log_id, period, True)]
    for name in names[3:]:
        col = frame[name]
        if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            values = col
        else:
            values = pd.Series(col.astype(object).where(col.notna(), None).to_numpy(dtype=object), index=col.index)
        text = plain(values) if plain is not None else None
        if text is None:
            text = per_unique(values, literal).to_numpy(dtype=object, copy=True)
        text[pd.isna(values).to_numpy()] = literal(None)
        out.append(text)
    return out


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value in COPY's text format: \\N for NULL, backslash escapes for the separators."""
    if value is None:
        return "\\N"
    if isinstance(value, bool | np.bool_):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _copy_plain(values: pd.Series) -> np.ndarray | None:
    """A column of strings none of which holds a backslash, tab or line break is its own
    COPY text (``_copy_text`` would return each unchanged); None otherwise."""
    texts = values.to_numpy(dtype=object, copy=True)
    given = texts[pd.notna(texts)]
    if pd.api.types.infer_dtype(given, skipna=False) != "string":
        return None
    joined = "".join(given)
    return None if any(chr(c) in joined for c in _COPY_ESCAPES) else texts


COPY_CHUNK = 20_000  # rows per write to the COPY stream


def _copy(raw, into: str, texts: list[np.ndarray]) -> None:
    """PostgreSQL's COPY FROM STDIN (psycopg 3) on the transaction's own connection."""
    with raw.cursor() as cur, cur.copy(f"COPY {into} FROM STDIN") as copy:
        # a chunk's lines are joined while the server takes in the one before
        for start in range(0, len(texts[0]), COPY_CHUNK):
            lines = _joined([t[start : start + COPY_CHUNK] for t in texts], "\t")
            copy.write(("\n".join(lines) + "\n").encode("utf-8"))


def _joined(texts: list[np.ndarray], sep: str) -> list[str]:
    """Each row's texts joined: one str.join per row (six times faster than adding the
    columns as object arrays, which makes a new string per cell per column)."""
    return list(map(sep.join, zip(*[t.tolist() for t in texts])))


def _mysql_literal(raw):
    """The driver's own quoting (PyMySQL's ``escape``: it honours the server's
    NO_BACKSLASH_ESCAPES), so the statement text is what executemany would send."""
    def literal(value) -> str:
        if isinstance(value, np.bool_):
            value = bool(value)
        return raw.escape(value)

    return literal


MYSQL_STATEMENT_MAX = 16 * 1024 * 1024  # bytes; the server's max_allowed_packet caps it further


def _multi_row(raw, into: str, texts: list[np.ndarray]) -> None:
    """Multi-row INSERT statements, each as large as max_allowed_packet allows (less a
    margin, at most 16 MB): a month of labourers in a few statements. Not LOAD DATA
    LOCAL INFILE: it needs local_infile on client and server, which lets a server read
    any file the client can (docs/scale.md)."""
    rows = _joined(texts, ",")
    with raw.cursor() as cur:
        cur.execute("SELECT @@max_allowed_packet")
        limit = max(1024 * 1024, min(MYSQL_STATEMENT_MAX, int(cur.fetchone()[0]) - 64 * 1024))
        head = f"INSERT INTO {into} VALUES ("
        batch, size = [], len(head)
        for row in rows:
            need = len(row.encode("utf-8")) + 3
            if batch and size + need > limit:
                cur.execute(head + "),(".join(batch) + ")")
                batch, size = [], len(head)
            batch.append(row)
            size += need
        if batch:
            cur.execute(head + "),(".join(batch) + ")")


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
