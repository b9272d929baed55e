"""Data-quality checks (ledger.quality): a clean hand-made ledger raises no alarm, a
ledger with problems planted for every check finds exactly those rows, on every
backend. Problems the loader itself rejects (a duplicate ID in one sheet-month,
已就业 without 就业方式) are inserted directly, as rows left by two imports would be.
The sample ledger trips each check exactly as often as its generator plants problems."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter

import pandas as pd
import pytest
from sqlalchemy import insert

from ledger.access.masking import mask_id as masked_id
from ledger.query import quality
from ledger.query.statements import Scope
from ledger.store.imports import read_and_import
from ledger.store.schema import DATA
from sample_data.generate import PLANTED as SAMPLE_PLANTED
from sample_data.generate import build_tables
from tests.fixtures_ledger import (
    LABOR_HEADER,
    POSTS_HEADER,
    SUBSIDY_HEADER,
    TOWNSHIP_HEADER,
    TRAINING_HEADER,
    WORKSHOP_HEADER,
    labor_row,
    make_id,
    write_workbook,
)

QY, FL, LSJ, LX = "庆远镇", "福龙瑶族乡", "刘三姐镇", "洛西镇"
M = "2020-09"
AS_OF = dt.date(2020, 9, 30)
HEADER = LABOR_HEADER + ["性别", "劳动技能"]

# People: (name, ID). IDs are valid; sex digits chosen where the sex matters.
A = ("甲", make_id("19850312", 11, male=True))
B = ("乙", make_id("19900101", 12, male=False))
C = ("丙", make_id("19700505", 13))
D = ("丁", make_id("19750707", 14, male=True))
BLOW = ("低界", make_id("19800101", 15))
BHIGH = ("高界", make_id("19800101", 16))
R = ("八月", make_id("19820202", 17))  # only in the 2020-08 labourer slice
OLD_TRAINEE = ("旧学员", make_id("19830303", 18))
E = ("戊", make_id("19860101", 21, male=True))
F = ("己", make_id("20100101", 22))  # 10 years old
G = ("庚", make_id("19500101", 23))  # 70 years old
H = ("辛", make_id("19870101", 24))
I_ = ("壬", make_id("19880101", 25))
J = ("癸", make_id("19890101", 26))
K = ("子", make_id("19910101", 27))
L_ = ("丑", make_id("19920101", 28))
P = ("寅", make_id("19930101", 29))
Q = ("卯", make_id("19940101", 30))
S = ("辰", make_id("19950101", 31))
Z0 = ("巳", make_id("19960101", 32))  # a farmer with no cash income: 月收入 0


def lab(town, person, *, status="已就业", mode="外出务工", area="省外", income=3000, poor="是", sex=None,
        skill="普通劳动力", month=M):
    if status == "未就业":
        mode, area, income = None, None, None
    return labor_row(month, town, "村一", person[0], person[1], poor, status, mode, area, income) + [sex, skill]


def townships(*names):
    codes = {QY: ("451203100", "镇"), FL: ("451203207", "瑶族乡"), LSJ: ("451203107", "镇"), LX: ("451203102", "镇")}
    return [TOWNSHIP_HEADER] + [[codes[n][0], n, codes[n][1], None, "宜州区"] for n in names]


def clean_sheets() -> dict:
    return {
        "行政区划": townships(QY, FL, LSJ),
        "劳动力就业台账": [
            HEADER,
            lab(QY, A, sex="男"),
            lab(QY, B, mode="扶贫车间", area="乡镇内", income=2000, sex="女"),
            lab(FL, C, status="未就业"),
            lab(LSJ, D, mode="公益性岗位", area="乡镇内", income=1000, sex="男"),
            lab(QY, BLOW, income=400, poor="否"),  # the income bounds themselves are fine
            lab(FL, BHIGH, income=30000, poor="否"),
            lab(LSJ, Z0, mode="务农", area="乡镇内", income=0, poor="否"),  # 0 reads as "no income", not low
            lab(QY, R, month="2020-08"),
        ],
        "扶贫车间台账": [WORKSHOP_HEADER, [M, "庆远服装车间", QY, "村一", "2020-03-01", 10, 1]],
        "公益性岗位台账": [
            POSTS_HEADER,
            ["扶贫公益性岗位", "保洁", LSJ, "村一", D[0], D[1], "2020-04-01"],
            ["扶贫公益性岗位", "护林", QY, "村一", R[0], R[1], "2020-05-01"],  # in the labour sheet's 2020-08
        ],
        "技能培训台账": [
            TRAINING_HEADER,
            ["ZY-01", "职业技能培训", "2020-05-10", QY, A[0], A[1], "是"],
            ["ZY-00", "职业技能培训", "2019-11-01", QY, *OLD_TRAINEE, "是"],  # last year: outside the window
        ],
        "补贴发放台账": [
            SUBSIDY_HEADER,
            ["2020-03-15", "稳岗补贴", "个人", A[0], A[1], QY, 1500],
            ["2020-04-15", "稳岗补贴", "个人", A[0], A[1], QY, 1500],  # another month: fine
            ["2020-04-15", "一次性交通补贴", "个人", A[0], A[1], QY, 200],  # another type: fine
            ["2020-05-01", "扶贫车间带动就业奖补", "扶贫车间", "庆远服装车间", None, QY, 20000],
        ],
    }


def planted_sheets() -> dict:
    s = clean_sheets()
    s["行政区划"] = townships(QY, FL, LSJ, LX)  # 洛西镇 has no labourers
    s["劳动力就业台账"] += [
        lab(QY, E, status="未就业", sex="女"),  # ID says 男
        lab(FL, F, status="未就业"),
        lab(LSJ, G, status="未就业"),
        lab(QY, H, mode="公益性岗位", area="省外", income=2000, poor="否"),
        lab(FL, I_, mode="扶贫车间", area="国外", income=2000, poor="否"),
        lab(LSJ, J, skill="丧失劳动力"),
        lab(QY, K, income=300),
        lab(FL, L_, income=40000),
    ]
    s["扶贫车间台账"].append([M, "福龙竹编车间", FL, "村一", "2020-04-01", 8, 2])  # no poor 扶贫车间 labourer in 福龙
    s["公益性岗位台账"].append(["扶贫公益性岗位", "护路", FL, "村一", P[0], P[1], "2020-06-01"])
    s["技能培训台账"].append(["ZY-02", "职业技能培训", "2020-06-01", QY, Q[0], Q[1], "是"])
    s["补贴发放台账"] += [
        ["2020-07-01", "稳岗补贴", "个人", S[0], S[1], LSJ, 1000],
        ["2020-06-01", "一次性交通补贴", "个人", A[0], A[1], QY, 200],
        ["2020-06-20", "一次性交通补贴", "个人", A[0], A[1], QY, 200],
    ]
    return s


# check → township → offending rows; every other check finds nothing.
PLANTED = {
    "sex_mismatch": {QY: [E]},
    "age_out_of_range": {FL: [F], LSJ: [G]},
    "local_mode_far_area": {QY: [H], FL: [I_]},
    "unable_but_employed": {LSJ: [J]},
    "income_outlier": {QY: [K], FL: [L_]},
    "township_missing": {LX: [None]},
    "workshop_poor_mismatch": {FL: [None]},
    "not_in_labor": {QY: [Q], FL: [P]},
    "subsidy_not_in_labor": {LSJ: [S]},
    "subsidy_paid_twice": {QY: [A, A]},
}


# Checks whose problems the loader rejects: test_rows_two_imports_could_leave plants them.
TWO_IMPORT_CHECKS = {"id_multi_township", "id_duplicate", "employed_no_mode"}


def load(engine, tmp_path, sheets) -> None:
    outcome = read_and_import(engine, write_workbook(tmp_path / "ledger.xlsx", sheets), user="pytest")
    assert outcome.ok, [str(p) for p in outcome.errors]


def counts(frame: pd.DataFrame) -> dict:
    return {(r.检查项, r.乡镇): int(r.问题数) for r in frame.itertuples()}


def expected_counts(planted: dict) -> dict:
    out = {}
    for c in quality.CHECKS:
        per = planted.get(c.key, {})
        out[(c.key, "全区")] = sum(len(v) for v in per.values())
        out |= {(c.key, town): len(v) for town, v in per.items()}
    return out


def assert_rows(engine, planted: dict) -> None:
    for c in quality.CHECKS:
        got = quality.rows(engine, c.key, AS_OF, masked=False)
        assert list(got.columns) == quality.ROW_COLUMNS
        want = sorted((town, p[0] if p else None, p[1] if p else None)
                      for town, people in planted.get(c.key, {}).items() for p in people)
        have = sorted((r.乡镇, r.姓名, r.证件号码) for r in got.itertuples())
        assert have == want, c.key
        masked = quality.rows(engine, c.key, AS_OF)  # the default: names and IDs masked
        assert sorted((r.乡镇, r.证件号码) for r in masked.itertuples()) == sorted(
            (town, masked_id(p[1]) if p else None) for town, people in planted.get(c.key, {}).items() for p in people)
        assert got["说明"].map(bool).all(), c.key
        person_rows = got[got["姓名"].notna()]
        assert person_rows["行号"].notna().all(), c.key


def test_registry():
    keys = [c.key for c in quality.CHECKS]
    assert len(keys) == len(set(keys)) == 13
    # every check has a hand-made ledger with its problem planted (and the clean one without)
    assert set(PLANTED) | TWO_IMPORT_CHECKS == set(keys) and not set(PLANTED) & TWO_IMPORT_CHECKS
    for c in quality.CHECKS:
        assert c.title and c.description and c.sheet in DATA
    with pytest.raises(KeyError):
        quality.rows(None, "no_such_check")


def test_age_bounds():
    assert quality.age_bounds(dt.date(2020, 9, 30)) == ("19541001", "20040930")
    # 29 February: the bounds fall on 28 February of a common year.
    assert quality.age_bounds(dt.date(2020, 2, 29)) == ("19540301", "20040229")
    assert quality.age_bounds(dt.date(2021, 2, 28)) == ("19550301", "20050228")
    assert quality.age_on(make_id("20040930", 1), dt.date(2020, 9, 30)) == 16
    assert quality.age_on(make_id("20041001", 1), dt.date(2020, 9, 30)) == 15


def test_empty_store(sqlite_engine):
    from ledger.store.schema import init_db

    init_db(sqlite_engine)
    frame = quality.summary(sqlite_engine)
    assert list(frame.columns) == quality.SUMMARY_COLUMNS
    assert len(frame) == len(quality.CHECKS) and (frame["乡镇"] == "全区").all() and (frame["问题数"] == 0).all()
    assert quality.rows(sqlite_engine, "sex_mismatch").empty


def test_clean_ledger_has_no_problems(engine, tmp_path):
    load(engine, tmp_path, clean_sheets())
    frame = quality.summary(engine)  # as of the latest labourer month's end
    assert list(frame.columns) == quality.SUMMARY_COLUMNS
    assert list(frame["检查项"]) == [c.key for c in quality.CHECKS]
    assert (frame["乡镇"] == "全区").all() and (frame["问题数"] == 0).all()
    assert_rows(engine, {})


def test_planted_problems_found(engine, tmp_path):
    load(engine, tmp_path, planted_sheets())
    frame = quality.summary(engine, AS_OF)
    assert counts(frame) == expected_counts(PLANTED)
    assert_rows(engine, PLANTED)
    # 全区 first, then townships in code order
    towns = list(frame[frame["检查项"] == "age_out_of_range"]["乡镇"])
    assert towns == ["全区", LSJ, FL]


def test_explanations(sqlite_engine, tmp_path):
    load(sqlite_engine, tmp_path, planted_sheets())
    said = lambda key: list(quality.rows(sqlite_engine, key, AS_OF)["说明"])  # noqa: E731
    assert said("sex_mismatch") == ["性别填“女”，证件号码第17位为" + E[1][16] + "，应为“男”"]
    assert said("age_out_of_range") == ["按证件号码计算年龄为70岁（应在16至65岁之间）",
                                        "按证件号码计算年龄为10岁（应在16至65岁之间）"]
    assert said("income_outlier") == ["月收入300.00元，低于400元", "月收入40,000.00元，高于30000元"]  # not Z0's 0
    assert said("workshop_poor_mismatch") == ["2020-09扶贫车间台账其中贫困劳动力合计2人，劳动力台账建档立卡扶贫车间就业0人"]
    assert said("township_missing") == ["2020-09劳动力台账中没有该乡镇的数据"]
    tables = list(quality.rows(sqlite_engine, "not_in_labor", AS_OF)["表"])
    assert tables == ["技能培训台账", "公益性岗位台账"]
    twice = quality.rows(sqlite_engine, "subsidy_paid_twice", AS_OF)
    assert list(twice["说明"]) == ["2020-06领取一次性交通补贴共2次"] * 2
    assert twice["行号"].tolist() == sorted(twice["行号"].tolist())


def test_a_province_list_of_townships_is_checked_on_every_backend(engine, tmp_path):
    """1,200 townships (a province lists 1,400): more literals than SQLite allows in one
    compound SELECT (500), so the list is made of several."""
    names = [f"测试{i}镇" for i in range(1200)]
    listed = [TOWNSHIP_HEADER] + [[f"45{1203000 + i:07d}", n, "镇", None, "宜州区"] for i, n in enumerate(names)]
    load(engine, tmp_path, {"行政区划": listed, "劳动力就业台账": [HEADER, lab(names[0], A), lab(names[777], B)]})
    frame = quality.summary(engine, AS_OF)
    missing = frame[frame["检查项"] == "township_missing"]
    assert missing.set_index("乡镇").loc["全区", "问题数"] == 1198
    shown = quality.rows(engine, "township_missing", AS_OF)
    assert len(shown) == 1198 and names[0] not in set(shown["乡镇"]) and names[1199] in set(shown["乡镇"])


def test_scope_and_township(sqlite_engine, tmp_path):
    load(sqlite_engine, tmp_path, planted_sheets())
    mine = quality.summary(sqlite_engine, AS_OF, scope=Scope.of(FL))
    want = expected_counts({k: {t: v for t, v in per.items() if t == FL} for k, per in PLANTED.items()})
    assert counts(mine) == want
    only = quality.rows(sqlite_engine, "age_out_of_range", AS_OF, township=LSJ, masked=False)
    assert list(only["姓名"]) == [G[0]]
    assert quality.rows(sqlite_engine, "age_out_of_range", AS_OF, scope=Scope.of(FL), township=LSJ).empty
    assert (quality.summary(sqlite_engine, AS_OF, scope=Scope.of())["问题数"] == 0).all()


def test_event_window_follows_as_of(sqlite_engine, tmp_path):
    """Before June nothing of the planted posts, training or payments has happened."""
    load(sqlite_engine, tmp_path, planted_sheets())
    got = counts(quality.summary(sqlite_engine, dt.date(2020, 5, 31)))
    for key in ("not_in_labor", "subsidy_not_in_labor", "subsidy_paid_twice"):
        assert got[(key, "全区")] == 0
    # no labourer snapshot on or before the date: the labourer checks have nothing to read
    early = counts(quality.summary(sqlite_engine, dt.date(2020, 7, 31)))
    assert early[("township_missing", "全区")] == 0 and early[("sex_mismatch", "全区")] == 0


def _insert_labor(engine, rows: list[dict]) -> None:
    """Rows as a second import would have left them: current, in the 2020-09 slice."""
    t = DATA["labor"]
    base = {"import_id": 999, "period": M, "is_current": True, "month": M, "village": "村一", "is_poor": True}
    with engine.begin() as conn:
        conn.execute(insert(t), [base | r for r in rows])


def test_rows_two_imports_could_leave(engine, tmp_path):
    """Duplicate IDs and 已就业 without 就业方式 cannot pass the loader: inserted directly."""
    load(engine, tmp_path, clean_sheets())
    X, Y, Z = ("双乡", make_id("19800808", 41)), ("双行", make_id("19810808", 42)), ("无方式", make_id("19820808", 43))
    row = lambda town, p, n, **kw: {"township": town, "name": p[0], "id_number": p[1], "source_row": n,  # noqa: E731
                                    "employed": "未就业"} | kw
    _insert_labor(engine, [
        row(QY, X, 101), row(FL, X, 102),
        row(LSJ, Y, 103), row(LSJ, Y, 104),
        row(QY, Z, 105, employed="已就业"),
    ])
    planted = {
        "id_multi_township": {QY: [X], FL: [X]},
        "id_duplicate": {LSJ: [Y, Y]},
        "employed_no_mode": {QY: [Z]},
    }
    assert set(planted) == TWO_IMPORT_CHECKS
    assert counts(quality.summary(engine, AS_OF)) == expected_counts(planted)
    assert_rows(engine, planted)
    multi = quality.rows(engine, "id_multi_township", AS_OF)
    assert list(multi["说明"]) == ["同一证件号码本月出现在2个乡镇（共2行）"] * 2
    assert sorted(quality.rows(engine, "id_duplicate", AS_OF)["行号"]) == [103, 104]
    # a narrowed scope still sees the other township's copy, but lists only its own row
    mine = quality.rows(engine, "id_multi_township", AS_OF, scope=Scope.of(FL))
    assert list(mine["行号"]) == [102]


# What each of the sample generator's plants looks like in quality.rows: (column, pattern)
# → rows (sample_data.generate.PLANT_NOTES); together they are every row listed.
SAMPLE_LOOKS = {
    "sex_mismatch": {("说明", "^性别填“[男女]”"): 3},
    "age_out_of_range": {("说明", r"年龄为(6[6-9]|7\d)岁"): 2, ("说明", "年龄为1[0-5]岁"): 1},
    "local_mode_far_area": {("说明", "扶贫车间，务工区域却为省(内县外|外)"): 2, ("说明", "公益性岗位，务工区域却为省外"): 1},
    "unable_but_employed": {("说明", "丧失劳动力"): 2, ("说明", "无劳动力"): 1},
    "income_outlier": {("说明", "高于30000元"): 2, ("说明", "低于400元"): 1},
    "workshop_poor_mismatch": {("乡镇", "^庆远镇$"): 1, ("乡镇", "^德胜镇$"): 1},
    "not_in_labor": {("表", "^技能培训台账$"): 3},
    "subsidy_not_in_labor": {("说明", "^一次性交通补贴"): 3},
    "subsidy_paid_twice": {("说明", "^2020-09领取公益性岗位补贴共2次$"): 4},
}


@pytest.fixture(scope="module")
def planted_rows(sample_tables) -> set:
    """(乡镇, 姓名) of every row the generator changes to plant a problem (姓名 None for a
    workshop row): the sample built with and without its plants, compared."""
    planted, clean = sample_tables, build_tables(plants=False)
    found = set()
    for sheet, name in (("劳动力就业台账", "姓名"), ("扶贫车间台账", None), ("技能培训台账", "姓名")):
        a, b = planted[sheet], clean[sheet]
        changed = ~(a.eq(b).fillna(False) | (a.isna() & b.isna())).all(axis=1)
        found |= {(t, a.at[i, name] if name else None) for i, t in a.loc[changed, "乡镇"].items()}
    rows = lambda df: Counter(zip(df["乡镇"], df["对象名称"], df["证件号码"], df["发放日期"]))  # noqa: E731
    moved = rows(planted["补贴发放台账"]) - rows(clean["补贴发放台账"])
    return found | {(town, name) for town, name, _id, _day in moved}


def test_sample_ledger(sample_db, planted_rows):
    """No false alarms: each check lists exactly the problems the generator planted."""
    frame = quality.summary(sample_db)
    print("\nsample ledger quality summary:\n" + frame.to_string())
    assert set(SAMPLE_PLANTED) == {c.key for c in quality.CHECKS}
    assert {k: sum(v.values()) for k, v in SAMPLE_LOOKS.items()} == {k: n for k, n in SAMPLE_PLANTED.items() if n}
    district = frame[frame["乡镇"] == "全区"].set_index("检查项")["问题数"]
    assert district.to_dict() == SAMPLE_PLANTED
    for c in quality.CHECKS:
        got = quality.rows(sample_db, c.key, masked=False)
        assert len(got) == SAMPLE_PLANTED[c.key], c.key
        looks = {(col, pattern): int(got[col].map(lambda v: bool(re.search(pattern, v or ""))).sum())
                 for col, pattern in SAMPLE_LOOKS.get(c.key, {})}
        assert looks == SAMPLE_LOOKS.get(c.key, {}), c.key
        assert set(zip(got["乡镇"], got["姓名"].where(got["姓名"].notna(), None))) <= planted_rows, c.key
        # spread: every planted person (or workshop finding) in a township of its own
        assert got["乡镇"].nunique() == len(got.drop_duplicates(["乡镇", "证件号码"])), c.key


def test_summary_is_kept_per_state_of_the_ledger(engine, tmp_path, monkeypatch):
    """The first summary of a state of the ledger (date, scope) runs the checks and keeps
    the counts; later ones read them. Rebuilt summaries drop them, an import is a new
    state, and a caller's own connection (maybe inside a write) is never answered from them."""
    from ledger.store import summaries

    load(engine, tmp_path, planted_sheets())
    first = quality.summary(engine, AS_OF)
    mine = quality.summary(engine, AS_OF, scope=Scope.of(FL))
    assert counts(first) == expected_counts(PLANTED)

    real = quality._run

    def no_checks(*args):
        raise AssertionError("the checks ran again")

    monkeypatch.setattr(quality, "_run", no_checks)
    assert quality.summary(engine, AS_OF).equals(first)
    assert quality.summary(engine, AS_OF, scope=Scope.of(FL)).equals(mine)
    with pytest.raises(AssertionError, match="ran again"):
        quality.summary(engine, dt.date(2020, 8, 31))  # another date
    with engine.connect() as conn, pytest.raises(AssertionError, match="ran again"):
        quality.summary(conn, AS_OF)
    with engine.begin() as conn:
        summaries.rebuild(conn)
    with pytest.raises(AssertionError, match="ran again"):
        quality.summary(engine, AS_OF)

    monkeypatch.setattr(quality, "_run", real)
    assert quality.summary(engine, AS_OF).equals(first)  # kept again
    load(engine, tmp_path, clean_sheets())  # the labourers replaced: their problems are gone
    after = quality.summary(engine, AS_OF)
    with engine.connect() as conn:
        assert after.equals(quality.summary(conn, AS_OF))  # as the checks find it on the detail
    assert counts(after) != counts(first)


