"""Cached access to the ledger for the pages.

Results are cached per database URL and per data version (the latest history entry),
so an import or a restore invalidates every cached figure without clearing by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select

from ledger import bootstrap, queries
from ledger.config import database_url, is_default, make_engine
from ledger.schema import imports

_first_start = threading.Lock()


def _url_from_argv() -> str | None:
    """``streamlit run dashboard.py -- --db URL`` passes the URL after ``--``."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.db


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


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
                st.error("\n".join(str(p) for p in outcome.errors[:20]))
                st.stop()
            status.update(label="示例台账已导入", state="complete", expanded=False)
    return engine


def data_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.max(imports.c.id))).scalar() or 0


@st.cache_data(show_spinner=False, max_entries=512)
def _months(url: str, version: int) -> list[str]:
    return queries.months(_engine(url))


@st.cache_data(show_spinner=False, max_entries=512)
def _figures(url: str, version: int, as_of: dt.date | None, township: str | None, keys: tuple[str, ...] | None):
    return queries.figures(_engine(url), as_of, township=township, keys=list(keys) if keys else None)


@st.cache_data(show_spinner=False, max_entries=512)
def _breakdown(url: str, version: int, keys: tuple[str, ...], as_of: dt.date | None, by: str, township: str | None):
    return queries.breakdown(_engine(url), list(keys), as_of, by=by, township=township)


class Ledger:
    """What a page asks of the ledger, through the cache."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.version = data_version(engine)

    def months(self) -> list[str]:
        return _months(self.url, self.version)

    def figures(self, as_of: dt.date | None, township: str | None = None, keys=None) -> queries.FigureSet:
        return _figures(self.url, self.version, as_of, township, tuple(keys) if keys else None)

    def breakdown(self, keys, as_of, by: str = "township", township: str | None = None) -> pd.DataFrame:
        return _breakdown(self.url, self.version, tuple(keys), as_of, by, township)


def ledger() -> Ledger:
    return Ledger(get_engine())
