"""The per-slice summaries agree with the detail exactly, on every backend: after random
imports (whole workbooks and a township's), restores and a retention run, every
summary recomputed from the detail equals the one stored, and the figures read from
the summaries equal those read from the detail (every figure, by district, township
and village, month by month, poor only or not, for random scopes, today's ledger and
a reported month's)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from ledger.access.scope import ALL, NOBODY, Scope
from ledger.query import summarised
from ledger.query.statements import breakdown, figures, income_bands, month_end, monthly, months
from ledger.store import summaries
from ledger.store.figures import FIGURES
from ledger.store.history import history, restore
from ledger.store.imports import read_and_import
from ledger.store.versions import as_recorded
from tests.fixtures_ledger import REALISTIC, make_id, write_workbook

SEED = 20201130
TOWNS = ("庆远", "福龙", "刘三姐乡")
VILLAGES = ("城东村", "城西村", "那安村", "尚宁村")
LABOR = "贫困劳动力就业台账"
TRAINING = "培训台账"
KEYS = [f.key for f in FIGURES]
# The labourers' figures a breakdown by 就业方式 or 务工区域 can read from the summaries.
LABOR_KEYS = [f.key for f in FIGURES if f.table == "labor" and f.agg in ("count", "sum", "mean", "median", "ratio")]
# Month by month, a workshop figure must be a count or a sum, and a year-to-date median
# of an event sheet does not exist (statements.monthly refuses both).
SERIES_KEYS = [f.key for f in FIGURES if f.agg != "median" and not (f.table == "workshops" and f.agg == "mean")]


def mutated(rng: random.Random) -> dict[str, list[list]]:
    """The hand-counted ledger with rows dropped, copied and changed at random: places,
    poor marks (blank trainees included), status, income, and households that span
    villages and townships."""
    sheets = {}
    for name, (_titles, rows) in REALISTIC.items():
        header, body = list(rows[0]), [list(r) for r in rows[1:]]
        if name == LABOR:
            header.append("户编号")
            body = [r + [f"H{rng.randint(1, 5)}"] for r in body]
            extra = [list(rng.choice(body)) for _ in range(rng.randint(0, 6))]
            for n, r in enumerate(extra):  # another labourer of the same month, somewhere else
                r[2], r[3] = rng.choice(TOWNS), rng.choice(VILLAGES)
                r[5] = make_id("19800101", 200 + n)
            body += extra
            for r in body:
                if rng.random() < 0.3:
                    r[6] = rng.choice(["贫困户", "一般农户"])
                if rng.random() < 0.3:
                    r[11] = rng.choice(["", 0, 1500, 2800, "3,500.50", 900])
        if name == TRAINING:
            for r in body:
                if rng.random() < 0.4:
                    r[8] = rng.choice(["是", "否", None])
                if rng.random() < 0.3:
                    r[5] = rng.choice(TOWNS)
        keep = [r for r in body if rng.random() > 0.2] or body[:1]
        sheets[name] = [header] + keep
    return sheets


def _workbook(tmp_path, rng, i: int, *, township: str | None = None):
    sheets = mutated(rng)
    if township is not None:  # a township's own workbook: only its rows of its labourer sheet
        sheets = {LABOR: [sheets[LABOR][0]] + [r for r in sheets[LABOR][1:] if r[2].startswith(township[:2])]}
    # a township's rows may all be of other months than the title's: it has no title then
    titles = {n: t for n, (t, _) in REALISTIC.items() if n in sheets and township is None}
    return write_workbook(tmp_path / f"step{i}.xlsx", sheets, title_rows=titles)


def _scope(rng: random.Random) -> Scope:
    return rng.choice([ALL, ALL, Scope.of("庆远镇"), Scope.of("福龙乡", "刘三姐乡"), NOBODY])


def assert_summaries_match_detail(engine, rng: random.Random) -> None:
    with engine.connect() as conn:
        assert summaries.differences(conn) == []
    held = months(engine) or ["2020-09"]
    for month in sorted({held[-1], rng.choice(held)}):
        as_of, scope, poor = month_end(month), _scope(rng), rng.random() < 0.5
        read = {
            "figures": lambda: figures(engine, as_of, scope=scope, poor_only=poor).values,
            "by township": lambda: breakdown(engine, KEYS, as_of, scope=scope, by="township", poor_only=poor),
            "by village": lambda: breakdown(engine, KEYS, as_of, scope=scope, by="village", poor_only=poor),
            "monthly": lambda: monthly(engine, SERIES_KEYS, as_of, scope=scope, poor_only=poor, cumulative=True),
            "each month": lambda: monthly(engine, SERIES_KEYS, as_of, scope=scope, poor_only=poor, cumulative=False),
            "by mode": lambda: breakdown(engine, LABOR_KEYS, as_of, scope=scope, by="mode", poor_only=poor),
            "by area": lambda: breakdown(engine, LABOR_KEYS, as_of, scope=scope, by="work_area", poor_only=poor),
            "income bands": lambda: income_bands(engine, as_of, scope=scope, by="township", poor_only=poor),
            "district bands": lambda: income_bands(engine, as_of, scope=scope, poor_only=poor),
        }
        # three of the ways each time (the steps together go through all of them)
        for what in rng.sample(sorted(read), 3):
            fn = read[what]
            fast = fn()
            with summarised.detail_only():
                slow = fn()
            assert _same(fast, slow), f"{what} as of {as_of}, {scope}, poor_only={poor}: {_diff(fast, slow)}"


def _same(fast, slow) -> bool:
    return fast == slow if isinstance(fast, dict) else fast.equals(slow)


def _diff(fast, slow) -> str:
    """What differs, readably: summaries → detail."""
    if isinstance(fast, dict):
        return str({k: (fast.get(k), slow.get(k)) for k in set(fast) | set(slow) if fast.get(k) != slow.get(k)})
    if fast.shape != slow.shape or list(fast.columns) != list(slow.columns):
        return f"shape {fast.shape} ≠ {slow.shape}\n{fast}\n{slow}"
    out = []
    for col in fast.columns:
        for i, (a, b) in enumerate(zip(fast[col], slow[col])):
            if not (a == b or (a != a and b != b)):
                out.append(f"row {i} {col}: {a!r} ≠ {b!r} ({type(a).__name__}, {type(b).__name__})")
    return "; ".join(out[:8])


def test_summaries_are_used(sqlite_engine, tmp_path):
    """A month's end reads the summaries (no detail table is touched), a date inside a
    month the detail: the fast path is the one the pages take, not an unused copy."""
    from sqlalchemy import event

    read_and_import(sqlite_engine, _workbook(tmp_path, random.Random(SEED), 0), user="测试")
    seen: list[str] = []
    event.listen(sqlite_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    figures(sqlite_engine, dt.date(2020, 9, 30), scope=ALL)
    # the one read of the labourer rows allowed: blank trainees looked up by ID number
    lookup = "FROM ledger_labor \nWHERE ledger_labor.id_number IN ("
    detail = [s for s in seen if "FROM ledger_labor" in s.replace(lookup, "") or "FROM ledger_training " in s]
    assert seen and not detail, detail[:1]
    seen.clear()
    figures(sqlite_engine, dt.date(2020, 9, 15), scope=ALL)
    assert any("FROM ledger_labor" in s for s in seen)


def test_summaries_agree_with_the_detail_after_random_imports_and_restores(engine, tmp_path):
    rng = random.Random(f"{SEED}-{engine.dialect.name}")
    for i in range(4):
        township = rng.choice(["庆远镇", "福龙乡"]) if i == 2 else None
        outcome = read_and_import(engine, _workbook(tmp_path, rng, i, township=township), user="测试",
                                  by_township=township is not None)
        assert outcome.ok, outcome.errors[:3]
        assert_summaries_match_detail(engine, rng)
    entries = [h["id"] for h in history(engine)]
    for _ in range(2):
        restore(engine, rng.choice(entries), before=rng.random() < 0.3, user="测试", reason="核对汇总表")
        assert_summaries_match_detail(engine, rng)
    # a reported month's state: read again "as recorded" after an entry, from both paths
    recorded = rng.choice(entries)
    with as_recorded(engine, recorded):
        assert_summaries_match_detail(engine, rng)


def test_retention_removes_a_slice_summary_with_its_rows(sqlite_engine, tmp_path):
    from ledger.store.retention import remove

    rng = random.Random(SEED)
    for i in range(2):
        read_and_import(sqlite_engine, _workbook(tmp_path, rng, i), user="测试")
    with sqlite_engine.connect() as conn:
        before = conn.execute(summaries.summarised.select()).all()
    plan = remove(sqlite_engine, dt.timedelta(days=0), now=dt.datetime.now() + dt.timedelta(days=1))
    assert plan.removed
    with sqlite_engine.connect() as conn:
        after = {(r.sheet, r.period, r.import_id) for r in conn.execute(summaries.summarised.select())}
        assert summaries.differences(conn) == []
    assert {(v.sheet, v.period, v.import_id) for v in plan.removed}.isdisjoint(after)
    assert len(after) == len(before) - len(plan.removed)
    assert_summaries_match_detail(sqlite_engine, rng)


def test_an_earlier_store_is_summarised_once(sqlite_engine, tmp_path):
    """A store written before the summaries existed (or with other figures) gets them
    at its first start, and a stale layout is rewritten."""
    from sqlalchemy import delete, update

    from ledger.store.schema import _checked, init_db

    read_and_import(sqlite_engine, _workbook(tmp_path, random.Random(SEED), 0), user="测试")
    with sqlite_engine.begin() as conn:
        for table in (*summaries.TABLES, summaries.summarised):
            conn.execute(delete(table))
    _checked.discard(sqlite_engine)
    init_db(sqlite_engine)
    with sqlite_engine.connect() as conn:
        assert conn.execute(summaries.summarised.select()).all()
        assert summaries.differences(conn) == []
    with sqlite_engine.begin() as conn:
        conn.execute(update(summaries.summarised).values(layout="old"))
    with sqlite_engine.begin() as conn:
        assert summaries.ensure(conn) > 0
        assert {r.layout for r in conn.execute(summaries.summarised.select())} == {summaries.layout()}


@pytest.mark.parametrize("day", [dt.date(2020, 9, 30), dt.date(2020, 10, 31)])
def test_hand_counted_figures_from_the_summaries(sqlite_engine, tmp_path, day):
    """The hand-counted workbook's figures (tests/test_import_store.py) come out the same
    from the summaries as from the detail, to the fen."""
    from tests.fixtures_ledger import realistic_workbook

    read_and_import(sqlite_engine, realistic_workbook(tmp_path / "r.xlsx"), user="测试")
    fast = figures(sqlite_engine, day).values
    with summarised.detail_only():
        slow = figures(sqlite_engine, day).values
    assert fast == slow
    assert fast["training.poor_person_times"] > 0  # blank trainees found poor in the labourer sheet count


def test_a_kept_year_count_follows_the_labourer_sheet_it_depends_on(sqlite_engine, tmp_path):
    """Whether a blank trainee is poor is read from the labourer sheet: a kept count of
    poor trainees must not outlive a change of that sheet."""
    sheets = {n: rows for n, (_, rows) in REALISTIC.items()}
    titles = {n: t for n, (t, _) in REALISTIC.items()}
    read_and_import(sqlite_engine, write_workbook(tmp_path / "a.xlsx", sheets, title_rows=titles), user="测试")
    key, day = "training.vocational.people", dt.date(2020, 9, 30)
    before = figures(sqlite_engine, day, keys=[key], poor_only=True).values[key]
    labor = [list(r) for r in sheets[LABOR]]
    for row in labor[1:]:
        if row[5] == REALISTIC[TRAINING][1][2][7]:  # the blank trainee 韦三: no longer poor
            row[6] = "一般农户"
    read_and_import(sqlite_engine, write_workbook(tmp_path / "b.xlsx", {LABOR: labor}, title_rows={LABOR: titles[LABOR]}),
                    user="测试")
    after = figures(sqlite_engine, day, keys=[key], poor_only=True).values[key]
    with summarised.detail_only():
        assert after == figures(sqlite_engine, day, keys=[key], poor_only=True).values[key]
    assert after == before - 1
