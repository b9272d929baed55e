"""Table exports: the xlsx reopens with the title, 口径, frozen headers, number formats,
text IDs and a 合计 row equal to the district's own figures; the CSV carries a BOM and
reads back to the same table; file names are safe on Windows."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from exports import tables as T
from ledger import query
from ledger.access.roles import FULL, NONE, REVEAL
from ledger.access.scope import ALL
from ledger.present.frames import figure_table, header
from ledger.query import request as q
from ledger.query.people import people
from ledger.query.request import Request
from ledger.store.figures import figure

AS_OF = dt.date(2020, 9, 30)
AT = dt.datetime(2020, 10, 8, 9, 30)
VIEWER = "测试员（ceshi，区领导）"


def _request(township=None, village=None, poor_only=False, personal=FULL) -> Request:
    return Request(AS_OF, township, village, poor_only, scope=ALL, personal=personal, viewer=VIEWER)
KEYS = [
    "labor.total",
    "labor.employed",
    "labor.employment_rate",
    "subsidy.total",
    "training.person_times",
    "households.total",
    "workshops.on_duty",
]
ADDITIVE = [k for k in KEYS if figure(k).additive]
FORBIDDEN = set('\\/:*?"<>|')


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _rows(ws, first: int = 4):
    return [[c for c in row] for row in ws.iter_rows(min_row=first, max_row=ws.max_row)]


def _widths(ws) -> dict[int, float]:
    """Column index (1-based) → width; openpyxl keeps a span of equal columns under its first."""
    out = {}
    for dim in ws.column_dimensions.values():
        if dim.customWidth or dim.width:
            for i in range(dim.min, dim.max + 1):
                out[i] = dim.width
    return out


def _expected(key: str, value):
    """The district figure as the table shows it: 万元 to 2 decimals, else as is."""
    fig = figure(key)
    if fig.in_wan:
        return float((Decimal(value) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return value


# --- Breakdown workbooks from the sample ledger ---------------------------------------


@pytest.mark.parametrize(
    "by, township, poor_only",
    [("township", None, False), ("township", None, True), ("village", "庆远镇", False)],
)
def test_breakdown_workbook_total_row_is_the_district_figure(sample_db, by, township, poor_only):
    request = _request(township, poor_only=poor_only)
    data = T.breakdown_workbook(sample_db, request, KEYS, by=by)
    ws = _open(data)
    district = query.figures(sample_db, AS_OF, township=township, keys=KEYS, poor_only=poor_only).values
    # As on screen: the request layer's rows (an unplaced row without figures left out).
    rows = q.breakdown(sample_db, request, KEYS, by)
    table = figure_table(rows, KEYS, query.figures(sample_db, AS_OF, township=township, keys=KEYS, poor_only=poor_only))

    headers = [c.value for c in ws[3]]
    assert headers == list(table.columns)
    body = _rows(ws)
    assert len(body) == len(table)
    total = body[-1]
    assert total[0].value == "合计"
    assert [r[0].value for r in body[:-1]] == list(table.iloc[:-1, 0])
    for key in ADDITIVE:
        j = headers.index(header(key))
        assert total[j].value == _expected(key, district[key]), key
        parts = [r[j].value for r in body[:-1]]
        if figure(key).in_wan:  # each part rounded to the cent of 万元
            assert math.isclose(sum(parts), total[j].value, abs_tol=0.005 * len(parts) + 1e-9), key
        else:  # townships (villages) plus the unplaced part add up exactly
            assert sum(parts) == total[j].value, key
    assert district["labor.total"] > 0 and district["subsidy.total"] > 0 and district["training.person_times"] > 0
    rate = headers.index(header("labor.employment_rate"))
    assert total[rate].value == pytest.approx(float(district["labor.employment_rate"]), abs=0.005)


def test_breakdown_workbook_layout_and_formats(sample_db):
    keys = KEYS + ["transport.people"]  # 返岗输送 has a district-wide part: its row stays
    ws = _open(T.breakdown_workbook(sample_db, _request(), keys, at=AT))
    ncols = len(keys) + 1
    last = get_column_letter(ncols)

    assert ws["A1"].value == "宜州区各乡镇主要指标（2020年9月）"
    assert ws["A1"].font.b
    assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value.startswith("数据来源：宜州区贫困劳动力就业台账，截至2020年9月30日")
    assert "范围：宜州区各乡镇，全部劳动力" in ws["A2"].value
    # The watermark is the 口径 cell's last line, and the printed page's footer.
    assert ws["A2"].value.splitlines()[-1] == f"导出：{VIEWER}\u30002020-10-08 09:30"
    assert VIEWER in ws.oddFooter.left.text
    assert ws.freeze_panes == "A4"
    for cell in ws[3]:
        assert cell.font.b and cell.alignment.wrap_text, cell.coordinate

    headers = [c.value for c in ws[3]]
    money = headers.index("补贴发放合计（万元）")
    rate = headers.index("就业率（%）")
    counts = [headers.index(header(k)) for k in ("labor.total", "labor.employed", "training.person_times")]
    body = _rows(ws)
    for row in body:
        assert row[money].number_format == "#,##0.00"
        assert isinstance(row[money].value, (int, float))  # openpyxl reads 0.0 back as 0
        assert row[rate].number_format == "0.00"
        for j in counts:
            assert row[j].number_format == "#,##0" and isinstance(row[j].value, int)
    # 全区（不分乡镇） has no labourers: its rate is blank, not 0 or "None".
    unplaced = next(r for r in body if r[0].value == query.DISTRICT_WIDE)
    assert unplaced[rate].value is None

    total = body[-1]
    for cell in total:
        assert cell.font.b and cell.border.top.style == "thin", cell.coordinate
    for row in body[:-1]:
        assert not row[0].font.b and row[0].border.top.style is None

    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            if cell.value is not None:
                assert cell.font.name == "宋体", cell.coordinate

    widths = _widths(ws)
    assert sorted(widths) == list(range(1, ncols + 1))
    for j in range(ncols):
        longest = max(T.text_width(T._shown(r[j].value, r[j].number_format)) for r in body if r[j].value is not None)
        assert widths[j + 1] >= min(longest, T.MAX_WIDTH), headers[j]
    # A Chinese character counts 2: the township column fits 全区（不分乡镇） (8 characters → 16).
    assert widths[1] >= 16


def test_breakdown_workbook_by_column_and_title(sample_db):
    ws = _open(T.breakdown_workbook(sample_db, _request("庆远镇"), ["labor.employed"], by="mode", title="就业方式"))
    assert ws["A1"].value == "就业方式"
    assert "范围：宜州区 庆远镇，按就业方式分" in ws["A2"].value
    assert [c.value for c in ws[3]] == ["就业方式", "已就业人数（人）"]
    body = _rows(ws)
    assert body[-1][0].value == "合计"
    assert body[-1][1].value == query.figures(sample_db, AS_OF, township="庆远镇", keys=["labor.employed"]).values[
        "labor.employed"
    ]
    assert sum(r[1].value for r in body[:-1]) == body[-1][1].value


# --- People workbook ------------------------------------------------------------------


def test_people_workbook_masks_ids_as_text(sample_db):
    village = query.breakdown(sample_db, "labor.total", AS_OF, by="village", township="庆远镇")["village"].iloc[0]
    shown = people(sample_db, "labor.total", AS_OF, township="庆远镇", village=village)
    assert len(shown) > 0
    ws = _open(T.people_workbook(sample_db, _request("庆远镇", village, personal=REVEAL), "labor.total"))

    assert ws["A1"].value == f"宜州区 庆远镇 {village} 劳动力人数名单（{len(shown):,}人）"
    assert ws["A2"].value.startswith("数据来源：宜州区贫困劳动力就业台账，截至2020年9月30日")
    assert "已脱敏" in ws["A2"].value and ws["A2"].value.splitlines()[-1].startswith(f"导出：{VIEWER}")
    assert ws.freeze_panes == "A4"
    headers = [c.value for c in ws[3]]
    assert headers == list(shown.columns)
    body = _rows(ws)
    assert len(body) == len(shown)

    id_col, phone_col, income_col = headers.index("证件号码"), headers.index("联系电话"), headers.index("月收入（元）")
    ids = [r[id_col] for r in body]
    assert all(c.data_type == "s" and c.number_format == "@" for c in ids)
    assert all(re.fullmatch(r"\d{6}\*{8}[0-9X]{4}", c.value) for c in ids)
    assert [c.value for c in ids] == list(shown["证件号码"])  # exactly as on screen
    phones = [r[phone_col] for r in body if r[phone_col].value is not None]
    assert phones and all(c.data_type == "s" and re.fullmatch(r"\d{3}\*{4}\d{4}", c.value) for c in phones)
    incomes = [r[income_col] for r in body if r[income_col].value is not None]
    assert incomes and all(c.number_format == "#,##0.00" and c.data_type == "n" for c in incomes)
    widths = _widths(ws)
    assert widths[id_col + 1] >= len("451203********1234")
    assert all(c.value is None or str(c.value) not in ("None", "nan", "<NA>", "") for row in body for c in row)


def test_people_workbook_follows_the_request_rights(sample_db):
    """Full rights: the list as written (no 已脱敏 note); no rights (材料员): refused."""
    village = query.breakdown(sample_db, "labor.total", AS_OF, by="village", township="庆远镇")["village"].iloc[0]
    ws = _open(T.people_workbook(sample_db, _request("庆远镇", village), "labor.total"))
    headers = [c.value for c in ws[3]]
    ids = [r[headers.index("证件号码")].value for r in _rows(ws)]
    assert ids and all(re.fullmatch(r"\d{17}[\dX]", v) for v in ids)
    assert "已脱敏" not in ws["A2"].value
    with pytest.raises(PermissionError):
        T.people_workbook(sample_db, _request("庆远镇", village, personal=NONE), "labor.total")


def test_village_counts_below_five_read_few_without_rights(sample_db):
    """庆远镇's villages as a viewer without personal-data rights sees them: counts 1–4
    read <5, the 合计 stays the township's own figure."""
    keys = ["households.none_employed", "posts.poverty.count"]
    full = _rows(_open(T.breakdown_workbook(sample_db, _request("庆远镇"), keys)))
    masked = _open(T.breakdown_workbook(sample_db, _request("庆远镇", personal=NONE), keys))
    rows = _rows(masked)
    assert [r[0].value for r in rows] == [r[0].value for r in full]
    assert [c.value for c in rows[-1]] == [c.value for c in full[-1]]
    small = [(r[0].value, j) for r in full[:-1] for j in (1, 2) if isinstance(r[j].value, int) and 0 < r[j].value < 5]
    assert small, "the sample has villages with fewer than 5"
    by_name = {r[0].value: r for r in rows}
    assert all(by_name[v][j].value == "<5" for v, j in small)
    assert "<5" in masked["A2"].value


