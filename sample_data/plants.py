"""The problems planted on purpose for the data-quality checks, and the steps that plant them
into finished tables, each in different townships and on different people."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .district import MONTHS
from .draws import check_digits
from .schemes import sort_payments

# Problems planted on purpose, so that the 数据质量 page (ledger.query.quality) shows every check
# a ledger office runs finding something: check key → the rows ``quality.rows`` lists as of
# 2020-09-30, for any seed and size. Nothing else in the sample trips a check
# (tests/test_quality.py). No plant moves a figure of the seed report; a check the loader
# makes impossible, or one that could only be planted by changing a figure or what the
# pages list, has none. PLANT_NOTES says what each plant is (README.md lists them).
PLANTED: dict[str, int] = {
    "id_multi_township": 0,  # the loader rejects an ID twice in one sheet-month
    "id_duplicate": 0,  # likewise
    "sex_mismatch": 3,  # 性别 against the ID, every month (the loader only warns)
    "age_out_of_range": 3,  # the ID's birth year, check digit recomputed, every month
    "employed_no_mode": 0,  # the loader rejects 已就业 without 就业方式
    "local_mode_far_area": 3,  # September's 务工区域 of 2 workshop workers and 1 post holder
    "unable_but_employed": 3,  # September's 劳动技能 of 3 employed people
    "income_outlier": 3,  # September's 月收入 of 3 migrants: ×10 twice, ÷10 once
    "township_missing": 0,  # see PLANT_NOTES
    "workshop_poor_mismatch": 2,  # September: 1 poor worker counted in 德胜镇 instead of 庆远镇
    "not_in_labor": 3,  # vocational trainees' IDs in the training sheet
    "subsidy_not_in_labor": 3,  # 一次性交通补贴 payments' IDs
    "subsidy_paid_twice": 4,  # 2 post holders' August pay dated in September: 2 rows each
}
PLANT_NOTES: dict[str, str] = {
    "id_multi_township": "未埋设：同一月份的劳动力台账中同一证件号码出现两次（不论是否在同一乡镇），导入时直接报错，"
                         "这类问题无法经导入进入台账",
    "id_duplicate": "未埋设：同一月份同一证件号码出现两次，导入时直接报错",
    "sex_mismatch": "3名非建档立卡劳动力各月的性别都与证件号码相反（导入时只提示，不报错）",
    "age_out_of_range": "3名非建档立卡劳动力证件号码中的出生年份录错（校验码仍正确）：2人超过65岁，1人不满16岁",
    "employed_no_mode": "未埋设：已就业而未填就业方式，导入时直接报错",
    "local_mode_far_area": "9月2名非建档立卡扶贫车间务工人员和1名公益性岗位人员的务工区域填成了省内县外或省外",
    "unable_but_employed": "9月3名非建档立卡已就业人员的劳动技能填成了丧失劳动力或无劳动力",
    "income_outlier": "9月3名非建档立卡外出务工人员的月收入多写或少写了一个0（2人高于30000元，1人低于400元）",
    "township_missing": "未埋设：16个乡镇都有劳动力；删去一个乡镇的9月数据会改变劳动力人数等数字，"
                        "虚设一个没有数据的乡镇又会出现在各页的乡镇排名和分乡镇表中",
    "workshop_poor_mismatch": "9月扶贫车间台账把庆远镇车间的1名贫困劳动力记到了德胜镇的车间"
                              "（全区合计不变），两个乡镇各1条",
    "not_in_labor": "3名职业技能培训学员的证件号码录成了劳动力台账中没有的号码（校验码正确）",
    "subsidy_not_in_labor": "3笔一次性交通补贴的证件号码录成了劳动力台账中没有的号码（校验码正确）",
    "subsidy_paid_twice": "2名公益性岗位人员8月的岗位补贴登记为9月发放，9月各有两笔（每人2行，共4行；补贴总额不变）",
}

_SEP = MONTHS[-1]


def _spread(rng: np.random.Generator, rows: pd.DataFrame, k: int, avoid=()) -> list:
    """Index labels of k rows drawn from k different townships (none of ``avoid``)."""
    towns = sorted(set(rows["乡镇"]) - set(avoid))
    if len(towns) < k:
        raise ValueError(f"need rows in {k} townships, found {len(towns)}")
    return [rng.choice(rows.index[(rows["乡镇"] == t).to_numpy()]) for t in rng.choice(towns, k, replace=False)]


def _other_id(id_number: str, taken: set, birth: str | None = None) -> str:
    """A valid ID like ``id_number`` (with another birth date, if given) that is not taken:
    the sequence digits step on until it is free; the sex digit stays, the check digit fits."""
    birth = birth or id_number[6:14]
    seq = int(id_number[14:16])
    for step in range(1, 101):
        body = f"{id_number[:6]}{birth}{(seq + step) % 100:02d}{id_number[16]}"
        new = body + str(check_digits([body])[0])
        if new not in taken:
            taken.add(new)
            return new
    raise ValueError(f"no free ID like {id_number}")


@dataclass
class _Seen:
    """What the plants share, so that each lands on people no earlier plant used. The
    labourers' September slice is read once, before any change."""

    rng: np.random.Generator
    sep: pd.DataFrame
    elsewhere: set[str]  # IDs in the post, training and subsidy sheets
    ids: set[str]  # every ID in use, planted ones added
    used: set[str] = field(default_factory=set)  # people already given a plant

    def free(self, where, *, only_here: bool = False) -> pd.DataFrame:
        """September rows matching ``where`` of people not yet used; ``only_here``: of
        people in no other sheet (a changed ID must not leave their other rows behind)."""
        rows = self.sep[where & ~self.sep["证件号码"].isin(self.used)]
        if only_here:
            rows = rows[~rows["证件号码"].isin(self.elsewhere)]
        return rows

    def take(self, rows: pd.DataFrame, k: int, avoid=()) -> list:
        chosen = _spread(self.rng, rows, k, avoid)
        self.used |= set(rows.loc[chosen, "证件号码"])
        return chosen


