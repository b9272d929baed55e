"""Shared fixtures: an empty store on each backend, and the sample ledger built once.

PostgreSQL and MariaDB/MySQL are the servers on this machine (override with
LEDGER_TEST_PG_URL / LEDGER_TEST_MYSQL_URL). Without them those tests skip with the
reason; under CI=true a missing server is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.store.config import make_engine  # noqa: E402
from ledger.store.schema import metadata  # noqa: E402
from sample_data.generate import SAMPLE_NAME  # noqa: E402

SHARED = ROOT.parent / "shared"
SEED_FIGURES = SHARED / "seed" / "figures.json"
SAMPLE = ROOT / "sample_data" / SAMPLE_NAME

SERVER_URLS = {
    "postgresql": os.environ.get("LEDGER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("LEDGER_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"),
}
BACKENDS = ["sqlite", "postgresql", "mysql"]


def _admin(url: str):
    from sqlalchemy import create_engine

    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def server_urls():
    """A database of this test run's own on each server, so two runs never share tables.

    Maps backend → URL, or → the reason it cannot be had."""
    name = f"ledger_test_{os.getpid()}"
    urls: dict[str, str] = {}
    made = []
    for backend, base in SERVER_URLS.items():
        admin = _admin(base)
        try:
            with admin.connect() as conn:
                if backend == "postgresql":
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                    conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\''))
                else:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                    conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
            urls[backend] = make_url(base).set(database=name).render_as_string(hide_password=False)
            made.append((backend, admin))
        except Exception as exc:  # no server on this machine
            urls[backend] = f"!{backend} server not reachable at {base}: {type(exc).__name__}: {str(exc)[:200]}"
            admin.dispose()
    yield urls
    for backend, admin in made:
        with admin.connect() as conn:
            quote = '"' if backend == "postgresql" else "`"
            if backend == "postgresql":
                conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f"DROP DATABASE IF EXISTS {quote}{name}{quote}"))
        admin.dispose()


def _fresh_engine(backend: str, tmp_path: Path, server_urls: dict | None = None):
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    url = server_urls[backend]
    if url.startswith("!"):
        if os.environ.get("CI") == "true":
            pytest.fail(url[1:] + " (CI=true: the backend tests must run)")
        pytest.skip(url[1:])
    engine = make_engine(url)
    metadata.drop_all(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path, server_urls):
    """An empty ledger store on each backend in turn."""
    eng = _fresh_engine(request.param, tmp_path, server_urls)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = _fresh_engine("sqlite", tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def sample_workbook(tmp_path_factory) -> Path:
    """The committed sample workbook, or one generated for this run."""
    if SAMPLE.exists():
        return SAMPLE
    from sample_data.generate import write_workbook

    return write_workbook(tmp_path_factory.mktemp("sample") / SAMPLE_NAME)


@pytest.fixture(scope="session")
def sample_db(sample_workbook, tmp_path_factory):
    """A SQLite store holding the sample ledger, shared by read-only tests."""
    from ledger.store.imports import read_and_import

    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sampledb') / 'ledger.db'}")
    outcome = read_and_import(eng, sample_workbook, user="pytest")
    assert outcome.ok, [str(p) for p in outcome.errors[:10]]
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def seed_figures() -> dict:
    if not SEED_FIGURES.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SEED_FIGURES} not found")
        pytest.skip(f"{SEED_FIGURES} not found (shared/ lies beside the checkout)")
    return {k: v["value"] for k, v in json.loads(SEED_FIGURES.read_text())["figures"].items()}
