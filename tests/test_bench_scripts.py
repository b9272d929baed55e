"""The benchmark scripts' own arithmetic and printout, on made-up numbers, so that
bench/bench_scale.py and bench/bench_load.py cannot rot unnoticed. Nothing here runs
a benchmark or looks at a clock."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import sys

import pytest

from tests.conftest import ROOT


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scale():
    return _bench("bench_scale")


@pytest.fixture(scope="module")
def load():
    return _bench("bench_load")


def _cells(line: str) -> list[str]:
    assert line.startswith("|") and line.endswith("|"), line
    return [c.strip() for c in line[1:-1].split("|")]


def test_percentile_interpolates_between_ranks(load):
    values = [float(v) for v in range(10, 0, -1)]  # 10 … 1, unsorted on purpose
    assert load.percentile(values, 50) == pytest.approx(5.5)
    assert load.percentile(values, 95) == pytest.approx(9.55)
    assert load.percentile(values, 0) == 1.0
    assert load.percentile(values, 100) == 10.0
    assert load.percentile([2.5], 95) == 2.5
    assert load.percentile([], 50) is None


def test_load_report_sets_each_figure_beside_the_single_session(load):
    floor = load.Phase(1, 40)
    for s in (1.0, 2.0, 3.0):
        floor.add("总览 全区", s)
    busy = load.Phase(20, 120)
    for s in (2.0, 4.0, 6.0, 8.0):
        busy.add("总览 全区", s)
    busy.errors.append("总览 村·名单: TimeoutError: 90000ms exceeded")
    floor.wall, floor.cpu = 40.0, 6.0  # 0.15 of a core, 2 s of the server's CPU a view
    busy.wall, busy.cpu = 120.0, 96.0  # 0.8 of a core, 24 s a view
    mb = 2**20
    result = load.LoadResult("sqlite:///x.db", floor, busy, 70 * mb, 200 * mb, 300 * mb, 350 * mb, 310 * mb)
    lines = load.report(result)
    rows = {(c := _cells(line))[0]: c for line in lines if line.startswith("| ") and not line.startswith("| 项目")}
    assert rows["页面时间 p50"][1:4] == ["5.00 s", "2.00 s", "2.5×"]
    assert rows["页面时间 p95"][1] == f"{load.percentile([2, 4, 6, 8], 95):.2f} s" == "7.70 s"
    assert rows["页面时间 p95"][4] == "≤ 3 s（20个会话）"
    assert rows["错误"][1:3] == ["1", "0"]
    assert rows["服务器 CPU（1 = 一个核）"][1:3] == ["0.80", "0.15"]
    assert rows["服务器 CPU 秒/页面"][1:4] == ["24.00", "2.00", "12.0×"]
    assert rows["服务器内存 20个会话都打开页面后"][1:4] == ["300 MB", "200 MB", "1.5×"]
    assert rows["服务器内存 峰值"][1] == "350 MB"
    assert any("TimeoutError" in line for line in lines)
    assert "一个 Streamlit 进程" in lines[0] and "立即打开下一页" in lines[0]
    several = load.report(dataclasses.replace(result, servers=2, think=5.0))
    assert "2个 Streamlit 进程" in several[0] and "停 5 秒" in several[0]


def test_load_sessions_stick_to_one_server_each(load, monkeypatch):
    """Session i goes to server i mod N, as nginx's sticky cookie keeps a browser on one."""
    bases = []

    async def fake_session(browser, base, token, cycle, until, phase, first_drawn, timeout_ms, think=0.0):
        bases.append((token, base))

    monkeypatch.setattr(load, "_session", fake_session)

    class Srv:
        def __init__(self, base):
            self.base = base

    targets = [("镇", "村")] * 5
    asyncio.run(load._phase([Srv("a"), Srv("b")], list("12345"), targets, 1, 0, 1000, client="protocol"))
    assert sorted(bases) == [("1", "a"), ("2", "b"), ("3", "a"), ("4", "b"), ("5", "a")]


