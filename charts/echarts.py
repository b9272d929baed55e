"""ECharts figures (pyecharts) for ``st.echarts_chart``: the projector view and gauges.

Streamlit renders these with its bundled ECharts from the options alone, so everything
here is plain JSON: string-template formatters, never ``JsCode``, and no map series
(both are refused). pyecharts' own HTML loads ECharts from the internet; it is never
used. A theme name is not part of the options either, so the dark view sets its
colours explicitly.

Names are drawn on the canvas as plain text (no ``rich`` styles on them), except in a
string tooltip formatter, which ECharts sets as HTML: names go there through
``chart_text``.
"""

from __future__ import annotations

import json
import math

import pandas as pd
from pyecharts import options as opts
from pyecharts.charts import Bar, Gauge
from pyecharts.charts.base import Base

from .theme import FONT_FAMILY, RAG_COLOURS, UNIT_NOUNS, bar_colours, chart_text, number, rag, scheme, wan

# Options of pyecharts' defaults that would pin the text to a font without Chinese.
_TEXT = {"fontFamily": FONT_FAMILY}


def options(chart: Base) -> dict:
    """The chart's ECharts option as Streamlit receives it (for tests and exports)."""
    return json.loads(chart.dump_options())


def _style(chart: Base, dark: bool) -> None:
    s = scheme(dark)
    chart.options["textStyle"] = dict(_TEXT, color=s["font_colour"])
    chart.options["backgroundColor"] = s["paper"]


def _title(title: str, dark: bool, size: int) -> opts.TitleOpts:
    s = scheme(dark)
    return opts.TitleOpts(
        title=title,
        pos_left="center",
        title_textstyle_opts=opts.TextStyleOpts(color=s["font_colour"], font_size=size, font_family=FONT_FAMILY),
    )


