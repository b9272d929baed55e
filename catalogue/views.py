"""The charts, one entry each. ``by`` says how the figures are grouped: ``place`` (the
townships of the district, the villages of a township, ranked), ``month`` (a trend
from January), or a column of the figures' sheet (就业方式, 补贴类型…). ``shown_on``
lists where the chart appears: page names (ui/pages.py), ``briefing`` and ``slides``;
a page lays its entries out in this order."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.query.definitions import figure


@dataclass(frozen=True)
class ChartView:
    name: str
    keys: tuple[str, ...]
    by: str
    title: str  # after the place: 就业率 → 宜州区各乡镇就业率, 庆远镇各村就业率
    labels: tuple[str, ...] = ()  # series names of a trend or grouped bar, one per key
    shown_on: tuple[str, ...] = ()
    cumulative: bool = True  # a trend of event figures: running total since January
    people_on_click: bool = False  # a click on a category bar lists the people behind it

    @property
    def unit(self) -> str:
        fig = figure(self.keys[0])
        return "万元" if fig.in_wan else fig.unit

    @property
    def money(self) -> bool:
        return figure(self.keys[0]).in_wan

    @property
    def percent(self) -> bool:
        return figure(self.keys[0]).agg == "ratio"

    @property
    def series(self) -> dict[str, str]:
        return dict(zip(self.keys, self.labels or [figure(k).label for k in self.keys]))


def by_place(name, key, title, shown_on=()) -> ChartView:
    return ChartView(name, (key,), "place", title, shown_on=tuple(shown_on))


VIEWS: list[ChartView] = [
    by_place("employment_rate_by_place", "labor.employment_rate", "就业率", ("overview", "briefing", "slides:就业")),
    by_place("poor_employed_by_place", "labor.poor_employed", "建档立卡贫困劳动力就业人数", ("overview",)),
    ChartView("employment_rate_trend", ("labor.employment_rate", "labor.poor_employment_rate"), "month", "就业率月度走势",
              labels=("就业率", "建档立卡贫困劳动力就业率"), shown_on=("overview", "briefing")),
    by_place("employed_by_place", "labor.employed", "已就业人数", ("employment",)),
    by_place("unemployed_by_place", "labor.unemployed", "未就业人数", ("employment",)),
    ChartView("employed_by_mode", ("labor.employed",), "mode", "已就业人员就业方式分布", shown_on=("employment",),
              people_on_click=True),
    ChartView("employed_by_area", ("labor.employed",), "work_area", "已就业人员务工区域分布", shown_on=("employment",),
              people_on_click=True),
    ChartView("employment_trend", ("labor.employed", "labor.unemployed"), "month", "就业失业人数月度走势",
              labels=("已就业", "未就业"), shown_on=("employment",)),
    by_place("income_mean_by_place", "income.monthly_mean", "已就业人员月均收入", ("slides:收入",)),
    by_place("households_none_employed_by_place", "households.none_employed", "无人就业家庭数", ("income",)),
    ChartView("subsidy_by_type", ("subsidy.total",), "subsidy_type", "各类补贴发放金额",
              shown_on=("subsidies", "briefing", "slides:补贴")),
    by_place("subsidy_by_place", "subsidy.total", "补贴发放金额", ("subsidies",)),
    ChartView("subsidy_trend", ("subsidy.total",), "month", "补贴累计发放金额（按月）", labels=("累计发放",),
              shown_on=("subsidies",)),
    ChartView("training_trend", ("training.person_times", "training.poor_person_times"), "month", "培训人次累计（按月）",
              labels=("培训人次", "其中建档立卡"), shown_on=("training", "slides:培训")),
    by_place("training_by_place", "training.person_times", "培训人次", ("training",)),
    by_place("workshops_on_duty_by_place", "workshops.on_duty", "扶贫车间在岗人员", ("slides:扶贫车间",)),
    by_place("workshops_poor_by_place", "workshops.poor_absorbed", "扶贫车间吸纳贫困劳动力", ("workshops",)),
    ChartView("posts_by_category", ("posts.count",), "category", "公益性岗位（按岗位类别）", shown_on=("posts", "slides:公益性岗位")),
    by_place("posts_by_place", "posts.count", "公益性岗位数", ("posts",)),
    ChartView("transport_trend", ("transport.people", "transport.poor"), "month", "返岗输送人数累计（按月）",
              labels=("输送人数", "其中建档立卡"), shown_on=("slides:用工需求与返岗输送",)),
    by_place("transport_by_place", "transport.people", "输送人数", ("demand",)),
]


def view(name: str) -> ChartView:
    for v in VIEWS:
        if v.name == name:
            return v
    raise KeyError(name)


def on(where: str) -> list[ChartView]:
    """The views shown on a page (or in the briefing, or on a slide), in order."""
    return [v for v in VIEWS if where in v.shown_on]
