"""Cached access to the ledger for the pages.

Results are cached per database URL and per data version (the latest history entry),
so an import or a restore invalidates every cached figure without clearing by hand.
"""

from __future__ import annotations

import argparse
import sys
import threading
from contextlib import nullcontext

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select

from ledger import query
from ledger.store.config import database_url, is_default, make_engine
from ledger.store.schema import imports, init_db
from ledger.store.versions import as_recorded

from . import first_start as bootstrap
from .text import plain

_first_start = threading.Lock()


def _url_from_argv() -> str | None:
    """``streamlit run dashboard.py -- --db URL`` passes the URL after ``--``."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.db


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """The engine of a store that has every table and column this version reads,
    whether it is the embedded default or a new database named by --db or the
    environment (an upgrade adds what is missing)."""
    engine = make_engine(url)
    init_db(engine)
    return engine


def get_engine() -> Engine:
    """The store's engine; on the embedded default, the sample ledger is loaded first."""
    url = database_url(_url_from_argv())
    engine = _engine(url)
    if is_default(url) and bootstrap.is_empty(engine):
        with _first_start, st.status("首次启动：正在用示例台账建立数据库……", expanded=True) as status:
            bar = st.progress(0.0, text="准备中……")
            outcome = bootstrap.load_sample(engine, lambda f, m: bar.progress(f, text=m))
            if outcome is not None and not outcome.ok:
                status.update(label="示例台账导入失败", state="error")
                st.error("\n\n".join(plain(p) for p in outcome.errors[:20]))
                st.stop()
            status.update(label="示例台账已导入", state="complete", expanded=False)
    return engine


def data_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.max(imports.c.id))).scalar() or 0


# A data version is the latest history entry (today's ledger), or ("reported", N): the
# ledger as it stood right after entry N, when a month was frozen as reported.
Version = int | tuple[str, int]


def _state(url: str, version: Version):
    """The rows the version reads: today's, or those in force after a history entry."""
    if isinstance(version, tuple):
        return as_recorded(_engine(url), version[1])
    return nullcontext()


@st.cache_data(show_spinner=False, max_entries=512)
def _months(url: str, version: Version) -> list[str]:
    with _state(url, version):
        return query.months(_engine(url))


@st.cache_data(show_spinner=False, max_entries=512)
def _figures(url: str, version: Version, as_of, township, keys, poor_only: bool):
    with _state(url, version):
        return query.figures(_engine(url), as_of, township=township, keys=list(keys) if keys else None, poor_only=poor_only)


@st.cache_data(show_spinner=False, max_entries=512)
def _breakdown(url: str, version: Version, keys: tuple[str, ...], as_of, by: str, township, poor_only: bool):
    with _state(url, version):
        return query.breakdown(_engine(url), list(keys), as_of, by=by, township=township, poor_only=poor_only)


@st.cache_data(show_spinner=False, max_entries=512)
def _monthly(url: str, version: Version, keys: tuple[str, ...], as_of, township, poor_only: bool, cumulative: bool):
    with _state(url, version):
        return query.monthly(
            _engine(url), list(keys), as_of, township=township, poor_only=poor_only, cumulative=cumulative
        )


@st.cache_data(show_spinner=False, max_entries=256)
def _people(url: str, version: Version, key: str, as_of, township, village, poor_only: bool, filters: tuple):
    from ledger.query.people import people

    with _state(url, version):
        return people(
            _engine(url), key, as_of, township=township, village=village, poor_only=poor_only, filters=dict(filters) or None
        )


@st.cache_data(show_spinner=False, max_entries=256)
def _call(url: str, version: Version, name: str, args: tuple, kwargs: tuple):
    """Any other read-only query function of the core, by its dotted name."""
    import importlib

    module, func = name.rsplit(".", 1)
    with _state(url, version):
        return getattr(importlib.import_module(module), func)(_engine(url), *args, **dict(kwargs))


@st.cache_data(show_spinner=False, max_entries=64)
def _since_reported(url: str, version: Version, month: str, freeze_id: int) -> pd.DataFrame:
    """Keyed by the freeze as well: freezing again adds no history entry."""
    from ledger.query.reported import changes_since_reported

    return changes_since_reported(_engine(url), month)


def _scalar(value):
    """A DataFrame cell as a plain Python value (numpy integers become int)."""
    return value.item() if hasattr(value, "item") else value


class Ledger:
    """What a page asks of the ledger, through the cache."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.version: Version = data_version(engine)

    def read_as_recorded(self, log_id: int | None) -> None:
        """From now on, read the ledger as it stood right after history entry ``log_id``
        (a frozen month's 已报送 figures) instead of today's."""
        self.version = ("reported", log_id)

    def run(self, fn, *args, **kwargs):
        """Call ``fn`` (an export, say) uncached, reading the same ledger as the page."""
        with _state(self.url, self.version):
            return fn(*args, **kwargs)

    def months(self) -> list[str]:
        return _months(self.url, self.version)

    def figures(self, as_of, township=None, keys=None, *, poor_only=False, village=None) -> query.FigureSet:
        """The figures of the district, a township, or one village of it."""
        keys = tuple(keys) if keys else None
        if village is None:
            return _figures(self.url, self.version, as_of, township, keys, poor_only)
        rows = self.breakdown(keys, as_of, by="village", township=township, poor_only=poor_only)
        row = rows[rows["village"] == village]
        values = {k: (_scalar(row[k].iloc[0]) if len(row) else None) for k in keys}
        return query.FigureSet(as_of, township, values, {})

    def breakdown(self, keys, as_of, by: str = "township", township=None, *, poor_only=False) -> pd.DataFrame:
        """As query.breakdown, less a district-wide row that holds nothing (most sheets
        have no district-wide part; an empty bar or row would only puzzle a reader)."""
        rows = _breakdown(self.url, self.version, tuple(keys), as_of, by, township, poor_only)
        unplaced = {"township": query.DISTRICT_WIDE, "village": query.NO_VILLAGE}.get(by)
        if unplaced is not None and len(rows):
            empty = (rows[by] == unplaced) & ~rows[list(keys)].apply(lambda r: any(v for v in r if v == v), axis=1)
            rows = rows[~empty]
        return rows

    def villages(self, as_of, township: str) -> list[str]:
        return list(self.breakdown(["labor.total"], as_of, by="village", township=township)["village"])

    def monthly(self, keys, as_of, township=None, *, poor_only=False, cumulative=True) -> pd.DataFrame:
        return _monthly(self.url, self.version, tuple(keys), as_of, township, poor_only, cumulative)

    def people(self, key, as_of, *, township=None, village=None, poor_only=False, filters=None) -> pd.DataFrame:
        return _people(self.url, self.version, key, as_of, township, village, poor_only, tuple(sorted((filters or {}).items())))

    def changes_since_reported(self, month: str, freeze_id: int) -> pd.DataFrame:
        """reports.changes_since_reported of ``month``, whose latest freeze is ``freeze_id``."""
        return _since_reported(self.url, self.version, month, freeze_id)

    def call(self, name: str, *args, **kwargs):
        return _call(self.url, self.version, name, args, tuple(sorted(kwargs.items())))


def _ensure_router() -> None:
    """Make dashboard.py the router even for a deep link opened first after start.

    With a pages/ folder beside it, Streamlit starts in its old multipage mode until
    some run calls st.navigation; a bookmark such as /targets opened first would run
    the page alone (no wide layout, file names as navigation) and keep that mode for
    every later visitor. One rerun in the new mode fixes it for good."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def ledger() -> Ledger:
    _ensure_router()
    return Ledger(get_engine())
