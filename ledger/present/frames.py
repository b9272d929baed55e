"""Breakdowns as tables for people: Chinese headers, money in 万元, a 合计 row that is
the district's own figure (so a reader can check that the townships add up)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ledger.access.masking import is_few
from ledger.present.format import MISSING, cell, show, signed, unit
from ledger.query.statements import FigureSet
from ledger.store.figures import figure

TOTAL = "合计"


def header(key: str) -> str:
    fig = figure(key)
    return f"{fig.label}（{unit(fig)}）"


def label(column: str) -> str:
    """A grouping column's Chinese header: 乡镇, 村, 月份, or the ledger format's own."""
    from loaders.spec import SHEETS

    fixed = {
        "township": "乡镇", "village": "村", "month": "月份", "band": "月收入区间", "people": "人数（人）",
        "indicator": "指标", "key": "指标代码", "target": "目标", "actual": "完成", "completion": "完成率（%）",
        "pace": "进度要求（%）", "status": "状态", "rag": "红黄绿", "needed_per_month": "剩余各月每月需完成",
        "on_duty": "在岗人数（人）", "poor_on_duty": "其中贫困劳动力（人）", "resumed_on": "复工日期",
        "workshops": "车间数（个）",
    }
    if column in fixed:
        return fixed[column]
    for sheet in SHEETS:
        for col in sheet.columns:
            if col.key == column:
                return col.header
    return column


def figure_table(rows: pd.DataFrame, keys: list[str], total: FigureSet | None = None) -> pd.DataFrame:
    """``rows`` from query.breakdown (or monthly); ``total`` adds the 合计 row from the
    district figures."""
    label_cols = [c for c in rows.columns if c not in keys]
    out = pd.DataFrame({label(c): rows[c] for c in label_cols})
    for key in keys:
        out[header(key)] = [cell(figure(key), v) for v in rows[key]]
    if total is not None:
        row = {c: "" for c in out.columns}
        row[out.columns[0]] = TOTAL
        row |= {header(k): cell(figure(k), total.values.get(k)) for k in keys}
        out = pd.concat([out, pd.DataFrame([row])], ignore_index=True)
    return out


def on_screen(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as a page shows it: a column with a missing value (a village with no
    labourers has no employment rate) reads — there, not the grid's None, and its
    other cells as text (so does a column with a count shown as <5). Downloads keep
    the blank cell."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        # A blank, or a village count shown as <5 beside numbers: the column as text, one type.
        if values.isna().any() or any(is_few(v) for v in values.tolist()):
            out[column] = [MISSING if pd.isna(v) else _text(v) for v in values.astype(object)]
    return out


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def figure_list(values: dict, keys: list[str], columns: tuple[str, str] = ("项目", "金额")) -> pd.DataFrame:
    """Figures one to a row: the figure with its unit, and its value as a table cell."""
    return pd.DataFrame({columns[0]: [header(k) for k in keys], columns[1]: [cell(figure(k), values[k]) for k in keys]})


def shown_changes(frame: pd.DataFrame, values: tuple[str, ...], change: str = "变化") -> pd.DataFrame:
    """A table of figures that changed (one figure per row, its key in ``key``) for the
    screen: each value with its unit (money in 万元, rates in %), the change signed, and
    the key column dropped. Exports keep the raw numbers."""
    out = frame.copy()
    figs = [figure(k) for k in frame["key"]]
    for column in values:
        out[column] = [show(f, _plain(v)) for f, v in zip(figs, frame[column])]
    out[change] = [signed(f, _plain(v)) for f, v in zip(figs, frame[change])]
    return out.drop(columns=["key"])


def _plain(value):
    """A cell back as the figure's value: pandas turns whole numbers in a column with
    blanks into floats (3.0), and blanks into NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(str(value))
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value
