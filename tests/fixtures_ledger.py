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



# --- A workbook written the way staff really write one --------------------------------
# Title rows, header aliases, 万元 amounts, mixed date and month spellings, townships
# without their suffix, and rows of 2019 and of a later month (2020-10). The expected
# figures are counted by hand in tests/test_import_store.py.

P = {i: make_id(f"19{70 + i:02d}0{1 + i % 9}1{i % 10}", 100 + i) for i in range(1, 10)}

_LABOR_HEADER_AS_WRITTEN = [
    "序号", "统计月份", "乡（镇）", "行政村", "姓名", "身份证号码", "人员类别", "务工状态", "就业渠道", "务工地域", "务工所在地", "月收入\n（元）",
]


def _labor(n, month, town, village, name, pid, kind, status, mode="", area="", place="", income=""):
    return [n, month, town, village, name, pid, kind, status, mode, area, place, income]


REALISTIC: dict[str, tuple[list[str], SheetRows]] = {
    "贫困劳动力就业台账": (
        ["宜州区贫困劳动力就业台账（2020年9月）", "填报单位：宜州区人社局　　单位：元"],
        [
            _LABOR_HEADER_AS_WRITTEN,
            _labor(1, "2020年9月", "庆远", "城东村", "韦一", P[1], "贫困户", "务工", "企业就业", "省外务工", "广东省东莞市", "3,500.50"),
            _labor(2, "202009", "庆远", "城东村", "韦二", P[2], "一般农户", "务工", "帮扶车间", "乡（镇）内务工", "宜州区", 2000),
            _labor(3, "2020-09", "庆远镇", "城西村", "韦三", P[3], "脱贫户", "返乡未就业"),
            _labor(4, "2020/9", "福龙", "那安村", "蓝四", P[4], "贫困户", "已就业", "公益岗位", "乡镇内", "", 1000),
            _labor(5, dt.date(2020, 9, 1), "福龙乡", "那安村", "蓝五", P[5], "贫困户", "就业", "外出务工", "区外务工", "深圳", 0),
            _labor(6, 44075, "刘三姐乡", "尚宁村", "覃六", P[6], "一般农户", "失业"),
            _labor(7, "2020年09月", "刘三姐", "尚宁村", "覃七", P[7], "低保贫困户", "务工", "灵活就业", "县外省内务工", "南宁", "4,500"),
            _labor(8, "2020-08", "庆远", "城东村", "韦一", P[1], "贫困户", "失业"),
            _labor(9, "2020-08", "福龙", "那安村", "蓝四", P[4], "贫困户", "务工", "外出务工", "省外", "", 2800),
            _labor(10, "2019年12月", "庆远", "城东村", "韦一", P[1], "贫困户", "务工", "企业就业", "省外", "", 3000),
            _labor(11, "201912", "福龙", "那安村", "蓝五", P[5], "贫困户", "失业"),
            _labor(12, "2020年10月", "庆远", "城东村", "韦一", P[1], "贫困户", "务工", "企业就业", "省外", "", 3600),
            _labor(13, "2020-10", "刘三姐", "尚宁村", "覃八", P[8], "贫困户", "务工", "务农", "乡镇内", "", 900),
        ],
    ),
    "扶贫车间": (
        ["宜州区扶贫车间台账"],
        [
            ["统计月份", "扶贫车间名称", "所在乡镇", "所在村", "主营产品", "复工时间", "吸纳就业人数", "吸纳贫困劳动力"],
            ["2020-09", "庆远服装车间", "庆远", "城东村", "服装", dt.date(2020, 3, 1), 50, 10],
            ["2020年9月", "福龙竹编车间", "福龙", "那安村", "竹编", "2020/4/1", 30, 8],
            ["2020-09", "刘三姐茶叶车间", "刘三姐乡", "尚宁村", "茶叶", None, 12, 3],
            ["2020-09", "庆远电子车间", "庆远镇", "城西村", "电子", "2020年10月8日", 40, 6],
            ["2020-08", "庆远服装车间", "庆远", "城东村", "服装", dt.date(2020, 3, 1), 45, 9],
        ],
    ),
    "资金发放": (
        ["补贴资金发放台账", "", "金额单位：万元"],
        [
            ["发放时间", "补贴项目", "对象类型", "对象名称", "证件号码", "乡镇", "村", "金额（万元）"],
            ["2020-03-15", "稳岗就业补贴", "个人", "韦一", P[1], "庆远", "城东村", 0.15],
            ["2020/4/20", "稳岗补贴", "个人", "蓝四", P[4], "福龙", "那安村", "0.2218"],
            ["2020年9月30日", "稳岗补贴", "个人", "覃七", P[7], "刘三姐乡", "尚宁村", 0.05],
            ["2020-10-01", "稳岗补贴", "个人", "韦一", P[1], "庆远", "", 1],
            ["2019-12-31", "稳岗补贴", "个人", "韦一", P[1], "庆远", "", 1],
            [43922, "一次性交通补贴", "个人", "韦一", P[1], "庆远", "", 0.02],
            [dt.date(2020, 5, 1), "扶贫车间带动就业奖补", "扶贫车间", "庆远服装车间", None, "庆远", "", 2.218],
        ],
    ),
    "培训台账": (
        [],
        [
            ["班次", "培训项目", "主办部门", "工种", "培训起始日期", "乡镇", "劳动力姓名", "劳动力身份证号码", "是否建档立卡"],
            ["ZY-01", "职业技能培训", "人社部门", "电工", "2020-05-10", "庆远", "韦一", P[1], "是"],
            ["ZY-01", "职业技能培训", "人社部门", "电工", "2020-05-10", "庆远", "韦三", P[3], None],
            ["ZY-02", "职业技能培训", "人社部门", "焊工", "2020/6/1", "刘三姐", "覃六", P[6], None],
            ["ZY-02", "职业技能培训", "人社部门", "焊工", "2020/6/1", "福龙", "蓝四", P[4], "否"],
            ["ZY-03", "职业技能培训", "人社部门", "电工", "2020-10-05", "庆远", "韦一", P[1], "是"],
            ["ZY-00", "职业技能培训", "人社部门", "电工", "2019-11-01", "庆远", "韦一", P[1], "是"],
            ["NS-01", "农村实用技术培训", "农业农村部门", "种植", "2020-07-01", "福龙", "蓝五", P[5], "是"],
            ["DQ-01", "短期技能培训", "扶贫部门", "家政服务员", "2020年8月3日", "庆远", "韦一", P[1], "是"],
        ],
    ),
    "点对点输送": (
        ["返岗复工点对点输送台账"],
        [
            ["批次号", "出发日期", "目的地", "出发乡镇", "输送人数", "其中贫困劳动力"],
            ["B01", "2020-02-20", "东莞", "庆远", 40, 5],
            ["B02", dt.date(2020, 3, 1), "深圳", None, 35, 4],
            ["B03", "2020-10-02", "东莞", "福龙", 20, 2],
        ],
    ),
    "用工需求": (
        [],
        [
            ["企业名称", "所在地", "岗位名称", "招聘人数", "发布日期", "发布平台"],
            ["宜州缫丝厂", "区内", "普工", 10, "2020-04-01", "微信"],
            ["宜州缫丝厂", "区内", "电工", 5, "2020-04-01", "微信"],
            ["东莞某电子厂", "区外", "普工", 100, "2020年5月6日", "网站"],
            ["深圳某制衣厂", "区外", "普工", 50, "2020-10-09", "网站"],
        ],
    ),
    "公益岗位": (
        [],
        [
            ["岗位性质", "岗位", "乡镇", "村", "姓名", "证件号码", "聘用开始时间"],
            ["扶贫公益性岗位", "保洁环卫", "庆远", "城东村", "韦三", P[3], "2020-04-01"],
            ["临时性公益岗位", "护林员", "福龙", "那安村", "蓝四", P[4], "2020/5/1"],
            ["扶贫公益性岗位", "护路员", "福龙", "那安村", "蓝五", P[5], "2019-06-01"],
        ],
    ),
}