def completion_gauge(completion, *, title: str, pace=None, dark: bool = False) -> Gauge:
    """A dial of a target's completion (%). The rim is red / amber / green exactly where
    ``rag`` turns (pace − 10 and pace; no pace means the target itself, 100 %), the
    needle and the value wear the colour of the value, and the line under the value
    gives the pace (时间进度) the completion is held to."""
    s = scheme(dark)
    done = number(completion)
    bar = number(pace)
    bar = 100.0 if bar is None else bar
    top = max(100.0, math.ceil((done or 0) / 20) * 20)
    amber_from, green_from = max(0.0, bar - 10), max(0.0, bar)
    colour = RAG_COLOURS[rag(completion, bar)] if done is not None else s["axis"]
    # The text is written out here, not left to ECharts' "{value}", so it shows two
    # decimals (68.50%) like every other chart.
    shown = f"{done:.2f}%" if done is not None else "无数据"
    below = f"时间进度 {bar:.2f}%" if pace is not None else "目标 100%"
    chart = Gauge(init_opts=opts.InitOpts(bg_color=s["paper"]))
    chart.add(
        "完成率",
        [("完成率", round(done, 2) if done is not None else 0)],
        min_=0,
        max_=top,
        split_number=int(top // 20),
        radius="88%",
        center=["50%", "58%"],
        title_label_opts=opts.GaugeTitleOpts(
            offset_center=["0%", "25%"], color=s["font_colour"], font_size=s["font_size"] + 2, font_family=FONT_FAMILY,
        ),
        detail_label_opts=opts.GaugeDetailOpts(
            formatter=f"{{v|{shown}}}\n{{p|{below}}}",
            offset_center=["0%", "62%"],
            color=colour,
            font_family=FONT_FAMILY,
            is_value_animation=False,
            rich={
                "v": {"fontSize": s["font_size"] + 14, "fontWeight": "bold", "color": colour, "lineHeight": s["font_size"] + 22, "fontFamily": FONT_FAMILY},
                "p": {"fontSize": s["font_size"] + 1, "color": s["font_colour"], "lineHeight": s["font_size"] + 8, "fontFamily": FONT_FAMILY},
            },
        ),
        axisline_opts=opts.AxisLineOpts(
            linestyle_opts=opts.LineStyleOpts(
                width=16,
                color=[
                    [round(amber_from / top, 4), RAG_COLOURS["red"]],
                    [round(min(green_from / top, 1.0), 4), RAG_COLOURS["amber"]],
                    [1, RAG_COLOURS["green"]],
                ],
            )
        ),
        axislabel_opts=opts.LabelOpts(color=s["font_colour"], font_size=s["font_size"] - 1, formatter="{value}%", distance=22),
        itemstyle_opts=opts.ItemStyleOpts(color=colour),
    )
    # Ticks drawn on the coloured rim, so they never cross the labels inside it;
    # pyecharts' Gauge.add has no argument for the split lines.
    series = chart.options["series"][0]
    series["splitLine"] = {"distance": -16, "length": 16, "lineStyle": {"color": s["paper"], "width": 2}}
    series["axisTick"] = {"distance": -16, "length": 5, "lineStyle": {"color": s["paper"], "width": 1}}
    chart.set_global_opts(title_opts=_title(title, dark, s["font_size"] + 6), legend_opts=opts.LegendOpts(is_show=False))
    _style(chart, dark)
    return chart


def projector_ranking(
    df: pd.DataFrame,
    value: str,
    *,
    category: str = "township",
    title: str,
    unit: str,
    label: str | None = None,
    money: bool = False,
    highlight: str | None = None,
    dark: bool = False,
) -> Bar:
    """Categories ranked by ``value`` for the projector: horizontal bars, largest on top,
    large type, all bars in one colour (``theme.bar_colours``, as ``ranked_bar``) with
    the value at the end; ``highlight`` names one category (as in ``df[category]``)
    drawn in the scheme's highlight colour with an outline. The series has
    ``selectedMode`` "single", so ``st.echarts_chart(..., on_select="rerun")`` reports
    a click as ``data_indices`` into this ranked order (the category is ``data[i].name``).
    ``label`` names the value axis (default: the unit's noun, e.g. 人数)."""
    missing = [c for c in (category, value) if c not in df.columns]
    if missing:
        raise KeyError(f"Column {', '.join(missing)} is missing from the data (it has: {', '.join(map(str, df.columns))}).")
    if money and unit != "万元":
        raise ValueError(f"money=True shows yuan as 万元; unit must be '万元', not {unit!r}.")
    s = scheme(dark)
    big = s["font_size"] + 4  # the projector: readable from the back of the room
    names = [str(n) for n in df[category].tolist()]
    vals = [wan(v) if money else number(v) for v in df[value].tolist()]
    order = sorted(range(len(vals)), key=lambda i: (vals[i] is None, -(vals[i] or 0.0)))
    names, vals = [names[i] for i in order], [vals[i] for i in order]
    decimals = 2 if money or unit == "%" or any(v is not None and not float(v).is_integer() for v in vals) else 0
    suffix = "%" if unit == "%" else f" {unit}"
    data = []
    picked = s["bar_highlight"]
    for n, v, c in zip(names, vals, bar_colours(names, highlight, dark)):
        # Each bar's label and tooltip are written out here (ECharts' "{c}" would print
        # 93.4 for 93.40 and no thousands separators). "-" is ECharts' empty value;
        # pyecharts would drop a None. The tooltip is HTML: the name goes in escaped.
        text = f"{v:,.{decimals}f}{suffix}" if v is not None else "无数据"
        data.append(
            {
                "name": n,
                "value": (round(v, decimals) if decimals else int(round(v))) if v is not None else "-",
                "itemStyle": {"color": c, "borderColor": s["font_colour"], "borderWidth": 2} if c == picked else {"color": c},
                "label": {"formatter": text},
                "tooltip": {"formatter": f"{chart_text(n)}：{text}"},
            }
        )
    chart = Bar(init_opts=opts.InitOpts(bg_color=s["paper"]))
    chart.add_xaxis(names)
    chart.add_yaxis(
        title,
        data,
        bar_max_width=36,
        category_gap="30%",
        label_opts=opts.LabelOpts(
            is_show=True, position="right", color=s["font_colour"], font_size=big,
        ),
        select_opts=opts.SelectOpts(itemstyle_opts=opts.ItemStyleOpts(border_color=s["font_colour"], border_width=3)),
    )
    chart.set_global_opts(
        title_opts=_title(title, dark, big + 6),
        legend_opts=opts.LegendOpts(is_show=False),
        tooltip_opts=opts.TooltipOpts(trigger="item", textstyle_opts=opts.TextStyleOpts(font_size=big, font_family=FONT_FAMILY)),
        xaxis_opts=opts.AxisOpts(
            type_="value",
            name=f"{label or UNIT_NOUNS.get(unit, '数值')}（{unit}）",
            name_textstyle_opts=opts.TextStyleOpts(color=s["font_colour"], font_size=big - 2),
            axislabel_opts=opts.LabelOpts(color=s["font_colour"], font_size=big - 2),
            splitline_opts=opts.SplitLineOpts(is_show=True, linestyle_opts=opts.LineStyleOpts(color=s["grid"])),
        ),
        yaxis_opts=opts.AxisOpts(
            type_="category",
            is_inverse=True,
            axislabel_opts=opts.LabelOpts(color=s["font_colour"], font_size=big, interval=0),
            splitline_opts=opts.SplitLineOpts(is_show=False),
            axisline_opts=opts.AxisLineOpts(linestyle_opts=opts.LineStyleOpts(color=s["axis"])),
        ),
    )
    # After the axis options: set_global_opts would overwrite the moved category data.
    chart.reversal_axis()
    chart.options["grid"] = {"left": 16, "right": 96, "top": 72, "bottom": 24, "containLabel": True}
    # Streamlit's selection needs selectedMode on the series; pyecharts has no argument.
    chart.options["series"][0]["selectedMode"] = "single"
    _style(chart, dark)
    return chart
