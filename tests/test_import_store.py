"""The store on every backend: slice replacement, history, restore, dry runs, the
行政区划 list, and figures of a realistic workbook checked against a hand count."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger.query.statements import DISTRICT_WIDE, Scope, breakdown, figures
from ledger.store.config import make_engine
from ledger.store.figures import FIGURES
from ledger.store.history import history, restore
from ledger.store.imports import read_and_import
from ledger.store.schema import DATA
from loaders import DEFAULT_TOWNSHIPS
from tests.conftest import ROOT
from tests.fixtures_ledger import (
    DEMAND_HEADER,
    LABOR_HEADER,
    SUBSIDY_HEADER,
    TOWNSHIP_HEADER,
    ids,
    labor_row,
    realistic_csvs,
    realistic_workbook,
    write_csv,
    write_workbook,
)

LABOR = "劳动力就业台账"
SUBSIDY = "补贴发放台账"
JAN, FEB = dt.date(2020, 1, 31), dt.date(2020, 2, 29)
SEPT = dt.date(2020, 9, 30)
PEOPLE = ids(6)


def current_rows(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {k: conn.execute(select(func.count()).select_from(t).where(t.c.is_current)).scalar() for k, t in DATA.items()}


def zeros() -> dict:
    return {f.key: (0 if f.additive else None) for f in FIGURES}


def jan_feb(path, feb_people=3, feb_amount=200):
    """Labourers and payments in January and February 2020."""
    labor = [LABOR_HEADER] + [labor_row("2020-01", "庆远镇", "城东村", f"一月{i}", PEOPLE[i]) for i in range(2)]
    labor += [labor_row("2020-02", "三岔镇", "三岔村", f"二月{i}", PEOPLE[i]) for i in range(feb_people)]
    subsidies = [
        SUBSIDY_HEADER,
        ["2020-01-10", "稳岗补贴", "个人", "一月0", PEOPLE[0], "庆远镇", 100],
        ["2020-02-10", "稳岗补贴", "个人", "二月0", PEOPLE[0], "三岔镇", feb_amount],
    ]
    return write_workbook(path, {LABOR: labor, SUBSIDY: subsidies})


def feb_only(path):
    labor = [LABOR_HEADER, labor_row("2020-02", "洛西镇", "洛西村", "新人", PEOPLE[5])]
    subsidies = [SUBSIDY_HEADER, ["2020-02-20", "稳岗补贴", "个人", "新人", PEOPLE[5], "洛西镇", 50]]
    return write_workbook(path, {LABOR: labor, SUBSIDY: subsidies})


KEYS = ["labor.total", "subsidy.total", "subsidy.job_stability"]


def test_import_replaces_exactly_the_sheet_month_pairs_it_contains(engine, tmp_path):
    first = read_and_import(engine, jan_feb(tmp_path / "jan_feb.xlsx"), user="u")
    assert first.ok and first.log_id is not None
    assert first.counts == {"labor": {"2020-01": 2, "2020-02": 3}, "subsidies": {"2020-01": 1, "2020-02": 1}}
    assert figures(engine, JAN, keys=KEYS).values == {"labor.total": 2, "subsidy.total": 100, "subsidy.job_stability": 100}
    assert figures(engine, FEB, keys=KEYS).values == {"labor.total": 3, "subsidy.total": 300, "subsidy.job_stability": 300}

    second = read_and_import(engine, feb_only(tmp_path / "feb.xlsx"), user="u")
    assert second.ok and second.log_id is not None
    assert sorted(second.changed) == [("labor", "2020-02"), ("subsidies", "2020-02")]
    assert second.unchanged == []
    # January untouched, February replaced (not added to)
    assert figures(engine, JAN, keys=KEYS).values == {"labor.total": 2, "subsidy.total": 100, "subsidy.job_stability": 100}
    assert figures(engine, FEB, keys=KEYS).values == {"labor.total": 1, "subsidy.total": 150, "subsidy.job_stability": 150}
    by_town = breakdown(engine, ["labor.total"], FEB).set_index("township")["labor.total"]
    assert (by_town["洛西镇"], by_town["三岔镇"], by_town.sum()) == (1, 0, 1)
    assert current_rows(engine)["labor"] == 3 and current_rows(engine)["subsidies"] == 2


def test_same_file_twice_changes_nothing(engine, tmp_path):
    path = jan_feb(tmp_path / "a.xlsx")
    first = read_and_import(engine, path, user="u")
    before = figures(engine).values
    again = read_and_import(engine, path, user="u")
    assert again.ok
    assert again.log_id is None
    assert again.changed == []
    assert sorted(again.unchanged) == sorted(first.changed)
    assert len(history(engine)) == 1
    assert figures(engine).values == before


def test_same_content_in_a_different_file_changes_nothing_and_one_changed_month_only_that(engine, tmp_path):
    read_and_import(engine, jan_feb(tmp_path / "a.xlsx"), user="u")
    # The same rows under title rows: a different file, the same content.
    labor = [LABOR_HEADER] + [labor_row("2020-01", "庆远镇", "城东村", f"一月{i}", PEOPLE[i]) for i in range(2)]
    titled = write_workbook(tmp_path / "b.xlsx", {LABOR: labor}, title_rows={LABOR: ["台账", "2020年1月"]})
    outcome = read_and_import(engine, titled, user="u")
    assert (outcome.ok, outcome.log_id, outcome.changed, outcome.unchanged) == (True, None, [], [("labor", "2020-01")])
    # February's amount changed: only February's payments are replaced.
    outcome = read_and_import(engine, jan_feb(tmp_path / "c.xlsx", feb_amount=250), user="u")
    assert outcome.changed == [("subsidies", "2020-02")]
    assert sorted(outcome.unchanged) == [("labor", "2020-01"), ("labor", "2020-02"), ("subsidies", "2020-01")]
    assert figures(engine, FEB, keys=["subsidy.total"]).values == {"subsidy.total": Decimal("350")}
    assert len(history(engine)) == 2


def test_history_records_user_file_hash_and_counts(engine, tmp_path):
    path = jan_feb(tmp_path / "一月二月台账.xlsx")
    outcome = read_and_import(engine, path, user="庆远镇-韦科员")
    second = read_and_import(engine, feb_only(tmp_path / "feb.xlsx"), user="admin")
    entries = history(engine)
    assert [e["id"] for e in entries] == [second.log_id, outcome.log_id]  # newest first
    entry = entries[1]
    assert entry["kind"] == "import"
    assert entry["created_by"] == "庆远镇-韦科员"
    assert entry["filename"] == "一月二月台账.xlsx"
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["row_counts"] == {"labor": {"2020-01": 2, "2020-02": 3}, "subsidies": {"2020-01": 1, "2020-02": 1}}
    assert isinstance(entry["created_at"], dt.datetime)
    assert entries[0]["row_counts"] == {"labor": {"2020-02": 1}, "subsidies": {"2020-02": 1}}


def test_restore_brings_back_earlier_figures_and_is_recorded(engine, tmp_path):
    first = read_and_import(engine, jan_feb(tmp_path / "a.xlsx"), user="u")
    after_first = {d: figures(engine, d).values for d in (JAN, FEB)}
    second = read_and_import(engine, feb_only(tmp_path / "b.xlsx"), user="u")
    after_second = {d: figures(engine, d).values for d in (JAN, FEB)}
    assert after_second[FEB] != after_first[FEB]

    restored = restore(engine, first.log_id, user="管理员")
    assert restored is not None
    assert {d: figures(engine, d).values for d in (JAN, FEB)} == after_first
    entry = history(engine)[0]
    assert (entry["id"], entry["kind"], entry["created_by"]) == (restored, "restore", "管理员")
    assert str(first.log_id) in entry["note"]
    assert entry["row_counts"] == {"labor": {"2020-02": 3}, "subsidies": {"2020-02": 1}}
    assert len(history(engine)) == 3

    assert restore(engine, first.log_id) is None  # already there: nothing recorded
    assert len(history(engine)) == 3

    assert restore(engine, second.log_id) is not None  # and forward again
    assert {d: figures(engine, d).values for d in (JAN, FEB)} == after_second

    emptied = restore(engine, first.log_id, before=True)
    assert emptied is not None
    assert all(n == 0 for n in current_rows(engine).values())
    assert figures(engine, FEB).values == zeros()
    assert figures(engine).as_of is None
    assert [e["kind"] for e in history(engine)] == ["restore", "restore", "restore", "import", "import"]

    with pytest.raises(KeyError):
        restore(engine, 9999)


def test_dry_run_writes_nothing(engine, tmp_path):
    outcome = read_and_import(engine, jan_feb(tmp_path / "a.xlsx"), user="u", dry_run=True)
    assert outcome.ok and outcome.log_id is None
    assert sorted(outcome.changed) == [("labor", "2020-01"), ("labor", "2020-02"), ("subsidies", "2020-01"), ("subsidies", "2020-02")]
    assert history(engine) == [] and figures(engine).values == zeros()
    assert all(n == 0 for n in current_rows(engine).values())

    read_and_import(engine, jan_feb(tmp_path / "a.xlsx"), user="u")
    snapshot = (figures(engine, FEB).values, history(engine), current_rows(engine))
    outcome = read_and_import(engine, feb_only(tmp_path / "b.xlsx"), user="u", dry_run=True)
    assert outcome.ok and outcome.log_id is None and sorted(outcome.changed) == [("labor", "2020-02"), ("subsidies", "2020-02")]
    assert (figures(engine, FEB).values, history(engine), current_rows(engine)) == snapshot


def test_cli_dry_run_writes_nothing(tmp_path):
    db = tmp_path / "cli.db"
    path = jan_feb(tmp_path / "a.xlsx")
    run = subprocess.run(
        [sys.executable, "-m", "ledger", "import", str(path), "--db", f"sqlite:///{db}", "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "检查通过（未写入）" in run.stdout
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert history(engine) == [] and all(n == 0 for n in current_rows(engine).values())
    finally:
        engine.dispose()


# --- the 行政区划 list ----------------------------------------------------------------------

TOWNS_WITHOUT_SANCHA = [TOWNSHIP_HEADER, ["451203100", "庆远镇", "镇", "", "宜州区"], ["451203999", "新城街道", "街道", "新城", "宜州区"]]


def test_township_list_cannot_drop_a_township_stored_rows_use(engine, tmp_path):
    read_and_import(engine, jan_feb(tmp_path / "a.xlsx"), user="u")  # 三岔镇 in February
    snapshot = (figures(engine, FEB).values, history(engine), current_rows(engine))
    outcome = read_and_import(engine, write_workbook(tmp_path / "t.xlsx", {"行政区划": TOWNS_WITHOUT_SANCHA}), user="u")
    assert not outcome.ok and outcome.log_id is None
    # one error for each sheet whose stored rows name 三岔镇 (labourers and payments)
    assert [(p.sheet, p.column, p.value) for p in outcome.errors] == [("行政区划", "乡镇", "三岔镇")] * 2
    assert all("不能从行政区划中删除" in p.message for p in outcome.errors)
    assert (figures(engine, FEB).values, history(engine), current_rows(engine)) == snapshot


def test_township_list_error_names_the_sheet_in_chinese(sqlite_engine, tmp_path):
    read_and_import(sqlite_engine, jan_feb(tmp_path / "a.xlsx"), user="u")
    outcome = read_and_import(sqlite_engine, write_workbook(tmp_path / "t.xlsx", {"行政区划": TOWNS_WITHOUT_SANCHA}), user="u")
    messages = sorted(p.message for p in outcome.errors)
    assert "劳动力就业台账" in messages[0] + messages[1] and "补贴发放台账" in messages[0] + messages[1]
    assert not any("labor" in m or "subsidies" in m for m in messages)


def test_township_list_cannot_drop_a_township_used_by_other_months_of_an_imported_sheet(engine, tmp_path):
    february = write_workbook(tmp_path / "a.xlsx", {LABOR: [LABOR_HEADER, labor_row("2020-02", "三岔镇", "村", "甲", PEOPLE[0])]})
    assert read_and_import(engine, february, user="u").ok
    book = {"行政区划": TOWNS_WITHOUT_SANCHA, LABOR: [LABOR_HEADER, labor_row("2020-03", "庆远镇", "村", "甲", PEOPLE[0])]}
    outcome = read_and_import(engine, write_workbook(tmp_path / "t.xlsx", book), user="u")
    assert not outcome.ok


def test_stored_township_list_is_used_by_later_imports(engine, tmp_path):
    towns = [TOWNSHIP_HEADER, ["451203100", "庆远镇", "镇", "", "宜州区"], ["451203999", "新城街道", "街道", "新城", "宜州区"]]
    outcome = read_and_import(engine, write_workbook(tmp_path / "t.xlsx", {"行政区划": towns}), user="u")
    assert outcome.ok and outcome.counts == {"townships": {"": 2}}
    (tmp_path / "good").mkdir()
    good = write_csv(tmp_path / "good" / f"{LABOR}.csv", [LABOR_HEADER, labor_row("2020-09", "新城", "村", "甲", PEOPLE[0])])
    assert read_and_import(engine, good, user="u").ok
    assert figures(engine, SEPT, township="新城街道", keys=["labor.total"]).values == {"labor.total": 1}
    assert list(breakdown(engine, ["labor.total"], SEPT).township) == ["庆远镇", "新城街道", DISTRICT_WIDE]
    (tmp_path / "bad").mkdir()
    bad = write_csv(tmp_path / "bad" / f"{LABOR}.csv", [LABOR_HEADER, labor_row("2020-09", "三岔镇", "村", "甲", PEOPLE[0])])
    outcome = read_and_import(engine, bad, user="u")
    assert not outcome.ok
    assert [(p.sheet, p.row, p.column, p.value) for p in outcome.errors] == [(LABOR, 2, "乡镇", "三岔镇")]


# --- a realistic workbook against a hand count ---------------------------------------------

DISTRICT_SEPT = {
    "labor.total": 7,
    "labor.poor": 5,
    "labor.employed": 5,
    "labor.unemployed": 2,
    "labor.poor_employed": 4,
    "labor.poor_unemployed": 1,
    "labor.mode.外出务工": 2,
    "labor.mode.扶贫车间": 1,
    "labor.mode.公益性岗位": 1,
    "labor.mode.灵活就业": 1,
    "labor.mode.自主创业": 0,
    "labor.mode.务农": 0,
    "labor.area.省外": 2,
    "labor.area.乡镇内": 2,
    "labor.area.省内县外": 1,
    "labor.area.县内乡外": 0,
    "income.monthly_mean": Decimal("2750.13"),  # (3500.50 + 2000 + 1000 + 4500) / 4; 0 yuan left out
    "workshops.count": 2,  # resumed by 09-30; 刘三姐 not resumed, 电子车间 resumes 10-08
    "workshops.on_duty": 80,
    "workshops.poor_absorbed": 18,
    "subsidy.job_stability": Decimal("4218"),  # 0.15 + 0.2218 + 0.05 万元; not 2019-12-31, not 2020-10-01
    "subsidy.transport": Decimal("200"),
    "subsidy.workshop_reward": Decimal("22180"),  # 2.218 万元
    "subsidy.total": Decimal("26598"),
    "subsidy.workshop_reward_workshops": 1,
    "subsidy.enterprise_absorption": 0,
    "training.vocational.classes": 2,  # ZY-01, ZY-02; not ZY-00 (2019), ZY-03 (October)
    "training.vocational.person_times": 4,
    "training.vocational.poor_person_times": 2,  # 是; blank looked up as 脱贫户; 否 is not
    "training.vocational.people": 4,
    "training.short_term.classes": 1,
    "training.rural_practical.classes": 1,
    "training.classes": 4,
    "training.person_times": 6,
    "training.poor_person_times": 4,
    "transport.batches": 2,
    "transport.people": 75,
    "transport.poor": 9,
    "demand.enterprises": 2,
    "demand.job_types": 3,
    "demand.postings": 115,
    "posts.poverty.count": 1,
    "posts.temporary.count": 1,
}

QINGYUAN_SEPT = {
    "labor.total": 3,
    "labor.poor": 2,
    "labor.employed": 2,
    "labor.unemployed": 1,
    "labor.poor_employed": 1,
    "labor.poor_unemployed": 1,
    "income.monthly_mean": Decimal("2750.25"),  # (3500.50 + 2000) / 2
    "workshops.count": 1,
    "workshops.on_duty": 50,
    "workshops.poor_absorbed": 10,
    "subsidy.job_stability": Decimal("1500"),
    "subsidy.total": Decimal("23880"),
    "training.vocational.classes": 1,  # ZY-02 spans two townships: district-wide
    "training.classes": 2,
    "training.person_times": 3,
    "transport.batches": 1,
    "transport.people": 40,
    "transport.poor": 5,
    "demand.postings": 0,  # demand belongs to no township
    "posts.poverty.count": 1,
    "posts.temporary.count": 0,
}


def _assert_figures(got: dict, expected: dict) -> None:
    assert {k: got[k] for k in expected} == expected


def test_realistic_workbook_gives_the_hand_count(engine, tmp_path):
    outcome = read_and_import(engine, realistic_workbook(tmp_path / "宜州区台账2020.xlsx"), user="u")
    assert outcome.ok, [str(p) for p in outcome.errors]
    assert outcome.counts["labor"] == {"2019-12": 2, "2020-08": 2, "2020-09": 7, "2020-10": 2}
    _assert_figures(figures(engine, SEPT).values, DISTRICT_SEPT)
    _assert_figures(figures(engine, SEPT, township="庆远镇").values, QINGYUAN_SEPT)
    _assert_figures(
        figures(engine, dt.date(2019, 12, 31)).values,
        {"labor.total": 2, "labor.employed": 1, "subsidy.job_stability": Decimal("10000"), "training.classes": 1},
    )
    # October: no October workshop snapshot, so September's, with 电子车间 now resumed.
    _assert_figures(
        figures(engine, dt.date(2020, 10, 31)).values,
        {"labor.total": 2, "workshops.count": 3, "workshops.on_duty": 120, "transport.batches": 3, "demand.postings": 165},
    )
    assert figures(engine).as_of == dt.date(2020, 10, 31)  # default: the latest labourer month


DAYS = (SEPT, dt.date(2020, 10, 31), dt.date(2019, 12, 31))


@pytest.fixture(scope="module")
def workbook_figures(tmp_path_factory):
    """Every figure of the realistic workbook imported into SQLite, on a few dates."""
    folder = tmp_path_factory.mktemp("workbook")
    reference = make_engine(f"sqlite:///{folder / 'workbook.db'}")
    try:
        assert read_and_import(reference, realistic_workbook(folder / "wb.xlsx"), user="u").ok
        return {day: figures(reference, day).values for day in DAYS}
    finally:
        reference.dispose()


def test_realistic_ledger_as_gbk_csv_files_gives_the_same_figures(engine, tmp_path, workbook_figures):
    for path in realistic_csvs(tmp_path / "csv", "gbk"):
        outcome = read_and_import(engine, path, user="u")
        assert outcome.ok, [str(p) for p in outcome.errors]
    _assert_figures(figures(engine, SEPT).values, DISTRICT_SEPT)
    _assert_figures(figures(engine, SEPT, township="庆远镇").values, QINGYUAN_SEPT)
    for day in DAYS:
        assert figures(engine, day).values == workbook_figures[day]


USED = ["庆远镇", "福龙瑶族乡", "刘三姐镇", "三岔镇"]


def test_breakdown_adds_up_and_township_figures_match_their_row(engine, tmp_path):
    assert read_and_import(engine, realistic_workbook(tmp_path / "a.xlsx"), user="u").ok
    keys = [f.key for f in FIGURES]
    district = figures(engine, SEPT).values
    table = breakdown(engine, keys, SEPT)
    # the 16 townships in code order, then the district-wide part
    assert list(table.township) == [t.name for t in DEFAULT_TOWNSHIPS] + [DISTRICT_WIDE]
    for fig in FIGURES:
        if fig.additive:
            assert sum(table[fig.key]) == district[fig.key], fig.key
    rows = table.set_index("township")
    for town in USED:
        assert figures(engine, SEPT, township=town).values == rows.loc[town].to_dict(), town
    # the parts that belong to no township
    wide = rows.loc[DISTRICT_WIDE]
    assert (wide["demand.postings"], wide["transport.people"], wide["training.vocational.classes"]) == (115, 35, 1)
    assert rows.loc["福龙瑶族乡", "labor.total"] == 2 and rows.loc["刘三姐镇", "labor.total"] == 2


def test_scope_of_one_township_sees_only_it_and_an_empty_scope_sees_zeros(engine, tmp_path):
    assert read_and_import(engine, realistic_workbook(tmp_path / "a.xlsx"), user="u").ok
    qingyuan = Scope.of("庆远镇")
    scoped = figures(engine, SEPT, scope=qingyuan).values
    assert scoped == figures(engine, SEPT, township="庆远镇").values
    _assert_figures(scoped, QINGYUAN_SEPT)
    assert figures(engine, SEPT, scope=qingyuan, township="福龙瑶族乡").values == zeros()
    table = breakdown(engine, ["labor.total", "demand.postings", "transport.people"], SEPT, scope=qingyuan)
    records = table.to_dict("records")
    assert records[0] == {"township": "庆远镇", "labor.total": 3, "demand.postings": 0, "transport.people": 40}
    assert len(records) == 1, "nothing outside the scope is seen"

    two = Scope.of("庆远镇", "福龙瑶族乡")
    _assert_figures(figures(engine, SEPT, scope=two).values, {"labor.total": 5, "transport.people": 40, "demand.postings": 0})

    nobody = Scope.of()
    assert figures(engine, SEPT, scope=nobody).values == zeros()
    assert breakdown(engine, ["labor.total"], SEPT, scope=nobody).empty


def test_scoped_breakdown_has_only_the_scopes_townships(sqlite_engine, tmp_path):
    assert read_and_import(sqlite_engine, realistic_workbook(tmp_path / "a.xlsx"), user="u").ok
    table = breakdown(sqlite_engine, ["labor.total", "demand.postings"], SEPT, scope=Scope.of("庆远镇"))
    assert list(table.township) == ["庆远镇"]


def test_distinct_counts_agree_on_every_backend(engine, tmp_path):
    """Enterprise names and class ids are text: ``ABC公司`` and ``abc公司`` are two, as on SQLite."""
    demand = [DEMAND_HEADER, ["ABC公司", "区内", "普工", 1, "2020-04-01"], ["abc公司", "区内", "电工", 1, "2020-04-01"]]
    training = [
        ["培训期次", "培训类型", "开班日期", "乡镇", "姓名", "证件号码"],
        ["a1", "职业技能培训", "2020-05-01", "庆远镇", "甲", PEOPLE[0]],
        ["A1", "职业技能培训", "2020-05-01", "庆远镇", "乙", PEOPLE[1]],
    ]
    path = write_workbook(tmp_path / "a.xlsx", {"用工需求台账": demand, "技能培训台账": training})
    assert read_and_import(engine, path, user="u").ok
    got = figures(engine, SEPT, keys=["demand.enterprises", "training.classes"]).values
    assert got == {"demand.enterprises": 2, "training.classes": 2}
