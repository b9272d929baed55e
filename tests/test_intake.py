"""ledger.intake: previewing an import without writing, the problems workbook, and two
imports at the same moment."""

from __future__ import annotations

import datetime as dt
import io
import threading

import openpyxl
from sqlalchemy import func, select

import loaders
from exports.problems import errors_workbook
from ledger.access.masking import mask_id, mask_name
from ledger.intake import PREVIEW_KEYS, masked, preview
from ledger.query.statements import breakdown, figures
from ledger.store.history import history
from ledger.store.imports import apply, file_sha256, read_and_import
from ledger.store.schema import DATA, imports, init_db, slice_changes, slices
from tests.fixtures_ledger import (
    LABOR_HEADER,
    WORKSHOP_HEADER,
    ids,
    labor_row,
    small_labor,
    with_wrong_check,
    write_workbook,
)

LABOR = "劳动力就业台账"
WORKSHOPS = "扶贫车间台账"
P = ids(8)


def unemployed(month, township, village, name, pid):
    return labor_row(month, township, village, name, pid, status="未就业", mode=None, area=None, income=None)


def first_book(path):
    """September 2020: 庆远镇 4 labourers (3 employed), 三岔镇 2 employed; one workshop."""
    labor = [LABOR_HEADER] + [labor_row("2020-09", "庆远镇", "城东村", f"甲{i}", P[i]) for i in range(3)]
    labor += [unemployed("2020-09", "庆远镇", "城东村", "甲3", P[3])]
    labor += [labor_row("2020-09", "三岔镇", "三岔村", f"乙{i}", P[4 + i]) for i in range(2)]
    workshops = [WORKSHOP_HEADER, ["2020-09", "庆远服装车间", "庆远镇", "城东村", "2020-03-01", 20, 5]]
    return write_workbook(path, {LABOR: labor, WORKSHOPS: workshops})


def corrected_book(path):
    """September's labourers again, 庆远镇 only: 甲3 now employed (修改), 甲6 new and not
    employed (新增), 三岔镇's two rows gone (删除), 甲0–甲2 as before (不变)."""
    labor = [LABOR_HEADER] + [labor_row("2020-09", "庆远镇", "城东村", f"甲{i}", P[i]) for i in range(4)]
    labor += [unemployed("2020-09", "庆远镇", "城东村", "甲6", P[6])]
    return write_workbook(path, {LABOR: labor})


def load(path):
    return loaders.load(path)


def state(engine):
    """Everything a preview must leave as it was: figures, history and slice bookkeeping."""
    with engine.connect() as conn:
        rows = {k: conn.execute(select(func.count()).select_from(t)).scalar() for k, t in DATA.items()}
        return (
            figures(engine).values,
            breakdown(engine, PREVIEW_KEYS).to_dict("records"),
            history(engine),
            sorted(tuple(r) for r in conn.execute(select(slices)).all()),
            conn.execute(select(func.count()).select_from(slice_changes)).scalar(),
            rows,
        )


def as_dict(frame, *index):
    return {tuple(r[i] for i in index): r for r in frame.to_dict("records")}


def test_preview_of_a_first_import_is_all_new_and_writes_nothing(engine, tmp_path):
    init_db(engine)
    before = state(engine)
    pv = preview(engine, load(first_book(tmp_path / "first.xlsx")))
    assert pv is not None and pv.ok
    assert pv.slices.to_dict("records") == [
        {"表": "劳动力就业台账", "月份": "2020-09", "文件行数": 6, "现有行数": 0, "新增": 6, "修改": 0, "删除": 0, "不变": 0},
        {"表": "扶贫车间台账", "月份": "2020-09", "文件行数": 1, "现有行数": 0, "新增": 1, "修改": 0, "删除": 0, "不变": 0},
    ]
    changes = as_dict(pv.changes, "月份", "乡镇", "key")
    assert changes[("2020-09", "全区", "labor.total")]["导入前"] == 0
    assert changes[("2020-09", "全区", "labor.total")]["导入后"] == 6
    assert changes[("2020-09", "全区", "labor.employed")]["变化"] == 5
    assert changes[("2020-09", "庆远镇", "labor.employed")]["导入后"] == 3
    assert changes[("2020-09", "庆远镇", "workshops.on_duty")]["导入后"] == 20
    assert changes[("2020-09", "三岔镇", "labor.poor_employed")]["导入后"] == 2
    assert ("2020-09", "全区", "subsidy.total") not in changes  # stays 0
    assert list(pv.changes.columns[:6]) == ["月份", "乡镇", "指标", "导入前", "导入后", "变化"]
    assert state(engine) == before


