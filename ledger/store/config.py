"""Where the ledger lives: a SQLAlchemy URL from the command line, the environment,
Streamlit's secrets file, or the embedded SQLite default, in that order."""

from __future__ import annotations

import os
import stat
import tomllib
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "data" / "ledger.db"
SECRETS = ROOT / ".streamlit" / "secrets.toml"
ENV_VAR = "LEDGER_DB_URL"


def _secret(*path: str) -> str | None:
    """A value of .streamlit/secrets.toml, e.g. ``_secret("connections", "ledger", "url")``."""
    if not SECRETS.exists():
        return None
    with SECRETS.open("rb") as fh:
        value = tomllib.load(fh)
    for key in path:
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return value if isinstance(value, str) and value else None


def database_url(explicit: str | None = None) -> str:
    """The first of: ``explicit``, $LEDGER_DB_URL, secrets.toml [connections.ledger] url, data/ledger.db."""
    return explicit or os.environ.get(ENV_VAR) or _secret("connections", "ledger", "url") or f"sqlite:///{DEFAULT_DB}"


def is_default(url: str) -> bool:
    return url == f"sqlite:///{DEFAULT_DB}"


def make_engine(url: str | None = None) -> Engine:
    """An engine with the settings each backend needs for Chinese text and concurrent writers.
    An SQLite file holds names and ID numbers: it, its -wal/-shm and a folder made for
    it are readable by the service user only (``private_sqlite``)."""
    url = make_url(database_url(url))
    kwargs: dict = {}
    path = None
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            path = Path(url.database)
            private_sqlite(path)
        kwargs["connect_args"] = {"timeout": 60}
    elif url.get_backend_name() in ("mysql", "mariadb"):
        # MySQL's legacy utf8 cannot hold every Chinese character.
        if "charset" not in url.query:
            url = url.update_query_dict({"charset": "utf8mb4"})
        kwargs["pool_recycle"] = 3600
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", partial(_sqlite_pragmas, path))
    return engine


PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def private_sqlite(path: Path) -> None:
    """Before SQLite opens ``path``: make its folder (0700) if missing, and the file
    itself (0600) so that SQLite never creates it with the process umask; an existing
    file (and the default data/ folder, which is ours) is tightened to the same. SQLite
    gives -wal/-shm the database file's mode; the connect hook checks them too."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        _tighten(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask
    elif folder.resolve() == DEFAULT_DB.parent.resolve():
        _tighten(folder, PRIVATE_DIR)
    if not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        except FileExistsError:  # made meanwhile by another process
            pass
        except OSError:  # a folder we may not write: SQLite will say so
            return
    _tighten(path, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    """Take away group and other rights (never add any); a file we do not own stays as it is."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & 0o077:
            path.chmod(current & mode)
    except OSError:
        pass


def _sqlite_pragmas(path: Path | None, dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    if path is not None:
        for extra in ("-wal", "-shm"):
            _tighten(path.with_name(path.name + extra), PRIVATE_FILE)
