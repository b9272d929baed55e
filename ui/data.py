"""Cached access to the ledger for the pages.

One cache wrapper: ``Ledger.read(fn, request, *args)`` runs a query-layer function
``fn(engine, request, *args)`` and keeps its result per database URL and data version
(the latest history entry), so an import or a restore invalidates every cached figure
without clearing by hand. The request carries the rest of the key (as-of, place, scope,
建档立卡 only, the ledger as reported)."""

from __future__ import annotations

import argparse
import sys

import streamlit as st
from sqlalchemy import Engine, func, select

from ledger.query import request as q
from ledger.query.request import Request, reading
from ledger.store.config import database_url, make_engine
from ledger.store.schema import imports, init_db


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
    environment (an upgrade adds what is missing): checked once per engine."""
    engine = make_engine(url)
    init_db(engine)
    return engine


def data_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.max(imports.c.id))).scalar() or 0


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(url: str, version: int, name: str, request: Request, args: tuple, _fn):
    """``name`` (the function's module and name) keys the cache; ``_fn`` is not hashed."""
    return _fn(_engine(url), request, *args)


class Ledger:
    """What a page asks of the ledger, through the cache."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.version = data_version(engine)

    def read(self, fn, request: Request, *args):
        """``fn(engine, request, *args)`` (a function of ``ledger.query.request``, or
        another that takes the request after the engine), cached."""
        return _cached(self.url, self.version, f"{fn.__module__}.{fn.__qualname__}", request, args, fn)

    def run(self, fn, request: Request, *args, **kwargs):
        """``fn(engine, *args, **kwargs)`` (an export) uncached, reading the ledger the
        request reads (today's, or the one a month was reported from)."""
        with reading(self.engine, request):
            return fn(self.engine, *args, **kwargs)

    def months(self, request: Request | None = None) -> list[str]:
        return self.read(q.months, request or Request(None))

    def figures(self, request: Request, keys) -> q.FigureSet:
        return self.read(q.figures, request, tuple(keys))

    def breakdown(self, request: Request, keys, by: str | None = None):
        return self.read(q.breakdown, request, tuple(keys), by)

    def monthly(self, request: Request, keys, cumulative: bool = True):
        return self.read(q.monthly, request, tuple(keys), cumulative)

    def people(self, request: Request, key: str, filters: dict | None = None):
        return self.read(q.people, request, key, tuple(sorted((filters or {}).items())))


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


def store() -> tuple[str, Engine]:
    """The database this server reads (``--db``, the environment, secrets, or the
    embedded default) and its engine."""
    url = database_url(_url_from_argv())
    return url, _engine(url)


def ledger() -> Ledger:
    """The page's access to the ledger (the router has run the first start before)."""
    _ensure_router()
    return Ledger(store()[1])