def _sex(lab: pd.DataFrame, seen: _Seen) -> None:
    """性别 against the ID's 17th digit, in every month."""
    sep = seen.sep
    for i in seen.take(seen.free(sep["是否建档立卡"] == "否"), PLANTED["sex_mismatch"]):
        rows = lab["证件号码"] == sep.at[i, "证件号码"]
        lab.loc[rows, "性别"] = lab.loc[rows, "性别"].map({"男": "女", "女": "男"})


def _age(lab: pd.DataFrame, seen: _Seen) -> None:
    """The ID's birth year, in every month: 2 over 65, 1 under 16 (no one born on
    29 February, which these years lack)."""
    sep = seen.sep
    years = ["1951", "1953", "2006"]
    ok = (sep["是否建档立卡"] == "否") & ~sep["证件号码"].str.slice(10, 14).eq("0229")
    for i, year in zip(seen.take(seen.free(ok, only_here=True), len(years)), years):
        old = sep.at[i, "证件号码"]
        lab.loc[lab["证件号码"] == old, "证件号码"] = _other_id(old, seen.ids, year + old[10:14])


def _far_area(lab: pd.DataFrame, seen: _Seen) -> None:
    """September: a workshop or post job with a 务工区域 outside the district."""
    sep = seen.sep
    workshop = seen.take(seen.free((sep["是否建档立卡"] == "否") & (sep["就业方式"] == "扶贫车间")), 2)
    post = seen.take(seen.free(sep["就业方式"] == "公益性岗位"), 1, avoid=sep.loc[workshop, "乡镇"])
    lab.loc[workshop + post, "务工区域"] = ["省内县外", "省外", "省外"]


def _unable(lab: pd.DataFrame, seen: _Seen) -> None:
    """September: people at work whose 劳动技能 says they cannot work."""
    sep = seen.sep
    weak = (sep["是否建档立卡"] == "否") & (sep["就业状态"] == "已就业") & (sep["劳动技能"] == "弱劳动力或半劳动力")
    lab.loc[seen.take(seen.free(weak), 3), "劳动技能"] = ["丧失劳动力", "丧失劳动力", "无劳动力"]


