"""The store's tables, derived from the ledger format so the two cannot drift apart.

Every data row carries the import that wrote it, its period (the month, year or ''
it belongs to), whether it is current, and where it was read from (row number, and
the import whose file that is when another import carried the row over). Replacing a (sheet, period) slice flips
``is_current`` rather than deleting, so every earlier version can be restored.
"""

from __future__ import annotations

import weakref

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    inspect,
    select,
    update,
)

from loaders.spec import SHEETS, Sheet

metadata = MetaData()

# MySQL's default collation folds case ("ABC公司" = "abc公司"), so DISTINCT counts and
# equality tests would differ from SQLite and PostgreSQL; binary utf8mb4 keeps them equal.
MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin", "mariadb_charset": "utf8mb4",
         "mariadb_collate": "utf8mb4_bin"}

_TYPES = {
    "text": lambda: String(255),
    "id": lambda: String(18),
    "month": lambda: String(7),
    "date": Date,
    "int": Integer,
    "money": BigInteger,  # fen: exact, and sums stay integers on every backend
    "enum": lambda: String(20),
    "yesno": Boolean,
    "phone": lambda: String(32),
    "township": lambda: String(40),
    "year": Integer,
    "number": lambda: Numeric(14, 4),
}

imports = Table(
    "ledger_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # import | restore
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("filename", String(500)),
    Column("sha256", String(64)),
    Column("row_counts", Text),  # JSON: {"labor": {"2020-09": 30000}, ...}
    Column("note", String(500)),
    # JSON list: what the reader inferred or skipped (a month taken from the title, a
    # totals row, a sheet found by its headers), as the clerk confirmed it
    Column("inferred", Text),
    **MYSQL,
)

