"""Presentation helpers: what a screen table shows for a missing value, and the two
number styles."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ledger.present.format import REPORT, SCREEN, delta, show, signed
from ledger.present.frames import on_screen
from ledger.store.figures import figure


def test_a_missing_value_reads_a_dash_whatever_its_kind():
    table = pd.DataFrame({
        "村": ["甲村", "乙村", "丙村"],
        "家庭人口数": pd.array([4, pd.NA, 5], dtype="Int64"),
        "就业率（%）": [88.5, float("nan"), 90.0],
        "备注": ["", None, "x"],
        "人数": [1, 2, 3],
    })
    shown = on_screen(table)
    assert list(shown["家庭人口数"]) == ["4", "—", "5"]
    assert list(shown["就业率（%）"]) == ["88.5", "—", "90"]
    assert list(shown["备注"]) == ["", "—", "x"]
    assert list(shown["人数"]) == [1, 2, 3] and shown["人数"].dtype == table["人数"].dtype
    assert table["家庭人口数"].isna().sum() == 1  # the download keeps its blank


def test_screen_and_report_styles():
    money, count, rate = figure("subsidy.total"), figure("labor.employed"), figure("labor.employment_rate")
    assert show(money, 313000, SCREEN) == "31.30万元" and show(money, 313000, REPORT) == "31.3万元"
    assert show(count, 41239, SCREEN) == "41,239人" and show(count, 41239, REPORT) == "41239人"
    assert show(rate, Decimal("88.51")) == "88.51%"
    assert signed(count, 12) == "+12人" and signed(money, -5000) == "-0.50万元"
    assert delta(rate, Decimal("89.48"), Decimal("88.51")) == "+0.97个百分点"
    assert delta(count, None, 3) is None
