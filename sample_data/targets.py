"""The 目标任务 sheet: each township's annual targets, set around its actual figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .district import AS_OF, MONTHS, N_MONTHS, T_NAMES, YEAR
from .draws import texts
from .monthly import Months
from .people import Population


def targets(rng: np.random.Generator, pop: Population, st: Months, posts: pd.DataFrame, training: pd.DataFrame,
            workshops: pd.DataFrame) -> pd.DataFrame:
    """Annual targets near each township's actual figures, so that by September some are ahead, some behind.

    Headcounts and the rate (stocks) are set ±5–20% around September's value. Cumulative
    counts (培训人次, 公益性岗位数) are annual, so a third of the townships have already met
    theirs, a third are below it but ahead of the calendar (时间过半、任务过半: ≥ 74.9% on
    09-30) and a third lag the calendar: ahead and behind both exist whichever way it is read.
    """
    sep = N_MONTHS - 1
    n_t = len(T_NAMES)
    pace = ((AS_OF - np.datetime64(f"{YEAR}-01-01")).astype(int) + 1) / 366
    poor_emp = np.bincount(pop.town[pop.poor & st.emp[:, sep]], minlength=n_t)
    poor_all = np.bincount(pop.town[pop.poor], minlength=n_t)
    trained = training["乡镇"].value_counts().reindex(T_NAMES, fill_value=0).to_numpy()
    post_n = posts["乡镇"].value_counts().reindex(T_NAMES, fill_value=0).to_numpy()
    wsep = workshops[(workshops["统计时点"] == MONTHS[sep]) & workshops["复工日期"].notna()]
    ws_poor = wsep.groupby("乡镇")["其中贫困劳动力"].sum().reindex(T_NAMES).to_numpy()
    rows = []
    for ind, actual, step in (("贫困劳动力就业人数", poor_emp, 10), ("贫困劳动力就业率", None, 1),
                              ("培训人次", trained, 5), ("公益性岗位数", post_n, 1), ("扶贫车间吸纳贫困劳动力", ws_poor, 1)):
        idx = [t for t in range(n_t) if ind != "扶贫车间吸纳贫困劳动力" or not np.isnan(ws_poor[t])]
        order = rng.permutation(idx)
        group = np.zeros(n_t, dtype=int)  # stocks: 0 ahead, 1 behind; cumulative: 0 met, 1 on pace, 2 lagging
        paced = ind in ("培训人次", "公益性岗位数")
        for k, t in enumerate(order):
            group[t] = k % 3 if paced else k % 2
        for t in idx:
            g = group[t]
            if ind == "贫困劳动力就业率":
                rate = 100 * poor_emp[t] / poor_all[t]
                value = np.floor(rate) - rng.integers(1, 5) if g == 0 else np.ceil(rate) + rng.integers(1, 5)
                value = int(min(value, 100))
            elif not paced:
                a = int(actual[t])
                f = rng.uniform(0.82, 0.95) if g == 0 else rng.uniform(1.05, 1.2)
                value = int(round(a * f / step) * step)
                value = min(value, a - 1) if g == 0 else max(value, a + 1)
            else:
                a = int(actual[t])
                done = (rng.uniform(1.02, 1.12), rng.uniform(0.80, 0.95), rng.uniform(0.62, 0.71))[g]
                value = max(int(round(a / done / step) * step), step)
                if g == 0:
                    value = max(min(value, a), 1)
                elif g == 1:
                    value = max(value, a + 1)
                    while a / value < pace + 0.01 and value > a + 1:
                        value -= 1
                else:
                    value = max(value, int(np.floor(a / (pace - 0.01))) + 1)
            rows.append((YEAR, T_NAMES[t], ind, value))
    return pd.DataFrame({
        "年度": np.array([r[0] for r in rows], dtype=np.int64),
        "乡镇": texts([r[1] for r in rows]),
        "指标": texts([r[2] for r in rows]),
        "目标值": np.array([r[3] for r in rows], dtype=np.int64),
    })