slices = Table(
    "ledger_slices",
    metadata,
    Column("sheet", String(20), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("import_id", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    **MYSQL,
)

slice_changes = Table(
    "ledger_slice_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("log_id", Integer, nullable=False, index=True),  # the import or restore that made it
    Column("sheet", String(20), nullable=False),
    Column("period", String(7), nullable=False),
    Column("old_import_id", Integer),
    Column("new_import_id", Integer),
    Column("content_hash", String(64)),
    Column("row_count", Integer, nullable=False),
    **MYSQL,
)

# One row, updated at the start of every write transaction: on PostgreSQL and MySQL
# the row lock serialises concurrent imports, on SQLite the write lock does.
write_lock = Table("ledger_write_lock", metadata, Column("id", Integer, primary_key=True), Column("n", Integer), **MYSQL)


# Columns every data table has that are bookkeeping, not ledger content.
BOOKKEEPING = ("row_id", "import_id", "period", "is_current", "source_row", "source_import")


def _data_table(sheet: Sheet) -> Table:
    cols = [Column(c.key, _TYPES[c.kind]()) for c in sheet.columns]
    table = Table(
        f"ledger_{sheet.key}",
        metadata,
        Column("row_id", Integer, primary_key=True, autoincrement=True),
        Column("import_id", Integer, nullable=False),
        Column("period", String(7), nullable=False),
        Column("is_current", Boolean, nullable=False),
        Column("source_row", Integer),
        # The history entry whose file ``source_row`` is a row of, when not this row's
        # own import: rows of other townships carried over by a township's import.
        Column("source_import", Integer),
        *cols,
        **MYSQL,
    )
    # One index: every query and every slice replacement starts from the period, and
    # each further index costs the bulk import more than it saves the queries (but one).
    if sheet.key == "labor":  # a village's people list: one month, one place
        Index("ix_labor_period", table.c.period, table.c.township, table.c.village, table.c.is_current)
    else:
        Index(f"ix_{sheet.key}_period", table.c.period, table.c.is_current)
    if sheet.key == "labor":
        # Blank 是否建档立卡 of a trainee is looked up here by ID (the summaries' one read
        # of the labourer rows); the people lists' search by ID uses it too.
        Index("ix_labor_id_number", table.c.id_number)
    return table


DATA: dict[str, Table] = {s.key: _data_table(s) for s in SHEETS}


# --- Frozen monthly reports (报送): ledger/reports.py --------------------------------

freezes = Table(
    "ledger_freezes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False, index=True),  # YYYY-MM
    Column("frozen_by", String(100), nullable=False),
    Column("frozen_at", DateTime, nullable=False),
    Column("log_id", Integer),  # the latest history entry when frozen (None: empty history)
    Column("note", String(500)),
    **MYSQL,
)

reported = Table(
    "ledger_reported",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("freeze_id", Integer, nullable=False, index=True),
    Column("month", String(7), nullable=False),
    Column("township", String(40)),  # None: the whole district
    Column("key", String(100), nullable=False),
    Column("value", Numeric(20, 4)),  # None: a ratio or mean with nothing to divide
    Column("log_id", Integer),
    Column("frozen_by", String(100), nullable=False),
    Column("frozen_at", DateTime, nullable=False),
    **MYSQL,
)


# --- Who may see what (ledger/access) ---------------------------------------------

accounts = Table(
    "ledger_accounts",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("townships", Text),  # JSON list; None: every township (a district role)
    Column("password_hash", String(255), nullable=False),  # Argon2id, never the password
    Column("must_change", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("demo", Boolean, nullable=False),  # made by the sample build, says the login page
    Column("created_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    **MYSQL,
)

# Failed logins by the name typed, whether or not such an account exists (an unknown
# name is slowed down and locked like a known one, so a guess tells nothing).
login_attempts = Table(
    "ledger_login_attempts",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", DateTime),
    Column("locked_until", DateTime),
    **MYSQL,
)

# A signed-in browser session: only the SHA-256 of its token is kept.
account_sessions = Table(
    "ledger_account_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("login", String(64), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("closed_at", DateTime),  # logout, password change, disabling: never valid again
    **MYSQL,
)

# Append-only for the application: the store refuses UPDATE and DELETE (init_db adds
# the triggers), ledger/access/audit.py only inserts and reads.
audit_log = Table(
    "ledger_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("login", String(64)),  # None: no account (a failed login of an unknown name keeps the name typed)
    Column("role", String(20)),
    Column("action", String(40), nullable=False, index=True),
    Column("target", String(500)),  # the page, list, file or account acted on
    Column("detail", Text),  # the reason given, the filters, the outcome
    **MYSQL,
)

APPEND_ONLY = (audit_log,)


_checked: weakref.WeakSet = weakref.WeakSet()  # engines whose schema is known to be current


def init_db(engine: Engine) -> None:
    """Create missing tables and add columns a newer version brought: once per engine
    (every entry point may call it; after the first it costs nothing)."""
    if engine in _checked:
        return
    metadata.create_all(engine)
    _add_missing_columns(engine)
    _append_only(engine)
    with engine.begin() as conn:
        if conn.execute(select(write_lock.c.id)).first() is None:
            conn.execute(write_lock.insert().values(id=1, n=0))
    from ledger.store import summaries  # defined beside the figures, which read this module

    with engine.begin() as conn:
        summaries.ensure(conn)  # a store of an earlier version is summarised once
    _checked.add(engine)


def _add_missing_columns(engine: Engine) -> None:
    """A store made by an earlier version lacks the nullable columns and the indexes
    added since (``source_import``, the labourers' ID index); add them, so an upgrade
    needs no manual step."""
    from ledger.store import summaries  # noqa: F401 (its tables are in ``metadata`` once imported)

    seen = inspect(engine)
    names = set(seen.get_table_names())
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if table.name not in names or not table.indexes:
                continue
            indexes = {i["name"]: i["column_names"] for i in seen.get_indexes(table.name)}
            for index in table.indexes:  # added or widened since the store was made
                wanted = [c.name for c in index.columns]
                if index.name in indexes and indexes[index.name] != wanted:
                    # ix_labor_period gained (township, village), the summaries' (township): made again, once
                    index.drop(conn)
                if indexes.get(index.name) != wanted:
                    index.create(conn)
        for table in DATA.values():
            if table.name not in names:
                continue
            have = {c["name"] for c in seen.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable:
                    quote = conn.dialect.identifier_preparer.quote
                    kind = column.type.compile(dialect=conn.dialect)
                    conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}")


_GUARDS = {
    # SQLite and MySQL/MariaDB: a trigger per statement kind that aborts it.
    "sqlite": ["CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {OP} ON {t} "
               "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"],
    "mysql": ["CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {OP} ON {t} FOR EACH ROW "
              "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit log is append-only'"],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$",
        "DROP TRIGGER IF EXISTS {t}_no_{op} ON {t}",
        "CREATE TRIGGER {t}_no_{op} BEFORE {OP} ON {t} FOR EACH ROW EXECUTE FUNCTION ledger_append_only()",
    ],
}


def _append_only(engine: Engine) -> None:
    """The audit log refuses UPDATE and DELETE in the database itself, so no code path
    of the application (nor a page bug) can rewrite who did what."""
    backend = "mysql" if engine.dialect.name in ("mysql", "mariadb") else engine.dialect.name
    with engine.begin() as conn:
        for table in APPEND_ONLY:
            for op in ("update", "delete"):
                for sql in _GUARDS.get(backend, []):
                    conn.exec_driver_sql(sql.format(t=table.name, op=op, OP=op.upper()))


def lock_for_writing(conn: Connection) -> None:
    """Serialise writers: every import, restore and freeze bumps the one lock row first."""
    conn.execute(update(write_lock).where(write_lock.c.id == 1).values(n=write_lock.c.n + 1))