# --- xlsx on a made-up table ----------------------------------------------------------


def test_xlsx_codes_stay_text_blanks_stay_blank():
    table = pd.DataFrame(
        {
            "区划代码": ["451203100", "045120310", "合计"],
            "户编号": ["0012345678", None, ""],
            "联系电话": ["138****5678", "", None],
            "金额（万元）": [1234.5, float("nan"), 1234.5],
            "占比（%）": [12.345, None, 100.0],
            "人数": [1200, 3, 1203],
        }
    )
    table.loc[2, "区划代码"] = "合计"
    ws = _open(T.xlsx(table, title="测试", caliber="口径：测试", watermark="导出：张三　2020-10-08 09:30"))
    assert (ws["A1"].value, ws["A2"].value) == ("测试", "口径：测试\n导出：张三　2020-10-08 09:30")
    assert ws.freeze_panes == "A4"
    assert all(c.font.name == "宋体" for row in ws.iter_rows() for c in row if c.value is not None)
    a4, a5 = ws["A4"], ws["A5"]
    assert (a4.value, a4.data_type, a4.number_format) == ("451203100", "s", "@")
    assert (a5.value, a5.data_type) == ("045120310", "s")  # the leading 0 survives
    assert (ws["B4"].value, ws["B4"].data_type) == ("0012345678", "s")
    assert ws["B5"].value is None and ws["C5"].value is None and ws["D5"].value is None and ws["E5"].value is None
    assert (ws["D4"].value, ws["D4"].number_format) == (1234.5, "#,##0.00")
    assert (ws["E4"].value, ws["E4"].number_format) == (12.345, "0.00")
    assert (ws["F4"].value, ws["F4"].number_format) == (1200, "#,##0")
    for cell in ws[6]:
        assert cell.font.b and cell.border.top.style == "thin", cell.coordinate
    for cell in ws[5]:
        assert not cell.font.b


