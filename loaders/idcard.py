"""Resident ID numbers (GB 11643-1999), checked a whole column at a time."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = "10X98765432"

REASON_FORMAT = "证件号码应为18位（前17位数字，末位数字或X）"
REASON_CHECK = "证件号码校验码错误（末位应为{expected}）"
REASON_BIRTH = "证件号码中的出生日期无效"
REASON_MANGLED = "证件号码被Excel存成了数字，末几位已丢失；请把该列设为“文本”格式后重新录入"


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def normalise(ids: pd.Series) -> pd.Series:
    """Fold full-width digits and spaces; a lower-case x becomes X."""
    return ids.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.upper()


MANGLED = re.compile(r"\d(\.\d+)?[eE]\+?\d+|\d{15,18}\.0+")


def looks_mangled(ids: pd.Series) -> pd.Series:
    """Text that can only come from Excel showing a number: 4.51203E+17, 451203…0.0."""
    return ids.str.fullmatch(MANGLED.pattern, na=False, case=False)


def validate(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Returns (normalised ids, reason or <NA>) for a column of non-empty IDs.

    Each person appears once a month, so the checks run on the distinct IDs."""
    codes, uniques = pd.factorize(ids)
    good_ids, reasons = _validate_distinct(pd.Series(uniques, dtype=object))
    take = lambda s: pd.Series(s.to_numpy(dtype=object)[codes], index=ids.index, dtype=object)  # noqa: E731
    return take(good_ids), take(reasons)


def _validate_distinct(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    ids = normalise(ids.astype("str"))
    reason = pd.Series(pd.NA, index=ids.index, dtype="object")
    shaped = ids.str.fullmatch(r"\d{17}[\dX]", na=False)
    reason[~shaped] = REASON_FORMAT
    reason[looks_mangled(ids)] = REASON_MANGLED
    good = ids[shaped]
    if len(good):
        raw = np.frombuffer("".join(good.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        digits = raw[:, :17].astype(np.int64) - 48
        expected = np.array(list(CHECK_CHARS))[(digits @ WEIGHTS) % 11]
        actual = raw[:, 17].view("S1").astype(str)
        wrong = expected != actual
        if wrong.any():
            idx = good.index[wrong]
            reason[idx] = [REASON_CHECK.format(expected=e) for e in expected[wrong]]
        births = pd.to_datetime(good.str.slice(6, 14), format="%Y%m%d", errors="coerce")
        bad_birth = births.isna() | (births.dt.year < 1900) | (births > pd.Timestamp.now())
        reason[bad_birth[bad_birth].index.difference(reason.dropna().index)] = REASON_BIRTH
    return ids, reason


def sex_of(ids: pd.Series) -> pd.Series:
    """男 for an odd 17th digit, 女 for an even one."""
    codes, uniques = pd.factorize(ids)
    sexes = _sex_of(pd.Series(uniques, dtype="str")).to_numpy(dtype=object)
    return pd.Series(sexes[codes], index=ids.index, dtype=object).where(codes >= 0, pd.NA)


def _sex_of(ids: pd.Series) -> pd.Series:
    digit = ids.str.slice(16, 17)
    sex = pd.Series(np.where(digit.isin(list("13579")), "男", "女"), index=ids.index, dtype="object")
    sex[~digit.str.fullmatch(r"\d", na=False)] = pd.NA
    return sex
