"""Where the ledger lives: a SQLAlchemy URL from the command line, the environment,
Streamlit's secrets file, or the embedded SQLite default, in that order."""

from __future__ import annotations

import os
import tomllib
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
    """An engine with the settings each backend needs for Chinese text and concurrent writers."""
    url = make_url(database_url(url))
    kwargs: dict = {}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 60}
    elif url.get_backend_name() in ("mysql", "mariadb"):
        # MySQL's legacy utf8 cannot hold every Chinese character.
        if "charset" not in url.query:
            url = url.update_query_dict({"charset": "utf8mb4"})
        kwargs["pool_recycle"] = 3600
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
