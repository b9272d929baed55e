"""Plotly figures for the pages and the image exports: a query's DataFrame in, a figure out.

Every figure has a Chinese title, axis titles with their unit, Chinese hover text with
units, value labels worked out here (so a test can read them), and a layout that fills
whatever width it is given: no fixed width, margins that grow to fit the labels, the
legend under the plot. Money arrives in yuan and is shown in 万元 with 2 decimals.

Bars carry their category as the first ``customdata`` item, so a click selection in
Streamlit (``on_select="rerun"``, ``selection_mode="points"``) names the township,
village or category whatever the chart's orientation. Plotly reads HTML in every
text it draws, so names from the data are shown through ``chart_text`` (titles, ticks,
hover text, legend) while x, y and ``customdata`` keep the real names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

from .theme import (
    CATEGORY_NAMES,
    NO_DATA_GREY,
    OTHER_GREY,
    RAG_COLOURS,
    RAG_LABELS,
    UNIT_NOUNS,
    bar_colours,
    base_layout,
    chart_text,
    colours,
    number,
    rag,
    scheme,
    series_colours,
    template,
    wan,
)

#: Units of the target indicators (目标任务), for the progress chart's hover text.
INDICATOR_UNITS = {
    "贫困劳动力就业人数": "人",
    "贫困劳动力就业率": "%",
    "培训人次": "人次",
    "公益性岗位数": "个",
    "扶贫车间吸纳贫困劳动力": "人",
}

NO_DATA = "无数据"
_LABEL_BG = "rgba(255,255,255,0.8)"  # a reference line's label stays readable over a bar
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})")


# ---------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"Column {', '.join(missing)} is missing from the data (it has: {', '.join(map(str, df.columns))}).")


def _check_unit(unit: str, money: bool) -> str:
    if money and unit != "万元":
        raise ValueError(f"money=True shows yuan as 万元; unit must be '万元', not {unit!r}.")
    return unit


def _values(column: pd.Series, money: bool) -> list[float | None]:
    """Floats (or None) of a column of ints, Decimals, floats, None or NaN; yuan → 万元."""
    return [wan(v) if money else number(v) for v in column.tolist()]


def _decimals(values: list[float | None], unit: str, money: bool) -> int:
    if money or unit == "%":
        return 2
    return 0 if all(v is None or float(v).is_integer() for v in values) else 2


def _show(value: float | None, decimals: int, unit: str = "") -> str:
    """A value as the reader sees it: 1,234 人 · 2.89 万元 · 87.53%."""
    if value is None:
        return NO_DATA
    text = f"{value:,.{decimals}f}"
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _axis_title(name: str, unit: str) -> str:
    return f"{name}（{unit}）" if unit else name


def _value_axis_title(unit: str, label: str | None = None) -> str:
    return _axis_title(label or UNIT_NOUNS.get(unit, "数值"), unit)


def _category_title(category: str) -> str:
    return CATEGORY_NAMES.get(category, category)


def _names(column: pd.Series) -> list[str]:
    return ["（未填）" if v is None or (isinstance(v, float) and v != v) else str(v) for v in column.tolist()]


def _month_labels(months: list[str]) -> list[str]:
    """"2020-01" → "1月"; with months of more than one year, "2019年12月"."""
    parsed = [_MONTH.match(str(m)) for m in months]
    if not all(parsed):
        return [str(m) for m in months]
    one_year = len({p.group(1) for p in parsed}) == 1
    return [f"{int(p.group(2))}月" if one_year else f"{p.group(1)}年{int(p.group(2))}月" for p in parsed]


def _month_key(value) -> str:
    m = _MONTH.match(str(value))
    return f"{m.group(1)}-{int(m.group(2)):02d}" if m else str(value)


def _figure(title: str, dark: bool) -> go.Figure:
    layout = base_layout(dark)
    layout["title"] = dict(layout["title"], text=chart_text(title))
    # The template given to the constructor is taken as the (already validated) object;
    # update_layout(template=…) validates it again: 40 ms a chart, most of a page's time.
    return go.Figure(layout=dict(layout, template=template(dark)))


def _no_data(fig: go.Figure, dark: bool) -> go.Figure:
    fig.add_annotation(
        text="暂无数据", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
        font=dict(size=scheme(dark)["font_size"] + 2, color=NO_DATA_GREY),
    )
    return fig


def _value_axis(title: str, *, tozero: bool = True, values: Iterable[float | None] = (), whole: bool = False) -> dict:
    """A value axis. With ``values``, the range leaves room for the labels outside the
    bars, which plotly's autorange does not count; ``whole`` (counts) keeps small
    ranges from ticking at 0.5 人."""
    # ",.2~f": thousands separators, no SI suffix (12k is not how the district writes
    # 12,000), trailing zeros dropped so counts tick as integers.
    axis = dict(title=dict(text=title), tickformat=",.2~f", rangemode="tozero" if tozero else "normal")
    present = [v for v in values if v is not None]
    if present:
        low, high = min(0.0, *present), max(0.0, *present)
        pad = (high - low) * 0.18 or 1.0
        axis["range"] = [low - pad if low < 0 else 0, high + pad if high > 0 else 0]
        if whole and high - low <= 8:
            axis["dtick"] = 1
    return axis


def _category_axis(title: str, names: Iterable[str] = (), **extra) -> dict:
    # "category" so that village names such as "1组" or months never become numbers.
    axis = dict(title=dict(text=title), type="category", showgrid=False, **extra)
    # The data keep the real names (a click reads them back); a tick whose name plotly
    # would read as markup shows it escaped.
    names = list(names)
    shown = [chart_text(n) for n in names]
    if shown != names:
        axis |= dict(tickmode="array", tickvals=names, ticktext=shown)
    return axis


def _bar_height(n: int) -> int:
    """Horizontal bars: room for each label, however many categories."""
    return max(320, 30 * n + 150)


# ---------------------------------------------------------------------------- builders


def ranked_bar(
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
    horizontal: bool = False,
) -> go.Figure:
    """Categories (townships by default) ranked by ``value``, largest first, all bars in
    one colour (``theme.bar_colours``) with the value on each; rows without a value go
    last. The axis names the bars, so there is no legend.

    ``label`` names the value axis (default: the unit's noun, e.g. 人数); ``highlight``
    names one category (a township or village, as in ``df[category]``) drawn in the
    scheme's highlight colour with an outline, the others keeping the one colour; a
    name not in the data highlights nothing. A click selection returns the category as
    ``x`` (vertical) or ``y`` (horizontal) and as ``customdata[0]``."""
    _require(df, [category, value])
    unit = _check_unit(unit, money)
    fig = _figure(title, dark)
    names, vals = _names(df[category]), _values(df[value], money)
    order = sorted(range(len(vals)), key=lambda i: (vals[i] is None, -(vals[i] or 0.0)))
    names, vals = [names[i] for i in order], [vals[i] for i in order]
    decimals = _decimals(vals, unit, money)
    shown = [_show(v, decimals, unit) for v in vals]
    text = [_show(v, decimals) for v in vals]
    what = label or UNIT_NOUNS.get(unit, "数值")
    fills = bar_colours(names, highlight, dark)
    picked = scheme(dark)["bar_highlight"]
    bar = dict(
        # Colours, not an array of marker opacities (see ``theme.bar_colours``).
        marker=dict(
            color=fills,
            line=dict(width=[2 if c == picked else 0 for c in fills], color=scheme(dark)["font_colour"]),
        ),
        customdata=[[n, s] for n, s in zip(names, shown)],
        hovertext=[chart_text(n) for n in names],
        text=text,
        textposition="outside",
        cliponaxis=False,
        hovertemplate=f"%{{hovertext}}<br>{what}：%{{customdata[1]}}<extra></extra>",
        name=what,
        showlegend=False,
    )
    value_axis = _value_axis(_value_axis_title(unit, label), values=vals, whole=decimals == 0)
    category_axis = _category_title(category)
    if horizontal:
        fig.add_trace(go.Bar(x=vals, y=names, orientation="h", **bar))
        fig.update_layout(
            xaxis=value_axis,
            yaxis=_category_axis(category_axis, names, autorange="reversed"),
            height=_bar_height(len(names)),
        )
    else:
        fig.add_trace(go.Bar(x=names, y=vals, **bar))
        fig.update_layout(xaxis=_category_axis(category_axis, names), yaxis=value_axis)
    return fig if names else _no_data(fig, dark)


def grouped_bar(
    df: pd.DataFrame,
    values: Mapping[str, str],
    *,
    category: str = "township",
    title: str,
    unit: str,
    stacked: bool = False,
    money: bool = False,
    dark: bool = False,
) -> go.Figure:
    """Several figures per category, side by side (or stacked), one colour per series;
    ``values`` maps each column to its Chinese series name. Categories keep the
    DataFrame's order (townships in code order)."""
    _require(df, [category, *values])
    unit = _check_unit(unit, money)
    fig = _figure(title, dark)
    names = _names(df[category])
    series = {col: _values(df[col], money) for col in values}
    decimals = _decimals([v for vs in series.values() for v in vs], unit, money)
    for (col, label), c in zip(values.items(), series_colours(values.keys(), values.values())):
        vals = series[col]
        shown = [_show(v, decimals, unit) for v in vals]
        fig.add_trace(
            go.Bar(
                name=label,
                x=names,
                y=vals,
                marker=dict(color=c),
                customdata=[[n, s] for n, s in zip(names, shown)],
                hovertext=[chart_text(n) for n in names],
                text=[_show(v, decimals) for v in vals],
                textposition="inside" if stacked else "outside",
                cliponaxis=False,
                hovertemplate=f"%{{hovertext}}<br>{label}：%{{customdata[1]}}<extra></extra>",
            )
        )
    only = next(iter(values.values())) if len(values) == 1 else None
    fig.update_layout(
        barmode="stack" if stacked else "group",
        xaxis=_category_axis(_category_title(category), names),
        yaxis=_value_axis(
            _value_axis_title(unit, only),
            values=[sum(v or 0 for v in vs) for vs in zip(*series.values())] if stacked else [v for vs in series.values() for v in vs],
            whole=decimals == 0,
        ),
        showlegend=True,
    )
    return fig if names else _no_data(fig, dark)


def category_bar(
    df: pd.DataFrame,
    value: str,
    *,
    category: str,
    title: str,
    unit: str,
    money: bool = False,
) -> go.Figure:
    """How a figure spreads over a category column (就业方式, 务工区域, 补贴类型, 收入区间…):
    bars in the DataFrame's order, each in its category's colour, with the category's
    share of the total in the hover. A click returns the category as ``x``."""
    _require(df, [category, value])
    unit = _check_unit(unit, money)
    fig = _figure(title, False)
    names, vals = _names(df[category]), _values(df[value], money)
    total = sum(v for v in vals if v is not None)
    decimals = _decimals(vals, unit, money)
    shares = [NO_DATA if v is None or not total else f"{v * 100 / total:.2f}%" for v in vals]
    what = UNIT_NOUNS.get(unit, "数值")
    fig.add_trace(
        go.Bar(
            x=names,
            y=vals,
            marker=dict(color=colours(names)),
            customdata=[[n, _show(v, decimals, unit), s] for n, v, s in zip(names, vals, shares)],
            hovertext=[chart_text(n) for n in names],
            text=[_show(v, decimals) for v in vals],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{hovertext}}<br>{what}：%{{customdata[1]}}<br>占合计：%{{customdata[2]}}<extra></extra>",
            name=what,
            showlegend=False,
        )
    )
    fig.update_layout(xaxis=_category_axis(_category_title(category), names), yaxis=_value_axis(_value_axis_title(unit), values=vals, whole=decimals == 0))
    return fig if names else _no_data(fig, False)


