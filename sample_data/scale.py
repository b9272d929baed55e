"""N districts' worth of sample ledger: copy 1 is 宜州区 as ``build_tables`` makes it,
copy k ≥ 2 is the same generator run with its own seed and then relabelled so that
nothing is shared with any other copy (townships, villages, ID numbers, households,
phones, firms, workshops, training classes, transport batches). Every copy reproduces
the seed report's figures on its own, so a store of N copies holds N times every
additive figure and every distinct count, exactly.

Why relabel rather than thread a copy number through the generator: the generator's
steps name townships, firms and places by their Yizhou names in many places; one pass
over the finished tables keeps the generator (and copy 1's bytes) untouched.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .district import DISTRICT, T_NAMES
from .draws import check_digits
from .generate import DEFAULT_LABOURERS, build_tables

MAX_COPIES = 999  # three digits in the copies' phone numbers
REGIONS = ("451203", "451281")  # the region codes copy 1's ID numbers and codes start with
# Mobile prefixes copy 1 never draws (sample_data.district.PHONE_PREFIXES): copies ≥ 2
# number their phones under these, so no number can equal one of copy 1's.
COPY_PHONE_PREFIXES = ("166", "167", "170", "171", "173", "175", "176", "177", "178", "147")
_LEGAL = re.compile(r"(有限责任公司|有限公司|扶贫车间)$")
_PERSONAL = "个人"


def seed_of(k: int) -> int:
    """Copy 1 keeps the sample's seed (2020); copy k draws from its own."""
    return 2020 + (k - 1)


def district_name(k: int) -> str:
    return DISTRICT if k == 1 else f"{DISTRICT}{k}"


def region_codes(k: int) -> tuple[str, str]:
    """Copy k's two six-digit region codes (in place of 451203 and 451281): 451300 and
    up, two per copy, so no code is another copy's and the townships of the store's
    list (ordered by code) come copy by copy, Yizhou first."""
    if k == 1:
        return REGIONS
    first = 451300 + 2 * (k - 2)
    return str(first), str(first + 1)


def township_name(name: str, k: int) -> str:
    """庆远镇 → 庆远镇2: a name no other copy has, that the store's township list accepts
    (no suffix to strip, nothing the 行政区划 rules refuse)."""
    return name if k == 1 else f"{name}{k}"


def district_tables(k: int, n_labourers: int = DEFAULT_LABOURERS) -> dict[str, pd.DataFrame]:
    """Copy k of the sample ledger, as ``build_tables`` gives its sheets."""
    if not 1 <= k <= MAX_COPIES:
        raise ValueError(f"copy number must be 1..{MAX_COPIES}")
    tables = build_tables(seed_of(k), n_labourers=n_labourers)
    return tables if k == 1 else relabel(tables, k)


def relabel(tables: dict[str, pd.DataFrame], k: int) -> dict[str, pd.DataFrame]:
    """Copy k's names and numbers for a ledger generated with Yizhou's."""
    regions = dict(zip(REGIONS, region_codes(k)))
    towns = {t: township_name(t, k) for t in T_NAMES}
    district = district_name(k)
    out = {}
    for sheet, frame in tables.items():
        frame = frame.copy()
        for col in frame.columns:
            s = frame[col]
            if col == "乡镇":
                frame[col] = _mapped(s, towns)
            elif col == "别名":
                frame[col] = _each(s, lambda v: f"{v}{k}")
            elif col == "上级":
                frame[col] = _each(s, lambda v: district if v == DISTRICT else v)
            elif col in ("区划代码", "户编号"):
                frame[col] = _each(s, lambda v: regions.get(v[:6], v[:6]) + v[6:])
            elif col == "证件号码":
                frame[col] = _ids(s, regions)
            elif col == "村":
                frame[col] = _each(s, lambda v: f"{v}{k}")
            elif col == "联系电话":
                frame[col] = _phones(s, k)
            elif col in ("务工单位", "企业名称", "车间名称"):
                frame[col] = _each(s, lambda v: _organisation(v, k))
            elif col == "对象名称":  # a firm or a workshop; a person keeps the name drawn for them
                firm = frame["对象类型"] != _PERSONAL
                frame[col] = s.where(~firm, _each(s, lambda v: _organisation(v, k)))
            elif col == "务工所在地":
                frame[col] = _each(s, lambda v: _place(v, district, towns))
            elif col in ("培训期次", "批次"):
                frame[col] = _each(s, lambda v: f"{district}-{v}")
        out[sheet] = frame
    return out


