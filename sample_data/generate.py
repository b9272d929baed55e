"""Deterministic generator of a fictional 2020 employment ledger for 宜州区 (河池市, 广西).

Why this exists: the importer, the dashboard and the briefing need a realistic workbook
to be developed and tested against, and the seed report's figures
(``shared/seed/figures.json``) must come out of it *exactly* as of 2020-09-30.
Every exact figure is reached by construction: counts are partitioned, amounts are
generated and then nudged until they add up. Everything is drawn from seeded numpy
Generators, so the same seed gives the same tables (and the same workbook) every run.
No real person's data: names, ID numbers and phone numbers are synthesised.

:func:`build_tables` is the pipeline; its steps live in the modules beside this one, each
taking what it needs and returning what later steps read. Each step draws from its own
stream, so the order of steps matters only where one reads another's result.

Public API: :func:`build_tables`, :func:`write_workbook`, :data:`SHEET_COLUMNS`,
:data:`PLANTED` (the problems planted for the data-quality checks) and :data:`SAMPLE_NAME`.
Command line: ``python -m sample_data.generate OUT.xlsx``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import employers, monthly, people, schemes, subsidies, targets, workshops
from .district import (  # noqa: F401  (re-exported)
    A_ABROAD,
    A_COUNTY,
    A_OUT,
    A_PROVINCE,
    A_TOWN,
    AREAS,
    AS_OF,
    DISTRICT,
    EDUCATION,
    M_BUSINESS,
    M_FARM,
    M_FLEX,
    M_MIGRANT,
    M_OTHER,
    M_POST,
    M_WORKSHOP,
    MODES,
    MONTHS,
    N_MONTHS,
    SKILLS,
    T_CODES,
    T_NAMES,
    T_SHARE,
    TOWNSHIPS,
    YEAR,
)
from .draws import dates, stream, texts
from .figures import SHEET_COLUMNS, TARGETS  # noqa: F401  (re-exported)
from .plants import PLANT_NOTES, PLANTED, plant
from .workbook import write_xlsx

__all__ = ["PLANTED", "PLANT_NOTES", "SAMPLE_NAME", "SHEET_COLUMNS", "build_tables", "write_workbook", "main"]

DEFAULT_LABOURERS = 30_000
# The workbook's file name carries a version: bump it whenever the generated ledger
# changes, so that a workbook generated earlier (data/, sample_data/) is not reused
# (tests/test_sample_generator.py pins a fingerprint of the tables to this version).
SAMPLE_VERSION = 2
SAMPLE_NAME = f"yizhou_ledger_2020_v{SAMPLE_VERSION}.xlsx"


def _townships_table() -> pd.DataFrame:
    return pd.DataFrame({
        "区划代码": texts(T_CODES),
        "乡镇": texts(T_NAMES),
        "类型": texts([t[2] for t in TOWNSHIPS]),
        "别名": texts([t[3] or None for t in TOWNSHIPS]),
        "上级": texts([DISTRICT] * len(TOWNSHIPS)),
    })


def _marked(n: int, *groups) -> np.ndarray:
    """A mask of n people, True for everyone in the groups."""
    mask = np.zeros(n, bool)
    for g in groups:
        mask[np.asarray(g, dtype=int)] = True
    return mask


def build_tables(seed: int = 2020, n_labourers: int = DEFAULT_LABOURERS, *, plants: bool = True
                 ) -> dict[str, pd.DataFrame]:
    """All nine sheets of the sample ledger as DataFrames keyed by canonical sheet name.

    The seed report's figures hold exactly for any seed and any ``n_labourers`` ≥ 12000
    (a smaller ledger builds faster, e.g. for tests); the default is the full-size sample.
    ``plants=False`` leaves out the problems of :data:`PLANTED`, so a test can see that
    they are the only difference.
    """
    if n_labourers < 12_000:
        raise ValueError("n_labourers must be at least 12000 for the exact figures to be reachable")
    # The labourers come first because every other sheet refers to them.
    villages = people.draw_villages(stream(seed, "villages"))
    pop = people.draw_people(stream(seed, "people"), villages, n_labourers)
    firms, demand = employers.draw_firms(stream(seed, "demand"))
    usual = people.usual_year(stream(seed, "paths"), pop, firms)
    plan = workshops.plan_workshops(stream(seed, "workshops"), villages)
    # Each role goes to people no earlier one took: the bussed, the post holders, the workshop workers.
    riders, transport = schemes.transport(stream(seed, "transport"), pop)
    bussed = [r.person for r in riders]
    posts = schemes.posts(stream(seed, "posts"), pop, taken=_marked(pop.n, bussed))
    workers = workshops.assign_workers(stream(seed, "workshop-workers"), pop, plan,
                                       taken=_marked(pop.n, bussed, posts.who))
    states = monthly.monthly_states(stream(seed, "states"), pop, usual, firms, riders, plan, workers, posts)
    workshop_table, reward = workshops.workshop_table(stream(seed, "workshop-table"), plan, workers)
    training, training_pay = schemes.training(stream(seed, "training"), pop)
    other_pay = subsidies.subsidies(stream(seed, "subsidies"), pop, states, riders, firms)

    pay = pd.concat([posts.pay, reward, training_pay, other_pay], ignore_index=True)
    pay = schemes.sort_payments(pay)
    subsidy = pd.DataFrame({
        "发放日期": dates(pay["发放日期"].to_numpy(dtype="datetime64[D]")),
        **{c: texts(pay[c].to_numpy(dtype=object)) for c in ["补贴类型", "对象类型", "对象名称", "证件号码", "乡镇", "村"]},
        "金额（元）": pay["金额（元）"].to_numpy(dtype=np.int64),
    })
    tables = {
        "行政区划": _townships_table(),
        "劳动力就业台账": monthly.labourer_sheet(pop, states),
        "扶贫车间台账": workshop_table,
        "公益性岗位台账": posts.table,
        "技能培训台账": training,
        "补贴发放台账": subsidy,
        "用工需求台账": demand,
        "返岗输送台账": transport,
        "目标任务": targets.targets(stream(seed, "targets"), pop, states, posts.table, training, workshop_table),
    }
    if plants:
        plant(tables, stream(seed, "plants"))
    for name, cols in SHEET_COLUMNS.items():
        tables[name] = tables[name][cols].reset_index(drop=True)
    return tables


def write_workbook(path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the tables as an .xlsx the way township staff keep it: one sheet each, header in row 1.

    ``tables`` defaults to :func:`build_tables` (); any dict of DataFrames is written as
    given (sheet per key, columns in order), so tests can write partial or altered ledgers.
    Cell kinds: :func:`sample_data.workbook.write_xlsx`.
    """
    return write_xlsx(path, build_tables() if tables is None else tables)


DEFAULT_OUT = Path(__file__).resolve().parent / SAMPLE_NAME


def main(argv: list[str] | None = None) -> int:
    """``python -m sample_data.generate [OUT.xlsx] [--seed N] [--labourers N]``: build and write the workbook."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sample_data.generate",
                                 description="生成宜州区就业扶贫示例台账（虚构数据，截至2020-09-30精确重现报告数字）")
    ap.add_argument("out", nargs="?", default=str(DEFAULT_OUT), help=f"输出 .xlsx 路径（默认 {DEFAULT_OUT.name}）")
    ap.add_argument("--seed", type=int, default=2020, help="随机种子（默认 2020）")
    ap.add_argument("--labourers", type=int, default=DEFAULT_LABOURERS, help="劳动力人数（默认 30000，至少 12000）")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    tables = build_tables(args.seed, n_labourers=args.labourers)
    t1 = time.perf_counter()
    out = write_workbook(args.out, tables)
    t2 = time.perf_counter()
    rows = sum(len(t) for t in tables.values())
    print(f"{out}: {rows} rows, built in {t1 - t0:.1f}s, written in {t2 - t1:.1f}s, "
          f"{out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
