"""Seeded draws that add up exactly, and the small converters every step shares
(dates of the ledger year, ID check digits, text and date columns, interned labels)."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .district import YEAR

DAYS_IN_MONTH = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
MONTH_START = np.array([np.datetime64(f"{YEAR}-{m:02d}-01") for m in range(1, 13)])
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.array(list("10X98765432"))
NAT = np.datetime64("NaT")


def stream(seed: int, part: str) -> np.random.Generator:
    """One independent stream per part, so a change in one table does not reshuffle the others."""
    return np.random.default_rng([seed, zlib.crc32(part.encode("utf-8"))])


def fix_total(values, target: int, rng: np.random.Generator, step: int = 1, lo=1, hi=10**12) -> np.ndarray:
    """Nudge integer values by ±step (within [lo, hi]) until they add up to target exactly."""
    v = np.asarray(values, dtype=np.int64).copy()
    lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), v.shape)
    hi = np.broadcast_to(np.asarray(hi, dtype=np.int64), v.shape)
    diff = int(target) - int(v.sum())
    if diff % step:
        raise ValueError(f"total {target} not reachable in steps of {step}")
    n = diff // step
    while n:
        sign = 1 if n > 0 else -1
        cand = np.flatnonzero((v + step <= hi) if sign > 0 else (v - step >= lo))
        if cand.size == 0:
            raise ValueError(f"cannot reach total {target} within bounds")
        k = min(abs(n), cand.size)
        v[rng.choice(cand, size=k, replace=False)] += sign * step
        n -= sign * k
    return v


def partition(rng: np.random.Generator, total: int, n: int, lo: int, hi: int, shape: float = 2.0) -> np.ndarray:
    """n random integers in [lo, hi] that add up to total (gamma-shaped spread)."""
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot split {total} into {n} parts in [{lo}, {hi}]")
    w = rng.gamma(shape, size=n)
    base = np.floor(lo + (total - n * lo) * w / w.sum())
    return fix_total(np.clip(base, lo, hi), total, rng, 1, lo, hi)


def scale_to_total(base, target: int, rng: np.random.Generator, step: int, lo: int, hi: int) -> np.ndarray:
    """Scale plausible base amounts to the target, round to step, then fix the remainder exactly."""
    base = np.asarray(base, dtype=float)
    v = np.clip(np.round(base * (target / base.sum()) / step) * step, lo, hi)
    return fix_total(v, target, rng, step, lo, hi)


def pick(rng: np.random.Generator, pool: np.ndarray, k: int, weights=None) -> np.ndarray:
    """k distinct elements of pool (optionally weighted), in a deterministic order."""
    pool = np.asarray(pool)
    if k > pool.size:
        raise ValueError(f"need {k} people, only {pool.size} eligible")
    p = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        p = w / w.sum()
    return rng.choice(pool, size=k, replace=False, p=p)


def sample_cat(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0])[:, None] * cum[:, -1:]
    return (u >= cum).sum(axis=1)


def month_end(m):
    """Last day of month m (1-based) of the ledger year."""
    m = np.asarray(m)
    return MONTH_START[m - 1] + (DAYS_IN_MONTH[m - 1] - 1)


def random_days(rng: np.random.Generator, months, lo_day=1, hi_day=None) -> np.ndarray:
    """A random date in each given month, day within [lo_day, hi_day or month end]."""
    months = np.asarray(months)
    dim = DAYS_IN_MONTH[months - 1]
    hi = dim if hi_day is None else np.minimum(dim, hi_day)
    lo = np.broadcast_to(np.asarray(lo_day), months.shape)
    day = lo + np.floor(rng.random(months.shape) * (hi - lo + 1)).astype(int)
    return MONTH_START[months - 1] + (day - 1)


def month_of(days) -> np.ndarray:
    """Month number (1–12) of datetime64[D] values in the ledger year."""
    return (np.asarray(days).astype("datetime64[M]").astype(int) % 12) + 1


def day_of(days) -> np.ndarray:
    d = np.asarray(days)
    return (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1


def check_digits(bodies: list[str]) -> np.ndarray:
    """GB 11643 check digits of 17-character ID bodies."""
    d = np.frombuffer("".join(bodies).encode("ascii"), dtype=np.uint8).reshape(-1, 17).astype(np.int64) - 48
    return _ID_CHECK[(d @ _ID_WEIGHTS) % 11]


def texts(values) -> pd.Series:
    """A pandas str Series; None stays missing."""
    return pd.Series(np.asarray(values, dtype=object), dtype="str")


def dates(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype="datetime64[D]").astype("datetime64[us]"))


def lookup(labels, codes) -> np.ndarray:
    """labels[codes] with code -1 meaning missing (None)."""
    arr = np.array(list(labels) + [None], dtype=object)
    return arr[np.asarray(codes)]


class Names:
    """Interning table for free-text values stored as integer codes in the state arrays."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.index: dict[str, int] = {}

    def code(self, label: str) -> int:
        if label not in self.index:
            self.index[label] = len(self.labels)
            self.labels.append(label)
        return self.index[label]

    def copy(self) -> Names:
        """The same codes, to be extended by a later step without touching this table."""
        new = Names()
        new.labels, new.index = list(self.labels), dict(self.index)
        return new

