"""Unit tests of the loaders: headers, values, ID numbers, money, dates, townships, CSV.

Each case is a tiny workbook or CSV file written into tmp_path and read with
``loaders.load``; the pure value parsers are also tested directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

import loaders
from loaders import idcard, values
from loaders.townships import DEFAULT_TOWNSHIPS, Township
from loaders.validate import ERROR, NOTE, WARNING
from tests.fixtures_ledger import (
    LABOR_HEADER,
    SUBSIDY_HEADER,
    TOWNSHIP_HEADER,
    TRANSPORT_HEADER,
    WORKSHOP_HEADER,
    csv_bytes,
    ids,
    labor_row,
    load_rows,
    make_id,
    with_wrong_check,
    write_csv,
    write_workbook,
)

LABOR = "劳动力就业台账"
SUBSIDY = "补贴发放台账"
ID = ids(8)


def one_labor(tmp_path, **cells):
    """Load a labourer sheet of one row; ``cells`` override columns by header."""
    row = dict(zip(LABOR_HEADER, labor_row("2020-09", "庆远镇", "城东村", "张三", ID[0])))
    row.update(cells)
    return load_rows(tmp_path, [list(row), list(row.values())])


# --- headers -------------------------------------------------------------------

LABOR_VALUES = labor_row("2020-09", "庆远镇", "城东村", "张三", ID[0])


@pytest.mark.parametrize(
    "header",
    [
        ["统计时点*", "乡镇*", "村*", "姓名*", "证件号码*", "是否建档立卡*", "就业状态*", "就业方式", "务工区域", "月收入（元）"],
        ["统计时点 *", "乡（镇）", "村（社区）", "劳动力姓名", "身份证号码", "人员类别", "务工状态", "就业渠道", "务工地域", "月收入(元)"],
        ["统计\n月份", "所属\n乡镇", "行政村", "成员姓名", "公民身份\n号码", "户类型", "就业失业状态", "就业类型", "就业地域", "月工资"],
        ["年月", "乡(镇)", "所属村", "姓名", "身份证号", "是否贫困户", "就业情况", "就业去向", "务工情况", "务工月收入"],
        ["数据日期＊", "镇", " 村 ", "姓 名", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工区域", "月均收入"],
    ],
    ids=["canonical-with-stars", "full-width-brackets", "line-breaks", "aliases", "spaces-fullwidth-star"],
)
def test_header_spellings_all_map_to_the_same_table(tmp_path, header):
    result = load_rows(tmp_path, [header, LABOR_VALUES])
    assert result.ok, [str(p) for p in result.problems]
    assert result.warnings == []
    row = result.tables["labor"].iloc[0]
    assert (row.month, row.township, row.village, row["name"], row.id_number) == ("2020-09", "庆远镇", "城东村", "张三", ID[0])
    assert (bool(row.is_poor), row.employed, row["mode"], row.work_area, int(row.monthly_income)) == (
        True, "已就业", "外出务工", "省外", 300000,
    )


@pytest.mark.parametrize("n_titles", [0, 1, 2, 3])
def test_up_to_three_title_rows_and_excel_row_numbers(tmp_path, n_titles):
    titles = ["宜州区贫困劳动力就业台账（2020年9月）", "填报单位：庆远镇", "单位：人、元"][:n_titles]
    rows = [LABOR_HEADER, LABOR_VALUES, labor_row("2020-09", "庆远镇", "城东村", "李四", "bad")]
    result = load_rows(tmp_path, rows, titles=titles)
    assert result.tables["labor"].source_row.tolist() == [n_titles + 2, n_titles + 3]
    [err] = result.errors
    assert (err.sheet, err.row, err.column, err.value) == (LABOR, n_titles + 3, "证件号码", "bad")


def test_four_title_rows_is_too_many(tmp_path):
    titles = ["标题一", "标题二", "标题三", "标题四"]
    result = load_rows(tmp_path, [LABOR_HEADER, LABOR_VALUES], titles=titles)
    assert not result.ok
    [err] = result.errors
    assert err.sheet == LABOR and "找不到表头" in err.message


def test_serial_number_column_is_ignored_and_unknown_columns_are_a_warning(tmp_path):
    rows = [["序号", *LABOR_HEADER, "所在网格", "备用"], [1, *LABOR_VALUES, "三网格", "x"], [2, *labor_row("2020-09", "庆远镇", "城东村", "李四", ID[1])]]
    result = load_rows(tmp_path, rows, titles=["台账"])
    assert result.ok
    [warning] = result.warnings
    assert (warning.level, warning.sheet, warning.row, warning.column) == (WARNING, LABOR, 2, "所在网格、备用")
    assert "未识别的列" in warning.message
    assert result.tables["labor"]["name"].tolist() == ["张三", "李四"]


def test_unknown_sheet_is_a_warning_and_known_sheet_found_by_alias(tmp_path):
    path = write_workbook(
        tmp_path / "b.xlsx",
        {"贫困劳动力就业台账": [LABOR_HEADER, LABOR_VALUES], "说明": [["本表由乡镇填报"]], "Sheet3": []},
    )
    result = loaders.load(path)
    assert result.ok
    assert result.sheet_names == {"labor": "贫困劳动力就业台账"}
    # a sheet of notes is skipped with a notice, not imported
    assert [(p.level, p.sheet) for p in result.problems] == [(NOTE, "说明")]


def test_progress_names_each_file_and_sheet_and_ends_at_one(tmp_path):
    path = write_workbook(
        tmp_path / "p.xlsx",
        {LABOR: [LABOR_HEADER, LABOR_VALUES], SUBSIDY: [SUBSIDY_HEADER]},
    )
    seen = []
    result = loaders.load(path, data=path.read_bytes(), progress=lambda done, text: seen.append((done, text)))
    assert result.ok
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    texts = "\n".join(t for _, t in seen)
    assert "p.xlsx" in texts and "MB" in texts
    assert f"正在校验“{LABOR}”" in texts and f"正在校验“{SUBSIDY}”" in texts


def test_same_table_twice_is_an_error(tmp_path):
    path = write_workbook(tmp_path / "b.xlsx", {"劳动力": [LABOR_HEADER, LABOR_VALUES], "就业台账": [LABOR_HEADER, LABOR_VALUES]})
    result = loaders.load(path)
    assert not result.ok
    assert any("同一张表" in p.message for p in result.errors)


# --- enumeration values ------------------------------------------------------------


@pytest.mark.parametrize(
    "header, written, expected",
    [
        ("是否建档立卡", "贫困户", True),
        ("是否建档立卡", "脱贫户", True),
        ("是否建档立卡", "一般贫困户", True),
        ("是否建档立卡", "低保贫困户", True),
        ("是否建档立卡", "特困供养贫困户", True),
        ("是否建档立卡", "一般农户", False),
        ("是否建档立卡", "是", True),
        ("是否建档立卡", " 否 ", False),
        ("就业状态", "务工", "已就业"),
        ("就业状态", "已务工", "已就业"),
        ("就业状态", "就业", "已就业"),
        ("就业方式", "企业就业", "外出务工"),
        ("就业方式", "帮扶车间", "扶贫车间"),
        ("就业方式", "就业扶贫车间", "扶贫车间"),
        ("就业方式", "公益岗位", "公益性岗位"),
        ("就业方式", "灵活就业", "灵活就业"),
        ("务工区域", "乡（镇）内务工", "乡镇内"),
        ("务工区域", "乡(镇)外县内务工", "县内乡外"),
        ("务工区域", "乡外县内务工", "县内乡外"),
        ("务工区域", "县外省内务工", "省内县外"),
        ("务工区域", "区内县外务工", "省内县外"),
        ("务工区域", "省外务工", "省外"),
        ("务工区域", "区外务工", "省外"),
        ("务工区域", "国外", "国外"),
    ],
)
def test_labor_value_aliases(tmp_path, header, written, expected):
    result = one_labor(tmp_path, **{header: written})
    assert result.ok, [str(p) for p in result.problems]
    key = {"是否建档立卡": "is_poor", "就业状态": "employed", "就业方式": "mode", "务工区域": "work_area"}[header]
    got = result.tables["labor"].iloc[0][key]
    assert (bool(got) if isinstance(expected, bool) else got) == expected


@pytest.mark.parametrize("written", ["失业", "未务工", "返乡未就业", "待业", "未就业"])
def test_unemployed_aliases(tmp_path, written):
    result = one_labor(tmp_path, 就业状态=written, 就业方式=None, 务工区域=None, **{"月收入（元）": None})
    assert result.ok, [str(p) for p in result.problems]
    assert result.tables["labor"].iloc[0].employed == "未就业"


@pytest.mark.parametrize("written", ["区内", " 区内 ", "区内务工"])
def test_bare_qunei_is_an_error_asking_for_a_clearer_value(tmp_path, written):
    result = one_labor(tmp_path, 务工区域=written)
    [err] = result.errors
    assert (err.sheet, err.row, err.column, err.value) == (LABOR, 2, "务工区域", written.strip())
    assert "歧义" in err.message and "乡镇内" in err.message


def test_unknown_value_lists_the_allowed_ones(tmp_path):
    result = one_labor(tmp_path, 就业方式="打零工")
    [err] = result.errors
    assert (err.row, err.column, err.value) == (2, "就业方式", "打零工")
    assert "外出务工" in err.message and "扶贫车间" in err.message


def test_employed_without_mode_is_an_error(tmp_path):
    result = one_labor(tmp_path, 就业方式=None)
    [err] = result.errors
    assert (err.row, err.column) == (2, "就业方式")
    assert "必须填写就业方式" in err.message


@pytest.mark.parametrize(
    "written, expected",
    [("稳岗就业补贴", "稳岗补贴"), ("扶贫公益性岗位补贴", "公益性岗位补贴"), ("一次性交通补贴", "一次性交通补贴"), ("短期技能培训以奖代补", "短期技能培训以奖代补")],
)
def test_subsidy_type_aliases(tmp_path, written, expected):
    rows = [SUBSIDY_HEADER, ["2020-03-15", written, "个人", "张三", ID[0], "庆远镇", 500]]
    result = load_rows(tmp_path, rows, SUBSIDY)
    assert result.ok, [str(p) for p in result.problems]
    assert result.tables["subsidies"].iloc[0].subsidy_type == expected


# --- ID numbers --------------------------------------------------------------------


def test_check_digit_known_public_examples():
    # The GB 11643 worked example and a number with check digit X.
    assert idcard.check_digit("34052419800101001") == "X"
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.check_digit("44052418800101001") == "4"


def _x_id() -> str:
    for seq in range(1, 400):
        candidate = make_id("19900101", seq)
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no X check digit found")


X_ID = _x_id()


@pytest.mark.parametrize(
    "cell, stored, reason",
    [
        (ID[0], ID[0], None),
        (X_ID[:17] + "x", X_ID, None),  # lower-case x upper-cased
        (" " + ID[1][:6] + " " + ID[1][6:] + " ", ID[1], None),  # stray spaces
        ("４５１２０３" + ID[2][6:], ID[2], None),  # full-width digits
        (make_id("19850312", 7, region="451281"), make_id("19850312", 7, region="451281"), None),  # pre-2016 prefix
        (make_id("19850312", 7, region="110105"), make_id("19850312", 7, region="110105"), None),  # any region
        (with_wrong_check(ID[0]), None, "校验码错误"),
        (ID[0][:17], None, "应为18位"),
        (ID[0] + "1", None, "应为18位"),
        ("45120319801301001" + idcard.check_digit("45120319801301001"), None, "出生日期无效"),
        ("45120319800230001" + idcard.check_digit("45120319800230001"), None, "出生日期无效"),
        ("45120318800101001" + idcard.check_digit("45120318800101001"), None, "出生日期无效"),
        ("45120321000101001" + idcard.check_digit("45120321000101001"), None, "出生日期无效"),
        (451203198001010011, None, "存成了数字"),  # a NUMERIC Excel cell
        (4.51203198001010e17, None, "存成了数字"),
        ("4.51203E+17", None, "存成了数字"),  # the text Excel shows for it
        ("4.51203e+17", None, "存成了数字"),
        ("451203198001010000.0", None, "存成了数字"),
    ],
)
def test_id_numbers(tmp_path, cell, stored, reason):
    result = one_labor(tmp_path, 证件号码=cell)
    if reason is None:
        assert result.ok, [str(p) for p in result.problems]
        assert result.tables["labor"].iloc[0].id_number == stored
    else:
        [err] = result.errors
        assert (err.sheet, err.row, err.column) == (LABOR, 2, "证件号码")
        assert reason in err.message
        if reason == "校验码错误":
            assert f"末位应为{ID[0][-1]}" in err.message


def test_numeric_id_cell_is_reported_even_when_its_digits_would_pass(tmp_path):
    # 15-digit numbers survive Excel intact, but a numeric cell is still refused with the "number" reason.
    result = one_labor(tmp_path, 证件号码=451203800101001)
    [err] = result.errors
    assert "存成了数字" in err.message


# --- money -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, cell, fen",
    [
        ("金额（万元）", 2.218, 2_218_000),  # 22,180 yuan
        ("金额（万元）", "2.218", 2_218_000),
        ("金额（万元）", 14.22, 14_220_000),  # 142,200 yuan
        ("金额(万元)", "76.88", 76_880_000),
        ("金额（万元）", 299.4, 299_400_000),
        ("金额（万元）", 0.0001, 100),  # one yuan
        ("金额（元）", 1234.56, 123_456),
        ("金额（元）", "1,234.56", 123_456),
        ("金额（元）", "1,234,567.8", 123_456_780),
        ("金额（元）", "1，500", 150_000),
        ("金额（元）", "￥800.00", 80_000),
        ("金额（元）", "800元", 80_000),
        ("金额（元）", 0.1 + 0.2, 30),  # a formula's binary noise is not a fraction of a fen
        ("补贴金额", 2000, 200_000),
        ("发放金额", "2000", 200_000),
    ],
)
def test_money_is_exact_fen(tmp_path, header, cell, fen):
    rows = [SUBSIDY_HEADER[:-1] + [header], ["2020-03-15", "稳岗补贴", "个人", "张三", ID[0], "庆远镇", cell]]
    result = load_rows(tmp_path, rows, SUBSIDY)
    assert result.ok, [str(p) for p in result.problems]
    amount = result.tables["subsidies"].iloc[0].amount
    assert int(amount) == fen


@pytest.mark.parametrize(
    "header, cell, reason",
    [
        ("金额（元）", "12.345", "精确到分"),
        ("金额（万元）", "0.0000001", "精确到分"),
        ("金额（元）", "-5", "金额应大于0"),
        ("金额（元）", 0, "金额应大于0"),
        ("金额（元）", "五百", "不是数字"),
    ],
)
def test_bad_money(tmp_path, header, cell, reason):
    rows = [SUBSIDY_HEADER[:-1] + [header], ["2020-03-15", "稳岗补贴", "个人", "张三", ID[0], "庆远镇", cell]]
    result = load_rows(tmp_path, rows, SUBSIDY)
    [err] = result.errors
    assert (err.sheet, err.row, err.column) == (SUBSIDY, 2, header)
    assert reason in err.message


@pytest.mark.parametrize(
    "text, wan, fen",
    [("2.218", True, 2_218_000), ("14.22", True, 14_220_000), ("31.3", True, 31_300_000), ("0.01", False, 1), ("1,000.50", False, 100_050)],
)
def test_money_parser(text, wan, fen):
    assert values.money_parser(wan)(text) == fen


def test_monthly_income_in_yuan(tmp_path):
    result = one_labor(tmp_path, **{"月收入（元）": "3,500.50"})
    assert int(result.tables["labor"].iloc[0].monthly_income) == 350_050


# --- dates and months ----------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2020-03-15", dt.date(2020, 3, 15)),
        ("2020/3/15", dt.date(2020, 3, 15)),
        ("2020年3月15日", dt.date(2020, 3, 15)),
        ("2020.3.15", dt.date(2020, 3, 15)),
        ("20200315", dt.date(2020, 3, 15)),
        (dt.date(2020, 3, 15), dt.date(2020, 3, 15)),  # an Excel date cell
        (dt.datetime(2020, 3, 15, 9, 30), dt.date(2020, 3, 15)),  # a date cell with a time of day
        (43905, dt.date(2020, 3, 15)),  # an Excel serial number as a number
        ("43905", dt.date(2020, 3, 15)),  # ... and as text
        (43905.5, dt.date(2020, 3, 15)),  # a serial with a time of day
    ],
)
def test_dates(tmp_path, cell, expected):
    rows = [SUBSIDY_HEADER, [cell, "稳岗补贴", "个人", "张三", ID[0], "庆远镇", 500]]
    result = load_rows(tmp_path, rows, SUBSIDY)
    assert result.ok, [str(p) for p in result.problems]
    row = result.tables["subsidies"].iloc[0]
    assert row.paid_on == expected
    assert row.period == "2020-03"


@pytest.mark.parametrize(
    "cell, reason", [("2020-02-30", "不存在"), ("2021-02-29", "不存在"), ("2020-13-01", "不存在"), ("三月十五", "无法识别"), ("2020-3", "无法识别")]
)
def test_bad_dates(tmp_path, cell, reason):
    rows = [SUBSIDY_HEADER, [cell, "稳岗补贴", "个人", "张三", ID[0], "庆远镇", 500]]
    result = load_rows(tmp_path, rows, SUBSIDY)
    [err] = result.errors
    assert (err.sheet, err.row, err.column, err.value) == (SUBSIDY, 2, "发放日期", cell)
    assert reason in err.message


@pytest.mark.parametrize(
    "cell, month",
    [
        ("2020-09", "2020-09"),
        ("2020年9月", "2020-09"),
        ("2020年09月", "2020-09"),
        ("202009", "2020-09"),
        (202009, "2020-09"),
        ("2020/9", "2020-09"),
        ("2020.9", "2020-09"),
        ("2020-09-30", "2020-09"),
        (dt.date(2020, 9, 1), "2020-09"),
        (44075, "2020-09"),  # serial of 2020-09-01
        ("2020年10月", "2020-10"),
    ],
)
def test_months(tmp_path, cell, month):
    result = one_labor(tmp_path, 统计时点=cell)
    assert result.ok, [str(p) for p in result.problems]
    row = result.tables["labor"].iloc[0]
    assert (row.month, row.period) == (month, month)


@pytest.mark.parametrize("cell", ["2020-13", "202013", "九月", "2020"])
def test_bad_months(tmp_path, cell):
    result = one_labor(tmp_path, 统计时点=cell)
    [err] = result.errors
    assert (err.row, err.column, err.value) == (2, "统计时点", cell)
    assert "月份" in err.message


def test_month_of_a_numeric_cell_2020_point_1_is_not_silently_january(tmp_path):
    # A clerk types 2020.10 in a General cell; Excel keeps the number 2020.1.
    result = one_labor(tmp_path, 统计时点=2020.10)
    [err] = result.errors
    assert (err.row, err.column) == (2, "统计时点")


@pytest.mark.parametrize("text, month", [("2020-09", "2020-09"), ("2020年9月", "2020-09"), ("202009", "2020-09"), ("2020/9", "2020-09")])
def test_parse_month(text, month):
    assert values.parse_month(text) == month


# --- townships ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, township",
    [
        ("福龙", "福龙瑶族乡"),
        ("福龙乡", "福龙瑶族乡"),
        ("福龙瑶族乡", "福龙瑶族乡"),
        ("刘三姐乡", "刘三姐镇"),
        ("刘三姐", "刘三姐镇"),
        ("北牙乡", "北牙瑶族乡"),
        ("北牙", "北牙瑶族乡"),
        ("庆远", "庆远镇"),
        (" 庆远镇 ", "庆远镇"),
        ("三岔镇", "三岔镇"),
    ],
)
def test_township_spellings(tmp_path, written, township):
    result = one_labor(tmp_path, 乡镇=written)
    assert result.ok, [str(p) for p in result.problems]
    assert result.tables["labor"].iloc[0].township == township


@pytest.mark.parametrize("written", ["宜山镇", "河池市", "庆远村"])
def test_unknown_township(tmp_path, written):
    result = one_labor(tmp_path, 乡镇=written)
    [err] = result.errors
    assert (err.sheet, err.row, err.column, err.value) == (LABOR, 2, "乡镇", written)
    assert "未知乡镇" in err.message and "庆远镇" in err.message


def test_township_sheet_replaces_the_default_list(tmp_path):
    towns = [
        TOWNSHIP_HEADER,
        ["451203100", "庆远镇", "镇", "", "宜州区"],
        ["451203999", "新城街道", "街道", "新城、城北", "宜州区"],
    ]
    labor = [
        LABOR_HEADER,
        labor_row("2020-09", "新城街道", "城东村", "甲", ID[0]),
        labor_row("2020-09", "城北", "城东村", "乙", ID[1]),
        labor_row("2020-09", "庆远", "城东村", "丙", ID[2]),
        labor_row("2020-09", "三岔镇", "城东村", "丁", ID[3]),  # a default township, not in the sheet
    ]
    path = write_workbook(tmp_path / "b.xlsx", {LABOR: labor, "行政区划": towns})
    result = loaders.load(path)
    assert [t.name for t in result.townships] == ["庆远镇", "新城街道"]
    assert result.townships[1] == Township("451203999", "新城街道", "街道", ("新城", "城北"), "宜州区")
    [err] = result.errors
    assert (err.sheet, err.row, err.column, err.value) == (LABOR, 5, "乡镇", "三岔镇")
    assert result.tables["labor"].township.tolist()[:3] == ["新城街道", "新城街道", "庆远镇"]


def test_stored_township_list_is_used(tmp_path):
    stored = (Township("1", "新城街道", "街道"),)
    result = load_rows(tmp_path, [LABOR_HEADER, labor_row("2020-09", "新城", "村", "甲", ID[0])], townships=stored)
    assert result.ok and result.tables["labor"].iloc[0].township == "新城街道"
    result = load_rows(tmp_path, [LABOR_HEADER, LABOR_VALUES], townships=stored)
    assert [p.value for p in result.errors] == ["庆远镇"]


def test_default_list_has_yizhous_16_townships():
    assert len(DEFAULT_TOWNSHIPS) == 16
    assert len({t.name for t in DEFAULT_TOWNSHIPS}) == 16


# --- CSV ---------------------------------------------------------------------------

CSV_ROWS = [
    ["宜州区贫困劳动力就业台账（2020年9月）"],
    ["序号", *LABOR_HEADER],
    ["1", *labor_row("2020年9月", "福龙", "那安村", "蓝䶮", ID[0], income="3,000")],
    ["2", *labor_row("2020-09", "刘三姐乡", "尚宁村", "韦秀英", ID[1], poor="一般农户", status="失业", mode="", area="", income="")],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = write_csv(tmp_path / "劳动力就业台账.csv", CSV_ROWS, encoding)
    result = loaders.load(path)
    assert result.ok, [str(p) for p in result.problems]
    assert result.sheet_names == {"labor": LABOR}
    frame = result.tables["labor"]
    assert frame["name"].tolist() == ["蓝䶮", "韦秀英"]
    assert frame.township.tolist() == ["福龙瑶族乡", "刘三姐镇"]
    assert frame.source_row.tolist() == [3, 4]
    assert frame.monthly_income.tolist()[0] == 300_000


def test_rare_character_needs_gb18030_not_gbk():
    with pytest.raises(UnicodeEncodeError):
        "蓝䶮".encode("gbk")


def test_csv_in_gbk(tmp_path):
    rows = [r[:] for r in CSV_ROWS]
    rows[2] = ["1", *labor_row("2020年9月", "福龙", "那安村", "蓝凤", ID[0], income="3,000")]
    path = write_csv(tmp_path / "劳动力就业台账.csv", rows, "gbk")
    result = loaders.load(path)
    assert result.ok
    assert result.tables["labor"]["name"].tolist() == ["蓝凤", "韦秀英"]


def test_csv_from_bytes_and_semicolons(tmp_path):
    data = csv_bytes([LABOR_HEADER, LABOR_VALUES], "utf-8-sig").replace(b",", b";")
    result = loaders.load(tmp_path / "劳动力就业台账.csv", data=data)
    assert result.ok and result.tables["labor"].iloc[0]["name"] == "张三"


def test_csv_id_as_scientific_text(tmp_path):
    path = write_csv(tmp_path / "劳动力就业台账.csv", [LABOR_HEADER, labor_row("2020-09", "庆远镇", "村", "甲", "4.51203E+17")])
    [err] = loaders.load(path).errors
    assert (err.sheet, err.row, err.column) == (LABOR, 2, "证件号码") and "存成了数字" in err.message


# --- sex, phone, part of total -------------------------------------------------------


def test_sex_is_derived_from_the_id_when_absent(tmp_path):
    male, female = make_id("19800101", 11, male=True), make_id("19800101", 12, male=False)
    rows = [LABOR_HEADER, labor_row("2020-09", "庆远镇", "村", "甲", male), labor_row("2020-09", "庆远镇", "村", "乙", female)]
    result = load_rows(tmp_path, rows)
    assert result.ok and result.problems == []
    assert result.tables["labor"].sex.tolist() == ["男", "女"]


def test_sex_mismatch_is_a_warning(tmp_path):
    male = make_id("19800101", 11, male=True)
    rows = [LABOR_HEADER + ["性别"], labor_row("2020-09", "庆远镇", "村", "甲", male) + ["女"], labor_row("2020-09", "庆远镇", "村", "乙", ID[1]) + [None]]
    result = load_rows(tmp_path, rows)
    assert result.ok
    [warning] = result.problems
    assert (warning.level, warning.row, warning.column, warning.value) == (WARNING, 2, "性别", "女")
    assert result.tables["labor"].sex.tolist()[0] == "女"  # kept as written
    assert result.tables["labor"].sex.tolist()[1] == idcard.sex_of(pd.Series([ID[1]])).iloc[0]


@pytest.mark.parametrize(
    "phone, level, stored",
    [
        ("13800000000", None, "13800000000"),
        (13800000000, None, "13800000000"),
        ("138-0000-0000", None, "13800000000"),
        ("1380000000", WARNING, None),
        ("0778-3222222", WARNING, None),
    ],
)
def test_phone(tmp_path, phone, level, stored):
    rows = [LABOR_HEADER + ["联系电话"], LABOR_VALUES + [phone]]
    result = load_rows(tmp_path, rows)
    assert result.ok
    if level is None:
        assert result.problems == []
        assert result.tables["labor"].iloc[0].phone == stored
    else:
        [warning] = result.problems
        assert (warning.level, warning.row, warning.column) == (WARNING, 2, "联系电话")


@pytest.mark.parametrize(
    "sheet, rows, column",
    [
        ("扶贫车间台账", [WORKSHOP_HEADER, ["2020-09", "车间A", "庆远镇", "村", "2020-03-01", 10, 11]], "其中贫困劳动力"),
        ("返岗输送台账", [TRANSPORT_HEADER, ["P1", "2020-03-01", "东莞", "庆远镇", 10, 12]], "其中建档立卡"),
    ],
)
def test_part_above_total(tmp_path, sheet, rows, column):
    result = load_rows(tmp_path, rows, sheet)
    [err] = result.errors
    assert (err.sheet, err.row, err.column) == (sheet, 2, column)
    assert "不能大于" in err.message


def test_transport_without_township_is_district_wide(tmp_path):
    result = load_rows(tmp_path, [TRANSPORT_HEADER, ["P1", "2020-03-01", "东莞", None, 10, 2]], "返岗输送台账")
    assert result.ok
    assert pd.isna(result.tables["transport"].iloc[0].township)


def test_all_problems_are_collected_at_once(tmp_path):
    rows = [
        LABOR_HEADER,
        labor_row("2020-09", "庆远镇", "村", "甲", with_wrong_check(ID[0])),
        labor_row("2020-09", "火星乡", "村", "乙", ID[1]),
        labor_row("2020-02-30", "庆远镇", "村", "丙", ID[2]),
        labor_row("2020-09", "庆远镇", "村", "丁", ID[3], income=-1),
    ]
    result = load_rows(tmp_path, rows)
    got = sorted((p.row, p.column) for p in result.errors)
    assert got == [(2, "证件号码"), (3, "乡镇"), (4, "统计时点"), (5, "月收入（元）")]


def test_problem_text_is_chinese_and_names_everything(tmp_path):
    result = one_labor(tmp_path, 证件号码=with_wrong_check(ID[0]))
    [err] = result.errors
    text = str(err)
    assert text.startswith("[错误] 文件“book.xlsx”工作表“劳动力就业台账”第2行E列“证件号码”：")
    assert with_wrong_check(ID[0]) in text and "校验码错误" in text
    assert err.level == ERROR


@pytest.mark.parametrize(
    "header, cell, reason",
    [("家庭人口数", 0, "不能小于1"), ("家庭人口数", 21, "不能大于20"), ("务工时间（月）", 13, "不能大于12"), ("务工时间（月）", "3.5", "应为整数")],
)
def test_int_ranges(tmp_path, header, cell, reason):
    result = load_rows(tmp_path, [LABOR_HEADER + [header], LABOR_VALUES + [cell]])
    [err] = result.errors
    assert (err.row, err.column) == (2, header) and reason in err.message


def test_parse_date_and_decimal_are_exact():
    assert values.parse_date("2020年3月15日") == dt.date(2020, 3, 15)
    assert values.parse_number("90%") == Decimal("90")


# --- fixes: units in money headers, implausible years, one error per bad cell -------------


@pytest.mark.parametrize(
    "header, cell, fen",
    [("发放金额（万元）", 2.218, 2_218_000), ("补贴金额(万元)", "14.22", 14_220_000), ("发放金额（元）", 800, 80_000), ("金额", 800, 80_000)],
)
def test_money_header_with_or_without_its_unit(tmp_path, header, cell, fen):
    rows = [SUBSIDY_HEADER[:-1] + [header], ["2020-03-15", "稳岗补贴", "个人", "张三", ID[0], "庆远镇", cell]]
    result = load_rows(tmp_path, rows, SUBSIDY)
    assert result.ok and result.problems == [], [str(p) for p in result.problems]
    assert int(result.tables["subsidies"].iloc[0].amount) == fen


@pytest.mark.parametrize("header, fen", [("月工资（元）", 350_000), ("月均收入(元)", 350_000), ("月收入", 350_000)])
def test_income_header_with_its_unit_is_not_dropped(tmp_path, header, fen):
    rows = [LABOR_HEADER[:-1] + [header], labor_row("2020-09", "庆远镇", "村", "甲", ID[0], income=3500)]
    result = load_rows(tmp_path, rows)
    assert result.ok and result.warnings == []
    assert int(result.tables["labor"].iloc[0].monthly_income) == fen


@pytest.mark.parametrize("cell", ["0202-03-15", "2920-03-15", "1020年3月15日"])
def test_date_with_a_mistyped_year_is_an_error(tmp_path, cell):
    rows = [SUBSIDY_HEADER, [cell, "稳岗补贴", "个人", "张三", ID[0], "庆远镇", 500]]
    result = load_rows(tmp_path, rows, SUBSIDY)
    [err] = result.errors
    assert (err.row, err.column, err.value) == (2, "发放日期", cell) and "年份" in err.message


def test_personal_payment_needs_an_id_and_a_bad_one_is_reported_once(tmp_path):
    rows = [
        SUBSIDY_HEADER,
        ["2020-03-15", "稳岗补贴", "个人", "张三", None, "庆远镇", 500],
        ["2020-03-15", "稳岗补贴", "个人", "李四", "12345", "庆远镇", 500],
        ["2020-03-15", "企业吸纳就业补贴", "企业", "宜州缫丝厂", None, "庆远镇", 500],
    ]
    result = load_rows(tmp_path, rows, SUBSIDY)
    got = [(p.row, p.column, p.message) for p in result.errors]
    assert got == [(2, "证件号码", "对象类型为个人时必须填写证件号码"), (3, "证件号码", idcard.REASON_FORMAT)]


def test_group_files_each_workbook_alone_csv_files_together():
    from pathlib import Path

    files = [(Path("庆远镇.xlsx"), b""), (Path("劳动力就业台账.csv"), b""), (Path("三岔镇.XLSX"), b""), (Path("补贴发放台账.CSV"), b"")]
    assert [[p.name for p, _ in g] for g in loaders.group_files(files)] == [
        ["庆远镇.xlsx"], ["劳动力就业台账.csv", "补贴发放台账.CSV"], ["三岔镇.XLSX"]
    ]
    assert loaders.group_files([]) == []
