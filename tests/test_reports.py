"""ledger.reports: freezing a month's figures as reported, and what changed since."""

from __future__ import annotations

from decimal import Decimal

from ledger import query
from ledger.present.caliber import caliber
from ledger.query.people import people
from ledger.query.reported import changes_since_reported, freeze
from ledger.query.request import Request
from ledger.store.figures import FIGURES
from ledger.store.freezes import freezes, latest_freeze, reported
from ledger.store.history import history, restore
from ledger.store.imports import read_and_import
from ledger.store.versions import as_recorded, reading_recorded
from tests.fixtures_ledger import LABOR_HEADER, SUBSIDY_HEADER, labor_row, write_workbook
from tests.test_intake import LABOR, P, corrected_book, first_book

SUBSIDY = "补贴发放台账"


def test_freeze_then_a_correction_shows_reported_beside_current_with_the_import_as_reason(engine, tmp_path):
    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="张三")
    assert reported(engine, "2020-09") is None
    assert changes_since_reported(engine, "2020-09").empty

    fid = freeze(engine, "2020-09", user="李四", note="9月报送")
    district = reported(engine, "2020-09")
    assert set(district) == {f.key for f in FIGURES}
    assert district["labor.total"] == 6 and district["labor.employed"] == 5
    assert district["labor.employment_rate"] == Decimal("83.33")
    assert reported(engine, "2020-09", "庆远镇")["labor.employed"] == 3
    assert reported(engine, "2020-09", "三岔镇")["labor.total"] == 2
    assert changes_since_reported(engine, "2020-09").empty

    correction = corrected_book(tmp_path / "庆远镇9月.xlsx")
    log_id = read_and_import(engine, correction, user="张三").log_id
    when = history(engine)[0]["created_at"]
    reason = f"#{log_id} {when:%Y-%m-%d} 张三 导入 庆远镇9月.xlsx"

    diff = changes_since_reported(engine, "2020-09")
    assert list(diff.columns[:6]) == ["乡镇", "指标", "报送值", "当前值", "变化", "原因"]
    got = {(r["乡镇"], r["key"]): (r["报送值"], r["当前值"], r["变化"]) for r in diff.to_dict("records")}
    assert got[("全区", "labor.total")] == (6, 5, -1)
    assert got[("庆远镇", "labor.employed")] == (3, 4, 1)
    assert got[("三岔镇", "labor.total")] == (2, 0, -2)
    assert got[("全区", "labor.employment_rate")] == (Decimal("83.33"), 80, Decimal("-3.33"))
    assert ("全区", "workshops.on_duty") not in got
    assert set(diff["原因"]) == {reason}
    assert diff.set_index(["乡镇", "key"]).loc[("庆远镇", "labor.employed"), "指标"] == "已就业人数"

    # The frozen values stay as reported; a new freeze becomes the reported one.
    assert reported(engine, "2020-09", "庆远镇")["labor.employed"] == 3
    fid2 = freeze(engine, "2020-09", user="李四")
    assert fid2 > fid
    assert reported(engine, "2020-09", "庆远镇")["labor.employed"] == 4
    assert changes_since_reported(engine, "2020-09").empty
    listed = freezes(engine)
    assert list(listed.columns) == ["编号", "月份", "报送人", "报送时间", "历史记录号", "备注"]
    assert listed[["编号", "月份", "报送人", "历史记录号", "备注"]].values.tolist() == [
        [fid2, "2020-09", "李四", log_id, None],
        [fid, "2020-09", "李四", 1, "9月报送"],
    ]


def test_reason_names_restores_and_event_months_of_the_year_but_not_later_months(sqlite_engine, tmp_path):
    eng = sqlite_engine
    read_and_import(eng, first_book(tmp_path / "first.xlsx"), user="张三")
    freeze(eng, "2020-09", user="李四")
    march = write_workbook(tmp_path / "三月补贴.xlsx", {SUBSIDY: [SUBSIDY_HEADER, ["2020-03-10", "稳岗补贴", "个人", "甲0", P[0], "庆远镇", 500]]})
    later = write_workbook(tmp_path / "十一月补贴.xlsx", {SUBSIDY: [SUBSIDY_HEADER, ["2020-11-10", "稳岗补贴", "个人", "甲0", P[0], "庆远镇", 700]]})
    a = read_and_import(eng, march, user="王五").log_id
    read_and_import(eng, later, user="王五")  # after September: not a reason
    r = restore(eng, a, before=True, user="赵六")
    read_and_import(eng, march, user="王五")  # the March payment is back
    diff = changes_since_reported(eng, "2020-09")
    assert set(diff["key"]) >= {"subsidy.total", "subsidy.payments"}
    row = diff.set_index(["乡镇", "key"]).loc[("全区", "subsidy.total")]
    assert (row["报送值"], row["当前值"], row["变化"]) == (0, 500, 500)
    reasons = row["原因"].split("；")
    assert [x.split()[0] for x in reasons] == [f"#{a}", f"#{r}", f"#{r + 1}"]
    assert reasons[1].endswith(f"赵六 恢复 恢复到第{a}号记录之前的状态")


