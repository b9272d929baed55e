"""poor_only, breakdowns by any column, month by month, households, the median, income
bands, the people behind a count and workshops by month: hand-counted on a small
ledger on every backend, and checked for consistency on the full sample."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from ledger.access.masking import mask_id as masked_id
from ledger.access.masking import mask_phone as masked_phone
from ledger.query.people import people
from ledger.query.statements import (
    ALL,
    BANDS,
    BLANK,
    DISTRICT_WIDE,
    Scope,
    breakdown,
    figures,
    income_bands,
    month_end,
    monthly,
    workshop_monthly,
)
from ledger.store.figures import FIGURES
from ledger.store.imports import read_and_import
from loaders import DEFAULT_TOWNSHIPS
from loaders.spec import LABOR_MODES, SUBSIDY_TYPES
from tests.conftest import BACKENDS, _fresh_engine
from tests.fixtures_ledger import (
    LABOR_HEADER,
    POSTS_HEADER,
    SUBSIDY_HEADER,
    TRAINING_HEADER,
    WORKSHOP_HEADER,
    ids,
    labor_row,
    write_workbook,
)

A, B, C = "庆远镇", "三岔镇", "洛西镇"
SEPT, AUG = dt.date(2020, 9, 30), dt.date(2020, 8, 31)
ID = ids(14)  # ID[i] is labourer i + 1 of the table below
NOBODY = Scope.of()
Y = Decimal


# --- The hand-made ledger -----------------------------------------------------------
# September's labourers (14), with household, 就业意愿 and phone:
#  #  town village name  poor status  mode       area     income  hh  wants
#  1  A    城东村  甲一  是   已就业  外出务工    省外     3000    H1  有  13812345678
#  2  A    城东村  甲二  是   未就业                               H1  有
#  3  A    城东村  甲三  否   已就业  扶贫车间    乡镇内    800     H2  无
#  4  A    城东村  甲四  否   未就业                               H3  有
#  5  A    城东村  甲五  是   未就业                               H3  无
#  6  A    城西村  甲六  是   已就业  灵活就业    县内乡外  0       H4  有
#  7  A    城西村  甲七  是   已就业  外出务工    省外     5000    H4  有
#  8  B    三岔村  乙一  是   已就业  公益性岗位  乡镇内    1000.5  H5  有
#  9  B    三岔村  乙二  否   已就业  外出务工    省内县外  4500    H5  有
# 10  B    三岔村  乙三  是   未就业                               H6  有
# 11  B    三岔村  乙四  是   已就业  务农        乡镇内    (blank) H6  有
# 12  B    三岔村  乙五  否   未就业                               H7  无
# 13  C    洛西村  丙一  是   未就业                               H7  有   (H7 spans B and C)
# 14  C    洛西村  丙二  否   未就业                               --  有
# August: 甲一 (未就业, 有), 甲二 (未就业, 无), 乙一 (已就业 公益性岗位 1000); no July snapshot.
HEADER = LABOR_HEADER + ["户编号", "就业意愿", "联系电话"]
SEPT_ROWS = [
    (A, "城东村", "甲一", "是", "已就业", "外出务工", "省外", 3000, "H1", "有", "13812345678"),
    (A, "城东村", "甲二", "是", "未就业", None, None, None, "H1", "有", None),
    (A, "城东村", "甲三", "否", "已就业", "扶贫车间", "乡镇内", 800, "H2", "无", None),
    (A, "城东村", "甲四", "否", "未就业", None, None, None, "H3", "有", None),
    (A, "城东村", "甲五", "是", "未就业", None, None, None, "H3", "无", None),
    (A, "城西村", "甲六", "是", "已就业", "灵活就业", "县内乡外", 0, "H4", "有", None),
    (A, "城西村", "甲七", "是", "已就业", "外出务工", "省外", 5000, "H4", "有", None),
    (B, "三岔村", "乙一", "是", "已就业", "公益性岗位", "乡镇内", 1000.5, "H5", "有", None),
    (B, "三岔村", "乙二", "否", "已就业", "外出务工", "省内县外", 4500, "H5", "有", None),
    (B, "三岔村", "乙三", "是", "未就业", None, None, None, "H6", "有", None),
    (B, "三岔村", "乙四", "是", "已就业", "务农", "乡镇内", None, "H6", "有", None),
    (B, "三岔村", "乙五", "否", "未就业", None, None, None, "H7", "无", None),
    (C, "洛西村", "丙一", "是", "未就业", None, None, None, "H7", "有", None),
    (C, "洛西村", "丙二", "否", "未就业", None, None, None, None, "有", None),
]
AUG_ROWS = [
    (0, "未就业", None, None, None, "有"),
    (1, "未就业", None, None, None, "无"),
    (7, "已就业", "公益性岗位", "乡镇内", 1000, "有"),
]


def _labor_sheet():
    rows = [HEADER]
    for i, (town, village, name, poor, status, mode, area, income, hh, wants, phone) in enumerate(SEPT_ROWS):
        rows.append(labor_row("2020-09", town, village, name, ID[i], poor, status, mode, area, income) + [hh, wants, phone])
    for i, status, mode, area, income, wants in AUG_ROWS:
        town, village, name, poor, *_ = SEPT_ROWS[i]
        hh = SEPT_ROWS[i][8]
        rows.append(labor_row("2020-08", town, village, name, ID[i], poor, status, mode, area, income) + [hh, wants, None])
    return rows


SHEETS = {
    "劳动力就业台账": _labor_sheet(),
    "扶贫车间台账": [
        WORKSHOP_HEADER,
        ["2020-07", "车间X", A, "城东村", "2020-03-01", 20, 5],
        ["2020-07", "车间Y", B, "三岔村", None, 10, 2],
        ["2020-09", "车间X", A, "城东村", "2020-03-01", 22, 6],
        ["2020-09", "车间Y", B, "三岔村", "2020-09-10", 12, 3],
    ],
    "补贴发放台账": [
        SUBSIDY_HEADER,
        ["2019-12-31", "稳岗补贴", "个人", "甲一", ID[0], A, 999],
        ["2020-03-10", "稳岗补贴", "个人", "甲一", ID[0], A, 500],
        ["2020-03-20", "扶贫车间带动就业奖补", "扶贫车间", "车间X", None, A, 10000],
        ["2020-05-05", "扶贫车间带动就业奖补", "扶贫车间", "车间X", None, B, 20000],
        ["2020-05-06", "稳岗补贴", "个人", "乙一", ID[7], B, 300.5],
        ["2020-09-20", "一次性交通补贴", "个人", "丙一", ID[12], C, 200],
        ["2020-10-01", "稳岗补贴", "个人", "丙一", ID[12], C, 888],
    ],
    "技能培训台账": [
        TRAINING_HEADER,
        ["K1", "职业技能培训", "2020-04-01", A, "甲一", ID[0], "是"],
        ["K1", "职业技能培训", "2020-04-01", A, "甲三", ID[2], None],  # blank, 否 in the labourer sheet
        ["K1", "职业技能培训", "2020-04-01", A, "甲二", ID[1], None],  # blank, 是 in the labourer sheet
        ["K2", "短期技能培训", "2020-06-01", B, "乙三", ID[9], "否"],
        ["K2", "短期技能培训", "2020-06-01", B, "乙一", ID[7], "是"],
    ],
    "公益性岗位台账": [
        POSTS_HEADER,
        ["扶贫公益性岗位", "保洁环卫", A, "城东村", "甲五", ID[4], "2020-02-01"],
        ["临时性公益岗位", "护林员", B, "三岔村", "乙三", ID[9], "2020-03-15"],
    ],
}


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory, server_urls):
    """The hand-made ledger on each backend (the ``engine`` fixture's stores), imported
    once per backend: every test of this module only reads it."""
    folder = tmp_path_factory.mktemp(f"hand_{request.param}")
    engine = _fresh_engine(request.param, folder, server_urls)
    outcome = read_and_import(engine, write_workbook(folder / "hand.xlsx", SHEETS), user="t")
    assert outcome.ok, [str(p) for p in outcome.errors]
    yield engine
    engine.dispose()


def _col(frame, key):
    return list(frame[key])


def _row(frame, label_col, label, key):
    return frame.set_index(label_col).loc[label, key]


# --- Figures: the new ones and poor_only ---------------------------------------------

FIGURE_CASES = [
    # (township, poor_only, {key: value})
    (None, False, {
        "labor.total": 14, "labor.employed": 7, "labor.unemployed_wanting_work": 5, "households.total": 7,
        "households.none_employed": 2, "income.monthly_median": Y("3000.00"), "income.monthly_mean": Y("2860.10"),
        "training.person_times": 5, "training.poor_person_times": 3, "training.classes": 2,
        "subsidy.total": Y("31000.5"), "subsidy.payments": 5, "posts.count": 2, "workshops.count": 2,
    }),
    (None, True, {
        "labor.total": 9, "labor.employed": 5, "labor.unemployed_wanting_work": 3, "households.total": 6,
        "households.none_employed": 2, "income.monthly_median": Y("3000.00"), "income.monthly_mean": Y("3000.17"),
        "training.person_times": 3, "training.poor_person_times": 3, "training.classes": 2,
        "subsidy.total": Y("31000.5"), "subsidy.payments": 5, "posts.count": 2, "workshops.count": 2,
    }),
    (A, False, {
        "labor.total": 7, "labor.unemployed_wanting_work": 2, "households.total": 4, "households.none_employed": 1,
        "income.monthly_median": Y("3000.00"), "training.person_times": 3, "subsidy.total": Y("10500"),
    }),
    (B, False, {
        "labor.total": 5, "labor.unemployed_wanting_work": 1, "households.total": 2, "households.none_employed": 0,
        "income.monthly_median": Y("2750.25"), "training.poor_person_times": 1,
    }),
    (C, False, {"households.total": 0, "households.none_employed": 0, "income.monthly_median": None}),
    (C, True, {"households.total": 1, "households.none_employed": 1, "labor.total": 1}),
]


@pytest.mark.parametrize("township, poor_only, expected", FIGURE_CASES)
def test_figures_by_hand(db, township, poor_only, expected):
    got = figures(db, SEPT, township=township, keys=list(expected), poor_only=poor_only).values
    assert got == expected


def test_households_and_median_by_township_and_village(db):
    keys = ["households.total", "households.none_employed", "income.monthly_median"]
    rows = breakdown(db, keys, SEPT).set_index("township")
    assert rows.loc[[A, B, C, DISTRICT_WIDE], "households.total"].tolist() == [4, 2, 0, 1]
    assert rows.loc[[A, B, C, DISTRICT_WIDE], "households.none_employed"].tolist() == [1, 0, 0, 1]
    assert rows.loc[[A, B, C], "income.monthly_median"].tolist() == [Y("3000.00"), Y("2750.25"), None]
    poor = breakdown(db, keys[:2], SEPT, poor_only=True).set_index("township")
    assert poor.loc[[A, B, C, DISTRICT_WIDE], "households.total"].tolist() == [3, 2, 1, 0]
    assert poor.loc[[A, B, C, DISTRICT_WIDE], "households.none_employed"].tolist() == [1, 0, 1, 0]
    villages = breakdown(db, ["income.monthly_median", "labor.total"], SEPT, by="village")
    got = {(r[0], r[1]): r[2] for r in villages.itertuples(index=False)}
    assert got == {(B, "三岔村"): Y("2750.25"), (A, "城东村"): Y("1900.00"), (A, "城西村"): Y("5000.00"), (C, "洛西村"): None}


# --- Breakdown by a column -----------------------------------------------------------

BY_COLUMN_CASES = [
    # (keys, by, township, poor_only, [(value, *figures)] in the expected order)
    (["labor.employed"], "mode", None, False, [(m, n) for m, n in zip(LABOR_MODES, [3, 1, 1, 0, 1, 1, 0])]),
    (["labor.employed"], "mode", None, True, [(m, n) for m, n in zip(LABOR_MODES, [2, 0, 1, 0, 1, 1, 0])]),
    (["labor.employed"], "mode", A, False, [(m, n) for m, n in zip(LABOR_MODES, [2, 1, 0, 0, 1, 0, 0])]),
    (["labor.total"], "mode", None, False, [(m, n) for m, n in zip(LABOR_MODES, [3, 1, 1, 0, 1, 1, 0])] + [(BLANK, 7)]),
    (
        ["income.monthly_median", "labor.employed"], "work_area", None, False,
        [("乡镇内", Y("900.25"), 3), ("县内乡外", None, 1), ("省内县外", Y("4500.00"), 1), ("省外", Y("4000.00"), 2),
         ("国外", None, 0)],
    ),
    (["labor.total", "labor.employment_rate"], "is_poor", None, False, [("是", 9, Y("55.56")), ("否", 5, Y("40.00"))]),
    (["labor.unemployed"], "wants_work", B, False, [("有", 1), ("无", 1)]),
    (["workshops.on_duty", "workshops.count"], "name", None, False, [("车间X", 22, 1), ("车间Y", 12, 1)]),
    (
        ["subsidy.total", "subsidy.payments"], "subsidy_type", None, False,
        [(s, {"一次性交通补贴": Y(200), "稳岗补贴": Y("800.5"), "扶贫车间带动就业奖补": Y(30000)}.get(s, 0),
          {"一次性交通补贴": 1, "稳岗补贴": 2, "扶贫车间带动就业奖补": 2}.get(s, 0)) for s in SUBSIDY_TYPES],
    ),
    (["subsidy.workshop_reward_workshops"], "recipient_type", None, False, [("个人", 0), ("企业", 0), ("扶贫车间", 1)]),
    (
        ["training.classes", "training.person_times"], "training_type", None, True,
        [("职业技能培训", 1, 2), ("短期技能培训", 1, 1), ("农村实用技术培训", 0, 0), ("创业培训", 0, 0), ("其他", 0, 0)],
    ),
    # a household is counted under each value its labourers have
    (["households.total", "households.none_employed"], "wants_work", None, False, [("有", 6, 2), ("无", 3, 2)]),
    (["households.total", "households.none_employed"], "wants_work", A, False, [("有", 3, 1), ("无", 2, 1)]),
]


@pytest.mark.parametrize("keys, by, township, poor_only, expected", BY_COLUMN_CASES, ids=lambda v: str(v)[:30])
def test_breakdown_by_a_column(db, keys, by, township, poor_only, expected):
    rows = breakdown(db, keys, SEPT, by=by, township=township, poor_only=poor_only)
    assert list(rows.columns) == [by, *keys]
    assert [tuple(r) for r in rows.itertuples(index=False)] == expected


def test_breakdown_by_a_column_needs_it_in_every_sheet(db):
    with pytest.raises(ValueError, match="mode"):
        breakdown(db, ["labor.total", "subsidy.total"], SEPT, by="mode")
    with pytest.raises(ValueError, match="no_such_column"):
        breakdown(db, ["labor.total"], SEPT, by="no_such_column")
    with pytest.raises(ValueError, match="is_current"):
        breakdown(db, ["labor.total"], SEPT, by="is_current")
    assert breakdown(db, ["labor.total"], SEPT, by="mode", scope=NOBODY).empty


# --- Month by month ------------------------------------------------------------------

MONTHS = [f"2020-{m:02d}" for m in range(1, 10)]
NONE7 = [None] * 7
MONTHLY_CASES = [
    # (township, poor_only, cumulative, {key: nine monthly values})
    (None, False, True, {
        "labor.total": [0] * 7 + [3, 14],
        "labor.employment_rate": NONE7 + [Y("33.33"), Y("50.00")],
        "income.monthly_median": NONE7 + [Y("1000.00"), Y("3000.00")],
        "households.none_employed": [0] * 7 + [1, 2],
        "workshops.count": [0] * 6 + [1, 0, 2],
        "workshops.on_duty": [0] * 6 + [20, 0, 34],
        "subsidy.total": [Y(x) for x in (0, 0, 10500, 10500, "30800.5", "30800.5", "30800.5", "30800.5", "31000.5")],
        "subsidy.workshop_reward_workshops": [0, 0, 1, 1, 1, 1, 1, 1, 1],
        "training.person_times": [0, 0, 0, 3, 3, 5, 5, 5, 5],
        "training.classes": [0, 0, 0, 1, 1, 2, 2, 2, 2],
    }),
    (None, False, False, {
        "labor.total": [0] * 7 + [3, 14],
        "subsidy.total": [Y(x) for x in (0, 0, 10500, 0, "20300.5", 0, 0, 0, 200)],
        "subsidy.workshop_reward_workshops": [0, 0, 1, 0, 1, 0, 0, 0, 0],
        "training.person_times": [0, 0, 0, 3, 0, 2, 0, 0, 0],
        "posts.count": [0, 1, 1, 0, 0, 0, 0, 0, 0],
    }),
    (A, False, True, {
        "subsidy.total": [Y(x) for x in (0, 0, 10500, 10500, 10500, 10500, 10500, 10500, 10500)],
        # paid in A in March, then also in B in May: from May it belongs to no one township
        "subsidy.workshop_reward_workshops": [0, 0, 1, 1, 0, 0, 0, 0, 0],
        "labor.unemployed_wanting_work": [0] * 7 + [1, 2],
        "workshops.on_duty": [0] * 6 + [20, 0, 22],
    }),
    (B, False, False, {"subsidy.workshop_reward_workshops": [0, 0, 0, 0, 1, 0, 0, 0, 0]}),
    (B, False, True, {"subsidy.workshop_reward_workshops": [0] * 9, "income.monthly_median": NONE7 + [Y(1000), Y("2750.25")]}),
    (None, True, True, {
        "labor.total": [0] * 7 + [3, 9],
        "training.person_times": [0, 0, 0, 2, 2, 3, 3, 3, 3],
        "training.poor_person_times": [0, 0, 0, 2, 2, 3, 3, 3, 3],
        "households.total": [0] * 7 + [2, 6],
        "subsidy.payments": [0, 0, 2, 2, 4, 4, 4, 4, 5],
    }),
]


@pytest.mark.parametrize("township, poor_only, cumulative, expected", MONTHLY_CASES)
def test_monthly_by_hand(db, township, poor_only, cumulative, expected):
    got = monthly(db, list(expected), SEPT, township=township, poor_only=poor_only, cumulative=cumulative)
    assert list(got.columns) == ["month", *expected]
    assert list(got["month"]) == MONTHS
    assert {k: list(got[k]) for k in expected} == expected


def test_monthly_ends_at_a_mid_month_date_and_matches_figures(db):
    keys = ["labor.total", "workshops.count", "workshops.on_duty", "subsidy.total", "households.total"]
    got = monthly(db, keys, dt.date(2020, 9, 5))
    assert got.iloc[-1].to_dict() == {"month": "2020-09", "labor.total": 14, "workshops.count": 1, "workshops.on_duty": 22,
                                      "subsidy.total": Y("30800.5"), "households.total": 7}
    for scope in (ALL, Scope.of(A), Scope.of(B, C), NOBODY):
        last = monthly(db, [f.key for f in FIGURES], SEPT, scope=scope).iloc[-1].drop("month").to_dict()
        assert last == figures(db, SEPT, scope=scope).values, scope


# --- Income bands --------------------------------------------------------------------

BAND_CASES = [
    (None, None, False, {(): [2, 1, 1, 0, 1, 1, 1]}),
    (None, None, True, {(): [2, 0, 1, 0, 1, 0, 1]}),
    (None, A, False, {(): [1, 1, 0, 0, 1, 0, 1]}),
    ("township", None, False, {(A,): [1, 1, 0, 0, 1, 0, 1], (B,): [1, 0, 1, 0, 0, 1, 0], (C,): [0] * 7}),
    ("mode", None, False, {("外出务工",): [0, 0, 0, 0, 1, 1, 1], ("扶贫车间",): [0, 1, 0, 0, 0, 0, 0],
                           ("公益性岗位",): [0, 0, 1, 0, 0, 0, 0],
                           ("灵活就业",): [1, 0, 0, 0, 0, 0, 0], ("务农",): [1, 0, 0, 0, 0, 0, 0]}),
    ("work_area", B, False, {("乡镇内",): [1, 0, 1, 0, 0, 0, 0], ("省内县外",): [0, 0, 0, 0, 0, 1, 0]}),
]


@pytest.mark.parametrize("by, township, poor_only, expected", BAND_CASES)
def test_income_bands(db, by, township, poor_only, expected):
    got = income_bands(db, SEPT, by=by, township=township, poor_only=poor_only)
    assert list(got.columns) == ([by] if by else []) + ["band", "people"]
    groups = [()]
    if by == "township":
        groups = [(t.name,) for t in DEFAULT_TOWNSHIPS]
    elif by == "mode":
        groups = [(m,) for m in LABOR_MODES]
    elif by == "work_area":
        groups = [(a,) for a in ("乡镇内", "县内乡外", "省内县外", "省外", "国外")]
    want = [(*g, band, expected.get(g, [0] * 7)[i]) for g in groups for i, band in enumerate(BANDS)]
    assert [tuple(r) for r in got.itertuples(index=False)] == want


# --- People --------------------------------------------------------------------------

COUNT_KEYS = [
    "labor.total", "labor.poor", "labor.employed", "labor.unemployed_wanting_work", "labor.mode.外出务工",
    "labor.area.乡镇内", "posts.count", "posts.temporary.count", "training.person_times", "training.poor_person_times",
    "subsidy.payments",
]
SCOPES = [(ALL, None), (ALL, A), (Scope.of(B, C), None), (Scope.of(B, C), A), (NOBODY, None)]


def test_people_count_as_the_figure(db):
    for scope, township in SCOPES:
        for poor_only in (False, True):
            values = figures(db, SEPT, scope=scope, township=township, keys=COUNT_KEYS, poor_only=poor_only).values
            got = {k: len(people(db, k, SEPT, scope=scope, township=township, poor_only=poor_only)) for k in COUNT_KEYS}
            assert got == values, (scope, township, poor_only)
    villages = breakdown(db, ["labor.total", "labor.employed"], SEPT, by="village", township=A)
    for r in villages.itertuples(index=False):
        assert len(people(db, "labor.total", SEPT, township=A, village=r.village)) == r[2]
        assert len(people(db, "labor.employed", SEPT, township=A, village=r.village)) == r[3]
    assert len(people(db, "labor.total", AUG)) == 3


def test_people_rows_masks_and_order(db):
    rows = people(db, "labor.total", SEPT, masked=False)  # a viewer with full rights: as written
    assert list(rows.columns) == [
        "行号", "乡镇", "村", "姓名", "性别", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工区域", "务工所在地",
        "务工单位", "月收入（元）", "家庭人口数", "就业意愿", "联系电话", "备注", "来源文件",
    ]
    # township in code order (庆远镇, 三岔镇, 洛西镇), then village and name
    assert list(rows["姓名"]) == ["甲一", "甲三", "甲二", "甲五", "甲四", "甲七", "甲六",
                                "乙一", "乙三", "乙二", "乙五", "乙四", "丙一", "丙二"]
    first = rows.iloc[0].to_dict()
    assert first["行号"] == 2  # the first data row under the header in the workbook
    assert set(rows["来源文件"]) == {"hand.xlsx"}  # …of this workbook
    assert first["证件号码"] == ID[0]
    masked = people(db, "labor.total", SEPT)  # the default: masked by access.masking
    assert list(masked["行号"]) == list(rows["行号"]) and list(masked["姓名"][:2]) == ["甲*", "甲*"]
    first = masked.iloc[0].to_dict()
    assert first["证件号码"] == ID[0][:6] + "********" + ID[0][-4:]
    assert (first["联系电话"], first["是否建档立卡"], first["就业意愿"], first["月收入（元）"]) == ("138****5678", "是", "有", Y("3000.00"))
    assert rows.set_index("姓名").loc["乙一", "月收入（元）"] == Y("1000.50")
    assert list(rows.set_index("姓名").loc[["甲三", "甲四"], "是否建档立卡"]) == ["否", "否"]
    assert masked["证件号码"].str.fullmatch(r"\d{6}\*{8}[\dX]{4}").all()
    assert sorted(rows["行号"]) == list(range(2, 16))
    assert list(people(db, "labor.total", SEPT, limit=3, masked=False)["姓名"]) == ["甲一", "甲三", "甲二"]

    trainees = people(db, "training.poor_person_times", SEPT, masked=False).set_index("姓名")
    assert list(trainees.index) == ["甲一", "甲二", "乙一"]
    assert list(trainees["是否建档立卡"]) == ["是", "是（据劳动力台账）", "是"]
    payments = people(db, "subsidy.payments", SEPT, township=B, masked=False)
    assert (list(payments["对象名称"]), list(payments["金额（元）"])) == (["乙一", "车间X"], [Y("300.50"), Y("20000.00")])


PEOPLE_FILTERS = [
    ("labor.employed", None, {"mode": "外出务工"}, ["甲一", "甲七", "乙二"]),
    ("labor.employed", A, {"mode": "外出务工"}, ["甲一", "甲七"]),
    ("labor.total", B, {"mode": BLANK}, ["乙三", "乙五"]),
    ("labor.unemployed", None, {"wants_work": "无"}, ["甲五", "乙五"]),
    ("labor.total", None, {"is_poor": "否", "employed": "已就业"}, ["甲三", "乙二"]),
    ("posts.count", None, {"category": "临时性公益岗位"}, ["乙三"]),
]


@pytest.mark.parametrize("key, township, filters, names", PEOPLE_FILTERS)
def test_people_filters(db, key, township, filters, names):
    assert list(people(db, key, SEPT, township=township, filters=filters, masked=False)["姓名"]) == names


def test_people_refuses_what_is_not_a_row_count(db):
    for key in ("labor.employment_rate", "households.total", "income.monthly_median", "subsidy.total", "workshops.count"):
        with pytest.raises(ValueError, match=key.replace(".", r"\.")):
            people(db, key, SEPT)
    with pytest.raises(ValueError, match="nope"):
        people(db, "labor.total", SEPT, filters={"nope": 1})


@pytest.mark.parametrize("value, masked", [
    ("451203198503121234", "451203********1234"), ("45120319850312123X", "451203********123X"),
    ("451203850312123", "451203********2123"), ("12345", "*****"), ("", ""), (None, None),
])
def test_masked_id(value, masked):
    assert masked_id(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("13812345678", "138****5678"), ("0778-3221234", "077****1234"), ("1234567", "*******"), ("", ""), (None, None),
])
def test_masked_phone(value, masked):
    assert masked_phone(value) == masked


def test_workshop_monthly(db):
    got = workshop_monthly(db, SEPT)
    assert list(got.columns) == ["name", "township", "month", "on_duty", "poor_on_duty", "resumed_on", "workshops"]
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        ("车间X", A, "2020-07", 20, 5, dt.date(2020, 3, 1), 1),
        ("车间X", A, "2020-09", 22, 6, dt.date(2020, 3, 1), 1),
        ("车间Y", B, "2020-07", 10, 2, None, 1),
        ("车间Y", B, "2020-09", 12, 3, dt.date(2020, 9, 10), 1),
    ]
    assert list(workshop_monthly(db, AUG, township=B)["month"]) == ["2020-07"]
    assert workshop_monthly(db, SEPT, scope=Scope.of(C)).empty
    # One workshop more than the lines is drawn as itself, not as 其他1个车间.
    assert workshop_monthly(db, SEPT, lines=1).equals(got)
    summed = workshop_monthly(db, SEPT, lines=0)
    assert [tuple(r) for r in summed.itertuples(index=False)] == [
        ("其他2个车间", None, "2020-07", 30, 7, None, 2),
        ("其他2个车间", None, "2020-09", 34, 9, None, 2),
    ]


# Five workshops: ranked by September's headcount, a tie (Q, R: 8) broken by the
# year's (R: 8 + 9), then by township and name (S, T: no September row, same year).
WORKSHOPS_FIVE = {
    "扶贫车间台账": [
        WORKSHOP_HEADER,
        ["2020-08", "车间P", B, "三岔村", None, 30, 3],
        ["2020-08", "车间Q", A, "城东村", None, 1, 0],
        ["2020-08", "车间R", A, "城东村", None, 9, 1],
        ["2020-08", "车间S", A, "城西村", None, 4, 1],
        ["2020-08", "车间T", A, "城西村", None, 4, 2],
        ["2020-09", "车间P", B, "三岔村", "2020-09-01", 25, 2],
        ["2020-09", "车间Q", A, "城东村", None, 8, 1],
        ["2020-09", "车间R", A, "城东村", None, 8, 0],
    ],
}


def test_workshop_monthly_keeps_the_largest_and_sums_the_rest(engine, tmp_path):
    outcome = read_and_import(engine, write_workbook(tmp_path / "five.xlsx", WORKSHOPS_FIVE), user="t")
    assert outcome.ok, [str(p) for p in outcome.errors]
    got = workshop_monthly(engine, SEPT, lines=2)
    assert [tuple(None if pd.isna(v) else v for v in r) for r in got.itertuples(index=False)] == [
        ("车间R", A, "2020-08", 9, 1, None, 1),
        ("车间R", A, "2020-09", 8, 0, None, 1),
        ("车间P", B, "2020-08", 30, 3, None, 1),
        ("车间P", B, "2020-09", 25, 2, dt.date(2020, 9, 1), 1),
        ("其他3个车间", None, "2020-08", 9, 3, None, 3),
        ("其他3个车间", None, "2020-09", 8, 1, None, 3),
    ]
    every = workshop_monthly(engine, SEPT, lines=None)
    assert len(set(every["name"])) == 5
    totals = ["on_duty", "poor_on_duty"]
    assert got.groupby("month")[totals].sum().equals(every.groupby("month")[totals].sum())
    # August: Q is last, S and T tie on the month and the year, and 城西村's S comes first.
    aug = workshop_monthly(engine, AUG, lines=3)
    assert list(dict.fromkeys(aug["name"])) == ["车间R", "车间S", "车间P", "其他2个车间"]


# --- The full sample: consistency ----------------------------------------------------

LABOR_COUNTS = [f.key for f in FIGURES if f.table == "labor" and f.agg == "count"]


def test_sample_people_match_every_labour_count(sample_db):
    values = figures(sample_db, SEPT, keys=LABOR_COUNTS).values
    assert {k: len(people(sample_db, k, SEPT)) for k in LABOR_COUNTS} == values
    town = "福龙瑶族乡"
    poor = figures(sample_db, SEPT, township=town, keys=LABOR_COUNTS, poor_only=True).values
    assert {k: len(people(sample_db, k, SEPT, township=town, poor_only=True)) for k in LABOR_COUNTS} == poor


def test_sample_monthly_agrees_with_figures(sample_db):
    keys = [f.key for f in FIGURES]
    assert monthly(sample_db, keys, SEPT).iloc[-1].drop("month").to_dict() == figures(sample_db, SEPT).values
    # every month of one township, as figures gives it at the month's end (all sheets have every month)
    rows = monthly(sample_db, keys, SEPT, township="庆远镇").set_index("month")
    for m in rows.index:
        assert rows.loc[m].to_dict() == figures(sample_db, month_end(m), township="庆远镇").values, m


def test_sample_breakdowns_and_bands_add_up(sample_db):
    employed = figures(sample_db, SEPT, keys=["labor.employed"]).values["labor.employed"]
    by_mode = breakdown(sample_db, ["labor.employed"], SEPT, by="mode")
    assert list(by_mode["mode"]) == list(LABOR_MODES)
    assert by_mode["labor.employed"].sum() == employed
    assert income_bands(sample_db, SEPT)["people"].sum() == employed
    assert income_bands(sample_db, SEPT, by="township")["people"].sum() == employed
    households = breakdown(sample_db, ["households.total", "households.none_employed"], SEPT)
    district = figures(sample_db, SEPT, keys=["households.total", "households.none_employed"]).values
    assert {k: households[k].sum() for k in district} == district
    assert 0 < district["households.none_employed"] < district["households.total"]
