"""Building blocks the pages share: the page header, a row of headline metrics with
their change since last month, a chart with its export settings, the catalogue's
charts of a page (townships → villages → people on a click), and the people table."""

from __future__ import annotations

import html
import zlib

import streamlit as st

import catalogue
from charts import image_config, progress_bar
from ledger.present.format import count, delta, show
from ledger.present.frames import figure_table, label, on_screen
from ledger.query import request as q
from ledger.query.statements import WORKSHOP_LINES, month_end, other_workshops
from ledger.store.figures import BY_KEY, figure

from .data import Ledger, ledger
from .downloads import chart_downloads, table_downloads
from .sidebar import View, breadcrumb, pick_key, remember_labels, scope_sidebar
from .text import plain

# On a phone Streamlit stacks columns one under another; headline figures read better
# two to a row, so the metric rows (containers keyed metrics_…) keep half-width columns.
PHONE_METRICS = """<style>
@media (max-width: 640px) {
  [class*="st-key-metrics_"] [data-testid="stHorizontalBlock"] {flex-direction: row; flex-wrap: wrap; gap: 0.75rem 1rem;}
  [class*="st-key-metrics_"] [data-testid="stColumn"] {flex: 1 1 calc(50% - 0.5rem) !important;
      min-width: calc(50% - 0.5rem) !important; width: calc(50% - 0.5rem) !important;}
}
</style>"""

# A fall in these is good news: shown green, not red.
LOWER_IS_BETTER = {"labor.unemployed", "labor.poor_unemployed", "labor.unemployed_wanting_work", "households.none_employed"}


def open_page(page: str, title: str, **sidebar) -> tuple[Ledger, View]:
    """Every ledger page starts so: the ledger, the sidebar's view (``sidebar`` are
    ``scope_sidebar``'s options) and the header with its 口径 and breadcrumb."""
    data = ledger(page)
    view = scope_sidebar(data, page, **sidebar)
    page_header(page, title, view)
    return data, view


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


def previous_month(data: Ledger, view: View):
    months = [m for m in data.months() if m < view.month]
    return month_end(months[-1]) if months else None


def metric_row(data: Ledger, view: View, keys: list[str], *, per_row: int = 4, compare: bool = True, request=None) -> dict:
    """Headline figures with 环比 (change since the previous month's figures); on a
    phone Streamlit stacks the columns, so each row holds two (``metric_grid``)."""
    request = request or view.request
    fs = data.figures(request, keys)
    before = previous_month(data, view) if compare else None
    old = data.figures(request.at(before), keys) if before else None
    st.html(PHONE_METRICS)
    box = st.container(key=f"metrics_{zlib.crc32(','.join(keys).encode())}")
    for start in range(0, len(keys), per_row):
        cols = box.columns(per_row)
        for col, key in zip(cols, keys[start : start + per_row]):
            fig = figure(key)
            change = delta(fig, fs.values[key], old.values[key]) if old else None
            col.metric(
                fig.label,
                show(fig, fs.values[key]),
                delta=change,
                delta_color="inverse" if key in LOWER_IS_BETTER else "normal",
                help=f"指标代码 {key}" + ("；变化为较上月" if change else ""),
            )
    return fs.values


def chart(fig, *, key: str, filename: str, select: bool = False, view: View | None = None, data=None, keys=None,
          table=None, title: str | None = None, caption: str | None = None):
    """A plotly chart with the PNG export button set up; bars can be clicked to drill.
    With ``view``, download buttons follow: the image rendered on the server with the
    口径 line (``caption``, the page's by default) as caption, and the chart's figures
    as Excel (``table``, or made from ``data``/``keys``)."""
    kwargs = {"on_select": "rerun", "selection_mode": "points"} if select else {}
    # theme=None: the figure keeps its own fonts and colours (the same in exports).
    event = st.plotly_chart(fig, key=key, config=image_config(filename), width="stretch", theme=None, **kwargs)
    if view is not None:
        # The figure's title is escaped for plotly (charts.chart_text); Excel gets the text.
        title = title or html.unescape(fig.layout.title.text or "") or filename
        if table is None and data is not None:
            table = figure_table(data, keys or [c for c in data.columns if c in BY_KEY])
        chart_downloads(fig, key=f"{key}_dl", name=filename, title=title, caption=caption or view.caliber, table=table)
    return event


def file_stub(view: View, what: str) -> str:
    return f"{view.place.replace(' ', '_')}_{what}_{view.month_label}"


