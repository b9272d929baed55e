"""Small hand-made ledger files for tests: workbooks (xlsxwriter) and CSV files.

A sheet is given as rows of cells, the header row first; ``title_rows`` lines of
title text may stand above it. Cells are written as what they are: ``str`` as text
(never converted to a number), ``int``/``float`` as numeric cells, ``date`` and
``datetime`` as Excel date cells, ``None`` as an empty cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import xlsxwriter

from loaders.idcard import check_digit

Row = list
SheetRows = list[Row]


def make_id(birth: str = "19850312", seq: int = 1, *, region: str = "451203", male: bool | None = None) -> str:
    """A valid 18-character ID number: region + birth date + 3-digit sequence + check digit.

    ``male`` forces the sex digit (the 17th): odd for 男, even for 女.
    """
    order = f"{seq % 1000:03d}"
    if male is not None and (int(order[-1]) % 2 == 1) != male:
        order = order[:2] + str((int(order[-1]) + 1) % 10)
    first17 = region + birth + order
    assert len(first17) == 17, first17
    return first17 + check_digit(first17)


def ids(n: int, *, birth: str = "19800101", start: int = 1) -> list[str]:
    """``n`` distinct valid ID numbers."""
    return [make_id(birth, start + 2 * i) for i in range(n)]


def with_wrong_check(id_number: str) -> str:
    """The same ID with a check digit that does not match."""
    good = id_number[-1]
    wrong = "0" if good != "0" else "1"
    return id_number[:17] + wrong


def write_workbook(path: Path, sheets: dict[str, SheetRows], *, title_rows: dict[str, list[str]] | None = None) -> Path:
    """Write ``sheets`` (sheet name → rows, header first) to an .xlsx file.

    ``title_rows`` (sheet name → lines) puts title lines above that sheet's header.
    """
    path = Path(path)
    book = xlsxwriter.Workbook(str(path))
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    titles = title_rows or {}
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        r = 0
        for line in titles.get(name, []):
            ws.write_string(r, 0, line)
            r += 1
        for row in rows:
            for c, value in enumerate(row):
                _write_cell(ws, r, c, value, date_fmt)
            r += 1
    book.close()
    return path


def _write_cell(ws, r: int, c: int, value, date_fmt) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (dt.datetime, dt.date)):
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        ws.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


def csv_bytes(rows: SheetRows, encoding: str = "utf-8") -> bytes:
    """The rows as CSV text in ``encoding`` (``utf-8-sig`` for UTF-8 with a BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


def write_csv(path: Path, rows: SheetRows, encoding: str = "utf-8") -> Path:
    path = Path(path)
    path.write_bytes(csv_bytes(rows, encoding))
    return path


# --- Headers of each sheet, as in the format (the canonical names) ---------------

LABOR_HEADER = ["统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工区域", "月收入（元）"]
WORKSHOP_HEADER = ["统计时点", "车间名称", "乡镇", "村", "复工日期", "在岗人数", "其中贫困劳动力"]
POSTS_HEADER = ["岗位类别", "岗位名称", "乡镇", "村", "姓名", "证件号码", "上岗日期"]
TRAINING_HEADER = ["培训期次", "培训类型", "开班日期", "乡镇", "姓名", "证件号码", "是否建档立卡"]
SUBSIDY_HEADER = ["发放日期", "补贴类型", "对象类型", "对象名称", "证件号码", "乡镇", "金额（元）"]
DEMAND_HEADER = ["企业名称", "企业所在地", "工种", "岗位数", "发布日期"]
TRANSPORT_HEADER = ["批次", "出发日期", "目的地", "乡镇", "人数", "其中建档立卡"]
TOWNSHIP_HEADER = ["区划代码", "乡镇", "类型", "别名", "上级"]


def labor_row(month, township, village, name, id_number, poor="是", status="已就业", mode="外出务工", area="省外", income=3000):
    return [month, township, village, name, id_number, poor, status, mode, area, income]


def small_labor(month: str = "2020-09", n: int = 3, *, start: int = 1, township: str = "庆远镇") -> SheetRows:
    """A valid labourer sheet of ``n`` employed poor labourers in one month."""
    people = ids(n, start=start)
    return [LABOR_HEADER] + [
        labor_row(month, township, "城东村", f"劳动者{start + i}", people[i], income=3000 + 100 * i) for i in range(n)
    ]


def small_workbook(path: Path, month: str = "2020-09", n: int = 3) -> Path:
    """A small valid workbook: labourers, one workshop and one transport batch."""
    return write_workbook(
        path,
        {
            "劳动力就业台账": small_labor(month, n),
            "扶贫车间台账": [WORKSHOP_HEADER, [month, "庆远服装车间", "庆远镇", "城东村", "2020-03-01", 20, 5]],
            "返岗输送台账": [TRANSPORT_HEADER, ["P001", f"{month}-05", "东莞", "庆远镇", 30, 4]],
        },
    )


def load_rows(tmp_path: Path, rows: SheetRows, sheet: str = "劳动力就业台账", *, titles: list[str] | None = None, townships=None):
    """Write one sheet to a workbook in ``tmp_path`` and load it with the loaders."""
    import loaders

    path = write_workbook(Path(tmp_path) / "book.xlsx", {sheet: rows}, title_rows={sheet: titles or []})
    return loaders.load(path, townships)


def errors_at(result, column: str | None = None, row: int | None = None) -> list:
    """The errors of a load result or import outcome, optionally at one column / row."""
    return [p for p in result.errors if (column is None or p.column == column) and (row is None or p.row == row)]
