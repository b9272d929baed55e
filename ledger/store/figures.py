"""Every figure the product reports: key, Chinese label, unit, and how it is counted.

The definitions follow "What the figures mean" in shared/ledger-format.md; the query
layer turns each into an SQL aggregate, so adding a figure is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ledger.store.schema import DATA
from ledger.store.versions import current
from loaders.spec import LABOR_MODES, WORK_AREAS

Cond = Callable[..., ColumnElement] | None


@dataclass(frozen=True)
class Figure:
    """``agg`` is count (rows), sum (of ``column``), distinct (values of ``column``),
    mean or median (of ``column``) or ratio (of ``parts``, in %); money figures are
    stored in fen and reported in yuan. ``none_of`` narrows a distinct count to the
    values none of whose rows meets it (households with nobody in work)."""

    key: str
    label: str
    unit: str
    table: str
    agg: str
    column: str | None = None
    where: Cond = None
    money: bool = False
    parts: tuple[str, str] | None = None  # ratio: (numerator key, denominator key), in %
    none_of: Cond = None  # distinct: count only values none of whose rows meets this
    # Only poor trainees (``trainee_is_poor``): kept apart from ``where`` because it reads
    # the labourer sheet, so a summary of a training slice cannot bake it in.
    poor_trainees: bool = False

    def condition(self, t):
        """The rows the figure counts, as an SQL condition (None: every row)."""
        parts = ([self.where(t)] if self.where is not None else []) + ([trainee_is_poor(t)] if self.poor_trainees else [])
        return and_(*parts) if len(parts) > 1 else (parts[0] if parts else None)

    @property
    def additive(self) -> bool:
        return self.agg not in ("mean", "median", "ratio")

    @property
    def per_head(self) -> bool:
        """A value per person (mean, median): shown in yuan, never summed or put in 万元."""
        return self.agg in ("mean", "median")

    @property
    def in_wan(self) -> bool:
        """A sum of money, shown the district's way in 万元 (a per-head amount stays in 元)."""
        return self.money and not self.per_head


def _eq(col: str, value) -> Cond:
    return lambda t: t.c[col] == value


def _all(*conds: Cond) -> Cond:
    return lambda t: and_(*(c(t) for c in conds if c is not None))


EMPLOYED = _eq("employed", "已就业")
UNEMPLOYED = _eq("employed", "未就业")
POOR = lambda t: t.c.is_poor.is_(True)  # noqa: E731
WANTS_WORK = lambda t: t.c.wants_work.is_(True)  # noqa: E731
EARNING = _all(EMPLOYED, lambda t: t.c.monthly_income > 0)


def trainee_is_poor(t) -> ColumnElement:
    """是否建档立卡 as written, or, where blank, as the labourer sheet says."""
    labor = DATA["labor"]
    # Only the IDs of blank trainees are looked up, through the labourers' ID index, so
    # the test does not read every labourer row of every month.
    others = DATA["training"].alias("blank_trainees")
    blank = select(others.c.id_number).where(others.c.is_poor.is_(None))
    in_ledger = t.c.id_number.in_(
        select(labor.c.id_number).where(labor.c.id_number.in_(blank), current(labor), labor.c.is_poor.is_(True))
    )
    return or_(t.c.is_poor.is_(True), and_(t.c.is_poor.is_(None), in_ledger))


SUBSIDY_KEYS = {
    "enterprise_absorption": ("企业吸纳就业补贴", "企业吸纳建档立卡贫困家庭劳动力就业补贴"),
    "flexible_social_insurance": ("灵活就业社保补贴", "灵活就业社保补贴"),
    "workshop_reward": ("扶贫车间带动就业奖补", "就业扶贫车间带动就业奖补"),
    "key_enterprise_social_insurance": ("重点企业新增岗位社保补贴", "重点企业新增岗位社保补贴"),
    "job_stability": ("稳岗补贴", "外出贫困劳动力稳岗补贴"),
    "epidemic_prevention": ("防疫补贴", "防疫补贴"),
    "transport": ("一次性交通补贴", "一次性交通补贴"),
}
TRAINING_KEYS = {
    "vocational": ("职业技能培训", "职业技能培训"),
    "short_term": ("短期技能培训", "短期技能培训"),
    "rural_practical": ("农村实用技术培训", "农村实用技术培训"),
}