def test_xlsx_one_column_and_empty_table():
    ws = _open(T.xlsx(pd.DataFrame({"乡镇": ["庆远镇"]}), title="标题", caliber="口径", sheet="a/b:c"))
    assert ws.title == "a_b_c"
    assert [ws["A1"].value, ws["A2"].value, ws["A3"].value, ws["A4"].value] == ["标题", "口径", "乡镇", "庆远镇"]
    ws = _open(T.xlsx(pd.DataFrame(columns=["乡镇", "人数"]), title="空", caliber="口径"))
    assert [c.value for c in ws[3]] == ["乡镇", "人数"] and ws.max_row == 3


# --- CSV ------------------------------------------------------------------------------


def test_csv_has_bom_and_reads_back_the_same():
    table = pd.DataFrame(
        {
            "乡镇": ["庆远镇", "全区（不分乡镇）", "合计"],
            "证件号码": ["451203********1234", "45120319850312123X", ""],
            "户编号": ["0012", "0300", ""],
            "补贴发放合计（万元）": [100.12, 0.0, 100.12],
            "就业率（%）": [88.43, None, 88.43],
        }
    )
    data = T.csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    assert not data[3:].startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"证件号码": str, "户编号": str}, keep_default_na=False,
                       na_values={"就业率（%）": [""]})
    assert list(back.columns) == list(table.columns)
    assert list(back["证件号码"]) == list(table["证件号码"])
    assert list(back["户编号"]) == ["0012", "0300", ""]
    assert list(back["乡镇"]) == list(table["乡镇"])
    assert list(back["补贴发放合计（万元）"]) == [100.12, 0.0, 100.12]
    assert back["就业率（%）"].iloc[0] == 88.43 and pd.isna(back["就业率（%）"].iloc[1])


