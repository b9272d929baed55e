"""Keeping the ledger: imports that replace whole (sheet, period) slices in one
transaction, the history of every import, and restoring any earlier state."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, inspect, or_, select, update

import loaders
from loaders import LoadResult, Problem, Township
from loaders.validate import ERROR
from loaders.values import per_unique

from .schema import DATA, imports, metadata, slice_changes, slices, write_lock

INSERT_BATCH = 20_000
# Sheets a township can submit on its own: their rows carry a township.
TOWNSHIP_SHEETS = tuple(k for k, t in DATA.items() if "township" in t.c and k != "townships")
BLANK_TOWNSHIP = "（不分乡镇）"


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


def init_db(engine: Engine) -> None:
    """Create missing tables and add columns a newer version brought; safe on every start."""
    metadata.create_all(engine)
    _add_missing_columns(engine)
    with engine.begin() as conn:
        if conn.execute(select(write_lock.c.id)).first() is None:
            conn.execute(write_lock.insert().values(id=1, n=0))


def _add_missing_columns(engine: Engine) -> None:
    """A store made by an earlier version lacks the nullable columns added since
    (``source_import``); add them, so an upgrade needs no manual step."""
    seen = inspect(engine)
    names = set(seen.get_table_names())
    with engine.begin() as conn:
        for table in DATA.values():
            if table.name not in names:
                continue
            have = {c["name"] for c in seen.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable:
                    quote = conn.dialect.identifier_preparer.quote
                    kind = column.type.compile(dialect=conn.dialect)
                    conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}")


def _lock(conn: Connection) -> None:
    conn.execute(update(write_lock).where(write_lock.c.id == 1).values(n=write_lock.c.n + 1))


def stored_townships(conn: Connection) -> tuple[Township, ...] | None:
    """The 行政区划 list the database holds, or None to use the configuration's default."""
    t = DATA["townships"]
    rows = conn.execute(select(t).where(t.c.is_current).order_by(t.c.code, t.c.row_id)).all()
    if not rows:
        return None
    return loaders.townships_from_frame(pd.DataFrame([r._mapping for r in rows]))


def township_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        stored = stored_townships(conn)
    return [t.name for t in (stored or loaders.DEFAULT_TOWNSHIPS)]


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
        _lock(conn)
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
    problems = _check_townships(conn, s.result)
    if problems:
        outcome.problems.extend(problems)
        return
    pieces = _slices(keep_other_townships(conn, s.result) if by_township else s.result)
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
            created_by=user or _user(),
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
        _point_slice(conn, log_id, sheet, period, current.get((sheet, period)), log_id, digest, len(frame))
    outcome.log_id = log_id


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _slices(result: LoadResult) -> dict[tuple[str, str], tuple[pd.DataFrame, str]]:
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


# --- A township's own workbook -------------------------------------------------------


def _not_held(t, part: pd.DataFrame):
    """Stored rows of townships ``part`` has no rows of (a blank township is a group of
    its own: kept unless the file has blank-township rows too)."""
    towns = sorted(set(part["township"].dropna()))
    named = t.c.township.is_not(None)
    if towns:
        named = and_(named, t.c.township.not_in(towns))
    if part["township"].isna().any():
        return named
    return or_(named, t.c.township.is_(None))


def uncovered_townships(conn: Connection, *results: LoadResult) -> dict[tuple[str, str], list[str]]:
    """Per (sheet, period) of the files, the townships with current stored rows that no
    file has rows of: a whole-month import removes them, ``by_township`` keeps them."""
    out = {}
    for sheet in dict.fromkeys(k for r in results for k in r.tables):
        if sheet not in TOWNSHIP_SHEETS:
            continue
        t = DATA[sheet]
        frame = pd.concat([r.tables[sheet][["period", "township"]] for r in results if sheet in r.tables])
        for period, part in frame.groupby("period", sort=True):
            stmt = select(t.c.township).where(t.c.is_current, t.c.period == str(period), _not_held(t, part)).distinct()
            names = sorted({n or BLANK_TOWNSHIP for n in conn.execute(stmt).scalars()})
            if names:
                out[(sheet, str(period))] = names
    return out


def keep_other_townships(conn: Connection, result: LoadResult) -> LoadResult:
    """``result`` with each slice of a township sheet completed by the current stored
    rows of the townships the file has none of, in their stored order before the file's
    rows. Carried rows keep their row number and name the import whose file it is
    (``source_import``), so every figure stays traceable to a row of a file."""
    tables = {}
    for sheet, frame in result.tables.items():
        if sheet not in TOWNSHIP_SHEETS:
            tables[sheet] = frame
            continue
        t = DATA[sheet]
        columns = [c for c in frame.columns if c in t.c and c not in ("period", "source_import")]
        parts = []
        for period, part in frame.groupby("period", sort=True):
            stmt = (
                select(*[t.c[c] for c in columns], func.coalesce(t.c.source_import, t.c.import_id))
                .where(t.c.is_current, t.c.period == str(period), _not_held(t, part))
                .order_by(t.c.row_id)
            )
            rows = conn.execute(stmt).all()
            if rows:
                kept = pd.DataFrame([tuple(r) for r in rows], columns=columns + ["source_import"], dtype=object)
                kept["period"] = period
                parts.append(_dtypes_like(kept, frame))
            parts.append(part)
        tables[sheet] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else frame
    return dataclasses.replace(result, tables=tables)


