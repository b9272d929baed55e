"""The page list: dashboard.py registers it and the smoke tests walk it, so a new
page is tested the moment it is registered."""

from __future__ import annotations

from typing import NamedTuple


class PageSpec(NamedTuple):
    path: str
    title: str
    icon: str


PAGES: list[PageSpec] = [
    PageSpec("pages/overview.py", "总览", ":material/dashboard:"),
]
