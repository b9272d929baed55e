"""Shared fixtures: an empty store on each backend, and the sample ledger built once.

PostgreSQL and MariaDB/MySQL are the servers on this machine (override with
LEDGER_TEST_PG_URL / LEDGER_TEST_MYSQL_URL). Without them those tests skip with the
reason; under CI=true a missing server is a failure, not a skip.

The sample ledger (a 20 MB workbook, generated: it is not committed, and its SQLite
store) takes about a minute to build. As soon as the tests are collected, and only
if one of them needs it, tests/sample_build.py builds it in a process of its own at a
lower priority, and the modules that need it run after those that do not: the build
uses the second core while the others run, and the first test that needs it waits
for what is not done yet.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.store.config import make_engine  # noqa: E402
from ledger.store.schema import APPEND_ONLY, metadata  # noqa: E402
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
    _empty_server_store(engine, backend)
    return engine


# Creating the ledger's tables takes 1.1–1.4 s on MariaDB (0.3 s on PostgreSQL), and a
# store is emptied for each of ~90 tests a server. So the tables, when they are those
# that ``metadata.create_all`` makes (the same columns and indexes: a test may alter
# them), are emptied instead, their counters reset (TRUNCATE on MariaDB; DELETE and the
# sequences set back on PostgreSQL): a store as empty as a new one, ids from 1. Any
# other schema (the first test, one that dropped a column) is dropped as before, and
# the test creates the tables itself.
_SCHEMA_SQL = {
    "postgresql": [
        "SELECT table_name, column_name, data_type, is_nullable, column_default, ordinal_position"
        " FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 6",
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2",
    ],
    "mysql": [
        "SELECT table_name, column_name, column_type, is_nullable, column_default, ordinal_position, extra"
        " FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1, 6",
        "SELECT table_name, index_name, seq_in_index, column_name, non_unique"
        " FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1, 2, 3",
    ],
}
_CREATED_SCHEMA: dict[str, tuple] = {}


def _schema(engine, backend: str) -> tuple:
    with engine.connect() as conn:
        return tuple(tuple(tuple(r) for r in conn.execute(text(sql))) for sql in _SCHEMA_SQL[backend])


def _empty_server_store(engine, backend: str) -> None:
    if backend not in _CREATED_SCHEMA:  # once a session: what create_all makes here
        metadata.drop_all(engine)
        metadata.create_all(engine)
        _CREATED_SCHEMA[backend] = _schema(engine, backend)
        metadata.drop_all(engine)
        return
    if _schema(engine, backend) != _CREATED_SCHEMA[backend]:
        metadata.drop_all(engine)
        return
    tables = metadata.sorted_tables
    with engine.begin() as conn:
        if backend == "mysql":
            for table in reversed(tables):
                conn.execute(text(f"TRUNCATE TABLE `{table.name}`"))
            return
        for table in reversed(tables):
            if table in APPEND_ONLY:  # DELETE is refused there; TRUNCATE fires no row trigger
                conn.execute(text(f"TRUNCATE TABLE {table.name}"))
            else:
                conn.execute(table.delete())
        for table in tables:
            column = table.autoincrement_column
            if column is not None:
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), 1, false)"), {"t": table.name, "c": column.name})


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


# ---------------------------------------------------------------- the sample ledger

SAMPLE_FIXTURES = {"sample_workbook", "sample_db", "sample_import"}
SAMPLE_BUILD_TIMEOUT = 1800.0  # s; the build takes about 1 min alone, 2–3 min beside the tests
SAMPLE_BUILD_NICE = 10  # the tests that run meanwhile (browsers, servers) go first


class SampleBuild:
    """tests/sample_build.py running in the background (see the module docstring)."""

    def __init__(self):
        from tests import sample_build

        self.names = sample_build
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-sample-"))
        self.log = self.folder / "build.log"
        cmd = [sys.executable, "-m", "tests.sample_build", str(self.folder)]
        if SAMPLE.exists():  # a committed sample workbook is used as it is
            cmd += ["--workbook", str(SAMPLE)]
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=lambda: os.nice(SAMPLE_BUILD_NICE),
            )

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def wait(self, name: str) -> dict:
        """The JSON the build writes when ``name`` is done; fails on the build's error."""
        path = self.folder / name
        deadline = time.monotonic() + SAMPLE_BUILD_TIMEOUT
        while not path.exists():
            if self.process.poll() is not None and not path.exists():
                pytest.fail(f"the sample build exited with {self.process.returncode} before {name}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the sample build did not write {name} within {SAMPLE_BUILD_TIMEOUT:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "error" in doc:
            pytest.fail(f"the sample build failed ({name}):\n{doc['error']}\n{self.log_tail()}")
        return doc

    def stop(self) -> None:
        """End the build (a run stopped early by -x or ^C) and remove its folder."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


_sample_build: SampleBuild | None = None


def _start_sample_build() -> SampleBuild:
    global _sample_build
    if _sample_build is None:
        _sample_build = SampleBuild()
    return _sample_build


def _needs_sample(item) -> bool:
    return bool(SAMPLE_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Modules with a test that needs the sample run last (whole modules, so that their
    module fixtures are made once; otherwise in the order collected), and the sample's
    build starts now."""
    def module(item) -> str:
        return item.getparent(pytest.Module).nodeid

    late = {module(item) for item in items if _needs_sample(item)}
    if not late:
        return
    items[:] = [i for i in items if module(i) not in late] + [i for i in items if module(i) in late]
    if not config.option.collectonly:
        _start_sample_build()


def pytest_unconfigure(config):
    if _sample_build is not None:
        _sample_build.stop()


@pytest.fixture(scope="session")
def sample_tables() -> dict:
    """``sample_data.generate.build_tables()``: the default sample's nine tables (what
    the workbook holds), built once a session (~8 s) for the tests that read them."""
    from sample_data.generate import build_tables

    return build_tables()


@pytest.fixture(scope="session")
def sample_workbook() -> Path:
    """The committed sample workbook, or one generated for this run (in the background)."""
    return Path(_start_sample_build().wait(_start_sample_build().names.WORKBOOK_DONE)["path"])


@pytest.fixture(scope="session")
def sample_import() -> dict:
    """How the sample store was made: ``ui.first_start.load_sample`` into an empty
    SQLite file, as a first start does; its outcome and the progress it reported."""
    build = _start_sample_build()
    doc = build.wait(build.names.STORE_DONE)
    assert doc["ok"], doc["errors"]
    return doc


def copy_store(source, target: Path) -> None:
    """A copy of a SQLite store through SQLite's backup API. Never copy the file with
    shutil while this process has it open: closing another descriptor of the file drops
    SQLite's POSIX locks, and a later connection may then remove the WAL under the others
    ("disk I/O error" in the next test)."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(source.url.database)) as src, closing(sqlite3.connect(str(target))) as dst:
        src.backup(dst)


@pytest.fixture(scope="session")
def sample_db(sample_import):
    """A SQLite store holding the sample ledger, shared by read-only tests."""
    eng = make_engine(f"sqlite:///{sample_import['path']}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def seed_figures() -> dict:
    if not SEED_FIGURES.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SEED_FIGURES} not found")
        pytest.skip(f"{SEED_FIGURES} not found (shared/ lies beside the checkout)")
    return {k: v["value"] for k, v in json.loads(SEED_FIGURES.read_text())["figures"].items()}
