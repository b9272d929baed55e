"""Throwaway databases on the test servers, made the one way the store needs them
(UTF-8; on MySQL/MariaDB utf8mb4 with binary collation, as the schema's tables are):
for the tests (tests/conftest.py) and the benchmarks (bench/)."""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

SERVER_URLS = {
    "postgresql": os.environ.get("LEDGER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("LEDGER_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"),
}


def admin(backend: str) -> Engine:
    return create_engine(SERVER_URLS[backend], isolation_level="AUTOCOMMIT")


def create(engine: Engine, backend: str, name: str) -> str:
    """Database ``name`` made anew (an old one of that name is dropped); its URL."""
    with engine.connect() as conn:
        if backend == "postgresql":
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8'"))
        else:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    return make_url(SERVER_URLS[backend]).set(database=name).render_as_string(hide_password=False)


def drop(engine: Engine, backend: str, name: str) -> None:
    """Drop database ``name``, ending the sessions still on it (PostgreSQL refuses otherwise)."""
    with engine.connect() as conn:
        if backend == "postgresql":
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        else:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
