"""One look for every chart: palette, category colours, fonts, templates, export config.

Where a colour identifies something (a line of a trend, a bar of a distribution), a
category keeps its colour in every chart, so a reader who learnt it once can follow
it. Where the bars only compare one figure (a ranking), they are all one colour, the
scheme's ``bar``, and a category the reader picked wears ``bar_highlight``; where the
bars are held to a target they are red / amber / green (``rag``). The category lists
are written out here rather than imported from ``loaders``: ``charts`` depends on
nothing of the project (tests check the two agree).
"""

from __future__ import annotations

import math
import re
import zlib
from decimal import Decimal, InvalidOperation

import plotly.graph_objects as go

from ledger.query.targets import RAG_TEXT, rag

# ---------------------------------------------------------------------------- fonts

#: Chinese-capable families, first found wins: the bundled/installed Noto Sans SC (or
#: Debian's Noto Sans CJK SC), then what Windows office PCs have, so an exported SVG
#: keeps Chinese text readable where it is opened.
FONT_FAMILIES = ("Noto Sans SC", "Noto Sans CJK SC", "Microsoft YaHei", "SimHei", "sans-serif")
FONT_FAMILY = ", ".join(f'"{f}"' if f != "sans-serif" else f for f in FONT_FAMILIES)

# ---------------------------------------------------------------------------- palette

#: The one palette. Saturated enough to read on a projector, dark enough to carry a
#: white label; greys are kept out of it because they mean "district-wide" and "other".
PALETTE: tuple[str, ...] = (
    "#4E79A7",  # blue
    "#F28E2B",  # orange
    "#59A14F",  # green
    "#E15759",  # red
    "#76B7B2",  # teal
    "#EDC948",  # yellow
    "#B07AA1",  # purple
    "#FF9DA7",  # pink
    "#9C755F",  # brown
    "#1F5F8B",  # dark blue
    "#C7622B",  # burnt orange
    "#7A9E2E",  # olive
    "#A6344F",  # raspberry
    "#2F8F83",  # dark teal
    "#6A5ACD",  # indigo
    "#C49A00",  # mustard
)
#: The one colour of ranked bars (the palette's first colour, which a single-series
#: chart wears too); Streamlit's primaryColor (#B22222) is a red, which in a chart would
#: read as the traffic light's 明显落后.
ACCENT = PALETTE[0]
DISTRICT_GREY = "#5F6B7A"  # 全区 / 全区（不分乡镇）
OTHER_GREY = "#A5A9B0"  # 其他 and unlabelled rows
NO_DATA_GREY = "#C9CDD2"

#: Traffic-light colours of target progress (see ``rag``); used for bars, gauges, text.
RAG_COLOURS = {"green": "#2E9E5B", "amber": "#F0A202", "red": "#D9363E"}
RAG_LABELS = RAG_TEXT  # the targets' one wording of each state

TOWNSHIPS = (
    "庆远镇", "三岔镇", "洛西镇", "怀远镇", "德胜镇", "石别镇", "北山镇", "刘三姐镇",
    "洛东镇", "祥贝乡", "屏南乡", "福龙瑶族乡", "北牙瑶族乡", "同德乡", "安马乡", "龙头乡",
)
DISTRICT_ROWS = ("全区", "全区（不分乡镇）", "宜州区")
OTHER_ROWS = ("其他", "（未分村）", "（未填）", "未填", "不详")
LABOR_MODES = ("外出务工", "扶贫车间", "公益性岗位", "自主创业", "灵活就业", "务农", "其他")
WORK_AREAS = ("乡镇内", "县内乡外", "省内县外", "省外", "国外")
SUBSIDY_TYPES = (
    "一次性交通补贴", "稳岗补贴", "防疫补贴", "企业吸纳就业补贴", "灵活就业社保补贴",
    "重点企业新增岗位社保补贴", "扶贫车间带动就业奖补", "公益性岗位补贴", "临时性公益岗位补贴",
    "短期技能培训以奖代补", "农村实用技术培训补助", "其他",
)
TRAINING_TYPES = ("职业技能培训", "短期技能培训", "农村实用技术培训", "创业培训", "其他")
ORGANISERS = ("人社部门", "扶贫部门", "农业农村部门", "其他")
POST_CATEGORIES = ("扶贫公益性岗位", "临时性公益岗位")