def test_a_kept_summary_outlives_an_upgrade_but_not_a_changed_check(sqlite_engine, tmp_path, monkeypatch):
    """The memo is keyed on the SQL the checks run, not on the code around them: code
    that leaves every check's statement alone reads the kept counts (at 85 districts
    running the checks takes 24 s), a check whose statement changed runs again."""
    load(sqlite_engine, tmp_path, planted_sheets())
    first = quality.summary(sqlite_engine, AS_OF)
    real = quality._run

    def no_checks(*args):
        raise AssertionError("the checks ran again")

    monkeypatch.setattr(quality, "_run", no_checks)
    assert quality.summary(sqlite_engine, AS_OF).equals(first)
    monkeypatch.setattr(quality, "MAX_AGE", quality.MAX_AGE - 1)  # the age check's bounds move
    with pytest.raises(AssertionError, match="ran again"):
        quality.summary(sqlite_engine, AS_OF)
    monkeypatch.setattr(quality, "_run", real)
    younger = quality.summary(sqlite_engine, AS_OF)
    assert younger.set_index(["检查项", "乡镇"])["问题数"].sum() >= first.set_index(["检查项", "乡镇"])["问题数"].sum()


def test_the_memo_key_is_the_same_in_another_process(sqlite_engine, tmp_path):
    """The import's process keeps the counts and the server's processes read them: the
    key must not depend on anything a process draws for itself (str hash order)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    load(sqlite_engine, tmp_path, planted_sheets())
    code = (
        "import datetime as dt, sys\n"
        "from sqlalchemy import create_engine\n"
        "from ledger.query import quality\n"
        "from ledger.query.statements import Scope\n"
        "engine = create_engine(sys.argv[1])\n"
        "with engine.connect() as conn:\n"
        "    for scope in (quality.ALL, Scope.of(*sys.argv[2:])):\n"
        "        ctx = quality.Context(conn, dt.date(2020, 9, 30), scope)\n"
        "        queries = [(c.key, quality._grouped(s)) for c in quality.CHECKS for _, s in c.build(ctx)]\n"
        "        print(quality._statements_version(conn, queries))\n"
    )
    with sqlite_engine.connect() as conn:
        towns = sorted(quality.township_order(conn))
    url = str(sqlite_engine.url)
    seen = set()
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", code, url, *towns], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        seen.add(done.stdout)
    assert len(seen) == 1 and len(next(iter(seen)).split()) == 2
