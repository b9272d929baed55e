"""Checks of the sample ledger generator with plain pandas.

The sample ledger must reproduce the seed report's figures exactly as of 2020-09-30 and
hang together like a real ledger (trainees, post holders and subsidy recipients are
labourers of the ledger; workshop headcounts match the labourers in them; …). The
figures are written out here rather than imported, so the tests do not trust the
generator's own constants.

The sample also carries a few problems planted on purpose for the data-quality checks
(``PLANTED`` in the generator, tests/test_quality.py): where one breaks a rule below, the
test says so and counts exactly those rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from sample_data.generate import SAMPLE_VERSION, build_tables, write_workbook

AS_OF = pd.Timestamp("2020-09-30")
YEAR_START = pd.Timestamp("2020-01-01")
MONTHS = [f"2020-{m:02d}" for m in range(1, 10)]
SEP = "2020-09"

EXPECTED_COLUMNS = {
    "行政区划": ["区划代码", "乡镇", "类型", "别名", "上级"],
    "劳动力就业台账": [
        "统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式", "务工区域", "务工所在地",
        "务工单位", "务工时间（月）", "月收入（元）", "家庭人口数", "户编号", "性别", "文化程度", "劳动技能", "就业意愿",
        "创业意愿", "培训意愿", "联系电话", "备注",
    ],
    "扶贫车间台账": ["统计时点", "车间名称", "乡镇", "村", "产业类型", "复工日期", "在岗人数", "其中贫困劳动力"],
    "公益性岗位台账": ["岗位类别", "岗位名称", "乡镇", "村", "姓名", "证件号码", "上岗日期", "离岗日期", "安置原因"],
    "技能培训台账": ["培训期次", "培训类型", "主办部门", "培训工种", "开班日期", "结业日期", "乡镇", "村", "姓名", "证件号码",
                 "是否建档立卡"],
    "补贴发放台账": ["发放日期", "补贴类型", "对象类型", "对象名称", "证件号码", "乡镇", "村", "金额（元）"],
    "用工需求台账": ["企业名称", "企业所在地", "工种", "岗位数", "发布日期", "发布渠道"],
    "返岗输送台账": ["批次", "出发日期", "目的地", "乡镇", "人数", "其中建档立卡"],
    "目标任务": ["年度", "乡镇", "指标", "目标值"],
}
TOWNSHIP_CODES = {
    "庆远镇": "451203100", "三岔镇": "451203101", "洛西镇": "451203102", "怀远镇": "451203103",
    "德胜镇": "451203104", "石别镇": "451203105", "北山镇": "451203106", "刘三姐镇": "451203107",
    "洛东镇": "451203108", "祥贝乡": "451203200", "屏南乡": "451203203", "福龙瑶族乡": "451203207",
    "北牙瑶族乡": "451203208", "同德乡": "451203210", "安马乡": "451203211", "龙头乡": "451203213",
}
SUBSIDY_TOTALS = {
    "企业吸纳就业补贴": 28900, "灵活就业社保补贴": 142200, "扶贫车间带动就业奖补": 313000,
    "重点企业新增岗位社保补贴": 84400, "稳岗补贴": 271400, "防疫补贴": 188100, "公益性岗位补贴": 2994000,
    "临时性公益岗位补贴": 1950600, "短期技能培训以奖代补": 768800, "农村实用技术培训补助": 22180,
}
SUBSIDY_OBJECT = {
    "企业吸纳就业补贴": "企业", "灵活就业社保补贴": "个人", "扶贫车间带动就业奖补": "扶贫车间",
    "重点企业新增岗位社保补贴": "企业", "稳岗补贴": "个人", "防疫补贴": "个人", "一次性交通补贴": "个人",
    "公益性岗位补贴": "个人", "临时性公益岗位补贴": "个人", "短期技能培训以奖代补": "个人", "农村实用技术培训补助": "个人",
}
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


_BUILT: dict[tuple, dict[str, pd.DataFrame]] = {}


def built(seed: int, n: int) -> dict[str, pd.DataFrame]:
    """``build_tables(seed, n_labourers=n)`` built once for this module (the default
    sample is the session's ``sample_tables``). The tests only read the tables."""
    if (seed, n) not in _BUILT:
        _BUILT[(seed, n)] = build_tables(seed, n_labourers=n)
    return _BUILT[(seed, n)]


@pytest.fixture(scope="module", autouse=True)
def _forget_tables():
    yield
    _BUILT.clear()


# (seed, n_labourers): the full-size default, and a smaller ledger with another seed,
# since the figures must hold for any seed and size.
@pytest.fixture(scope="module", params=[(2020, None), (7, 12_000)], ids=["default", "seed7-small"])
def tables(request):
    seed, n = request.param
    return request.getfixturevalue("sample_tables") if n is None else built(seed, n)


def events(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """Rows of an event sheet dated 2020-01-01 … 2020-09-30."""
    return df[(df[col] >= YEAR_START) & (df[col] <= AS_OF)]


def labour(tables, month=SEP) -> pd.DataFrame:
    lab = tables["劳动力就业台账"]
    return lab[lab["统计时点"] == month]


def id_valid(s: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(s[:17], ID_WEIGHTS)) % 11]
    try:
        dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return s[17] == check


# --------------------------------------------------------------------------- shape
def test_sheets_and_columns(tables):
    assert list(tables) == list(EXPECTED_COLUMNS)
    for name, cols in EXPECTED_COLUMNS.items():
        assert list(tables[name].columns) == cols, name
        assert len(tables[name]) > 0


def test_townships_sheet(tables):
    t = tables["行政区划"]
    assert dict(zip(t["乡镇"], t["区划代码"])) == TOWNSHIP_CODES
    assert set(t["上级"]) == {"宜州区"}
    types = dict(zip(t["乡镇"], t["类型"]))
    assert types["福龙瑶族乡"] == types["北牙瑶族乡"] == "瑶族乡"
    assert types["庆远镇"] == "镇" and types["同德乡"] == "乡"
    aliases = dict(zip(t["乡镇"], t["别名"].fillna("")))
    assert aliases["刘三姐镇"] == "刘三姐乡" and aliases["福龙瑶族乡"] == "福龙乡" and aliases["北牙瑶族乡"] == "北牙乡"
    lab = labour(tables)
    assert set(lab["乡镇"]) == set(TOWNSHIP_CODES)
    villages = lab.groupby("乡镇")["村"].nunique()
    assert villages.between(5, 12).all()
    sizes = lab["乡镇"].value_counts()
    assert sizes.idxmax() == "庆远镇"
    for name in EXPECTED_COLUMNS:
        if "乡镇" in tables[name].columns:
            assert set(tables[name]["乡镇"].dropna()) <= set(TOWNSHIP_CODES), name


# --------------------------------------------------------------------------- labourers
def test_labourer_months_and_ids(tables):
    lab = tables["劳动力就业台账"]
    assert sorted(lab["统计时点"].unique()) == MONTHS
    per_month = lab.groupby("统计时点")["证件号码"].agg(["size", "nunique"])
    assert (per_month["size"] == per_month["nunique"]).all()  # unique within a month
    assert per_month["size"].nunique() == 1  # every labourer in every month
    ids = lab.loc[lab["统计时点"] == SEP, "证件号码"]
    assert ids.str.len().eq(18).all()
    assert all(id_valid(s) for s in ids)
    assert ids.str[:6].isin(["451203", "451281"]).all()
    assert ids.str[:6].eq("451203").mean() > 0.7


def test_ids_in_every_sheet_are_valid(tables):
    for name in ("公益性岗位台账", "技能培训台账", "补贴发放台账"):
        ids = tables[name]["证件号码"].dropna()
        assert all(id_valid(s) for s in ids.unique()), name


def test_sex_and_age_follow_the_id(tables):
    lab = labour(tables)
    odd = lab["证件号码"].str[16].astype(int) % 2 == 1
    assert (lab["性别"] != np.where(odd, "男", "女")).sum() == 3  # planted (sex_mismatch)
    birth = pd.to_datetime(lab["证件号码"].str[6:14], format="%Y%m%d")
    age = 2020 - birth.dt.year - ((birth.dt.month > 9) | ((birth.dt.month == 9) & (birth.dt.day > 30)))
    assert (~age.between(16, 65)).sum() == 3  # planted (age_out_of_range)


def test_labourer_values_allowed(tables):
    lab = tables["劳动力就业台账"]
    assert set(lab["是否建档立卡"]) == {"是", "否"}
    assert 0.6 <= labour(tables)["是否建档立卡"].eq("是").mean() <= 0.7
    assert set(lab["就业状态"]) == {"已就业", "未就业"}
    assert set(lab["就业方式"].dropna()) <= {"外出务工", "扶贫车间", "公益性岗位", "自主创业", "灵活就业", "务农", "其他"}
    assert set(lab["务工区域"].dropna()) <= {"乡镇内", "县内乡外", "省内县外", "省外", "国外"}
    assert set(lab["文化程度"]) <= {"文盲或半文盲", "小学", "初中", "高中", "大专", "本科及以上"}
    assert set(lab["劳动技能"]) <= {"普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"}
    for col in ("就业意愿", "创业意愿", "培训意愿"):
        assert set(lab[col]) <= {"有", "无"}
    assert lab["务工时间（月）"].between(0, 12).all()
    assert lab["家庭人口数"].between(1, 8).all()
    phones = lab["联系电话"].dropna()
    assert phones.str.fullmatch(r"1[3589]\d{9}").all()
    assert lab["备注"].isna().mean() > 0.9


def test_employment_fields_consistent(tables):
    lab = tables["劳动力就业台账"]
    emp = lab["就业状态"] == "已就业"
    assert lab.loc[emp, "就业方式"].notna().all() and lab.loc[emp, "务工区域"].notna().all()
    assert lab.loc[~emp, "就业方式"].isna().all() and lab.loc[~emp, "月收入（元）"].isna().all()
    in_sep = lab["统计时点"] == SEP
    unable = emp & lab["劳动技能"].isin(["丧失劳动力", "无劳动力"])
    assert unable.sum() == (unable & in_sep).sum() == 3  # planted in September (unable_but_employed)
    local = lab["就业方式"].isin(["扶贫车间", "公益性岗位"])
    far = local & ~lab["务工区域"].isin(["乡镇内", "县内乡外"])
    assert far.sum() == (far & in_sep).sum() == 3  # planted in September (local_mode_far_area)
    mig = lab["就业方式"] == "外出务工"
    out = mig & lab["务工区域"].isin(["省外", "省内县外"])
    assert lab.loc[out, "务工所在地"].notna().all() and lab.loc[out, "务工单位"].notna().all()
    assert lab.loc[mig & (lab["务工区域"] == "省外"), "务工所在地"].str.startswith("广东").mean() > 0.6
    inc = lab.loc[emp, ["就业方式", "月收入（元）"]]
    assert inc["月收入（元）"].ge(0).all()
    assert set(inc.loc[inc["月收入（元）"] == 0, "就业方式"]) <= {"务农"}  # no cash income: not an outlier
    odd = lab.loc[emp, "月收入（元）"].gt(0) & ~lab.loc[emp, "月收入（元）"].between(400, 30000)
    assert odd.sum() == (odd & in_sep[emp]).sum() == 3  # planted in September (income_outlier)
    mig_inc = inc.loc[inc["就业方式"] == "外出务工", "月收入（元）"]
    assert mig_inc.median() >= 3000
    assert inc.loc[inc["就业方式"] == "扶贫车间", "月收入（元）"].between(1500, 2800).all()
    assert inc.loc[inc["就业方式"] == "公益性岗位", "月收入（元）"].between(800, 1500).all()
    sep = labour(tables)
    unemployed = sep[sep["就业状态"] == "未就业"]
    assert unemployed.loc[~unemployed["劳动技能"].isin(["丧失劳动力", "无劳动力"]), "就业意愿"].eq("有").mean() > 0.8


def test_employment_curve(tables):
    lab = tables["劳动力就业台账"]
    rate = lab.assign(e=lab["就业状态"] == "已就业").groupby("统计时点")["e"].mean()
    assert rate["2020-01"] > 0.75
    assert 0.35 <= rate["2020-02"] <= 0.55
    assert 0.85 <= rate[SEP] <= 0.92
    assert (rate.loc["2020-02":].diff().dropna() > 0).all()
    # people mostly go back to work and stay there
    wide = lab.pivot(index="证件号码", columns="统计时点", values="就业状态").eq("已就业")
    relapses = (wide.iloc[:, 2:].astype(int).diff(axis=1) < 0).any(axis=1).mean()
    assert relapses < 0.1


def test_households_consistent(tables):
    sep = labour(tables)
    g = sep.groupby("户编号")
    for col in ("家庭人口数", "是否建档立卡", "乡镇", "村"):
        assert g[col].nunique().eq(1).all(), col
    assert (g["家庭人口数"].first() >= g.size()).all()
    # a person's static attributes do not change from month to month
    lab = tables["劳动力就业台账"]
    static = lab.groupby("证件号码")[["姓名", "乡镇", "村", "是否建档立卡", "户编号", "性别"]].nunique()
    assert static.eq(1).all().all()


# --------------------------------------------------------------------------- figures
def test_demand_figures(tables):
    d = events(tables["用工需求台账"], "发布日期")
    assert len(d) == len(tables["用工需求台账"])
    assert d["企业名称"].nunique() == 717
    assert len(d) == 2677
    assert not d.duplicated(["企业名称", "工种"]).any()
    assert d["岗位数"].sum() == 41239 and d["岗位数"].ge(1).all()
    assert set(d["企业所在地"]) == {"区内", "区外"}
    assert d["发布渠道"].notna().all()


def test_workshop_figures(tables):
    w = tables["扶贫车间台账"]
    assert sorted(w["统计时点"].unique()) == MONTHS
    assert not w.duplicated(["统计时点", "车间名称"]).any()
    sep = w[w["统计时点"] == SEP]
    resumed = sep[sep["复工日期"] <= AS_OF]
    assert len(resumed) == 17
    assert resumed["在岗人数"].sum() == 4664
    assert resumed["其中贫困劳动力"].sum() == 259
    assert (resumed["复工日期"] < pd.Timestamp("2020-03-31")).sum() >= 12
    never = sep[sep["复工日期"].isna()]
    assert len(never) == 1 and never["在岗人数"].sum() == 0 and never["其中贫困劳动力"].sum() == 0
    assert (w["其中贫困劳动力"] <= w["在岗人数"]).all()
    idle = w["复工日期"].isna()
    assert (w.loc[idle, "在岗人数"] == 0).all()
    # 复工日期 appears from the month the workshop resumed, and headcounts grow towards September
    started = w.dropna(subset=["复工日期"])
    assert (started["复工日期"].dt.strftime("%Y-%m") <= started["统计时点"]).all()
    by_month = w.groupby("统计时点")["在岗人数"].sum()
    assert by_month.is_monotonic_increasing and by_month.iloc[0] < by_month[SEP]
    assert w.groupby("车间名称")["复工日期"].nunique().le(1).all()


def test_subsidy_figures(tables):
    s = events(tables["补贴发放台账"], "发放日期")
    assert len(s) == len(tables["补贴发放台账"])
    totals = s.groupby("补贴类型")["金额（元）"].sum()
    for kind, total in SUBSIDY_TOTALS.items():
        assert totals[kind] == total, kind
    assert totals["一次性交通补贴"] > 0
    assert s["金额（元）"].gt(0).all()
    assert np.allclose(s["金额（元）"] * 100, np.round(s["金额（元）"] * 100))
    for kind, obj in SUBSIDY_OBJECT.items():
        assert set(s.loc[s["补贴类型"] == kind, "对象类型"]) == {obj}, kind
    person = s["对象类型"] == "个人"
    assert s.loc[person, "证件号码"].notna().all()
    assert s.loc[~person, "证件号码"].isna().all()
    reward = s[s["补贴类型"] == "扶贫车间带动就业奖补"]
    assert reward["对象名称"].nunique() == 6
    short = s[s["补贴类型"] == "短期技能培训以奖代补"]
    assert short["证件号码"].nunique() == 1020 and short["金额（元）"].sum() == 768800
    assert s.loc[s["补贴类型"] == "农村实用技术培训补助", "金额（元）"].sum() == 22180


def test_transport_figures(tables):
    t = events(tables["返岗输送台账"], "出发日期")
    assert len(t) == 30 and t["批次"].is_unique
    assert t["人数"].sum() == 4336 and t["其中建档立卡"].sum() == 366
    assert (t["其中建档立卡"] <= t["人数"]).all()
    assert set(t["目的地"]) <= {"东莞", "深圳"}
    assert t["出发日期"].between(pd.Timestamp("2020-02-01"), pd.Timestamp("2020-04-30")).all()
    assert 0 < t["乡镇"].isna().sum() < 10


def test_post_figures(tables):
    p = events(tables["公益性岗位台账"], "上岗日期")
    assert len(p) == len(tables["公益性岗位台账"])
    counts = p["岗位类别"].value_counts()
    assert counts["扶贫公益性岗位"] == 377 and counts["临时性公益岗位"] == 717
    assert set(p["安置原因"]) <= {"年龄偏大", "文化偏低", "需照顾家庭", "残疾", "其他"}
    assert p["安置原因"].isin(["年龄偏大", "文化偏低", "需照顾家庭"]).mean() > 0.8
    ended = p.dropna(subset=["离岗日期"])
    assert (ended["离岗日期"] >= ended["上岗日期"]).all() and (ended["离岗日期"] <= AS_OF).all()
    # one post at a time
    for _id, g in p[p.duplicated("证件号码", keep=False)].groupby("证件号码"):
        g = g.sort_values("上岗日期")
        assert (g["离岗日期"].iloc[:-1].to_numpy() < g["上岗日期"].iloc[1:].to_numpy()).all()


def test_training_figures(tables):
    t = events(tables["技能培训台账"], "开班日期")
    assert len(t) == len(tables["技能培训台账"])
    voc = t[t["培训类型"] == "职业技能培训"]
    assert voc["培训期次"].nunique() == 52 and len(voc) == 2586
    assert (voc["是否建档立卡"] == "是").sum() == 1526
    assert voc["证件号码"].nunique() < len(voc)  # some people attend two classes
    assert set(voc["主办部门"]) == {"人社部门"}
    short = t[t["培训类型"] == "短期技能培训"]
    assert short["培训期次"].nunique() == 5 and short["证件号码"].nunique() == 280 == len(short)
    assert set(short["主办部门"]) == {"扶贫部门"}
    rural = t[t["培训类型"] == "农村实用技术培训"]
    assert rural["培训期次"].nunique() == 11 and rural["证件号码"].nunique() == 486 == len(rural)
    assert set(rural["主办部门"]) == {"农业农村部门"}
    assert t["开班日期"].between(pd.Timestamp("2020-03-01"), AS_OF).all()
    done = t.dropna(subset=["结业日期"])
    assert (done["结业日期"] > done["开班日期"]).all() and (done["结业日期"] <= AS_OF).all()
    assert not t.duplicated(["培训期次", "证件号码"]).any()
    per_class = t.groupby("培训期次")[["乡镇", "培训类型", "开班日期", "结业日期", "培训工种"]].nunique(dropna=False)
    assert per_class.eq(1).all().all()


# --------------------------------------------------------------------------- consistency
def test_workshop_poor_match_labourers(tables):
    lab = tables["劳动力就业台账"]
    w = tables["扶贫车间台账"]
    poor_ws = lab[(lab["是否建档立卡"] == "是") & (lab["就业方式"] == "扶贫车间")]
    ledger = poor_ws.groupby(["统计时点", "乡镇"]).size()
    sheet = w[w["复工日期"].notna()].groupby(["统计时点", "乡镇"])["其中贫困劳动力"].sum()
    sheet = sheet[sheet > 0]
    # planted (workshop_poor_mismatch): in September one poor worker of 庆远镇 is counted in 德胜镇
    sheet[(SEP, "庆远镇")] += 1
    sheet[(SEP, "德胜镇")] -= 1
    pd.testing.assert_series_equal(ledger.sort_index(), sheet.sort_index(), check_names=False, check_dtype=False)
    assert poor_ws[poor_ws["统计时点"] == SEP].shape[0] == 259
    assert (poor_ws["务工区域"] == "乡镇内").all()


def test_post_holders_are_poor_labourers_on_their_post(tables):
    lab = tables["劳动力就业台账"]
    posts = tables["公益性岗位台账"]
    people = lab.drop_duplicates("证件号码").set_index("证件号码")
    holder = people.loc[posts["证件号码"]]
    assert (holder["是否建档立卡"] == "是").all()
    assert (holder["乡镇"].to_numpy() == posts["乡镇"].to_numpy()).all()
    assert (holder["村"].to_numpy() == posts["村"].to_numpy()).all()
    assert (holder["姓名"].to_numpy() == posts["姓名"].to_numpy()).all()
    mode = lab.set_index(["证件号码", "统计时点"])["就业方式"]
    expected = []
    for row in posts.itertuples():
        first = row.上岗日期.strftime("%Y-%m")
        last = row.离岗日期.strftime("%Y-%m") if pd.notna(row.离岗日期) else SEP
        expected += [(row.证件号码, m) for m in MONTHS if first <= m <= last]
    assert (mode.loc[expected] == "公益性岗位").all()
    # and nobody else is on a public-welfare post
    on_post = mode[mode == "公益性岗位"]
    assert len(on_post) == len(set(expected))


def test_post_subsidies_paid_to_holders_while_holding(tables):
    s = tables["补贴发放台账"]
    posts = tables["公益性岗位台账"]
    for kind, pay in (("扶贫公益性岗位", "公益性岗位补贴"), ("临时性公益岗位", "临时性公益岗位补贴")):
        holders = posts[posts["岗位类别"] == kind]
        paid = s[s["补贴类型"] == pay]
        assert set(paid["证件号码"]) == set(holders["证件号码"])
        month = paid["发放日期"].dt.strftime("%Y-%m")
        twice = paid.assign(month=month).duplicated(["证件号码", "month"], keep=False)
        # planted (subsidy_paid_twice): two holders' August pay is dated in September
        assert twice.sum() == (4 if kind == "扶贫公益性岗位" else 0)
        assert (month[twice] == SEP).all()
        start = holders.groupby("证件号码")["上岗日期"].min()
        assert (paid["发放日期"].to_numpy() >= start.loc[paid["证件号码"]].dt.to_period("M").dt.start_time.to_numpy()).all()


def test_trainees_and_recipients_are_labourers(tables):
    people = tables["劳动力就业台账"].drop_duplicates("证件号码").set_index("证件号码")
    t = tables["技能培训台账"]
    s = tables["补贴发放台账"]
    s = s[s["对象类型"] == "个人"]
    # planted (not_in_labor, subsidy_not_in_labor): three trainees' and three payments' IDs
    strangers = {"职业技能培训": 3}, {"一次性交通补贴": 3}
    for (df, name_col, kind), want in zip(((t, "姓名", "培训类型"), (s, "对象名称", "补贴类型")), strangers):
        known = df["证件号码"].isin(people.index)
        assert df.loc[~known, kind].value_counts().to_dict() == want
        df = df[known]
        match = people.loc[df["证件号码"]]
        assert (match["姓名"].to_numpy() == df[name_col].to_numpy()).all()
        assert (match["乡镇"].to_numpy() == df["乡镇"].to_numpy()).all()
        assert (match["村"].to_numpy() == df["村"].to_numpy()).all()
    t = t[t["证件号码"].isin(people.index)]
    assert (people.loc[t["证件号码"], "是否建档立卡"].to_numpy() == t["是否建档立卡"].to_numpy()).all()
    short_reward = s[s["补贴类型"] == "短期技能培训以奖代补"]
    assert short_reward["证件号码"].isin(t["证件号码"]).all()
    rural_pay = s[s["补贴类型"] == "农村实用技术培训补助"]
    rural = t[t["培训类型"] == "农村实用技术培训"]
    assert rural_pay["证件号码"].isin(rural["证件号码"]).all()


def test_migrant_subsidies_go_to_poor_working_outside(tables):
    sep = labour(tables).set_index("证件号码")
    s = tables["补贴发放台账"]
    s = s[s["证件号码"].isin(sep.index)]  # not the planted strangers (subsidy_not_in_labor)
    for kind in ("稳岗补贴", "防疫补贴", "一次性交通补贴"):
        who = sep.loc[s.loc[s["补贴类型"] == kind, "证件号码"]]
        assert (who["是否建档立卡"] == "是").all(), kind
        assert who["务工区域"].isin(["省外", "省内县外"]).all(), kind
    flex = sep.loc[s.loc[s["补贴类型"] == "灵活就业社保补贴", "证件号码"]]
    assert (flex["就业方式"] == "灵活就业").all()


def test_transported_poor_work_in_guangdong(tables):
    sep = labour(tables)
    gd = sep[(sep["是否建档立卡"] == "是") & (sep["务工区域"] == "省外") & sep["务工所在地"].str.startswith("广东", na=False)]
    assert len(gd) >= 366
    batches = tables["返岗输送台账"]
    tagged = sep[sep["备注"] == "点对点输送返岗"]
    assert len(tagged) == 366 and tagged["是否建档立卡"].eq("是").all()
    per_town = tagged.groupby("乡镇").size()
    for town, poor in batches.dropna(subset=["乡镇"]).groupby("乡镇")["其中建档立卡"].sum().items():
        assert per_town.get(town, 0) >= poor


def test_workshop_reward_goes_to_workshops(tables):
    s = tables["补贴发放台账"]
    w = tables["扶贫车间台账"]
    reward = s[s["补贴类型"] == "扶贫车间带动就业奖补"]
    info = w.drop_duplicates("车间名称").set_index("车间名称")
    assert reward["对象名称"].isin(info.index).all()
    assert (info.loc[reward["对象名称"], "乡镇"].to_numpy() == reward["乡镇"].to_numpy()).all()
    assert w["车间名称"].str.endswith("扶贫车间").all()
    assert w.groupby("统计时点")["车间名称"].nunique().eq(18).all()
    june = w[(w["统计时点"] == "2020-06")].set_index("车间名称")
    for name, amount in reward.groupby("对象名称")["金额（元）"].sum().items():
        assert june.loc[name, "复工日期"] < pd.Timestamp("2020-03-31")
        assert june.loc[name, "其中贫困劳动力"] * 2000 >= amount


def test_training_classes_stay_in_their_township(tables):
    people = tables["劳动力就业台账"].drop_duplicates("证件号码").set_index("证件号码")
    t = tables["技能培训台账"]
    t = t[t["证件号码"].isin(people.index)]  # not the planted strangers (not_in_labor)
    assert (people.loc[t["证件号码"], "乡镇"].to_numpy() == t["乡镇"].to_numpy()).all()
    assert t.groupby("培训期次")["乡镇"].nunique().eq(1).all()


def test_targets(tables):
    g = tables["目标任务"]
    assert set(g["年度"]) == {2020}
    assert set(g["指标"]) == {"贫困劳动力就业人数", "贫困劳动力就业率", "培训人次", "公益性岗位数", "扶贫车间吸纳贫困劳动力"}
    assert not g.duplicated(["乡镇", "指标"]).any()
    w = tables["扶贫车间台账"]
    ws_towns = set(w.loc[w["复工日期"].notna(), "乡镇"])
    assert set(g.loc[g["指标"] == "扶贫车间吸纳贫困劳动力", "乡镇"]) == ws_towns
    for ind in ("贫困劳动力就业人数", "贫困劳动力就业率", "培训人次", "公益性岗位数"):
        assert g.loc[g["指标"] == ind, "乡镇"].nunique() == 16, ind
    rate = g.loc[g["指标"] == "贫困劳动力就业率", "目标值"]
    assert rate.between(50, 100).all()

    sep = labour(tables)
    poor = sep[sep["是否建档立卡"] == "是"]
    actual = {
        "贫困劳动力就业人数": poor[poor["就业状态"] == "已就业"].groupby("乡镇").size(),
        "贫困劳动力就业率": poor.groupby("乡镇")["就业状态"].apply(lambda x: 100 * (x == "已就业").mean()),
        "培训人次": tables["技能培训台账"].groupby("乡镇").size(),
        "公益性岗位数": tables["公益性岗位台账"].groupby("乡镇").size(),
        "扶贫车间吸纳贫困劳动力": w[(w["统计时点"] == SEP) & w["复工日期"].notna()].groupby("乡镇")["其中贫困劳动力"].sum(),
    }
    pace = 274 / 366  # share of 2020 elapsed on 09-30, for annual cumulative targets
    for ind, act in actual.items():
        tg = g[g["指标"] == ind].set_index("乡镇")["目标值"]
        a = act.reindex(tg.index).fillna(0)
        assert (a >= tg).any() and (a < tg).any(), ind  # some ahead, some behind
        if ind in ("培训人次", "公益性岗位数"):  # also some ahead of and some behind the calendar
            assert (a >= pace * tg).any() and (a < pace * tg).any(), ind
            assert (a <= tg * 1.25).all() and (tg <= a * 1.7 + 10).all(), ind
        else:
            assert ((tg - a).abs() <= a * 0.25 + 2).all(), ind  # close to the actual figures


# --------------------------------------------------------------------------- determinism and workbook
def test_deterministic():
    a = built(7, 12_000)  # built earlier in this module (or now)
    b = build_tables(7, n_labourers=12_000)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    c = build_tables(12, n_labourers=12_000)
    assert not a["劳动力就业台账"]["证件号码"].equals(c["劳动力就业台账"]["证件号码"])


def test_workbook_cells(tmp_path):
    from python_calamine import CalamineWorkbook

    full = built(7, 12_000)
    small = {k: (v.head(400) if k in ("劳动力就业台账", "补贴发放台账") else v) for k, v in full.items()}
    path = write_workbook(tmp_path / "ledger.xlsx", small)
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == list(EXPECTED_COLUMNS)
    for name, cols in EXPECTED_COLUMNS.items():
        rows = wb.get_sheet_by_name(name).to_python()
        assert rows[0] == cols, name
        assert len(rows) - 1 == len(small[name]), name
    lab = wb.get_sheet_by_name("劳动力就业台账").to_python()
    header = lab[0]
    body = lab[1:]
    for col in ("证件号码", "户编号", "统计时点"):
        i = header.index(col)
        assert all(isinstance(r[i], str) for r in body), col
    assert all(len(r[header.index("证件号码")]) == 18 for r in body)
    assert {r[header.index("统计时点")] for r in body} <= set(MONTHS)
    i = header.index("联系电话")
    assert all(isinstance(r[i], str) for r in body if r[i] != "")
    assert all(isinstance(r[header.index("务工时间（月）")], (int, float)) for r in body)
    region = wb.get_sheet_by_name("行政区划").to_python()
    assert all(isinstance(r[0], str) and len(r[0]) == 9 for r in region[1:])
    pay = wb.get_sheet_by_name("补贴发放台账").to_python()
    assert all(isinstance(r[0], (dt.date, dt.datetime)) for r in pay[1:])
    assert sum(r[7] for r in pay[1:]) == small["补贴发放台账"]["金额（元）"].sum()
    posts = wb.get_sheet_by_name("公益性岗位台账").to_python()
    h = posts[0]
    ends = [r[h.index("离岗日期")] for r in posts[1:]]
    assert any(e == "" for e in ends) and any(isinstance(e, (dt.date, dt.datetime)) for e in ends)


# --------------------------------------------------------------------------- planted problems and version
def _differ(planted: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    return ~(planted.eq(clean).fillna(False) | (planted.isna() & clean.isna()))


def _changed_cells(planted: pd.DataFrame, clean: pd.DataFrame) -> dict:
    return {c: int(n) for c, n in _differ(planted, clean).sum().items() if n}


def _rows(df: pd.DataFrame) -> Counter:
    return Counter(map(tuple, df.astype(object).where(df.notna(), None).itertuples(index=False)))


def test_plants_are_the_only_difference():
    """The planted problems are all the generator changes: the cells listed, nothing else."""
    planted, clean = built(7, 12_000), build_tables(7, n_labourers=12_000, plants=False)
    lab = planted["劳动力就业台账"]
    changed = _changed_cells(lab, clean["劳动力就业台账"])
    # sex and ID of 3 people each, every month; September's area, skill and income of 3 each
    assert changed == {"证件号码": 27, "务工区域": 3, "月收入（元）": 3, "性别": 27, "劳动技能": 3}
    cols = ["务工区域", "劳动技能", "月收入（元）"]
    sep_only = _differ(lab[cols], clean["劳动力就业台账"][cols]).any(axis=1)
    assert set(lab.loc[sep_only, "统计时点"]) == {SEP}
    ws = planted["扶贫车间台账"]["其中贫困劳动力"] - clean["扶贫车间台账"]["其中贫困劳动力"]
    assert sorted(ws[ws != 0]) == [-1, 1] and ws.sum() == 0
    assert _changed_cells(planted["技能培训台账"], clean["技能培训台账"]) == {"证件号码": 3}
    pay, pay0 = _rows(planted["补贴发放台账"]), _rows(clean["补贴发放台账"])
    assert sum((pay - pay0).values()) == sum((pay0 - pay).values()) == 5  # 3 IDs, 2 dates
    for name in ("行政区划", "公益性岗位台账", "用工需求台账", "返岗输送台账", "目标任务"):
        pd.testing.assert_frame_equal(planted[name], clean[name])


# Fingerprint of the default sample's tables for each SAMPLE_VERSION.
FINGERPRINTS = {2: 5183263903018892498}


def test_sample_version_names_this_output(sample_tables):
    """A changed sample needs a new SAMPLE_VERSION, or a workbook generated earlier (in data/)
    would be reused as if it were this one."""
    tables = sample_tables  # build_tables(), as the tests above read it (and would see a change by them)
    got = sum(int(pd.util.hash_pandas_object(df, index=False).sum()) for df in tables.values()) % 2**64
    assert FINGERPRINTS.get(SAMPLE_VERSION) == got, (
        f"the sample ledger changed: bump SAMPLE_VERSION in sample_data/generate.py and record "
        f"FINGERPRINTS[{SAMPLE_VERSION + 1}] = {got}"
    )