def rendered_view(read, request, name: str, **style) -> catalogue.Shown:
    """The catalogue's view ``name`` rendered (rows, figure, table), as
    ``Ledger.built`` calls a builder: built once for every session that asks the same."""
    return catalogue.render(catalogue.view(name), request, read, **style)


def progress_chart(read, request, indicator: str):
    """目标考核's bar of each township's progress on ``indicator``, as ``Ledger.built``
    calls a builder."""
    rows = next(rows for name, rows, _ in read(q.targets, request) if name == indicator)
    return progress_bar(rows, title=f"各乡镇{indicator}完成情况")


def catalogue_chart(page: str, data: Ledger, view: View, name: str) -> None:
    """One chart of the catalogue. A ranked one drills down on a click (townships → a
    township's villages → at village level, the people behind the figure); a category
    one may list the people behind a bar."""
    v = catalogue.view(name)
    if v.by == "place" and view.level == "village":
        key = v.keys[0]
        if not data.people_lists:
            return  # the village's figures are in the metrics above; page_charts said why no list
        if has_people(key):
            people_table(page, data, view, key)
        else:
            st.info(f"“{figure(key).label}”是汇总数，没有逐人名单；可在“总览”查看本村劳动力名单。")
        return
    shown = data.built(rendered_view, view.request, name)
    widget = pick_key(page, shown.category, v.keys[0]) if v.by == "place" else f"{page}_{v.name}"
    stub = file_stub(view, shown.title.removeprefix(view.place).removeprefix(view.request.title_place))
    event = chart(shown.figure, key=widget, filename=stub, select=v.by == "place" or v.people_on_click, view=view,
                  table=shown.table, title=shown.title, caption=shown.caliber)
    if v.by == "place":
        st.caption("点击柱形可查看下一级（乡镇 → 村 → 人员名单）。")
    elif v.by == "workshop_month" and len(shown.data) and (rest := int(shown.data["workshops"].max())) > 1:
        st.caption(plain(f"图中为在岗人数最多的{WORKSHOP_LINES}个车间，其余{rest}个车间合计为虚线“{other_workshops(rest)}”；"
                         "下表列出全部车间。"))
    elif v.people_on_click:
        points = event.selection.points if event else []
        if points:
            value = points[0].get("x")
            people_table(page, data, view, v.keys[0], filters={shown.category: value},
                         title=f"{label(shown.category)}为“{value}”的{figure(v.keys[0]).label.removesuffix('人数')}人员")


def page_charts(page: str, data: Ledger, view: View, *, section: str | None = None, at_village: bool = False) -> None:
    """The catalogue's charts of ``page`` (or of one ``section`` of it), in its order:
    ranked and category charts two to a row, trends across the page. At village level
    ranked charts are left out, or (``at_village``) give way to the people behind
    their figure."""
    row: list[str] = []

    def flush():
        if row:
            for col, name in zip(st.columns(2), row):
                with col:
                    catalogue_chart(page, data, view, name)
            row.clear()

    views = catalogue.on(f"{page}#{section}" if section else page)
    if at_village and view.level == "village" and not data.people_lists and any(v.by == "place" for v in views):
        no_people_note(data)
    for v in views:
        if v.by == "place" and view.level == "village" and (not at_village or not data.people_lists):
            continue
        if v.by in ("month", "workshop_month") or (v.by == "place" and view.level == "village"):
            flush()
            catalogue_chart(page, data, view, v.name)
        else:
            row.append(v.name)
            if len(row) == 2:
                flush()
    flush()


def has_people(key: str) -> bool:
    """Whether a figure counts ledger rows that a people list can show."""
    fig = figure(key)
    return fig.agg == "count" and fig.table in ("labor", "posts", "training", "subsidies")


def breakdown_table(page: str, data: Ledger, view: View, keys: list[str], *, selectable: bool = True) -> None:
    """Figures of each township (or village) with the 合计 row; selecting a row drills down."""
    if view.level == "village":
        return
    by = view.request.by
    rows = data.breakdown(view.request, keys, by)
    total = data.figures(view.request, keys)
    table = figure_table(rows, keys, total)
    key = pick_key(page, by, "table")
    name = file_stub(view, "各乡镇情况" if by == "township" else "各村情况")
    table_downloads(table, key=f"{key}_dl", name=name, title=name.replace("_", " "), caption=view.caliber)
    if selectable:
        remember_labels(key, list(table.iloc[:, 1 if by == "village" else 0]))
        st.dataframe(on_screen(table), hide_index=True, width="stretch", key=key, on_select="rerun", selection_mode="single-row")
        st.caption("选中一行可查看下一级。")
    else:
        st.dataframe(on_screen(table), hide_index=True, width="stretch")


