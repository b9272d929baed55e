"""The charts, one entry each. ``by`` says how the figures are grouped: ``place`` (the
townships of the district, the villages of a township; one figure ranked, several side
by side), ``month`` (a trend from January), a column of the figures' sheet (就业方式,
补贴类型…), or one of two charts with their own query: ``income_band`` (labourers per
band of monthly income) and ``workshop_month`` (each workshop's headcount by month).
``shown_on`` lists where the chart appears: page names (ui/pages.py), ``page#section``
for a section of a page, ``briefing`` and ``slides:<slide title>``; a page lays its
entries out in this order."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.store.figures import figure


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
    district_wide: bool = False  # a district-wide sheet (用工需求): the district's figures at every level
    unit_text: str | None = None  # figures of different units side by side name one (个)
    sheets: tuple[str, ...] = ()  # for the 口径, where the keys do not say (the two special charts)
    known_only: bool = False  # a ranking of the places that have the figure (the 大屏's)

    @property
    def unit(self) -> str:
        if self.unit_text:
            return self.unit_text
        if self.by == "income_band":
            return "人"
        fig = figure(self.keys[0])
        return "万元" if fig.in_wan else fig.unit

    @property
    def money(self) -> bool:
        return bool(self.keys) and figure(self.keys[0]).in_wan and not self.unit_text

    @property
    def percent(self) -> bool:
        return bool(self.keys) and figure(self.keys[0]).agg == "ratio"

    @property
    def series(self) -> dict[str, str]:
        return dict(zip(self.keys, self.labels or [figure(k).label for k in self.keys]))


MEANS = ("income.monthly_mean", "income.monthly_median")
MEAN_LABELS = ("平均数", "中位数")


def by_place(name, key, title, shown_on=()) -> ChartView:
    return ChartView(name, (key,), "place", title, shown_on=tuple(shown_on))


VIEWS: list[ChartView] = [
    by_place("employment_rate_by_place", "labor.employment_rate", "就业率", ("overview", "briefing", "slides:就业")),
    ChartView("employment_rate_ranking", ("labor.employment_rate",), "place", "就业率排名", shown_on=("screen",),
              known_only=True),
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
    ChartView("income_bands", (), "income_band", "已就业人员月收入分布", shown_on=("income",), sheets=("labor",)),
    ChartView("income_by_place", MEANS, "place", "已就业人员月收入", labels=MEAN_LABELS, shown_on=("income",)),
    ChartView("income_by_mode", MEANS, "mode", "已就业人员月收入（按就业方式）", labels=MEAN_LABELS, shown_on=("income",)),
    ChartView("income_by_area", MEANS, "work_area", "已就业人员月收入（按务工区域）", labels=MEAN_LABELS,
              shown_on=("income",)),
    by_place("households_none_employed_by_place", "households.none_employed", "无人就业家庭数", ("income#households",)),
    ChartView("subsidy_by_type", ("subsidy.total",), "subsidy_type", "各类补贴发放金额",
              shown_on=("subsidies", "briefing", "slides:补贴")),
    by_place("subsidy_by_place", "subsidy.total", "补贴发放金额", ("subsidies",)),
    ChartView("subsidy_trend", ("subsidy.total",), "month", "补贴累计发放金额（按月）", labels=("累计发放",),
              shown_on=("subsidies",)),
    ChartView("training_trend", ("training.person_times", "training.poor_person_times"), "month", "培训人次累计（按月）",
              labels=("培训人次", "其中建档立卡"), shown_on=("training", "slides:培训")),
    by_place("training_by_place", "training.person_times", "培训人次", ("training",)),
    ChartView("training_by_type", ("training.person_times", "training.poor_person_times"), "training_type",
              "培训人次（按培训类型）", labels=("培训人次", "其中建档立卡"), shown_on=("training",)),
    ChartView("training_classes_by_organiser", ("training.classes",), "organiser", "各主办部门培训期数", shown_on=("training",)),
    ChartView("training_by_trade", ("training.person_times",), "trade", "各培训工种人次", shown_on=("training",)),
    by_place("workshops_on_duty_by_place", "workshops.on_duty", "扶贫车间在岗人员", ("slides:扶贫车间",)),
    by_place("workshops_poor_by_place", "workshops.poor_absorbed", "扶贫车间吸纳贫困劳动力", ("workshops",)),
    ChartView("workshop_lines", (), "workshop_month", "各扶贫车间在岗人数（按月）", shown_on=("workshops",),
              sheets=("workshops",)),
    ChartView("posts_by_category", ("posts.count",), "category", "公益性岗位（按岗位类别）", shown_on=("posts", "slides:公益性岗位")),
    ChartView("posts_by_post", ("posts.count",), "post", "公益性岗位（按岗位名称）", shown_on=("posts",)),
    by_place("posts_by_place", "posts.count", "公益性岗位数", ("posts",)),
    ChartView("demand_by_location", ("demand.job_types", "demand.enterprises"), "location", "用工企业与工种（区内外）",
              labels=("工种（个）", "企业（家）"), shown_on=("demand#demand",), district_wide=True, unit_text="个"),
    ChartView("postings_by_location", ("demand.postings",), "location", "岗位信息（区内外）", shown_on=("demand#demand",),
              district_wide=True),
    ChartView("transport_by_destination", ("transport.people", "transport.poor"), "destination", "输送人数（按目的地）",
              labels=("输送人数", "其中建档立卡"), shown_on=("demand#transport",)),
    ChartView("transport_trend", ("transport.people", "transport.poor"), "month", "返岗输送人数累计（按月）",
              labels=("输送人数", "其中建档立卡"), shown_on=("slides:用工需求与返岗输送",)),
    by_place("transport_by_place", "transport.people", "输送人数", ("demand#transport",)),
]


def view(name: str) -> ChartView:
    for v in VIEWS:
        if v.name == name:
            return v
    raise KeyError(name)


def on(where: str) -> list[ChartView]:
    """The views shown on a page (or in the briefing, or on a slide), in order."""
    return [v for v in VIEWS if where in v.shown_on]
