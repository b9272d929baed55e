"""Deterministic generator of a fictional 2020 employment ledger for 宜州区 (河池市, 广西).

Why this exists: the importer, the dashboard and the briefing need a realistic workbook
to be developed and tested against, and the seed report's figures
(``shared/seed/figures.json``) must come out of it *exactly* as of 2020-09-30.
Every exact figure is reached by construction: counts are partitioned, amounts are
generated and then nudged until they add up. Everything is drawn from seeded numpy
Generators, so the same seed gives the same tables (and the same workbook) every run.
No real person's data: names, ID numbers and phone numbers are synthesised.

Public API: :func:`build_tables`, :func:`write_workbook`, :data:`SHEET_COLUMNS`,
:data:`PLANTED` (the problems planted for the data-quality checks) and :data:`SAMPLE_NAME`.
Command line: ``python -m sample_data.generate OUT.xlsx``.
"""

from __future__ import annotations

import datetime as _dt
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PLANTED", "PLANT_NOTES", "SAMPLE_NAME", "SHEET_COLUMNS", "build_tables", "write_workbook", "main"]

DISTRICT = "宜州区"
YEAR = 2020
N_MONTHS = 9  # 2020-01 … 2020-09
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, N_MONTHS + 1)]
AS_OF = np.datetime64("2020-09-30")
DEFAULT_LABOURERS = 30_000
# The workbook's file name carries a version: bump it whenever the generated ledger
# changes, so that a workbook generated earlier (data/, sample_data/) is not reused
# (tests/test_sample_generator.py pins a fingerprint of the tables to this version).
SAMPLE_VERSION = 2
SAMPLE_NAME = f"yizhou_ledger_2020_v{SAMPLE_VERSION}.xlsx"

# Canonical headers of shared/ledger-format.md, in its order, compound rows split.
SHEET_COLUMNS: dict[str, list[str]] = {
    "行政区划": ["区划代码", "乡镇", "类型", "别名", "上级"],
    "劳动力就业台账": [
        "统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式",
        "务工区域", "务工所在地", "务工单位", "务工时间（月）", "月收入（元）", "家庭人口数",
        "户编号", "性别", "文化程度", "劳动技能", "就业意愿", "创业意愿", "培训意愿", "联系电话", "备注",
    ],
    "扶贫车间台账": ["统计时点", "车间名称", "乡镇", "村", "产业类型", "复工日期", "在岗人数", "其中贫困劳动力"],
    "公益性岗位台账": ["岗位类别", "岗位名称", "乡镇", "村", "姓名", "证件号码", "上岗日期", "离岗日期", "安置原因"],
    "技能培训台账": [
        "培训期次", "培训类型", "主办部门", "培训工种", "开班日期", "结业日期", "乡镇", "村", "姓名", "证件号码",
        "是否建档立卡",
    ],
    "补贴发放台账": ["发放日期", "补贴类型", "对象类型", "对象名称", "证件号码", "乡镇", "村", "金额（元）"],
    "用工需求台账": ["企业名称", "企业所在地", "工种", "岗位数", "发布日期", "发布渠道"],
    "返岗输送台账": ["批次", "出发日期", "目的地", "乡镇", "人数", "其中建档立卡"],
    "目标任务": ["年度", "乡镇", "指标", "目标值"],
}

# The figures of shared/seed/figures.json that this generator builds in (as of 2020-09-30).
TARGETS = {
    "demand.enterprises": 717, "demand.job_types": 2677, "demand.postings": 41239,
    "workshops.count": 17, "workshops.on_duty": 4664, "workshops.poor_absorbed": 259,
    "subsidy.enterprise_absorption": 28900, "subsidy.flexible_social_insurance": 142200,
    "subsidy.workshop_reward": 313000, "subsidy.workshop_reward_workshops": 6,
    "subsidy.key_enterprise_social_insurance": 84400, "subsidy.job_stability": 271400,
    "subsidy.epidemic_prevention": 188100,
    "transport.batches": 30, "transport.people": 4336, "transport.poor": 366,
    "posts.poverty.count": 377, "posts.poverty.subsidy": 2994000,
    "posts.temporary.count": 717, "posts.temporary.subsidy": 1950600,
    "training.vocational.classes": 52, "training.vocational.person_times": 2586,
    "training.vocational.poor_person_times": 1526,
    "training.short_term.classes": 5, "training.short_term.people": 280,
    "training.short_term_reward.people": 1020, "training.short_term_reward.amount": 768800,
    "training.rural_practical.classes": 11, "training.rural_practical.people": 486,
    "training.rural_practical.amount": 22180,
}

# Problems planted on purpose, so that the 数据质量 page (ledger.quality) shows every check
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

# name, 区划代码, 类型, 别名, share of the district's labourers, number of villages
TOWNSHIPS: tuple[tuple[str, str, str, str, float, int], ...] = (
    ("庆远镇", "451203100", "镇", "", 0.13, 12),
    ("三岔镇", "451203101", "镇", "", 0.07, 9),
    ("洛西镇", "451203102", "镇", "", 0.06, 8),
    ("怀远镇", "451203103", "镇", "", 0.08, 10),
    ("德胜镇", "451203104", "镇", "", 0.08, 10),
    ("石别镇", "451203105", "镇", "", 0.07, 9),
    ("北山镇", "451203106", "镇", "", 0.06, 8),
    ("刘三姐镇", "451203107", "镇", "刘三姐乡", 0.07, 9),
    ("洛东镇", "451203108", "镇", "", 0.06, 8),
    ("祥贝乡", "451203200", "乡", "", 0.04, 6),
    ("屏南乡", "451203203", "乡", "", 0.04, 6),
    ("福龙瑶族乡", "451203207", "瑶族乡", "福龙乡", 0.04, 5),
    ("北牙瑶族乡", "451203208", "瑶族乡", "北牙乡", 0.05, 7),
    ("同德乡", "451203210", "乡", "", 0.04, 5),
    ("安马乡", "451203211", "乡", "", 0.05, 7),
    ("龙头乡", "451203213", "乡", "", 0.06, 8),
)
T_NAMES = [t[0] for t in TOWNSHIPS]
T_CODES = [t[1] for t in TOWNSHIPS]
T_SHARE = np.array([t[4] for t in TOWNSHIPS])

MODES = ["外出务工", "扶贫车间", "公益性岗位", "自主创业", "灵活就业", "务农", "其他"]
M_MIGRANT, M_WORKSHOP, M_POST, M_BUSINESS, M_FLEX, M_FARM, M_OTHER = range(7)
AREAS = ["乡镇内", "县内乡外", "省内县外", "省外", "国外"]
A_TOWN, A_COUNTY, A_PROVINCE, A_OUT, A_ABROAD = range(5)
EDUCATION = ["文盲或半文盲", "小学", "初中", "高中", "大专", "本科及以上"]
SKILLS = ["普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"]

# --------------------------------------------------------------------------- pools
# Syllables, not lists of people: names, villages and firms are combined from them.
_SURNAMES = "韦覃蓝莫黄梁罗谢潘吴银卢李陈韩蒙唐廖何刘邓周杨张甘吕"
_SURNAME_W = np.array([14, 10, 7, 6, 8, 5, 4, 3, 4, 4, 2, 3, 4, 4, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1], float)
_MALE_CHARS = "明华强军勇杰伟斌林海东福贵忠文武成志光荣德金春生国庆建平宝兴才权刚振"
_FEMALE_CHARS = "秀英兰凤芳丽梅艳玲春花美娟燕霞红桂金月莲翠琼素萍冬妹妮雪"
_VILLAGE_HEAD = "拉那板古六弄坡百都龙洞岜甘思马良平三九上下东西南新中太永福安德加巴怀洛里堡合义红朝"
_VILLAGE_TAIL = "浪龙江拉洞利坪塘岩隆寨山河桥岭荣安平兴和乐福宁结才朗翁屯洋峒贤社旺林"
_FIRM_SYLLABLES = "华盛鑫达宏源丰信诚昌隆泰裕祥兴旺凯瑞博恒嘉锦荣利通德美康佳新金永富海天正和合安明立科创宇腾飞伟豪"
_PHONE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
    "157", "158", "159", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "193",
    "195", "198", "199",
]

# city key -> (firm-name prefix, 务工所在地, 区域, share among 区外 employers posting jobs)
_CITIES: dict[str, tuple[str, str, int, float]] = {
    "东莞": ("东莞市", "广东省东莞市", A_OUT, 0.20),
    "深圳": ("深圳市", "广东省深圳市", A_OUT, 0.17),
    "佛山": ("佛山市", "广东省佛山市", A_OUT, 0.10),
    "广州": ("广州市", "广东省广州市", A_OUT, 0.10),
    "中山": ("中山市", "广东省中山市", A_OUT, 0.05),
    "惠州": ("惠州市", "广东省惠州市", A_OUT, 0.05),
    "江门": ("江门市", "广东省江门市", A_OUT, 0.02),
    "宁波": ("宁波市", "浙江省宁波市", A_OUT, 0.04),
    "温州": ("温州市", "浙江省温州市", A_OUT, 0.02),
    "厦门": ("厦门市", "福建省厦门市", A_OUT, 0.03),
    "泉州": ("泉州市", "福建省泉州市", A_OUT, 0.02),
    "苏州": ("苏州市", "江苏省苏州市", A_OUT, 0.03),
    "上海": ("上海", "上海市", A_OUT, 0.01),
    "南宁": ("南宁市", "广西南宁市", A_PROVINCE, 0.07),
    "柳州": ("柳州市", "广西柳州市", A_PROVINCE, 0.06),
    "桂林": ("桂林市", "广西桂林市", A_PROVINCE, 0.02),
    "金城江": ("河池市", "广西河池市金城江区", A_PROVINCE, 0.01),
}
_OUT_CITY_W = {"东莞": .25, "深圳": .20, "佛山": .12, "广州": .12, "中山": .06, "惠州": .05, "江门": .03,
               "宁波": .04, "温州": .02, "厦门": .03, "泉州": .02, "苏州": .03, "上海": .03}
_PROV_CITY_W = {"南宁": .40, "柳州": .33, "金城江": .15, "桂林": .12}
_ABROAD_PLACES = ["马来西亚吉隆坡", "泰国曼谷"]
_GD_INDUSTRIES = ["电子科技", "电子", "五金制品", "塑胶制品", "家具", "服装", "鞋业", "玩具", "灯饰", "包装制品",
                  "精密机械", "物流", "食品", "印刷", "纺织", "汽车配件"]
_GX_INDUSTRIES = ["茧丝绸", "糖业", "建材", "农业发展", "生态农业", "建筑工程", "食品", "物业服务", "酒店管理",
                  "物流", "商贸", "服装", "电子", "竹木制品", "机械制造"]
