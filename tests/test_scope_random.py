"""No row outside the scope, ever: 10,000 random requests (filters, places, drill
levels, months, figures and scopes) through ``ledger.query.request`` on a small
ledger of five townships (SQLite), each checked against what the scope allows.

The answers are checked two ways: every place a row names is in the scope (people's
乡镇, a breakdown's township; the 全区 row only for a district-wide scope; a
narrowed-out township gives nothing), and every figure equals the one computed
without any scope for the places the scope allows (per township and per village
from an unscoped breakdown, summed for counts and sums): a leak that added another
township's rows to a total shows as a wrong number even where no place is named.

Seeded: ``LEDGER_SCOPE_SEED`` (default below) is printed; a failure names its case
number and the request, and the same seed replays it.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import time
from collections import Counter
from functools import lru_cache

import pytest

from ledger.access.masking import FEW, SMALL
from ledger.access.roles import FULL, NONE, REVEAL
from ledger.access.scope import ALL, NOBODY, Scope
from ledger.query import request as rq
from ledger.query import statements
from ledger.query.people import people as people_rows
from ledger.query.request import Request
from ledger.query.statements import DISTRICT_WIDE, NO_VILLAGE
from ledger.store.figures import figure
from ledger.store.imports import read_and_import
from loaders import DEFAULT_TOWNSHIPS
from loaders.spec import LABOR_MODES, POST_CATEGORIES, SHEETS_BY_KEY, SUBSIDY_TYPES, TRAINING_TYPES, WORK_AREAS
from tests.conftest import _fresh_engine
from tests.fixtures_ledger import (
    DEMAND_HEADER,
    LABOR_HEADER,
    POSTS_HEADER,
    SUBSIDY_HEADER,
    TRAINING_HEADER,
    TRANSPORT_HEADER,
    WORKSHOP_HEADER,
    make_id,
    write_workbook,
)

SEED = int(os.environ.get("LEDGER_SCOPE_SEED", "20201130"))
CASES = int(os.environ.get("LEDGER_SCOPE_CASES", "10000"))

TOWNS = ["庆远镇", "三岔镇", "洛西镇", "北山镇", "怀远镇"]  # the townships with rows
EMPTY_TOWN = "德胜镇"  # a township of the district with no rows
ALL_TOWNS = [t.name for t in DEFAULT_TOWNSHIPS]
VILLAGES = {t: [f"{t[:2]}{n}村" for n in ("东", "西", "南")] for t in TOWNS}
MONTHS = ["2020-07", "2020-08", "2020-09"]
CLEAR_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9Xx])")
CLEAR_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


# ---------------------------------------------------------------- the small ledger


def _sheets(rng: random.Random) -> dict[str, list[list]]:
    """Five townships of three villages each; a village of two people and one of
    three (counts below 5), households across townships, transport batches with no
    township (the district-wide part) and the district-wide demand sheet."""
    people = []  # (town, village, name, id, poor, household, phone)
    n = 0
    for ti, town in enumerate(TOWNS):
        for vi, village in enumerate(VILLAGES[town]):
            size = {(1, 2): 2, (3, 1): 3}.get((ti, vi), rng.randint(6, 12))
            for _ in range(size):
                n += 1
                # a household of the village, now and then one across villages or townships
                pick = rng.random()
                household = (f"H{ti}{vi}{rng.randint(1, 4)}" if pick < 0.8 else f"H{ti}{rng.randint(0, 2)}9"
                             if pick < 0.88 else f"HX{rng.randint(1, 3)}" if pick < 0.93 else None)
                phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.5 else None
                people.append((town, village, f"人{n}", make_id(f"19{rng.randint(60, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}", n),
                               rng.choice("是是否"), household, phone))
    labor = [LABOR_HEADER + ["户编号", "就业意愿", "联系电话", "备注"]]
    for month in MONTHS:
        for town, village, name, pid, poor, household, phone in people:
            if month != MONTHS[-1] and rng.random() < 0.15:
                continue  # not everyone is in every month's snapshot
            employed = rng.random() < 0.6
            mode = rng.choice(LABOR_MODES) if employed else None
            area = rng.choice(WORK_AREAS) if employed and rng.random() < 0.9 else None
            income = rng.choice([None, 0, rng.randint(800, 6000)]) if employed else None
            remark = f"联系 {phone}" if phone and rng.random() < 0.3 else None
            labor.append([month, town, village, name, pid, poor, "已就业" if employed else "未就业", mode, area, income,
                          household, rng.choice(["有", "无", None]), phone, remark])
    workshops = [WORKSHOP_HEADER]
    for i in range(8):
        town = TOWNS[i % len(TOWNS)]
        for month in ("2020-07", "2020-09"):
            on_duty = rng.randint(3, 30)
            workshops.append([month, f"车间{i}", town, rng.choice(VILLAGES[town]), "2020-03-01" if rng.random() < 0.8 else None,
                              on_duty, rng.randint(0, on_duty)])
    posts = [POSTS_HEADER]
    for i, (town, village, name, pid, *_rest) in enumerate(rng.sample(people, 14)):
        posts.append([rng.choice(POST_CATEGORIES), "保洁", town, village, name, pid, f"2020-0{rng.randint(1, 9)}-1{i % 10}"])
    training = [TRAINING_HEADER]
    for k in range(4):
        when = f"2020-0{2 + 2 * k}-01"
        kind = rng.choice(TRAINING_TYPES)
        for town, village, name, pid, poor, *_rest in rng.sample(people, 8):
            training.append([f"K{k}", kind, when, town, name, pid, rng.choice([poor, None])])
    subsidies = [SUBSIDY_HEADER]
    for i in range(30):
        town, village, name, pid, *_rest = rng.choice(people)
        paid = dt.date(2020, rng.randint(1, 9), rng.randint(1, 28))
        subsidies.append([paid, rng.choice(SUBSIDY_TYPES), "个人", name, pid, town, rng.randint(100, 3000)])
    demand = [DEMAND_HEADER] + [[f"企业{i}", rng.choice(["区内", "区外"]), f"工种{i % 3}", rng.randint(1, 50),
                                 dt.date(2020, rng.randint(1, 9), 5)] for i in range(6)]
    transport = [TRANSPORT_HEADER]
    for i in range(8):
        total = rng.randint(5, 40)
        transport.append([f"P{i}", dt.date(2020, rng.randint(2, 9), 10), "东莞", None if i < 2 else rng.choice(TOWNS),
                          total, rng.randint(0, total)])
    return {"劳动力就业台账": labor, "扶贫车间台账": workshops, "公益性岗位台账": posts, "技能培训台账": training,
            "补贴发放台账": subsidies, "用工需求台账": demand, "返岗输送台账": transport}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scope_random")
    engine = _fresh_engine("sqlite", folder)
    book = write_workbook(folder / "small.xlsx", _sheets(random.Random(7)))
    outcome = read_and_import(engine, book, user="测试")
    assert outcome.ok, [str(p) for p in outcome.errors[:10]]
    yield engine
    engine.dispose()


# ---------------------------------------------------------------- what may be asked

# Figure keys per sheet (counts, distincts, sums, means, medians and ratios).
KEYS = {
    "labor": ["labor.total", "labor.poor", "labor.employed", "labor.unemployed_wanting_work", "households.total",
              "households.none_employed", "labor.mode.外出务工", "labor.area.省外", "labor.employment_rate",
              "labor.poor_employment_rate", "income.monthly_mean", "income.monthly_median"],
    "workshops": ["workshops.count", "workshops.on_duty", "workshops.poor_absorbed"],
    "subsidies": ["subsidy.total", "subsidy.payments", "subsidy.job_stability", "subsidy.transport"],
    "training": ["training.person_times", "training.classes", "training.poor_person_times"],
    "posts": ["posts.count", "posts.poverty.count"],
    "transport": ["transport.batches", "transport.people"],
    "demand": ["demand.postings", "demand.enterprises"],
}
EVERY_KEY = [k for keys in KEYS.values() for k in keys]
# Columns to break down by, and to filter a people list by (value as the list shows it).
COLUMNS = {"labor": {"mode": LABOR_MODES, "work_area": WORK_AREAS}, "subsidies": {"subsidy_type": SUBSIDY_TYPES},
           "posts": {"category": POST_CATEGORIES}, "training": {"training_type": TRAINING_TYPES}}
PEOPLE_KEYS = {"labor.total": "labor", "labor.employed": "labor", "labor.unemployed_wanting_work": "labor",
               "labor.mode.务农": "labor", "posts.count": "posts", "training.person_times": "training",
               "subsidy.payments": "subsidies"}
AS_OF = [None] + [statements.month_end(m) for m in MONTHS]


def additive(key: str) -> bool:
    return figure(key).agg in ("count", "sum")


def small_count(key: str) -> bool:
    fig = figure(key)
    return fig.agg in ("count", "distinct") and not fig.money


def random_scope(rng: random.Random) -> Scope:
    pick = rng.random()
    if pick < 0.25:
        return ALL
    if pick < 0.35:
        return NOBODY
    if pick < 0.75:
        return Scope.of(rng.choice(TOWNS + [EMPTY_TOWN]))
    return Scope.of(*rng.sample(TOWNS + [EMPTY_TOWN], 2))


def random_place(rng: random.Random) -> tuple[str | None, str | None]:
    pick = rng.random()
    if pick < 0.3:
        return None, None
    town = rng.choice(TOWNS) if pick < 0.85 else rng.choice(ALL_TOWNS)
    if town in VILLAGES and rng.random() < 0.5:
        return town, rng.choice(VILLAGES[town])
    return town, None


# ---------------------------------------------------------------- the unscoped answers


class Reference:
    """Figures computed with no scope at all (``statements`` at ALL), per township and
    per village: what a scope that allows a place must show for it."""

    def __init__(self, engine):
        self.engine = engine
        self.townships = lru_cache(maxsize=None)(self._townships)
        self.villages = lru_cache(maxsize=None)(self._villages)
        self.columns = lru_cache(maxsize=None)(self._columns)
        self.monthly = lru_cache(maxsize=None)(self._monthly)
        self.people = lru_cache(maxsize=None)(self._people)

    def _townships(self, key, as_of, poor):
        rows = statements.breakdown(self.engine, [key], as_of, scope=ALL, by="township", poor_only=poor)
        return dict(zip(rows["township"], rows[key]))

    def _villages(self, key, as_of, poor):
        rows = statements.breakdown(self.engine, [key], as_of, scope=ALL, by="village", poor_only=poor)
        return {(t, v): x for t, v, x in zip(rows["township"], rows["village"], rows[key])}

    def _columns(self, keys, as_of, poor, by, town):
        """{key: {value: figure}} (the keys together: a category shows when any has something)."""
        rows = statements.breakdown(self.engine, list(keys), as_of, scope=ALL, by=by, township=town, poor_only=poor)
        return {key: dict(zip(rows[by], rows[key])) for key in keys}

    def _monthly(self, key, as_of, poor, town):
        rows = statements.monthly(self.engine, [key], as_of, scope=ALL, township=town, poor_only=poor)
        return dict(zip(rows["month"], rows[key]))

    def _people(self, key, as_of, poor):
        """The unscoped list as records (行号, 乡镇, 村, {header: value}), to filter cheaply."""
        rows = people_rows(self.engine, key, as_of, scope=ALL, poor_only=poor, masked=False)
        return [(int(r["行号"]), r["乡镇"], r["村"], r) for r in rows.to_dict("records")]

    def total(self, key, as_of, poor, towns, district: bool):
        """An additive figure over ``towns`` (and the district-wide part, for a district-wide scope)."""
        per = self.townships(key, as_of, poor)
        value = sum((per.get(t, 0) for t in towns), start=0)
        if district:
            value += per.get(DISTRICT_WIDE, 0)
        return value


def zero(key):
    fig = figure(key)
    return None if fig.agg in ("mean", "median", "ratio") else 0


def shown(value, key, masked: bool):
    """A village-level figure as a viewer without full rights sees it."""
    if masked and small_count(key) and isinstance(value, int) and 0 < value < SMALL:
        return FEW
    return value


# ---------------------------------------------------------------- the test


def _allowed(scope: Scope, township: str | None) -> tuple[set[str], bool]:
    """The townships a request may see rows of, and whether it is district-wide."""
    narrowed = scope.narrowed(township)
    if narrowed.townships is None:
        return set(ALL_TOWNS), True
    return set(narrowed.townships), False


def test_no_row_outside_the_scope(small):
    rng = random.Random(SEED)
    ref = Reference(small)
    print(f"\nLEDGER_SCOPE_SEED={SEED} ({CASES} cases)")
    ran: Counter = Counter()
    rows_seen: Counter = Counter()
    start = time.perf_counter()
    for case in range(CASES):
        scope = random_scope(rng)
        township, village = random_place(rng)
        poor = rng.random() < 0.3
        as_of = rng.choice(AS_OF)
        personal = rng.choice([FULL, REVEAL, NONE])
        request = Request(as_of, township, village, poor, scope=scope, personal=personal, viewer="测试")
        fn = rng.choices(["people", "breakdown", "villages", "figures", "monthly"], [30, 30, 10, 18, 12])[0]
        towns, district = _allowed(scope, township)
        what = f"case {case} (seed {SEED}): {fn} {request}"
        ran[fn] += 1
        if fn == "people":
            rows_seen[fn] += _check_people(small, ref, rng, request, towns, what)
        elif fn == "breakdown":
            rows_seen[fn] += _check_breakdown(small, ref, rng, request, towns, district, what)
        elif fn == "villages":
            got = rq.villages(small, request)
            want = sorted({v for t, v in ref.villages("labor.total", as_of, False) if t in towns and t == township}
                          if township is not None else
                          {v for t, v in ref.villages("labor.total", as_of, False) if t in towns})
            assert sorted(got) == want, f"{what}: villages {got}, allowed {want}"
            rows_seen[fn] += len(got)
        elif fn == "figures":
            rows_seen[fn] += _check_figures(small, ref, rng, request, towns, district, what)
        else:
            rows_seen[fn] += _check_monthly(small, ref, rng, request, towns, district, what)
    took = time.perf_counter() - start
    print(f"ran {dict(ran)}; rows or figures that came back {dict(rows_seen)}; {took:.1f} s")
    # The cases asked for something: most functions returned rows somewhere.
    for fn in ("people", "breakdown", "villages", "figures", "monthly"):
        assert ran[fn] > CASES * 0.04 and rows_seen[fn] > ran[fn] // 4, f"{fn}: {ran[fn]} cases, {rows_seen[fn]} rows"


def _check_people(engine, ref, rng, request: Request, towns, what) -> int:
    key = rng.choice(list(PEOPLE_KEYS))
    sheet = PEOPLE_KEYS[key]
    filters = None
    if rng.random() < 0.4:
        column, values = rng.choice(list(COLUMNS[sheet].items()))
        filters = {column: rng.choice(values)}
    if request.personal == NONE:
        with pytest.raises(PermissionError):
            rq.people(engine, request, key, filters)
        return 1
    got = rq.people(engine, request, key, filters)
    outside = sorted(set(got["乡镇"]) - towns)
    assert not outside, f"{what} {key} {filters}: rows of {outside}"
    if request.village is not None:
        assert set(got["村"]) <= {request.village}, f"{what}: villages {set(got['村'])}"
    # The same rows as the unscoped list has for the allowed places.
    header, value = (SHEETS_BY_KEY[sheet].column(next(iter(filters))).header, *filters.values()) if filters else (None, None)
    want = sorted(row for row, town, village, record in ref.people(key, request.as_of, request.poor_only)
                  if town in towns and request.village in (None, village) and (header is None or record[header] == value))
    assert sorted(got["行号"].tolist()) == want, f"{what} {key} {filters}: rows {len(got)}, allowed {len(want)}"
    if request.personal != FULL:
        text = " ".join(str(v) for v in got.to_numpy().ravel())
        assert not CLEAR_ID.search(text) and not CLEAR_PHONE.search(text), f"{what}: an unmasked ID or phone"
    return len(got)


def _keys(rng, sheets=None, k=None) -> list[str]:
    pool = [key for s in (sheets or KEYS) for key in KEYS[s]]
    return rng.sample(pool, k or rng.randint(1, 3))


def _check_breakdown(engine, ref, rng, request: Request, towns, district, what) -> int:
    pick = rng.random()
    as_of, poor = request.as_of, request.poor_only
    if pick < 0.4:
        by = "township"
        keys = _keys(rng)
    elif pick < 0.8:
        by = "village"
        keys = _keys(rng, ["labor", "workshops", "posts", "subsidies", "training"])
    else:
        sheet = rng.choice(list(COLUMNS))
        by = rng.choice(list(COLUMNS[sheet]))
        keys = _keys(rng, [sheet], rng.randint(1, min(3, len(KEYS[sheet]))))
    got = rq.breakdown(engine, request, keys, by=by)
    what = f"{what} by {by} {keys}"
    if by == "township":
        places = list(got["township"])
        outside = [t for t in places if t not in towns and not (district and t == DISTRICT_WIDE)]
        assert not outside, f"{what}: rows of {outside}"
        want = [t for t in ALL_TOWNS if t in towns]
        assert [t for t in places if t != DISTRICT_WIDE] == want, f"{what}: townships {places}"
        for key in keys:
            per = ref.townships(key, as_of, poor)
            for t, value in zip(got["township"], got[key]):
                assert value == per.get(t, zero(key)), f"{what}: {key} of {t} is {value}, unscoped {per.get(t)}"
    elif by == "village":
        places = list(zip(got["township"], got["village"]))
        outside = [p for p in places if p[0] not in towns and not (district and p[0] == DISTRICT_WIDE)]
        assert not outside, f"{what}: rows of {outside}"
        refs = [ref.villages(key, as_of, poor) for key in keys]
        want = {p for per in refs for p in per if p[0] in towns or (district and p[0] == DISTRICT_WIDE)}
        # less an unplaced row (（未分村）) with nothing in it, as request.breakdown leaves it out
        want = {p for p in want if p[1] != NO_VILLAGE or any(per.get(p) for per in refs)}
        assert set(places) == want, f"{what}: places {sorted(places)}, allowed {sorted(want)}"
        for key in keys:
            per = ref.villages(key, as_of, poor)
            for p, value in zip(places, got[key]):
                expected = shown(per.get(p, zero(key)), key, request.masked)
                assert value == expected, f"{what}: {key} of {p} is {value}, unscoped {per.get(p)}"
    else:
        for key in keys:
            if not additive(key) and len(towns) != 1:
                continue
            if district:
                expected = ref.columns(tuple(keys), as_of, poor, by, None)[key]
            else:
                parts = [ref.columns(tuple(keys), as_of, poor, by, t)[key] for t in sorted(towns)]
                expected = {v: sum(p.get(v, 0) or 0 for p in parts) for part in parts for v in part}
            for value, cell in zip(got[by], got[key]):
                assert cell == expected.get(value, zero(key)) or (cell is None and not expected.get(value)), (
                    f"{what}: {key} for {value} is {cell}, unscoped {expected.get(value)}")
        if not towns:
            assert got.empty, f"{what}: rows for a scope that sees nothing"
    return len(got)


def _check_figures(engine, ref, rng, request: Request, towns, district, what) -> int:
    keys = _keys(rng, k=rng.randint(1, 4))
    got = rq.figures(engine, request, keys).values
    what = f"{what} {keys}"
    as_of, poor = request.as_of, request.poor_only
    place = (request.township, request.village)
    # the village has a row when any of the keys' sheets has rows there
    listed = request.township in towns and any(place in ref.villages(key, as_of, poor) for key in keys)
    for key in keys:
        value = got[key]
        if request.village is not None:
            expected = shown(ref.villages(key, as_of, poor).get(place, zero(key)), key, request.masked) if listed else None
            assert value == expected, f"{what}: {key} of {place} is {value}, allowed {expected}"
        elif request.township is not None:
            expected = ref.townships(key, as_of, poor).get(request.township, zero(key)) if towns else zero(key)
            assert value == expected, f"{what}: {key} of {request.township} is {value}, allowed {expected}"
        elif district:
            if additive(key):  # the whole district: the townships and the district-wide part
                expected = ref.total(key, as_of, poor, ALL_TOWNS, True)
                assert value == expected, f"{what}: {key} is {value}, the district's {expected}"
        elif additive(key):
            expected = ref.total(key, as_of, poor, towns, False)
            assert value == expected, f"{what}: {key} is {value}, the allowed townships' sum {expected}"
        elif len(towns) == 1:
            (only,) = towns
            expected = ref.townships(key, as_of, poor).get(only, zero(key))
            assert value == expected, f"{what}: {key} is {value}, {only}'s {expected}"
        elif not towns:
            assert value == zero(key), f"{what}: {key} is {value} for a scope that sees nothing"
    return sum(1 for v in got.values() if v)


def _check_monthly(engine, ref, rng, request: Request, towns, district, what) -> int:
    keys = _keys(rng, k=rng.randint(1, 2))
    got = rq.monthly(engine, request, keys)
    what = f"{what} {keys}"
    if district:
        return int(got[keys].astype(bool).to_numpy().sum())
    for key in keys:
        if not additive(key) and len(towns) != 1:
            continue
        parts = [ref.monthly(key, request.as_of, request.poor_only, t) for t in sorted(towns)]
        for month, value in zip(got["month"], got[key]):
            if additive(key):
                expected = sum(p.get(month, 0) or 0 for p in parts)
            else:
                expected = parts[0].get(month)
            assert value == expected or (value is None and not expected), (
                f"{what}: {key} in {month} is {value}, the allowed townships' {expected}")
    return int(got[keys].astype(bool).to_numpy().sum())
