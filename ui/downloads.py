"""Download buttons beside a chart: the image rendered on the server (PNG for Word,
SVG for print, with the 口径 line as caption) and the chart's data as Excel.

Files are made only when a button is pressed (a callable ``data``), so a page with
ten charts does not render ten images on every rerun."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from exports import images, tables

from .text import plain


def _safe(name: str) -> str:
    return tables.filename(name, "", "", "").rstrip("._")


def chart_downloads(fig, *, key: str, name: str, title: str, caption: str, table: pd.DataFrame | None = None) -> None:
    """PNG, SVG and Excel of one chart; where Chromium is missing, say what to install."""
    cols = st.columns([1, 1, 1, 5])
    problem = images.available()
    if problem:
        cols[3].caption(plain(f"图片导出不可用：{problem}"))
    else:
        cols[0].download_button(
            "PNG", data=lambda: images.png(fig, caption=caption), file_name=f"{_safe(name)}.png", mime="image/png",
            key=f"{key}_png", on_click="ignore", icon=":material/image:",
        )
        cols[1].download_button(
            "SVG", data=lambda: images.svg(fig, caption=caption), file_name=f"{_safe(name)}.svg", mime="image/svg+xml",
            key=f"{key}_svg", on_click="ignore", icon=":material/draw:",
        )
    if table is not None:
        cols[2].download_button(
            "Excel", data=lambda: tables.xlsx(table, title=title, caliber=caption), file_name=f"{_safe(name)}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
            on_click="ignore", icon=":material/table_view:",
        )


def table_downloads(table: pd.DataFrame, *, key: str, name: str, title: str, caption: str) -> None:
    """Excel and CSV (UTF-8 with BOM, for Excel on a Chinese PC) of a table."""
    cols = st.columns([1, 1, 6])
    cols[0].download_button(
        "Excel", data=lambda: tables.xlsx(table, title=title, caliber=caption), file_name=f"{_safe(name)}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx", on_click="ignore",
        icon=":material/table_view:",
    )
    cols[1].download_button(
        "CSV", data=lambda: tables.csv(table), file_name=f"{_safe(name)}.csv", mime="text/csv", key=f"{key}_csv",
        on_click="ignore", icon=":material/description:",
    )