def realistic_workbook(path: Path) -> Path:
    return write_workbook(
        path, {name: rows for name, (_, rows) in REALISTIC.items()}, title_rows={n: t for n, (t, _) in REALISTIC.items()}
    )


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def realistic_csvs(folder: Path, encoding: str = "gbk") -> list[Path]:
    """The same ledger as one CSV file per sheet, named like the sheet."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (titles, rows) in REALISTIC.items():
        lines = [[t] for t in titles] + [[_csv_cell(v) for v in row] for row in rows]
        paths.append(write_csv(folder / f"{name}.csv", lines, encoding))
    return paths


# --- A store whose names are markup ---------------------------------------------------
# Old data and URLs can hold names the loaders now refuse: a store is built from a
# harmless workbook and renamed with SQL (tests/test_plain_text.py, test_browser_markup.py).

MARKUP_TOWN = "<img src=x onerror=alert(1)>"
MARKUP_VILLAGE = "![x](http://127.0.0.2/x.png)"
MARKUP_USER = "[报送人](http://127.0.0.2/u) :red[红] $x$ :material/home:"
MARKUP_WORKSHOP = '<a href="http://127.0.0.2/w">车间</a><b>粗</b>'


def markup_store(folder: Path, *, town: str = MARKUP_TOWN, village: str = MARKUP_VILLAGE, workshop: str = MARKUP_WORKSHOP):
    """A SQLite store in ``folder``: 2020-08 and 2020-09 labourers of 庆远镇 (all employed:
    the top of every ranking) and 三岔镇, one workshop; then 庆远镇 renamed ``town``, its
    城东村 ``village`` and the workshop ``workshop``; imported and 2020-09 frozen by
    ``MARKUP_USER``. Returns the engine."""
    from sqlalchemy import update

    from ledger.query import reported as reports
    from ledger.store import summaries
    from ledger.store.config import make_engine
    from ledger.store.imports import read_and_import
    from ledger.store.schema import DATA
    from loaders.townships import DEFAULT_TOWNSHIPS

    folder = Path(folder)
    people = ids(6)
    labor = [LABOR_HEADER]
    for month in ("2020-08", "2020-09"):
        labor += [labor_row(month, "庆远镇", "城东村", f"韦{i}", people[i]) for i in range(2)]
        labor += [labor_row(month, "庆远镇", "城西村", "韦二", people[2])]
        labor += [labor_row(month, "三岔镇", "三岔村", f"蓝{i}", people[3 + i], status="未就业", mode=None, area=None, income=None) for i in range(2)]
        labor += [labor_row(month, "三岔镇", "三岔村", "蓝二", people[5])]
    book = write_workbook(
        folder / "ledger.xlsx",
        {
            "行政区划": [TOWNSHIP_HEADER] + [[t.code, t.name, t.type, "、".join(t.aliases), t.parent] for t in DEFAULT_TOWNSHIPS],
            "劳动力就业台账": labor,
            "扶贫车间台账": [WORKSHOP_HEADER] + [[m, "庆远服装车间", "庆远镇", "城东村", dt.date(2020, 3, 1), 20, 5] for m in ("2020-08", "2020-09")],
        },
    )
    engine = make_engine(f"sqlite:///{folder / 'ledger.db'}")
    outcome = read_and_import(engine, book, user=MARKUP_USER)
    assert outcome.ok, [str(p) for p in outcome.errors[:10]]
    with engine.begin() as conn:
        t = DATA["townships"]
        conn.execute(update(t).where(t.c.name == "庆远镇").values(name=town))
        for table in DATA.values():
            if "township" in table.c:
                conn.execute(update(table).where(table.c.township == "庆远镇").values(township=town))
            if "village" in table.c:
                conn.execute(update(table).where(table.c.village == "城东村").values(village=village))
        conn.execute(update(DATA["workshops"]).values(name=workshop))
        # The stored rows were rewritten by hand (no import does that): their summaries too.
        summaries.rebuild(conn)
    reports.freeze(engine, "2020-09", user=MARKUP_USER)
    return engine
