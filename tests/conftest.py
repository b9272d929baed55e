"""Shared fixtures: an empty store on each backend, the sample ledger built once, and a
light Argon2id hasher for the run (``light_argon2``; ``@pytest.mark.production_argon2``
for a test of the hashing itself).

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
from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.store.config import make_engine  # noqa: E402
from ledger.store.schema import APPEND_ONLY, metadata  # noqa: E402
from sample_data.generate import SAMPLE_NAME  # noqa: E402
from tests import scratch_databases  # noqa: E402
from tests.scratch_databases import SERVER_URLS  # noqa: E402

SHARED = ROOT.parent / "shared"
SEED_FIGURES = SHARED / "seed" / "figures.json"
SAMPLE = ROOT / "sample_data" / SAMPLE_NAME

BACKENDS = ["sqlite", "postgresql", "mysql"]


@pytest.fixture(scope="session")
def server_urls():
    """A database of this test run's own on each server, so two runs never share tables.

    Maps backend → URL, or → the reason it cannot be had."""
    name = f"ledger_test_{os.getpid()}"
    urls: dict[str, str] = {}
    made = []
    for backend, base in SERVER_URLS.items():
        admin = scratch_databases.admin(backend)
        try:
            urls[backend] = scratch_databases.create(admin, backend, name)
            made.append((backend, admin))
        except Exception as exc:  # no server on this machine
            urls[backend] = f"!{backend} server not reachable at {base}: {type(exc).__name__}: {str(exc)[:200]}"
            admin.dispose()
    yield urls
    for store in _SERVER_STORES.values():
        store.engine.dispose()
    for backend, admin in made:
        scratch_databases.drop(admin, backend, name)
        admin.dispose()


def _fresh_engine(backend: str, tmp_path: Path, server_urls: dict | None = None):
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    url = server_urls[backend]
    if url.startswith("!"):
        if os.environ.get("CI") == "true":
            pytest.fail(url[1:] + " (CI=true: the backend tests must run)")
        pytest.skip(url[1:])
    return _server_store(backend, url)


# A new store on a server cost each of ~100 tests a server: creating the ledger's tables
# takes 1.1–3 s on MariaDB (0.3–1 s on PostgreSQL), and even on existing tables a new
# engine's ``init_db`` (checked once per engine: every table, column and trigger) took
# 0.4–0.7 s, then TRUNCATE of every table ~0.4 s more on MariaDB. So each server has one
# engine for the run, whose ``init_db`` ran once on an empty database; what it left
# there (its tables, triggers and rows: the write-lock row) is noted, and before each
# test the store is put back to exactly that: the tables a test wrote to (a row more or
# less, or a counter moved) are emptied (TRUNCATE on MariaDB; DELETE, or TRUNCATE for the
# append-only tables, on PostgreSQL), the counters set back to where ``init_db`` left
# them, and ``init_db``'s rows put back. A store as new as a new one, ids from 1. A
# test that changed the schema (a column, an index, a trigger) gets it dropped and
# made anew by ``init_db``.
_SCHEMA_SQL = {
    "postgresql": [
        "SELECT table_name, column_name, data_type, is_nullable, column_default, ordinal_position"
        " FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 6",
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2",
        "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1, 2",
    ],
    "mysql": [
        "SELECT table_name, column_name, column_type, is_nullable, column_default, ordinal_position, extra"
        " FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1, 6",
        "SELECT table_name, index_name, seq_in_index, column_name, non_unique"
        " FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1, 2, 3",
        "SELECT event_object_table, trigger_name, action_timing, event_manipulation"
        " FROM information_schema.triggers WHERE trigger_schema = DATABASE() ORDER BY 1, 2",
    ],
}


def _schema(engine, backend: str) -> tuple:
    with engine.connect() as conn:
        return tuple(tuple(tuple(r) for r in conn.execute(text(sql))) for sql in _SCHEMA_SQL[backend])


class ServerStore:
    """One server's store for the run: its engine and the state ``init_db`` left."""

    def __init__(self, backend: str, url: str):
        from ledger.store.schema import init_db

        self.backend, self.quote = backend, "`" if backend == "mysql" else '"'
        self.engine = make_engine(url)
        metadata.drop_all(self.engine)
        init_db(self.engine)
        self.note()

    def note(self) -> None:
        """What a new store holds: the schema, the rows, the counters."""
        self.schema = _schema(self.engine, self.backend)
        with self.engine.connect() as conn:
            self.rows = {t.name: self._rows(conn, t) for t in metadata.sorted_tables}
            self.rows = {name: rows for name, rows in self.rows.items() if rows}
            self.counters = self._counters(conn)

    @staticmethod
    def _rows(conn, table) -> list[tuple]:
        return sorted(tuple(r) for r in conn.execute(select(table)))

    def _counters(self, conn) -> dict[str, int]:
        """Per table, where its id counter stands (MariaDB's AUTO_INCREMENT; on
        PostgreSQL the sequences that have handed out a value, and their value)."""
        if self.backend == "mysql":
            return {name: n or 1 for name, n in conn.execute(text(
                "SELECT table_name, auto_increment FROM information_schema.tables WHERE table_schema = DATABASE()"))}
        return dict(conn.execute(text(
            "SELECT sequencename, last_value FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL")).all())

    def _filled(self, conn) -> set[str]:
        """The tables that hold a row: one round trip."""
        return set(conn.execute(text(" UNION ALL ".join(
            f"SELECT '{t.name}' FROM (SELECT 1 FROM {self.quote}{t.name}{self.quote} LIMIT 1) AS x{i}"
            for i, t in enumerate(metadata.sorted_tables)))).scalars())

    def reset(self) -> None:
        """Back to the state noted after ``init_db`` (see above)."""
        from ledger.store.schema import _checked, init_db

        if _schema(self.engine, self.backend) != self.schema:  # a test changed the schema
            metadata.drop_all(self.engine)
            _checked.discard(self.engine)
            init_db(self.engine)
            self.note()
            return
        tables = metadata.sorted_tables
        with self.engine.begin() as conn:
            filled, counters = self._filled(conn), self._counters(conn)
            touched = [t for t in tables if (t.name in filled or t.name in self.rows)
                       and (t.name not in self.rows or self._rows(conn, t) != self.rows[t.name])]
            if self.backend == "mysql":
                touched += [t for t in tables if t not in touched and counters.get(t.name) != self.counters.get(t.name)]
            for table in reversed(tables):  # children first
                if table not in touched:
                    continue
                if self.backend == "mysql" or table in APPEND_ONLY:
                    # DELETE is refused on the append-only tables; TRUNCATE fires no row trigger
                    conn.execute(text(f"TRUNCATE TABLE {self.quote}{table.name}{self.quote}"))
                else:
                    conn.execute(table.delete())
            if self.backend == "postgresql":
                for name in set(counters) - set(self.counters):
                    conn.execute(text("SELECT setval(CAST(:s AS regclass), 1, false)"), {"s": name})
                for name, value in self.counters.items():
                    if counters.get(name) != value:
                        conn.execute(text("SELECT setval(CAST(:s AS regclass), :v)"), {"s": name, "v": value})
            for table in tables:  # parents first
                if table in touched and table.name in self.rows:
                    conn.execute(table.insert(), [dict(zip(table.c.keys(), r)) for r in self.rows[table.name]])


