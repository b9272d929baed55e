"""Cached access to the ledger for the pages.

One cache wrapper: ``Ledger.read(fn, request, *args)`` runs a query-layer function
``fn(engine, request, *args)`` and keeps its result per database URL and data version
(the latest history entry), so an import or a restore invalidates every cached figure
without clearing by hand. The request carries the rest of the key (as-of, place, scope,
建档立卡 only, the ledger as reported).

Every request a page makes is bound here to the signed-in account before it reaches
the query layer: its scope and its rights to personal data replace whatever the page
(or the URL, or a drill-down) put there, so no page can widen them. No account, no rows."""

from __future__ import annotations

import argparse
import sys
import uuid
from dataclasses import replace

import streamlit as st
from sqlalchemy import Engine, func, select

from ledger.access import audit
from ledger.access.accounts import Account
from ledger.access.roles import FULL, NONE, REVEAL
from ledger.access.scope import NOBODY
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


# One engine per database URL, max_entries=8: a server reads one URL (--db, the
# environment, secrets or the default), so 8 is room to spare; only a process that opens
# many stores (the tests) reaches it, and an engine pushed out closes its pooled
# connections. No ttl: an engine lives as long as the process, and dropping it would
# rebuild its pool (and check the schema again) for nothing.
@st.cache_resource(show_spinner=False, max_entries=8, on_release=lambda engine: engine.dispose())
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


# Every page's figures, breakdowns, months and people lists, for all sessions. Bounded
# three ways, so that memory grows neither with the ledger nor with the requests asked:
# max_entries=1024 (a page view asks ~10–30 of them, so the last ~50 distinct views
# stay warm); max_size=256MB of pickled results (a people list grows with the ledger,
# figures do not; the least recently used go first); ttl=1h (entries of a data version
# an import has replaced are never asked again: past the hour the next new entry reaps
# them). Freshness needs no ttl: the data version is part of the key.
@st.cache_data(show_spinner=False, max_entries=1024, max_size="256MB", ttl="1h")
def _cached(url: str, version: int, name: str, request: Request, args: tuple, _fn):
    """``name`` (the function's module and name) keys the cache; ``_fn`` is not hashed."""
    return _fn(_engine(url), request, *args)


# One token, so max_entries=1 and max_size=1KB (32 hex digits).
@st.cache_data(show_spinner=False, max_entries=1, max_size="1KB")
def _generation() -> str:
    """A token that lives as long as the query cache: ``st.cache_data.clear()`` (after a
    restore or a freeze, in a test) makes a new one, so charts built from the results
    it dropped are not served again."""
    return uuid.uuid4().hex


# Built charts (plotly figures, pyecharts options, a catalogue view rendered with its
# rows and table), shared by every session: building one costs more page CPU than
# reading its cached rows (~0.5 s of a figure page's view), and the server's CPU is what
# 20 concurrent sessions wait on. Keyed like the query cache (URL, data version, the
# bound request: scope, rights, month, place, filters) and by the chart and its style,
# so no account is shown a chart of a scope or rights not its own. A resource, not
# data: served as the object itself, never copied, so no caller may change it
# (st.plotly_chart and the image exports copy before they touch). max_entries=128:
# ~20 pages' views of ~5 charts, the last few dozen distinct views; ttl=1h reaps
# entries of replaced data versions.
@st.cache_resource(show_spinner=False, max_entries=128, ttl=3600)
def _built(url: str, version: int, generation: str, name: str, request: Request, args: tuple, style: tuple,
           _build, _read):
    """``name`` (the builder's module and name) keys the cache; ``_build``, ``_read`` are not hashed."""
    return _build(_read, request, *args, **dict(style))


def forget() -> None:
    """Drop every cached query result and built chart (not the engines): the next view
    starts cold, as after a restart (bench/bench_pages.py's cold runs)."""
    st.cache_data.clear()
    _built.clear()


REVEALED = "revealed_lists"  # lists a 区领导 revealed in this session, with a reason
OPENED = "opened_lists"  # people-level lists already in the audit log for this session