def _assign(names: tuple[str, ...], start: int = 0) -> dict[str, str]:
    """Palette colours in list order; 其他 always gets the neutral grey."""
    out, i = {}, start
    for name in names:
        if name in OTHER_ROWS:
            continue
        out[name] = PALETTE[i % len(PALETTE)]
        i += 1
    return out


def _fixed_colours() -> dict[str, str]:
    fixed: dict[str, str] = {}
    # Each dimension starts at a different place in the palette, so a mode and an area
    # shown on one page side by side do not read as the same thing.
    for names, start in (
        (TOWNSHIPS, 0),
        (LABOR_MODES, 0),
        (WORK_AREAS, 9),
        (SUBSIDY_TYPES, 3),
        (TRAINING_TYPES, 10),
        (ORGANISERS, 13),
        (POST_CATEGORIES, 9),
    ):
        for name, colour in _assign(names, start).items():
            fixed.setdefault(name, colour)
    fixed |= {name: DISTRICT_GREY for name in DISTRICT_ROWS}
    fixed |= {name: OTHER_GREY for name in OTHER_ROWS}
    return fixed


#: Every category with a fixed colour. Names in different dimensions may share a
#: palette colour (庆远镇 and 外出务工 never share a chart); a name is one colour.
CATEGORY_COLOURS: dict[str, str] = _fixed_colours()