def test_csv_watermark_is_one_cell_on_the_first_line():
    import csv as csv_module

    table = pd.DataFrame({"乡镇": ["庆远镇"], "人数": [3]})
    mark = '导出：张三（zhangsan，材料员）　2020-10-08 09:30, "引号"'
    data = T.csv(table, watermark=mark)
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv_module.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [[mark], ["乡镇", "人数"], ["庆远镇", "3"]]
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=1)
    assert list(back.columns) == ["乡镇", "人数"]


def test_csv_of_a_breakdown_reads_back(sample_db):
    keys = ["labor.total", "subsidy.total", "labor.employment_rate"]
    table = figure_table(query.breakdown(sample_db, keys, AS_OF), keys, query.figures(sample_db, AS_OF, keys=keys))
    back = pd.read_csv(io.BytesIO(T.csv(table)), encoding="utf-8-sig")
    assert list(back.columns) == list(table.columns)
    assert list(back["乡镇"]) == list(table["乡镇"])
    for col in table.columns[1:]:
        expected = [None if pd.isna(v) else float(v) for v in table[col]]
        got = [None if pd.isna(v) else float(v) for v in back[col]]
        assert got == expected, col


# --- File names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "place, what, month, ext, expected",
    [
        ("宜州区", "各乡镇就业率", "2020年9月", "xlsx", "宜州区_各乡镇就业率_2020年9月.xlsx"),
        ("宜州区 庆远镇", "各村已就业人数", "2020年9月", "csv", "宜州区_庆远镇_各村已就业人数_2020年9月.csv"),
        ("宜州区 庆远镇 加结村", "劳动力人数名单", "2020年9月", ".xlsx", "宜州区_庆远镇_加结村_劳动力人数名单_2020年9月.xlsx"),
        ("宜州区", "就业率/贫困率", "2020年9月", "xlsx", "宜州区_就业率_贫困率_2020年9月.xlsx"),
        ("宜州区", 'a\\b/c:d*e?f"g<h>i|j', "2020年9月", "xlsx", "宜州区_a_b_c_d_e_f_g_h_i_j_2020年9月.xlsx"),
        ("宜州区", "补贴：合计?", "", "xlsx", "宜州区_补贴：合计.xlsx"),  # full-width ： is allowed
        ("宜州区", "各乡镇就业率", "2020年9月", "png", "宜州区_各乡镇就业率_2020年9月.png"),
    ],
)
def test_filename(place, what, month, ext, expected):
    name = T.filename(place, what, month, ext)
    assert name == expected
    assert not FORBIDDEN & set(name)
