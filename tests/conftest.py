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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.config import make_engine  # noqa: E402
from ledger.schema import metadata  # noqa: E402

SHARED = ROOT.parent / "shared"
SEED_FIGURES = SHARED / "seed" / "figures.json"
SAMPLE = ROOT / "sample_data" / "yizhou_ledger_2020.xlsx"

SERVER_URLS = {
    "postgresql": os.environ.get("LEDGER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("LEDGER_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"),
}
BACKENDS = ["sqlite", "postgresql", "mysql"]


def _fresh_engine(backend: str, tmp_path: Path):
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    engine = make_engine(SERVER_URLS[backend])
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # no server on this machine
        engine.dispose()
        reason = f"{backend} server not reachable at {SERVER_URLS[backend]}: {type(exc).__name__}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: the backend tests must run)")
        pytest.skip(reason)
    metadata.drop_all(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    """An empty ledger store on each backend in turn."""
    eng = _fresh_engine(request.param, tmp_path)
    yield eng
    if request.param != "sqlite":
        metadata.drop_all(eng)
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

    return write_workbook(tmp_path_factory.mktemp("sample") / "yizhou_ledger_2020.xlsx")


@pytest.fixture(scope="session")
def sample_db(sample_workbook, tmp_path_factory):
    """A SQLite store holding the sample ledger, shared by read-only tests."""
    from ledger.store import read_and_import

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
