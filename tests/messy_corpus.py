"""A corpus of small ledger workbooks written the way township staff write them.

Written from the contract (``../shared/ledger-format.md``) only, as a clerk would
write the files, without reading the importer in ``loaders/``. Every case carries
its hand-counted outcome: the exit status of ``python -m ledger import`` and, for an
accepted file, the figures ``python -m ledger figures`` must print; for a rejected
file, what the printed messages must name (row as Excel shows it, column header,
sheet or file, column letter). ``tests/test_messy_corpus.py`` runs them.

Conventions used below:

* A sheet is a list of rows, row 0 is Excel row 1. ``str`` cells are text (never a
  number), ``int``/``float`` numeric cells, ``datetime.date`` date cells, ``None`` an
  empty cell, ``F(formula, cached)`` a formula with its cached value ('' = none).
* ``UP`` in a cell: the cell is covered by a merge with the cell above; ``LEFT``: by a
  merge with the cell to the left. ``across(text, n)`` is a title merged over n columns.
* Expected figures are literal numbers counted by hand from the rows next to them;
  the base data sets (LAB, WS, POST, TRN, SUB, DEM, TRA) list their counts beside them.
* ``note=`` records where the contract had to be interpreted.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

D = dt.date
ZW = "\u200b"  # zero-width space
BOM = "\ufeff"

TOWNSHIPS = [
    "庆远镇", "三岔镇", "洛西镇", "怀远镇", "德胜镇", "石别镇", "北山镇", "刘三姐镇",
    "洛东镇", "祥贝乡", "屏南乡", "福龙瑶族乡", "北牙瑶族乡", "同德乡", "安马乡", "龙头乡",
]


# --- ID numbers (GB 11643), computed here so the corpus depends on nothing in loaders/ ---

_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(a) * w for a, w in zip(first17, _W)) % 11]


def pid(n: int, region: str = "451203") -> str:
    """The n-th fictitious person's ID (1 <= n < 1000): valid birth date and check digit.

    The sex digit is the last digit of n (odd: 男). pid(7) and pid(16) end in X.
    """
    birth = f"19{70 + n % 30:02d}0{1 + n % 9}1{n % 10}"
    first17 = region + birth + f"{n:03d}"
    return first17 + check_digit(first17)


def wrong_check(id_number: str) -> str:
    good = id_number[-1]
    return id_number[:17] + ("0" if good != "0" else "1")


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# --- Cell and file model -------------------------------------------------------------


class _Cont:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


UP = _Cont("UP")
LEFT = _Cont("LEFT")


@dataclass(frozen=True)
class F:
    """A formula cell; ``cached`` is the value Excel saved ('' = no computed value)."""

    formula: str
    cached: object = ""


def across(text, n):
    return [text] + [LEFT] * (n - 1)


@dataclass
class Sheet:
    name: str
    rows: list
    decorate: bool = False  # column widths, bold header, frozen panes, autofilter


@dataclass
class Book:
    name: str
    sheets: list
    engine: str = "xlsxwriter"  # or "openpyxl" (formulas without any cached value)
    convert: str | None = None  # "xls" / "ods": saved again by LibreOffice


@dataclass
class Csv:
    name: str
    rows: list
    encoding: str = "utf-8"


@dataclass
class Err:
    """One message a rejected import must print, all on one line.

    row: Excel row number (``第{row}行``); header: text naming the column; col: the
    column letter; where: the sheet or file name; also: more substrings ("re:" = regex).
    """

    row: int | None = None
    header: str | None = None
    col: str | None = None
    where: str | None = None
    also: tuple = ()


@dataclass
class Q:
    """A further ``figures`` query: as of ``as_of``, for ``township`` (None = district)."""

    as_of: str
    township: str | None
    figures: dict


@dataclass
class Case:
    id: str
    files: list
    exit: int = 0
    figures: dict = field(default_factory=dict)  # district, as of 2020-09-30
    queries: list = field(default_factory=list)  # more Q(...)
    errors: list = field(default_factory=list)  # Err(...) for rejected files
    output: tuple = ()  # substrings / "re:" regexes the printed output must contain
    forbid: tuple = ()  # substrings / "re:" regexes it must not contain
    note: str = ""  # interpretation of the contract

    @property
    def office(self) -> str | None:
        for f in self.files:
            if isinstance(f, Book) and f.convert:
                return f.convert
        return None


# --- Writers ---------------------------------------------------------------------------


def _merges(rows):
    """(r1, c1, r2, c2) of every merged range described by UP / LEFT markers."""
    out = []
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is UP or v is LEFT:
                continue
            w = 1
            while c + w < len(row) and row[c + w] is LEFT:
                w += 1
            h = 1
            while r + h < len(rows) and c < len(rows[r + h]) and rows[r + h][c] is UP:
                h += 1
            if w > 1 or h > 1:
                out.append((r, c, r + h - 1, c + w - 1))
    return out


def _xl_dt(v):
    return dt.datetime(v.year, v.month, v.day) if not isinstance(v, dt.datetime) else v


def write_book(book: Book, path: Path) -> Path:
    path = Path(path)
    if book.engine == "openpyxl":
        return _write_openpyxl(book, path)
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        rows = sheet.rows
        for r1, c1, r2, c2 in _merges(rows):
            ws.merge_range(r1, c1, r2, c2, "", bold if sheet.decorate else None)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or v is UP or v is LEFT:
                    continue
                if isinstance(v, F):
                    ws.write_formula(r, c, v.formula, None, v.cached)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, _xl_dt(v), date_fmt)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
        if sheet.decorate:
            ws.set_column(0, 30, 14)
            ws.freeze_panes(2, 0)
            width = max(len(r) for r in rows)
            ws.autofilter(1, 0, len(rows) - 1, width - 1)
            ws.set_row(0, 30)
    wb.close()
    return path


def _write_openpyxl(book: Book, path: Path) -> Path:
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if v is None or v is UP or v is LEFT:
                    continue
                cell = ws.cell(row=r + 1, column=c + 1)
                if isinstance(v, F):
                    cell.value = v.formula  # openpyxl stores no computed value at all
                elif isinstance(v, (dt.date, dt.datetime)):
                    cell.value = _xl_dt(v)
                    cell.number_format = "yyyy-mm-dd"
                else:
                    cell.value = v
                    if isinstance(v, str):
                        cell.data_type = "s"
        for r1, c1, r2, c2 in _merges(sheet.rows):
            ws.merge_cells(f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}")
    wb.save(str(path))
    return path


def csv_bytes(f: Csv) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in f.rows:
        cells = []
        for v in row:
            if v is None or v is UP or v is LEFT:
                cells.append("")
            elif isinstance(v, dt.date):
                cells.append(v.isoformat())
            else:
                cells.append(str(v))
        writer.writerow(cells)
    return out.getvalue().encode(f.encoding)


def write_file(f, folder: Path) -> Path:
    path = Path(folder) / f.name
    if isinstance(f, Csv):
        path.write_bytes(csv_bytes(f))
        return path
    return write_book(f, path)


# --- Base data, counted by hand ----------------------------------------------------------

LAB_H = ["统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工区域", "月收入（元）"]

# Six labourers, September 2020. Rows 2-7 of a sheet whose header is row 1.
LAB = [
    ["2020-09", "庆远镇", "城东村", "韦小红", pid(1), "是", "已就业", "外出务工", "省外", 3000],
    ["2020-09", "庆远镇", "城东村", "蓝大明", pid(2), "是", "已就业", "扶贫车间", "乡镇内", 2000],
    ["2020-09", "庆远镇", "城西村", "覃海燕", pid(3), "否", "已就业", "公益性岗位", "乡镇内", 1000],
    ["2020-09", "三岔镇", "三岔村", "莫志强", pid(4), "是", "未就业", None, None, None],
    ["2020-09", "三岔镇", "三岔村", "韦春花", pid(5), "否", "已就业", "外出务工", "省内县外", 4000],
    ["2020-09", "三岔镇", "龙田村", "黄永福", pid(6), "是", "已就业", "灵活就业", "县内乡外", 2500],
]
# total 6; employed 5 (all but 莫志强); poor 4 (rows 1,2,4,6); poor employed 3; poor unemployed 1;
# income mean over employed with income > 0: (3000+2000+1000+4000+2500)/5 = 2500.
LAB_FIG = {
    "labor.total": 6, "labor.employed": 5, "labor.unemployed": 1, "labor.poor": 4,
    "labor.poor_employed": 3, "labor.poor_unemployed": 1,
    "labor.mode.外出务工": 2, "labor.mode.扶贫车间": 1, "labor.mode.公益性岗位": 1, "labor.mode.自主创业": 0,
    "labor.mode.灵活就业": 1, "labor.mode.务农": 0, "labor.mode.其他": 0,
    "labor.area.乡镇内": 2, "labor.area.县内乡外": 1, "labor.area.省内县外": 1, "labor.area.省外": 1,
    "labor.area.国外": 0,
    "income.monthly_mean": 2500,
}
# 庆远镇: 韦小红, 蓝大明, 覃海燕 -- all employed; poor 2; mean (3000+2000+1000)/3 = 2000.
LAB_QY = {
    "labor.total": 3, "labor.employed": 3, "labor.unemployed": 0, "labor.poor": 2, "labor.poor_employed": 2,
    "labor.area.乡镇内": 2, "labor.area.省外": 1, "labor.area.县内乡外": 0, "labor.area.省内县外": 0,
    "income.monthly_mean": 2000,
}
# 三岔镇: 莫志强 (poor, unemployed), 韦春花, 黄永福 (poor); mean (4000+2500)/2 = 3250.
LAB_SC = {
    "labor.total": 3, "labor.employed": 2, "labor.unemployed": 1, "labor.poor": 2, "labor.poor_employed": 1,
    "labor.poor_unemployed": 1, "labor.area.省内县外": 1, "labor.area.县内乡外": 1, "labor.area.乡镇内": 0,
    "labor.area.省外": 0, "income.monthly_mean": 3250,
}
LAB_EMPTY = {"labor.total": 0, "labor.employed": 0}

# August 2020 for five of the same people (used where two months are in one file).
LAB_AUG = [
    ["2020-08", "庆远镇", "城东村", "韦小红", pid(1), "是", "未就业", None, None, None],
    ["2020-08", "庆远镇", "城东村", "蓝大明", pid(2), "是", "已就业", "扶贫车间", "乡镇内", 1800],
    ["2020-08", "庆远镇", "城西村", "覃海燕", pid(3), "否", "未就业", None, None, None],
    ["2020-08", "三岔镇", "三岔村", "莫志强", pid(4), "是", "未就业", None, None, None],
    ["2020-08", "三岔镇", "三岔村", "韦春花", pid(5), "否", "已就业", "外出务工", "省内县外", 3800],
]
# total 5; employed 2; poor 3 (韦小红, 蓝大明, 莫志强); poor employed 1; mean (1800+3800)/2 = 2800.
LAB_AUG_FIG = {
    "labor.total": 5, "labor.employed": 2, "labor.unemployed": 3, "labor.poor": 3, "labor.poor_employed": 1,
    "labor.area.乡镇内": 1, "labor.area.省内县外": 1, "labor.area.省外": 0, "income.monthly_mean": 2800,
}

WS_H = ["统计时点", "车间名称", "乡镇", "村", "复工日期", "在岗人数", "其中贫困劳动力"]
WS = [
    ["2020-09", "庆远服装车间", "庆远镇", "城东村", D(2020, 3, 1), 20, 5],
    ["2020-09", "三岔竹编车间", "三岔镇", "三岔村", D(2020, 4, 15), 12, 3],
    ["2020-09", "洛西电子车间", "洛西镇", "洛西村", None, 8, 2],  # not yet resumed: not counted
]
WS_FIG = {"workshops.count": 2, "workshops.on_duty": 32, "workshops.poor_absorbed": 8}
WS_QY = {"workshops.count": 1, "workshops.on_duty": 20, "workshops.poor_absorbed": 5}
WS_SC = {"workshops.count": 1, "workshops.on_duty": 12, "workshops.poor_absorbed": 3}

POST_H = ["岗位类别", "岗位名称", "乡镇", "村", "姓名", "证件号码", "上岗日期"]
POST = [
    ["扶贫公益性岗位", "保洁环卫", "庆远镇", "城东村", "韦小红", pid(21), D(2020, 3, 1)],
    ["扶贫公益性岗位", "护林员", "三岔镇", "三岔村", "莫志强", pid(22), D(2020, 5, 10)],
    ["临时性公益岗位", "巡查员", "庆远镇", "城西村", "覃海燕", pid(23), D(2020, 4, 1)],
    ["扶贫公益性岗位", "护路员", "洛西镇", "洛西村", "黄永福", pid(24), D(2020, 6, 1)],
]
POST_FIG = {"posts.poverty.count": 3, "posts.temporary.count": 1}
POST_QY = {"posts.poverty.count": 1, "posts.temporary.count": 1}
POST_SC = {"posts.poverty.count": 1, "posts.temporary.count": 0}

TRN_H = ["培训期次", "培训类型", "主办部门", "培训工种", "开班日期", "乡镇", "村", "姓名", "证件号码", "是否建档立卡"]
TRN = [
    ["2020-01期", "职业技能培训", "人社部门", "电工", D(2020, 5, 10), "庆远镇", "城东村", "韦小红", pid(31), "是"],
    ["2020-01期", "职业技能培训", "人社部门", "电工", D(2020, 5, 10), "庆远镇", "城东村", "蓝大明", pid(32), "否"],
    ["2020-01期", "职业技能培训", "人社部门", "电工", D(2020, 5, 10), "庆远镇", "城西村", "覃海燕", pid(33), "是"],
    ["2020-02期", "短期技能培训", "扶贫部门", "家政服务员", D(2020, 6, 1), "三岔镇", "三岔村", "莫志强", pid(34), "是"],
    ["2020-02期", "短期技能培训", "扶贫部门", "家政服务员", D(2020, 6, 1), "三岔镇", "三岔村", "韦春花", pid(35), "是"],
    ["2020-03期", "农村实用技术培训", "农业农村部门", "桑蚕养殖", D(2020, 7, 1), "洛西镇", "洛西村", "黄永福", pid(36), "否"],
]
TRN_FIG = {
    "training.classes": 3, "training.person_times": 6, "training.poor_person_times": 4,
    "training.vocational.classes": 1, "training.vocational.person_times": 3,
    "training.vocational.poor_person_times": 2, "training.vocational.people": 3,
    "training.short_term.classes": 1, "training.short_term.person_times": 2,
    "training.short_term.poor_person_times": 2, "training.short_term.people": 2,
    "training.rural_practical.classes": 1, "training.rural_practical.person_times": 1,
    "training.rural_practical.poor_person_times": 0, "training.rural_practical.people": 1,
}
TRN_QY = {"training.classes": 1, "training.person_times": 3, "training.poor_person_times": 2}
TRN_SC = {"training.classes": 1, "training.person_times": 2, "training.poor_person_times": 2}

SUB_H = ["发放日期", "补贴类型", "对象类型", "对象名称", "证件号码", "乡镇", "金额（元）"]
SUB = [
    [D(2020, 4, 10), "一次性交通补贴", "个人", "韦小红", pid(41), "庆远镇", 500],
    [D(2020, 4, 10), "一次性交通补贴", "个人", "蓝大明", pid(42), "庆远镇", 500],
    [D(2020, 5, 20), "稳岗补贴", "个人", "莫志强", pid(43), "三岔镇", 1000],
    [D(2020, 6, 15), "扶贫车间带动就业奖补", "扶贫车间", "庆远服装车间", None, "庆远镇", 5000],
    [D(2020, 7, 1), "企业吸纳就业补贴", "企业", "宜州区桑蚕丝绸有限公司", None, "三岔镇", 1000],
]
SUB_FIG = {
    "subsidy.total": 8000, "subsidy.transport": 1000, "subsidy.job_stability": 1000,
    "subsidy.workshop_reward": 5000, "subsidy.workshop_reward_workshops": 1,
    "subsidy.enterprise_absorption": 1000, "subsidy.epidemic_prevention": 0,
    "subsidy.flexible_social_insurance": 0, "subsidy.key_enterprise_social_insurance": 0,
}
SUB_QY = {"subsidy.total": 6000, "subsidy.transport": 1000, "subsidy.workshop_reward": 5000, "subsidy.job_stability": 0}
SUB_SC = {"subsidy.total": 2000, "subsidy.job_stability": 1000, "subsidy.enterprise_absorption": 1000,
          "subsidy.transport": 0}

DEM_H = ["企业名称", "企业所在地", "工种", "岗位数", "发布日期"]
DEM = [
    ["宜州区桑蚕丝绸有限公司", "区内", "缫丝工", 30, D(2020, 3, 1)],
    ["宜州区桑蚕丝绸有限公司", "区内", "质检员", 5, D(2020, 3, 1)],
    ["东莞市华强电子厂", "区外", "普工", 100, D(2020, 2, 15)],
    ["深圳市富丽制衣厂", "区外", "车缝工", 40, D(2020, 4, 1)],
]
DEM_FIG = {"demand.enterprises": 3, "demand.job_types": 4, "demand.postings": 175}

TRA_H = ["批次", "出发日期", "目的地", "乡镇", "人数", "其中建档立卡"]
TRA = [
    ["第1批", D(2020, 2, 20), "东莞", "庆远镇", 30, 10],
    ["第2批", D(2020, 2, 25), "深圳", "三岔镇", 25, 8],
    ["第3批", D(2020, 3, 1), "广州", None, 20, 5],  # no township: district-wide
]
TRA_FIG = {"transport.batches": 3, "transport.people": 75, "transport.poor": 23}
TRA_QY = {"transport.batches": 1, "transport.people": 30, "transport.poor": 10}

TGT_H = ["年度", "乡镇", "指标", "目标值"]
TGT = [
    [2020, "庆远镇", "贫困劳动力就业人数", 3000],
    [2020, "庆远镇", "培训人次", 200],
    [2020, "三岔镇", "贫困劳动力就业人数", 1500],
    [2020, "三岔镇", "贫困劳动力就业率", 90],
]

ADM_H = ["区划代码", "乡镇", "类型", "别名", "上级"]


def _kind(name):
    return "瑶族乡" if name.endswith("瑶族乡") else ("乡" if name.endswith("乡") else "镇")


ADM = [[f"451203{100 + i:03d}", t, _kind(t), None, "宜州区"] for i, t in enumerate(TOWNSHIPS)]


# --- Small builders ------------------------------------------------------------------


def rows_of(header, data, *, titles=(), seq=False):
    """Title rows (each merged across the width), the header, the data rows."""
    width = len(header) + (1 if seq else 0)
    out = [across(t, width) for t in titles]
    out.append((["序号"] if seq else []) + list(header))
    for i, row in enumerate(data):
        out.append(([i + 1] if seq else []) + list(row))
    return out


def book(*sheets, name="台账.xlsx", **kw):
    return Book(name, [s if isinstance(s, Sheet) else Sheet(*s) for s in sheets], **kw)


def one(sheet_name, header, data, *, titles=(), seq=False, name="台账.xlsx", **kw):
    return book(Sheet(sheet_name, rows_of(header, data, titles=titles, seq=seq)), name=name, **kw)


def lab_book(data=None, header=LAB_H, **kw):
    return one(kw.pop("sheet", "劳动力就业台账"), header, LAB if data is None else data, **kw)


def edit(data, r, c, value):
    """A deep copy of ``data`` with cell (r, c) replaced."""
    out = copy.deepcopy(data)
    out[r][c] = value
    return out


def rename(header, old, new):
    return [new if h == old else h for h in header]


def nomonth(data):
    return [r[1:] for r in data]


def merged_down(data, col, spans):
    """Merge column ``col`` down over each (first, last) data-row span (0-based)."""
    out = copy.deepcopy(data)
    for first, last in spans:
        for r in range(first + 1, last + 1):
            out[r][col] = UP
    return out


C = Case  # short name for the table below
ALL = []


def add(*cases):
    ALL.extend(cases)


def q(township, figures, as_of="2020-09-30"):
    return Q(as_of, township, figures)


# =========================================================================================
# 1. Clean baselines, one per sheet, and the event-sheet window (1 January .. as-of date)
# =========================================================================================

add(
    C("clean_labour", [lab_book()], figures=LAB_FIG, queries=[q("庆远镇", LAB_QY), q("三岔镇", LAB_SC)]),
    C("clean_workshops", [one("扶贫车间台账", WS_H, WS)], figures=WS_FIG, queries=[q("庆远镇", WS_QY)]),
    C("clean_posts", [one("公益性岗位台账", POST_H, POST)], figures=POST_FIG, queries=[q("庆远镇", POST_QY)]),
    C("clean_training", [one("技能培训台账", TRN_H, TRN)], figures=TRN_FIG, queries=[q("庆远镇", TRN_QY)]),
    C("clean_subsidies", [one("补贴发放台账", SUB_H, SUB)], figures=SUB_FIG, queries=[q("三岔镇", SUB_SC)]),
    C("clean_demand", [one("用工需求台账", DEM_H, DEM)], figures=DEM_FIG,
      queries=[q("庆远镇", {"demand.postings": 0, "demand.enterprises": 0})],
      note="demand belongs to no township (contract: shown under 全区), so a township query gives 0"),
    C("clean_transport", [one("返岗输送台账", TRA_H, TRA)], figures=TRA_FIG,
      queries=[q("庆远镇", TRA_QY), q("洛西镇", {"transport.batches": 0, "transport.people": 0})]),
    C("clean_targets", [one("目标任务", TGT_H, TGT)], output=("目标任务",),
      note="targets have no figure key; accepted and the summary names the sheet"),
    C("clean_admin_only", [one("行政区划", ADM_H, ADM)], output=("行政区划",)),
    C("clean_admin_and_labour", [book(Sheet("行政区划", rows_of(ADM_H, ADM)),
                                      Sheet("劳动力就业台账", rows_of(LAB_H, LAB)))],
      figures=LAB_FIG, queries=[q("庆远镇", LAB_QY)]),
    C("clean_all_sheets", [book(
        Sheet("行政区划", rows_of(ADM_H, ADM)),
        Sheet("劳动力就业台账", rows_of(LAB_H, LAB)),
        Sheet("扶贫车间台账", rows_of(WS_H, WS)),
        Sheet("公益性岗位台账", rows_of(POST_H, POST)),
        Sheet("技能培训台账", rows_of(TRN_H, TRN)),
        Sheet("补贴发放台账", rows_of(SUB_H, SUB)),
        Sheet("用工需求台账", rows_of(DEM_H, DEM)),
        Sheet("返岗输送台账", rows_of(TRA_H, TRA)),
        Sheet("目标任务", rows_of(TGT_H, TGT)),
    )],
      figures={**LAB_FIG, **WS_FIG, **POST_FIG, **TRN_FIG, **SUB_FIG, **DEM_FIG, **TRA_FIG},
      queries=[q("庆远镇", {**LAB_QY, **WS_QY, **POST_QY, **TRN_QY, **SUB_QY, **TRA_QY, "demand.postings": 0}),
               q("三岔镇", {**LAB_SC, **WS_SC, **POST_SC, **TRN_SC, **SUB_SC,
                         "transport.batches": 1, "transport.people": 25, "transport.poor": 8})]),
    C("labour_two_months", [lab_book(LAB_AUG + LAB)], figures=LAB_FIG,
      queries=[q(None, LAB_AUG_FIG, "2020-08-31")]),
    C("workshops_two_months", [one("扶贫车间台账", WS_H, [
        ["2020-08", "庆远服装车间", "庆远镇", "城东村", D(2020, 3, 1), 18, 4],
        ["2020-08", "三岔竹编车间", "三岔镇", "三岔村", None, 10, 2],
    ] + WS)], figures=WS_FIG,
      queries=[q(None, {"workshops.count": 1, "workshops.on_duty": 18, "workshops.poor_absorbed": 4}, "2020-08-31")]),
    C("window_subsidies", [one("补贴发放台账", SUB_H, SUB + [
        [D(2019, 12, 20), "一次性交通补贴", "个人", "覃海燕", pid(44), "庆远镇", 500],
        [D(2020, 10, 5), "稳岗补贴", "个人", "韦春花", pid(45), "三岔镇", 1000],
    ])], figures=SUB_FIG,
      queries=[q(None, {"subsidy.total": 9000, "subsidy.job_stability": 2000, "subsidy.transport": 1000}, "2020-12-31"),
               q(None, {"subsidy.total": 500, "subsidy.transport": 500}, "2019-12-31")]),
    C("window_posts", [one("公益性岗位台账", POST_H, POST + [
        ["扶贫公益性岗位", "水管员", "洛西镇", "洛西村", "韦春花", pid(25), D(2019, 12, 1)],
        ["临时性公益岗位", "保洁环卫", "三岔镇", "龙田村", "蓝小英", pid(26), D(2020, 10, 8)],
    ])], figures=POST_FIG,
      queries=[q(None, {"posts.poverty.count": 3, "posts.temporary.count": 2}, "2020-12-31"),
               q(None, {"posts.poverty.count": 1, "posts.temporary.count": 0}, "2019-12-31")]),
    C("window_training", [one("技能培训台账", TRN_H, TRN + [
        ["2019-09期", "职业技能培训", "人社部门", "焊工", D(2019, 11, 5), "庆远镇", "城东村", "韦小明", pid(37), "是"],
        ["2020-04期", "职业技能培训", "人社部门", "焊工", D(2020, 10, 12), "庆远镇", "城东村", "蓝小英", pid(38), "是"],
    ])], figures=TRN_FIG,
      queries=[q(None, {"training.classes": 4, "training.person_times": 7, "training.vocational.classes": 2},
                 "2020-12-31")]),
    C("window_transport", [one("返岗输送台账", TRA_H, TRA + [
        ["第0批", D(2019, 12, 28), "东莞", "庆远镇", 15, 3],
        ["第4批", D(2020, 10, 2), "东莞", "三岔镇", 12, 2],
    ])], figures=TRA_FIG,
      queries=[q(None, {"transport.batches": 4, "transport.people": 87, "transport.poor": 25}, "2020-12-31")]),
)

# 行政区划 rules
_ADM_ALIAS = edit(ADM, 0, 3, "城关镇、庆远")
_ADM_STREET = ADM + [["451203001", "庆远街道", "街道", None, "宜州区"]]
add(
    C("admin_alias_maps", [book(Sheet("行政区划", rows_of(ADM_H, _ADM_ALIAS)),
                                Sheet("劳动力就业台账", rows_of(LAB_H, [
                                    edit(LAB, 0, 1, "城关镇")[0], LAB[1], edit(LAB, 2, 1, "城关镇")[2]] + LAB[3:])))],
      figures=LAB_FIG, queries=[q("庆远镇", LAB_QY)],
      note="an old name given as 别名 in the same workbook's 行政区划 sheet maps to the township"),
    C("admin_new_township", [book(Sheet("行政区划", rows_of(ADM_H, _ADM_STREET)),
                                  Sheet("劳动力就业台账", rows_of(LAB_H, LAB + [
                                      ["2020-09", "庆远街道", "城北社区", "刘志明", pid(11), "否", "已就业", "灵活就业",
                                       "乡镇内", 3500]])))],
      figures={"labor.total": 7, "labor.employed": 6},
      queries=[q("庆远街道", {"labor.total": 1, "labor.employed": 1, "income.monthly_mean": 3500})],
      note="the workbook's own 行政区划 sheet governs its other sheets (contract: the sheet lists the townships)"),
    C("admin_list_excludes_township", [book(Sheet("行政区划", rows_of(ADM_H, ADM[:-1])),
                                            Sheet("劳动力就业台账", rows_of(LAB_H, edit(LAB, 5, 1, "龙头乡"))))],
      exit=1, errors=[Err(7, "乡镇", "B", "劳动力就业台账", ("龙头乡",))],
      note="行政区划 lists 15 townships without 龙头乡; a labourer of 龙头乡 is then an unknown township"),
    C("admin_duplicate_township", [one("行政区划", ADM_H, ADM + [["451203199", "三岔镇", "镇", None, "宜州区"]])],
      exit=1, errors=[Err(18, "乡镇", "B", "行政区划", ("第3行",))], forbid=(r"re:第(\d+)行[^\n]*第\1行",),
      note="乡镇 is unique in 行政区划: a duplicate names the other row (三岔镇 is row 3)"),
    C("suffixless_townships", [lab_book([edit(LAB, i, 1, "庆远" if i < 3 else "三岔")[i] for i in range(6)])],
      figures=LAB_FIG, queries=[q("三岔镇", LAB_SC)]),
    C("suffixless_yao_townships", [lab_book([
        ["2020-09", "福龙", "那安村", "蓝小花", pid(12), "是", "已就业", "外出务工", "省外", 3000],
        ["2020-09", "福龙瑶族乡", "那安村", "蓝小兵", pid(13), "是", "未就业", None, None, None],
        ["2020-09", "北牙", "北牙村", "韦小强", pid(14), "否", "已就业", "务农", "乡镇内", 800],
    ])], figures={"labor.total": 3, "labor.employed": 2, "labor.mode.务农": 1},
      queries=[q("福龙瑶族乡", {"labor.total": 2, "labor.employed": 1, "labor.poor": 2}),
               q("北牙瑶族乡", {"labor.total": 1, "income.monthly_mean": 800})]),
    C("unknown_township", [lab_book(edit(LAB, 3, 1, "河池镇"))], exit=1,
      errors=[Err(5, "乡镇", "B", "劳动力就业台账", ("河池镇",))]),
)

# =========================================================================================
# 2. Totals, subtotals and cumulative rows (合计/总计/小计/累计) -- never counted
# =========================================================================================

_LAB_TOT = rows_of(LAB_H, LAB, seq=True) + [["合计", "2020-09", "三岔镇", None, None, None, None, None, None, None, 12500]]
_LAB_SUBTOT = rows_of(LAB_H, LAB[:3]) + [
    ["2020-09", "庆远镇", "城西村", "小计", None, None, None, None, None, 6000],
] + LAB[3:] + [
    ["2020-09", "三岔镇", "龙田村", "小计", None, None, None, None, None, 6500],
    ["2020-09", None, None, "合计", None, None, None, None, None, 12500],
]
add(
    C("tot_labour_seq", [book(Sheet("劳动力就业台账", _LAB_TOT))], figures=LAB_FIG,
      queries=[q("三岔镇", LAB_SC)], output=("第8行",),
      note="合计 in 序号 with 统计时点 and 乡镇 filled down into the row"),
    C("tot_labour_first_text", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB) + [
        [None, "合计", None, None, None, None, None, None, None, 12500]]))], figures=LAB_FIG, output=("第8行",)),
    C("tot_labour_name_subtotals", [book(Sheet("劳动力就业台账", _LAB_SUBTOT))], figures=LAB_FIG,
      queries=[q("庆远镇", LAB_QY), q("三岔镇", LAB_SC)], output=("第5行", "第9行", "第10行"),
      note="小计 in the 姓名 cell after each township, 统计时点/乡镇/村 filled into the row"),
    C("tot_labour_zongji_filled_status", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB) + [
        ["2020-09", "三岔镇", "龙田村", "总计", None, "是", "已就业", "外出务工", "省外", 12500]]))],
      figures=LAB_FIG, output=("第8行",),
      note="总计 in 姓名 with 是否建档立卡/就业状态/就业方式/务工区域 dragged down: still not a labourer"),
    C("tot_labour_top", [book(Sheet("劳动力就业台账", [["序号"] + LAB_H, ["合计", "2020-09"] + [None] * 8 + [12500]] + [
        [i + 1] + r for i, r in enumerate(LAB)]))], figures=LAB_FIG, output=("第2行",),
      note="a totals row directly under the header (some offices put it first)"),
    C("tot_labour_spaced", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB, seq=True) + [
        ["合  计", None, None, None, None, None, None, None, None, None, 12500]]))], figures=LAB_FIG,
      note="'合  计' with spaces is what the clerk reads as 合计 (whitespace removed as for headers)"),
)

# The reported bug: a totals row at the bottom of 补贴发放 / 返岗输送 counted twice
# (16,000 yuan for 8,000; 150 people for 75).
_SUB_SEQ = rows_of(SUB_H, SUB, seq=True) + [["合计", D(2020, 7, 1), "企业吸纳就业补贴", "企业", None, None, "三岔镇", 8000]]
_SUB_SUBTOTALS = [["序号"] + SUB_H,
                  [1] + SUB[0], [2] + SUB[1],
                  ["小计", D(2020, 4, 10), "一次性交通补贴", "个人", None, None, "庆远镇", 1000],
                  [3] + SUB[2],
                  ["小计", D(2020, 5, 20), "稳岗补贴", "个人", None, None, "三岔镇", 1000],
                  [4] + SUB[3], [5] + SUB[4],
                  ["总计", None, None, None, None, None, None, 8000]]
_SUB_WAN_H = rename(SUB_H, "金额（元）", "金额（万元）")
_SUB_WAN = [r[:6] + [a] for r, a in zip(SUB, [0.05, 0.05, 0.1, 0.5, 0.1])]
add(
    C("tot_sub_seq", [book(Sheet("补贴发放台账", _SUB_SEQ))], figures=SUB_FIG,
      queries=[q("三岔镇", SUB_SC)], output=("第7行",),
      note="合计 in 序号; 发放日期, 补贴类型, 对象类型 and 乡镇 dragged down into it"),
    C("tot_sub_first_text", [book(Sheet("补贴发放台账", rows_of(SUB_H, SUB) + [
        ["合计", None, None, None, None, None, 8000]]))], figures=SUB_FIG, output=("第7行",)),
    C("tot_sub_name_cell", [book(Sheet("补贴发放台账", rows_of(SUB_H, SUB) + [
        [D(2020, 7, 1), "企业吸纳就业补贴", "企业", "合计", None, "三岔镇", 8000]]))], figures=SUB_FIG,
      queries=[q("三岔镇", SUB_SC)], output=("第7行",),
      note="合计 in 对象名称 (the name cell); the first text cell is the dragged 补贴类型"),
    C("tot_sub_merged_label", [book(Sheet("补贴发放台账", rows_of(SUB_H, SUB) + [across("合计", 6) + [8000]]))],
      figures=SUB_FIG, output=("第7行",)),
    C("tot_sub_sum_formula", [book(Sheet("补贴发放台账", rows_of(SUB_H, SUB) + [
        [None, None, None, "合计", None, None, F("=SUM(G2:G6)", 8000)]]))], figures=SUB_FIG),
    C("tot_sub_wan", [book(Sheet("补贴发放台账", rows_of(_SUB_WAN_H, _SUB_WAN) + [
        ["合计", None, None, None, None, None, 0.8]]))], figures=SUB_FIG, output=("第7行",)),
    C("tot_sub_subtotals_by_type", [book(Sheet("补贴发放台账", _SUB_SUBTOTALS))], figures=SUB_FIG,
      output=("第4行", "第6行", "第9行")),
    C("tot_sub_cumulative_name", [book(Sheet("补贴发放台账", rows_of(SUB_H, SUB) + [
        [None, None, None, "累计", None, None, 8000]]))], figures=SUB_FIG),
    C("tot_sub_mismatch_warns", [book(Sheet("补贴发放台账", rows_of(SUB_H, SUB) + [
        ["合计", None, None, None, None, None, 9000]]))], figures=SUB_FIG,
      output=("第7行", r"re:9,?000|0\.9"),
      note="the totals row says 9000 while the rows sum to 8000: a warning naming both, still accepted"),
    C("tot_sub_csv", [Csv("补贴发放台账.csv", rows_of(SUB_H, SUB) + [["合计", None, None, None, None, None, 8000]],
                          "utf-8-sig")], figures=SUB_FIG),
)

add(
    C("tot_tra_batch_cell", [book(Sheet("返岗输送台账", rows_of(TRA_H, TRA) + [
        ["合计", D(2020, 3, 1), None, None, 75, 23]]))], figures=TRA_FIG, output=("第5行",)),
    C("tot_tra_merged_label", [book(Sheet("返岗输送台账", rows_of(TRA_H, TRA) + [across("合计", 4) + [75, 23]]))],
      figures=TRA_FIG),
    C("tot_tra_township_filled", [book(Sheet("返岗输送台账", rows_of(TRA_H, TRA) + [
        ["合计", D(2020, 3, 1), "广州", "庆远镇", 75, 23]]))], figures=TRA_FIG, queries=[q("庆远镇", TRA_QY)],
      note="乡镇 dragged into the totals row must not put 75 more people under 庆远镇"),
    C("tot_tra_csv_gbk", [Csv("返岗输送台账.csv", rows_of(TRA_H, TRA) + [["合计", None, None, None, 75, 23]], "gbk")],
      figures=TRA_FIG),
    C("tot_workshops", [book(Sheet("扶贫车间台账", rows_of(WS_H, WS) + [
        ["2020-09", "合计", None, None, D(2020, 4, 15), 40, 10]]))], figures=WS_FIG, output=("第5行",),
      note="合计 in 车间名称 (the name cell) with 复工日期 dragged down: would count as a resumed workshop"),
    C("tot_posts_seq", [book(Sheet("公益性岗位台账", rows_of(POST_H, POST, seq=True) + [
        ["合计", "扶贫公益性岗位", None, None, None, None, None, D(2020, 6, 1)]]))], figures=POST_FIG,
      output=("第6行",)),
    C("tot_training_subtotals", [book(Sheet("技能培训台账", rows_of(TRN_H, TRN[:3]) + [
        ["2020-01期", "职业技能培训", "人社部门", "电工", D(2020, 5, 10), "庆远镇", None, "小计", None, None],
    ] + TRN[3:5] + [
        ["2020-02期", "短期技能培训", "扶贫部门", "家政服务员", D(2020, 6, 1), "三岔镇", None, "小计", None, None],
    ] + TRN[5:] + [
        [None, None, None, None, None, None, None, "合计", None, None],
    ]))], figures=TRN_FIG, output=("第5行", "第8行", "第10行")),
    C("tot_demand", [book(Sheet("用工需求台账", rows_of(DEM_H, DEM) + [
        ["合计", "区外", None, 175, D(2020, 4, 1)]]))], figures=DEM_FIG, output=("第6行",)),
)

# =========================================================================================
# 3. Signature footers below the data
# =========================================================================================

add(
    C("foot_labour_signers", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB) + [
        [None] * 10,
        ["填表人：张丽", None, None, "审核人：韦国强", None, None, "负责人：蓝海", None, None, None]]))],
      figures=LAB_FIG),
    C("foot_labour_fill_date", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB) + [
        ["填报日期：2020年10月5日"]]))], figures=LAB_FIG,
      queries=[q(None, LAB_FIG, "2020-10-31")],
      note="填报日期 in a footer is never a month: the September snapshot stays the latest"),
    C("foot_sub_contact", [book(Sheet("补贴发放台账", rows_of(SUB_H, SUB) + [
        ["联系人：覃某某", None, None, "联系电话：13807781234"]]))], figures=SUB_FIG),
    C("foot_tra_unit_stamp", [book(Sheet("返岗输送台账", rows_of(TRA_H, TRA) + [
        ["填报单位：宜州区人力资源和社会保障局"], ["单位（盖章）"]]))], figures=TRA_FIG),
    C("foot_merged_across", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB) + [
        across("填表人：张丽　　审核人：韦国强　　填报日期：2020年10月5日", 10)]))], figures=LAB_FIG),
    C("foot_in_second_column", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB, seq=True) + [
        [None, "填表人：张丽", None, None, None, "负责人：蓝海"]]))], figures=LAB_FIG,
      note="the footer text starts in column B (first text cell), 序号 column empty"),
    C("foot_after_totals", [book(Sheet("补贴发放台账", _SUB_SEQ + [
        [None] * 8, ["制表：李明", None, None, "审核人：韦国强", None, "单位（盖章）"],
        ["填报日期：2020年10月5日"]]))], figures=SUB_FIG),
    C("foot_csv_gbk", [Csv("劳动力就业台账.csv", rows_of(LAB_H, LAB) + [
        [], ["填表人：张丽", "", "审核人：韦国强"], ["填报日期：2020年10月5日"]], "gbk")], figures=LAB_FIG),
    C("foot_ascii_colon_no_colon", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB) + [
        ["填表人:张丽"], ["审核人 韦国强"], ["制表"]]))], figures=LAB_FIG,
      note="lines that begin 填表人/审核人/制表 whatever follows (ASCII colon, space, nothing)"),
)

# =========================================================================================
# 4. Merged cells
# =========================================================================================

_HH_H = ["统计时点", "乡镇", "村", "户编号", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工区域", "月收入（元）"]
_HH = [
    ["2020-09", "庆远镇", "城东村", "H001", "韦小红", pid(1), "是", "已就业", "外出务工", "省外", 3000],
    ["2020-09", "庆远镇", "城东村", UP, "韦小明", pid(7), "是", "未就业", None, None, None],
    ["2020-09", "庆远镇", "城东村", "H002", "蓝大明", pid(2), "是", "未就业", None, None, None],
    ["2020-09", "庆远镇", "城东村", UP, "蓝小英", pid(8), "是", "已就业", "扶贫车间", "乡镇内", 2000],
    ["2020-09", "三岔镇", "三岔村", "H003", "莫志强", pid(4), "是", "未就业", None, None, None],
    ["2020-09", "三岔镇", "三岔村", UP, "莫小军", pid(9), "是", "未就业", None, None, None],
]
# 6 people, 2 employed, 3 households; only H003 has nobody employed.
_HH_FIG = {"labor.total": 6, "labor.employed": 2, "labor.unemployed": 4, "labor.poor": 6,
           "labor.area.省外": 1, "labor.area.乡镇内": 1, "income.monthly_mean": 2500,
           "households.total": 3, "households.none_employed": 1}
_HH_NOTE = ("households.* are printed by the CLI but not defined in the contract: read as distinct 户编号 and "
            "households without an 已就业 member; with the merge ignored, H001/H002 would lose a member")

_AREA = [
    ["2020-09", "庆远镇", "城东村", "韦小红", pid(1), "是", "已就业", "外出务工", "省外", 3000],
    ["2020-09", "庆远镇", "城东村", "蓝大明", pid(2), "是", "已就业", "外出务工", UP, 3500],
    ["2020-09", "庆远镇", "城西村", "覃海燕", pid(3), "否", "已就业", "外出务工", UP, 4000],
    ["2020-09", "三岔镇", "三岔村", "莫志强", pid(4), "是", "未就业", None, None, None],
    ["2020-09", "三岔镇", "三岔村", "韦春花", pid(5), "否", "已就业", "外出务工", "省内县外", 4500],
    ["2020-09", "三岔镇", "龙田村", "黄永福", pid(6), "是", "已就业", "外出务工", UP, 2500],
]
# employed 5, all 外出务工; 省外 3, 省内县外 2; mean (3000+3500+4000+4500+2500)/5 = 3500.
_AREA_FIG = {"labor.total": 6, "labor.employed": 5, "labor.mode.外出务工": 5, "labor.area.省外": 3,
             "labor.area.省内县外": 2, "labor.area.乡镇内": 0, "income.monthly_mean": 3500}
_MODE = copy.deepcopy(_AREA)
for _r in (1, 2):
    _MODE[_r][6] = UP
    _MODE[_r][7] = UP
    _MODE[_r][8] = "省外"
_MODE[5][7] = UP
_MODE[5][8] = "省内县外"

_TWO_ROW = [
    ["序号", "统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业情况", LEFT, LEFT, "月收入（元）"],
    [UP, UP, UP, UP, UP, UP, UP, "就业状态", "就业方式", "务工区域", UP],
] + [[i + 1] + r for i, r in enumerate(LAB)]

_INFO = [r[1:9] + [p] + [r[9]] for r, p in zip(LAB, ["广东省东莞市", "宜州区", "宜州区", None, "南宁市", "宜州区"])]
_TWO_ROW_TITLE = [
    across("宜州区贫困劳动力就业台账（2020年9月）", 11),
    ["序号", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工信息", LEFT, LEFT],
    [UP, UP, UP, UP, UP, UP, UP, UP, "务工区域", "务工所在地", "月收入（元）"],
] + [[i + 1] + r for i, r in enumerate(_INFO)]

_YESNO = [["是" if r[6] == "已就业" else "否"] + r[7:9] for r in LAB]
_TWO_ROW_YESNO = [
    ["序号", "统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业情况", LEFT, LEFT, "月收入（元）"],
    [UP, UP, UP, UP, UP, UP, UP, "是否就业", "就业方式", "务工区域", UP],
] + [[i + 1] + r[:6] + yn + [r[9]] for i, (r, yn) in enumerate(zip(LAB, _YESNO))]
_YESNO_NOTE = ("decided for the product (issue 9 names this very header: 就业情况 merged over 是否就业/就业方式/"
               "务工区域): 是否就业 is read as 就业状态, 是 → 已就业, 否 → 未就业; docs/台账格式.md lists it")

_SEQ_SUBTOT_MERGED = [["序号"] + LAB_H]
_SEQ_SUBTOT_MERGED += [[1] + LAB[0], [2, "2020-09", UP] + LAB[1][2:], [3, "2020-09", UP] + LAB[2][2:],
                       ["小计", "2020-09", UP, None, None, None, None, None, None, None, 6000],
                       [4] + LAB[3], [5, "2020-09", UP] + LAB[4][2:], [6, "2020-09", UP] + LAB[5][2:],
                       ["小计", "2020-09", UP, None, None, None, None, None, None, None, 6500],
                       ["合计", None, None, None, None, None, None, None, None, None, 12500]]

add(
    C("merge_household", [book(Sheet("劳动力就业台账", rows_of(_HH_H, _HH)))], figures=_HH_FIG, note=_HH_NOTE),
    C("merge_area", [book(Sheet("劳动力就业台账", rows_of(LAB_H, _AREA)))], figures=_AREA_FIG,
      queries=[q("三岔镇", {"labor.area.省内县外": 2, "labor.area.省外": 0})]),
    C("merge_status_mode", [book(Sheet("劳动力就业台账", rows_of(LAB_H, _MODE)))], figures=_AREA_FIG),
    C("merge_township", [lab_book(merged_down(LAB, 1, [(0, 2), (3, 5)]))], figures=LAB_FIG,
      queries=[q("庆远镇", LAB_QY), q("三岔镇", LAB_SC)]),
    C("merge_month_town_village", [lab_book(merged_down(merged_down(merged_down(
        LAB, 0, [(0, 5)]), 1, [(0, 2), (3, 5)]), 2, [(0, 1), (3, 4)]))], figures=LAB_FIG,
      queries=[q("三岔镇", LAB_SC)]),
    C("merge_township_over_subtotal", [book(Sheet("劳动力就业台账", _SEQ_SUBTOT_MERGED))], figures=LAB_FIG,
      queries=[q("庆远镇", LAB_QY), q("三岔镇", LAB_SC)], output=("第5行", "第9行", "第10行"),
      note="乡镇 merged over a township's rows including its 小计 row: the 小计 row is still skipped"),
    C("merge_title_across", [lab_book(titles=["宜州区贫困劳动力就业台账（2020年9月）"])], figures=LAB_FIG),
    C("merge_two_row_header", [book(Sheet("劳动力就业台账", _TWO_ROW))], figures=LAB_FIG,
      note="group title 就业情况 over 就业状态/就业方式/务工区域; the lower row names the columns"),
    C("merge_two_row_header_title_month", [book(Sheet("劳动力就业台账", _TWO_ROW_TITLE))],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="title row + group title 务工信息; no 统计时点 column: month from the title"),
    C("merge_two_row_header_yesno", [book(Sheet("劳动力就业台账", _TWO_ROW_YESNO))], figures=LAB_FIG, note=_YESNO_NOTE),
    C("header_yesno_single_row", [lab_book([r[:6] + yn + [r[9]] for r, yn in zip(LAB, _YESNO)],
                                           header=rename(LAB_H, "就业状态", "是否就业"))], figures=LAB_FIG, note=_YESNO_NOTE),
    C("merge_sub_date_type", [one("补贴发放台账", SUB_H, merged_down(merged_down(merged_down(merged_down(
        SUB, 0, [(0, 1)]), 1, [(0, 1)]), 2, [(0, 1)]), 5, [(0, 1)]))], figures=SUB_FIG,
      queries=[q("庆远镇", SUB_QY)]),
    C("merge_tra_township", [one("返岗输送台账", TRA_H, [TRA[0], edit(TRA, 1, 3, UP)[1], TRA[2]])],
      figures=TRA_FIG,
      queries=[q("庆远镇", {"transport.batches": 2, "transport.people": 55, "transport.poor": 18})],
      note="乡镇 庆远镇 merged over batches 1 and 2: both are 庆远镇's"),
    C("merge_training_class", [one("技能培训台账", TRN_H, merged_down(merged_down(merged_down(merged_down(
        merged_down(merged_down(TRN, 0, [(0, 2), (3, 4)]), 1, [(0, 2), (3, 4)]), 2, [(0, 2), (3, 4)]),
        3, [(0, 2), (3, 4)]), 4, [(0, 2), (3, 4)]), 5, [(0, 2), (3, 4)]))], figures=TRN_FIG,
      queries=[q("三岔镇", TRN_SC)]),
    C("merge_demand_enterprise", [one("用工需求台账", DEM_H, merged_down(merged_down(merged_down(
        DEM, 0, [(0, 1)]), 1, [(0, 1)]), 4, [(0, 1)]))], figures=DEM_FIG),
)

# =========================================================================================
# 5. The month of a snapshot sheet: title, sheet name, file name; spellings
# =========================================================================================

_NM_H = LAB_H[1:]
_NM = nomonth(LAB)
_NM_QY = nomonth(LAB[:3])


def month_case(cid, *, title=None, sheet="劳动力就业台账", name="台账.xlsx", data=_NM, fig=LAB_FIG, output=(),
               note="", exit=0, errors=()):
    titles = [title] if title else []
    return C(cid, [one(sheet, _NM_H, data, titles=titles, name=name)], exit=exit, errors=list(errors),
             figures=fig if exit == 0 else {},
             # filed as September: nothing as of 31 August (the as-of-October query is in month_from_title)
             queries=[q(None, LAB_EMPTY, "2020-08-31")] if exit == 0 else [],
             output=output, note=note)


_QY_FIG = dict(LAB_QY)
add(
    C("month_from_title", [one("劳动力就业台账", _NM_H, _NM, titles=["宜州区贫困劳动力就业台账（2020年9月）"])],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31"), q(None, LAB_FIG, "2020-10-31")], output=("标题",)),
    month_case("month_from_sheet_name", sheet="2020年9月", output=("工作表名",),
               note="the sheet named 2020年9月 is found by its headers; the month comes from its name"),
    month_case("month_from_file_name", name="庆远镇2020年9月台账.xlsx", data=_NM_QY, fig=_QY_FIG,
               output=("文件名",)),
    month_case("month_title_yuefen", title="宜州区贫困劳动力就业台账（2020年9月份）"),
    month_case("month_title_chinese_numerals", title="宜州区贫困劳动力就业台账（二〇二〇年九月）"),
    month_case("month_title_short_year", title="宜州区贫困劳动力就业台账（20年9月）"),
    month_case("month_title_yearless_year_in_file", title="贫困劳动力就业台账（9月）", name="宜州区2020年就业台账.xlsx",
               note="9月 without a year takes the year from the file name"),
    month_case("month_title_yuefen_yearless_year_in_sheet", title="庆远镇贫困劳动力就业台账（9月份）", sheet="2020年",
               note="9月份 in the title, the year from the sheet name 2020年 (sheet found by headers)"),
    month_case("month_sheet_yearless_year_in_title", title="2020年贫困劳动力就业台账", sheet="9月",
               note="the sheet is named 9月, the year is in the title"),
    month_case("month_yearless_no_year", title="贫困劳动力就业台账（9月）", exit=1,
               errors=[Err(None, None, None, "劳动力就业台账", (r"re:(?<![年\d])9月",))],
               note="9月 with no year in title, sheet name or file name: an error that says what it saw "
                    "(the message must quote the year-less 9月 it found, not only an example like 2020年9月)"),
    month_case("month_title_beats_sheet_name", title="宜州区贫困劳动力就业台账（2020年9月）", sheet="2020年8月",
               note="'in that order': the title is read before the sheet name"),
    month_case("month_sheet_beats_file_name", sheet="2020年9月", name="庆远镇2020年8月台账.xlsx",
               note="'in that order': the sheet name is read before the file name"),
)
add(
    C("month_title_in_second_row", [one("劳动力就业台账", _NM_H, _NM, titles=[
        "宜州区人力资源和社会保障局", "贫困劳动力就业台账（2020年9月）"])], figures=LAB_FIG,
      queries=[q(None, LAB_EMPTY, "2020-08-31")], note="the month stands in the second of two title rows"),
    C("month_title_statistics_and_fill_date", [one("劳动力就业台账", _NM_H, _NM, titles=[
        "宜州区贫困劳动力就业台账", "填报单位：庆远镇　　填报日期：2020年10月5日　　统计时点：2020年9月"])],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="one title row holds both 填报日期 (October) and 统计时点 (September): the month is September"),
    C("month_fill_date_in_title_month_in_sheet", [one("2020年9月", _NM_H, _NM, titles=[
        "宜州区贫困劳动力就业台账（填报日期：2020年10月5日）"])], figures=LAB_FIG,
      queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="the title's only date is a 填报日期, which is never the month: the month comes from the sheet name"),
    C("hdr_sheet1_with_title_month", [one("Sheet1", _NM_H, _NM, titles=["宜州区贫困劳动力就业台账（2020年9月）"])],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="the table found by its headers under a title row, the month from that title"),
    C("month_column_yearless_year_in_title", [lab_book([["9月"] + r[1:] for r in LAB],
                                                       titles=["2020年贫困劳动力就业台账"])],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="'a month written without its year takes the year from the same places': 9月 in the 统计时点 column, "
           "2020 from the title"),
    C("month_column_yearless_no_year", [lab_book([["9月"] + r[1:] for r in LAB])], exit=1,
      errors=[Err(2, "统计时点", "A", "劳动力就业台账", ("9月",))],
      note="9月 in the column and no year in title, sheet name or file name: an error"),
    C("event_sheet_title_month_ignored", [one("补贴发放台账", SUB_H, SUB, titles=["宜州区就业补贴发放台账（2020年9月）"])],
      figures=SUB_FIG, queries=[q(None, {"subsidy.total": 7000, "subsidy.enterprise_absorption": 0}, "2020-06-30")],
      note="event sheets take the month of their date, not the title's month: April-July payments stay there"),
)
_FILL_TITLE = [across("宜州区贫困劳动力就业台账（2020年9月）", 9),
               across("填报单位：庆远镇人民政府　　　　填报日期：2020年10月5日", 9)] + rows_of(_NM_H, _NM)
_FILL_COL_H = _NM_H + ["填报日期"]
add(
    C("month_title_with_fill_date_line", [book(Sheet("劳动力就业台账", _FILL_TITLE))], figures=LAB_FIG,
      queries=[q(None, LAB_EMPTY, "2020-08-31"), q(None, LAB_FIG, "2020-10-31")],
      note="填报日期 5 October in the second title row is not the month; September from the title"),
    C("month_title_with_fill_date_column", [one("劳动力就业台账", _FILL_COL_H, [r + [D(2020, 10, 5)] for r in _NM],
                                                titles=["宜州区贫困劳动力就业台账（2020年9月）"])],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="a 填报日期 column (2020-10-05) and no 统计时点: filed as September from the title"),
    C("month_fill_date_only", [one("劳动力就业台账", _FILL_COL_H, [r + [D(2020, 10, 5)] for r in _NM])], exit=1,
      errors=[Err(None, "统计时点", None, "劳动力就业台账")],
      note="填报日期 is never the month; without title/sheet/file month the 统计时点 column is missing"),
    C("month_workshops_from_title", [one("扶贫车间台账", WS_H[1:], nomonth(WS), titles=["宜州区扶贫车间台账（2020年9月）"])],
      figures=WS_FIG, queries=[q(None, {"workshops.count": 0, "workshops.on_duty": 0}, "2020-08-31")]),
    C("month_csv_file_name", [Csv("劳动力就业台账2020年9月.csv", rows_of(_NM_H, _NM), "utf-8-sig")],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="a CSV named like the sheet plus its month; found by its headers, month from the file name"),
    C("month_two_sheets_same_table", [book(Sheet("2020年8月", rows_of(_NM_H, nomonth(LAB_AUG))),
                                           Sheet("2020年9月", rows_of(_NM_H, _NM)))], exit=1,
      errors=[Err(None, None, None, "2020年9月", ("2020年8月",))],
      note="contract: 'two sheets of the same table are an error unless one of them is such a summary' "
           "-- applies even when each sheet is a different month (worth confirming with the product owner)"),
    C("month_column_spellings", [lab_book([
        ["2020-09"] + LAB[0][1:], ["2020年9月"] + LAB[1][1:], ["202009"] + LAB[2][1:],
        [202009] + LAB[3][1:], [D(2020, 9, 1)] + LAB[4][1:], ["2020/9"] + LAB[5][1:]])],
      figures=LAB_FIG, queries=[q(None, LAB_EMPTY, "2020-08-31")],
      note="a date cell in the month column stands for its month; 202009 typed as a number too"),
)

# =========================================================================================
# 6. Sheets found by their headers; notes, summaries, unknown ledger-like sheets
# =========================================================================================

_NOTES = Sheet("填表说明", [["填表说明"], ["1. 证件号码填写18位身份证号码，设置为文本格式。"], ["2. 统计时点填写到月，如2020-09。"]])
_NOTE2 = Sheet("说明", [["说明：本表由各乡镇人社所填报，每月5日前报送。"]])
_SUMMARY = Sheet("汇总", [["乡镇", "劳动力人数", "已就业人数", "未就业人数"], ["庆远镇", 3, 3, 0], ["三岔镇", 3, 2, 1],
                        ["合计", 6, 5, 1]])
add(
    C("hdr_sheet1_labour", [lab_book(sheet="Sheet1")], figures=LAB_FIG, output=("Sheet1",)),
    C("hdr_tab_gongyigang", [one("公益岗", POST_H, POST)], figures=POST_FIG, output=("公益岗",)),
    C("hdr_tab_peixun", [one("培训", TRN_H, TRN)], figures=TRN_FIG, output=("培训",)),
    C("hdr_tab_butie", [one("补贴", SUB_H, SUB)], figures=SUB_FIG, output=("补贴",)),
    C("hdr_tab_chejian", [one("车间", WS_H, WS)], figures=WS_FIG),
    C("hdr_sheet_aliases", [book(
        Sheet("劳动力", rows_of(LAB_H, LAB)), Sheet("帮扶车间", rows_of(WS_H, WS)),
        Sheet("公益岗位", rows_of(POST_H, POST)), Sheet("培训台账", rows_of(TRN_H, TRN)),
        Sheet("资金发放", rows_of(SUB_H, SUB)), Sheet("岗位信息", rows_of(DEM_H, DEM)),
        Sheet("点对点输送", rows_of(TRA_H, TRA)), Sheet("年度目标", rows_of(TGT_H, TGT)))],
      figures={**LAB_FIG, **WS_FIG, **POST_FIG, **TRN_FIG, **SUB_FIG, **DEM_FIG, **TRA_FIG}),
    C("hdr_unmatched_ledger_like", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB)),
                                         Sheet("残疾人名单", rows_of(["姓名", "身份证号码", "乡镇", "村", "残疾类别", "残疾等级"], [
                                             ["韦小明", pid(7), "庆远镇", "城东村", "肢体", "三级"],
                                             ["蓝小英", pid(8), "庆远镇", "城东村", "视力", "四级"]], seq=True)))],
      exit=1, errors=[Err(None, None, None, "残疾人名单")]),
    C("hdr_unmatched_visit_log", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB)),
                                       Sheet("走访记录", rows_of(["走访日期", "乡镇", "村", "户主姓名", "走访内容"], [
                                           [D(2020, 9, 3), "庆远镇", "城东村", "韦小红", "了解务工情况"]])))],
      exit=1, errors=[Err(None, None, None, "走访记录")],
      note="a header with a date, township and name column and rows under it, matching no table: an error"),
    C("hdr_notes_and_summary_skipped", [book(_NOTES, Sheet("劳动力就业台账", rows_of(LAB_H, LAB)), _NOTE2, _SUMMARY)],
      figures=LAB_FIG, output=("填表说明", "汇总")),
    C("hdr_two_labour_sheets", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB[:3])),
                                     Sheet("Sheet2", rows_of(LAB_H, LAB[3:])))], exit=1,
      errors=[Err(None, None, None, "Sheet2", ("劳动力就业台账",))]),
    C("hdr_empty_extra_sheets", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB)), Sheet("Sheet2", []),
                                      Sheet("Sheet3", []))], figures=LAB_FIG),
)

# =========================================================================================
# 7. One vocabulary for all sheets; units in brackets
# =========================================================================================


def header_as(header, old, new):
    """``header`` with the names in ``old`` written as ``new`` (or entirely ``new`` when old is the header)."""
    if list(old) == list(header):
        return list(new)
    h = list(header)
    for o, n in zip(old, new):
        h = rename(h, o, n)
    return h


SUBV_H = SUB_H[:6] + ["村"] + SUB_H[6:]  # 补贴发放 with its optional 村 column
SUBV = [r[:6] + [v] + r[6:] for r, v in zip(SUB, ["城东村", "城东村", "三岔村", "城东村", None])]
# sheet -> (header, rows, district figures, 庆远镇 figures)
_SHARED = {
    "劳动力就业台账": (LAB_H, LAB, LAB_FIG, LAB_QY),
    "扶贫车间台账": (WS_H, WS, WS_FIG, WS_QY),
    "公益性岗位台账": (POST_H, POST, POST_FIG, POST_QY),
    "技能培训台账": (TRN_H, TRN, TRN_FIG, TRN_QY),
    "补贴发放台账": (SUBV_H, SUBV, SUB_FIG, SUB_QY),
    "返岗输送台账": (TRA_H, TRA, TRA_FIG, TRA_QY),
}


def voc_all(cid, column, alias, note=""):
    """Every sheet that has ``column`` writes it as ``alias``: one vocabulary for all sheets."""
    sheets, fig, qy = [], {}, {}
    for name, (h, data, f, fq) in _SHARED.items():
        target = "对象名称" if column == "姓名" and name == "补贴发放台账" else column  # 姓名 is 对象名称's alias there
        if target not in h:
            continue
        sheets.append(Sheet(name, rows_of(rename(h, target, alias), data)))
        fig.update(f)
        qy.update(fq)
    return C(cid, [book(*sheets)], figures=fig, queries=[q("庆远镇", qy)] if column == "乡镇" else [],
             note=note or f"{alias} for {column} on " + "、".join(s.name for s in sheets))


def vocab(cid, old, new, *, sheet="劳动力就业台账", header=LAB_H, data=LAB, fig=LAB_FIG, **kw):
    return C(cid, [one(sheet, header_as(header, old, new), data)], figures=fig, **kw)


add(
    voc_all("voc_id_shenfenzhenghao", "证件号码", "身份证号"),
    voc_all("voc_id_shenfenzhenghaoma", "证件号码", "身份证号码"),
    voc_all("voc_id_gongmin", "证件号码", "公民身份号码"),
    voc_all("voc_id_18wei", "证件号码", "身份证号码（18位）"),
    voc_all("voc_village_xingzhengcun", "村", "行政村"),
    voc_all("voc_village_suozaicun", "村", "所在村"),
    voc_all("voc_village_suoshucun", "村", "所属村"),
    voc_all("voc_village_shequ", "村", "村（社区）"),
    voc_all("voc_town_mingcheng", "乡镇", "乡镇名称"),
    voc_all("voc_town_suozai", "乡镇", "所在乡镇"),
    voc_all("voc_town_suoshu", "乡镇", "所属乡镇"),
    voc_all("voc_name_bitian", "姓名", "姓名（必填）"),
    vocab("voc_labour_notes_in_brackets", ["证件号码", "乡镇"], ["证件号码（必填）", "乡镇（必填）"],
          note="a bracketed note that is not a unit is dropped: 证件号码（必填）, 乡镇（必填）"),
    C("voc_labour_poor_hu", [one("劳动力就业台账", rename(LAB_H, "是否建档立卡", "是否建档立卡户"), LAB)], figures=LAB_FIG,
      note="decided for the product: issue 9 lists 是否建档立卡户 among the headers to recognise (docs/台账格式.md lists it)"),
    vocab("voc_labour_aliases_a", LAB_H,
          ["统计月份", "乡(镇)", "行政村", "劳动力姓名", "身份证号码", "是否贫困户", "务工状态", "就业渠道", "务工地域", "月工资"]),
    vocab("voc_labour_aliases_b", LAB_H,
          ["年月", "镇", "村(社区)", "成员姓名", "公民身份号码", "户类型", "就业失业状态", "就业类型", "就业地域", "月均收入"]),
    vocab("voc_labour_aliases_c", LAB_H,
          ["数据日期", "乡", "所属村", "姓名", "证件号码", "人员类别", "就业情况", "就业去向", "务工情况", "务工月收入"]),
    vocab("voc_labour_header_formatting", LAB_H,
          ["统计\n时点*", "乡 镇", "村*", "姓  名*", "证件\n号码*", "是否建档立卡*", "就业状态 ", "就业方式", "务工区域", "月收入\n(元)"],
          note="line breaks, spaces, trailing *, half-width brackets in headers"),
    C("voc_sheet_aliases", [book(
        Sheet("公益性岗位台账", rows_of(header_as(POST_H, POST_H, ["岗位性质", "岗位", "乡镇", "村", "姓名", "证件号码",
                                                           "聘用开始时间"]), POST)),
        Sheet("技能培训台账", rows_of(header_as(TRN_H, TRN_H, ["班期", "培训项目", "组织单位", "工种", "培训起始日期", "乡镇", "村",
                                                         "劳动力姓名", "劳动力身份证号码", "是否贫困户"]), TRN)),
        Sheet("补贴发放台账", rows_of(header_as(SUB_H, SUB_H, ["发放时间", "补贴项目", "对象类型", "单位名称", "证件号码", "乡镇",
                                                         "补贴金额"]), SUB)),
        Sheet("扶贫车间台账", rows_of(header_as(WS_H, WS_H, ["统计月份", "扶贫车间名称", "所在乡镇", "所在村", "复工时间", "吸纳就业人数",
                                                       "吸纳建档立卡贫困劳动力人数"]), WS)),
        Sheet("返岗输送台账", rows_of(header_as(TRA_H, TRA_H, ["批次号", "出发日期", "目的地", "出发乡镇", "输送人数", "其中贫困劳动力"]),
                                    TRA)),
        Sheet("用工需求台账", rows_of(header_as(DEM_H, DEM_H, ["用工单位", "所在地", "岗位名称", "招聘人数", "发布日期"]), DEM)))],
      figures={**POST_FIG, **TRN_FIG, **SUB_FIG, **WS_FIG, **TRA_FIG, **DEM_FIG},
      note="each sheet's own header aliases from the contract tables; 补贴金额 without a unit is yuan"),
    vocab("voc_training_poor_values", [], [], sheet="技能培训台账", header=TRN_H,
          data=[r[:9] + [{"是": "脱贫户", "否": "一般农户"}[r[9]]] for r in TRN], fig=TRN_FIG,
          note="'one vocabulary': 是否建档立卡 is a shared column, so its value aliases from the labour table "
               "(脱贫户 -> 是, 一般农户 -> 否) hold on the training sheet too (the training table itself lists 是 / 否)"),
    C("voc_units_in_brackets", [book(
        Sheet("扶贫车间台账", rows_of(header_as(WS_H, ["在岗人数", "其中贫困劳动力"], ["在岗人数（人）", "其中贫困劳动力（人）"]), WS)),
        Sheet("返岗输送台账", rows_of(header_as(TRA_H, ["人数", "其中建档立卡"], ["人数（人）", "其中建档立卡（人）"]), TRA)),
        Sheet("劳动力就业台账", rows_of(LAB_H + ["务工时间（月）"], [r + [m] for r, m in zip(LAB, [10, 12, 6, None, 9, 3])])))],
      figures={**WS_FIG, **TRA_FIG, **LAB_FIG}, note="units 人 / 月 / 元 in brackets are kept and match the unit"),
    C("voc_subsidy_type_aliases", [one("补贴发放台账", SUB_H, SUB + [
        [D(2020, 8, 1), "稳岗就业补贴", "个人", "韦春花", pid(46), "三岔镇", 600],
        [D(2020, 8, 1), "扶贫公益性岗位补贴", "个人", "莫志强", pid(22), "三岔镇", 800],
    ])], figures={"subsidy.total": 9400, "subsidy.job_stability": 1600, "posts.poverty.subsidy": 800}),
    vocab("voc_subsidy_wan", ["金额（元）"], ["金额（万元）"], sheet="补贴发放台账", header=SUB_H, data=_SUB_WAN, fig=SUB_FIG,
          queries=[q("庆远镇", SUB_QY)], note="0.05+0.05+0.1+0.5+0.1 万元 = 8000 yuan, exactly"),
    vocab("voc_subsidy_fafang_wan", ["金额（元）"], ["发放金额（万元）"], sheet="补贴发放台账", header=SUB_H,
          data=[r[:6] + [str(a)] for r, a in zip(SUB, ["0.05", "0.05", "0.10", "0.5", "0.1"])], fig=SUB_FIG,
          note="alias 发放金额 with the unit 万元 in brackets: unit applied; amounts typed as text"),
)

_VALUES = [
    ["2020-09", "庆远镇", "城东村", "韦小红", pid(1), "脱贫户", "务工", "企业就业", "区外务工", 3000],
    ["2020-09", "庆远镇", "城东村", "蓝大明", pid(2), "一般贫困户", "已务工", "帮扶车间", "乡（镇）内务工", 2000],
    ["2020-09", "庆远镇", "城西村", "覃海燕", pid(3), "一般农户", "就业", "公益岗位", "乡外县内务工", 1000],
    ["2020-09", "三岔镇", "三岔村", "莫志强", pid(4), "低保贫困户", "返乡未就业", None, None, None],
    ["2020-09", "三岔镇", "三岔村", "韦春花", pid(5), "一般农户", "务工", "企业就业", "区内县外务工", 4000],
    ["2020-09", "三岔镇", "龙田村", "黄永福", pid(6), "特困供养贫困户", "待业", None, None, None],
]
# poor: 1,2,4,6 = 4; employed 1,2,3,5 = 4; 外出务工 2 (1,5), 扶贫车间 1, 公益性岗位 1;
# areas 省外 1, 乡镇内 1, 县内乡外 1, 省内县外 1; mean (3000+2000+1000+4000)/4 = 2500.
_VALUES_FIG = {"labor.total": 6, "labor.employed": 4, "labor.unemployed": 2, "labor.poor": 4,
               "labor.poor_employed": 2, "labor.poor_unemployed": 2, "labor.mode.外出务工": 2,
               "labor.mode.扶贫车间": 1, "labor.mode.公益性岗位": 1, "labor.area.省外": 1, "labor.area.乡镇内": 1,
               "labor.area.县内乡外": 1, "labor.area.省内县外": 1, "income.monthly_mean": 2500}
add(
    C("voc_labour_value_aliases", [lab_book(_VALUES)], figures=_VALUES_FIG),
    C("voc_labour_area_quxnei_ambiguous", [lab_book(edit(LAB, 4, 8, "区内"))], exit=1,
      errors=[Err(6, "务工区域", "I", "劳动力就业台账", ("区内",))]),
    C("voc_labour_employed_without_mode", [lab_book(edit(LAB, 4, 7, None))], exit=1,
      errors=[Err(6, "就业方式", "H", "劳动力就业台账")]),
    C("voc_labour_unknown_columns_kept", [lab_book([r + ["韦国强", "区人社局"] for r in LAB],
                                                   header=LAB_H + ["帮扶责任人", "帮扶单位"])],
      figures=LAB_FIG, output=("帮扶责任人",)),
)

# =========================================================================================
# 8. Values that cannot be right: rejected, naming row and column -- never a traceback
# =========================================================================================

_WAN_BIG = edit(_SUB_WAN, 3, 6, 2500)
_HH_SIZE_H = LAB_H + ["家庭人口数"]
_SEX_H = LAB_H + ["性别"]


def rej(cid, files, *errs, note="", output=()):
    return C(cid, files if isinstance(files, list) else [files], exit=1, errors=list(errs), note=note, output=output)


add(
    rej("bad_id_number_in_income", lab_book(edit(LAB, 2, 9, 451203198001010018)),
        Err(4, "月收入", "J", "劳动力就业台账", ("疑似",))),
    rej("bad_id_text_in_income", lab_book(edit(LAB, 2, 9, pid(3))), Err(4, "月收入", "J", "劳动力就业台账", ("疑似",))),
    rej("bad_id_number_in_amount", one("补贴发放台账", SUB_H, edit(SUB, 1, 6, 451203198001010018)),
        Err(3, "金额", "G", "补贴发放台账", ("疑似",))),
    rej("bad_id_in_transport_people", one("返岗输送台账", TRA_H, edit(TRA, 2, 4, 451203197301040067)),
        Err(4, "人数", "E", "返岗输送台账", ("疑似",))),
    rej("bad_phone_in_income", lab_book(edit(LAB, 0, 9, 13807781234)), Err(2, "月收入", "J", "劳动力就业台账"),
        note="11 digits: not the 15-digit rule, but above 100,000 yuan a month"),
    rej("bad_income_150000", lab_book(edit(LAB, 4, 9, 150000)), Err(6, "月收入", "J", "劳动力就业台账", ("150000",))),
    rej("bad_onduty_200000", one("扶贫车间台账", WS_H, edit(WS, 1, 5, 200000)), Err(3, "在岗人数", "F", "扶贫车间台账")),
    rej("bad_transport_200000", one("返岗输送台账", TRA_H, edit(TRA, 0, 4, 200000)), Err(2, "人数", "E", "返岗输送台账")),
    rej("bad_payment_20m", one("补贴发放台账", SUB_H, edit(SUB, 3, 6, 20000000)), Err(5, "金额", "G", "补贴发放台账")),
    rej("bad_payment_wan_25m", one("补贴发放台账", _SUB_WAN_H, _WAN_BIG), Err(5, "金额", "G", "补贴发放台账"),
        note="2500 万元 = 25,000,000 yuan after the unit is applied: above 10,000,000"),
    rej("bad_formula_no_value_income", lab_book(edit(LAB, 1, 9, F("=1000*2", ""))),
        Err(3, "月收入", "J", "劳动力就业台账", ("公式",))),
    rej("bad_formula_no_value_openpyxl_amount", one("补贴发放台账", SUB_H, edit(SUB, 1, 6, F("=250*2")), engine="openpyxl"),
        Err(3, "金额", "G", "补贴发放台账", ("公式",)), note="openpyxl stores the formula with no <v> at all"),
    rej("bad_formula_no_value_id", lab_book(edit(LAB, 5, 4, F('="45120319"&"9601"', ""))),
        Err(7, "证件号码", "E", "劳动力就业台账", ("公式",))),
    rej("bad_na_income", lab_book(edit(LAB, 0, 9, F("=VLOOKUP(E2,工资!A:B,2,0)", "#N/A"))),
        Err(2, "月收入", "J", "劳动力就业台账", ("#N/A",))),
    rej("bad_div0_onduty", one("扶贫车间台账", WS_H, edit(WS, 0, 5, F("=F3/0", "#DIV/0!"))),
        Err(2, "在岗人数", "F", "扶贫车间台账", ("#DIV/0!",))),
    rej("bad_value_amount", one("补贴发放台账", SUB_H, edit(SUB, 4, 6, F('=G2+"元"', "#VALUE!"))),
        Err(6, "金额", "G", "补贴发放台账", ("#VALUE!",))),
    rej("bad_ref_id", lab_book(edit(LAB, 3, 4, F("=#REF!", "#REF!"))), Err(5, "证件号码", "E", "劳动力就业台账", ("#REF!",))),
    rej("bad_na_township", lab_book(edit(LAB, 5, 1, F("=VLOOKUP(C7,村!A:B,2,0)", "#N/A"))),
        Err(7, "乡镇", "B", "劳动力就业台账", ("#N/A",))),
    rej("bad_na_in_csv", Csv("劳动力就业台账.csv", rows_of(LAB_H, edit(LAB, 1, 9, "#N/A")), "utf-8-sig"),
        Err(3, "月收入", "J", "劳动力就业台账.csv", ("#N/A",)),
        note="in a CSV the message names the file (a file is not a 工作表)"),
    rej("bad_id_as_float", lab_book(edit(LAB, 1, 4, float(pid(2)))),
        Err(3, "证件号码", "E", "劳动力就业台账", (r"re:文本|数字|数值|科学计数",)),
        note="the ID typed without text format: Excel keeps 15 digits; the message says it became a number"),
    rej("bad_id_scientific_text", lab_book(edit(LAB, 2, 4, "4.51203E+17")),
        Err(4, "证件号码", "E", "劳动力就业台账", (r"re:文本|数字|数值|科学计数",))),
    rej("bad_id_check_digit", lab_book(edit(LAB, 4, 4, wrong_check(pid(5)))), Err(6, "证件号码", "E", "劳动力就业台账")),
    rej("bad_workshop_poor_gt_onduty", one("扶贫车间台账", WS_H, edit(WS, 0, 6, 25)),
        Err(2, "其中贫困劳动力", "G", "扶贫车间台账")),
    rej("bad_transport_poor_gt_people", one("返岗输送台账", TRA_H, edit(TRA, 1, 5, 30)),
        Err(3, "其中建档立卡", "F", "返岗输送台账")),
    rej("bad_month_13", lab_book(edit(LAB, 2, 0, "2020-13")), Err(4, "统计时点", "A", "劳动力就业台账")),
    rej("bad_family_size_25", lab_book([r + [n] for r, n in zip(LAB, [4, 4, 3, 25, 5, 2])], header=_HH_SIZE_H),
        Err(5, "家庭人口数", "K", "劳动力就业台账")),
    rej("bad_subsidy_type_unknown", one("补贴发放台账", SUB_H, edit(SUB, 2, 1, "慰问金")),
        Err(4, "补贴类型", "B", "补贴发放台账", ("慰问金",))),
    rej("bad_two_errors_listed", lab_book(edit(edit(LAB, 1, 9, 150000), 4, 4, wrong_check(pid(5)))),
        Err(3, "月收入", "J", "劳动力就业台账"), Err(6, "证件号码", "E", "劳动力就业台账"),
        note="every error is listed, not just the first"),
    rej("bad_warning_printed_when_rejected", lab_book([r + [s] for r, s in zip(edit(LAB, 4, 9, 150000),
                                                                              ["女", "女", "男", "女", "男", "女"])],
                                                     header=_SEX_H),
        Err(6, "月收入", "J", "劳动力就业台账"), output=("性别", "第2行"),
        note="pid(1) is male but 性别 says 女 (a warning): printed even though the file is rejected"),
)

# =========================================================================================
# 9. Invisible characters: removed before checking, never the reason
# =========================================================================================

_INV_H = rename(rename(rename(LAB_H, "证件号码", "证件号码" + ZW), "统计时点", BOM + "统计时点"), "乡镇", "乡" + ZW + "镇")
add(
    C("inv_headers", [lab_book(header=_INV_H)], figures=LAB_FIG),
    C("inv_townships", [lab_book([edit(LAB, i, 1, (LAB[i][1] + ZW) if i < 3 else (BOM + LAB[i][1]))[i]
                                  for i in range(6)])], figures=LAB_FIG, queries=[q("三岔镇", LAB_SC)]),
    C("inv_ids", [lab_book([edit(LAB, 0, 4, ZW + pid(1))[0], edit(LAB, 1, 4, pid(2) + BOM)[1],
                            edit(LAB, 2, 4, pid(3)[:6] + ZW + pid(3)[6:])[2]] + LAB[3:])], figures=LAB_FIG),
    C("inv_values", [lab_book([edit(LAB, 0, 6, "已就业" + ZW)[0], edit(LAB, 1, 8, ZW + "乡镇内")[1],
                               edit(LAB, 2, 5, "否" + BOM)[2], edit(LAB, 3, 6, "未就业" + ZW)[3],
                               edit(LAB, 4, 7, "外出务工" + ZW)[4], LAB[5]])], figures=LAB_FIG),
    C("inv_numbers_as_text", [lab_book([edit(LAB, 0, 9, "3000" + ZW)[0], edit(LAB, 1, 9, BOM + "2000")[1]] + LAB[2:])],
      figures=LAB_FIG),
    C("inv_amounts", [one("补贴发放台账", SUB_H, [edit(SUB, 0, 6, "500" + ZW)[0], edit(SUB, 1, 6, BOM + "500")[1]] + SUB[2:])],
      figures=SUB_FIG),
    C("inv_csv_bom_and_zwsp", [Csv("劳动力就业台账.csv", rows_of(_INV_H, [edit(LAB, 0, 1, "庆远镇" + ZW)[0]] + LAB[1:]),
                                   "utf-8-sig")], figures=LAB_FIG),
    C("inv_nbsp_ideographic_space", [lab_book([edit(LAB, 0, 1, "庆远镇\u00a0")[0], edit(LAB, 1, 6, "\u3000已就业")[1]]
                                              + LAB[2:])], figures=LAB_FIG),
    C("inv_sheet_name", [lab_book(sheet="劳动力就业台账" + ZW)], figures=LAB_FIG),
    C("inv_unit_header", [one("补贴发放台账", rename(SUB_H, "金额（元）", "金额（万元）" + ZW), _SUB_WAN)], figures=SUB_FIG,
      note="the unit 万元 is still applied when the header carries a zero-width space"),
    C("inv_blank_looking_rows", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB) + [
        [None, None, None, ZW, " ", None, None, None, None, None], [BOM, "\u3000"]]))], figures=LAB_FIG,
      note="rows holding only invisible characters and spaces look empty to the clerk: not data rows"),
    C("inv_not_the_reason", [lab_book(edit(LAB, 2, 4, ZW + wrong_check(pid(3))))], exit=1,
      errors=[Err(4, "证件号码", "E", "劳动力就业台账")], forbid=(ZW,),
      note="the ID is wrong (check digit); the zero-width space must not be shown as the reason or in the value"),
)

# =========================================================================================
# 10. Duplicate ID numbers within a month: the message names the OTHER row
# =========================================================================================

_SELF = (r"re:第(\d+)行[^\n]*第\1行",)  # a line naming the same row twice ("第2行 ... 与第2行相同")
_X = pid(16)
add(
    C("dup_same_township", [lab_book(edit(LAB, 2, 4, pid(1)))], exit=1,
      errors=[Err(4, "证件号码", None, "劳动力就业台账", ("第2行",))], forbid=_SELF),
    C("dup_across_townships", [lab_book(edit(LAB, 4, 4, pid(2)))], exit=1,
      errors=[Err(6, "证件号码", None, "劳动力就业台账", ("第3行",))], forbid=_SELF),
    C("dup_lowercase_x", [lab_book(edit(edit(LAB, 0, 4, _X), 5, 4, _X.lower()))], exit=1,
      errors=[Err(7, "证件号码", None, "劳动力就业台账", ("第2行",))], forbid=_SELF,
      note="x is upper-cased before comparing: the same person"),
    C("dup_hidden_zwsp", [lab_book(edit(LAB, 3, 4, ZW + pid(1)))], exit=1,
      errors=[Err(5, "证件号码", None, "劳动力就业台账", ("第2行",))], forbid=_SELF + (ZW,)),
    C("dup_with_title_rows", [lab_book(edit(LAB, 3, 4, pid(2)), titles=["宜州区贫困劳动力就业台账", "填报单位：庆远镇"])],
      exit=1, errors=[Err(7, "证件号码", None, "劳动力就业台账", ("第5行",))], forbid=_SELF,
      note="two title rows: the data rows are Excel rows 4-9, duplicates at rows 5 and 7"),
    C("dup_in_csv", [Csv("劳动力就业台账.csv", rows_of(LAB_H, edit(LAB, 3, 4, pid(2))), "gbk")], exit=1,
      errors=[Err(5, "证件号码", None, "劳动力就业台账.csv", ("第3行",))], forbid=_SELF),
    C("dup_workshop_name", [one("扶贫车间台账", WS_H, edit(WS, 2, 1, "庆远服装车间"))], exit=1,
      errors=[Err(4, "车间名称", None, "扶贫车间台账", ("第2行",))], forbid=_SELF),
    C("dup_transport_batch", [one("返岗输送台账", TRA_H, edit(TRA, 2, 0, "第1批"))], exit=1,
      errors=[Err(4, "批次", None, "返岗输送台账", ("第2行",))], forbid=_SELF),
    C("dup_training_two_classes_ok", [one("技能培训台账", TRN_H, TRN + [
        ["2020-04期", "职业技能培训", "人社部门", "焊工", D(2020, 8, 3), "庆远镇", "城东村", "韦小红", pid(31), "是"]])],
      figures={"training.vocational.classes": 2, "training.vocational.person_times": 4,
               "training.vocational.people": 3, "training.person_times": 7, "training.poor_person_times": 5}),
)

# =========================================================================================
# 11. Hostile names in 行政区划 / 村
# =========================================================================================

_IMG = "<img src=x onerror=alert(1)>"
_MD = "![x](http://127.0.0.2/x)"
_HOSTILE_NOTE = ("the contract lists no rule for markup in names; the brief requires rejection (a township or "
                 "village name cannot contain HTML or Markdown image syntax)")
add(
    rej("hostile_admin_img", one("行政区划", ADM_H, ADM + [["451203999", _IMG, "镇", None, "宜州区"]]),
        Err(18, "乡镇", "B", "行政区划"), note=_HOSTILE_NOTE),
    rej("hostile_admin_markdown", one("行政区划", ADM_H, ADM + [["451203999", _MD, "镇", None, "宜州区"]]),
        Err(18, "乡镇", "B", "行政区划"), note=_HOSTILE_NOTE),
    rej("hostile_admin_alias_img", one("行政区划", ADM_H, edit(ADM, 0, 3, _IMG)), Err(2, "别名", "D", "行政区划"),
        note=_HOSTILE_NOTE + "; an alias is a township name too"),
    rej("hostile_village_img", lab_book(edit(LAB, 1, 2, _IMG)), Err(3, "村", "C", "劳动力就业台账"), note=_HOSTILE_NOTE),
    rej("hostile_village_markdown", lab_book(edit(LAB, 4, 2, _MD)), Err(6, "村", "C", "劳动力就业台账"), note=_HOSTILE_NOTE),
    rej("hostile_village_in_posts", one("公益性岗位台账", POST_H, edit(POST, 0, 3, _IMG)), Err(2, "村", "D", "公益性岗位台账"),
        note=_HOSTILE_NOTE),
    rej("hostile_township_in_labour", lab_book(edit(LAB, 0, 1, _MD)), Err(2, "乡镇", "B", "劳动力就业台账")),
)

# =========================================================================================
# 12. Quirks that already worked: dates, full-width digits, spaces, encodings, extra sheets
# =========================================================================================

_SUB_DATES = [
    ["2020-04-10"] + SUB[0][1:], ["2020/4/10"] + SUB[1][1:], ["2020年5月20日"] + SUB[2][1:],
    [43997] + SUB[3][1:],  # Excel serial 43997 = 2020-06-15
    [D(2020, 7, 1)] + SUB[4][1:],
    ["2019年12月20日", "一次性交通补贴", "个人", "覃海燕", pid(44), "庆远镇", 500],
    ["2020/10/5", "稳岗补贴", "个人", "韦春花", pid(45), "三岔镇", 1000],
]
_POST_DATES = [POST[0][:6] + ["2020/3/1"], POST[1][:6] + ["2020年5月10日"], POST[2][:6] + [43922],  # 2020-04-01
               POST[3][:6] + ["2020-06-01"]]
_FW = [edit(LAB, 0, 9, fullwidth("3000"))[0], edit(LAB, 1, 4, fullwidth(pid(2)))[1], LAB[2], LAB[3], LAB[4],
       edit(LAB, 5, 9, "２５００")[5]]
_FW_MONTH = [edit(LAB, 2, 0, "２０２０－０９")[2] if i == 2 else (edit(LAB, 3, 0, "２０２０年９月")[3] if i == 3 else LAB[i])
             for i in range(6)]
_SPACES = [edit(LAB, 0, 1, " 庆远镇 ")[0], edit(LAB, 1, 6, "已就业 ")[1], edit(LAB, 2, 5, " 否")[2],
           edit(LAB, 3, 4, pid(4) + "  ")[3], edit(LAB, 4, 3, " 韦春花 ")[4], edit(LAB, 5, 8, "县内乡外 ")[5]]
_TEXTNUM = [edit(LAB, 0, 9, "3000")[0], edit(LAB, 1, 9, "2000.00")[1], edit(LAB, 2, 9, "1,000")[2]] + LAB[3:]
_RARE = [edit(LAB, 0, 3, "韦䶮")[0]] + LAB[1:]
_THIRDS = [["2020-09", "庆远镇", "城东村", f"劳动者{i}", pid(60 + i), "是", "已就业", "外出务工", "省外", inc]
           for i, inc in enumerate([1000, 1000, 1001])]
_ZERO = [edit(LAB, 3, 9, 800)[3] if i == 3 else (edit(LAB, 5, 9, 0)[5] if i == 5 else LAB[i]) for i in range(6)]
add(
    C("quirk_date_spellings_subsidies", [one("补贴发放台账", SUB_H, _SUB_DATES)], figures=SUB_FIG,
      queries=[q(None, {"subsidy.total": 9000, "subsidy.job_stability": 2000}, "2020-12-31")]),
    C("quirk_date_spellings_posts", [one("公益性岗位台账", POST_H, _POST_DATES)], figures=POST_FIG),
    C("quirk_fullwidth_digits", [lab_book(_FW)], figures=LAB_FIG,
      note="full-width digits in 月收入 and in the ID number (typed with the IME in full-width mode)"),
    C("quirk_fullwidth_month", [lab_book(_FW_MONTH)], figures=LAB_FIG,
      note="统计时点 typed in full width: ２０２０－０９ and ２０２０年９月 (NFKC, as for headers, read as the clerk sees it)"),
    C("quirk_spaces", [lab_book(_SPACES)], figures=LAB_FIG, queries=[q("庆远镇", LAB_QY)]),
    C("quirk_numbers_as_text", [lab_book(_TEXTNUM)], figures=LAB_FIG),
    C("quirk_lowercase_x", [lab_book(edit(LAB, 0, 4, _X.lower()))], figures=LAB_FIG),
    C("quirk_old_region_prefix", [lab_book([edit(LAB, i, 4, pid(i + 1, "451281"))[i] for i in range(6)])],
      figures=LAB_FIG),
    C("quirk_csv_gbk", [Csv("劳动力就业台账.csv", rows_of(LAB_H, LAB), "gbk")], figures=LAB_FIG),
    C("quirk_csv_gb18030_rare_char", [Csv("劳动力就业台账.csv", rows_of(LAB_H, _RARE), "gb18030")], figures=LAB_FIG),
    C("quirk_csv_utf8_bom", [Csv("劳动力就业台账.csv", rows_of(LAB_H, LAB), "utf-8-sig")], figures=LAB_FIG),
    C("quirk_csv_title_row_gbk", [Csv("补贴发放台账.csv", [["补贴资金发放台账"]] + rows_of(SUB_H, SUB), "gbk")],
      figures=SUB_FIG),
    C("quirk_csv_set", [Csv("劳动力就业台账.csv", rows_of(LAB_H, LAB), "gbk"),
                        Csv("补贴发放台账.csv", rows_of(SUB_H, SUB), "gbk"),
                        Csv("返岗输送台账.csv", rows_of(TRA_H, TRA), "utf-8-sig")],
      figures={**LAB_FIG, **SUB_FIG, **TRA_FIG}),
    C("quirk_three_title_rows", [lab_book(titles=["宜州区贫困劳动力就业台账", "（2020年9月）", "填报单位：庆远镇人社所"])],
      figures=LAB_FIG),
    C("quirk_sex_mismatch_warns", [lab_book([r + [s] for r, s in zip(LAB, ["女", "女", "男", "女", "男", "女"])],
                                            header=_SEX_H)], figures=LAB_FIG, output=("性别", "第2行"),
      note="pid(1) is male (odd 17th digit), 性别 says 女: a warning, accepted"),
    C("quirk_bad_phone_warns", [lab_book([r + [p] for r, p in zip(LAB, ["13807781234", "1380778", None, None,
                                                                      "13977812345", None])],
                                         header=LAB_H + ["联系电话"])], figures=LAB_FIG, output=("联系电话",)),
    C("quirk_blank_row_between_blocks", [book(Sheet("劳动力就业台账", rows_of(LAB_H, LAB[:3]) + [[None] * 10] + LAB[3:]))],
      figures=LAB_FIG,
      note="a blank row between two townships' blocks is not the end of the data (rows below are not a footer)"),
    C("quirk_decorated_sheet", [book(Sheet("劳动力就业台账", [across("宜州区贫困劳动力就业台账", 10)] + rows_of(LAB_H, LAB),
                                           decorate=True))], figures=LAB_FIG),
    C("quirk_income_mean_rounding", [lab_book(_THIRDS)], figures={"labor.total": 3, "income.monthly_mean": 1000.33},
      note="3001 / 3 = 1000.333.. printed with 2 decimals"),
    C("quirk_income_zero_and_unemployed", [lab_book(_ZERO)], figures={"income.monthly_mean": 2500},
      note="employed 黄永福 earns 0 (excluded: 月收入 > 0 only); unemployed 莫志强 with 800 excluded"),
)

# =========================================================================================
# 13. The same workbooks saved again by LibreOffice as .xls and .ods (incl. merged cells)
# =========================================================================================

_OFFICE = {
    "clean_all_sheets": ("xls",),
    "tot_sub_seq": ("xls", "ods"),
    "tot_tra_batch_cell": ("xls",),
    "merge_township": ("xls", "ods"),
    "merge_household": ("xls",),
    "merge_two_row_header": ("ods",),
    "month_from_title": ("xls",),
    "month_from_file_name": ("xls",),
    "foot_labour_signers": ("ods",),
    "bad_income_150000": ("xls",),
    "dup_across_townships": ("ods",),
    "tot_sub_merged_label": ("xls",),
    "merge_two_row_header_title_month": ("xls",),
    "merge_training_class": ("ods",),
}
_OFFICE_NOTE = ("the contract names .xlsx and .xls; .ods is not mentioned but the brief lists it among formats "
                "that already work, so an .ods save is expected to give the same outcome as the .xlsx")


def _office_variant(case: Case, fmt: str) -> Case:
    files = []
    for f in case.files:
        if isinstance(f, Book):
            stem = f.name.rsplit(".", 1)[0]
            f = replace(f, name=f"{stem}.{fmt}", convert=fmt)
        files.append(f)
    note = case.note + ("; " if case.note else "") + (_OFFICE_NOTE if fmt == "ods" else "saved by LibreOffice as .xls")
    return replace(case, id=f"{case.id}@{fmt}", files=files, note=note)


_BY_ID = {c.id: c for c in ALL}
for _cid, _fmts in _OFFICE.items():
    for _fmt in _fmts:
        ALL.append(_office_variant(_BY_ID[_cid], _fmt))

CASES: list[Case] = ALL

assert len({c.id for c in CASES}) == len(CASES), "duplicate case ids"
