"""The one masking policy for personal data. Every list, download, briefing, slide,
problem table and command-line message that may carry a name, an ID or a phone number
goes through here; nothing else masks.

- ID numbers keep the region (6) and the last four: ``451203********1234``;
- phones keep 3 + 4: ``138****5678``;
- names keep the surname's first character: ``张*``, ``欧阳**`` → ``欧***``;
- free text (备注, 务工单位, a reason, a loader's message) has every ID-like and
  phone-like run of digits masked as above, and the names of the list's own people
  replaced by their masked form.

Masked values are never reversible; a role with full rights gets the ledger as written.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable

import pandas as pd

# 18-digit IDs (last may be X), the old 15-digit ones; mobiles 1[3-9]xxxxxxxxx; other
# runs of 9+ digits (landlines with area code, bank cards) inside free text; shorter
# runs stay, they are row numbers and amounts in a message.
_ID = re.compile(r"(?<![0-9])[1-9][0-9]{14}(?:[0-9]{2}[0-9Xx])?(?![0-9Xx])")
# A mobile as people write it in 备注: 13812345678, 138-1234-5678, 138 1234 5678.
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_DIGITS = re.compile(r"(?<![0-9*])[0-9]{9,}(?![0-9])")
_NINE_DIGITS = re.compile(r"(?:[0-9][^0-9]*){9}")

# What a column holds, by the sheet's column key or its Chinese header.
KINDS = {
    "id": ("id_number", "身份证号", "身份证号码", "证件号码", "公民身份号码"),
    "phone": ("phone", "联系电话", "手机号", "手机号码", "电话"),
    "name": ("name", "recipient", "姓名", "领取人", "补贴对象", "户主姓名"),
    "text": ("remark", "employer", "work_place", "reason", "备注", "务工单位", "就业单位", "务工地点",
             "具体务工地点", "离岗原因", "说明", "问题", "单元格内容", "原值"),
}
KIND_OF = {header: kind for kind, headers in KINDS.items() for header in headers}


def mask_id(id_number: str | None) -> str | None:
    """``451203198503121234`` → ``451203********1234``: the region and the last four
    stay, the birth date and sequence go. A value too short to keep both is all stars."""
    if not id_number:
        return id_number
    s = str(id_number)
    return s[:6] + "*" * 8 + s[-4:] if len(s) >= 11 else "*" * len(s)


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``. A value too short to keep 3 + 4 is all stars."""
    if not phone:
        return phone
    s = str(phone)
    return s[:3] + "****" + s[-4:] if len(s) >= 8 else "*" * len(s)


def mask_name(name: str | None) -> str | None:
    """``张三`` → ``张*``, ``欧阳明华`` → ``欧***``: the first character and the length."""
    if not name:
        return name
    s = str(name).strip()
    return s[:1] + "*" * (len(s) - 1) if len(s) > 1 else "*"


class Names:
    """The people's names a free text may mention, ready for lookup: a text of length L
    is checked in O(L) whatever the number of names (a district list has 30,000)."""

    def __init__(self, names: Iterable[str] = ()):
        self.names = frozenset(n.strip() for n in names if isinstance(n, str) and len(n.strip()) >= 2)
        self.lengths = sorted({len(n) for n in self.names}, reverse=True)
        self.firsts = frozenset(n[0] for n in self.names)

    def __bool__(self) -> bool:
        return bool(self.names)

    def found_in(self, text: str) -> list[str]:
        """The names occurring in ``text``, longest first."""
        if self.firsts.isdisjoint(text):  # most texts hold no name's first character at all
            return []
        found = set()
        for i, ch in enumerate(text):
            if ch in self.firsts:  # a name starts only where one of their first characters is
                found.update(piece for n in self.lengths if (piece := text[i : i + n]) in self.names)
        return sorted(found, key=len, reverse=True)


def mask_text(text, names: Names | Iterable[str] = ()) -> object:
    """Free text with IDs, phones and long digit runs masked, and ``names`` (the people
    of the same list) replaced by their masked form. Non-text values pass unchanged."""
    if not isinstance(text, str) or not text:
        return text
    out = text
    if _NINE_DIGITS.search(text):  # every ID, phone and long run has nine digits, apart or not
        out = _ID.sub(lambda m: mask_id(m.group()), out)
        out = _MOBILE.sub(lambda m: mask_phone(m.group()), out)
        out = _DIGITS.sub(lambda m: mask_phone(m.group()), out)
    names = names if isinstance(names, Names) else Names(names)
    for name in names.found_in(out):
        out = out.replace(name, mask_name(name))
    return out


