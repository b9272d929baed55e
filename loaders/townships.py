"""Townships are data: the default list is Yizhou's, a 行政区划 sheet replaces it.

A clerk writes 福龙 for 福龙瑶族乡 or an old name such as 刘三姐乡; the resolver maps
every spelling to the one canonical name the store keeps.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DISTRICT = "宜州区"

# Longest first, so 瑶族乡 is stripped before 乡.
SUFFIXES = ("瑶族乡", "街道", "镇", "乡")


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    parent: str = DISTRICT


DEFAULT_TOWNSHIPS: tuple[Township, ...] = (
    Township("451203100", "庆远镇", "镇"),
    Township("451203101", "三岔镇", "镇"),
    Township("451203102", "洛西镇", "镇"),
    Township("451203103", "怀远镇", "镇"),
    Township("451203104", "德胜镇", "镇"),
    Township("451203105", "石别镇", "镇"),
    Township("451203106", "北山镇", "镇"),
    Township("451203107", "刘三姐镇", "镇", ("刘三姐乡",)),
    Township("451203108", "洛东镇", "镇"),
    Township("451203200", "祥贝乡", "乡"),
    Township("451203203", "屏南乡", "乡"),
    Township("451203207", "福龙瑶族乡", "瑶族乡", ("福龙乡",)),
    Township("451203208", "北牙瑶族乡", "瑶族乡", ("北牙乡",)),
    Township("451203210", "同德乡", "乡"),
    Township("451203211", "安马乡", "乡"),
    Township("451203213", "龙头乡", "乡"),
)


def fold(text: str) -> str:
    """NFKC and no whitespace: the form every header and value is compared in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def stem(name: str) -> str:
    """The name without its 镇/乡/瑶族乡/街道 suffix (福龙瑶族乡 → 福龙)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def split_aliases(text: str) -> tuple[str, ...]:
    parts = re.split(r"[、,，;；/]", text or "")
    return tuple(p for p in (fold(x) for x in parts) if p)


class TownshipResolver:
    """Maps any accepted spelling of a township to its canonical name."""

    def __init__(self, townships: tuple[Township, ...] | list[Township]):
        self.townships = tuple(townships)
        self._map: dict[str, str] = {}
        for t in self.townships:
            for spelling in (t.name, *t.aliases):
                key = fold(spelling)
                self._map.setdefault(key, t.name)
                self._map.setdefault(stem(key), t.name)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.townships]

    def resolve(self, value: str) -> str | None:
        key = fold(value)
        return self._map.get(key) or self._map.get(stem(key))

    def mapping(self) -> dict[str, str]:
        """Every accepted folded spelling → canonical name, for vectorised mapping."""
        return dict(self._map)