def trend_line(
    df: pd.DataFrame,
    values: Mapping[str, str],
    *,
    title: str,
    unit: str,
    money: bool = False,
    dark: bool = False,
    percent: bool = False,
) -> go.Figure:
    """One line with markers per figure over the months of ``df["month"]`` ("2020-01"),
    shown as 1月…9月 (the month string stays in ``customdata[0]``). Counts and money
    start the axis at 0; ``percent`` lets a rate's axis fit its range."""
    _require(df, ["month", *values])
    unit = _check_unit(unit, money)
    fig = _figure(title, dark)
    frame = df.assign(_m=[_month_key(m) for m in df["month"]]).sort_values("_m", kind="stable")
    months = frame["_m"].tolist()
    labels = _month_labels(months)
    series = {col: _values(frame[col], money) for col in values}
    decimals = 2 if percent else _decimals([v for vs in series.values() for v in vs], unit, money)
    for (col, label), c in zip(values.items(), series_colours(values.keys(), values.values())):
        vals = series[col]
        fig.add_trace(
            go.Scatter(
                name=label,
                x=labels,
                y=vals,
                mode="lines+markers",
                line=dict(color=c, width=3),
                marker=dict(color=c, size=8),
                customdata=[[m, _show(v, decimals, unit)] for m, v in zip(months, vals)],
                hovertemplate=f"{label}：%{{customdata[1]}}<extra></extra>",
            )
        )
    only = next(iter(values.values())) if len(values) == 1 else None
    fig.update_layout(
        xaxis=_category_axis("月份"),
        yaxis=_value_axis(_value_axis_title(unit, only), tozero=not percent),
        hovermode="x unified",
        showlegend=True,
    )
    return fig if months else _no_data(fig, dark)


