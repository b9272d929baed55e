"""``python -m ledger sample --scale N``: N districts by the sample's rules, copy 1 being
宜州区 exactly, nothing shared between copies, so every figure of N copies is the sum of
the copies' (distinct counts included), written straight into a store as one history
entry whose slices are what an import of the same rows would record.

Copies of 12,000 labourers (the seed figures hold for any size from 12,000) keep the
module to a few copies' worth of generating and checking."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import func, select

import loaders
from ledger import query
from ledger.store.config import make_engine
from ledger.store.figures import FIGURES
from ledger.store.imports import content_hash
from ledger.store.schema import DATA, accounts, imports, slices
from ledger.store.townships import stored_townships
from loaders.idcard import validate
from sample_data import bulk, scale
from sample_data.district import T_NAMES
from tests.conftest import ROOT

AS_OF = dt.date(2020, 9, 30)
SIZE = 12_000
COPY_ONE = list(T_NAMES)


@pytest.fixture(scope="module")
def copy_two() -> dict[str, pd.DataFrame]:
    return scale.district_tables(2, SIZE)


@pytest.fixture(scope="module")
def one(tmp_path_factory):
    """A store of one copy, written by the command line (with the demo accounts)."""
    path = tmp_path_factory.mktemp("scale1") / "one.db"
    run = _sample(["--scale", "1", "--labourers", str(SIZE), "--db", f"sqlite:///{path}"])
    assert run.returncode == 0, run.stderr
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('scale3') / 'three.db'}")
    bulk.write_database(engine, 3, user="test", n_labourers=SIZE)
    yield engine
    engine.dispose()


def _sample(args: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DB_URL"}
    return subprocess.run([sys.executable, "-m", "ledger", "sample", *args], check=False, cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=1200)


# --- the copies ------------------------------------------------------------------------------


def _values(tables, sheet, column, where=None) -> set:
    frame = tables[sheet]
    if where is not None:
        frame = frame[where(frame)]
    return set(frame[column].dropna())


SHARED_NOTHING = [  # (sheet, column): every value of copy 2 is none of copy 1's
    ("行政区划", "乡镇"), ("行政区划", "区划代码"), ("劳动力就业台账", "村"), ("劳动力就业台账", "证件号码"),
    ("劳动力就业台账", "户编号"), ("劳动力就业台账", "联系电话"), ("劳动力就业台账", "务工单位"),
    ("用工需求台账", "企业名称"), ("扶贫车间台账", "车间名称"), ("技能培训台账", "培训期次"), ("返岗输送台账", "批次"),
    ("技能培训台账", "证件号码"), ("公益性岗位台账", "证件号码"), ("补贴发放台账", "证件号码"),
]


@pytest.mark.parametrize(("sheet", "column"), SHARED_NOTHING, ids=lambda v: str(v))
def test_copy_two_shares_nothing_with_yizhou(sample_tables, copy_two, sheet, column):
    mine, yizhou = _values(copy_two, sheet, column), _values(sample_tables, sheet, column)
    assert mine and not mine & yizhou


def test_copy_two_is_relabelled_consistently(copy_two):
    """The labourers the other sheets name are the copy's own, under the copy's names."""
    labour = copy_two["劳动力就业台账"]
    people = set(labour["证件号码"])
    assert _values(copy_two, "公益性岗位台账", "证件号码") <= people
    towns = _values(copy_two, "行政区划", "乡镇")
    assert towns == {f"{t}2" for t in COPY_ONE}
    for sheet in ("劳动力就业台账", "扶贫车间台账", "公益性岗位台账", "补贴发放台账", "目标任务"):
        assert _values(copy_two, sheet, "乡镇") <= towns, sheet
    workshops = _values(copy_two, "扶贫车间台账", "车间名称")
    rewarded = _values(copy_two, "补贴发放台账", "对象名称", lambda f: f["对象类型"] == "扶贫车间")
    assert rewarded and rewarded <= workshops
    assert set(copy_two["行政区划"]["上级"]) == {"宜州区2"}


def test_copy_two_id_numbers_are_valid(copy_two):
    ids = pd.Series(sorted(_values(copy_two, "劳动力就业台账", "证件号码")), dtype=object)
    _ids, reasons = validate(ids)
    assert reasons.isna().all()


def test_copy_one_is_the_sample_itself(sample_tables):
    """Copy 1 is ``build_tables()`` untouched: the default ``sample`` workbook and the
    golden figures do not move (tests/test_sample_generator.py pins its fingerprint)."""
    mine = scale.district_tables(1)
    assert mine.keys() == sample_tables.keys()
    for name, frame in mine.items():
        pd.testing.assert_frame_equal(frame, sample_tables[name])


def test_the_generated_grid_reads_like_its_workbook(tmp_path, copy_two):
    """What ``--db`` checks (the tables as grids in memory) is what importing the
    ``--out`` workbook would store: the same slices, hash for hash."""
    path = tmp_path / scale.workbook_name(2)
    from sample_data.workbook import write_xlsx

    write_xlsx(path, copy_two)
    from_file = loaders.load(path)
    in_memory = loaders.load_sheets(scale.raw_sheets(copy_two, path.name))
    assert from_file.ok and in_memory.ok
    assert from_file.tables.keys() == in_memory.tables.keys()
    for sheet, frame in from_file.tables.items():
        other = in_memory.tables[sheet]
        assert len(frame) == len(other), sheet
        for period, part in frame.groupby("period"):
            assert content_hash(part) == content_hash(other[other["period"] == period]), (sheet, period)
    assert [p.said for p in from_file.problems] == [p.said for p in in_memory.problems]


# --- the stores ------------------------------------------------------------------------------


def test_one_copy_reproduces_the_seed(one, seed_figures):
    got = query.figures(one, AS_OF).values
    assert {k: got.get(k) for k in seed_figures} == seed_figures


def test_the_command_line_adds_the_demo_accounts_and_refuses_a_second_run(one):
    with one.connect() as conn:
        demo = conn.execute(select(func.count()).select_from(accounts).where(accounts.c.demo)).scalar()
        entries = conn.execute(select(imports.c.filename, imports.c.kind)).all()
    assert demo == 5
    assert [tuple(e) for e in entries] == [("示例台账×1", "import")]
    url = one.url.render_as_string(hide_password=False)
    run = _sample(["--scale", "2", "--labourers", str(SIZE), "--db", url])
    assert run.returncode == 3 and "--user" in run.stderr  # the store has accounts now
    with pytest.raises(bulk.NotEmpty):
        bulk.write_database(one, 1, n_labourers=SIZE)
    with one.connect() as conn:
        assert conn.execute(select(func.count()).select_from(imports)).scalar() == 1


def test_three_districts_of_distinct_townships(three):
    with three.connect() as conn:
        towns = stored_townships(conn)
    assert len(towns) == 48
    assert len({t.name for t in towns}) == 48 and len({t.code for t in towns}) == 48
    assert {t.parent for t in towns} == {"宜州区", "宜州区2", "宜州区3"}
    assert [t.name for t in towns[:16]] == COPY_ONE  # ordered by code: Yizhou first


def test_every_seed_figure_is_three_times_yizhous(three, seed_figures):
    got = query.figures(three, AS_OF).values
    assert {k: got.get(k) for k in seed_figures} == {k: 3 * v for k, v in seed_figures.items()}


def test_yizhous_townships_are_as_in_a_store_of_their_own(three, one):
    """Copy 1 inside three districts is exactly copy 1 alone, township by township,
    for every additive figure and every distinct count."""
    keys = [f.key for f in FIGURES if f.agg in ("count", "sum", "distinct")]
    alone = query.breakdown(one, keys, AS_OF).set_index("township")
    among = query.breakdown(three, keys, AS_OF).set_index("township")
    for town in COPY_ONE:
        assert among.loc[town, keys].to_dict() == alone.loc[town, keys].to_dict(), town


def _copy_of(township: str) -> str:
    tail = township[-1:]
    return tail if tail.isdigit() else "1"


@pytest.mark.parametrize(("sheet", "column"), [("labor", "household_id"), ("labor", "id_number"),
                                               ("training", "class_id"), ("demand", "enterprise")])
def test_distinct_counts_are_the_sum_of_the_copies(three, sheet, column):
    t = DATA[sheet]
    with three.connect() as conn:
        total = conn.execute(select(func.count(t.c[column].distinct())).where(t.c.is_current)).scalar()
        if "township" in t.c:
            rows = conn.execute(select(t.c.township, t.c[column]).where(t.c.is_current).distinct()).all()
            per_copy = pd.DataFrame(rows, columns=["township", "v"]).dropna()
            per_copy["copy"] = per_copy["township"].map(_copy_of)
        else:
            per_copy = pd.DataFrame(conn.execute(select(t.c[column]).where(t.c.is_current).distinct()).all(),
                                    columns=["v"]).assign(copy=lambda f: f.v.str.extract(r"(\d+)有限")[0].fillna("1"))
    assert total == per_copy.groupby("copy")["v"].nunique().sum()
    assert per_copy["copy"].nunique() == 3


def test_slices_and_history_say_what_is_stored(three):
    with three.connect() as conn:
        entry = conn.execute(select(imports)).one()
        held = conn.execute(select(slices)).all()
        counted = {}
        for sheet, table in DATA.items():
            rows = conn.execute(select(table.c.period, func.count()).where(table.c.is_current).group_by(table.c.period))
            counted.update({(sheet, p): n for p, n in rows})
    assert entry.filename == "示例台账×3" and entry.kind == "import"
    assert {(s.sheet, s.period): s.row_count for s in held} == counted
    assert {s.import_id for s in held} == {entry.id}
    recorded = json.loads(entry.row_counts)
    assert {(s, p): n for s, periods in recorded.items() for p, n in periods.items()} == counted


def test_slice_hashes_are_those_of_an_import_of_the_same_rows(one):
    """The stored digest is ``content_hash`` of the whole slice: importing the same
    ledger later finds every slice unchanged."""
    result = loaders.load_sheets(scale.raw_sheets(scale.district_tables(1, SIZE), scale.workbook_name(1)))
    with one.connect() as conn:
        held = {(s.sheet, s.period): s.content_hash for s in conn.execute(select(slices))}
    want = {(sheet, str(p)): content_hash(part.reset_index(drop=True))
            for sheet, frame in result.tables.items() for p, part in frame.groupby("period")}
    assert held == want


def test_every_slice_is_summarised_as_its_detail_says(three):
    """Each slice's summary, written once all copies are in it, agrees with the detail."""
    from ledger.store import summaries

    with three.connect() as conn:
        assert summaries.differences(conn) == []
        listed = conn.execute(select(func.count()).select_from(summaries.summarised)).scalar()
        held = conn.execute(select(func.count()).select_from(slices).where(slices.c.sheet != "townships")).scalar()
    assert listed == held