_LOCAL_PREFIXES = ["宜州区", "广西宜州", "河池市宜州区"]
# Where 区内 employers sit (the industrial parks are around the district seat).
_ENTERPRISE_TOWNSHIPS = {"庆远镇": .5, "石别镇": .1, "洛东镇": .08, "德胜镇": .08, "怀远镇": .08, "三岔镇": .06,
                         "刘三姐镇": .05, "北山镇": .05}
_JOB_TYPES = ["普工", "操作工", "装配工", "质检员", "仓管员", "叉车司机", "电工", "焊工", "缝纫工", "包装工", "保安",
              "厨师", "服务员", "销售代表", "机修工", "客服专员", "文员", "货车司机", "保洁员", "搬运工", "跟单员",
              "设备维修工", "注塑工", "车工", "钳工", "油漆工", "木工", "砌筑工", "钢筋工", "养殖工", "缫丝工",
              "收银员", "导购员", "快递员", "理货员", "前台接待", "会计", "技术员", "电商运营", "育婴员",
              "家政服务员", "养老护理员", "切割工", "打磨工", "印刷工"]
_CHANNELS = ["广西人社服务微信平台", "河池人才网", "微观宜州", "宜州论坛", "村级就业服务窗口"]
_CHANNEL_W = [0.34, 0.24, 0.18, 0.12, 0.12]
_WORKSHOP_INDUSTRIES = ["服装加工", "电子元件组装", "竹编工艺品", "桑蚕丝绵加工", "手工编织", "假发加工",
                        "食品加工", "玩具组装", "鞋帽加工", "藤编工艺品", "箱包加工", "蚕茧收烘"]
# Townships with workshops (the last 龙头乡 one never resumed). 18 in all.
_WORKSHOP_TOWNSHIPS = ["庆远镇", "庆远镇", "庆远镇", "三岔镇", "怀远镇", "怀远镇", "德胜镇", "德胜镇", "石别镇",
                       "石别镇", "刘三姐镇", "刘三姐镇", "洛东镇", "北山镇", "安马乡", "北牙瑶族乡", "龙头乡", "龙头乡"]
_POVERTY_POSTS = ["保洁环卫", "巡查员", "护林员", "护路员", "水管员", "护河员", "村级就业信息员", "养老服务员"]
_POVERTY_POST_W = [.30, .12, .20, .14, .08, .06, .05, .05]
_TEMP_POSTS = ["防疫宣传员", "卡点值守员", "消杀保洁员", "保洁环卫", "巡查员", "护路员"]
_TEMP_POST_W = [.25, .20, .20, .15, .10, .10]
_VOC_TRADES = {"家政服务员": 700, "电工": 1000, "焊工": 1000, "育婴师": 800, "中式烹调师": 800, "电子商务": 600,
               "中式面点师": 800, "养老护理员": 700, "挖掘机操作": 1200, "美容美发": 700, "缝纫工": 600,
               "汽车维修": 900}
_SHORT_TRADES = {"家政服务": 800, "中式烹调": 800, "电工": 1000, "缝纫": 600, "保安员": 600}
_RURAL_TRADES = ["桑蚕养殖", "砂糖橘种植", "生猪养殖", "肉牛养殖", "食用菌栽培", "林下养鸡", "水果种植",
                 "中药材种植", "山羊养殖", "稻田养鱼", "葡萄种植"]

_DAYS_IN_MONTH = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MONTH_START = np.array([np.datetime64(f"{YEAR}-{m:02d}-01") for m in range(1, 13)])
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.array(list("10X98765432"))
_NAT = np.datetime64("NaT")


# --------------------------------------------------------------------------- helpers
def _rng(seed: int, part: str) -> np.random.Generator:
    """One independent stream per part, so a change in one table does not reshuffle the others."""
    return np.random.default_rng([seed, zlib.crc32(part.encode("utf-8"))])


def _fix_total(values, target: int, rng: np.random.Generator, step: int = 1, lo=1, hi=10**12) -> np.ndarray:
    """Nudge integer values by ±step (within [lo, hi]) until they add up to target exactly."""
    v = np.asarray(values, dtype=np.int64).copy()
    lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), v.shape)
    hi = np.broadcast_to(np.asarray(hi, dtype=np.int64), v.shape)
    diff = int(target) - int(v.sum())
    if diff % step:
        raise ValueError(f"total {target} not reachable in steps of {step}")
    n = diff // step
    while n:
        sign = 1 if n > 0 else -1
        cand = np.flatnonzero((v + step <= hi) if sign > 0 else (v - step >= lo))
        if cand.size == 0:
            raise ValueError(f"cannot reach total {target} within bounds")
        k = min(abs(n), cand.size)
        v[rng.choice(cand, size=k, replace=False)] += sign * step
        n -= sign * k
    return v


def _partition(rng: np.random.Generator, total: int, n: int, lo: int, hi: int, shape: float = 2.0) -> np.ndarray:
    """n random integers in [lo, hi] that add up to total (gamma-shaped spread)."""
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot split {total} into {n} parts in [{lo}, {hi}]")
    w = rng.gamma(shape, size=n)
    base = np.floor(lo + (total - n * lo) * w / w.sum())
    return _fix_total(np.clip(base, lo, hi), total, rng, 1, lo, hi)


def _scale_to_total(base, target: int, rng: np.random.Generator, step: int, lo: int, hi: int) -> np.ndarray:
    """Scale plausible base amounts to the target, round to step, then fix the remainder exactly."""
    base = np.asarray(base, dtype=float)
    v = np.clip(np.round(base * (target / base.sum()) / step) * step, lo, hi)
    return _fix_total(v, target, rng, step, lo, hi)


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int, weights=None) -> np.ndarray:
    """k distinct elements of pool (optionally weighted), in a deterministic order."""
    pool = np.asarray(pool)
    if k > pool.size:
        raise ValueError(f"need {k} people, only {pool.size} eligible")
    p = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        p = w / w.sum()
    return rng.choice(pool, size=k, replace=False, p=p)


def _sample_cat(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0])[:, None] * cum[:, -1:]
    return (u >= cum).sum(axis=1)


def _month_end(m):
    """Last day of month m (1-based) of the ledger year."""
    m = np.asarray(m)
    return _MONTH_START[m - 1] + (_DAYS_IN_MONTH[m - 1] - 1)


def _random_days(rng: np.random.Generator, months, lo_day=1, hi_day=None) -> np.ndarray:
    """A random date in each given month, day within [lo_day, hi_day or month end]."""
    months = np.asarray(months)
    dim = _DAYS_IN_MONTH[months - 1]
    hi = dim if hi_day is None else np.minimum(dim, hi_day)
    lo = np.broadcast_to(np.asarray(lo_day), months.shape)
    day = lo + np.floor(rng.random(months.shape) * (hi - lo + 1)).astype(int)
    return _MONTH_START[months - 1] + (day - 1)


def _month_of(dates) -> np.ndarray:
    """Month number (1–12) of datetime64[D] values in the ledger year."""
    return (np.asarray(dates).astype("datetime64[M]").astype(int) % 12) + 1


def _day_of(dates) -> np.ndarray:
    d = np.asarray(dates)
    return (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1


def _check_digits(bodies: list[str]) -> np.ndarray:
    """GB 11643 check digits of 17-character ID bodies."""
    d = np.frombuffer("".join(bodies).encode("ascii"), dtype=np.uint8).reshape(-1, 17).astype(np.int64) - 48
    return _ID_CHECK[(d @ _ID_WEIGHTS) % 11]


def _texts(values) -> pd.Series:
    """A pandas str Series; None stays missing."""
    return pd.Series(np.asarray(values, dtype=object), dtype="str")


def _dates(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype="datetime64[D]").astype("datetime64[us]"))


def _lookup(labels, codes) -> np.ndarray:
    """labels[codes] with code -1 meaning missing (None)."""
    arr = np.array(list(labels) + [None], dtype=object)
    return arr[np.asarray(codes)]


