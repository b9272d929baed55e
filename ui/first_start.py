"""First start on the embedded default: build the SQLite store from the sample ledger,
so a fresh clone shows real figures with nothing configured."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, func, select

from sample_data.generate import SAMPLE_NAME

from ledger.store.config import ROOT
from ledger.store.imports import ImportOutcome, read_and_import
from ledger.store.schema import imports, init_db

# The name carries the generator's version: a workbook of an older generator is not reused.
SAMPLE = ROOT / "sample_data" / SAMPLE_NAME
GENERATED = ROOT / "data" / SAMPLE_NAME

Progress = Callable[[float, str], None]


def is_empty(engine: Engine) -> bool:
    init_db(engine)
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
    """Import the sample ledger into an empty store; does nothing to a store that has data."""
    if not is_empty(engine):
        return None
    path = workbook or sample_workbook(progress)
    progress(0.4, f"正在导入示例台账 {Path(path).name}（约30,000名劳动力×9个月）……")
    outcome = read_and_import(engine, path, user="示例数据")
    progress(1.0, "示例台账导入完成")
    return outcome
