"""Workbooks as township staff really write them (shared/ledger-format.md, "How staff
really write it"): each a small workbook built here, with exact figures or a message
that points at the cell."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import xlsxwriter

import loaders
from ledger.query.statements import figures
from ledger.store.config import make_engine
from ledger.store.imports import read_and_import
from loaders.validate import ERROR, NOTE, WARNING
from tests.fixtures_ledger import (
    LABOR_HEADER,
    POSTS_HEADER,
    SUBSIDY_HEADER,
    TRAINING_HEADER,
    TRANSPORT_HEADER,
    ids,
    labor_row,
)

P = ids(12, start=501)
LABOR = "劳动力就业台账"


@dataclass
class S:
    """A sheet: rows from ``top`` (Excel row 1 = index 0), merges as "A3:A5", formulas
    as {"C4": ("=1/0", "#DIV/0!")} (formula, cached value; "" = none)."""

    rows: list[list]
    merges: list[str] = field(default_factory=list)
    formulas: dict[str, tuple[str, object]] = field(default_factory=dict)


def book(path: Path, sheets: dict[str, S | list]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, sheet in sheets.items():
        sheet = sheet if isinstance(sheet, S) else S(sheet)
        ws = wb.add_worksheet(name)
        covered = set()
        for ref in sheet.merges:
            (r0, c0), (r1, c1) = (xlsxwriter.utility.xl_cell_to_rowcol(x) for x in ref.split(":"))
            ws.merge_range(r0, c0, r1, c1, sheet.rows[r0][c0] if c0 < len(sheet.rows[r0]) else None)
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if (r, c) in covered or value is None:
                    continue
                if isinstance(value, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
        for ref, (formula, value) in sheet.formulas.items():
            ws.write_formula(ref, formula, None, value)
    wb.close()
    return path


def labor(n=3, month="2020-09", township="庆远镇", **kw):
    return [labor_row(month, township, "城东村", f"人{i}", P[i], income=3000 + 1000 * i, **kw) for i in range(n)]


def load(tmp_path, sheets, name="t.xlsx"):
    return loaders.load(book(tmp_path / name, sheets))


def messages(result, level=ERROR):
    return [str(p) for p in result.problems if p.level == level]


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'l.db'}")


def imported(engine, tmp_path, sheets, name="t.xlsx", as_of="2020-09-30", township=None):
    outcome = read_and_import(engine, book(tmp_path / name, sheets), user="t")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return figures(engine, dt.date.fromisoformat(as_of), township=township).values


# --- Totals and footers ----------------------------------------------------------------------


def test_a_totals_row_with_values_filled_down_is_skipped_and_never_counted(engine, tmp_path):
    rows = [SUBSIDY_HEADER,
            ["2020-03-15", "稳岗补贴", "个人", "张三", P[0], "庆远镇", 5000],
            ["2020-03-15", "稳岗补贴", "个人", "李四", P[1], "庆远镇", 3000],
            ["2020-03-15", "稳岗补贴", "合计", "合计", None, "庆远镇", 8000]]
    transport = [TRANSPORT_HEADER, ["P1", "2020-03-01", "东莞", "庆远镇", 40, 4], ["P2", "2020-03-02", "深圳", "庆远镇", 35, 3],
                 ["合计", "2020-03-02", "", "庆远镇", 75, 7]]
    values = imported(engine, tmp_path, {"补贴发放台账": rows, "返岗输送台账": transport})
    assert values["subsidy.total"] == 8000
    assert (values["transport.people"], values["transport.batches"], values["transport.poor"]) == (75, 2, 7)


def test_totals_rows_are_said_and_a_wrong_total_is_a_warning_naming_both(tmp_path):
    rows = [["序号"] + LABOR_HEADER] + [[i + 1] + r for i, r in enumerate(labor(3))] + [["合计", *[None] * 9, 9999]]
    rows += [["小计"] + [None] * 10, [None] * 11, ["填表人：王五", None, None, "审核人：赵六"], ["填报日期：2020年10月5日"]]
    result = load(tmp_path, {LABOR: rows})
    assert result.ok, messages(result)
    assert len(result.tables["labor"]) == 3
    notes = [(p.row, p.message) for p in result.notes if p.row]
    assert (5, "第5行为合计行，已跳过（不计入）") in notes
    assert (6, "第6行为小计行，已跳过（不计入）") in notes
    assert {8, 9} <= {r for r, m in notes if "落款" in m}
    [warning] = result.warnings
    assert (warning.row, warning.letter, warning.column) == (5, "K", "月收入（元）")
    assert "9,999.00元" in warning.message and "第2–4行之和12,000.00元" in warning.message


@pytest.mark.parametrize("where", ["序号", "first text", "name"])
def test_totals_found_in_serial_first_text_or_name_cell(tmp_path, where):
    header = ["序号"] + POSTS_HEADER
    data = [[1, "扶贫公益性岗位", "保洁员", "庆远镇", "城东村", "张三", P[0], "2020-03-01"]]
    total = {"序号": ["总计", None, None, None, None, None, None, None],
             "first text": [None, "全镇合计", None, None, None, None, None, None],
             "name": [None, "扶贫公益性岗位", None, "庆远镇", None, "累计", None, "2020-03-01"]}[where]
    result = load(tmp_path, {"公益性岗位台账": [header, *data, total]})
    assert result.ok, messages(result)
    assert len(result.tables["posts"]) == 1
    assert any("已跳过" in p.message for p in result.notes)


# --- Merged cells and two-row headers ----------------------------------------------------------


def test_values_merged_down_belong_to_every_row_they_span(engine, tmp_path):
    header = LABOR_HEADER + ["户编号"]
    rows = [["宜州区贫困劳动力就业台账（2020年9月）"], header]
    for i in range(4):
        rows.append(labor_row("2020-09", "北山镇", "六坡村", f"人{i}", P[i], area="省外" if i < 3 else "县内乡外") + ["H1" if i < 2 else "H2"])
    sheet = S(rows, merges=["A1:K1", "B3:B6", "C3:C6", "I3:I5", "K3:K4", "K5:K6"])
    values = imported(engine, tmp_path, {LABOR: sheet})
    assert (values["labor.total"], values["labor.area.省外"], values["labor.area.县内乡外"]) == (4, 3, 1)
    township = imported(engine, tmp_path, {LABOR: sheet}, township="北山镇")
    assert township["labor.total"] == 4


def test_a_range_merged_past_the_last_person_is_not_a_row(tmp_path):
    rows = [LABOR_HEADER, *labor(2), [None] * 10, [None] * 10]
    result = load(tmp_path, {LABOR: S(rows, merges=["B2:B5"])})
    assert result.ok, messages(result)
    assert len(result.tables["labor"]) == 2


def test_a_data_cell_merged_across_two_columns_is_refused(tmp_path):
    rows = [LABOR_HEADER, *labor(2)]
    result = load(tmp_path, {LABOR: S(rows, merges=["H3:I3"])})
    [error] = result.errors
    assert error.row == 3 and "跨列的合并单元格" in error.message and "H3:I3" in error.message


def test_two_row_header_with_a_group_title(engine, tmp_path):
    top = ["统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业情况", None, None, "月收入（元）"]
    sub = [None, None, None, None, None, None, "是否就业", "就业方式", "务工区域", None]
    data = [["2020-09", "庆远镇", "城东村", "张三", P[0], "是", "是", "外出务工", "省外", 3000],
            ["2020-09", "庆远镇", "城东村", "李四", P[1], "否", "否", None, None, None]]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:F2", "G1:I1", "J1:J2"]
    values = imported(engine, tmp_path, {LABOR: S([top, sub, *data], merges=merges)})
    assert (values["labor.total"], values["labor.employed"], values["labor.unemployed"], values["labor.area.省外"]) == (2, 1, 1, 1)


def test_merged_cells_are_read_from_xls_and_ods_too(tmp_path):
    rows = [LABOR_HEADER, *labor(3)]
    source = book(tmp_path / "m.xlsx", {LABOR: S(rows, merges=["B2:B4", "I2:I4"])})
    for fmt in ("xls", "ods"):
        result = loaders.load(_office(tmp_path, source, fmt))
        assert result.ok, messages(result)
        frame = result.tables["labor"]
        assert frame["township"].tolist() == ["庆远镇"] * 3 and frame["work_area"].tolist() == ["省外"] * 3, fmt


# --- The month of a snapshot sheet -----------------------------------------------------------------


def _no_month(n=2):
    return [LABOR_HEADER[1:]] + [r[1:] for r in labor(n)]


@pytest.mark.parametrize(
    "sheet_name, title, file_name, month, where",
    [
        (LABOR, "宜州区贫困劳动力就业台账（2020年9月）", "t.xlsx", "2020-09", "标题行"),
        (LABOR, "庆远镇贫困劳动力台账（二〇二〇年九月）", "t.xlsx", "2020-09", "标题行"),
        (LABOR, "庆远镇20年8月份台账", "t.xlsx", "2020-08", "标题行"),
        ("2020年9月", None, "t.xlsx", "2020-09", "工作表名"),
        ("劳动力（2020年7月份）", None, "t.xlsx", "2020-07", "工作表名"),
        (LABOR, None, "庆远镇2020年9月台账.xlsx", "2020-09", "文件名"),
        (LABOR, "庆远镇9月份台账", "2020年台账.xlsx", "2020-09", "标题行"),
    ],
)
def test_the_month_from_title_sheet_name_or_file_name(tmp_path, sheet_name, title, file_name, month, where):
    rows = ([[title]] if title else []) + _no_month()
    result = load(tmp_path, {sheet_name: rows}, file_name)
    assert result.ok, messages(result)
    assert set(result.tables["labor"]["period"]) == {month}
    [note] = [p for p in result.notes if "月份取自" in p.message]
    assert where in note.message


def test_a_filled_in_date_is_never_the_month(engine, tmp_path):
    rows = [["宜州区贫困劳动力就业台账（2020年9月）"], ["填报日期"] + LABOR_HEADER[1:]]
    rows += [[dt.date(2020, 10, 5)] + r[1:] for r in labor(3)]
    values = imported(engine, tmp_path, {LABOR: rows})
    assert values["labor.total"] == 3
    assert figures(engine, dt.date(2020, 10, 31)).values["labor.total"] == 3  # the latest month ≤ October is September


def test_no_month_anywhere_is_an_error(tmp_path):
    result = load(tmp_path, {LABOR: _no_month()})
    [error] = result.errors
    assert error.column == "统计时点*" and "缺少必填列" in error.message


@pytest.mark.parametrize("cell", ["9月", "9月份", "九月"])
def test_a_month_without_its_year_takes_the_year_from_the_title(tmp_path, cell):
    rows = [["庆远镇2020年贫困劳动力台账"], LABOR_HEADER] + [[cell] + r[1:] for r in labor(2)]
    result = load(tmp_path, {LABOR: rows})
    assert result.ok, messages(result)
    assert set(result.tables["labor"]["month"]) == {"2020-09"}
    assert any("没有写年份" in p.message and "2020年" in p.message for p in result.notes)


def test_a_month_without_a_year_anywhere_is_an_error_per_row(tmp_path):
    rows = [LABOR_HEADER] + [["9月"] + r[1:] for r in labor(2)]
    result = load(tmp_path, {LABOR: rows}, "台账.xlsx")
    assert [(e.row, e.letter) for e in result.errors] == [(2, "A"), (3, "A")]
    assert all("没有写年份" in e.message for e in result.errors)


@pytest.mark.parametrize("cell", ["2020年9月份", "二〇二〇年九月", "20年9月"])
def test_more_spellings_of_a_month(tmp_path, cell):
    result = load(tmp_path, {LABOR: [LABOR_HEADER] + [[cell] + r[1:] for r in labor(1)]})
    assert result.ok, messages(result)
    assert result.tables["labor"]["month"].tolist() == ["2020-09"]


def test_a_title_of_one_month_over_rows_of_another_is_refused(tmp_path):
    rows = [["宜州区贫困劳动力就业台账（2020年9月）"], LABOR_HEADER, *labor(2, month="2020-08")]
    result = load(tmp_path, {LABOR: rows})
    [error] = result.errors
    assert "2020年9月" in error.message and "2020年8月" in error.message


# --- Sheets found by their headers -------------------------------------------------------------------


def test_sheets_with_unknown_names_are_found_by_their_headers(engine, tmp_path):
    sheets = {
        "Sheet1": [LABOR_HEADER, *labor(3)],
        "公益岗": [POSTS_HEADER, ["扶贫公益性岗位", "保洁员", "庆远镇", "城东村", "张三", P[0], "2020-03-01"]],
        "培训": [TRAINING_HEADER, ["2020-01", "短期技能培训", "2020-04-01", "庆远镇", "张三", P[0], "是"]],
        "补贴": [SUBSIDY_HEADER, ["2020-03-15", "稳岗补贴", "个人", "张三", P[0], "庆远镇", 500]],
        "说明": [["填表说明：每人一行"]],
        "汇总": [["乡镇", "人数"], ["庆远镇", 3]],
    }
    values = imported(engine, tmp_path, sheets)
    assert (values["labor.total"], values["posts.poverty.count"], values["training.person_times"], values["subsidy.total"]) == (
        3, 1, 1, 500)
    result = load(tmp_path, sheets)
    said = " ".join(p.message for p in result.notes)
    assert "“Sheet1”按表头识别为“劳动力就业台账”" in said and "“补贴”按表头识别为“补贴发放台账”" in said
    assert "“说明”是说明" in said and "“汇总”是汇总表" in said


def test_a_ledger_like_sheet_that_matches_no_table_is_an_error(tmp_path):
    sheets = {LABOR: [LABOR_HEADER, *labor(1)], "困难人员": [["姓名", "身份证号", "乡镇", "困难类型"], ["张三", P[0], "庆远镇", "残疾"]]}
    result = load(tmp_path, sheets)
    [error] = result.errors
    assert error.sheet == "困难人员" and "像是台账表" in error.message and "最接近" in error.message


# --- One vocabulary; notes and units in brackets -----------------------------------------------------------


@pytest.mark.parametrize("id_header", ["身份证号", "身份证号码", "公民身份号码", "身份证号码（18位）"])
@pytest.mark.parametrize("village, township", [("行政村", "所属乡镇"), ("村（社区）", "乡镇名称"), ("所在村", "所在乡镇")])
def test_shared_columns_have_one_vocabulary_on_every_sheet(tmp_path, id_header, village, township):
    rename = {"证件号码": id_header, "村": village, "乡镇": township, "姓名": "姓名（必填）"}
    posts = [[rename.get(h, h) for h in POSTS_HEADER], ["扶贫公益性岗位", "保洁员", "庆远镇", "城东村", "张三", P[0], "2020-03-01"]]
    training = [[rename.get(h, h) for h in TRAINING_HEADER], ["2020-01", "短期技能培训", "2020-04-01", "庆远镇", "张三", P[0], "是"]]
    subsidy = [[rename.get(h, h) for h in SUBSIDY_HEADER], ["2020-03-15", "稳岗补贴", "个人", "张三", P[0], "庆远镇", 500]]
    result = load(tmp_path, {"公益性岗位台账": posts, "技能培训台账": training, "补贴发放台账": subsidy})
    assert result.ok, messages(result)
    assert result.tables["subsidies"]["id_number"].tolist() == [P[0]]
    assert result.tables["posts"]["village"].tolist() == ["城东村"]


def test_a_unit_in_brackets_is_applied_and_a_wrong_one_refused(tmp_path):
    rows = [SUBSIDY_HEADER[:-1] + ["金额（万元）"], ["2020-03-15", "稳岗补贴", "个人", "张三", P[0], "庆远镇", 0.8]]
    result = load(tmp_path, {"补贴发放台账": rows})
    assert result.ok and result.tables["subsidies"]["amount"].tolist() == [800_000]  # 8,000 yuan in fen
    rows = [LABOR_HEADER + ["务工时间（年）"], labor(1)[0] + [1]]
    [error] = load(tmp_path, {LABOR: rows}).errors
    assert error.column == "务工时间（年）" and error.letter == "K" and "单位" in error.message


def test_is_poor_household_header(tmp_path):
    rows = [[h if h != "是否建档立卡" else "是否建档立卡户" for h in LABOR_HEADER], *labor(2)]
    result = load(tmp_path, {LABOR: rows})
    assert result.ok, messages(result)
    assert result.tables["labor"]["is_poor"].tolist() == [True, True]


# --- Values that cannot be right -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sheet, header, rows, bad",
    [
        (LABOR, LABOR_HEADER, [labor_row("2020-09", "庆远镇", "村", "甲", P[0], income=P[1])], "疑似把证件号码"),
        (LABOR, LABOR_HEADER, [labor_row("2020-09", "庆远镇", "村", "甲", P[0], income=int(P[1][:17]))], "疑似把证件号码"),
        (LABOR, LABOR_HEADER, [labor_row("2020-09", "庆远镇", "村", "甲", P[0], income=150000)], "超过100,000元"),
        (LABOR, LABOR_HEADER, [labor_row("2020-09", "庆远镇", "村", "甲", P[0], income=13800001111)], "超过100,000元"),
        ("补贴发放台账", SUBSIDY_HEADER, [["2020-03-15", "稳岗补贴", "个人", "张三", P[0], "庆远镇", 20_000_000]], "超过10,000,000元"),
        ("补贴发放台账", SUBSIDY_HEADER, [["2020-03-15", "稳岗补贴", "个人", "张三", P[0], "庆远镇", P[0]]], "疑似把证件号码"),
        ("返岗输送台账", TRANSPORT_HEADER, [["P1", "2020-03-01", "东莞", "庆远镇", 200_000, 4]], "超过100,000"),
    ],
)
def test_implausible_values_are_errors_naming_the_cell(tmp_path, sheet, header, rows, bad):
    result = load(tmp_path, {sheet: [header, *rows]})
    assert not result.ok
    [error] = result.errors
    assert error.row == 2 and error.letter and bad in error.message, str(error)


def test_formulas_without_a_value_and_error_values_name_the_cell(tmp_path):
    rows = [LABOR_HEADER, *labor(4)]
    formulas = {"J2": ("=J3*2", ""), "J3": ("=1/0", "#DIV/0!"), "J4": ("=NA()", "#N/A"), "J5": ("=J2+1", 4001)}
    result = load(tmp_path, {LABOR: S(rows, formulas=formulas)})
    got = {(e.row, e.letter): e.message for e in result.errors}
    assert set(got) == {(2, "J"), (3, "J"), (4, "J")}
    assert "公式没有计算结果" in got[(2, "J")] and "#DIV/0!" in got[(3, "J")] and "#N/A" in got[(4, "J")]


def _office(tmp_path, source: Path, fmt: str) -> Path:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to", fmt, "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    return tmp_path / f"{source.stem}.{fmt}"


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_error_values_in_xls_and_ods_name_the_cell(tmp_path, fmt):
    rows = [LABOR_HEADER, *labor(3)]
    source = book(tmp_path / "e.xlsx", {LABOR: S(rows, formulas={"J3": ("=1/0", "#DIV/0!"), "J4": ("=NA()", "#N/A")})})
    result = loaders.load(_office(tmp_path, source, fmt))
    got = {(e.row, e.letter): e.message for e in result.errors}
    assert set(got) == {(3, "J"), (4, "J")}, got
    assert "#DIV/0!" in got[(3, "J")] and "#N/A" in got[(4, "J")]


def test_the_template_reads_back_and_its_rules_sheet_is_skipped(tmp_path):
    from loaders.template import write_template

    result = loaders.load(write_template(tmp_path / "模板.xlsx"))
    assert not result.ok and "没有可导入" in result.errors[0].message  # empty: nothing to import
    assert [p.sheet for p in result.notes] == ["填表说明"]


def test_invisible_characters_are_removed(tmp_path):
    rows = [["\u200b统计时点", "乡镇\ufeff", "村", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工区域", "月收入（元）"]]
    rows += [["2020-09", "庆远镇\u200b", "城东村", "张三", "\ufeff" + P[0], "是\u200d", "已就业", "外出务工", "省外", "3000\u200b"]]
    result = load(tmp_path, {LABOR: rows})
    assert result.ok, messages(result)
    row = result.tables["labor"].iloc[0]
    assert (row.township, row.id_number, int(row.monthly_income)) == ("庆远镇", P[0], 300_000)


def test_a_duplicate_names_the_other_row(tmp_path):
    rows = [LABOR_HEADER, *labor(3)]
    rows[3][4] = P[0]
    result = load(tmp_path, {LABOR: rows})
    assert sorted((e.row, e.message) for e in result.errors) == [(2, "同一月份重复（与第4行相同）"), (4, "同一月份重复（与第2行相同）")]


def test_markup_in_place_names_is_refused(tmp_path):
    towns = [["乡镇", "类型"], ["<img src=x onerror=alert(1)>", "镇"], ["庆远镇", "镇"]]
    result = load(tmp_path, {"行政区划": towns})
    assert any(e.row == 2 and "不能含有" in e.message for e in result.errors)
    rows = [LABOR_HEADER, labor_row("2020-09", "庆远镇", "![x](http://127.0.0.2/x.png)", "甲", P[0])]
    [error] = load(tmp_path, {LABOR: rows}).errors
    assert (error.row, error.letter) == (2, "C") and "不能含有" in error.message


def test_every_message_names_file_sheet_row_letter_and_header(tmp_path):
    rows = [LABOR_HEADER, labor_row("2020-09", "火星乡", "村", "甲", P[0])]
    [error] = load(tmp_path, {LABOR: rows}, "庆远镇.xlsx").errors
    assert str(error).startswith("[错误] 文件“庆远镇.xlsx”工作表“劳动力就业台账”第2行B列“乡镇”：值“火星乡”：未知乡镇")


def test_warnings_and_notes_are_kept_when_the_file_is_rejected(tmp_path):
    rows = [["序号"] + LABOR_HEADER + ["网格"], [1] + labor(1)[0] + ["x"], [2] + labor_row("2020-09", "火星乡", "村", "乙", P[1]) + [""],
            ["合计"] + [None] * 11]
    result = load(tmp_path, {LABOR: rows})
    levels = {p.level for p in result.problems}
    assert levels == {ERROR, WARNING, NOTE}