def test_the_ledger_as_reported_gives_back_every_reported_figure_after_corrections(engine, tmp_path):
    """Pages and exports read a frozen month through ``as_recorded``: every figure of the
    district and of each township must equal what the freeze stored, whatever came after."""
    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="张三")
    freeze(engine, "2020-09", user="李四")
    frozen = latest_freeze(engine, "2020-09")
    assert frozen["log_id"] == 1 and frozen["frozen_by"] == "李四"
    assert latest_freeze(engine, "2020-08") is None

    read_and_import(engine, corrected_book(tmp_path / "庆远镇9月.xlsx"), user="张三")
    as_of = query.month_end("2020-09")
    keys = [f.key for f in FIGURES]
    now = query.figures(engine, as_of, keys=keys).values
    assert now["labor.total"] == 5  # the correction is in force today

    assert not reading_recorded()
    assert "已报送数据" not in caliber(Request(as_of))
    with as_recorded(engine, frozen["log_id"]):
        assert reading_recorded()
        assert caliber(Request(as_of)).startswith("已报送数据")
        then = query.figures(engine, as_of, keys=keys).values
        towns = query.breakdown(engine, keys, as_of).to_dict("records")
        months = query.months(engine)
    assert not reading_recorded()
    assert then == reported(engine, "2020-09")
    assert then["labor.total"] == 6
    for rec in towns:
        assert {k: rec[k] for k in keys} == reported(engine, "2020-09", rec["township"]), rec["township"]
    assert months == ["2020-09"]
    # and outside the block, today's ledger again
    assert query.figures(engine, as_of, keys=keys).values == now


def test_a_people_list_reads_the_snapshot_month_of_the_state_it_is_read_in(engine, tmp_path):
    """Today a people list finds its month in the same statement as its rows; inside
    ``as_recorded`` the recorded state's month (carried forward from September, since
    October came later). Either way the list is what the figure counts."""
    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="张三")
    october = [LABOR_HEADER] + [labor_row("2020-10", "庆远镇", "城东村", f"丙{i}", P[i]) for i in range(2)]
    read_and_import(engine, write_workbook(tmp_path / "十月.xlsx", {LABOR: october}), user="张三")
    as_of = query.month_end("2020-10")
    today = people(engine, "labor.total", as_of)
    assert sorted(today["姓名"]) == ["丙*", "丙*"]
    assert len(today) == query.figures(engine, as_of, keys=["labor.total"]).values["labor.total"]
    with as_recorded(engine, 1):
        then = people(engine, "labor.total", as_of, masked=False)
        counted = query.figures(engine, as_of, keys=["labor.total"]).values["labor.total"]
    assert sorted(then["姓名"]) == ["乙0", "乙1", "甲0", "甲1", "甲2", "甲3"]
    assert len(then) == counted == 6
    assert people(engine, "labor.total", query.month_end("2020-08")).empty  # no month on or before


def test_as_recorded_before_anything_was_stored_reads_nothing(sqlite_engine, tmp_path):
    read_and_import(sqlite_engine, first_book(tmp_path / "first.xlsx"), user="张三")
    with as_recorded(sqlite_engine, None):
        assert query.months(sqlite_engine) == []
        assert query.figures(sqlite_engine, query.month_end("2020-09"), keys=["labor.total"]).values["labor.total"] == 0


def test_changed_figures_are_shown_with_their_units():
    import pandas as pd

    from ledger.present.frames import shown_changes

    frame = pd.DataFrame(
        [
            {"乡镇": "全区", "指标": "x", "报送值": 30000, "当前值": 29990, "变化": -10, "key": "labor.total"},
            {"乡镇": "全区", "指标": "x", "报送值": 28900, "当前值": 34000, "变化": 5100, "key": "subsidy.total"},
            {"乡镇": "全区", "指标": "x", "报送值": Decimal("88.51"), "当前值": Decimal("89.48"),
             "变化": Decimal("0.97"), "key": "labor.employment_rate"},
            {"乡镇": "全区", "指标": "x", "报送值": None, "当前值": 5, "变化": None, "key": "labor.total"},
        ]
    )
    shown = shown_changes(frame, ("报送值", "当前值"))
    assert "key" not in shown.columns
    assert shown[["报送值", "当前值", "变化"]].values.tolist() == [
        ["30,000人", "29,990人", "-10人"],
        ["2.89万元", "3.40万元", "+0.51万元"],
        ["88.51%", "89.48%", "+0.97个百分点"],
        ["—", "5人", "—"],
    ]