# What a masked list hides, in the words of ledger.access.masking's policy.
MASKED_NOTE = ("姓名只显示第一个字，证件号码只显示前6位和后4位，联系电话只显示前3位和后4位，"
               "备注、务工单位等文字中的号码和本名单人员姓名同样脱敏。")
# A people list is a township's or a village's (a township has a few thousand labourers):
# a province-wide click would otherwise hold a million rows in the page. The cap is the
# page's, not the ledger's: a list that reaches it says so and how to narrow it.
LIST_LIMIT = 20_000

NO_PEOPLE = "您的账号（{role}）无权查看人员信息：只显示汇总数字，不显示人员名单。"


def no_people_note(data: Ledger) -> None:
    """Where a list of people would be: why there is none for this account (a 材料员)."""
    st.info(plain(NO_PEOPLE.format(role=data.account.role.name)), icon=":material/visibility_off:")


def people_list_id(view: View, key: str, filters: dict | None = None) -> str:
    """The list's name in the audit log and in the session's revealed lists: the figure,
    the place and the category clicked (the month and the 建档立卡 toggle do not make a
    new list: a reason given for a list holds while the reader looks at it)."""
    return " ".join(x for x in (key, view.place, "、".join(f"{k}={v}" for k, v in sorted((filters or {}).items()))) if x)


def people_table(page: str, data: Ledger, view: View, key: str, *, filters: dict | None = None, title: str | None = None) -> None:
    """The ledger rows behind a figure (花名册), as the account may see them: in full
    (乡镇负责人, 数据管理员), masked with a way to reveal this one list after stating why
    (区领导), or not at all (材料员)."""
    if not data.people_lists:
        no_people_note(data)
        return
    list_id = people_list_id(view, key, filters)
    people = data.people(view.request, key, filters, list_id=list_id, limit=LIST_LIMIT + 1)
    masked = data.bound(view.request, revealed=data.revealed(list_id)).masked
    label = title or figure(key).label
    widget = f"{page}_people_{key}"
    cut = len(people) > LIST_LIMIT
    people = people.head(LIST_LIMIT)
    st.subheader(plain(f"{view.place} {label}名单（{'超过' if cut else ''}{count(len(people))}人）"))
    if cut:
        st.warning(f"名单超过{count(LIST_LIMIT)}人，只显示和下载按乡镇、村排序的前{count(LIST_LIMIT)}人；"
                   "请在左侧选择乡镇或村，或点击图中的乡镇，缩小范围后查看完整名单。")
    st.dataframe(on_screen(people), hide_index=True, width="stretch", key=widget)
    note = ("已脱敏：" + MASKED_NOTE) if masked else "完整个人信息，仅限工作使用，请勿外传；查看已记入审计日志。"
    st.caption(note)
    if masked and data.may_reveal():
        reveal_control(data, list_id, widget)
    table_downloads(
        people, key=f"{widget}_dl", name=file_stub(view, f"{label}名单"), title=f"{view.place} {label}名单",
        caption=view.caliber + ("人员信息已脱敏。" if masked else ""),
    )


def reveal_control(data: Ledger, list_id: str, widget: str) -> None:
    """查看完整信息: a 区领导 shows this one list unmasked (for this session) after
    giving a reason, which goes into the audit log with the list's name."""
    missing = f"{widget}_no_reason"
    with st.popover("查看完整信息", icon=":material/visibility:"):
        st.caption("完整信息只对本名单、本次登录有效；理由和查看人记入审计日志。")
        st.text_input("查看理由（必填）", key=f"{widget}_reason", placeholder="例如：核实某户就业情况", max_chars=200)
        st.button("确认查看", key=f"{widget}_reveal", type="primary", on_click=_reveal, args=(data, list_id, widget))
        if st.session_state.pop(missing, False):
            st.error("请填写查看理由。")


def _reveal(data: Ledger, list_id: str, widget: str) -> None:
    """The button's callback (it runs before the page, so the list shows in full at once)."""
    reason = str(st.session_state.get(f"{widget}_reason") or "").strip()
    if reason:
        data.reveal(list_id, reason)
    else:
        st.session_state[f"{widget}_no_reason"] = True