_SERVER_STORES: dict[str, ServerStore] = {}


def _server_store(backend: str, url: str):
    """The server's store for the run, as new (see above)."""
    store = _SERVER_STORES.get(backend)
    if store is None:
        store = _SERVER_STORES[backend] = ServerStore(backend, url)
    else:
        store.reset()
    return store.engine


# ---------------------------------------------------------------- Argon2 in tests

# The product hashes with argon2-cffi's defaults (Argon2id, RFC 9106's low-memory
# profile: t=3, m=64 MiB, p=4), ~0.2–0.5 s a hash or check on this machine; the tests
# make and check hundreds (every account made, every sign-in), on three backends. So,
# for the whole run, ``accounts.HASHER`` is an Argon2id hasher of the lightest
# parameters (t=1, m=8 KiB, p=1), and the hash an unknown name is checked against is one
# of its own (both answers still take the same time). Hashes stay real Argon2id hashes,
# salted, checked the same way: only the cost differs. A test of the hashing itself is
# marked ``@pytest.mark.production_argon2`` and runs with the product's hasher; one of
# those checks that the product's parameters are Argon2id at RFC 9106's defaults
# (tests/test_access_core.py). A server or CLI started in another process hashes with
# the product's parameters, untouched.
LIGHT_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _swap_hasher(hasher, dummy) -> tuple:
    from ledger.access import accounts

    before = accounts.HASHER, accounts._DUMMY
    accounts.HASHER, accounts._DUMMY = hasher, dummy
    return before


@pytest.fixture(scope="session", autouse=True)
def light_argon2():
    """The whole run hashes with ``LIGHT_ARGON2`` (see above); yields the product's
    (hasher, unknown-name hash), restored at the end."""
    from argon2 import PasswordHasher

    light = PasswordHasher(**LIGHT_ARGON2)
    production = _swap_hasher(light, light.hash("no such account"))
    yield production
    _swap_hasher(*production)