def test_preview_of_a_correction_counts_rows_and_figures_and_leaves_the_store_alone(engine, tmp_path):
    first = first_book(tmp_path / "first.xlsx")
    assert read_and_import(engine, first, user="张三").log_id == 1
    before = state(engine)

    pv = preview(engine, load(corrected_book(tmp_path / "庆远镇9月.xlsx")))
    assert pv.slices.to_dict("records") == [
        {"表": "劳动力就业台账", "月份": "2020-09", "文件行数": 5, "现有行数": 6, "新增": 1, "修改": 1, "删除": 2, "不变": 3},
    ]
    got = {(r["乡镇"], r["key"]): (r["导入前"], r["导入后"], r["变化"]) for r in pv.changes.to_dict("records")}
    assert got == {
        ("全区", "labor.total"): (6, 5, -1),
        ("全区", "labor.employed"): (5, 4, -1),
        ("全区", "labor.poor_employed"): (5, 4, -1),
        ("庆远镇", "labor.total"): (4, 5, 1),
        ("庆远镇", "labor.employed"): (3, 4, 1),
        ("庆远镇", "labor.poor_employed"): (3, 4, 1),
        ("三岔镇", "labor.total"): (2, 0, -2),
        ("三岔镇", "labor.employed"): (2, 0, -2),
        ("三岔镇", "labor.poor_employed"): (2, 0, -2),
    }
    assert set(pv.changes["月份"]) == {"2020-09"}
    assert state(engine) == before

    # The preview's numbers are what the import then does, and history numbers go on.
    outcome = read_and_import(engine, tmp_path / "庆远镇9月.xlsx", user="张三")
    assert outcome.log_id == 2
    assert breakdown(engine, ["labor.employed"]).set_index("township").loc["庆远镇", "labor.employed"] == 4


def test_preview_of_the_same_file_again_is_all_unchanged(sqlite_engine, tmp_path):
    first = first_book(tmp_path / "first.xlsx")
    read_and_import(sqlite_engine, first)
    pv = preview(sqlite_engine, load(first))
    assert pv.slices[["新增", "修改", "删除", "不变"]].to_dict("records") == [
        {"新增": 0, "修改": 0, "删除": 0, "不变": 6},
        {"新增": 0, "修改": 0, "删除": 0, "不变": 1},
    ]
    assert pv.changes.empty


def test_a_file_with_errors_is_not_previewed_and_its_problems_workbook_marks_the_cells(sqlite_engine, tmp_path):
    rows = small_labor("2020-09", 3)
    rows[2][4] = with_wrong_check(rows[2][4])  # Excel row 3: a bad ID number
    rows[3][1] = "火星镇"  # Excel row 4: an unknown township
    rows[3][6] = "不知道"  # and a status that is not allowed
    path = write_workbook(tmp_path / "bad.xlsx", {LABOR: rows})
    result = load(path)
    assert not result.ok
    assert preview(sqlite_engine, result) is None

    data = errors_workbook(result, {"bad.xlsx": path.read_bytes()}, watermark="导出：测试员　2020-10-08 09:30")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["问题清单", LABOR]
    listing = list(book["问题清单"].iter_rows(values_only=True))
    assert "已脱敏" in listing[0][0] and "导出：测试员　2020-10-08 09:30" in listing[0][0]
    assert listing[1] == ("工作表", "行号", "列", "表头", "值", "问题", "级别", "文件")
    assert len(listing) - 2 == len(result.problems) == 3
    assert {(r[1], r[2], r[3], r[6], r[7]) for r in listing[2:]} == {
        (3, "E", "证件号码", "错误", "bad.xlsx"), (4, "B", "乡镇", "错误", "bad.xlsx"), (4, "G", "就业状态", "错误", "bad.xlsx")
    }
    assert {r[5] for r in listing[2:]} == {p.message for p in masked(result.problems)}
    # The bad ID is quoted masked, in the listing and in the copy of the sheet.
    bad_id = rows[2][4]
    assert next(r[4] for r in listing[2:] if r[3] == "证件号码") == mask_id(bad_id)

    ws = book[LABOR]
    assert ws["A1"].value == "统计时点" and ws["E3"].value == mask_id(bad_id)
    assert ws["D3"].value == mask_name(rows[2][3])  # names too: the copy is no list of people
    by_cell = {"E3": "证件号码", "B4": "乡镇", "G4": "就业状态"}
    for cell, column in by_cell.items():
        problem = next(p for p in result.problems if p.column == column)
        assert ws[cell].fill.fgColor.rgb.endswith("FF0000"), cell
        assert problem.message in ws[cell].comment.text
    for clean in ("E2", "B3", "G3", "E4"):
        assert not ws[clean].fill.fgColor.rgb.endswith("FF0000"), clean
        assert ws[clean].comment is None
    # The first cell of each offending row is marked and says what is wrong with the row.
    assert "本行有1个问题" in ws["A3"].comment.text and ws["A3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "本行有2个问题" in ws["A4"].comment.text
    assert ws["A2"].comment is None


def test_two_imports_at_the_same_moment_both_land(engine, tmp_path):
    init_db(engine)
    paths = [
        write_workbook(tmp_path / "九月.xlsx", {LABOR: small_labor("2020-09", 3)}),
        write_workbook(tmp_path / "十月.xlsx", {LABOR: small_labor("2020-10", 4, start=20)}),
    ]
    results = [loaders.load(p) for p in paths]
    barrier = threading.Barrier(2)
    outcomes, failures = {}, []

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = apply(
                engine, results[i], filename=paths[i].name, sha256=file_sha256(paths[i].read_bytes()), user=f"用户{i}"
            )
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    assert sorted(o.log_id for o in outcomes.values()) == [1, 2]
    assert sorted(h["filename"] for h in history(engine)) == ["九月.xlsx", "十月.xlsx"]
    assert sorted(m for h in history(engine) for m in h["row_counts"]["labor"]) == ["2020-09", "2020-10"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(imports)).scalar() == 2
    assert sorted(breakdown(engine, ["labor.total"], dt.date(2020, 9, 30))["labor.total"])[-1] == 3
    assert figures(engine).values["labor.total"] == 4