def _digits_of(value) -> str | None:
    """An integer-valued number's digits (an ID or phone a workbook held as a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return None


def mask_value(kind: str | None, value, names: Names | Iterable[str] = ()):
    """``value`` masked as a ``kind`` (id/phone/name/text). A number in an ID, phone
    or text column is masked as its digits when they would be; otherwise it stays."""
    if type(value) is not str and kind in ("id", "phone", "text") and (digits := _digits_of(value)) is not None:
        masked = mask_value(kind, digits)
        return masked if masked != digits else value
    if kind == "id":
        return mask_id(value) if isinstance(value, str) else value
    if kind == "phone":
        return mask_phone(value) if isinstance(value, str) else value
    if kind == "name":
        return mask_name(value) if isinstance(value, str) else value
    if kind == "text":
        return mask_text(value, names)
    return value


def mask_frame(frame: pd.DataFrame, kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with its personal columns masked: ``kinds`` maps a column to
    id/phone/name/text, else the column's name says (``KINDS``). Names in free text are
    those of the frame's own name columns."""
    kinds = {c: (kinds or {}).get(c) or KIND_OF.get(str(c)) for c in frame.columns}
    kinds = {c: k for c, k in kinds.items() if k}
    if not kinds:
        return frame
    masked = mask_columns({c: frame[c].tolist() for c in kinds}, kinds)
    out = frame.copy()
    for column, values in masked.items():
        out[column] = values
    return out


def mask_columns(columns: dict[str, list], kinds: dict[str, str]) -> dict[str, list]:
    """``mask_frame`` on columns held as lists, before a frame is made of them (a
    people list is built column by column): the columns ``kinds`` names, masked."""
    kinds = {c: k for c, k in kinds.items() if k and c in columns}
    names = Names(v for c, k in kinds.items() if k == "name" for v in columns[c])
    return {c: _masked_column(k, columns[c], names) for c, k in kinds.items()}


_PLAIN = {"id": mask_id, "phone": mask_phone, "name": mask_name}


def _masked_column(kind: str, values: list, names: Names) -> list:
    """``mask_value`` of each cell: an ID, phone or name that is text goes straight to
    its mask (the bulk of a list), and each distinct free text is masked once (a list
    repeats its 务工单位 and 务工地点 down the column)."""
    plain = _PLAIN.get(kind)
    if plain is not None:
        return [plain(v) if type(v) is str else mask_value(kind, v, names) for v in values]
    if kind != "text":
        return [mask_value(kind, v, names) for v in values]
    done: dict = {}
    out = []
    for v in values:
        if type(v) is str:
            if (m := done.get(v)) is None:
                m = done[v] = mask_value(kind, v, names)
            out.append(m)
        else:
            out.append(mask_value(kind, v, names))
    return out


def mask_message(text: str) -> str:
    """A loader's or importer's message (it quotes the cell: an ID, a phone): masked."""
    return mask_text(text)


# Village-level counts below this are shown as ``FEW`` to a viewer without personal-data
# rights: a count of 1–4 in a village points at a household. Totals are computed from
# the ledger, not from the shown cells, so they stay right.
SMALL = 5
FEW = f"<{SMALL}"


def is_few(value) -> bool:
    return isinstance(value, str) and value == FEW


def suppress_small(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy with counts 1–4 in ``columns`` replaced by ``FEW`` (0 stays: nobody to point at)."""
    out = frame.copy()
    for column in columns:
        values = out[column].tolist()
        if any(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < SMALL for v in values):
            out[column] = pd.Series([FEW if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < SMALL
                                     else v for v in values], index=out.index, dtype=object)
    return out


def chart_values(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """For a chart: suppressed cells become blank (no bar), the rest stay numbers."""
    out = frame.copy()
    for column in columns:
        if column in out and any(is_few(v) for v in out[column].tolist()):
            out[column] = pd.to_numeric(out[column].map(lambda v: None if is_few(v) else v), errors="coerce")
    return out