def test_scale_table_prints_value_floor_and_ratio(scale):
    rows = [
        scale.Row("sqlite", 1, "导入（270,000 行劳动力）", 20_000, 80_000, "rows/s", "≥ 60,000 行/秒"),
        scale.Row("postgresql", 10, "全区全部指标（热）", 120.0, 40.0, target="≤ 50 ms，≤ 2× 下限"),
        scale.Row("mysql", 1, "人员名单（某村，脱敏）", 7.25, 2.9),
        scale.Row("postgresql", 10, "生成并写入（2,700,000 行劳动力）", 50_000, None, "rows/s", note="无文件：直接写入数据库"),
        scale.Row("mysql", 1, "20个会话后服务器内存", 410.0, 205.0, "MB"),
        scale.skipped("mysql", 85, "estimated 31 min > 20 min"),
    ]
    lines = scale.format_table(rows)
    header, rule, *body = lines
    assert _cells(header) == ["数据库", "规模", "项目", "值", "下限", "比", "目标"]
    assert len(_cells(rule)) == 7 and len(body) == len(rows)
    cells = [_cells(line) for line in body]
    assert all(len(c) == 7 for c in cells)
    # An import's ratio is how many times longer than reading the file: floor rate / rate.
    assert cells[0] == ["SQLite", "1", "导入（270,000 行劳动力）", "20,000 行/秒", "80,000 行/秒", "4.0×", "≥ 60,000 行/秒"]
    assert cells[1][:6] == ["PostgreSQL", "10", "全区全部指标（热）", "120 ms", "40 ms", "3.0×"]
    assert cells[2][3:6] == ["7.2 ms", "2.9 ms", "2.5×"]
    assert cells[3][3:6] == ["50,000 行/秒", "无文件：直接写入数据库", ""]
    assert cells[4][3:6] == ["410 MB", "205 MB", "2.0×"]
    assert cells[5][:4] == ["MariaDB", "85", "全部", "skipped: estimated 31 min > 20 min"]
    assert cells[5][4:] == ["", "", ""]


def test_scale_floors_read_the_detail_table(scale):
    """The floors are plain SQL on the labourer detail (never a summary table), and the
    headline statement counts what the query layer's headline keys count."""
    for sql in (scale.HEADLINE_SQL, scale.BY_TOWNSHIP_SQL, scale.BY_VILLAGE_SQL, scale.PEOPLE_SQL):
        assert " FROM ledger_labor " in sql and "is_current = :cur" in sql and "period = :month" in sql
    assert "GROUP BY township" in scale.BY_TOWNSHIP_SQL and "GROUP BY village" in scale.BY_VILLAGE_SQL
    assert len(scale.HEADLINE_KEYS) == scale.HEADLINE_SQL.count(" AS ")


def test_headline_floor_equals_the_query_layer(scale, sample_db):
    """On the sample store the hand-written statements give the query layer's numbers,
    for the district and for each township: the floor computes what it stands beside."""
    from sqlalchemy import text

    from ledger.access.scope import ALL
    from ledger.query.statements import breakdown, default_as_of, figures

    as_of = default_as_of(sample_db)
    args = {"cur": True, "month": f"{as_of:%Y-%m}"}
    values = figures(sample_db, as_of, scope=ALL, keys=scale.HEADLINE_KEYS).values
    with sample_db.connect() as conn:
        row = conn.execute(text(scale.HEADLINE_SQL), args).one()
        by_town = {r[0]: list(r[1:]) for r in conn.execute(text(scale.BY_TOWNSHIP_SQL), args)}
    assert list(row) == [values[k] for k in scale.HEADLINE_KEYS]
    rows = breakdown(sample_db, scale.HEADLINE_KEYS, as_of, scope=ALL, by="township")
    layer = {r["township"]: [int(r[k]) for k in scale.HEADLINE_KEYS] for _, r in rows.iterrows() if r["township"] in by_town}
    assert len(by_town) == 16 and layer == by_town