def _build() -> tuple[Figure, ...]:
    f: list[Figure] = [
        Figure("labor.total", "劳动力人数", "人", "labor", "count"),
        Figure("labor.poor", "建档立卡贫困劳动力", "人", "labor", "count", where=POOR),
        Figure("labor.employed", "已就业人数", "人", "labor", "count", where=EMPLOYED),
        Figure("labor.unemployed", "未就业人数", "人", "labor", "count", where=UNEMPLOYED),
        Figure("labor.poor_employed", "建档立卡已就业", "人", "labor", "count", where=_all(POOR, EMPLOYED)),
        Figure("labor.poor_unemployed", "建档立卡未就业", "人", "labor", "count", where=_all(POOR, UNEMPLOYED)),
        Figure(
            "labor.unemployed_wanting_work", "未就业且有就业意愿", "人", "labor", "count",
            where=_all(UNEMPLOYED, WANTS_WORK),
        ),
        Figure("households.total", "劳动力家庭户数", "户", "labor", "distinct", "household_id"),
        Figure(
            "households.none_employed", "无人就业家庭户数", "户", "labor", "distinct", "household_id",
            none_of=EMPLOYED,
        ),
    ]
    f += [
        Figure(f"labor.mode.{m}", f"就业方式：{m}", "人", "labor", "count", where=_all(EMPLOYED, _eq("mode", m)))
        for m in LABOR_MODES
    ]
    f += [
        Figure(f"labor.area.{a}", f"务工区域：{a}", "人", "labor", "count", where=_all(EMPLOYED, _eq("work_area", a)))
        for a in WORK_AREAS
    ]
    f += [
        Figure("labor.employment_rate", "就业率", "%", "labor", "ratio", parts=("labor.employed", "labor.total")),
        Figure(
            "labor.poor_employment_rate", "建档立卡贫困劳动力就业率", "%", "labor", "ratio",
            parts=("labor.poor_employed", "labor.poor"),
        ),
        Figure(
            "income.monthly_mean", "已就业人员月均收入", "元", "labor", "mean", "monthly_income",
            where=EARNING, money=True,
        ),
        Figure(
            "income.monthly_median", "已就业人员月收入中位数", "元", "labor", "median", "monthly_income",
            where=EARNING, money=True,
        ),
        Figure("demand.enterprises", "发布招聘信息的区内外用工企业", "家", "demand", "distinct", "enterprise"),
        Figure("demand.job_types", "工种", "个", "demand", "count"),
        Figure("demand.postings", "岗位信息", "条", "demand", "sum", "postings"),
        Figure("workshops.count", "已复工的扶贫车间", "家", "workshops", "count"),
        Figure("workshops.on_duty", "扶贫车间在岗人员", "人", "workshops", "sum", "on_duty"),
        Figure("workshops.poor_absorbed", "扶贫车间吸纳贫困劳动力", "人", "workshops", "sum", "poor_on_duty"),
        Figure("subsidy.total", "补贴发放合计", "元", "subsidies", "sum", "amount", money=True),
        Figure("subsidy.payments", "补贴发放笔数", "笔", "subsidies", "count"),
    ]
    for key, (kind, label) in SUBSIDY_KEYS.items():
        f.append(Figure(f"subsidy.{key}", label, "元", "subsidies", "sum", "amount", _eq("subsidy_type", kind), True))
    f += [
        Figure(
            "subsidy.workshop_reward_workshops", "获带动就业奖补的扶贫车间", "家", "subsidies", "distinct", "recipient",
            _eq("subsidy_type", "扶贫车间带动就业奖补"),
        ),
        Figure("transport.batches", "点对点免费输送返工农民工", "批次", "transport", "count"),
        Figure("transport.people", "输送人数", "人", "transport", "sum", "people"),
        Figure("transport.poor", "其中建档立卡贫困劳动力", "人", "transport", "sum", "poor"),
        Figure("posts.count", "公益性岗位合计", "个", "posts", "count"),
        Figure("posts.poverty.count", "扶贫公益性岗位", "个", "posts", "count", where=_eq("category", "扶贫公益性岗位")),
        Figure(
            "posts.poverty.subsidy", "扶贫公益性岗位补贴", "元", "subsidies", "sum", "amount",
            _eq("subsidy_type", "公益性岗位补贴"), True,
        ),
        Figure("posts.temporary.count", "临时性公益岗位", "个", "posts", "count", where=_eq("category", "临时性公益岗位")),
        Figure(
            "posts.temporary.subsidy", "临时性公益岗位补贴", "元", "subsidies", "sum", "amount",
            _eq("subsidy_type", "临时性公益岗位补贴"), True,
        ),
        Figure("training.classes", "培训班", "期", "training", "distinct", "class_id"),
        Figure("training.person_times", "培训人次", "人次", "training", "count"),
        Figure("training.poor_person_times", "其中建档立卡人次", "人次", "training", "count", poor_trainees=True),
    ]
    for key, (kind, label) in TRAINING_KEYS.items():
        of_type = _eq("training_type", kind)
        f += [
            Figure(f"training.{key}.classes", f"{label}班", "期", "training", "distinct", "class_id", of_type),
            Figure(f"training.{key}.person_times", f"{label}人次", "人次", "training", "count", where=of_type),
            Figure(
                f"training.{key}.poor_person_times", f"{label}建档立卡人次", "人次", "training", "count",
                where=of_type, poor_trainees=True,
            ),
            Figure(f"training.{key}.people", f"{label}人数", "人", "training", "distinct", "id_number", of_type),
        ]
    f += [
        Figure(
            "training.short_term_reward.people", "短期技能培训以奖代补已发放", "人", "subsidies", "distinct", "id_number",
            _eq("subsidy_type", "短期技能培训以奖代补"),
        ),
        Figure(
            "training.short_term_reward.amount", "以奖代补补助资金", "元", "subsidies", "sum", "amount",
            _eq("subsidy_type", "短期技能培训以奖代补"), True,
        ),
        Figure(
            "training.rural_practical.amount", "农村实用技术培训补助资金", "元", "subsidies", "sum", "amount",
            _eq("subsidy_type", "农村实用技术培训补助"), True,
        ),
    ]
    return tuple(f)