def _income(lab: pd.DataFrame, seen: _Seen) -> None:
    """September: a migrant's 月收入 with a zero too many (twice) or one too few."""
    sep = seen.sep
    migrant = (sep["是否建档立卡"] == "否") & (sep["就业方式"] == "外出务工")
    income = sep["月收入（元）"]
    high = seen.take(seen.free(migrant & (income >= 3100)), 2)
    low = seen.take(seen.free(migrant & income.between(1000, 3900)), 1, avoid=sep.loc[high, "乡镇"])
    lab.loc[high, "月收入（元）"] = lab.loc[high, "月收入（元）"] * 10
    lab.loc[low, "月收入（元）"] = lab.loc[low, "月收入（元）"] // 10


def _workshops(w: pd.DataFrame, rng: np.random.Generator) -> None:
    """One poor worker of a 庆远镇 workshop counted in a 德胜镇 one: the sum stays."""
    sep = w[(w["统计时点"] == _SEP) & w["复工日期"].notna()]
    for town, step in (("庆远镇", -1), ("德胜镇", 1)):
        i = rng.choice(sep.index[(sep["乡镇"] == town).to_numpy()])
        w.loc[i, "其中贫困劳动力"] += step


def _trainees(tr: pd.DataFrame, pay: pd.DataFrame, seen: _Seen) -> None:
    """Another valid ID in 3 vocational-training rows (of people trained once and paid
    nothing, so no other sheet refers to the row)."""
    once = ~tr["证件号码"].duplicated(keep=False) & ~tr["证件号码"].isin(pay["证件号码"])
    rows = tr[once & (tr["培训类型"] == "职业技能培训") & ~tr["证件号码"].isin(seen.used)]
    for i in seen.take(rows, PLANTED["not_in_labor"]):
        tr.loc[i, "证件号码"] = _other_id(tr.at[i, "证件号码"], seen.ids)


def _recipients(pay: pd.DataFrame, seen: _Seen) -> None:
    """Another valid ID in 3 payments of 一次性交通补贴 (no figure of the report)."""
    rows = pay[(pay["补贴类型"] == "一次性交通补贴") & ~pay["证件号码"].isin(seen.used)]
    for i in seen.take(rows, PLANTED["subsidy_not_in_labor"]):
        pay.loc[i, "证件号码"] = _other_id(pay.at[i, "证件号码"], seen.ids)


def _paid_twice(pay: pd.DataFrame, seen: _Seen) -> pd.DataFrame:
    """Two post holders' August 公益性岗位补贴 dated in September: the total stays. Returns
    the payments sorted again."""
    post = pay[pay["补贴类型"] == "公益性岗位补贴"]
    month = post["发放日期"].dt.strftime("%Y-%m")
    paid_both = set(post.loc[month == "2020-08", "证件号码"]) & set(post.loc[month == _SEP, "证件号码"])
    august = post[(month == "2020-08") & post["证件号码"].isin(paid_both - seen.used)]
    for i in seen.take(august, PLANTED["subsidy_paid_twice"] // 2):
        pay.loc[i, "发放日期"] = pay.at[i, "发放日期"] + pd.DateOffset(months=1)
    return sort_payments(pay)


def plant(tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    """Put the problems of PLANTED into the tables (in place), in this order: each draws on
    ``rng`` and on the people the ones before it left free."""
    lab, pay = tables["劳动力就业台账"], tables["补贴发放台账"]
    others = [tables[s]["证件号码"].dropna() for s in ("公益性岗位台账", "技能培训台账", "补贴发放台账")]
    seen = _Seen(rng=rng, sep=lab[lab["统计时点"] == _SEP], elsewhere=set(pd.concat(others)),
                 ids=set(lab["证件号码"]))
    _sex(lab, seen)
    _age(lab, seen)
    _far_area(lab, seen)
    _unable(lab, seen)
    _income(lab, seen)
    _workshops(tables["扶贫车间台账"], rng)
    _trainees(tables["技能培训台账"], pay, seen)
    _recipients(pay, seen)
    tables["补贴发放台账"] = _paid_twice(pay, seen)