@pytest.fixture(autouse=True)
def _production_argon2_if_marked(request, light_argon2):
    """``@pytest.mark.production_argon2``: this test hashes with the product's hasher."""
    if request.node.get_closest_marker("production_argon2") is None:
        yield
        return
    light = _swap_hasher(*light_argon2)
    try:
        yield
    finally:
        _swap_hasher(*light)


def pytest_configure(config):
    if _is_controller(config):  # before the workers start, so that they inherit it
        os.environ[SHARED_BUILD_ENV] = tempfile.mkdtemp(prefix="ledger-sample-")
    config.addinivalue_line(
        "markers", "production_argon2: hash with the product's Argon2 parameters, not the tests' light ones (conftest.py)")


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


SHARED_BUILD_ENV = "LEDGER_TEST_SAMPLE_FOLDER"  # set by the controller of a run with -n


class SampleBuild:
    """tests/sample_build.py running in the background (see the module docstring).

    In a run split over workers (pytest-xdist) the controller names one folder for the
    run; the first worker to need the sample starts the build there and the others wait
    for the same files, so it is built once. The controller ends it (``stop_shared``):
    the worker that started it may finish its own tests first."""

    def __init__(self):
        from tests import sample_build

        self.names = sample_build
        self.process = None
        shared = os.environ.get(SHARED_BUILD_ENV)
        if shared:
            self.folder = Path(shared)
            try:
                (self.folder / "owner").mkdir()  # atomic: one worker wins
            except FileExistsError:
                self.log = self.folder / "build.log"
                return
        else:
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
        (self.folder / "build.pid").write_text(str(self.process.pid))

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
            if self.process is not None and self.process.poll() is not None and not path.exists():
                pytest.fail(f"the sample build exited with {self.process.returncode} before {name}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the sample build did not write {name} within {SAMPLE_BUILD_TIMEOUT:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "error" in doc:
            pytest.fail(f"the sample build failed ({name}):\n{doc['error']}\n{self.log_tail()}")
        return doc

    def stop(self) -> None:
        """End the build (a run stopped early by -x or ^C) and remove its folder; a
        worker of a split run leaves both to the controller."""
        if os.environ.get(SHARED_BUILD_ENV):
            return
        _end_build(self.folder)


def _end_build(folder: Path) -> None:
    try:
        pid = int((folder / "build.pid").read_text())
    except (OSError, ValueError):
        pid = None
    if pid is not None:
        try:
            os.killpg(pid, signal.SIGTERM)
            for _ in range(100):
                os.killpg(pid, 0)
                time.sleep(0.1)
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    shutil.rmtree(folder, ignore_errors=True)


_sample_build: SampleBuild | None = None


def _start_sample_build() -> SampleBuild:
    global _sample_build
    if _sample_build is None:
        _sample_build = SampleBuild()
    return _sample_build


def _needs_sample(item) -> bool:
    return bool(SAMPLE_FIXTURES & set(getattr(item, "fixturenames", ())))


# The longest modules (about a minute or more each, measured with two workers), longest
# first: each group starts with them, so that no worker is left running one of them
# alone at the end of the run.
LONGEST = ("test_browser_intake.py", "test_browser_roles.py", "test_browser.py", "test_multinode.py",
           "test_scale_sample.py", "test_scope_random.py", "test_summaries.py", "test_messy_corpus.py",
           "test_browser_markup.py", "test_browser_hostile.py", "test_intake_pages.py", "test_pages.py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Modules with a test that needs the sample run last (whole modules, so that their
    module fixtures are made once), the longest first within each group (``LONGEST``),
    otherwise in the order collected; and the sample's build starts now."""
    def module(item) -> str:
        return item.getparent(pytest.Module).nodeid

    def rank(item) -> tuple[bool, int]:
        name = Path(item.getparent(pytest.Module).path).name
        return module(item) in late, LONGEST.index(name) if name in LONGEST else len(LONGEST)

    late = {module(item) for item in items if _needs_sample(item)}
    items.sort(key=rank)  # stable: the order collected within a module and among the rest
    if late and not config.option.collectonly:
        _start_sample_build()


def _is_controller(config) -> bool:
    """The process that hands tests to pytest-xdist workers (not a worker, not a plain run)."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def pytest_unconfigure(config):
    if _sample_build is not None:
        _sample_build.stop()
    if _is_controller(config) and os.environ.get(SHARED_BUILD_ENV):
        _end_build(Path(os.environ.pop(SHARED_BUILD_ENV)))


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