FIGURES: tuple[Figure, ...] = _build()
BY_KEY: dict[str, Figure] = {fig.key: fig for fig in FIGURES}


def figure(key: str) -> Figure:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"Figure {key} does not exist.") from None


def aggregates(fig: Figure, t) -> list:
    """The SQL aggregates of a count, sum or mean figure over the rows of ``t``: one
    column (count, sum) or two (a mean's sum and count), zero where nothing counts."""
    cond = fig.condition(t)
    col = t.c[fig.column] if fig.column else None
    if fig.agg == "count":
        return [func.count() if cond is None else func.coalesce(func.sum(case((cond, 1), else_=0)), 0)]
    if fig.agg == "sum":
        value = col if cond is None else case((cond, col), else_=0)
        return [func.coalesce(func.sum(value), 0)]
    if fig.agg == "mean":
        ok = and_(cond, col.is_not(None)) if cond is not None else col.is_not(None)
        return [func.coalesce(func.sum(case((ok, col), else_=0)), 0), func.coalesce(func.sum(case((ok, 1), else_=0)), 0)]
    raise ValueError(fig.agg)


BANDS = ("无收入或未填", "1000元以下", "1000–2000元", "2000–3000元", "3000–4000元", "4000–5000元", "5000元及以上")


def income_band(income):
    """The band's index: 0 for blank or 0, then [0, 1000), [1000, 2000) … yuan; ≥ 5000."""
    steps = [(income < yuan * 100, i + 1) for i, yuan in enumerate((1000, 2000, 3000, 4000, 5000))]
    return case((or_(income.is_(None), income <= 0), 0), *steps, else_=len(BANDS) - 1)
