"""扶贫车间: which workshops resumed and when, who works in them, and the 扶贫车间台账 whose
poor headcounts are exactly the ledger's poor workers there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .district import MONTHS, N_MONTHS, T_NAMES, WORKSHOP_INDUSTRIES, WORKSHOP_TOWNSHIPS
from .draws import NAT, dates, fix_total, partition, pick, random_days, texts
from .figures import TARGETS
from .people import Population


@dataclass(frozen=True)
class WorkshopPlan:
    """One entry per workshop (18)."""

    name: list[str]
    town: np.ndarray  # township index
    village: list[str]
    ind: list[str]  # 产业类型
    resumed: np.ndarray
    r_month: np.ndarray  # month resumed (0: never)
    r_date: np.ndarray  # 复工日期 (NaT: never)
    rewarded: np.ndarray  # the 6 workshops earning the hiring reward
    reward_amount: np.ndarray  # their reward, in the order of rewarded
    need_by_june: np.ndarray  # poor workers each must have hired by June
    poor_sep: np.ndarray  # poor workers in September
    nonpoor: np.ndarray  # other workers in September


def plan_workshops(rng: np.random.Generator, villages: list[list[str]]) -> WorkshopPlan:
    """18 workshops: 17 resumed (most in Feb–Mar), one never; 6 earn the hiring reward."""
    n = len(WORKSHOP_TOWNSHIPS)
    town = np.array([T_NAMES.index(t) for t in WORKSHOP_TOWNSHIPS])
    names, vills, inds = [], [], []
    for t in town:
        while True:
            v = int(rng.integers(len(villages[t])))
            ind = str(rng.choice(WORKSHOP_INDUSTRIES))
            stem = villages[t][v].removesuffix("村").removesuffix("社区")
            name = f"{T_NAMES[t]}{stem}{ind}扶贫车间"
            if name not in names:
                break
        names.append(name)
        vills.append(v)
        inds.append(ind)
    resumed = np.arange(n) < n - 1  # the last one (龙头乡) never resumed
    r_month = np.array([2] * 12 + [3] * 4 + [4] + [0])
    r_month[:17] = r_month[:17][rng.permutation(17)]
    r_date = np.full(n, NAT, dtype="datetime64[D]")
    r_date[resumed] = random_days(rng, r_month[resumed], lo_day=np.where(r_month[resumed] == 2, 10, 1),
                                  hi_day=28)
    early = np.flatnonzero(resumed & (r_date < np.datetime64("2020-03-31")))
    rewarded = np.sort(rng.choice(early, 6, replace=False))
    # reward: 2000 yuan per poor labourer hired before 06-30; one workshop also gets a 1000 half share
    reward_people = partition(rng, TARGETS["subsidy.workshop_reward"] // 2000, 6, 18, 36)
    reward_amount = reward_people * 2000
    half = int(rng.integers(6))
    reward_amount[half] += TARGETS["subsidy.workshop_reward"] - int(reward_amount.sum())
    need_by_june = reward_people + (np.arange(6) == half)
    poor_sep = np.zeros(n, dtype=int)
    poor_sep[rewarded] = need_by_june + rng.integers(0, 5, 6)
    others = np.flatnonzero(resumed & ~np.isin(np.arange(n), rewarded))
    poor_sep[others] = partition(rng, TARGETS["workshops.poor_absorbed"] - poor_sep.sum(), others.size, 2, 25)
    nonpoor = np.where(resumed, rng.integers(5, 21, n), 0)
    return WorkshopPlan(name=names, town=town, village=[villages[t][v] for t, v in zip(town, vills)], ind=inds,
                        resumed=resumed, r_month=r_month, r_date=r_date, rewarded=rewarded,
                        reward_amount=reward_amount, need_by_june=need_by_june, poor_sep=poor_sep, nonpoor=nonpoor)


class Worker(NamedTuple):
    person: int
    workshop: int
    month: int  # month joined
    poor: bool


def _join_weights(rm: int) -> np.ndarray:
    """Most workers join a workshop soon after it resumes."""
    w = 0.6 ** np.arange(10 - rm)
    return w / w.sum()


def assign_workers(rng: np.random.Generator, pop: Population, plan: WorkshopPlan, taken: np.ndarray
                   ) -> list[Worker]:
    """Each resumed workshop's September workers, from people no other role has ``taken``,
    with the month each joined (the rewarded ones' poor workers by June)."""
    taken = taken.copy()
    workers = []
    for w in range(len(plan.name)):
        if not plan.resumed[w]:
            continue
        rm = int(plan.r_month[w])
        t = plan.town[w]
        for is_poor, k in ((True, int(plan.poor_sep[w])), (False, int(plan.nonpoor[w]))):
            elig = pop.able & (pop.age >= 18) & (pop.age <= 60) & ~taken & (pop.poor == is_poor)
            local = elig & (pop.town == t)
            if not is_poor:  # some come from neighbouring townships (县内乡外)
                local = local | (elig & (rng.random(pop.n) < 0.004))
            chosen = pick(rng, np.flatnonzero(local), k)
            taken[chosen] = True
            jm = np.sort(rng.choice(np.arange(rm, 10), k, p=_join_weights(rm)))
            if is_poor and w in plan.rewarded:
                need = int(plan.need_by_june[list(plan.rewarded).index(w)])
                jm[:need] = np.minimum(jm[:need], 6)
            for p, j in zip(chosen, jm):
                workers.append(Worker(int(p), w, int(j), is_poor))
    return workers


def workshop_table(rng: np.random.Generator, plan: WorkshopPlan, workers: list[Worker]
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly workshop snapshots whose poor headcount is exactly the ledger's poor workers there;
    and the hiring reward's payments."""
    n = len(plan.name)
    months = np.arange(1, N_MONTHS + 1)
    poor_m = np.zeros((n, N_MONTHS), dtype=int)
    all_m = np.zeros((n, N_MONTHS), dtype=int)
    for _p, w, j, is_poor in workers:
        all_m[w, j - 1:] += 1
        if is_poor:
            poor_m[w, j - 1:] += 1
    res = np.flatnonzero(plan.resumed)
    sep = np.zeros(n, dtype=int)
    sep[res] = fix_total(np.maximum(partition(rng, TARGETS["workshops.on_duty"], res.size, 80, 600),
                                    all_m[res, -1] + 40),
                         TARGETS["workshops.on_duty"], rng, 1, all_m[res, -1] + 40, 800)
    on_duty = np.zeros((n, N_MONTHS), dtype=int)
    for w in res:
        rm = plan.r_month[w]
        ramp = np.where(months >= rm, 0.45 + 0.55 * (months - rm) / max(9 - rm, 1), 0)
        v = np.maximum(np.round(sep[w] * ramp).astype(int), all_m[w] + np.where(months >= rm, 10, 0))
        v = np.maximum.accumulate(np.minimum(v, sep[w]))
        v[-1] = sep[w]
        on_duty[w] = np.where(months >= rm, v, 0)
    rows = [(m, w) for m in months for w in range(n)]
    mm = np.array([r[0] for r in rows])
    ww = np.array([r[1] for r in rows])
    started = plan.resumed[ww] & (mm >= plan.r_month[ww])
    table = pd.DataFrame({
        "统计时点": texts([MONTHS[m - 1] for m in mm]),
        "车间名称": texts([plan.name[w] for w in ww]),
        "乡镇": texts([T_NAMES[plan.town[w]] for w in ww]),
        "村": texts([plan.village[w] for w in ww]),
        "产业类型": texts([plan.ind[w] for w in ww]),
        "复工日期": dates(np.where(started, plan.r_date[ww], NAT)),
        "在岗人数": on_duty[ww, mm - 1].astype(np.int64),
        "其中贫困劳动力": poor_m[ww, mm - 1].astype(np.int64),
    })
    # the hiring reward, paid in the summer to the six workshops
    rw = plan.rewarded
    reward = pd.DataFrame({
        "发放日期": random_days(rng, rng.choice([7, 8, 9], rw.size), hi_day=28),
        "补贴类型": "扶贫车间带动就业奖补",
        "对象类型": "扶贫车间",
        "对象名称": np.array(plan.name, dtype=object)[rw],
        "证件号码": None,
        "乡镇": np.array(T_NAMES, dtype=object)[plan.town[rw]],
        "村": np.array([plan.village[w] for w in rw], dtype=object),
        "金额（元）": plan.reward_amount.astype(np.int64),
    })
    return table, reward