class _Names:
    """Interning table for free-text values stored as integer codes in the state arrays."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.index: dict[str, int] = {}

    def code(self, label: str) -> int:
        if label not in self.index:
            self.index[label] = len(self.labels)
            self.labels.append(label)
        return self.index[label]


# --------------------------------------------------------------------------- geography
def _villages(rng: np.random.Generator) -> list[list[str]]:
    """Plausible Zhuang-region village names, unique within each township (the seat gets 社区)."""
    out = []
    for name, _code, typ, _alias, _share, nv in TOWNSHIPS:
        short = name.replace("瑶族乡", "").rstrip("镇乡")
        names = ["城东社区", "城西社区", "城南社区", "城北社区"] if name == "庆远镇" else (
            [f"{short}社区"] if typ == "镇" else [])
        seen = set(names)
        while len(names) < nv:
            v = str(rng.choice(list(_VILLAGE_HEAD))) + str(rng.choice(list(_VILLAGE_TAIL)))
            if v[0] == v[1] or v + "村" in seen:
                continue
            seen.add(v + "村")
            names.append(v + "村")
        out.append(names)
    return out


def _company_names(rng: np.random.Generator, prefix: str, industries: list[str], n: int, used: set) -> list[str]:
    """n new firm names like 东莞市华盛电子科技有限公司, unique across the whole ledger."""
    out = []
    syl = list(_FIRM_SYLLABLES)
    while len(out) < n:
        a, b = rng.choice(syl, 2, replace=False)
        ind = str(rng.choice(industries))
        suffix = "有限公司" if rng.random() < 0.85 else "有限责任公司"
        name = f"{prefix}{a}{b}{ind}{suffix}"
        if name not in used:
            used.add(name)
            out.append(name)
    return out


# --------------------------------------------------------------------------- builder
class _Builder:
    """Builds the whole ledger; the labourers come first because every other sheet refers to them."""

    def __init__(self, seed: int, n_labourers: int) -> None:
        if n_labourers < 12_000:
            raise ValueError("n_labourers must be at least 12000 for the exact figures to be reachable")
        self.seed = seed
        self.P = n_labourers
        self.villages = _villages(_rng(seed, "villages"))
        self.places = _Names()
        self.units = _Names()

    # ----------------------------------------------------------------- people
    def people(self) -> None:
        """Static attributes: township, village, household, name, ID, education, skills, wishes."""
        rng = _rng(self.seed, "people")
        P = self.P
        share = T_SHARE * rng.uniform(0.9, 1.1, T_SHARE.size)
        share = share / share.sum()
        counts = np.floor(share * P).astype(int)
        counts[np.argsort(-(share * P - counts), kind="stable")[: P - counts.sum()]] += 1
        town, vill, hh, fam, poor_hh, region_hh, surname_hh, hh_code = [], [], [], [], [], [], [], []
        hh_id = 0
        for t, n_t in enumerate(counts):
            nv = len(self.villages[t])
            w = rng.dirichlet(np.full(nv, 4.0))
            vc = rng.multinomial(n_t, w)
            for v, n_v in enumerate(vc):
                if n_v == 0:
                    continue
                sizes = rng.choice([1, 2, 3, 4, 5], size=n_v, p=[.25, .35, .22, .12, .06])
                cs = np.cumsum(sizes)
                k = int(np.searchsorted(cs, n_v)) + 1
                sizes = sizes[:k].copy()
                sizes[-1] -= cs[k - 1] - n_v
                n_h = sizes.size
                extra = np.minimum(rng.integers(0, 5, n_h), 8 - sizes)
                for j in range(n_h):
                    town.extend([t] * sizes[j])
                    vill.extend([v] * sizes[j])
                    hh.extend([hh_id + j] * sizes[j])
                    fam.extend([sizes[j] + extra[j]] * sizes[j])
                    hh_code.extend([f"{T_CODES[t]}{v + 1:03d}{j + 1:04d}"] * sizes[j])
                poor_hh.append(rng.random(n_h) < 0.64)
                region_hh.append(np.where(rng.random(n_h) < 0.86, "451203", "451281"))
                surname_hh.append(rng.choice(len(_SURNAMES), n_h, p=_SURNAME_W / _SURNAME_W.sum()))
                hh_id += n_h
        self.town = np.array(town)
        self.vill = np.array(vill)
        self.hh = np.array(hh)
        self.fam = np.array(fam)
        self.hh_code = np.array(hh_code, dtype=object)
        self.poor = np.concatenate(poor_hh)[self.hh]
        region = np.concatenate(region_hh)[self.hh]
        surname = np.concatenate(surname_hh)[self.hh]
        own = rng.random(P) < 0.3  # spouses and others keep their own surname
        surname[own] = rng.choice(len(_SURNAMES), own.sum(), p=_SURNAME_W / _SURNAME_W.sum())
        self.vname = np.array([self.villages[t][v] for t, v in zip(self.town, self.vill)], dtype=object)

        self.male = rng.random(P) < 0.53
        # age 16–65 on 2020-09-30: birth between 1954-10-01 and 2004-09-30
        years = 16 + 50 * rng.beta(1.9, 2.1, P)
        birth = AS_OF - np.floor(years * 365.2425).astype(int)
        birth = np.clip(birth, np.datetime64("1954-10-01"), np.datetime64("2004-09-30"))
        md = [s.replace("-", "") for s in np.datetime_as_string(birth, unit="D")]  # YYYYMMDD
        by = np.array([int(s[:4]) for s in md])
        bm = np.array([int(s[4:6]) for s in md])
        bd = np.array([int(s[6:8]) for s in md])
        self.age = YEAR - by - ((bm > 9) | ((bm == 9) & (bd > 30)))
        sex_digit = rng.integers(0, 5, P) * 2 + self.male
        seq = rng.integers(0, 100, P)
        ids = np.empty(P, dtype=object)
        todo = np.arange(P)
        taken: set[str] = set()
        while todo.size:  # unique IDs: redraw the sequence digits of any collision
            bodies = [f"{region[i]}{md[i]}{seq[i]:02d}{sex_digit[i]}" for i in todo]
            checks = _check_digits(bodies)
            again = []
            for i, b, c in zip(todo, bodies, checks):
                full = b + c
                if full in taken:
                    again.append(i)
                else:
                    taken.add(full)
                    ids[i] = full
            todo = np.array(again, dtype=int)
            seq[todo] = rng.integers(0, 100, todo.size)
            sex_digit[todo] = rng.integers(0, 5, todo.size) * 2 + self.male[todo]
        self.ids = ids

        given1 = np.where(self.male, rng.choice(list(_MALE_CHARS), P), rng.choice(list(_FEMALE_CHARS), P))
        given2 = np.where(self.male, rng.choice(list(_MALE_CHARS), P), rng.choice(list(_FEMALE_CHARS), P))
        given2 = np.where(rng.random(P) < 0.78, given2, "")
        sn = np.array(list(_SURNAMES))[surname]
        self.names = np.char.add(np.char.add(sn, given1), given2).astype(object)

        grp = np.digitize(self.age, [30, 45, 55])
        edu_p = np.array([[.01, .08, .50, .25, .11, .05], [.02, .20, .58, .14, .04, .02],
                          [.06, .38, .46, .08, .015, .005], [.18, .52, .26, .04, 0, 0]])
        self.edu = _sample_cat(rng, edu_p[grp])
        skill_p = np.array([[.74, .20, .04, .01, .01], [.70, .20, .07, .02, .01],
                            [.68, .12, .15, .03, .02], [.52, .05, .33, .06, .04]])
        self.skill = _sample_cat(rng, skill_p[grp])
        self.able = self.skill <= 2
        self.fit = self.skill <= 1  # can go out to work far away
        self.wish_job = np.where(self.able, rng.random(P) < 0.95, False)
        self.wish_biz = rng.random(P) < np.where(self.age < 45, 0.14, 0.06)
        self.wish_train = np.where(self.able, rng.random(P) < np.where(self.age < 50, 0.62, 0.4), False)
        prefix = np.array(_PHONE_PREFIXES)[rng.integers(0, len(_PHONE_PREFIXES), P)]
        phones = np.char.add(prefix, np.char.zfill(rng.integers(0, 10**8, P).astype(str), 8)).astype(object)
        _u, first = np.unique(phones.astype(str), return_index=True)
        dup = np.ones(P, bool)
        dup[first] = False
        phones[dup] = None  # a duplicate number is simply left blank
        phones[rng.random(P) < 0.04] = None
        self.phones = phones
        self.taken = np.zeros(P, bool)  # people already given a special role

    # ----------------------------------------------------------------- employers
    def employers(self) -> pd.DataFrame:
        """Firm pools per city (for 务工单位) and the 用工需求台账 (717 firms, 2677 rows, 41239 posts)."""
        rng = _rng(self.seed, "demand")
        used: set[str] = set()
        n_ent, n_rows, n_posts = (TARGETS[k] for k in ("demand.enterprises", "demand.job_types", "demand.postings"))
        n_local = 301
        cities = list(_CITIES)
        city_n = rng.multinomial(n_ent - n_local, np.array([_CITIES[c][3] for c in cities]))
        self.city_firms: dict[str, list[str]] = {}
        for c, n in zip(cities, city_n):
            prefix, _place, area, _w = _CITIES[c]
            inds = _GD_INDUSTRIES if area == A_OUT else _GX_INDUSTRIES
            self.city_firms[c] = _company_names(rng, prefix, inds, max(int(n), 25), used)
        local = []
        for p in rng.choice(_LOCAL_PREFIXES, n_local, p=[.5, .3, .2]):
            local += _company_names(rng, str(p), _GX_INDUSTRIES, 1, used)
        self.local_firms = local
        tw = np.array(list(_ENTERPRISE_TOWNSHIPS.values()))
        self.local_firm_town = [T_NAMES.index(t) for t in
                                rng.choice(list(_ENTERPRISE_TOWNSHIPS), n_local, p=tw / tw.sum())]
        firms = list(local)
        where = ["区内"] * n_local
        for c, n in zip(cities, city_n):
            firms += self.city_firms[c][:n]
            where += ["区外"] * int(n)
        order = rng.permutation(n_ent)
        firms = [firms[i] for i in order]
        where = [where[i] for i in order]

        per_firm = _partition(rng, n_rows, n_ent, 1, 10, shape=1.5)
        jw = rng.gamma(1.0, size=len(_JOB_TYPES)) + 0.2
        jw[:3] += 3.0  # 普工 / 操作工 / 装配工 are what most firms ask for
        jw /= jw.sum()
        month_w = np.array([.04, .26, .24, .12, .08, .07, .07, .06, .06])
        f_month = rng.choice(np.arange(1, 10), n_ent, p=month_w)
        f_date = _random_days(rng, f_month, lo_day=np.where(f_month == 1, 2, 1))
        f_chan = rng.choice(_CHANNELS, n_ent, p=_CHANNEL_W)
        rows_firm, rows_job = [], []
        for i, k in enumerate(per_firm):
            rows_firm += [i] * int(k)
            rows_job += list(rng.choice(_JOB_TYPES, int(k), replace=False, p=jw))
        rows_firm = np.array(rows_firm)
        posts = _partition(rng, n_posts, n_rows, 1, 300, shape=0.9)
        df = pd.DataFrame({
            "企业名称": _texts([firms[i] for i in rows_firm]),
            "企业所在地": _texts([where[i] for i in rows_firm]),
            "工种": _texts(rows_job),
            "岗位数": posts.astype(np.int64),
            "发布日期": _dates(f_date[rows_firm]),
            "发布渠道": _texts(f_chan[rows_firm]),
        })
        return df.sort_values(["发布日期", "企业名称"], kind="stable", ignore_index=True)

    # ----------------------------------------------------------------- general employment paths
    def paths(self) -> None:
        """Everyone's ordinary year: a usual job, the month they got back to work after the epidemic."""
        rng = _rng(self.seed, "paths")
        P = self.P
        grp = np.digitize(self.age, [30, 45, 55])
        # 外出务工, 自主创业, 灵活就业, 务农, 其他
        mode_p = np.array([[.74, .04, .09, .07, .06], [.63, .07, .11, .12, .07],
                           [.46, .06, .12, .29, .07], [.14, .03, .09, .67, .07]])
        pm = mode_p[grp].copy()
        pm[~self.fit, 0] *= 0.25  # weak labourers seldom go far
        pm[self.poor, 0] *= 0.93
        choice = _sample_cat(rng, pm)
        gmode = np.array([M_MIGRANT, M_BUSINESS, M_FLEX, M_FARM, M_OTHER])[choice]
        # month of (re)employment: 2..9, 10 = not at all this year
        r_vals = np.arange(2, 11)
        r_p = {
            M_MIGRANT: [.31, .30, .14, .07, .05, .03, .025, .015, .06],
            M_BUSINESS: [.55, .22, .10, .04, .03, 0, 0, 0, .06],
            M_FLEX: [.34, .22, .14, .09, .06, .04, .03, .02, .06],
            M_FARM: [.90, .04, .01, 0, 0, 0, 0, 0, .05],
            M_OTHER: [.38, .2, .12, .08, .06, .04, .03, .02, .07],
        }
        R = np.full(P, 10)
        for m, p in r_p.items():
            sel = gmode == m
            p = np.array(p)
            R[sel] = rng.choice(r_vals, sel.sum(), p=p / p.sum())
        R[~self.able] = 10
        J = np.where(R <= 9, rng.random(P) < 0.93, rng.random(P) < 0.25) & self.able

        # area, place, firm and income of the usual job
        area = np.full(P, A_TOWN)
        area_p = {M_MIGRANT: [0, .065, .27, .66, .005], M_BUSINESS: [.6, .3, .1, 0, 0],
                  M_FLEX: [.45, .35, .15, .05, 0], M_OTHER: [.5, .3, .15, .05, 0]}
        for m, p in area_p.items():
            sel = gmode == m
            area[sel] = rng.choice(5, sel.sum(), p=p)
        place = np.full(P, -1)
        unit = np.full(P, -1)
        mig = gmode == M_MIGRANT
        out_c = list(_OUT_CITY_W)
        out_w = np.array(list(_OUT_CITY_W.values()))
        prov_c = list(_PROV_CITY_W)
        prov_w = np.array(list(_PROV_CITY_W.values()))
        firms_in = {t: [j for j, tt in enumerate(self.local_firm_town) if tt == t] for t in range(len(T_NAMES))}
        for i in np.flatnonzero(mig):
            a = area[i]
            if a == A_OUT or a == A_PROVINCE:
                c = out_c[rng.choice(len(out_c), p=out_w / out_w.sum())] if a == A_OUT else \
                    prov_c[rng.choice(len(prov_c), p=prov_w / prov_w.sum())]
                place[i] = self.places.code(_CITIES[c][1])
                firms = self.city_firms[c]
                unit[i] = self.units.code(firms[rng.integers(len(firms))])
            elif a == A_COUNTY:  # a district firm in another township
                k = int(rng.integers(len(self.local_firms)))
                t = self.local_firm_town[k]
                if t == self.town[i]:
                    t = T_NAMES.index("石别镇" if T_NAMES[t] == "庆远镇" else "庆远镇")
                    there = firms_in[t]
                    k = there[rng.integers(len(there))]
                place[i] = self.places.code(f"广西河池市宜州区{T_NAMES[t]}")
                unit[i] = self.units.code(self.local_firms[k])
            else:
                place[i] = self.places.code(str(rng.choice(_ABROAD_PLACES)))
        income = np.zeros(P, dtype=np.int64)

        def draw(sel, mean, sd, lo, hi, step=100):
            income[sel] = np.clip(np.round(rng.normal(mean, sd, sel.sum()) / step) * step, lo, hi)

        draw(mig & (area == A_OUT), 4300, 650, 3000, 6000)
        draw(mig & (area == A_PROVINCE), 3600, 500, 2800, 5000)
        draw(mig & (area == A_COUNTY), 3000, 400, 2200, 4000)
        draw(mig & (area == A_ABROAD), 6500, 800, 5000, 8000)
        draw(gmode == M_BUSINESS, 3800, 1200, 2000, 8000)
        draw(gmode == M_FLEX, 2400, 450, 1500, 3500, 50)
        draw(gmode == M_OTHER, 2200, 350, 1500, 3000, 50)
        farm = gmode == M_FARM
        # 400 yuan at least: lower is what ledger.quality flags as an outlier. Some
        # farmers earn no cash at all and write 0, which the figures read as "no income".
        draw(farm, 800, 300, 400, 1500, 50)
        income[farm & (rng.random(P) < 0.15)] = 0
        self.gmode, self.garea, self.gplace, self.gunit, self.gincome = gmode, area, place, unit, income
        self.R, self.J = R, J
        # a few lose their job again for a month or two after coming back
        churn = self.able & (R <= 7) & (rng.random(P) < 0.05)
        self.gap_start = np.where(churn, R + 1 + np.floor(rng.random(P) * (9 - R)).astype(int), 99)
        self.gap_len = rng.integers(1, 3, P)
        self.churn = churn

    # ----------------------------------------------------------------- workshops (plan)
    def workshop_plan(self) -> None:
        """18 workshops: 17 resumed (most in Feb–Mar), one never; 6 earn the hiring reward."""
        rng = _rng(self.seed, "workshops")
        n = len(_WORKSHOP_TOWNSHIPS)
        town = np.array([T_NAMES.index(t) for t in _WORKSHOP_TOWNSHIPS])
        names, vills, inds = [], [], []
        for t in town:
            while True:
                v = int(rng.integers(len(self.villages[t])))
                ind = str(rng.choice(_WORKSHOP_INDUSTRIES))
                stem = self.villages[t][v].removesuffix("村").removesuffix("社区")
                name = f"{T_NAMES[t]}{stem}{ind}扶贫车间"
                if name not in names:
                    break
            names.append(name)
            vills.append(v)
            inds.append(ind)
        resumed = np.arange(n) < n - 1  # the last one (龙头乡) never resumed
        r_month = np.array([2] * 12 + [3] * 4 + [4] + [0])
        r_month[:17] = r_month[:17][rng.permutation(17)]
        r_date = np.full(n, _NAT, dtype="datetime64[D]")
        r_date[resumed] = _random_days(rng, r_month[resumed], lo_day=np.where(r_month[resumed] == 2, 10, 1),
                                       hi_day=28)
        early = np.flatnonzero(resumed & (r_date < np.datetime64("2020-03-31")))
        rewarded = np.sort(rng.choice(early, 6, replace=False))
        # reward: 2000 yuan per poor labourer hired before 06-30; one workshop also gets a 1000 half share
        reward_people = _partition(rng, TARGETS["subsidy.workshop_reward"] // 2000, 6, 18, 36)
        reward_amount = reward_people * 2000
        half = int(rng.integers(6))
        reward_amount[half] += TARGETS["subsidy.workshop_reward"] - int(reward_amount.sum())
        need_by_june = reward_people + (np.arange(6) == half)
        poor_sep = np.zeros(n, dtype=int)
        poor_sep[rewarded] = need_by_june + rng.integers(0, 5, 6)
        others = np.flatnonzero(resumed & ~np.isin(np.arange(n), rewarded))
        poor_sep[others] = _partition(rng, TARGETS["workshops.poor_absorbed"] - poor_sep.sum(), others.size, 2, 25)
        self.ws = dict(name=names, town=town, vill=np.array(vills), ind=inds, resumed=resumed, r_month=r_month,
                       r_date=r_date, rewarded=rewarded, reward_amount=reward_amount, need_by_june=need_by_june,
                       poor_sep=poor_sep, nonpoor=np.where(resumed, rng.integers(5, 21, n), 0))

    # ----------------------------------------------------------------- transport batches
    def transport(self) -> pd.DataFrame:
        """30 point-to-point batches to 东莞/深圳 (Feb–Apr); their poor passengers are picked from the ledger."""
        rng = _rng(self.seed, "transport")
        nb = TARGETS["transport.batches"]
        month = rng.choice([2, 3, 4], nb, p=[.45, .42, .13])
        date = np.sort(_random_days(rng, month, lo_day=np.where(month == 2, 17, 1),
                                    hi_day=np.where(month == 4, 15, 31)))
        month = _month_of(date)
        dest = rng.choice(["东莞", "深圳"], nb, p=[.6, .4])
        town = rng.choice(len(T_NAMES), nb, p=T_SHARE)
        town[rng.choice(nb, 5, replace=False)] = -1  # district-wide batches
        people = _partition(rng, TARGETS["transport.people"], nb, 50, 280)
        poor = _partition(rng, TARGETS["transport.poor"], nb, 2, 30)
        self.transported = []  # (person, batch month, city)
        for b in range(nb):
            elig = self.poor & self.fit & (self.age >= 18) & (self.age <= 50) & ~self.taken
            if town[b] >= 0:
                elig &= self.town == town[b]
            chosen = _pick(rng, np.flatnonzero(elig), int(poor[b]))
            self.taken[chosen] = True
            self.transported += [(int(p), int(month[b]), str(dest[b])) for p in chosen]
        return pd.DataFrame({
            "批次": _texts([f"2020-返岗-{i + 1:02d}" for i in range(nb)]),
            "出发日期": _dates(date),
            "目的地": _texts(dest),
            "乡镇": _texts([T_NAMES[t] if t >= 0 else None for t in town]),
            "人数": people.astype(np.int64),
            "其中建档立卡": poor.astype(np.int64),
        })

    # ----------------------------------------------------------------- public-welfare posts
    def posts(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """377 扶贫公益性岗位 + 717 临时性公益岗位 for poor labourers who cannot leave, and their monthly pay."""
        rng = _rng(self.seed, "posts")
        n_pov, n_tmp, n_seq = TARGETS["posts.poverty.count"], TARGETS["posts.temporary.count"], 40
        n_people = n_pov + n_tmp - n_seq
        elig = np.flatnonzero(self.poor & self.able & (self.age >= 25) & ~self.taken)
        w = np.where(self.age[elig] >= 45, 3.0, 1.0) * np.where(self.edu[elig] <= 1, 1.8, 1.0) * \
            np.where(self.skill[elig] == 2, 1.6, 1.0)
        holders = _pick(rng, elig, n_people, w)
        self.taken[holders] = True
        tmp_holder = holders[:n_tmp]  # the first n_seq of them later move on to a poverty post
        pov_holder = np.concatenate([holders[:n_seq], holders[n_tmp:]])

        # temporary posts: mostly the epidemic months, 2–6 months long
        t_month = rng.choice(np.arange(2, 10), n_tmp, p=[.35, .30, .15, .06, .05, .04, .03, .02])
        t_month[:n_seq] = rng.choice([2, 3], n_seq)
        t_start = _random_days(rng, t_month, lo_day=np.where(t_month == 2, 5, 1))
        t_len = rng.choice([2, 3, 4, 5, 6, 9], n_tmp, p=[.2, .33, .2, .1, .07, .1])
        t_len[:n_seq] = rng.choice([2, 3], n_seq)
        t_endm = t_month + t_len - 1
        t_end = np.where(t_endm <= 9, _month_end(np.minimum(t_endm, 9)), _NAT)
        # poverty posts: a good part from January (annual contracts), fewer later
        p_month = rng.choice(np.arange(1, 10), n_pov, p=[.30, .15, .20, .15, .08, .05, .04, .02, .01])
        p_month[:n_seq] = np.minimum(t_endm[:n_seq] + rng.integers(1, 3, n_seq), 9)
        p_day1 = (p_month == 1) & (rng.random(n_pov) < 0.7)
        p_start = np.where(p_day1, _MONTH_START[p_month - 1], _random_days(rng, p_month))
        leave = (rng.random(n_pov) < 0.06) & (p_month <= 6)
        p_endm = np.where(leave, p_month + 2 + np.floor(rng.random(n_pov) * (8 - p_month)).astype(int), 99)
        p_end = np.where(p_endm <= 9, _month_end(np.minimum(p_endm, 9)), _NAT)

        kind = np.array(["扶贫公益性岗位"] * n_pov + ["临时性公益岗位"] * n_tmp)
        who = np.concatenate([pov_holder, tmp_holder])
        start = np.concatenate([p_start, t_start])
        end = np.concatenate([p_end, t_end])
        title = np.concatenate([rng.choice(_POVERTY_POSTS, n_pov, p=_POVERTY_POST_W),
                                rng.choice(_TEMP_POSTS, n_tmp, p=_TEMP_POST_W)])
        # monthly pay; first month prorated by the start day
        rate_levels = {"扶贫公益性岗位": np.array([1000, 1200, 1500]), "临时性公益岗位": np.array([800, 900, 1000, 1200])}
        level = np.concatenate([rng.choice(3, n_pov, p=[.35, .4, .25]), rng.choice(4, n_tmp, p=[.3, .3, .3, .1])])
        smonth = _month_of(start)
        emonth = np.where(np.isnat(end), 9, _month_of(np.where(np.isnat(end), AS_OF, end)))
        sday = _day_of(start)
        frac = (_DAYS_IN_MONTH[smonth - 1] - sday + 1) / _DAYS_IN_MONTH[smonth - 1]
        full = emonth - smonth  # months after the first
        rate = np.zeros(len(who), dtype=np.int64)
        first_amt = np.zeros(len(who), dtype=np.int64)
        for k, total in (("扶贫公益性岗位", TARGETS["posts.poverty.subsidy"]),
                         ("临时性公益岗位", TARGETS["posts.temporary.subsidy"])):
            sel = np.flatnonzero(kind == k)
            levels = rate_levels[k]
            lv = level[sel].copy()

            def totals(lv_):
                r = levels[lv_]
                return np.round(r * frac[sel]).astype(np.int64) + r * full[sel]

            cur = totals(lv)
            diff = total - int(cur.sum())
            while True:  # move single posts up or down a pay level until close
                sign = 1 if diff > 0 else -1
                nxt = np.clip(lv + sign, 0, len(levels) - 1)
                delta = totals(nxt) - cur
                ok = np.flatnonzero((nxt != lv) & (np.abs(delta) <= abs(diff)) & (delta * sign > 0))
                if ok.size == 0 or diff == 0:
                    break
                j = int(rng.choice(ok))
                lv[j] = nxt[j]
                diff -= int(delta[j])
                cur[j] += int(delta[j])
            r = levels[lv]
            fa = np.round(r * frac[sel]).astype(np.int64)
            # the last few yuan go onto prorated first-month payments
            adj = np.flatnonzero(sday[sel] > 1)
            adj = adj if adj.size else np.arange(sel.size)
            q, rem = divmod(abs(diff), adj.size)
            bump = np.full(adj.size, q)
            bump[rng.choice(adj.size, rem, replace=False)] += 1
            fa[adj] += int(np.sign(diff)) * bump
            rate[sel] = r
            first_amt[sel] = fa

        # placement reason from the holder's situation
        a, e, s = self.age[who], self.edu[who], self.skill[who]
        u = rng.random(len(who))
        reason = np.where(u < 0.03, "其他", np.where((s == 2) & (u < 0.25), "残疾", np.where(
            a >= 50, "年龄偏大", np.where(e <= 1, "文化偏低", "需照顾家庭"))))
        order = np.lexsort((self.ids[who].astype(str), start, kind != "扶贫公益性岗位"))
        posts = pd.DataFrame({
            "岗位类别": _texts(kind[order]),
            "岗位名称": _texts(title[order]),
            "乡镇": _texts(np.array(T_NAMES, dtype=object)[self.town[who[order]]]),
            "村": _texts(self.vname[who[order]]),
            "姓名": _texts(self.names[who[order]]),
            "证件号码": _texts(self.ids[who[order]]),
            "上岗日期": _dates(start[order]),
            "离岗日期": _dates(end[order]),
            "安置原因": _texts(reason[order]),
        })
        self.post_rows = dict(who=who, smonth=smonth, emonth=emonth, rate=rate)
        # one payment per post per month held; paid around the 25th–28th, or at month end
        rows_i, rows_m = [], []
        for i in range(len(who)):
            for m in range(smonth[i], emonth[i] + 1):
                rows_i.append(i)
                rows_m.append(m)
        rows_i = np.array(rows_i)
        rows_m = np.array(rows_m)
        payday = 25 + self.town[who] % 4
        pay = _MONTH_START[rows_m - 1] + (payday[rows_i] - 1)
        pay = np.where(pay < start[rows_i], _month_end(rows_m), pay)
        amount = np.where(rows_m == smonth[rows_i], first_amt[rows_i], rate[rows_i])
        ptype = np.where(kind[rows_i] == "扶贫公益性岗位", "公益性岗位补贴", "临时性公益岗位补贴")
        pay_df = self._person_payments(pay, ptype, who[rows_i], amount)
        return posts, pay_df

    def _person_payments(self, dates, kinds, persons, amounts) -> pd.DataFrame:
        """Subsidy rows paid to labourers of the ledger (对象类型 个人)."""
        persons = np.asarray(persons)
        return pd.DataFrame({
            "发放日期": np.asarray(dates, dtype="datetime64[D]"),
            "补贴类型": np.asarray(kinds, dtype=object),
            "对象类型": "个人",
            "对象名称": self.names[persons],
            "证件号码": self.ids[persons],
            "乡镇": np.array(T_NAMES, dtype=object)[self.town[persons]],
            "村": self.vname[persons],
            "金额（元）": np.asarray(amounts, dtype=np.int64),
        })

    # ----------------------------------------------------------------- monthly states
    def states(self) -> None:
        """The (person × month) employment matrices: ordinary paths, then the special roles on top."""
        rng = _rng(self.seed, "states")
        P, M = self.P, N_MONTHS
        months = np.arange(1, M + 1)
        emp = np.where(months[None, :] == 1, self.J[:, None], months[None, :] >= self.R[:, None])
        gap = (months[None, :] >= self.gap_start[:, None]) & \
              (months[None, :] < (self.gap_start + self.gap_len)[:, None])
        emp &= ~gap
        mode = np.where(emp, self.gmode[:, None], -1)
        area = np.where(emp, self.garea[:, None], -1)
        place = np.where(emp, self.gplace[:, None], -1)
        unit = np.where(emp, self.gunit[:, None], -1)
        income = np.where(emp, self.gincome[:, None], -1)
        remark = np.full((P, M), -1)
        self.remarks = ["点对点输送返岗"]

        # transported poor: back in 东莞/深圳 from their batch's month, and they stay
        for p, bm, city in self.transported:
            firms = self.city_firms[city]
            on = months >= bm
            emp[p] = on | (months == 1)
            mode[p] = np.where(emp[p], M_MIGRANT, -1)
            area[p] = np.where(emp[p], A_OUT, -1)
            place[p] = np.where(emp[p], self.places.code(_CITIES[city][1]), -1)
            unit[p] = np.where(emp[p], self.units.code(firms[rng.integers(len(firms))]), -1)
            income[p] = np.where(emp[p], int(np.clip(round(rng.normal(4300, 600) / 100) * 100, 3000, 6000)), -1)
            remark[p] = np.where(on, 0, -1)
        tp = np.array([t[0] for t in self.transported])
        self.R[tp] = np.array([t[1] for t in self.transported])
        self.gmode[tp] = M_MIGRANT
        self.garea[tp] = A_OUT
        self.churn[tp] = False

        # workshop workers: idle until they join, then in the workshop until September
        ws = self.ws
        self.ws_workers = []  # (person, workshop, join month, poor)
        prng = _rng(self.seed, "workshop-workers")
        for w in range(len(ws["name"])):
            if not ws["resumed"][w]:
                continue
            rm = int(ws["r_month"][w])
            t = ws["town"][w]
            for is_poor, k in ((True, int(ws["poor_sep"][w])), (False, int(ws["nonpoor"][w]))):
                elig = self.able & (self.age >= 18) & (self.age <= 60) & ~self.taken & (self.poor == is_poor)
                local = elig & (self.town == t)
                if not is_poor:  # some come from neighbouring townships (县内乡外)
                    local = local | (elig & (prng.random(self.P) < 0.004))
                chosen = _pick(prng, np.flatnonzero(local), k)
                self.taken[chosen] = True
                jm = np.sort(prng.choice(np.arange(rm, 10), k, p=self._join_weights(rm)))
                if is_poor and w in ws["rewarded"]:
                    need = int(ws["need_by_june"][list(ws["rewarded"]).index(w)])
                    jm[:need] = np.minimum(jm[:need], 6)
                for p, j in zip(chosen, jm):
                    self.ws_workers.append((int(p), w, int(j), is_poor))
        for p, w, j, _poor in self.ws_workers:
            on = months >= j
            emp[p] = on
            mode[p] = np.where(on, M_WORKSHOP, -1)
            area[p] = np.where(on, A_TOWN if self.town[p] == ws["town"][w] else A_COUNTY, -1)
            place[p] = np.where(on, self.places.code(f"广西河池市宜州区{T_NAMES[ws['town'][w]]}"), -1)
            unit[p] = np.where(on, self.units.code(ws["name"][w]), -1)
            income[p] = np.where(on, int(np.clip(round(rng.normal(2100, 300) / 50) * 50, 1500, 2800)), -1)
        wp = np.array([x[0] for x in self.ws_workers])
        self.churn[wp] = False

        # public-welfare post holders: on the post for the months they hold it; farming or idle otherwise
        pr = self.post_rows
        holders = np.unique(pr["who"])
        farm = rng.random(holders.size) < 0.4
        for p, f in zip(holders, farm):
            emp[p] = f
            mode[p] = M_FARM if f else -1
            area[p] = A_TOWN if f else -1
            place[p] = -1
            unit[p] = -1
            income[p] = int(self.gincome[p]) if f and self.gmode[p] == M_FARM else (600 if f else -1)
        for p, sm, em, r in zip(pr["who"], pr["smonth"], pr["emonth"], pr["rate"]):
            on = (months >= sm) & (months <= em)
            emp[p] |= on
            mode[p] = np.where(on, M_POST, mode[p])
            area[p] = np.where(on, A_TOWN, area[p])
            income[p] = np.where(on, r, income[p])
        self.churn[holders] = False

        self.emp, self.mode, self.area, self.place, self.unit = emp, mode, area, place, unit
        self.income, self.remark = income, remark

    @staticmethod
    def _join_weights(rm: int) -> np.ndarray:
        """Most workers join a workshop soon after it resumes."""
        w = 0.6 ** np.arange(10 - rm)
        return w / w.sum()

    # ----------------------------------------------------------------- workshops (table)
    def workshops(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Monthly workshop snapshots whose poor headcount is exactly the ledger's poor workers there."""
        rng = _rng(self.seed, "workshop-table")
        ws = self.ws
        n = len(ws["name"])
        months = np.arange(1, N_MONTHS + 1)
        poor_m = np.zeros((n, N_MONTHS), dtype=int)
        all_m = np.zeros((n, N_MONTHS), dtype=int)
        for _p, w, j, is_poor in self.ws_workers:
            all_m[w, j - 1:] += 1
            if is_poor:
                poor_m[w, j - 1:] += 1
        res = np.flatnonzero(ws["resumed"])
        sep = np.zeros(n, dtype=int)
        sep[res] = _fix_total(np.maximum(_partition(rng, TARGETS["workshops.on_duty"], res.size, 80, 600),
                                         all_m[res, -1] + 40),
                              TARGETS["workshops.on_duty"], rng, 1, all_m[res, -1] + 40, 800)
        on_duty = np.zeros((n, N_MONTHS), dtype=int)
        for w in res:
            rm = ws["r_month"][w]
            ramp = np.where(months >= rm, 0.45 + 0.55 * (months - rm) / max(9 - rm, 1), 0)
            v = np.maximum(np.round(sep[w] * ramp).astype(int), all_m[w] + np.where(months >= rm, 10, 0))
            v = np.maximum.accumulate(np.minimum(v, sep[w]))
            v[-1] = sep[w]
            on_duty[w] = np.where(months >= rm, v, 0)
        rows = [(m, w) for m in months for w in range(n)]
        mm = np.array([r[0] for r in rows])
        ww = np.array([r[1] for r in rows])
        started = ws["resumed"][ww] & (mm >= ws["r_month"][ww])
        table = pd.DataFrame({
            "统计时点": _texts([MONTHS[m - 1] for m in mm]),
            "车间名称": _texts([ws["name"][w] for w in ww]),
            "乡镇": _texts([T_NAMES[ws["town"][w]] for w in ww]),
            "村": _texts([self.villages[ws["town"][w]][ws["vill"][w]] for w in ww]),
            "产业类型": _texts([ws["ind"][w] for w in ww]),
            "复工日期": _dates(np.where(started, ws["r_date"][ww], _NAT)),
            "在岗人数": on_duty[ww, mm - 1].astype(np.int64),
            "其中贫困劳动力": poor_m[ww, mm - 1].astype(np.int64),
        })
        # the hiring reward, paid in the summer to the six workshops
        rw = ws["rewarded"]
        reward = pd.DataFrame({
            "发放日期": _random_days(rng, rng.choice([7, 8, 9], rw.size), hi_day=28),
            "补贴类型": "扶贫车间带动就业奖补",
            "对象类型": "扶贫车间",
            "对象名称": np.array(ws["name"], dtype=object)[rw],
            "证件号码": None,
            "乡镇": np.array(T_NAMES, dtype=object)[ws["town"][rw]],
            "村": np.array([self.villages[ws["town"][w]][ws["vill"][w]] for w in rw], dtype=object),
            "金额（元）": ws["reward_amount"].astype(np.int64),
        })
        return table, reward

    # ----------------------------------------------------------------- training
    def training(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """52 vocational, 5 short-term and 11 rural-practical classes, each in one township; and their rewards."""
        rng = _rng(self.seed, "training")
        rows = []  # (class id, type, dept, trade, start, end, person)
        base = self.able & (self.age <= 60)
        wt = np.where(self.wish_train, 3.0, 1.0)

        def classes(n, months_p, months, dur_lo, dur_hi):
            m = rng.choice(months, n, p=months_p)
            start = np.sort(_random_days(rng, m, hi_day=28))
            end = start + rng.integers(dur_lo, dur_hi + 1, n)
            end = np.where(end <= AS_OF, end, _NAT)
            town = rng.choice(len(T_NAMES), n, p=T_SHARE)
            return start, end, town

        # vocational (人社部门): 2586 person-times, 1526 of them poor
        nv = TARGETS["training.vocational.classes"]
        start, end, town = classes(nv, [.08, .14, .17, .17, .16, .15, .13], np.arange(3, 10), 5, 20)
        size = _partition(rng, TARGETS["training.vocational.person_times"], nv, 30, 70)
        poor_n = _scale_to_total(size * rng.uniform(0.45, 0.75, nv), TARGETS["training.vocational.poor_person_times"],
                                 rng, 1, np.ceil(size * 0.3), np.floor(size * 0.9))
        trade = rng.choice(list(_VOC_TRADES), nv)
        for c in range(nv):
            pool = base & (self.town == town[c])
            a = _pick(rng, np.flatnonzero(pool & self.poor), int(poor_n[c]), wt[pool & self.poor])
            b = _pick(rng, np.flatnonzero(pool & ~self.poor), int(size[c] - poor_n[c]), wt[pool & ~self.poor])
            for p in np.sort(np.concatenate([a, b])):
                rows.append((f"2020-职业技能-{c + 1:02d}", "职业技能培训", "人社部门", str(trade[c]), start[c], end[c], p))
        voc_end = {}
        for r in rows:
            if self.poor[r[6]] and not np.isnat(r[5]) and r[5] <= np.datetime64("2020-09-20"):
                voc_end.setdefault(int(r[6]), (r[5], r[3]))

        # short-term (扶贫部门): 280 poor people, one row each, all finished by the summer
        ns = TARGETS["training.short_term.classes"]
        start, end, town = classes(ns, [.2, .2, .2, .2, .2], np.arange(4, 9), 5, 10)
        size = _partition(rng, TARGETS["training.short_term.people"], ns, 40, 80)
        strades = rng.choice(list(_SHORT_TRADES), ns, replace=False)
        used = np.zeros(self.P, bool)
        short_people = []
        for c in range(ns):
            pool = base & self.poor & (self.town == town[c]) & ~used
            chosen = np.sort(_pick(rng, np.flatnonzero(pool), int(size[c]), wt[pool]))
            used[chosen] = True
            for p in chosen:
                rows.append((f"2020-短期技能-{c + 1:02d}", "短期技能培训", "扶贫部门", str(strades[c]), start[c], end[c], p))
                short_people.append((int(p), end[c], _SHORT_TRADES[str(strades[c])]))

        # rural practical techniques (农业农村部门): 486 people, one row each
        nr = TARGETS["training.rural_practical.classes"]
        start, end, town = classes(nr, [.1, .15, .15, .15, .15, .15, .15], np.arange(3, 10), 2, 6)
        size = _partition(rng, TARGETS["training.rural_practical.people"], nr, 30, 60)
        rtrades = rng.choice(_RURAL_TRADES, nr, replace=False)
        used[:] = False
        rural_paid = []
        rate = rng.choice([40, 50, 60], nr)
        for c in range(nr):
            pool = base & (self.town == town[c]) & ~used
            chosen = np.sort(_pick(rng, np.flatnonzero(pool), int(size[c]), np.where(self.poor[pool], 1.5, 1.0)))
            used[chosen] = True
            for p in chosen:
                rows.append((f"2020-农村实用技术-{c + 1:02d}", "农村实用技术培训", "农业农村部门", str(rtrades[c]),
                             start[c], end[c], p))
                if not np.isnat(end[c]) and end[c] <= np.datetime64("2020-09-25"):
                    rural_paid.append((int(p), end[c], int(rate[c])))

        person = np.array([r[6] for r in rows])
        table = pd.DataFrame({
            "培训期次": _texts([r[0] for r in rows]),
            "培训类型": _texts([r[1] for r in rows]),
            "主办部门": _texts([r[2] for r in rows]),
            "培训工种": _texts([r[3] for r in rows]),
            "开班日期": _dates([r[4] for r in rows]),
            "结业日期": _dates([r[5] for r in rows]),
            "乡镇": _texts(np.array(T_NAMES, dtype=object)[self.town[person]]),
            "村": _texts(self.vname[person]),
            "姓名": _texts(self.names[person]),
            "证件号码": _texts(self.ids[person]),
            "是否建档立卡": _texts(np.where(self.poor[person], "是", "否")),
        })
        self.training_rows = table

        # 以奖代补: the 280 short-term trainees plus poor vocational trainees, one payment each
        n_more = TARGETS["training.short_term_reward.people"] - len(short_people)
        short_set = {p for p, _e, _a in short_people}
        cands = [p for p in voc_end if p not in short_set]
        more = _pick(rng, np.array(sorted(cands)), n_more)
        rec = short_people + [(int(p), voc_end[int(p)][0], _VOC_TRADES[voc_end[int(p)][1]]) for p in more]
        ends = np.array([r[1] for r in rec], dtype="datetime64[D]")
        amount = _scale_to_total([r[2] for r in rec], TARGETS["training.short_term_reward.amount"], rng, 100, 300, 1500)
        pay = np.minimum(ends + rng.integers(7, 31, len(rec)), AS_OF)
        pays = [self._person_payments(pay, "短期技能培训以奖代补", [r[0] for r in rec], amount)]
        ends = np.array([r[1] for r in rural_paid], dtype="datetime64[D]")
        amount = _scale_to_total([r[2] for r in rural_paid], TARGETS["training.rural_practical.amount"], rng, 10, 20,
                                 100)
        pay = np.minimum(ends + rng.integers(3, 21, len(rural_paid)), AS_OF)
        pays.append(self._person_payments(pay, "农村实用技术培训补助", [r[0] for r in rural_paid], amount))
        return table, pd.concat(pays, ignore_index=True)

    # ----------------------------------------------------------------- other subsidies
    def subsidies(self) -> pd.DataFrame:
        """Subsidies to migrant poor labourers, flexible workers and district employers."""
        rng = _rng(self.seed, "subsidies")
        sep = N_MONTHS - 1
        outside = self.poor & self.emp[:, sep] & (self.mode[:, sep] == M_MIGRANT) & \
            np.isin(self.area[:, sep], [A_PROVINCE, A_OUT])
        steady = outside & ~self.churn  # at work outside without a break since coming back
        frames = []
        # 稳岗补贴: 200 yuan a month for 3–6 months of steady work outside, paid Jul–Sep
        units = TARGETS["subsidy.job_stability"] // 200
        n = 300
        months_paid = _partition(rng, units, n, 3, 6)
        who = _pick(rng, np.flatnonzero(steady & (self.R <= 4)), n)
        pay_m = np.maximum(7, self.R[who] + months_paid - 1)
        pay_m = np.minimum(pay_m + rng.integers(0, 2, n), 9)
        frames.append(self._person_payments(_random_days(rng, pay_m, hi_day=28), "稳岗补贴", who, months_paid * 200))
        # 防疫补贴: 300 yuan each to those who went out early, paid Apr–Jun
        n = TARGETS["subsidy.epidemic_prevention"] // 300
        who = _pick(rng, np.flatnonzero(steady & (self.R <= 5)), n)
        pay_m = np.maximum(self.R[who] + 1, 4) + rng.integers(0, 2, n)
        frames.append(self._person_payments(_random_days(rng, np.minimum(pay_m, 7)), "防疫补贴", who,
                                            np.full(n, 300)))
        # 一次性交通补贴 (no stated total): 500 yuan out of the province, 200 within; not for the bussed
        bussed = np.zeros(self.P, bool)
        bussed[[t[0] for t in self.transported]] = True
        elig = np.flatnonzero(steady & ~bussed & (self.R <= 7))
        who = np.sort(_pick(rng, elig, int(elig.size * 0.12)))
        amt = np.where(self.area[who, sep] == A_OUT, 500, 200)
        frames.append(self._person_payments(_random_days(rng, np.minimum(self.R[who] + 1, 9)), "一次性交通补贴", who,
                                            amt))
        # 灵活就业社保补贴: poor flexible workers, paid Jun–Sep while they work
        flex = self.poor & (self.gmode == M_FLEX) & (self.R <= 5) & ~self.churn & self.emp[:, sep] & \
            (self.mode[:, sep] == M_FLEX)
        n = 75
        who = _pick(rng, np.flatnonzero(flex), n)
        amt = _partition(rng, TARGETS["subsidy.flexible_social_insurance"] // 100, n, 6, 36) * 100
        frames.append(self._person_payments(_random_days(rng, rng.choice([6, 7, 8, 9], n), hi_day=28),
                                            "灵活就业社保补贴", who, amt))
        # employer subsidies go to district (区内) firms
        for kind, total, n, lo, hi, months in (
                ("企业吸纳就业补贴", TARGETS["subsidy.enterprise_absorption"], 12, 5, 60, [4, 5, 6, 7, 8, 9]),
                ("重点企业新增岗位社保补贴", TARGETS["subsidy.key_enterprise_social_insurance"], 8, 40, 200,
                 [6, 7, 8, 9])):
            firms = rng.choice(len(self.local_firms), n, replace=False)
            frames.append(pd.DataFrame({
                "发放日期": _random_days(rng, rng.choice(months, n), hi_day=28),
                "补贴类型": kind,
                "对象类型": "企业",
                "对象名称": np.array(self.local_firms, dtype=object)[firms],
                "证件号码": None,
                "乡镇": np.array(T_NAMES, dtype=object)[np.array(self.local_firm_town)[firms]],
                "村": None,
                "金额（元）": (_partition(rng, total // 100, n, lo, hi) * 100).astype(np.int64),
            }))
        return pd.concat(frames, ignore_index=True)

    # ----------------------------------------------------------------- labourer sheet
    def labourers(self) -> pd.DataFrame:
        """One row per labourer per month, in township/village/household order, a person's 9 months together.

        Person-major order keeps the workbook ~20% smaller than month-major: consecutive rows
        differ in a few cells only and compress well. Readers must not rely on row order.
        """
        P, M = self.P, N_MONTHS
        rep = lambda a: np.repeat(np.asarray(a, dtype=object), M)  # noqa: E731
        emp = self.emp.reshape(-1)
        yes_no = np.array(["无", "有"], dtype=object)
        worked = np.cumsum(self.emp, axis=1).reshape(-1)
        income = self.income.reshape(-1)
        df = pd.DataFrame({
            "统计时点": _texts(np.tile(np.array(MONTHS, dtype=object), P)),
            "乡镇": _texts(rep(np.array(T_NAMES, dtype=object)[self.town])),
            "村": _texts(rep(self.vname)),
            "姓名": _texts(rep(self.names)),
            "证件号码": _texts(rep(self.ids)),
            "是否建档立卡": _texts(rep(np.where(self.poor, "是", "否"))),
            "就业状态": _texts(np.where(emp, "已就业", "未就业").astype(object)),
            "就业方式": _texts(_lookup(MODES, self.mode.reshape(-1))),
            "务工区域": _texts(_lookup(AREAS, self.area.reshape(-1))),
            "务工所在地": _texts(_lookup(self.places.labels, np.where(self.mode == M_MIGRANT, self.place, -1).reshape(-1))),
            "务工单位": _texts(_lookup(self.units.labels, self.unit.reshape(-1))),
            "务工时间（月）": worked.astype(np.int64),
            "月收入（元）": pd.arrays.IntegerArray(np.where(emp, income, 0).astype(np.int64), ~emp),
            "家庭人口数": np.repeat(self.fam, M).astype(np.int64),
            "户编号": _texts(rep(self.hh_code)),
            "性别": _texts(rep(np.where(self.male, "男", "女"))),
            "文化程度": _texts(rep(np.array(EDUCATION, dtype=object)[self.edu])),
            "劳动技能": _texts(rep(np.array(SKILLS, dtype=object)[self.skill])),
            "就业意愿": _texts(rep(yes_no[self.wish_job.astype(int)])),
            "创业意愿": _texts(rep(yes_no[self.wish_biz.astype(int)])),
            "培训意愿": _texts(rep(yes_no[self.wish_train.astype(int)])),
            "联系电话": _texts(rep(self.phones)),
            "备注": _texts(_lookup(self.remarks, self.remark.reshape(-1))),
        })
        return df

    # ----------------------------------------------------------------- targets
    def targets(self, posts: pd.DataFrame, training: pd.DataFrame, workshops: pd.DataFrame) -> pd.DataFrame:
        """Annual targets near each township's actual figures, so that by September some are ahead, some behind.

        Headcounts and the rate (stocks) are set ±5–20% around September's value. Cumulative
        counts (培训人次, 公益性岗位数) are annual, so a third of the townships have already met
        theirs, a third are below it but ahead of the calendar (时间过半、任务过半: ≥ 74.9% on
        09-30) and a third lag the calendar: ahead and behind both exist whichever way it is read.
        """
        rng = _rng(self.seed, "targets")
        sep = N_MONTHS - 1
        n_t = len(T_NAMES)
        pace = ((AS_OF - np.datetime64(f"{YEAR}-01-01")).astype(int) + 1) / 366
        poor_emp = np.bincount(self.town[self.poor & self.emp[:, sep]], minlength=n_t)
        poor_all = np.bincount(self.town[self.poor], minlength=n_t)
        trained = training["乡镇"].value_counts().reindex(T_NAMES, fill_value=0).to_numpy()
        post_n = posts["乡镇"].value_counts().reindex(T_NAMES, fill_value=0).to_numpy()
        wsep = workshops[(workshops["统计时点"] == MONTHS[sep]) & workshops["复工日期"].notna()]
        ws_poor = wsep.groupby("乡镇")["其中贫困劳动力"].sum().reindex(T_NAMES).to_numpy()
        rows = []
        for ind, actual, step in (("贫困劳动力就业人数", poor_emp, 10), ("贫困劳动力就业率", None, 1),
                                  ("培训人次", trained, 5), ("公益性岗位数", post_n, 1), ("扶贫车间吸纳贫困劳动力", ws_poor, 1)):
            idx = [t for t in range(n_t) if ind != "扶贫车间吸纳贫困劳动力" or not np.isnan(ws_poor[t])]
            order = rng.permutation(idx)
            group = np.zeros(n_t, dtype=int)  # stocks: 0 ahead, 1 behind; cumulative: 0 met, 1 on pace, 2 lagging
            paced = ind in ("培训人次", "公益性岗位数")
            for k, t in enumerate(order):
                group[t] = k % 3 if paced else k % 2
            for t in idx:
                g = group[t]
                if ind == "贫困劳动力就业率":
                    rate = 100 * poor_emp[t] / poor_all[t]
                    value = np.floor(rate) - rng.integers(1, 5) if g == 0 else np.ceil(rate) + rng.integers(1, 5)
                    value = int(min(value, 100))
                elif not paced:
                    a = int(actual[t])
                    f = rng.uniform(0.82, 0.95) if g == 0 else rng.uniform(1.05, 1.2)
                    value = int(round(a * f / step) * step)
                    value = min(value, a - 1) if g == 0 else max(value, a + 1)
                else:
                    a = int(actual[t])
                    done = (rng.uniform(1.02, 1.12), rng.uniform(0.80, 0.95), rng.uniform(0.62, 0.71))[g]
                    value = max(int(round(a / done / step) * step), step)
                    if g == 0:
                        value = max(min(value, a), 1)
                    elif g == 1:
                        value = max(value, a + 1)
                        while a / value < pace + 0.01 and value > a + 1:
                            value -= 1
                    else:
                        value = max(value, int(np.floor(a / (pace - 0.01))) + 1)
                rows.append((YEAR, T_NAMES[t], ind, value))
        return pd.DataFrame({
            "年度": np.array([r[0] for r in rows], dtype=np.int64),
            "乡镇": _texts([r[1] for r in rows]),
            "指标": _texts([r[2] for r in rows]),
            "目标值": np.array([r[3] for r in rows], dtype=np.int64),
        })


def _townships_table() -> pd.DataFrame:
    return pd.DataFrame({
        "区划代码": _texts(T_CODES),
        "乡镇": _texts(T_NAMES),
        "类型": _texts([t[2] for t in TOWNSHIPS]),
        "别名": _texts([t[3] or None for t in TOWNSHIPS]),
        "上级": _texts([DISTRICT] * len(TOWNSHIPS)),
    })


def _sort_payments(pay: pd.DataFrame) -> pd.DataFrame:
    return pay.sort_values(["发放日期", "补贴类型", "乡镇", "证件号码"], kind="stable", na_position="first",
                           ignore_index=True)


# --------------------------------------------------------------------------- planted problems
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
        new = body + str(_check_digits([body])[0])
        if new not in taken:
            taken.add(new)
            return new
    raise ValueError(f"no free ID like {id_number}")


class _Planter:
    """Plants the problems of PLANTED into finished tables, each in different townships and
    on different people. The labourers' September slice is read once, before any change."""

    def __init__(self, tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
        self.t, self.rng = tables, rng
        self.lab = tables["劳动力就业台账"]
        self.sep = self.lab[self.lab["统计时点"] == _SEP]
        self.ids = set(self.lab["证件号码"])  # every ID in use, planted ones added
        self.used: set[str] = set()  # people already given a plant
        others = [tables[s]["证件号码"].dropna() for s in ("公益性岗位台账", "技能培训台账", "补贴发放台账")]
        self.elsewhere = set(pd.concat(others))

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

    def sex(self) -> None:
        """性别 against the ID's 17th digit, in every month."""
        lab, sep = self.lab, self.sep
        for i in self.take(self.free(sep["是否建档立卡"] == "否"), PLANTED["sex_mismatch"]):
            rows = lab["证件号码"] == sep.at[i, "证件号码"]
            lab.loc[rows, "性别"] = lab.loc[rows, "性别"].map({"男": "女", "女": "男"})

    def age(self) -> None:
        """The ID's birth year, in every month: 2 over 65, 1 under 16 (no one born on
        29 February, which these years lack)."""
        lab, sep = self.lab, self.sep
        years = ["1951", "1953", "2006"]
        ok = (sep["是否建档立卡"] == "否") & ~sep["证件号码"].str.slice(10, 14).eq("0229")
        for i, year in zip(self.take(self.free(ok, only_here=True), len(years)), years):
            old = sep.at[i, "证件号码"]
            lab.loc[lab["证件号码"] == old, "证件号码"] = _other_id(old, self.ids, year + old[10:14])

    def far_area(self) -> None:
        """September: a workshop or post job with a 务工区域 outside the district."""
        sep = self.sep
        workshop = self.take(self.free((sep["是否建档立卡"] == "否") & (sep["就业方式"] == "扶贫车间")), 2)
        post = self.take(self.free(sep["就业方式"] == "公益性岗位"), 1, avoid=sep.loc[workshop, "乡镇"])
        self.lab.loc[workshop + post, "务工区域"] = ["省内县外", "省外", "省外"]

    def unable(self) -> None:
        """September: people at work whose 劳动技能 says they cannot work."""
        sep = self.sep
        weak = (sep["是否建档立卡"] == "否") & (sep["就业状态"] == "已就业") & (sep["劳动技能"] == "弱劳动力或半劳动力")
        self.lab.loc[self.take(self.free(weak), 3), "劳动技能"] = ["丧失劳动力", "丧失劳动力", "无劳动力"]

    def income(self) -> None:
        """September: a migrant's 月收入 with a zero too many (twice) or one too few."""
        lab, sep = self.lab, self.sep
        migrant = (sep["是否建档立卡"] == "否") & (sep["就业方式"] == "外出务工")
        income = sep["月收入（元）"]
        high = self.take(self.free(migrant & (income >= 3100)), 2)
        low = self.take(self.free(migrant & income.between(1000, 3900)), 1, avoid=sep.loc[high, "乡镇"])
        lab.loc[high, "月收入（元）"] = lab.loc[high, "月收入（元）"] * 10
        lab.loc[low, "月收入（元）"] = lab.loc[low, "月收入（元）"] // 10

    def workshops(self) -> None:
        """One poor worker of a 庆远镇 workshop counted in a 德胜镇 one: the sum stays."""
        w = self.t["扶贫车间台账"]
        sep = w[(w["统计时点"] == _SEP) & w["复工日期"].notna()]
        for town, step in (("庆远镇", -1), ("德胜镇", 1)):
            i = self.rng.choice(sep.index[(sep["乡镇"] == town).to_numpy()])
            w.loc[i, "其中贫困劳动力"] += step

    def trainees(self) -> None:
        """Another valid ID in 3 vocational-training rows (of people trained once and paid
        nothing, so no other sheet refers to the row)."""
        tr, pay = self.t["技能培训台账"], self.t["补贴发放台账"]
        once = ~tr["证件号码"].duplicated(keep=False) & ~tr["证件号码"].isin(pay["证件号码"])
        rows = tr[once & (tr["培训类型"] == "职业技能培训") & ~tr["证件号码"].isin(self.used)]
        for i in self.take(rows, PLANTED["not_in_labor"]):
            tr.loc[i, "证件号码"] = _other_id(tr.at[i, "证件号码"], self.ids)

    def recipients(self) -> None:
        """Another valid ID in 3 payments of 一次性交通补贴 (no figure of the report)."""
        pay = self.t["补贴发放台账"]
        rows = pay[(pay["补贴类型"] == "一次性交通补贴") & ~pay["证件号码"].isin(self.used)]
        for i in self.take(rows, PLANTED["subsidy_not_in_labor"]):
            pay.loc[i, "证件号码"] = _other_id(pay.at[i, "证件号码"], self.ids)

    def paid_twice(self) -> None:
        """Two post holders' August 公益性岗位补贴 dated in September: the total stays."""
        pay = self.t["补贴发放台账"]
        post = pay[pay["补贴类型"] == "公益性岗位补贴"]
        month = post["发放日期"].dt.strftime("%Y-%m")
        paid_both = set(post.loc[month == "2020-08", "证件号码"]) & set(post.loc[month == _SEP, "证件号码"])
        august = post[(month == "2020-08") & post["证件号码"].isin(paid_both - self.used)]
        for i in self.take(august, PLANTED["subsidy_paid_twice"] // 2):
            pay.loc[i, "发放日期"] = pay.at[i, "发放日期"] + pd.DateOffset(months=1)
        self.t["补贴发放台账"] = _sort_payments(pay)


def _plant(tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    """Put the problems of PLANTED into the tables (in place)."""
    p = _Planter(tables, rng)
    for plant in (p.sex, p.age, p.far_area, p.unable, p.income, p.workshops, p.trainees, p.recipients,
                  p.paid_twice):
        plant()


def build_tables(seed: int = 2020, n_labourers: int = DEFAULT_LABOURERS, *, plants: bool = True
                 ) -> dict[str, pd.DataFrame]:
    """All nine sheets of the sample ledger as DataFrames keyed by canonical sheet name.

    The seed report's figures hold exactly for any seed and any ``n_labourers`` ≥ 12000
    (a smaller ledger builds faster, e.g. for tests); the default is the full-size sample.
    ``plants=False`` leaves out the problems of :data:`PLANTED`, so a test can see that
    they are the only difference.
    """
    b = _Builder(seed, n_labourers)
    b.people()
    demand = b.employers()
    b.paths()
    b.workshop_plan()
    transport = b.transport()
    posts, post_pay = b.posts()
    b.states()
    workshops, reward = b.workshops()
    training, training_pay = b.training()
    other_pay = b.subsidies()
    pay = pd.concat([post_pay, reward, training_pay, other_pay], ignore_index=True)
    pay = _sort_payments(pay)
    subsidy = pd.DataFrame({
        "发放日期": _dates(pay["发放日期"].to_numpy(dtype="datetime64[D]")),
        **{c: _texts(pay[c].to_numpy(dtype=object)) for c in ["补贴类型", "对象类型", "对象名称", "证件号码", "乡镇", "村"]},
        "金额（元）": pay["金额（元）"].to_numpy(dtype=np.int64),
    })
    tables = {
        "行政区划": _townships_table(),
        "劳动力就业台账": b.labourers(),
        "扶贫车间台账": workshops,
        "公益性岗位台账": posts,
        "技能培训台账": training,
        "补贴发放台账": subsidy,
        "用工需求台账": demand,
        "返岗输送台账": transport,
        "目标任务": b.targets(posts, training, workshops),
    }
    if plants:
        _plant(tables, _rng(seed, "plants"))
    for name, cols in SHEET_COLUMNS.items():
        tables[name] = tables[name][cols].reset_index(drop=True)
    return tables


# --------------------------------------------------------------------------- workbook
_TEXT_ALWAYS = {"证件号码", "区划代码", "户编号", "联系电话", "统计时点"}
_CHUNK = 20_000


def _cell_values(s: pd.Series, kind: str) -> list:
    """Python values for one column chunk; None for an empty cell."""
    if kind == "date":
        return [None if pd.isna(v) else v.to_pydatetime() for v in s]
    if kind == "text":
        vals = s.astype(object).where(s.notna(), None).tolist()
        return [v if v is None or isinstance(v, str) else str(v) for v in vals]
    if pd.api.types.is_integer_dtype(s):
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isnan(arr).any():
            return s.to_numpy(dtype=np.int64).tolist()
        return [None if v != v else int(v) for v in arr.tolist()]
    return [None if v != v else v for v in s.to_numpy(dtype=np.float64, na_value=np.nan).tolist()]


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_workbook(path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the tables as an .xlsx the way township staff keep it: one sheet each, header in row 1.

    ``tables`` defaults to :func:`build_tables` (); any dict of DataFrames is written as
    given (sheet per key, columns in order), so tests can write partial or altered ledgers.

    IDs, codes, household numbers, phones and 统计时点 are text cells (an 18-digit ID as a
    number would be an error in the format); dates are real Excel dates; money and counts
    are numbers.
    """
    import xlsxwriter

    if tables is None:
        tables = build_tables()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {
        # Shared strings, as Excel itself writes: a smaller file (20 vs 23 MB) that is
        # faster to write and to read; the price is ~800 MB of memory while writing.
        "constant_memory": False,
        "default_format_properties": {"font_name": "宋体", "font_size": 11},
        "strings_to_formulas": False, "strings_to_urls": False,
    })
    wb.set_properties({"title": f"{DISTRICT}就业扶贫台账（样例，虚构数据）", "author": "sample_data.generate",
                       "created": _dt.datetime(2020, 10, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                          "valign": "vcenter", "font_name": "宋体"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "font_name": "宋体"})
    for sheet, df in tables.items():
        cols = [str(c) for c in df.columns]
        ws = wb.add_worksheet(sheet)
        ws.freeze_panes(1, 0)
        # xlsxwriter's undecorated writers skip the A1-notation check: ~10% faster on 6M cells.
        w_str = getattr(ws, "_write_string", ws.write_string)
        w_num = getattr(ws, "_write_number", ws.write_number)
        w_date = getattr(ws, "_write_datetime", ws.write_datetime)
        plan = []
        for c, col in enumerate(cols):
            s = df.iloc[:, c]
            if pd.api.types.is_datetime64_any_dtype(s):
                plan.append((c, w_date, date_fmt, "date"))
                width = 12
            elif col in _TEXT_ALWAYS or not pd.api.types.is_numeric_dtype(s):
                plan.append((c, w_str, None, "text"))
                sample = s.dropna().drop_duplicates().head(400).astype(str)
                width = max([_display_width(v) for v in sample] + [0]) + 2
            else:
                plan.append((c, w_num, None, "number"))
                width = 10
            ws.set_column(c, c, min(max(width, _display_width(col) + 3, 6), 42))
        ws.set_row(0, 20)
        for c, col in enumerate(cols):
            ws.write_string(0, c, col, head)
        if len(df):
            ws.autofilter(0, 0, len(df), len(cols) - 1)
        for lo in range(0, len(df), _CHUNK):  # convert in chunks so memory stays flat
            part = df.iloc[lo:lo + _CHUNK]
            columns = [_cell_values(part.iloc[:, c], kind) for c, _w, _f, kind in plan]
            writers = [(c, w, f) for c, w, f, _k in plan]
            for r, row in enumerate(zip(*columns), start=lo + 1):
                for (c, write, fmt), v in zip(writers, row):
                    if v is not None:
                        write(r, c, v, fmt)
    wb.close()
    return path


DEFAULT_OUT = Path(__file__).resolve().parent / SAMPLE_NAME


def main(argv: list[str] | None = None) -> int:
    """``python -m sample_data.generate [OUT.xlsx] [--seed N] [--labourers N]``: build and write the workbook."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sample_data.generate",
                                 description="生成宜州区就业扶贫示例台账（虚构数据，截至2020-09-30精确重现报告数字）")
    ap.add_argument("out", nargs="?", default=str(DEFAULT_OUT), help=f"输出 .xlsx 路径（默认 {DEFAULT_OUT.name}）")
    ap.add_argument("--seed", type=int, default=2020, help="随机种子（默认 2020）")
    ap.add_argument("--labourers", type=int, default=DEFAULT_LABOURERS, help="劳动力人数（默认 30000，至少 12000）")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    tables = build_tables(args.seed, n_labourers=args.labourers)
    t1 = time.perf_counter()
    out = write_workbook(args.out, tables)
    t2 = time.perf_counter()
    rows = sum(len(t) for t in tables.values())
    print(f"{out}: {rows} rows, built in {t1 - t0:.1f}s, written in {t2 - t1:.1f}s, "
          f"{out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
