"""First start on the embedded default: build the SQLite store from the sample ledger,
so a fresh clone shows real figures with nothing configured. It runs once, in the
first page view, with its progress on screen; a database given by URL is never
filled with the sample."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import streamlit as st
from sqlalchemy import Engine, func, select

from ledger.access.accounts import add_demo_accounts
from ledger.store.config import ROOT, is_default
from ledger.store.imports import ImportOutcome, read_and_import
from ledger.store.schema import imports, init_db
from sample_data.generate import SAMPLE_NAME

from .text import plain

# The name carries the generator's version: a workbook of an older generator is not reused.
SAMPLE = ROOT / "sample_data" / SAMPLE_NAME
GENERATED = ROOT / "data" / SAMPLE_NAME

Progress = Callable[[float, str], None]


_first_start = threading.Lock()
_ready: set[str] = set()  # URLs whose store holds data: no need to look again


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(imports)).scalar()


def sample_workbook(progress: Progress = lambda f, m: None) -> Path:
    """The committed sample workbook, or one generated once into data/."""
    if SAMPLE.exists():
        return SAMPLE
    if not GENERATED.exists():
        from sample_data.generate import write_workbook

        progress(0.1, "正在生成示例台账……")
        write_workbook(GENERATED)
    return GENERATED


def load_sample(engine: Engine, progress: Progress = lambda f, m: None, workbook: Path | None = None) -> ImportOutcome | None:
    """Import the sample ledger into an empty store, with the demo accounts (one per
    role; the login page names them); does nothing to a store that has data."""
    init_db(engine)
    if not is_empty(engine):
        return None
    path = workbook or sample_workbook(progress)
    progress(0.4, f"正在导入示例台账 {Path(path).name}（约30,000名劳动力×9个月）……")
    outcome = read_and_import(engine, path, user="示例数据")
    if outcome.ok:
        add_demo_accounts(engine)  # one per role, each to choose a new password at first login
    progress(1.0, "示例台账导入完成")
    return outcome


def prepare() -> None:
    """Run by the router before any page: on the embedded default with an empty store,
    import the sample ledger now (about half a minute), showing its progress; stops
    the run if the import fails."""
    from .data import store

    url, engine = store()
    if url in _ready or not is_default(url):
        return
    if not is_empty(engine):
        _ready.add(url)
        return
    with _first_start, st.status("首次启动：正在用示例台账建立数据库……", expanded=True) as status:
        bar = st.progress(0.0, text="准备中……")
        outcome = load_sample(engine, lambda f, m: bar.progress(f, text=m))
        if outcome is not None and not outcome.ok:
            status.update(label="示例台账导入失败", state="error")
            st.error("\n\n".join(plain(p) for p in outcome.errors[:20]))
            st.stop()
        status.update(label="示例台账已导入", state="complete", expanded=False)
    _ready.add(url)
