"""Every kind of bad input is rejected, named in Chinese (sheet, Excel row, column
header, value), and leaves the database exactly as it was, on every backend."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from sqlalchemy import func, select

from ledger.access.masking import mask_id
from ledger.query.statements import figures
from ledger.store.config import make_engine
from ledger.store.history import history
from ledger.store.imports import read_and_import
from ledger.store.schema import DATA, imports, slice_changes, slices
from tests.conftest import ROOT
from tests.fixtures_ledger import (
    LABOR_HEADER,
    SUBSIDY_HEADER,
    TRANSPORT_HEADER,
    WORKSHOP_HEADER,
    ids,
    labor_row,
    small_workbook,
    with_wrong_check,
    write_workbook,
)

LABOR, WORKSHOPS, SUBSIDY, TRANSPORT = "劳动力就业台账", "扶贫车间台账", "补贴发放台账", "返岗输送台账"
PEOPLE = ids(6, start=201)


def _labor(*changed_rows):
    """A three-row labourer sheet; ``changed_rows`` (index, header, value) alter cells."""
    rows = [LABOR_HEADER] + [labor_row("2020-09", "庆远镇", "城东村", f"人{i}", PEOPLE[i]) for i in range(3)]
    for index, header, value in changed_rows:
        rows[index + 1][LABOR_HEADER.index(header)] = value
    return rows


def _without(header):
    col = LABOR_HEADER.index(header)
    return [row[:col] + row[col + 1 :] for row in _labor()]


def _named(sheet_rows: dict):
    return lambda path: write_workbook(path, sheet_rows)


def _bytes(data: bytes):
    def write(path):
        path.write_bytes(data)
        return path

    return write


def _docx_like(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document><w:body><w:p>通知</w:p></w:body></w:document>")
    return path


# (id, file name, builder, [(sheet, row, column, value, message fragment), ...])
CASES = [
    ("bad-check-digit", "a.xlsx", _named({LABOR: _labor((1, "证件号码", with_wrong_check(PEOPLE[1])))}),
     [(LABOR, 3, "证件号码", with_wrong_check(PEOPLE[1]), "校验码错误")]),
    ("id-stored-as-number", "a.xlsx", _named({LABOR: _labor((1, "证件号码", int(PEOPLE[1][:17] + "0")))}),
     [(LABOR, 3, "证件号码", None, "被Excel存成了数字")]),
    ("id-as-scientific-text", "a.xlsx", _named({LABOR: _labor((2, "证件号码", "4.51203E+17"))}),
     [(LABOR, 4, "证件号码", "4.51203E+17", "被Excel存成了数字")]),
    ("missing-required-column", "a.xlsx", _named({LABOR: _without("证件号码")}),
     [(LABOR, 1, "证件号码*", None, "缺少必填列")]),
    ("empty-required-cell", "a.xlsx", _named({LABOR: _labor((0, "姓名", None))}),
     [(LABOR, 2, "姓名", None, "必填项为空")]),
    ("unknown-township", "a.xlsx", _named({LABOR: _labor((2, "乡镇", "宜山乡"))}),
     [(LABOR, 4, "乡镇", "宜山乡", "未知乡镇")]),
    ("negative-amount", "a.xlsx", _named({SUBSIDY: [SUBSIDY_HEADER, ["2020-03-15", "稳岗补贴", "个人", "张三", PEOPLE[0], "庆远镇", -200]]}),
     [(SUBSIDY, 2, "金额（元）", "-200", "金额应大于0")]),
    ("negative-income", "a.xlsx", _named({LABOR: _labor((0, "月收入（元）", "-3000"))}),
     [(LABOR, 2, "月收入（元）", "-3000", "不能小于0")]),
    ("poor-above-on-duty", "a.xlsx", _named({WORKSHOPS: [WORKSHOP_HEADER, ["2020-09", "车间", "庆远镇", "村", "2020-03-01", 20, 21]]}),
     [(WORKSHOPS, 2, "其中贫困劳动力", "21", "不能大于“在岗人数”")]),
    ("poor-above-people", "a.xlsx", _named({TRANSPORT: [TRANSPORT_HEADER, ["P9", "2020-03-01", "东莞", "庆远镇", 30, 31]]}),
     [(TRANSPORT, 2, "其中建档立卡", "31", "不能大于“人数”")]),
    ("duplicate-id-in-a-month", "a.xlsx", _named({LABOR: _labor((2, "证件号码", PEOPLE[0]))}),
     [(LABOR, 2, "证件号码", PEOPLE[0], "同一月份重复（与第4行相同）"), (LABOR, 4, "证件号码", PEOPLE[0], "同一月份重复（与第2行相同）")]),
    ("impossible-date", "a.xlsx", _named({SUBSIDY: [SUBSIDY_HEADER, ["2020-02-30", "稳岗补贴", "个人", "张三", PEOPLE[0], "庆远镇", 200]]}),
     [(SUBSIDY, 2, "发放日期", "2020-02-30", "日期“2020-02-30”不存在")]),
    ("impossible-month", "a.xlsx", _named({LABOR: _labor((1, "统计时点", "2020-13"))}),
     [(LABOR, 3, "统计时点", "2020-13", "月份")]),
    ("unknown-enum-value", "a.xlsx", _named({LABOR: _labor((0, "就业状态", "打工中"))}),
     [(LABOR, 2, "就业状态", "打工中", "不是允许的值（应为已就业、未就业之一）")]),
    ("ambiguous-area", "a.xlsx", _named({LABOR: _labor((1, "务工区域", "区内"))}),
     [(LABOR, 3, "务工区域", "区内", "有歧义")]),
    ("random-bytes", "台账.xlsx", _bytes(os.urandom(2048)),
     [("台账.xlsx", None, "", None, "无法作为Excel工作簿读取")]),
    ("docx-like-zip", "台账.xlsx", _docx_like,
     [("台账.xlsx", None, "", None, "无法作为Excel工作簿读取")]),
    ("a-real-docx", "通知.docx", _docx_like,
     [("通知.docx", None, "", None, "不是Excel工作簿或CSV文件")]),
    ("pdf", "台账.pdf", _bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
     [("台账.pdf", None, "", None, "不是Excel工作簿或CSV文件")]),
    ("empty-file", "台账.xlsx", _bytes(b""),
     [("台账.xlsx", None, "", None, "无法作为Excel工作簿读取")]),
    ("empty-workbook", "台账.xlsx", _named({"Sheet1": []}),
     [("台账.xlsx", None, "", None, "没有可")]),
    ("header-only", "台账.xlsx", _named({LABOR: [LABOR_HEADER]}),
     [(None, None, "", None, "没有可")]),
    # A CSV named like no sheet is found by its headers (tests/test_staff_workbooks.py);
    # one whose headers are no ledger's holds nothing to import.
    ("csv-named-like-no-sheet", "数据.csv", _bytes("项目,数量\n甲,1\n乙,2\n".encode("gb18030")),
     [("数据.csv", None, "", None, "没有可")]),
    ("no-header", "台账.xlsx", _named({LABOR: [["张三", "李四"], ["1", "2"]]}),
     [(LABOR, None, "", None, "找不到表头")]),
]


FILE_LEVEL = {
    "random-bytes", "docx-like-zip", "a-real-docx", "pdf", "empty-file", "empty-workbook", "header-only",
    "csv-named-like-no-sheet", "no-header",
}
LOADER_ONLY = {"impossible-month", "negative-income", "empty-required-cell", "id-as-scientific-text", "ambiguous-area"}
# Every case goes through the loaders alone; the row-level kinds of the format also go one by one
# through an import on every backend, and the file-level ones in one import test per backend, to
# keep the suite fast.
DB_CASES = [c for c in CASES if c[0] not in FILE_LEVEL | LOADER_ONLY]


def _check_problems(outcome, expected) -> None:
    # A file-level problem names the file (a file is not a 工作表); the others the sheet.
    got = [(p.sheet or p.file, p.row, p.column, p.value, p.message) for p in outcome.errors]
    assert len(got) == len(expected), got
    for (sheet, row, column, value, fragment), (g_sheet, g_row, g_column, g_value, g_message) in zip(expected, got):
        if sheet is not None:
            assert g_sheet == sheet
        assert (g_row, g_column) == (row, column)
        if value is not None:
            assert g_value == value
        assert fragment in g_message
    for problem in outcome.errors:
        text = str(problem)
        assert text.startswith("[错误] 文件“")
        if problem.row is not None and problem.column and not problem.column.endswith("*"):
            assert f"第{problem.row}行{problem.letter}列“{problem.column}”" in text and problem.letter


@pytest.mark.parametrize("name, filename, build, expected", CASES, ids=[c[0] for c in CASES])
def test_loader_names_every_bad_input(tmp_path, name, filename, build, expected):
    import loaders

    result = loaders.load(build(tmp_path / filename))
    assert result.ok is False
    _check_problems(result, expected)


def snapshot(engine):
    """Everything an import could touch: figures, history, and every row of every table."""
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in [*DATA.values(), imports, slices, slice_changes]}
    return figures(engine).values, history(engine), counts


@pytest.mark.parametrize("name, filename, build, expected", DB_CASES, ids=[c[0] for c in DB_CASES])
def test_bad_input_is_rejected_named_and_changes_nothing(engine, tmp_path, name, filename, build, expected):
    assert read_and_import(engine, small_workbook(tmp_path / "good.xlsx"), user="u").log_id is not None
    before = snapshot(engine)
    assert before[0]["labor.total"] == 3

    outcome = read_and_import(engine, build(tmp_path / filename), user="u")
    assert outcome.ok is False
    assert outcome.log_id is None
    _check_problems(outcome, expected)
    assert snapshot(engine) == before


def test_files_that_are_not_ledgers_are_rejected_and_change_nothing(engine, tmp_path):
    assert read_and_import(engine, small_workbook(tmp_path / "good.xlsx"), user="u").log_id is not None
    before = snapshot(engine)
    for name, filename, build, expected in CASES:
        if name not in FILE_LEVEL:
            continue
        folder = tmp_path / name
        folder.mkdir()
        outcome = read_and_import(engine, build(folder / filename), user="u")
        assert (outcome.ok, outcome.log_id) == (False, None), name
        _check_problems(outcome, expected)
    assert snapshot(engine) == before


def test_all_errors_are_reported_at_once_with_excel_row_numbers(engine, tmp_path):
    read_and_import(engine, small_workbook(tmp_path / "good.xlsx"), user="u")
    before = snapshot(engine)
    titles = ["宜州区贫困劳动力就业台账（2020年9月）", "填报单位：庆远镇"]
    book = {
        LABOR: _labor((0, "证件号码", with_wrong_check(PEOPLE[0])), (2, "乡镇", "宜山乡")),
        WORKSHOPS: [WORKSHOP_HEADER, ["2020-09", "车间", "庆远镇", "村", "2020-02-30", 20, 5]],
        SUBSIDY: [SUBSIDY_HEADER, ["2020-03-15", "稳岗补贴", "个人", "张三", PEOPLE[0], "庆远镇", 0]],
    }
    path = write_workbook(tmp_path / "three.xlsx", book, title_rows={LABOR: titles})
    outcome = read_and_import(engine, path, user="u")
    assert not outcome.ok
    assert sorted((p.sheet, p.row, p.column) for p in outcome.errors) == sorted(
        [(LABOR, 4, "证件号码"), (LABOR, 6, "乡镇"), (WORKSHOPS, 2, "复工日期"), (SUBSIDY, 2, "金额（元）")]
    )
    assert snapshot(engine) == before


def test_a_good_row_does_not_carry_a_bad_one_in(engine, tmp_path):
    # One bad row among good ones rejects the whole file, other sheets included.
    read_and_import(engine, small_workbook(tmp_path / "good.xlsx"), user="u")
    before = snapshot(engine)
    book = {
        LABOR: _labor((2, "是否建档立卡", "可能")),
        TRANSPORT: [TRANSPORT_HEADER, ["P2", "2020-09-06", "深圳", "庆远镇", 10, 1]],
    }
    outcome = read_and_import(engine, write_workbook(tmp_path / "x.xlsx", book), user="u")
    assert [(p.sheet, p.row, p.column, p.value) for p in outcome.errors] == [(LABOR, 4, "是否建档立卡", "可能")]
    assert snapshot(engine) == before


def test_same_id_in_two_months_is_fine(tmp_path):
    import loaders

    rows = _labor() + [labor_row("2020-10", "庆远镇", "城东村", "人0", PEOPLE[0])]
    result = loaders.load(write_workbook(tmp_path / "a.xlsx", {LABOR: rows}))
    assert result.ok and result.errors == []


# --- the command line ------------------------------------------------------------------------


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "ledger", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_rejects_bad_rows_with_exit_1_and_no_traceback(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(db)
    try:
        assert read_and_import(engine, small_workbook(tmp_path / "good.xlsx"), user="u").ok
        before = snapshot(engine)
        bad = write_workbook(tmp_path / "bad.xlsx", {LABOR: _labor((1, "证件号码", with_wrong_check(PEOPLE[1])), (2, "乡镇", "宜山乡"))})
        run = _cli("import", str(bad), "--db", db)
        assert run.returncode == 1
        assert "Traceback" not in run.stdout + run.stderr
        lines = run.stdout.splitlines()
        assert lines[0] == "== bad.xlsx"
        assert lines[1] == "错误（2）："
        assert lines[2].startswith(
            f"  [错误] 文件“bad.xlsx”工作表“劳动力就业台账”第3行E列“证件号码”：值“{mask_id(with_wrong_check(PEOPLE[1]))}”：证件号码校验码错误"
        )
        assert lines[3].startswith("  [错误] 文件“bad.xlsx”工作表“劳动力就业台账”第4行B列“乡镇”：值“宜山乡”：未知乡镇")
        assert lines[4] == "导入被拒绝：共 2 处错误，数据库未作任何改动。"
        assert snapshot(engine) == before
    finally:
        engine.dispose()


def test_cli_rejects_files_that_are_not_ledgers_with_exit_1_and_no_traceback(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    random_bytes = _bytes(os.urandom(1024))(tmp_path / "random.xlsx")
    pdf = _bytes(b"%PDF-1.4\n%%EOF\n")(tmp_path / "scan.pdf")
    missing = tmp_path / "没有这个文件.xlsx"
    run = _cli("import", str(random_bytes), str(pdf), str(missing), "--db", db)
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    out = run.stdout
    assert "== random.xlsx" in out and "无法作为Excel工作簿读取" in out
    assert "== scan.pdf" in out and "不是Excel工作簿或CSV文件" in out
    assert "== 没有这个文件.xlsx" in out and "文件无法打开" in out
    assert out.count("导入被拒绝：共 1 处错误，数据库未作任何改动。") == 3
