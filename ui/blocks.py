"""Building blocks the pages share: the page header, a row of headline metrics with
their change since last month, a chart with its export settings, the drill-down
chart (townships → villages → people) and the people table."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import streamlit as st

from charts import image_config, ranked_bar
from ledger.present.format import show
from ledger.present.frames import figure_table
from ledger.query.definitions import BY_KEY, figure
from ledger.query.statements import month_end

from .data import Ledger
from .downloads import chart_downloads, table_downloads
from .sidebar import View, breadcrumb, pick_key, remember_labels
from .text import plain

# A fall in these is good news: shown green, not red.
LOWER_IS_BETTER = {"labor.unemployed", "labor.poor_unemployed", "labor.unemployed_wanting_work", "households.none_employed"}


def page_header(page: str, title: str, view: View) -> None:
    st.title(plain(title))
    if view.reported is not None:
        st.warning(
            plain(f"正在查看{view.month_label}的{view.basis}：报送时的台账，不含之后的更正。"
                  "报送数与当前数据的差异见“月度报送”页。"),
            icon=":material/lock:",
        )
    st.caption(plain(view.caliber))
    breadcrumb(page, view)
    if view.as_of is None:
        st.info("台账中还没有数据。请用 `python -m ledger import 工作簿.xlsx` 导入台账。")
        st.stop()


def previous_month(data: Ledger, view: View) -> dt.date | None:
    months = [m for m in data.months() if m < view.month]
    return month_end(months[-1]) if months else None


def _delta(key: str, now, before) -> str | None:
    if now is None or before is None:
        return None
    fig = figure(key)
    diff = Decimal(now) - Decimal(before)
    if fig.agg == "ratio":
        return f"{diff:+.2f}个百分点"
    if fig.in_wan:
        return f"{diff / 10000:+,.2f}万元"
    if fig.money:
        return f"{diff:+,.2f}元"
    return f"{int(diff):+,}{fig.unit}"


def metric_row(data: Ledger, view: View, keys: list[str], *, per_row: int = 4, compare: bool = True) -> dict:
    """Headline figures with 环比 (change since the previous month's figures)."""
    fs = data.figures(view.as_of, view.township, keys, poor_only=view.poor_only, village=view.village)
    before = previous_month(data, view) if compare else None
    old = data.figures(before, view.township, keys, poor_only=view.poor_only, village=view.village) if before else None
    for start in range(0, len(keys), per_row):
        cols = st.columns(per_row)
        for col, key in zip(cols, keys[start : start + per_row]):
            delta = _delta(key, fs.values[key], old.values[key]) if old else None
            col.metric(
                figure(key).label,
                show(figure(key), fs.values[key]),
                delta=delta,
                delta_color="inverse" if key in LOWER_IS_BETTER else "normal",
                help=f"指标代码 {key}" + ("；变化为较上月" if delta else ""),
            )
    return fs.values


def chart(fig, *, key: str, filename: str, select: bool = False, view: View | None = None, data=None, keys=None):
    """A plotly chart with the PNG export button set up; bars can be clicked to drill.
    With ``view``, download buttons follow: the image rendered on the server with the
    口径 line as caption, and with ``data``/``keys`` the chart's figures as Excel."""
    kwargs = {"on_select": "rerun", "selection_mode": "points"} if select else {}
    # theme=None: the figure keeps its own fonts and colours (the same in exports).
    event = st.plotly_chart(fig, key=key, config=image_config(filename), width="stretch", theme=None, **kwargs)
    if view is not None:
        # The figure's title is escaped for plotly (charts.chart_text); Excel gets the text.
        title = html.unescape(fig.layout.title.text or "") or filename
        if data is not None and keys is None:
            keys = [c for c in data.columns if c in BY_KEY]
        table = figure_table(data, keys) if data is not None else None
        chart_downloads(fig, key=f"{key}_dl", name=filename, title=title, caption=view.caliber, table=table)
    return event


def file_stub(view: View, what: str) -> str:
    return f"{view.place.replace(' ', '_')}_{what}_{view.month_label}"


def drill_chart(page: str, data: Ledger, view: View, key: str, *, title: str, what: str) -> None:
    """District: townships ranked, a click opens one. Township: its villages ranked, a
    click opens one. Village: the people behind the figure."""
    fig_ = figure(key)
    unit = "万元" if fig_.in_wan else fig_.unit
    if view.level == "village":
        if has_people(key):
            people_table(page, data, view, key)
        else:
            st.info(f"“{fig_.label}”是汇总数，没有逐人名单；可在“总览”查看本村劳动力名单。")
        return
    by = "township" if view.level == "district" else "village"
    rows = data.breakdown([key], view.as_of, by=by, township=view.township, poor_only=view.poor_only)
    place = "各乡镇" if by == "township" else f"{view.township}各村"
    fig = ranked_bar(rows, key, category=by, title=f"{place}{title}", unit=unit, money=fig_.in_wan)
    chart(fig, key=pick_key(page, by, key), filename=file_stub(view, f"{place}{title}"), select=True, view=view, data=rows, keys=[key])
    st.caption("点击柱形可查看下一级（乡镇 → 村 → 人员名单）。")


def has_people(key: str) -> bool:
    """Whether a figure counts ledger rows that a people list can show."""
    fig = figure(key)
    return fig.agg == "count" and fig.table in ("labor", "posts", "training", "subsidies")


def breakdown_table(page: str, data: Ledger, view: View, keys: list[str], *, selectable: bool = True) -> None:
    """Figures of each township (or village) with the 合计 row; selecting a row drills down."""
    if view.level == "village":
        return
    by = "township" if view.level == "district" else "village"
    rows = data.breakdown(keys, view.as_of, by=by, township=view.township, poor_only=view.poor_only)
    total = data.figures(view.as_of, view.township, keys, poor_only=view.poor_only)
    table = figure_table(rows, keys, total)
    key = pick_key(page, by, "table")
    name = file_stub(view, "各乡镇情况" if by == "township" else "各村情况")
    table_downloads(table, key=f"{key}_dl", name=name, title=name.replace("_", " "), caption=view.caliber)
    if selectable:
        remember_labels(key, list(table.iloc[:, 1 if by == "village" else 0]))
        st.dataframe(table, hide_index=True, width="stretch", key=key, on_select="rerun", selection_mode="single-row")
        st.caption("选中一行可查看下一级。")
    else:
        st.dataframe(table, hide_index=True, width="stretch")


def people_table(page: str, data: Ledger, view: View, key: str, *, filters: dict | None = None, title: str | None = None) -> None:
    """The ledger rows behind a figure (花名册), ID and phone numbers masked."""
    people = data.people(key, view.as_of, township=view.township, village=view.village, poor_only=view.poor_only, filters=filters)
    label = title or figure(key).label
    st.subheader(plain(f"{view.place} {label}名单（{len(people):,}人）"))
    st.dataframe(people, hide_index=True, width="stretch", key=f"{page}_people_{key}")
    table_downloads(
        people, key=f"{page}_people_{key}_dl", name=file_stub(view, f"{label}名单"), title=f"{view.place} {label}名单",
        caption=view.caliber + "证件号码、联系电话已脱敏。",
    )