def colour(name) -> str:
    """The colour of a category everywhere: fixed for the known ones, otherwise a
    stable pick from the palette by a CRC-32 of the name (Python's ``hash`` changes
    between processes, CRC-32 does not)."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return OTHER_GREY
    key = str(name)
    if key in CATEGORY_COLOURS:
        return CATEGORY_COLOURS[key]
    return PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def colours(names) -> list[str]:
    """Colours for the categories of one chart: ``colour`` of each, except that an
    unknown name whose hashed colour is already taken in this chart moves on to the
    next free palette colour, so a chart never shows two unknown categories alike."""
    names = list(names)
    out: list[str | None] = [None] * len(names)
    used: set[str] = set()
    for i, n in enumerate(names):
        if n is None or str(n) in CATEGORY_COLOURS:
            out[i] = colour(n)
            used.add(out[i])
    for i, n in enumerate(names):
        if out[i] is not None:
            continue
        c = colour(n)
        if c in used:
            start = PALETTE.index(c)
            free = [PALETTE[(start + k) % len(PALETTE)] for k in range(1, len(PALETTE))]
            c = next((f for f in free if f not in used), c)
        out[i] = c
        used.add(c)
    return out  # type: ignore[return-value]


def bar_colours(names, highlight=None, dark: bool = False) -> list[str]:
    """Colours of the bars of a ranking: every bar the scheme's ``bar`` colour, the one
    named ``highlight`` (if it is among ``names``) the scheme's ``bar_highlight``.
    Colours, not opacities: per-bar opacities next to bar labels break Plotly's click
    selection (plotly.js throws on selected.textfont)."""
    s = scheme(dark)
    key = None if highlight is None else str(highlight)
    return [s["bar_highlight"] if key is not None and str(n) == key else s["bar"] for n in names]


def faded(hex_colour: str, dark: bool = False, keep: float = 0.35) -> str:
    """``hex_colour`` mixed into the background, keeping ``keep`` of it: a colour that
    steps back (a colour, not an opacity, for the reason given in ``bar_colours``)."""
    back = scheme(dark)["paper"]
    mix = [
        round(int(hex_colour[i : i + 2], 16) * keep + int(back[i : i + 2], 16) * (1 - keep))
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02X}" for c in mix)


def series_colours(keys, labels) -> list[str]:
    """Colours for the series of a multi-series chart. A series that is itself a
    category (its label, or the last part of its figure key such as
    ``labor.mode.外出务工``) wears that category's colour; the others take palette
    colours in order, skipping those already worn."""
    keys, labels = list(keys), list(labels)
    out: list[str | None] = []
    for key, label in zip(keys, labels):
        tail = str(key).rsplit(".", 1)[-1]
        known = label if label in CATEGORY_COLOURS else tail if tail in CATEGORY_COLOURS else None
        out.append(CATEGORY_COLOURS[known] if known else None)
    used = {c for c in out if c}
    free = iter([c for c in PALETTE if c not in used] + list(PALETTE))
    return [c or next(free) for c in out]


# ---------------------------------------------------------------------------- words

#: Axis titles of the category columns the query layer returns.
CATEGORY_NAMES = {
    "township": "乡镇",
    "village": "村（社区）",
    "mode": "就业方式",
    "work_area": "务工区域",
    "subsidy_type": "补贴类型",
    "training_type": "培训类型",
    "organiser": "主办部门",
    "trade": "培训工种",
    "category": "岗位类别",
    "post": "岗位名称",
    "band": "月收入区间",
    "location": "用工地点",
    "destination": "输送目的地",
    "indicator": "目标指标",
    "name": "扶贫车间",
    "month": "月份",
}

#: The quantity an axis measures, by unit, when no label is given.
UNIT_NOUNS = {
    "人": "人数",
    "人次": "人次",
    "万元": "金额",
    "元": "金额",
    "%": "比例",
    "个": "数量",
    "家": "数量",
    "期": "期数",
    "批次": "批次",
    "条": "条数",
    "户": "户数",
}


# ---------------------------------------------------------------------------- text

# Plotly reads a subset of HTML (<a href>, <b>, <br>, <span style>) in every text it
# draws, and ECharts sets a string tooltip formatter as innerHTML; both decode these
# entities back to the characters, which are then drawn as text. "{" and "}" would
# start an ECharts template variable, "$…$" LaTeX where plotly finds MathJax.
_CHART_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;", "$": "&#36;"}
_CHART_SPECIAL = re.compile("[&<>{}$]")


def chart_text(text) -> str:
    """Text from data (a township, village or workshop name, a title with one in it)
    for a chart's titles, axis ticks, legend, hover and HTML tooltips: shown as the
    characters it is made of, never as markup."""
    return _CHART_SPECIAL.sub(lambda m: _CHART_ENTITIES[m.group()], "" if text is None else str(text))


# ---------------------------------------------------------------------------- status


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def rag_colour(completion, pace) -> str:
    """The colour of ``rag(completion, pace)``."""
    return RAG_COLOURS[rag(completion, pace)]


# ---------------------------------------------------------------------------- numbers


def number(value) -> float | None:
    """A DataFrame cell (int, numpy number, Decimal, None, NaN, pd.NA) as a float or None."""
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def wan(value) -> float | None:
    """Yuan → 万元, rounded to 2 decimals (28900 → 2.89); None stays None."""
    v = _decimal(value)
    if v is None:
        return None
    return float((v / 10000).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))


# ---------------------------------------------------------------------------- templates

LIGHT = {
    "font_size": 13,
    "font_colour": "#262730",
    "paper": "#FFFFFF",
    "plot": "#FFFFFF",
    "grid": "#E6E8EB",
    "axis": "#8A9099",
    # Ranked bars: one colour, the picked category darker (12:1 on white, 2.9:1
    # against the other bars), never a traffic-light colour or a grey.
    "bar": ACCENT,
    "bar_highlight": "#17324F",
}
#: The projector view: dark background (Streamlit's dark theme), larger text.
DARK = {
    "font_size": 16,
    "font_colour": "#F5F6F7",
    "paper": "#0E1117",
    "plot": "#0E1117",
    "grid": "#2F3540",
    "axis": "#8A9099",
    # On the dark background the picked bar is the light one (11:1 on the background,
    # 2.7:1 against the other bars).
    "bar": ACCENT,
    "bar_highlight": "#A9CCF5",
}


def scheme(dark: bool = False) -> dict:
    """The colour scheme (fonts, background, grid) of the light or dark view."""
    return DARK if dark else LIGHT


def base_layout(dark: bool = False) -> dict:
    """Layout every Plotly builder sets directly on its figure, not only through the
    template: Streamlit's theme rewrites the template's fonts and colours, but keeps
    what the figure's own layout says."""
    s = scheme(dark)
    axis = dict(
        automargin=True,
        gridcolor=s["grid"],
        linecolor=s["axis"],
        zerolinecolor=s["grid"],
        tickfont=dict(size=s["font_size"] - 1),
        title=dict(font=dict(size=s["font_size"])),
    )
    return dict(
        font=dict(family=FONT_FAMILY, size=s["font_size"], color=s["font_colour"]),
        paper_bgcolor=s["paper"],
        plot_bgcolor=s["plot"],
        separators=".,",
        # No width: the chart fills its container, from a 390 px phone to a projector.
        autosize=True,
        margin=dict(l=8, r=8, t=56, b=8, autoexpand=True),
        # The title sits under the modebar's row (top right), so on a phone the two
        # never overlap; automargin makes room for it.
        title=dict(
            x=0, xanchor="left", xref="container", y=1, yref="container", yanchor="top", pad=dict(t=30, l=8),
            automargin=True, font=dict(size=s["font_size"] + 4),
        ),
        legend=dict(orientation="h", x=0, xanchor="left", xref="container", y=0, yanchor="bottom", yref="container", title=dict(text="")),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=s["font_size"])),
        xaxis=axis,
        yaxis=dict(axis),
        uniformtext=dict(minsize=max(s["font_size"] - 4, 9), mode="hide"),
    )