def progress_bar(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Completion (%) of one target indicator by township, best first, each bar red,
    amber or green by ``rag`` against its pace, with dashed lines at the pace (时间进度)
    and at 100 % (目标). Rows are ``ledger.query.targets.progress`` rows of one indicator."""
    _require(df, ["township", "completion", "pace"])
    if "indicator" in df.columns and df["indicator"].nunique() > 1:
        raise ValueError(f"progress_bar draws one indicator; the data has {', '.join(map(str, df['indicator'].unique()))}.")
    fig = _figure(title, False)
    indicator = str(df["indicator"].iloc[0]) if "indicator" in df.columns and len(df) else ""
    unit = INDICATOR_UNITS.get(indicator, "")
    rows = []
    for r in df.to_dict("records"):
        done, pace = number(r["completion"]), number(r["pace"])
        status = rag(r["completion"], r["pace"])
        needed = number(r.get("needed_per_month"))
        hover = [
            f"完成率：{_show(done, 2, '%')}",
            f"时间进度：{_show(pace if pace is not None else 100.0, 2, '%')}",
            f"状态：{RAG_LABELS[status] if done is not None else NO_DATA}",
        ]
        if "target" in r:
            target = number(r["target"])
            hover.insert(0, f"目标：{_show(target, _decimals([target], unit, False), unit)}")
        if "actual" in r:
            actual = number(r["actual"])
            hover.insert(1, f"完成：{_show(actual, _decimals([actual], unit, False), unit)}")
        if needed is not None and status != "green":
            hover.append(f"每月还需：{_show(needed, 0, unit)}")
        rows.append((str(r["township"]), done, pace, status, "<br>".join(hover)))
    rows.sort(key=lambda row: (row[1] is None, -(row[1] or 0.0)))
    names = [r[0] for r in rows]
    fig.add_trace(
        go.Bar(
            x=names,
            y=[r[1] for r in rows],
            marker=dict(color=[RAG_COLOURS[r[3]] if r[1] is not None else NO_DATA_GREY for r in rows]),
            customdata=[[r[0], r[3], r[4]] for r in rows],
            hovertext=[chart_text(n) for n in names],
            text=[_show(r[1], 2, "%") for r in rows],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{hovertext}<br>%{customdata[2]}<extra></extra>",
            name="完成率",
            showlegend=False,
        )
    )
    # The colour key as legend entries; markers without points draw nothing.
    for key in ("green", "amber", "red"):
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="markers", name=RAG_LABELS[key], hoverinfo="skip",
                       marker=dict(color=RAG_COLOURS[key], symbol="square", size=12))
        )
    paces = sorted({r[2] for r in rows if r[2] is not None})
    line_colour = scheme(False)["font_colour"]
    fig.add_hline(y=100, line=dict(dash="dash", color=line_colour, width=1.5),
                  annotation=dict(text="目标 100%", xanchor="left", x=0, yanchor="bottom", bgcolor=_LABEL_BG))
    if len(paces) == 1 and paces[0] != 100:
        fig.add_hline(y=paces[0], line=dict(dash="dash", color=RAG_COLOURS["amber"], width=1.5),
                      annotation=dict(text=f"时间进度 {paces[0]:.2f}%", xanchor="right", x=1, yanchor="bottom", bgcolor=_LABEL_BG))
    elif len(paces) > 1:
        fig.add_trace(
            go.Scatter(x=names, y=[r[2] for r in rows], mode="markers", name="时间进度",
                       marker=dict(symbol="line-ew-open", size=24, line=dict(width=3, color=RAG_COLOURS["amber"])),
                       hovertext=[chart_text(n) for n in names],
                       hovertemplate="%{hovertext}<br>时间进度：%{y:.2f}%<extra></extra>")
        )
    top = max([100.0, *[r[1] for r in rows if r[1] is not None]])
    fig.update_layout(
        xaxis=_category_axis("乡镇", names),
        yaxis=dict(_value_axis(_axis_title(f"{chart_text(indicator)}完成率" if indicator else "完成率", "%")), range=[0, top * 1.15]),
        showlegend=True,
    )
    return fig if rows else _no_data(fig, False)


def workshop_lines(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Each workshop's on-duty headcount month by month (``name``, ``month``, ``on_duty``):
    one line per workshop in its own colour, months shown as 1月…9月. Rows standing for
    several workshops (``workshops`` > 1: the sum of those left out of the chart) are
    one grey dashed line, drawn last."""
    _require(df, ["name", "month", "on_duty"])
    fig = _figure(title, False)
    summed = df["workshops"] > 1 if "workshops" in df else pd.Series(False, index=df.index)
    frame = df.assign(_m=[_month_key(m) for m in df["month"]], _n=_names(df["name"]), _rest=summed)
    months = sorted(set(frame["_m"]))
    labels = dict(zip(months, _month_labels(months)))
    own = list(dict.fromkeys(frame.loc[~frame["_rest"], "_n"]))
    rest = list(dict.fromkeys(frame.loc[frame["_rest"], "_n"]))
    # a line is a (name, summed or not) pair: a workshop that happens to be called 其他N个车间 keeps its own line
    lines = [(n, False) for n in own] + [(n, True) for n in rest]
    for (name, summed_line), c in zip(lines, colours(own) + [OTHER_GREY] * len(rest)):
        rows = frame[(frame["_n"] == name) & (frame["_rest"] == summed_line)].sort_values("_m", kind="stable")
        vals = _values(rows["on_duty"], False)
        fig.add_trace(
            go.Scatter(
                name=chart_text(name),
                x=[labels[m] for m in rows["_m"]],
                y=vals,
                mode="lines+markers",
                line=dict(color=c, width=2, **({"dash": "dash"} if summed_line else {})),
                marker=dict(color=c, size=7),
                customdata=[[m, chart_text(name), _show(v, 0, "人")] for m, v in zip(rows["_m"], vals)],
                hovertemplate="%{customdata[1]}<br>%{x}在岗：%{customdata[2]}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis=_category_axis("月份", categoryorder="array", categoryarray=[labels[m] for m in months]),
        yaxis=_value_axis(_value_axis_title("人", "在岗人数")),
        showlegend=True,
    )
    return fig if lines else _no_data(fig, False)