def _dtypes_like(kept: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Stored rows in the loader's column types, where a type can hold what was stored."""
    for c in kept.columns:
        if c in frame.columns:
            dtype = frame[c].dtype
            if isinstance(dtype, pd.api.extensions.ExtensionDtype) or not kept[c].isna().any():
                try:
                    kept[c] = kept[c].astype(dtype)
                except (TypeError, ValueError):
                    pass
    kept["source_import"] = kept["source_import"].astype("Int64")
    return kept


def township_note(result: LoadResult) -> str:
    """The history's note for a township's import: which townships it replaced."""
    towns = sorted(
        {n for s, f in result.tables.items() if s in TOWNSHIP_SHEETS for n in f["township"].dropna().unique()}
    )
    return f"按乡镇替换：{'、'.join(towns) or BLANK_TOWNSHIP}（其他乡镇数据保持不变）"


def _check_townships(conn: Connection, result: LoadResult) -> list[Problem]:
    """A new 行政区划 list may not drop a township that stored rows still refer to,
    counting every stored slice this import does not itself replace."""
    if "townships" not in result.tables:
        return []
    from loaders.spec import SHEETS_BY_KEY

    keep = {t.name for t in result.townships}
    problems = []
    for key, table in DATA.items():
        if "township" not in table.c:
            continue
        replaced = sorted(set(result.tables[key]["period"].dropna())) if key in result.tables else []
        stmt = select(table.c.township).where(table.c.is_current).distinct()
        if replaced:
            stmt = stmt.where(table.c.period.not_in(replaced))
        used = conn.execute(stmt).scalars()
        for name in sorted(set(used) - keep - {None}):
            problems.append(
                Problem(
                    ERROR, result.sheet_names["townships"], None, "乡镇", name,
                    f"{SHEETS_BY_KEY[key].name}中已有该乡镇的数据，不能从行政区划中删除",
                )
            )
    return problems


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


def _point_slice(conn: Connection, log_id, sheet, period, old, import_id, digest, rows) -> None:
    """Make (sheet, period) point at ``import_id``'s rows (None: no rows at all) and
    record the change under history entry ``log_id``, so any state can be rebuilt."""
    key = (slices.c.sheet == sheet, slices.c.period == period)
    values = dict(import_id=import_id, content_hash=digest, row_count=rows)
    if import_id is None:
        conn.execute(slices.delete().where(*key))
    elif old is None:
        conn.execute(slices.insert().values(sheet=sheet, period=period, **values))
    else:
        conn.execute(update(slices).where(*key).values(**values))
    conn.execute(
        slice_changes.insert().values(
            log_id=log_id, sheet=sheet, period=period, old_import_id=old.import_id if old else None,
            new_import_id=import_id, content_hash=digest, row_count=rows,
        )
    )


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


def restore(engine: Engine, log_id: int, *, before: bool = False, user: str | None = None) -> int | None:
    """Bring every slice back to how it stood right after (or, ``before``, right before)
    history entry ``log_id``; the restore is itself recorded. Returns the new entry's id,
    or None when nothing differed."""
    init_db(engine)
    with engine.begin() as conn:
        _lock(conn)
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
        counts: dict[str, dict[str, int]] = {}
        new_id = conn.execute(
            imports.insert().values(
                kind="restore",
                created_at=dt.datetime.now().replace(microsecond=0),
                created_by=user or _user(),
                note=f"恢复到第{log_id}号记录{'之前' if before else '之后'}的状态",
            )
        ).inserted_primary_key[0]
        for (sheet, period), have, (want_id, digest, rows) in diffs:
            table = DATA[sheet]
            conn.execute(update(table).where(table.c.period == period, table.c.is_current).values(is_current=False))
            if want_id is not None:
                conn.execute(
                    update(table).where(table.c.period == period, table.c.import_id == want_id).values(is_current=True)
                )
            _point_slice(conn, new_id, sheet, period, have, want_id, digest, rows)
            counts.setdefault(sheet, {})[period] = rows
        conn.execute(
            update(imports).where(imports.c.id == new_id).values(row_counts=json.dumps(counts, ensure_ascii=False))
        )
    return new_id


def latest_period(engine_or_conn, sheet: str) -> str | None:
    table = DATA[sheet]
    stmt = select(func.max(table.c.period)).where(table.c.is_current)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return conn.execute(stmt).scalar()
    return engine_or_conn.execute(stmt).scalar()
