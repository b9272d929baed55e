"""Firms: the pools that migrants' 务工单位 and the district's employer subsidies draw on,
and the 用工需求台账 of the firms that posted jobs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .district import (
    A_OUT,
    CHANNEL_W,
    CHANNELS,
    CITIES,
    ENTERPRISE_TOWNSHIPS,
    FIRM_SYLLABLES,
    GD_INDUSTRIES,
    GX_INDUSTRIES,
    JOB_TYPES,
    LOCAL_PREFIXES,
    T_NAMES,
)
from .draws import dates, partition, random_days, texts
from .figures import TARGETS


def company_names(rng: np.random.Generator, prefix: str, industries: list[str], n: int, used: set) -> list[str]:
    """n new firm names like 东莞市华盛电子科技有限公司, unique across the whole ledger."""
    out = []
    syl = list(FIRM_SYLLABLES)
    while len(out) < n:
        a, b = rng.choice(syl, 2, replace=False)
        ind = str(rng.choice(industries))
        suffix = "有限公司" if rng.random() < 0.85 else "有限责任公司"
        name = f"{prefix}{a}{b}{ind}{suffix}"
        if name not in used:
            used.add(name)
            out.append(name)
    return out


@dataclass(frozen=True)
class Firms:
    by_city: dict[str, list[str]]  # city key of CITIES → firm names (those posting jobs first)
    local: list[str]  # 区内 firms
    local_town: list[int]  # township index of each 区内 firm


def draw_firms(rng: np.random.Generator) -> tuple[Firms, pd.DataFrame]:
    """Firm pools per city (for 务工单位) and the 用工需求台账 (717 firms, 2677 rows, 41239 posts)."""
    used: set[str] = set()
    n_ent, n_rows, n_posts = (TARGETS[k] for k in ("demand.enterprises", "demand.job_types", "demand.postings"))
    n_local = 301
    cities = list(CITIES)
    city_n = rng.multinomial(n_ent - n_local, np.array([CITIES[c][3] for c in cities]))
    city_firms: dict[str, list[str]] = {}
    for c, n in zip(cities, city_n):
        prefix, _place, area, _w = CITIES[c]
        inds = GD_INDUSTRIES if area == A_OUT else GX_INDUSTRIES
        city_firms[c] = company_names(rng, prefix, inds, max(int(n), 25), used)
    local = []
    for p in rng.choice(LOCAL_PREFIXES, n_local, p=[.5, .3, .2]):
        local += company_names(rng, str(p), GX_INDUSTRIES, 1, used)
    tw = np.array(list(ENTERPRISE_TOWNSHIPS.values()))
    local_town = [T_NAMES.index(t) for t in rng.choice(list(ENTERPRISE_TOWNSHIPS), n_local, p=tw / tw.sum())]
    firms = list(local)
    where = ["区内"] * n_local
    for c, n in zip(cities, city_n):
        firms += city_firms[c][:n]
        where += ["区外"] * int(n)
    order = rng.permutation(n_ent)
    firms = [firms[i] for i in order]
    where = [where[i] for i in order]

    per_firm = partition(rng, n_rows, n_ent, 1, 10, shape=1.5)
    jw = rng.gamma(1.0, size=len(JOB_TYPES)) + 0.2
    jw[:3] += 3.0  # 普工 / 操作工 / 装配工 are what most firms ask for
    jw /= jw.sum()
    month_w = np.array([.04, .26, .24, .12, .08, .07, .07, .06, .06])
    f_month = rng.choice(np.arange(1, 10), n_ent, p=month_w)
    f_date = random_days(rng, f_month, lo_day=np.where(f_month == 1, 2, 1))
    f_chan = rng.choice(CHANNELS, n_ent, p=CHANNEL_W)
    rows_firm, rows_job = [], []
    for i, k in enumerate(per_firm):
        rows_firm += [i] * int(k)
        rows_job += list(rng.choice(JOB_TYPES, int(k), replace=False, p=jw))
    rows_firm = np.array(rows_firm)
    posts = partition(rng, n_posts, n_rows, 1, 300, shape=0.9)
    df = pd.DataFrame({
        "企业名称": texts([firms[i] for i in rows_firm]),
        "企业所在地": texts([where[i] for i in rows_firm]),
        "工种": texts(rows_job),
        "岗位数": posts.astype(np.int64),
        "发布日期": dates(f_date[rows_firm]),
        "发布渠道": texts(f_chan[rows_firm]),
    })
    demand = df.sort_values(["发布日期", "企业名称"], kind="stable", ignore_index=True)
    return Firms(by_city=city_firms, local=local, local_town=local_town), demand
