"""Download buttons beside a chart: the image rendered on the server (PNG for Word,
SVG for print, with the 口径 line as caption) and the chart's data as Excel; beside a
table, Excel and CSV.

Files are made only when a button is pressed (a callable ``data``), so a page with
ten charts does not render ten images on every rerun. That callable runs outside the
page's run (Streamlit calls it when the file is asked for, without the session), so
who the file is for is settled while the page runs: the caller's ``by`` (its
``ui.data.Ledger``), else the signed-in session, whose token is kept and checked
again at the click — a page left open after logging out makes no file. At the click
the file gets the account's watermark line (``ledger.present.caliber.watermark``) and
goes into the audit log."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from exports import images, tables
from ledger.access.accounts import Account, session_account
from ledger.present.caliber import watermark
from ledger.query.request import Request

from .data import Ledger, store
from .text import plain

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(name: str) -> str:
    return tables.filename(name, "", "", "").rstrip("._")


class Exporter:
    """Who a page's downloads are made for, known while the page runs; ``make`` runs at
    the click: it names the account in the file and in the audit log."""

    def __init__(self, engine, account: Callable[[], Account | None]):
        self.engine = engine
        self.account = account

    def make(self, file_name: str, detail: str, build: Callable[[str], bytes]) -> bytes:
        """``build(watermark)`` for the account, logged; PermissionError when the session
        has ended since the page was shown."""
        account = self.account()
        if account is None:
            raise PermissionError("登录已失效，请重新登录后再下载。")
        data = Ledger(self.engine, account)
        made = build(watermark(data.bound(Request(None))))
        data.log("export", target=file_name, detail=detail)
        return made


def exporter(by: Ledger | None = None) -> Exporter:
    """The downloads' account: ``by``'s, or the signed-in session's (checked again at
    the click, so a closed session makes no file)."""
    if by is not None:
        return Exporter(by.engine, lambda: by.account)
    from .auth import TOKEN

    engine = store()[1]
    token = st.session_state.get(TOKEN)
    return Exporter(engine, lambda: session_account(engine, token))


def chart_downloads(fig, *, key: str, name: str, title: str, caption: str, table: pd.DataFrame | None = None,
                    by: Ledger | None = None) -> None:
    """PNG, SVG and Excel of one chart, each with the watermark line under the caption;
    where Chromium is missing, say what to install."""
    who = exporter(by)
    safe = _safe(name)
    cols = st.columns([1, 1, 1, 5])
    problem = images.available()
    if problem:
        cols[3].caption(plain(f"图片导出不可用：{problem}"))
    else:
        cols[0].download_button(
            "PNG", data=lambda: who.make(f"{safe}.png", title, lambda mark: images.png(fig, caption=caption, watermark=mark)),
            file_name=f"{safe}.png", mime="image/png", key=f"{key}_png", on_click="ignore", icon=":material/image:",
        )
        cols[1].download_button(
            "SVG", data=lambda: who.make(f"{safe}.svg", title, lambda mark: images.svg(fig, caption=caption, watermark=mark)),
            file_name=f"{safe}.svg", mime="image/svg+xml", key=f"{key}_svg", on_click="ignore", icon=":material/draw:",
        )
    if table is not None:
        cols[2].download_button(
            "Excel",
            data=lambda: who.make(f"{safe}.xlsx", title,
                                  lambda mark: tables.xlsx(table, title=title, caliber=caption, watermark=mark)),
            file_name=f"{safe}.xlsx", mime=XLSX, key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:",
        )


def table_downloads(table: pd.DataFrame, *, key: str, name: str, title: str, caption: str,
                    by: Ledger | None = None) -> None:
    """Excel and CSV (UTF-8 with BOM, for Excel on a Chinese PC) of a table, each with
    the watermark line (the CSV's first line)."""
    who = exporter(by)
    safe = _safe(name)
    cols = st.columns([1, 1, 6])
    cols[0].download_button(
        "Excel",
        data=lambda: who.make(f"{safe}.xlsx", title, lambda mark: tables.xlsx(table, title=title, caliber=caption, watermark=mark)),
        file_name=f"{safe}.xlsx", mime=XLSX, key=f"{key}_xlsx", on_click="ignore", icon=":material/table_view:",
    )
    cols[1].download_button(
        "CSV", data=lambda: who.make(f"{safe}.csv", title, lambda mark: tables.csv(table, watermark=mark)),
        file_name=f"{safe}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/description:",
    )