class Ledger:
    """What a page asks of the ledger, through the cache, as the signed-in account."""

    def __init__(self, engine: Engine, account: Account | None):
        self.engine = engine
        self.account = account
        self.url = engine.url.render_as_string(hide_password=False)
        self.version = data_version(engine)

    def bound(self, request: Request, *, revealed: bool = False) -> Request:
        """``request`` with the account's scope, rights and name: the only requests
        that reach the query layer from a page."""
        a = self.account
        if a is None:
            return replace(request, scope=NOBODY, personal=NONE, viewer=None)
        personal = FULL if a.role.personal == REVEAL and revealed else a.role.personal
        return replace(request, scope=a.scope, personal=personal, viewer=a.label)

    def read(self, fn, request: Request, *args):
        """``fn(engine, request, *args)`` (a function of ``ledger.query.request``, or
        another that takes the request after the engine), cached."""
        request = self.bound(request)
        return _cached(self.url, self.version, f"{fn.__module__}.{fn.__qualname__}", request, args, fn)

    def built(self, build, request: Request, *args, **style):
        """``build(read, request, *args, **style)``: a chart built from rows this ledger
        reads (``read`` is ``self.read``), kept built for every session that asks the
        same (``_built``). ``build`` may depend on nothing but its arguments and the rows
        it reads; it gets the request bound to the account, without the account's name
        (a chart does not show it), so accounts of one scope and rights share it."""
        request = replace(self.bound(request), viewer=None)
        return _built(self.url, self.version, _generation(), f"{build.__module__}.{build.__qualname__}", request, args,
                      tuple(sorted(style.items())), build, self.read)

    def run(self, fn, request: Request, *args, what: str | None = None, **kwargs):
        """``fn(engine, request, *args, **kwargs)`` (an export) uncached, reading the
        ledger the request reads (today's, or the one a month was reported from), as
        the account; the export goes into the audit log."""
        request = self.bound(request)
        self.log("export", target=what or fn.__qualname__, detail=f"{request.place} {request.month or ''}".strip())
        with reading(self.engine, request):
            return fn(self.engine, request, *args, **kwargs)

    def log(self, action: str, *, target: str | None = None, detail: str | None = None) -> None:
        a = self.account
        audit.record(self.engine, action, login=a.login if a else None, role=a.role.key if a else None,
                     target=target, detail=detail)

    def months(self, request: Request | None = None) -> list[str]:
        return self.read(q.months, request or Request(None))

    def figures(self, request: Request, keys) -> q.FigureSet:
        return self.read(q.figures, request, tuple(keys))

    def breakdown(self, request: Request, keys, by: str | None = None):
        return self.read(q.breakdown, request, tuple(keys), by)

    def monthly(self, request: Request, keys, cumulative: bool = True):
        return self.read(q.monthly, request, tuple(keys), cumulative)

    @property
    def people_lists(self) -> bool:
        """Whether the account may see people-level lists at all (a 材料员 may not)."""
        return self.account is not None and self.account.role.people_lists

    def may_reveal(self) -> bool:
        return self.account is not None and self.account.role.personal == REVEAL

    def revealed(self, list_id: str) -> bool:
        return list_id in st.session_state.get(REVEALED, {})

    def reveal(self, list_id: str, reason: str) -> None:
        """A 区领导 shows one list unmasked, having said why: logged, for this session."""
        if not self.may_reveal() or not reason.strip():
            raise PermissionError("须说明理由后才能查看完整个人信息。")
        self.log("reveal", target=list_id, detail=reason.strip())
        st.session_state.setdefault(REVEALED, {})[list_id] = reason.strip()

    def people(self, request: Request, key: str, filters: dict | None = None, *, list_id: str | None = None,
               limit: int | None = None):
        """The people behind a figure, masked as the account's rights say, at most
        ``limit`` of them; opening the list is logged once a session."""
        items = tuple(sorted((filters or {}).items()))
        list_id = list_id or f"{key} {request.place} {dict(items) or ''}".strip()
        bound = self.bound(request, revealed=self.revealed(list_id))
        if bound.personal == NONE:
            raise PermissionError("该账号无权查看人员名单。")
        opened = st.session_state.setdefault(OPENED, set())
        if (list_id, bound.personal) not in opened:
            self.log("people_list", target=list_id, detail="完整信息" if bound.personal == FULL else "脱敏")
            opened.add((list_id, bound.personal))
        return _cached(self.url, self.version, f"{q.people.__module__}.people", bound, (key, items, limit), q.people)


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


def ledger(page: str) -> Ledger:
    """The page's access to the ledger as the signed-in account (the router has run
    the first start before); a page the account may not use, or no account, stops here."""
    from .auth import current_account, refuse

    _ensure_router()
    account = current_account()
    if account is None or not account.may_open(page) or account.must_change:
        refuse(account, page)
    return Ledger(store()[1], account)