def _each(s: pd.Series, fn) -> pd.Series:
    """fn on each distinct non-blank value (a month of 30,000 labourers has few)."""
    codes, uniques = pd.factorize(s)
    if not len(uniques):
        return s
    mapped = np.array([fn(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype=s.dtype if s.dtype == object else "str")


def _mapped(s: pd.Series, names: dict[str, str]) -> pd.Series:
    return _each(s, lambda v: names.get(v, v))


def _organisation(name: str, k: int) -> str:
    """东莞市华盛电子有限公司 → 东莞市华盛电子2有限公司: the copy's own firm or workshop."""
    m = _LEGAL.search(name)
    return f"{name[: m.start()]}{k}{m[1]}" if m else f"{name}{k}"


def _place(place: str, district: str, towns: dict[str, str]) -> str:
    """A place inside Yizhou (广西河池市宜州区庆远镇) moves with the copy; cities stay."""
    if DISTRICT not in place:
        return place
    head, _, town = place.partition(DISTRICT)
    return f"{head}{district}{towns.get(town, town)}"


def _ids(s: pd.Series, regions: dict[str, str]) -> pd.Series:
    """The region code swapped and the check digit recomputed: still valid, never equal to
    another copy's (each copy has its own codes; within a copy the rest is unchanged)."""
    def swap(many: list[str]) -> list[str]:
        bodies = [regions.get(v[:6], v[:6]) + v[6:17] for v in many]
        return [b + c for b, c in zip(bodies, check_digits(bodies))]

    codes, uniques = pd.factorize(s)
    if not len(uniques):
        return s
    mapped = np.array(swap(list(uniques)) + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="str")


def _phones(s: pd.Series, k: int) -> pd.Series:
    """Copy k's numbers: a prefix copy 1 never uses, the copy's three digits, then the
    number's rank among the copy's numbers; the same person keeps the same number."""
    codes, uniques = pd.factorize(s)
    if not len(uniques):
        return s
    rank = np.argsort(np.argsort(np.asarray(uniques, dtype=str), kind="stable"), kind="stable")
    n = len(COPY_PHONE_PREFIXES)
    made = [f"{COPY_PHONE_PREFIXES[r % n]}{k:03d}{r // n:05d}" for r in rank]
    mapped = np.array(made + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="str")


# --- workbooks ----------------------------------------------------------------------------


def workbook_name(k: int) -> str:
    return f"示例台账_{k:03d}_{district_name(k)}.xlsx"


def write_workbooks(folder, n: int, progress=None, n_labourers: int = DEFAULT_LABOURERS) -> list[Path]:
    """One workbook per copy in ``folder``; each holds its own district's 行政区划, so it
    imports on its own into a new store like the sample does."""
    from .workbook import write_xlsx

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(1, n + 1):
        if progress:
            progress(k - 1, n, f"第{k}份（{district_name(k)}）：生成并写入工作簿")
        paths.append(write_xlsx(folder / workbook_name(k), district_tables(k, n_labourers)))
    if progress:
        progress(n, n, "完成")
    return paths


# --- in memory, as the reader would see the workbook ---------------------------------------


def raw_sheets(tables: dict[str, pd.DataFrame], file: str):
    """Each table as the grid ``loaders.read`` makes of the workbook ``write_xlsx`` would
    write: a header row, text as str, numbers as float, dates as date, blanks as ''
    (python-calamine's values), so ``loaders.load_sheets`` checks it by the same rules."""
    from loaders.read import RawSheet

    sheets = []
    for name, df in tables.items():
        cols = [np.asarray([str(c)] + _cells(df[c]), dtype=object) for c in df.columns]
        cells = pd.DataFrame(dict(enumerate(cols)), dtype=object)
        cells.index = range(1, len(cells) + 1)
        sheets.append(RawSheet(name, cells, file))
    return sheets


def _cells(s: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(s):
        return ["" if pd.isna(v) else dt.date(v.year, v.month, v.day) for v in s]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return ["" if math.isnan(v) else v for v in arr.tolist()]
    vals = s.astype(object).where(s.notna(), "").tolist()
    return [v if isinstance(v, str) else str(v) for v in vals]
