"""The view every page shares: as-of month, township, village (the drill level) and
建档立卡-only, kept in the URL so a township head can bookmark their view and a
leader can send a link, and in the session so it survives a change of page.

Precedence on each run: a drill-down pick from a chart or table, then the widget,
then the URL, then the session, then the default. An unknown value in the URL falls
back to the default with a notice.

The choices are the account's: a township head is offered only their own townships
(no 全区), and a township from the URL, the session or a drill-down pick outside them
is never taken. This only spares the reader an empty page: the rows are kept out
below, where ``ui.data.Ledger`` binds every request to the account's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from ledger.present.caliber import basis_text, caliber
from ledger.present.format import month_label
from ledger.query.request import Basis, Request, townships, villages
from ledger.query.statements import month_end
from ledger.store.freezes import latest_freeze

from .data import Ledger
from .text import plain

ALL = "全区"
PICK = "_pick_"  # widget keys of charts and tables whose selection drills down


@dataclass
class View:
    """What the sidebar chose; ``request`` is how the page asks the ledger for it."""

    as_of: dt.date | None
    month: str | None
    township: str | None  # None: the whole district
    village: str | None = None
    poor_only: bool = False
    reported: dict | None = None  # the freeze whose 已报送 ledger is shown; None: today's
    whole_district: bool = True  # whether the account may see the district as a whole (全区)

    @property
    def request(self) -> Request:
        basis = None
        if self.reported is not None:
            basis = Basis(self.reported["log_id"], self.reported["frozen_by"], self.reported["frozen_at"])
        return Request(self.as_of, self.township, self.village, self.poor_only, basis=basis)

    @property
    def basis(self) -> str:
        """数据口径 in words: today's ledger, or the one a month was reported from."""
        return basis_text(self.request)

    @property
    def level(self) -> str:
        """district → township → village (the people behind the numbers)."""
        return self.request.level

    @property
    def place(self) -> str:
        return self.request.place

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def caliber(self) -> str:
        """口径 of the page (every sheet), in the words every export uses."""
        return caliber(self.request)


def townships_of(data: Ledger) -> list[str]:
    """The sidebar's choices: 全区 and every township for a district role, only its own
    townships for a township head (the query layer would return nothing of the others)."""
    names = data.read(townships, Request(None))
    scope = data.bound(Request(None)).scope
    if scope.is_district:
        return [ALL] + names
    return [n for n in names if scope.allows(n)] or sorted(scope.townships)


def _from_url(param: str, options: list[str], label: str) -> str | None:
    """The URL's value if it is one of ``options``; otherwise a notice and None. The
    notice does not repeat the value: a township outside the account's view is not
    named back to it."""
    value = st.query_params.get(param)
    if value is None:
        return None
    if value not in options:
        st.toast(f"链接中的{label}不存在或不在您的查看范围内，已改为默认值")
        return None
    return value


def pick_key(page: str, target: str, suffix: str = "") -> str:
    """The widget key of a chart or table whose selection sets ``target`` (township or village)."""
    return f"{page}{PICK}{target}_{suffix}"


def remember_labels(key: str, labels: list[str]) -> None:
    """A table's row labels, so its row selection can be read on the next run."""
    st.session_state[f"{key}__labels"] = list(labels)


def _picked(key: str) -> str | None:
    state = st.session_state.get(key)
    if not state:
        return None
    selection = state.get("selection", state) if isinstance(state, dict) else getattr(state, "selection", None)
    if selection is None:
        return None
    points = selection.get("points") if isinstance(selection, dict) else getattr(selection, "points", None)
    if points:
        point = points[0]
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom:
            return str(custom[0])
        if isinstance(custom, str):
            return custom
        return str(point.get("x") if isinstance(point.get("x"), str) else point.get("y"))
    rows = selection.get("rows") if isinstance(selection, dict) else getattr(selection, "rows", None)
    labels = st.session_state.get(f"{key}__labels")
    if rows and labels and rows[0] < len(labels):
        return labels[rows[0]]
    return None


