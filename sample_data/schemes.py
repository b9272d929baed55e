"""The programmes that pick poor labourers for a role, each a sheet and its payments:
返岗输送 batches, 公益性岗位 and the three kinds of 技能培训."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .district import (
    AS_OF,
    POVERTY_POST_W,
    POVERTY_POSTS,
    RURAL_TRADES,
    SHORT_TRADES,
    T_NAMES,
    T_SHARE,
    TEMP_POST_W,
    TEMP_POSTS,
    VOC_TRADES,
)
from .draws import (
    DAYS_IN_MONTH,
    MONTH_START,
    NAT,
    dates,
    day_of,
    month_end,
    month_of,
    partition,
    pick,
    random_days,
    scale_to_total,
    texts,
)
from .figures import TARGETS
from .people import Population


class Ride(NamedTuple):
    person: int
    month: int  # the batch's month
    city: str  # key of CITIES


def transport(rng: np.random.Generator, pop: Population) -> tuple[list[Ride], pd.DataFrame]:
    """30 point-to-point batches to 东莞/深圳 (Feb–Apr); their poor passengers are picked from the ledger."""
    nb = TARGETS["transport.batches"]
    month = rng.choice([2, 3, 4], nb, p=[.45, .42, .13])
    date = np.sort(random_days(rng, month, lo_day=np.where(month == 2, 17, 1),
                                hi_day=np.where(month == 4, 15, 31)))
    month = month_of(date)
    dest = rng.choice(["东莞", "深圳"], nb, p=[.6, .4])
    town = rng.choice(len(T_NAMES), nb, p=T_SHARE)
    town[rng.choice(nb, 5, replace=False)] = -1  # district-wide batches
    people = partition(rng, TARGETS["transport.people"], nb, 50, 280)
    poor = partition(rng, TARGETS["transport.poor"], nb, 2, 30)
    riders: list[Ride] = []
    taken = np.zeros(pop.n, bool)
    for b in range(nb):
        elig = pop.poor & pop.fit & (pop.age >= 18) & (pop.age <= 50) & ~taken
        if town[b] >= 0:
            elig &= pop.town == town[b]
        chosen = pick(rng, np.flatnonzero(elig), int(poor[b]))
        taken[chosen] = True
        riders += [Ride(int(p), int(month[b]), str(dest[b])) for p in chosen]
    return riders, pd.DataFrame({
        "批次": texts([f"2020-返岗-{i + 1:02d}" for i in range(nb)]),
        "出发日期": dates(date),
        "目的地": texts(dest),
        "乡镇": texts([T_NAMES[t] if t >= 0 else None for t in town]),
        "人数": people.astype(np.int64),
        "其中建档立卡": poor.astype(np.int64),
    })


@dataclass(frozen=True)
class Posts:
    """The 公益性岗位台账 and its pay; one entry per post in the arrays (a person may hold two)."""

    table: pd.DataFrame
    pay: pd.DataFrame
    who: np.ndarray  # holder
    smonth: np.ndarray  # first month held
    emonth: np.ndarray  # last month held (by September)
    rate: np.ndarray  # monthly pay


def posts(rng: np.random.Generator, pop: Population, taken: np.ndarray) -> Posts:
    """377 扶贫公益性岗位 + 717 临时性公益岗位 for poor labourers who cannot leave, and their monthly pay.
    ``taken``: people another role has already claimed."""
    n_pov, n_tmp, n_seq = TARGETS["posts.poverty.count"], TARGETS["posts.temporary.count"], 40
    n_people = n_pov + n_tmp - n_seq
    elig = np.flatnonzero(pop.poor & pop.able & (pop.age >= 25) & ~taken)
    w = np.where(pop.age[elig] >= 45, 3.0, 1.0) * np.where(pop.edu[elig] <= 1, 1.8, 1.0) * \
        np.where(pop.skill[elig] == 2, 1.6, 1.0)
    holders = pick(rng, elig, n_people, w)
    tmp_holder = holders[:n_tmp]  # the first n_seq of them later move on to a poverty post
    pov_holder = np.concatenate([holders[:n_seq], holders[n_tmp:]])

    # temporary posts: mostly the epidemic months, 2–6 months long
    t_month = rng.choice(np.arange(2, 10), n_tmp, p=[.35, .30, .15, .06, .05, .04, .03, .02])
    t_month[:n_seq] = rng.choice([2, 3], n_seq)
    t_start = random_days(rng, t_month, lo_day=np.where(t_month == 2, 5, 1))
    t_len = rng.choice([2, 3, 4, 5, 6, 9], n_tmp, p=[.2, .33, .2, .1, .07, .1])
    t_len[:n_seq] = rng.choice([2, 3], n_seq)
    t_endm = t_month + t_len - 1
    t_end = np.where(t_endm <= 9, month_end(np.minimum(t_endm, 9)), NAT)
    # poverty posts: a good part from January (annual contracts), fewer later
    p_month = rng.choice(np.arange(1, 10), n_pov, p=[.30, .15, .20, .15, .08, .05, .04, .02, .01])
    p_month[:n_seq] = np.minimum(t_endm[:n_seq] + rng.integers(1, 3, n_seq), 9)
    p_day1 = (p_month == 1) & (rng.random(n_pov) < 0.7)
    p_start = np.where(p_day1, MONTH_START[p_month - 1], random_days(rng, p_month))
    leave = (rng.random(n_pov) < 0.06) & (p_month <= 6)
    p_endm = np.where(leave, p_month + 2 + np.floor(rng.random(n_pov) * (8 - p_month)).astype(int), 99)
    p_end = np.where(p_endm <= 9, month_end(np.minimum(p_endm, 9)), NAT)

    kind = np.array(["扶贫公益性岗位"] * n_pov + ["临时性公益岗位"] * n_tmp)
    who = np.concatenate([pov_holder, tmp_holder])
    start = np.concatenate([p_start, t_start])
    end = np.concatenate([p_end, t_end])
    title = np.concatenate([rng.choice(POVERTY_POSTS, n_pov, p=POVERTY_POST_W),
                            rng.choice(TEMP_POSTS, n_tmp, p=TEMP_POST_W)])
    # monthly pay; first month prorated by the start day
    rate_levels = {"扶贫公益性岗位": np.array([1000, 1200, 1500]), "临时性公益岗位": np.array([800, 900, 1000, 1200])}
    level = np.concatenate([rng.choice(3, n_pov, p=[.35, .4, .25]), rng.choice(4, n_tmp, p=[.3, .3, .3, .1])])
    smonth = month_of(start)
    emonth = np.where(np.isnat(end), 9, month_of(np.where(np.isnat(end), AS_OF, end)))
    sday = day_of(start)
    frac = (DAYS_IN_MONTH[smonth - 1] - sday + 1) / DAYS_IN_MONTH[smonth - 1]
    full = emonth - smonth  # months after the first
    rate = np.zeros(len(who), dtype=np.int64)
    first_amt = np.zeros(len(who), dtype=np.int64)
    for k, total in (("扶贫公益性岗位", TARGETS["posts.poverty.subsidy"]),
                     ("临时性公益岗位", TARGETS["posts.temporary.subsidy"])):
        sel = np.flatnonzero(kind == k)
        levels = rate_levels[k]
        lv = level[sel].copy()

        def totals(lv_):
            r = levels[lv_]
            return np.round(r * frac[sel]).astype(np.int64) + r * full[sel]

        cur = totals(lv)
        diff = total - int(cur.sum())
        while True:  # move single posts up or down a pay level until close
            sign = 1 if diff > 0 else -1
            nxt = np.clip(lv + sign, 0, len(levels) - 1)
            delta = totals(nxt) - cur
            ok = np.flatnonzero((nxt != lv) & (np.abs(delta) <= abs(diff)) & (delta * sign > 0))
            if ok.size == 0 or diff == 0:
                break
            j = int(rng.choice(ok))
            lv[j] = nxt[j]
            diff -= int(delta[j])
            cur[j] += int(delta[j])
        r = levels[lv]
        fa = np.round(r * frac[sel]).astype(np.int64)
        # the last few yuan go onto prorated first-month payments
        adj = np.flatnonzero(sday[sel] > 1)
        adj = adj if adj.size else np.arange(sel.size)
        q, rem = divmod(abs(diff), adj.size)
        bump = np.full(adj.size, q)
        bump[rng.choice(adj.size, rem, replace=False)] += 1
        fa[adj] += int(np.sign(diff)) * bump
        rate[sel] = r
        first_amt[sel] = fa

    # placement reason from the holder's situation
    a, e, s = pop.age[who], pop.edu[who], pop.skill[who]
    u = rng.random(len(who))
    reason = np.where(u < 0.03, "其他", np.where((s == 2) & (u < 0.25), "残疾", np.where(
        a >= 50, "年龄偏大", np.where(e <= 1, "文化偏低", "需照顾家庭"))))
    order = np.lexsort((pop.ids[who].astype(str), start, kind != "扶贫公益性岗位"))
    table = pd.DataFrame({
        "岗位类别": texts(kind[order]),
        "岗位名称": texts(title[order]),
        "乡镇": texts(np.array(T_NAMES, dtype=object)[pop.town[who[order]]]),
        "村": texts(pop.vname[who[order]]),
        "姓名": texts(pop.names[who[order]]),
        "证件号码": texts(pop.ids[who[order]]),
        "上岗日期": dates(start[order]),
        "离岗日期": dates(end[order]),
        "安置原因": texts(reason[order]),
    })
    # one payment per post per month held; paid around the 25th–28th, or at month end
    rows_i, rows_m = [], []
    for i in range(len(who)):
        for m in range(smonth[i], emonth[i] + 1):
            rows_i.append(i)
            rows_m.append(m)
    rows_i = np.array(rows_i)
    rows_m = np.array(rows_m)
    payday = 25 + pop.town[who] % 4
    pay = MONTH_START[rows_m - 1] + (payday[rows_i] - 1)
    pay = np.where(pay < start[rows_i], month_end(rows_m), pay)
    amount = np.where(rows_m == smonth[rows_i], first_amt[rows_i], rate[rows_i])
    ptype = np.where(kind[rows_i] == "扶贫公益性岗位", "公益性岗位补贴", "临时性公益岗位补贴")
    pay_df = person_payments(pop, pay, ptype, who[rows_i], amount)
    return Posts(table=table, pay=pay_df, who=who, smonth=smonth, emonth=emonth, rate=rate)


def person_payments(pop: Population, days, kinds, persons, amounts) -> pd.DataFrame:
    """Subsidy rows paid to labourers of the ledger (对象类型 个人)."""
    persons = np.asarray(persons)
    return pd.DataFrame({
        "发放日期": np.asarray(days, dtype="datetime64[D]"),
        "补贴类型": np.asarray(kinds, dtype=object),
        "对象类型": "个人",
        "对象名称": pop.names[persons],
        "证件号码": pop.ids[persons],
        "乡镇": np.array(T_NAMES, dtype=object)[pop.town[persons]],
        "村": pop.vname[persons],
        "金额（元）": np.asarray(amounts, dtype=np.int64),
    })


def training(rng: np.random.Generator, pop: Population) -> tuple[pd.DataFrame, pd.DataFrame]:
    """52 vocational, 5 short-term and 11 rural-practical classes, each in one township; and their rewards."""
    rows = []  # (class id, type, dept, trade, start, end, person)
    base = pop.able & (pop.age <= 60)
    wt = np.where(pop.wish_train, 3.0, 1.0)

    def classes(n, months_p, months, dur_lo, dur_hi):
        m = rng.choice(months, n, p=months_p)
        start = np.sort(random_days(rng, m, hi_day=28))
        end = start + rng.integers(dur_lo, dur_hi + 1, n)
        end = np.where(end <= AS_OF, end, NAT)
        town = rng.choice(len(T_NAMES), n, p=T_SHARE)
        return start, end, town

    # vocational (人社部门): 2586 person-times, 1526 of them poor
    nv = TARGETS["training.vocational.classes"]
    start, end, town = classes(nv, [.08, .14, .17, .17, .16, .15, .13], np.arange(3, 10), 5, 20)
    size = partition(rng, TARGETS["training.vocational.person_times"], nv, 30, 70)
    poor_n = scale_to_total(size * rng.uniform(0.45, 0.75, nv), TARGETS["training.vocational.poor_person_times"],
                             rng, 1, np.ceil(size * 0.3), np.floor(size * 0.9))
    trade = rng.choice(list(VOC_TRADES), nv)
    for c in range(nv):
        pool = base & (pop.town == town[c])
        a = pick(rng, np.flatnonzero(pool & pop.poor), int(poor_n[c]), wt[pool & pop.poor])
        b = pick(rng, np.flatnonzero(pool & ~pop.poor), int(size[c] - poor_n[c]), wt[pool & ~pop.poor])
        for p in np.sort(np.concatenate([a, b])):
            rows.append((f"2020-职业技能-{c + 1:02d}", "职业技能培训", "人社部门", str(trade[c]), start[c], end[c], p))
    voc_end = {}
    for r in rows:
        if pop.poor[r[6]] and not np.isnat(r[5]) and r[5] <= np.datetime64("2020-09-20"):
            voc_end.setdefault(int(r[6]), (r[5], r[3]))

    # short-term (扶贫部门): 280 poor people, one row each, all finished by the summer
    ns = TARGETS["training.short_term.classes"]
    start, end, town = classes(ns, [.2, .2, .2, .2, .2], np.arange(4, 9), 5, 10)
    size = partition(rng, TARGETS["training.short_term.people"], ns, 40, 80)
    strades = rng.choice(list(SHORT_TRADES), ns, replace=False)
    used = np.zeros(pop.n, bool)
    short_people = []
    for c in range(ns):
        pool = base & pop.poor & (pop.town == town[c]) & ~used
        chosen = np.sort(pick(rng, np.flatnonzero(pool), int(size[c]), wt[pool]))
        used[chosen] = True
        for p in chosen:
            rows.append((f"2020-短期技能-{c + 1:02d}", "短期技能培训", "扶贫部门", str(strades[c]), start[c], end[c], p))
            short_people.append((int(p), end[c], SHORT_TRADES[str(strades[c])]))

    # rural practical techniques (农业农村部门): 486 people, one row each
    nr = TARGETS["training.rural_practical.classes"]
    start, end, town = classes(nr, [.1, .15, .15, .15, .15, .15, .15], np.arange(3, 10), 2, 6)
    size = partition(rng, TARGETS["training.rural_practical.people"], nr, 30, 60)
    rtrades = rng.choice(RURAL_TRADES, nr, replace=False)
    used[:] = False
    rural_paid = []
    rate = rng.choice([40, 50, 60], nr)
    for c in range(nr):
        pool = base & (pop.town == town[c]) & ~used
        chosen = np.sort(pick(rng, np.flatnonzero(pool), int(size[c]), np.where(pop.poor[pool], 1.5, 1.0)))
        used[chosen] = True
        for p in chosen:
            rows.append((f"2020-农村实用技术-{c + 1:02d}", "农村实用技术培训", "农业农村部门", str(rtrades[c]),
                         start[c], end[c], p))
            if not np.isnat(end[c]) and end[c] <= np.datetime64("2020-09-25"):
                rural_paid.append((int(p), end[c], int(rate[c])))

    person = np.array([r[6] for r in rows])
    table = pd.DataFrame({
        "培训期次": texts([r[0] for r in rows]),
        "培训类型": texts([r[1] for r in rows]),
        "主办部门": texts([r[2] for r in rows]),
        "培训工种": texts([r[3] for r in rows]),
        "开班日期": dates([r[4] for r in rows]),
        "结业日期": dates([r[5] for r in rows]),
        "乡镇": texts(np.array(T_NAMES, dtype=object)[pop.town[person]]),
        "村": texts(pop.vname[person]),
        "姓名": texts(pop.names[person]),
        "证件号码": texts(pop.ids[person]),
        "是否建档立卡": texts(np.where(pop.poor[person], "是", "否")),
    })

    # 以奖代补: the 280 short-term trainees plus poor vocational trainees, one payment each
    n_more = TARGETS["training.short_term_reward.people"] - len(short_people)
    short_set = {p for p, _e, _a in short_people}
    cands = [p for p in voc_end if p not in short_set]
    more = pick(rng, np.array(sorted(cands)), n_more)
    rec = short_people + [(int(p), voc_end[int(p)][0], VOC_TRADES[voc_end[int(p)][1]]) for p in more]
    ends = np.array([r[1] for r in rec], dtype="datetime64[D]")
    amount = scale_to_total([r[2] for r in rec], TARGETS["training.short_term_reward.amount"], rng, 100, 300, 1500)
    pay = np.minimum(ends + rng.integers(7, 31, len(rec)), AS_OF)
    pays = [person_payments(pop, pay, "短期技能培训以奖代补", [r[0] for r in rec], amount)]
    ends = np.array([r[1] for r in rural_paid], dtype="datetime64[D]")
    amount = scale_to_total([r[2] for r in rural_paid], TARGETS["training.rural_practical.amount"], rng, 10, 20,
                             100)
    pay = np.minimum(ends + rng.integers(3, 21, len(rural_paid)), AS_OF)
    pays.append(person_payments(pop, pay, "农村实用技术培训补助", [r[0] for r in rural_paid], amount))
    return table, pd.concat(pays, ignore_index=True)


def sort_payments(pay: pd.DataFrame) -> pd.DataFrame:
    return pay.sort_values(["发放日期", "补贴类型", "乡镇", "证件号码"], kind="stable", na_position="first",
                           ignore_index=True)
