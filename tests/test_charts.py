"""Chart builders: titles and units in Chinese, values and order as the data says, one
colour per category everywhere, nothing fetched from the internet, no Streamlit."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import zlib
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import pytest

from charts import (
    category_bar,
    colour,
    completion_gauge,
    grouped_bar,
    image_config,
    options,
    progress_bar,
    projector_ranking,
    rag,
    ranked_bar,
    theme,
    trend_line,
    wan,
    workshop_lines,
)
from tests.conftest import ROOT

TOWNS = pd.DataFrame(
    {
        "township": ["庆远镇", "三岔镇", "洛西镇", "全区（不分乡镇）"],
        "labor.employed": [120, 340, None, 15],
        "subsidy.total": [Decimal("28900"), Decimal("1234567.80"), None, Decimal("0")],
        "labor.employment_rate": [Decimal("87.53"), None, Decimal("91.20"), None],
    }
)
MODES = pd.DataFrame({"mode": ["外出务工", "扶贫车间", "公益性岗位", "其他"], "labor.employed": [600, 100, 200, 100]})
MONTHLY = pd.DataFrame(
    {
        "month": ["2020-01", "2020-02", "2020-03"],
        "labor.employed": [100, 150, 180],
        "labor.unemployed": [50, 40, None],
        "subsidy.total": [Decimal("10000"), Decimal("28900"), Decimal("55555")],
        "labor.employment_rate": [Decimal("80.10"), Decimal("82.25"), Decimal("85.00")],
    }
)
PROGRESS = pd.DataFrame(
    {
        "township": ["庆远镇", "三岔镇", "洛西镇", "怀远镇"],
        "indicator": ["培训人次"] * 4,
        "target": [Decimal("1000")] * 4,
        "actual": [Decimal("650"), Decimal("800"), Decimal("700"), None],
        "completion": [Decimal("65.00"), Decimal("80.00"), Decimal("70.00"), None],
        "pace": [Decimal("75.07")] * 4,
        "status": ["behind", "ahead", "behind", "behind"],
        "needed_per_month": [117, None, 100, 334],
    }
)
WORKSHOPS = pd.DataFrame(
    {
        "name": ["甲车间", "甲车间", "乙车间", "乙车间", "甲车间"],
        "month": ["2020-02", "2020-01", "2020-01", "2020-02", "2020-03"],
        "on_duty": [12, 10, 30, Decimal("28"), None],
    }
)


def _all_figures() -> dict[str, go.Figure]:
    return {
        "ranked": ranked_bar(TOWNS, "labor.employed", title="各乡镇已就业人数", unit="人"),
        "ranked_money_h": ranked_bar(TOWNS, "subsidy.total", title="各乡镇补贴", unit="万元", money=True, horizontal=True, dark=True),
        "grouped": grouped_bar(TOWNS, {"labor.employed": "已就业", "subsidy.total": "补贴"}, title="对比", unit="人"),
        "category": category_bar(MODES, "labor.employed", category="mode", title="就业方式分布", unit="人"),
        "trend": trend_line(MONTHLY, {"labor.employed": "已就业", "labor.unemployed": "未就业"}, title="走势", unit="人"),
        "trend_dark": trend_line(MONTHLY, {"labor.employment_rate": "就业率"}, title="就业率", unit="%", percent=True, dark=True),
        "progress": progress_bar(PROGRESS, title="各乡镇培训人次完成情况"),
        "workshops": workshop_lines(WORKSHOPS, title="扶贫车间在岗人数"),
    }


# ---------------------------------------------------------------------------- API


@pytest.mark.parametrize(
    "builder, data_params",
    [
        (ranked_bar, ["df", "value"]),
        (grouped_bar, ["df", "values"]),
        (category_bar, ["df", "value"]),
        (trend_line, ["df", "values"]),
        (progress_bar, ["df"]),
        (workshop_lines, ["df"]),
        (completion_gauge, ["completion"]),
        (projector_ranking, ["df", "value"]),
    ],
)
def test_data_first_options_keyword_only(builder, data_params):
    params = inspect.signature(builder).parameters.values()
    positional = [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert positional == data_params
    assert "title" in {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}


# ---------------------------------------------------------------------------- ranked_bar


def test_ranked_bar_orders_values_and_labels():
    fig = ranked_bar(TOWNS, "labor.employed", title="各乡镇已就业人数", unit="人")
    bar = fig.data[0]
    assert fig.layout.title.text == "各乡镇已就业人数"
    assert fig.layout.xaxis.title.text == "乡镇"
    assert fig.layout.yaxis.title.text == "人数（人）"
    assert list(bar.x) == ["三岔镇", "庆远镇", "全区（不分乡镇）", "洛西镇"]  # None last
    assert list(bar.y) == [340.0, 120.0, 15.0, None]
    assert list(bar.text) == ["340", "120", "15", "无数据"]
    assert [c[0] for c in bar.customdata] == list(bar.x)
    assert [c[1] for c in bar.customdata] == ["340 人", "120 人", "15 人", "无数据"]
    assert "已就业" not in bar.hovertemplate and "人数：%{customdata[1]}" in bar.hovertemplate
    assert list(bar.marker.color) == [theme.LIGHT["bar"]] * 4  # one colour: the axis names the bars
    assert fig.layout.showlegend is False or not any(t.showlegend for t in fig.data)


def test_ranked_bar_money_in_wan_yuan_horizontal():
    fig = ranked_bar(TOWNS, "subsidy.total", title="各乡镇补贴发放金额", unit="万元", money=True, horizontal=True, label="补贴金额")
    bar = fig.data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == ["三岔镇", "庆远镇", "全区（不分乡镇）", "洛西镇"]
    assert list(bar.x) == [123.46, 2.89, 0.0, None]
    assert list(bar.text) == ["123.46", "2.89", "0.00", "无数据"]
    assert bar.customdata[1][1] == "2.89 万元"
    assert fig.layout.xaxis.title.text == "补贴金额（万元）"
    assert fig.layout.yaxis.title.text == "乡镇"
    assert fig.layout.yaxis.autorange == "reversed"  # largest on top
    assert fig.layout.width is None


def test_ranked_bar_percent_and_highlight():
    fig = ranked_bar(TOWNS, "labor.employment_rate", title="各乡镇就业率", unit="%", label="就业率", highlight="洛西镇")
    bar = fig.data[0]
    assert list(bar.x)[:2] == ["洛西镇", "庆远镇"]
    assert list(bar.text)[:2] == ["91.20", "87.53"]
    assert bar.customdata[0][1] == "91.20%"
    assert fig.layout.yaxis.title.text == "就业率（%）"
    fills = list(bar.marker.color)
    assert fills == [theme.LIGHT["bar_highlight"], theme.LIGHT["bar"], theme.LIGHT["bar"], theme.LIGHT["bar"]]
    assert list(bar.marker.line.width) == [2, 0, 0, 0]
    assert bar.marker.opacity is None  # per-bar opacity breaks plotly's click selection


BAR_SCHEMES = pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])


@BAR_SCHEMES
def test_ranked_bar_one_colour_without_highlight(dark):
    s = theme.scheme(dark)
    for horizontal in (False, True):
        fig = ranked_bar(TOWNS, "labor.employed", title="排名", unit="人", dark=dark, horizontal=horizontal)
        fills = list(fig.data[0].marker.color)
        assert len(fills) == len(TOWNS) and set(fills) == {s["bar"]}
        assert set(fig.data[0].marker.line.width) == {0}
    # Not the per-township colours, not a traffic light, not a grey.
    assert s["bar"] == theme.ACCENT
    assert s["bar"] not in theme.RAG_COLOURS.values()
    assert s["bar_highlight"] not in {*theme.RAG_COLOURS.values(), theme.DISTRICT_GREY, theme.OTHER_GREY, theme.NO_DATA_GREY, s["bar"]}
    # A name that is not in the data highlights nothing.
    missing = ranked_bar(TOWNS, "labor.employed", title="排名", unit="人", dark=dark, highlight="德胜镇")
    assert set(missing.data[0].marker.color) == {s["bar"]}


@BAR_SCHEMES
@pytest.mark.parametrize("picked", ["庆远镇", "洛西镇", "全区（不分乡镇）"])
def test_ranked_bar_highlight_marks_exactly_the_named_bar(dark, picked):
    s = theme.scheme(dark)
    plain = ranked_bar(TOWNS, "labor.employed", title="排名", unit="人", dark=dark).data[0]
    fig = ranked_bar(TOWNS, "labor.employed", title="排名", unit="人", dark=dark, highlight=picked, horizontal=dark)
    bar = fig.data[0]
    names = list(bar.y if dark else bar.x)
    fills = dict(zip(names, bar.marker.color))
    assert fills[picked] == s["bar_highlight"]
    assert {n for n, c in fills.items() if c != s["bar"]} == {picked}
    assert dict(zip(names, bar.marker.line.width)) == {n: 2 if n == picked else 0 for n in names}
    # Only the colour changes: values, labels, hover, customdata and order are as before.
    assert [list(c) for c in bar.customdata] == [list(c) for c in plain.customdata]
    assert list(bar.text) == list(plain.text) and list(bar.hovertext) == list(plain.hovertext)
    assert bar.hovertemplate == plain.hovertemplate


def test_ranked_bar_villages_highlight():
    villages = pd.DataFrame({"village": ["城东社区", "龙江村", "<b>拉浪村</b>"], "v": [3, 9, 5]})
    bar = ranked_bar(villages, "v", category="village", title="各村", unit="人", highlight="<b>拉浪村</b>").data[0]
    assert list(bar.x) == ["龙江村", "<b>拉浪村</b>", "城东社区"]
    assert list(bar.marker.color) == [theme.LIGHT["bar"], theme.LIGHT["bar_highlight"], theme.LIGHT["bar"]]
    assert [c[0] for c in bar.customdata] == list(bar.x)  # the real name, for the drill-down
    assert list(bar.hovertext)[1] == "&lt;b&gt;拉浪村&lt;/b&gt;"  # escaped as before


def test_ranked_bar_errors_name_the_problem():
    with pytest.raises(KeyError, match="labor.nothing"):
        ranked_bar(TOWNS, "labor.nothing", title="无", unit="人")
    with pytest.raises(ValueError, match="万元"):
        ranked_bar(TOWNS, "subsidy.total", title="补贴", unit="元", money=True)


def test_empty_data_gives_an_empty_chart_that_says_so():
    empty = TOWNS.iloc[0:0]
    for fig in (
        ranked_bar(empty, "labor.employed", title="空", unit="人"),
        grouped_bar(empty, {"labor.employed": "已就业"}, title="空", unit="人"),
        trend_line(MONTHLY.iloc[0:0], {"labor.employed": "已就业"}, title="空", unit="人"),
        progress_bar(PROGRESS.iloc[0:0], title="空"),
    ):
        assert [a.text for a in fig.layout.annotations][-1] == "暂无数据"


# ---------------------------------------------------------------------------- grouped_bar


def test_grouped_bar_series_side_by_side_or_stacked():
    values = {"labor.employed": "已就业", "labor.unemployed": "未就业"}
    df = TOWNS.assign(**{"labor.unemployed": [10, 20, 30, None]})
    fig = grouped_bar(df, values, title="各乡镇就业与未就业人数", unit="人")
    assert fig.layout.barmode == "group"
    assert [t.name for t in fig.data] == ["已就业", "未就业"]
    assert list(fig.data[0].x) == list(df["township"])  # the DataFrame's order
    assert list(fig.data[1].y) == [10.0, 20.0, 30.0, None]
    assert fig.data[0].marker.color != fig.data[1].marker.color
    assert fig.layout.yaxis.title.text == "人数（人）"
    assert fig.layout.legend.orientation == "h"
    assert "未就业：%{customdata[1]}" in fig.data[1].hovertemplate
    stacked = grouped_bar(df, values, title="各乡镇劳动力", unit="人", stacked=True)
    assert stacked.layout.barmode == "stack"


def test_grouped_bar_money_and_category_series_colours():
    df = pd.DataFrame({"township": ["庆远镇"], "subsidy.job_stability": [Decimal("28900")], "subsidy.transport": [Decimal("5000")]})
    fig = grouped_bar(df, {"subsidy.job_stability": "稳岗补贴", "subsidy.transport": "一次性交通补贴"}, title="补贴", unit="万元", money=True)
    assert [list(t.y) for t in fig.data] == [[2.89], [0.5]]
    assert fig.layout.yaxis.title.text == "金额（万元）"
    # A series that is a category wears the category's colour.
    assert [t.marker.color for t in fig.data] == [colour("稳岗补贴"), colour("一次性交通补贴")]


# ---------------------------------------------------------------------------- category_bar


def test_category_bar_keeps_order_and_shows_shares():
    fig = category_bar(MODES, "labor.employed", category="mode", title="已就业人员就业方式分布", unit="人")
    bar = fig.data[0]
    assert list(bar.x) == ["外出务工", "扶贫车间", "公益性岗位", "其他"]
    assert list(bar.y) == [600.0, 100.0, 200.0, 100.0]
    assert [c[2] for c in bar.customdata] == ["60.00%", "10.00%", "20.00%", "10.00%"]
    assert "占合计：%{customdata[2]}" in bar.hovertemplate
    assert list(bar.marker.color) == [colour(m) for m in MODES["mode"]]
    assert bar.marker.color[3] == theme.OTHER_GREY
    assert fig.layout.xaxis.title.text == "就业方式"
    assert fig.layout.yaxis.title.text == "人数（人）"


def test_category_bar_money_and_none():
    df = pd.DataFrame({"subsidy_type": ["稳岗补贴", "防疫补贴"], "subsidy.total": [Decimal("28900"), None]})
    fig = category_bar(df, "subsidy.total", category="subsidy_type", title="各类补贴", unit="万元", money=True)
    assert list(fig.data[0].y) == [2.89, None]
    assert [c[1:] for c in fig.data[0].customdata] == [["2.89 万元", "100.00%"], ["无数据", "无数据"]]
    assert fig.layout.xaxis.title.text == "补贴类型"


def test_same_category_same_colour_where_colour_names_it():
    # A distribution's bars and a category series wear the category's colour ...
    dist = category_bar(MODES, "labor.employed", category="mode", title="分布", unit="人")
    by_name = lambda bar: dict(zip(bar.x, bar.marker.color))  # noqa: E731
    assert by_name(dist.data[0]) == {m: colour(m) for m in MODES["mode"]}
    # ... a ranking is one colour, the same in plotly and on the projector.
    for dark in (False, True):
        towns = ranked_bar(TOWNS, "labor.employed", title="排名", unit="人", dark=dark, highlight="庆远镇")
        echarts = options(projector_ranking(TOWNS, "labor.employed", title="排名", unit="人", dark=dark, highlight="庆远镇"))
        assert {d["name"]: d["itemStyle"]["color"] for d in echarts["series"][0]["data"]} == by_name(towns.data[0])


# ---------------------------------------------------------------------------- trend_line


def test_trend_line_months_and_axes():
    shuffled = MONTHLY.iloc[[2, 0, 1]]
    fig = trend_line(shuffled, {"labor.employed": "已就业", "labor.unemployed": "未就业"}, title="就业失业人数月度走势", unit="人")
    first, second = fig.data
    assert first.mode == "lines+markers"
    assert list(first.x) == ["1月", "2月", "3月"]
    assert [c[0] for c in first.customdata] == ["2020-01", "2020-02", "2020-03"]
    assert list(first.y) == [100.0, 150.0, 180.0]
    assert list(second.y) == [50.0, 40.0, None]
    assert fig.layout.yaxis.rangemode == "tozero"
    assert fig.layout.yaxis.title.text == "人数（人）"
    assert fig.layout.xaxis.title.text == "月份"
    assert first.customdata[0][1] == "100 人"


def test_trend_line_money_percent_and_years():
    money = trend_line(MONTHLY, {"subsidy.total": "累计发放"}, title="补贴累计", unit="万元", money=True)
    assert list(money.data[0].y) == [1.0, 2.89, 5.56]
    assert money.layout.yaxis.title.text == "累计发放（万元）"
    rate = trend_line(MONTHLY, {"labor.employment_rate": "就业率"}, title="就业率", unit="%", percent=True)
    assert rate.layout.yaxis.rangemode == "normal"
    assert rate.data[0].customdata[2][1] == "85.00%"
    years = trend_line(pd.DataFrame({"month": ["2019-12", "2020-01"], "v": [1, 2]}), {"v": "甲"}, title="跨年", unit="人")
    assert list(years.data[0].x) == ["2019年12月", "2020年1月"]


# ---------------------------------------------------------------------------- progress


@pytest.mark.parametrize(
    "completion, pace, expected",
    [
        (Decimal("80.00"), Decimal("75.07"), "green"),
        (Decimal("75.07"), Decimal("75.07"), "green"),  # on pace is on track
        (Decimal("75.06"), Decimal("75.07"), "amber"),
        (Decimal("65.07"), Decimal("75.07"), "amber"),  # exactly 10 points below
        (65.07, 75.07, "amber"),  # floats: 75.07 - 10 is 65.06999… in binary
        (Decimal("65.06"), Decimal("75.07"), "red"),
        (0, 75, "red"),
        (None, Decimal("75.07"), "red"),  # nothing to judge is not on track
        (100, None, "green"),  # no pace: held to the target itself
        (95, None, "amber"),
        (89.99, None, "red"),
        (120, 100, "green"),
        (float("nan"), 50, "red"),
    ],
)
def test_rag(completion, pace, expected):
    assert rag(completion, pace) == expected


def test_rag_agrees_with_the_targets_status():
    for row in PROGRESS.itertuples():
        if row.completion is not None:
            assert (rag(row.completion, row.pace) == "green") == (row.status == "ahead")


def test_progress_bar_colours_lines_and_order():
    fig = progress_bar(PROGRESS, title="各乡镇培训人次完成情况")
    bar = fig.data[0]
    assert list(bar.x) == ["三岔镇", "洛西镇", "庆远镇", "怀远镇"]
    assert list(bar.y) == [80.0, 70.0, 65.0, None]
    assert list(bar.marker.color) == [theme.RAG_COLOURS["green"], theme.RAG_COLOURS["amber"], theme.RAG_COLOURS["red"], theme.NO_DATA_GREY]
    assert [c[1] for c in bar.customdata] == ["green", "amber", "red", "red"]
    assert list(bar.text) == ["80.00%", "70.00%", "65.00%", "无数据"]
    assert "目标：1,000 人次" in bar.customdata[0][2] and "时间进度：75.07%" in bar.customdata[0][2]
    assert "每月还需：117 人次" in bar.customdata[2][2]
    lines = {s.y0 for s in fig.layout.shapes if s.line.dash == "dash"}
    assert lines == {100, 75.07}
    labels = {a.text for a in fig.layout.annotations}
    assert {"目标 100%", "时间进度 75.07%"} <= labels
    assert fig.layout.yaxis.title.text == "培训人次完成率（%）"
    assert fig.layout.xaxis.title.text == "乡镇"
    assert [t.name for t in fig.data[1:]] == ["达到进度", "略低于进度", "明显落后"]


def test_progress_bar_keeps_rag_colours_not_the_ranking_colour():
    rows = pd.DataFrame(
        {
            "township": ["庆远镇", "三岔镇", "洛西镇", "怀远镇", "德胜镇"],
            "indicator": ["公益性岗位数"] * 5,
            "completion": [Decimal("120"), Decimal("100"), Decimal("95"), Decimal("40"), None],
            "pace": [None] * 5,
        }
    )
    bar = progress_bar(rows, title="各乡镇公益性岗位数完成情况").data[0]
    expected = {
        "庆远镇": theme.RAG_COLOURS["green"], "三岔镇": theme.RAG_COLOURS["green"], "洛西镇": theme.RAG_COLOURS["amber"],
        "怀远镇": theme.RAG_COLOURS["red"], "德胜镇": theme.NO_DATA_GREY,
    }
    assert dict(zip(bar.x, bar.marker.color)) == expected
    assert {theme.rag_colour(r.completion, r.pace) for r in rows.itertuples() if r.completion is not None} == set(theme.RAG_COLOURS.values())
    assert theme.LIGHT["bar"] not in bar.marker.color


def test_progress_bar_one_indicator_only():
    two = pd.concat([PROGRESS, PROGRESS.assign(indicator="公益性岗位数")])
    with pytest.raises(ValueError, match="公益性岗位数"):
        progress_bar(two, title="混合")


def test_workshop_lines():
    fig = workshop_lines(WORKSHOPS, title="扶贫车间在岗人数")
    assert [t.name for t in fig.data] == ["甲车间", "乙车间"]
    jia, yi = fig.data
    assert list(jia.x) == ["1月", "2月", "3月"]
    assert list(jia.y) == [10.0, 12.0, None]
    assert list(yi.y) == [30.0, 28.0]
    assert jia.line.color != yi.line.color
    assert [t.line.color for t in fig.data] == theme.colours(["甲车间", "乙车间"])  # each workshop its own colour
    assert fig.layout.yaxis.title.text == "在岗人数（人）"
    assert fig.layout.xaxis.categoryarray == ("1月", "2月", "3月")


def test_workshop_lines_draw_the_summed_rest_last_grey_and_dashed():
    rows = pd.DataFrame({"name": ["其他3个车间", "甲车间", "其他3个车间", "甲车间"],
                         "month": ["2020-01", "2020-01", "2020-02", "2020-02"], "on_duty": [40, 10, 41, 12], "workshops": [3, 1, 3, 1]})
    fig = workshop_lines(rows, title="扶贫车间在岗人数")
    assert [t.name for t in fig.data] == ["甲车间", "其他3个车间"]
    own, rest = fig.data
    assert list(rest.y) == [40.0, 41.0] and rest.line.dash == "dash" and rest.line.color == theme.OTHER_GREY
    assert own.line.dash is None and own.line.color == theme.colours(["甲车间"])[0]


def test_a_workshop_named_like_the_summed_line_keeps_its_own_line():
    rows = pd.DataFrame({"name": ["其他3个车间", "其他3个车间"], "month": ["2020-01", "2020-01"], "on_duty": [7, 40],
                         "workshops": [1, 3]})
    fig = workshop_lines(rows, title="扶贫车间在岗人数")
    own, rest = fig.data
    assert (list(own.y), own.line.dash) == ([7.0], None)
    assert (list(rest.y), rest.line.dash) == ([40.0], "dash")


def test_trend_lines_keep_per_category_colours():
    # A line per township (or per category) keeps the colour that names it ...
    towns = pd.DataFrame({"month": ["2020-01", "2020-02"], "trend.庆远镇": [1, 2], "trend.三岔镇": [3, 4], "trend.洛西镇": [5, 6]})
    values = {"trend.庆远镇": "庆远镇", "trend.三岔镇": "三岔镇", "trend.洛西镇": "洛西镇"}
    for dark in (False, True):
        fig = trend_line(towns, values, title="各乡镇走势", unit="人", dark=dark)
        lines = [t.line.color for t in fig.data]
        assert lines == [colour("庆远镇"), colour("三岔镇"), colour("洛西镇")]
        assert len(set(lines)) == 3
        assert [t.name for t in fig.data] == ["庆远镇", "三岔镇", "洛西镇"] and fig.layout.showlegend
    # ... and workshops named by the data have distinct colours.
    many = pd.DataFrame({"name": [f"第{i}车间" for i in range(6)], "month": ["2020-01"] * 6, "on_duty": range(6)})
    assert len({t.line.color for t in workshop_lines(many, title="车间").data}) == 6


# ---------------------------------------------------------------------------- theme


def test_wan():
    assert wan(28900) == 2.89
    assert wan(Decimal("28900")) == 2.89
    assert wan(Decimal("12345678")) == 1234.57
    assert wan(Decimal("125")) == 0.01  # half up, as the district's tables round
    assert wan(0) == 0.0
    assert wan(None) is None


def test_image_config():
    config = image_config("宜州区_各乡镇已就业人数_2020年9月")
    assert config["toImageButtonOptions"] == {"format": "png", "scale": 3, "filename": "宜州区_各乡镇已就业人数_2020年9月"}
    assert config["displaylogo"] is False
    assert config["locale"] == "zh-CN"
    zh = config["locales"]["zh-CN"]
    assert zh["dictionary"]["Download plot as a PNG"] == "下载图片（PNG）"
    assert zh["format"]["months"][0] == "一月"
    text = json.dumps(config, ensure_ascii=False)
    assert "http" not in text and "script" not in text
    assert image_config('庆远镇/三岔镇:"对比".png')["toImageButtonOptions"]["filename"] == "庆远镇_三岔镇_对比"


def test_font_family_names_chinese_fonts_in_order():
    assert theme.FONT_FAMILY == '"Noto Sans SC", "Noto Sans CJK SC", "Microsoft YaHei", "SimHei", sans-serif'
    for fig in _all_figures().values():
        assert fig.layout.font.family == theme.FONT_FAMILY
    assert options(completion_gauge(50, title="完成率"))["textStyle"]["fontFamily"] == theme.FONT_FAMILY


def test_light_and_dark_templates():
    light, dark = ranked_bar(TOWNS, "labor.employed", title="亮", unit="人"), ranked_bar(TOWNS, "labor.employed", title="暗", unit="人", dark=True)
    assert light.layout.paper_bgcolor == "#FFFFFF" and dark.layout.paper_bgcolor == theme.DARK["paper"]
    assert dark.layout.font.size > light.layout.font.size
    assert dark.layout.template.layout.paper_bgcolor == theme.DARK["paper"]


def test_layout_fits_a_phone():
    for name, fig in _all_figures().items():
        assert fig.layout.width is None, name
        assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin, name
        assert fig.layout.legend.orientation == "h" and fig.layout.legend.yanchor == "bottom", name
        assert fig.layout.title.text, name


def test_no_internet_address_in_any_figure():
    figures = _all_figures()
    for name, fig in figures.items():
        assert "http" not in fig.to_json(), name
    for chart in (completion_gauge(Decimal("65.07"), title="完成率", pace=Decimal("75.07")), projector_ranking(TOWNS, "labor.employed", title="排名", unit="人")):
        assert "http" not in chart.dump_options()


def test_theme_lists_match_the_ledger_format():
    from loaders import spec
    from loaders.townships import DEFAULT_TOWNSHIPS

    assert theme.TOWNSHIPS == tuple(t.name for t in DEFAULT_TOWNSHIPS)
    assert theme.LABOR_MODES == spec.LABOR_MODES
    assert theme.WORK_AREAS == spec.WORK_AREAS
    assert theme.SUBSIDY_TYPES == spec.SUBSIDY_TYPES
    assert theme.TRAINING_TYPES == spec.TRAINING_TYPES
    assert theme.ORGANISERS == spec.ORGANISERS
    assert theme.POST_CATEGORIES == spec.POST_CATEGORIES


@pytest.mark.parametrize(
    "names",
    [theme.TOWNSHIPS, theme.LABOR_MODES, theme.WORK_AREAS, theme.SUBSIDY_TYPES, theme.TRAINING_TYPES, theme.ORGANISERS, theme.POST_CATEGORIES],
)
def test_each_dimension_has_distinct_fixed_colours(names):
    assert all(n in theme.CATEGORY_COLOURS for n in names)
    assert len({colour(n) for n in names}) == len(names)
    assert colour("全区（不分乡镇）") not in {colour(n) for n in names}


def test_unknown_categories_are_stable_and_distinct_within_a_chart():
    assert colour("某某村") == theme.PALETTE[zlib.crc32("某某村".encode()) % len(theme.PALETTE)]
    # Stable across processes (Python's own str hash is salted per process).
    code = "from charts.theme import colour; print(colour('某某村'))"
    env = dict(os.environ, PYTHONHASHSEED="123")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == colour("某某村")
    villages = [f"第{i}村" for i in range(10)]
    assert len(set(theme.colours(villages))) == 10
    assert colour(None) == theme.OTHER_GREY


# ---------------------------------------------------------------------------- pyecharts


def test_completion_gauge_options():
    chart = completion_gauge(Decimal("65.07"), title="培训人次完成率", pace=Decimal("75.07"))
    o = options(chart)
    series = o["series"][0]
    assert o["title"][0]["text"] == "培训人次完成率"
    assert series["type"] == "gauge"
    assert series["data"] == [{"name": "完成率", "value": 65.07}]
    assert series["min"] == 0 and series["max"] == 100
    assert series["axisLine"]["lineStyle"]["color"] == [
        [0.6507, theme.RAG_COLOURS["red"]],
        [0.7507, theme.RAG_COLOURS["amber"]],
        [1, theme.RAG_COLOURS["green"]],
    ]
    assert series["detail"]["formatter"] == "{v|65.07%}\n{p|时间进度 75.07%}"
    assert series["itemStyle"]["color"] == theme.RAG_COLOURS["amber"] == theme.rag_colour(Decimal("65.07"), Decimal("75.07"))


def test_completion_gauge_over_target_dark_and_missing():
    over = options(completion_gauge(112, title="就业人数完成率", dark=True))
    assert over["series"][0]["max"] == 120
    assert over["series"][0]["detail"]["formatter"] == "{v|112.00%}\n{p|目标 100%}"
    assert over["series"][0]["itemStyle"]["color"] == theme.RAG_COLOURS["green"]
    assert over["backgroundColor"] == theme.DARK["paper"]
    missing = options(completion_gauge(None, title="完成率", pace=50))
    assert missing["series"][0]["detail"]["formatter"].startswith("{v|无数据}")


def test_ranking_bar_options():
    chart = projector_ranking(TOWNS, "subsidy.total", title="各乡镇补贴发放金额", unit="万元", money=True, dark=True)
    o = options(chart)
    series = o["series"][0]
    assert series["selectedMode"] == "single"
    assert o["yAxis"][0]["data"] == ["三岔镇", "庆远镇", "全区（不分乡镇）", "洛西镇"]
    assert o["yAxis"][0]["inverse"] is True
    assert [d["value"] for d in series["data"]] == [123.46, 2.89, 0.0, "-"]
    assert [d["label"]["formatter"] for d in series["data"]] == ["123.46 万元", "2.89 万元", "0.00 万元", "无数据"]
    assert series["data"][1]["tooltip"]["formatter"] == "庆远镇：2.89 万元"
    assert o["xAxis"][0]["name"] == "金额（万元）"
    assert o["title"][0]["text"] == "各乡镇补贴发放金额"
    assert series["label"]["fontSize"] >= 18  # the projector
    counts = options(projector_ranking(TOWNS, "labor.employed", title="排名", unit="人", label="已就业人数"))
    assert [d["value"] for d in counts["series"][0]["data"]] == [340, 120, 15, "-"]
    assert counts["xAxis"][0]["name"] == "已就业人数（人）"


@BAR_SCHEMES
def test_ranking_bar_one_colour_and_highlight(dark):
    s = theme.scheme(dark)
    plain = options(projector_ranking(TOWNS, "labor.employed", title="排名", unit="人", dark=dark))["series"][0]["data"]
    assert {d["itemStyle"]["color"] for d in plain} == {s["bar"]}
    assert all("borderWidth" not in d["itemStyle"] for d in plain)
    picked = options(projector_ranking(TOWNS, "labor.employed", title="排名", unit="人", dark=dark, highlight="庆远镇"))
    data = picked["series"][0]["data"]
    assert {d["name"] for d in data if d["itemStyle"]["color"] != s["bar"]} == {"庆远镇"}
    (top,) = [d for d in data if d["name"] == "庆远镇"]
    assert top["itemStyle"] == {"color": s["bar_highlight"], "borderColor": s["font_colour"], "borderWidth": 2}
    # Values, labels and tooltips as without a highlight; still plain JSON.
    strip = lambda rows: [{k: v for k, v in d.items() if k != "itemStyle"} for d in rows]  # noqa: E731
    assert strip(data) == strip(plain)
    assert not picked["legend"][0]["show"]
    json.dumps(picked, allow_nan=False)


@pytest.mark.parametrize(
    "chart",
    [
        completion_gauge(Decimal("65.07"), title="完成率", pace=Decimal("75.07")),
        completion_gauge(None, title="完成率", dark=True),
        projector_ranking(TOWNS, "labor.employment_rate", title="各乡镇就业率排名", unit="%", dark=True),
    ],
    ids=["gauge", "gauge-empty", "ranking"],
)
def test_echarts_are_plain_json(chart):
    dumped = chart.dump_options()
    assert "function" not in dumped and "--x_x--" not in dumped and "=>" not in dumped
    o = options(chart)
    json.dumps(o, allow_nan=False)  # what Streamlit sends: strict JSON
    assert not any(s.get("type") in ("map", "custom") for s in o["series"]) and "geo" not in o


def test_streamlit_accepts_the_echarts():
    """Run Streamlit's own spec check (private: skipped if it moves)."""
    module = pytest.importorskip("streamlit.elements.echarts_chart")
    normalize = getattr(module, "_normalize_spec", None)
    enables = getattr(module, "_enables_selection", None)
    if normalize is None or enables is None:
        pytest.skip("streamlit's ECharts spec check moved")
    option, _ = normalize(projector_ranking(TOWNS, "labor.employed", title="排名", unit="人"))
    assert enables(option)
    normalize(completion_gauge(50, title="完成率", pace=40))


# ---------------------------------------------------------------------------- layering