def _consume_picks(page: str, towns: list[str]) -> None:
    """Apply a bar click or row selection of the last run: one level down. A township
    that is not among the account's ``towns`` is ignored (a crafted selection); a
    village is checked against the township's villages once the view is known."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{page}{PICK}")]:
        if key.endswith("__labels"):
            continue
        value = _picked(key)
        if value is None:
            continue
        target = key[len(page) + len(PICK) :].split("_", 1)[0]
        if target == "township" and value in towns and value != ALL:
            st.session_state[f"{page}_township"] = value
            st.session_state["view_village"] = None
        elif target == "village":
            st.session_state["view_village"] = value
        del st.session_state[key]


def go_up(page: str, level: str) -> None:
    """Breadcrumb: back to the district or to the township."""
    st.session_state["view_village"] = None
    if level == "district":
        st.session_state[f"{page}_township"] = ALL
        st.session_state["view_township"] = ALL


BASES = ["当前数据", "已报送数据"]


def _basis_radio(page: str, frozen: dict) -> bool:
    """当前数据 / 已报送数据, for a month that has been frozen; kept in the URL as
    ``basis=reported`` and in the session across pages."""
    key = f"{page}_basis"
    if key not in st.session_state:
        wanted = st.query_params.get("basis") == "reported" if "basis" in st.query_params else st.session_state.get("view_basis", False)
        st.session_state[key] = BASES[1] if wanted else BASES[0]
    choice = st.radio(
        "数据口径", BASES, key=key, horizontal=True,
        help=plain(f"本月已于{frozen['frozen_at']:%Y-%m-%d %H:%M}由{frozen['frozen_by']}报送。"
                   "“已报送数据”显示报送时的台账；“当前数据”含报送后的更正。"),
    )
    return choice == BASES[1]


def scope_sidebar(data: Ledger, page: str, *, poor_toggle: bool = True, drill: bool = True, basis: bool = True) -> View:
    months = data.months()
    towns = townships_of(data)
    if drill:
        _consume_picks(page, towns)
    with st.sidebar:
        st.header("查看范围")
        if not months:
            return View(None, None, None)
        month_key, town_key, poor_key = f"{page}_month", f"{page}_township", f"{page}_poor"
        if month_key not in st.session_state:
            st.session_state[month_key] = _from_url("month", months, "月份") or st.session_state.get("view_month") or months[-1]
            if st.session_state[month_key] not in months:
                st.session_state[month_key] = months[-1]
        if town_key not in st.session_state:
            town = _from_url("township", towns, "乡镇") or st.session_state.get("view_township") or towns[0]
            st.session_state[town_key] = town if town in towns else towns[0]
            if "village" in st.query_params:
                st.session_state["view_village"] = st.query_params["village"]
        if st.session_state[town_key] not in towns:  # a township of another account, or an edited state
            st.session_state[town_key] = towns[0]
            st.session_state["view_village"] = None
        month = st.selectbox(
            "统计月份", months[::-1], format_func=month_label, key=month_key
        )
        # One township (a township head's): shown, not to be changed.
        town = st.selectbox("乡镇", towns, key=town_key, on_change=lambda: st.session_state.update(view_village=None),
                            disabled=len(towns) == 1)
        poor = False
        if poor_toggle:
            if poor_key not in st.session_state:
                st.session_state[poor_key] = st.query_params.get("poor", "1" if st.session_state.get("view_poor") else "0") == "1"
            poor = st.toggle("只看建档立卡贫困劳动力", key=poor_key)
        frozen = latest_freeze(data.engine, month) if basis else None
        as_reported = _basis_radio(page, frozen) if frozen else False
    township = None if town == ALL else town
    village = st.session_state.get("view_village") if township else None
    whole = towns[0] == ALL
    view = View(month_end(month), month, township, village, poor, frozen if as_reported else None, whole)
    if village is not None and village not in data.read(villages, view.request):
        st.toast(plain(f"{township}没有链接或所选的村，已返回乡镇"))
        village = None
    st.session_state.update(view_month=month, view_township=town, view_poor=poor, view_village=village)
    if frozen:
        st.session_state["view_basis"] = as_reported
    _write_url(month=month, township=township, village=village, poor="1" if poor else None,
               basis="reported" if as_reported else None)
    return View(month_end(month), month, township, village, poor, frozen if as_reported else None, whole)


def _write_url(**params: str | None) -> None:
    for name, value in params.items():
        if value is None:
            st.query_params.pop(name, None)
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def breadcrumb(page: str, view: View) -> None:
    """全区 › 庆远镇 › 拉浪村, each part but the last a button one or two levels up; a
    township head's starts at their township (there is no 全区 to go up to)."""
    parts = [("全区", "district")] if view.whole_district or not view.township else []
    if view.township:
        parts.append((view.township, "township"))
    if view.village:
        parts.append((view.village, "village"))
    cols = st.columns([1] * len(parts) + [max(1, 8 - len(parts))])
    for i, (label, level) in enumerate(parts):
        last = i == len(parts) - 1
        cols[i].button(
            ("› " if i else "") + plain(label),
            key=f"{page}_crumb_{level}",
            disabled=last,
            on_click=go_up,
            args=(page, level),
            type="tertiary",
        )
