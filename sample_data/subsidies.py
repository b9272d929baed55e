"""The other subsidies, paid by what the monthly states say people were doing: to poor
migrants steadily at work outside, poor flexible workers, and district employers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .district import A_OUT, A_PROVINCE, M_FLEX, M_MIGRANT, N_MONTHS, T_NAMES
from .draws import partition, pick, random_days
from .employers import Firms
from .figures import TARGETS
from .monthly import Months
from .people import Population
from .schemes import Ride, person_payments


def subsidies(rng: np.random.Generator, pop: Population, st: Months, riders: list[Ride], firms: Firms
              ) -> pd.DataFrame:
    """Subsidies to migrant poor labourers, flexible workers and district employers."""
    sep = N_MONTHS - 1
    back, churn = st.usual.back, st.usual.churn  # as the special roles left them
    outside = pop.poor & st.emp[:, sep] & (st.mode[:, sep] == M_MIGRANT) & \
        np.isin(st.area[:, sep], [A_PROVINCE, A_OUT])
    steady = outside & ~churn  # at work outside without a break since coming back
    frames = []
    # 稳岗补贴: 200 yuan a month for 3–6 months of steady work outside, paid Jul–Sep
    units = TARGETS["subsidy.job_stability"] // 200
    n = 300
    months_paid = partition(rng, units, n, 3, 6)
    who = pick(rng, np.flatnonzero(steady & (back <= 4)), n)
    pay_m = np.maximum(7, back[who] + months_paid - 1)
    pay_m = np.minimum(pay_m + rng.integers(0, 2, n), 9)
    frames.append(person_payments(pop, random_days(rng, pay_m, hi_day=28), "稳岗补贴", who, months_paid * 200))
    # 防疫补贴: 300 yuan each to those who went out early, paid Apr–Jun
    n = TARGETS["subsidy.epidemic_prevention"] // 300
    who = pick(rng, np.flatnonzero(steady & (back <= 5)), n)
    pay_m = np.maximum(back[who] + 1, 4) + rng.integers(0, 2, n)
    frames.append(person_payments(pop, random_days(rng, np.minimum(pay_m, 7)), "防疫补贴", who, np.full(n, 300)))
    # 一次性交通补贴 (no stated total): 500 yuan out of the province, 200 within; not for the bussed
    bussed = np.zeros(pop.n, bool)
    bussed[[t[0] for t in riders]] = True
    elig = np.flatnonzero(steady & ~bussed & (back <= 7))
    who = np.sort(pick(rng, elig, int(elig.size * 0.12)))
    amt = np.where(st.area[who, sep] == A_OUT, 500, 200)
    frames.append(person_payments(pop, random_days(rng, np.minimum(back[who] + 1, 9)), "一次性交通补贴", who, amt))
    # 灵活就业社保补贴: poor flexible workers, paid Jun–Sep while they work
    flex = pop.poor & (st.usual.mode == M_FLEX) & (back <= 5) & ~churn & st.emp[:, sep] & \
        (st.mode[:, sep] == M_FLEX)
    n = 75
    who = pick(rng, np.flatnonzero(flex), n)
    amt = partition(rng, TARGETS["subsidy.flexible_social_insurance"] // 100, n, 6, 36) * 100
    frames.append(person_payments(pop, random_days(rng, rng.choice([6, 7, 8, 9], n), hi_day=28),
                                  "灵活就业社保补贴", who, amt))
    # employer subsidies go to district (区内) firms
    for kind, total, n, lo, hi, months in (
            ("企业吸纳就业补贴", TARGETS["subsidy.enterprise_absorption"], 12, 5, 60, [4, 5, 6, 7, 8, 9]),
            ("重点企业新增岗位社保补贴", TARGETS["subsidy.key_enterprise_social_insurance"], 8, 40, 200,
             [6, 7, 8, 9])):
        paid = rng.choice(len(firms.local), n, replace=False)
        frames.append(pd.DataFrame({
            "发放日期": random_days(rng, rng.choice(months, n), hi_day=28),
            "补贴类型": kind,
            "对象类型": "企业",
            "对象名称": np.array(firms.local, dtype=object)[paid],
            "证件号码": None,
            "乡镇": np.array(T_NAMES, dtype=object)[np.array(firms.local_town)[paid]],
            "村": None,
            "金额（元）": (partition(rng, total // 100, n, lo, hi) * 100).astype(np.int64),
        }))
    return pd.concat(frames, ignore_index=True)