def _template(dark: bool) -> go.layout.Template:
    layout = base_layout(dark)
    layout["colorway"] = list(PALETTE)
    return go.layout.Template(layout=layout)


#: Plotly templates of the light view and the projector's dark view.
LIGHT_TEMPLATE = _template(False)
DARK_TEMPLATE = _template(True)


def template(dark: bool = False) -> go.layout.Template:
    """The Plotly template of the light or the dark (projector) view."""
    return DARK_TEMPLATE if dark else LIGHT_TEMPLATE


# ---------------------------------------------------------------------------- export

# Plotly.js (as bundled in Streamlit) ships only English. A locale passed inline in
# the config ("locales") is used as if registered, so the modebar speaks Chinese
# without loading a locale script. Strings from plotly.js's zh-CN locale, plus those
# plotly.js 4 renamed ("Download plot as a PNG", "Preparing image ...").
ZH_CN = {
    "dictionary": {
        "Autoscale": "自动缩放",
        "Box Select": "矩形框选",
        "Compare data on hover": "悬停时比较数据",
        "Double-click on legend to isolate one trace": "双击图例来突显对应轨迹",
        "Double-click to zoom back out": "双击返回缩小显示",
        "Download plot as a PNG": "下载图片（PNG）",
        "Download plot as a png": "下载图片（PNG）",
        "Download plot": "下载图片",
        "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
        "Image download succeeded": "图片已下载",
        "Sorry, there was a problem downloading your image!": "抱歉，图片下载失败！",
        "Lasso Select": "套索选择",
        "Pan": "平移",
        "Produced with Plotly.js": "由Plotly.js生成",
        "Reset": "重置",
        "Reset axes": "重置轴",
        "Reset view": "重置视图",
        "Reset views": "重置视图",
        "Show closest data on hover": "悬停时显示最近的数据",
        "Snapshot succeeded": "生成快照成功",
        "Sorry, there was a problem downloading your snapshot!": "抱歉，下载快照出现问题！",
        "Taking snapshot - this may take a few seconds": "正在生成快照 - 可能需要几秒钟",
        "Toggle Spike Lines": "切换显示数据点辅助线",
        "Toggle show closest data on hover": "切换悬停时显示最近的数据点",
        "Zoom": "缩放",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "trace": "数据系列",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
        "shortMonths": ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
        "date": "%Y-%m-%d",
        "decimal": ".",
        "thousands": ",",
    },
}

_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def image_config(filename: str) -> dict:
    """The ``config`` for ``st.plotly_chart``: the modebar camera button saves a PNG at
    3× scale (sharp in a Word report or on a slide) under the given Chinese name,
    no Plotly logo, modebar in Chinese (locale zh-CN, defined inline: no script)."""
    # Plotly adds ".png"; characters Windows refuses in a file name become "_".
    name = str(filename).strip()
    name = name[:-4] if name.lower().endswith(".png") else name
    name = _UNSAFE_IN_FILENAME.sub("_", name).strip(" ._") or "图表"
    return {
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": name},
        "displaylogo": False,
        "locale": "zh-CN",
        "locales": {"zh-CN": ZH_CN},
    }
