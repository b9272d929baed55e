"""The sidebar every page shares: as-of month and township, kept in the URL so a view
can be bookmarked or sent as a link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from ledger.queries import month_end
from ledger.store import township_names

from .data import Ledger

ALL = "全区"


@dataclass
class View:
    as_of: dt.date | None
    month: str | None
    township: str | None  # None: the whole district

    @property
    def caliber(self) -> str:
        """口径: where the figures come from and what they count."""
        if self.month is None:
            return "数据来源：宜州区贫困劳动力就业台账（尚无数据）"
        return (
            f"口径：数据来源宜州区贫困劳动力就业台账；劳动力、扶贫车间为{self.month[:4]}年{int(self.month[5:])}月统计时点数据，"
            f"补贴、培训、岗位、输送为{self.as_of.year}年1月1日至{self.as_of.month}月{self.as_of.day}日累计；"
            f"范围：{self.township or '全区'}。"
        )


def _pick(param: str, options: list[str], default: str, label: str) -> str:
    value = st.query_params.get(param, default)
    if value not in options:
        st.toast(f"链接中的{label}“{value}”无效，已改为“{default}”")
        value = default
    return value


def scope_sidebar(data: Ledger, page: str) -> View:
    months = data.months()
    towns = [ALL] + township_names(data.engine)
    with st.sidebar:
        st.header("查看范围")
        if not months:
            return View(None, None, None)
        month = _pick("month", months, months[-1], "月份")
        month = st.selectbox(
            "统计月份",
            months[::-1],
            index=months[::-1].index(month),
            format_func=lambda m: f"{m[:4]}年{int(m[5:])}月",
            key=f"{page}_month",
        )
        town = _pick("township", towns, ALL, "乡镇")
        town = st.selectbox("乡镇", towns, index=towns.index(town), key=f"{page}_township")
    st.query_params["month"] = month
    if town == ALL:
        st.query_params.pop("township", None)
    else:
        st.query_params["township"] = town
    return View(month_end(month), month, None if town == ALL else town)
