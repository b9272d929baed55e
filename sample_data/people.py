"""The labourers: villages, households and people with their static attributes, and each
person's ordinary year before any programme (transport, posts, workshops) claims them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .district import (
    A_ABROAD,
    A_COUNTY,
    A_OUT,
    A_PROVINCE,
    A_TOWN,
    ABROAD_PLACES,
    AS_OF,
    CITIES,
    FEMALE_CHARS,
    M_BUSINESS,
    M_FARM,
    M_FLEX,
    M_MIGRANT,
    M_OTHER,
    MALE_CHARS,
    OUT_CITY_W,
    PHONE_PREFIXES,
    PROV_CITY_W,
    SURNAME_W,
    SURNAMES,
    T_CODES,
    T_NAMES,
    T_SHARE,
    TOWNSHIPS,
    VILLAGE_HEAD,
    VILLAGE_TAIL,
    YEAR,
)
from .draws import Names, check_digits, sample_cat
from .employers import Firms


def draw_villages(rng: np.random.Generator) -> list[list[str]]:
    """Plausible Zhuang-region village names, unique within each township (the seat gets 社区)."""
    out = []
    for name, _code, typ, _alias, _share, nv in TOWNSHIPS:
        short = name.replace("瑶族乡", "").rstrip("镇乡")
        names = ["城东社区", "城西社区", "城南社区", "城北社区"] if name == "庆远镇" else (
            [f"{short}社区"] if typ == "镇" else [])
        seen = set(names)
        while len(names) < nv:
            v = str(rng.choice(list(VILLAGE_HEAD))) + str(rng.choice(list(VILLAGE_TAIL)))
            if v[0] == v[1] or v + "村" in seen:
                continue
            seen.add(v + "村")
            names.append(v + "村")
        out.append(names)
    return out


@dataclass(frozen=True)
class Population:
    """One entry per labourer in every array; every other sheet refers to these people.
    Frozen so that no step rebinds them; the arrays themselves are not changed after
    :func:`draw_people` either."""

    town: np.ndarray  # township index into T_NAMES
    vname: np.ndarray  # village name
    fam: np.ndarray  # 家庭人口数
    hh_code: np.ndarray  # 户编号
    poor: np.ndarray  # 建档立卡
    male: np.ndarray
    age: np.ndarray  # on 2020-09-30
    ids: np.ndarray
    names: np.ndarray
    edu: np.ndarray  # index into EDUCATION
    skill: np.ndarray  # index into SKILLS
    able: np.ndarray  # can work at all
    fit: np.ndarray  # can go out to work far away
    wish_job: np.ndarray
    wish_biz: np.ndarray
    wish_train: np.ndarray
    phones: np.ndarray  # None where left blank

    @property
    def n(self) -> int:
        return len(self.ids)


def draw_people(rng: np.random.Generator, villages: list[list[str]], P: int) -> Population:
    """Static attributes: township, village, household, name, ID, education, skills, wishes."""
    share = T_SHARE * rng.uniform(0.9, 1.1, T_SHARE.size)
    share = share / share.sum()
    counts = np.floor(share * P).astype(int)
    counts[np.argsort(-(share * P - counts), kind="stable")[: P - counts.sum()]] += 1
    town, vill, hh, fam, poor_hh, region_hh, surname_hh, hh_code = [], [], [], [], [], [], [], []
    hh_id = 0
    for t, n_t in enumerate(counts):
        nv = len(villages[t])
        w = rng.dirichlet(np.full(nv, 4.0))
        vc = rng.multinomial(n_t, w)
        for v, n_v in enumerate(vc):
            if n_v == 0:
                continue
            sizes = rng.choice([1, 2, 3, 4, 5], size=n_v, p=[.25, .35, .22, .12, .06])
            cs = np.cumsum(sizes)
            k = int(np.searchsorted(cs, n_v)) + 1
            sizes = sizes[:k].copy()
            sizes[-1] -= cs[k - 1] - n_v
            n_h = sizes.size
            extra = np.minimum(rng.integers(0, 5, n_h), 8 - sizes)
            for j in range(n_h):
                town.extend([t] * sizes[j])
                vill.extend([v] * sizes[j])
                hh.extend([hh_id + j] * sizes[j])
                fam.extend([sizes[j] + extra[j]] * sizes[j])
                hh_code.extend([f"{T_CODES[t]}{v + 1:03d}{j + 1:04d}"] * sizes[j])
            poor_hh.append(rng.random(n_h) < 0.64)
            region_hh.append(np.where(rng.random(n_h) < 0.86, "451203", "451281"))
            surname_hh.append(rng.choice(len(SURNAMES), n_h, p=SURNAME_W / SURNAME_W.sum()))
            hh_id += n_h
    town = np.array(town)
    vill = np.array(vill)
    hh = np.array(hh)
    fam = np.array(fam)
    hh_code = np.array(hh_code, dtype=object)
    poor = np.concatenate(poor_hh)[hh]
    region = np.concatenate(region_hh)[hh]
    surname = np.concatenate(surname_hh)[hh]
    own = rng.random(P) < 0.3  # spouses and others keep their own surname
    surname[own] = rng.choice(len(SURNAMES), own.sum(), p=SURNAME_W / SURNAME_W.sum())
    vname = np.array([villages[t][v] for t, v in zip(town, vill)], dtype=object)

    male = rng.random(P) < 0.53
    # age 16–65 on 2020-09-30: birth between 1954-10-01 and 2004-09-30
    years = 16 + 50 * rng.beta(1.9, 2.1, P)
    birth = AS_OF - np.floor(years * 365.2425).astype(int)
    birth = np.clip(birth, np.datetime64("1954-10-01"), np.datetime64("2004-09-30"))
    md = [s.replace("-", "") for s in np.datetime_as_string(birth, unit="D")]  # YYYYMMDD
    by = np.array([int(s[:4]) for s in md])
    bm = np.array([int(s[4:6]) for s in md])
    bd = np.array([int(s[6:8]) for s in md])
    age = YEAR - by - ((bm > 9) | ((bm == 9) & (bd > 30)))
    sex_digit = rng.integers(0, 5, P) * 2 + male
    seq = rng.integers(0, 100, P)
    ids = np.empty(P, dtype=object)
    todo = np.arange(P)
    taken: set[str] = set()
    while todo.size:  # unique IDs: redraw the sequence digits of any collision
        bodies = [f"{region[i]}{md[i]}{seq[i]:02d}{sex_digit[i]}" for i in todo]
        checks = check_digits(bodies)
        again = []
        for i, b, c in zip(todo, bodies, checks):
            full = b + c
            if full in taken:
                again.append(i)
            else:
                taken.add(full)
                ids[i] = full
        todo = np.array(again, dtype=int)
        seq[todo] = rng.integers(0, 100, todo.size)
        sex_digit[todo] = rng.integers(0, 5, todo.size) * 2 + male[todo]

    given1 = np.where(male, rng.choice(list(MALE_CHARS), P), rng.choice(list(FEMALE_CHARS), P))
    given2 = np.where(male, rng.choice(list(MALE_CHARS), P), rng.choice(list(FEMALE_CHARS), P))
    given2 = np.where(rng.random(P) < 0.78, given2, "")
    sn = np.array(list(SURNAMES))[surname]
    names = np.char.add(np.char.add(sn, given1), given2).astype(object)

    grp = np.digitize(age, [30, 45, 55])
    edu_p = np.array([[.01, .08, .50, .25, .11, .05], [.02, .20, .58, .14, .04, .02],
                      [.06, .38, .46, .08, .015, .005], [.18, .52, .26, .04, 0, 0]])
    edu = sample_cat(rng, edu_p[grp])
    skill_p = np.array([[.74, .20, .04, .01, .01], [.70, .20, .07, .02, .01],
                        [.68, .12, .15, .03, .02], [.52, .05, .33, .06, .04]])
    skill = sample_cat(rng, skill_p[grp])
    able = skill <= 2
    fit = skill <= 1  # can go out to work far away
    wish_job = np.where(able, rng.random(P) < 0.95, False)
    wish_biz = rng.random(P) < np.where(age < 45, 0.14, 0.06)
    wish_train = np.where(able, rng.random(P) < np.where(age < 50, 0.62, 0.4), False)
    prefix = np.array(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), P)]
    phones = np.char.add(prefix, np.char.zfill(rng.integers(0, 10**8, P).astype(str), 8)).astype(object)
    _u, first = np.unique(phones.astype(str), return_index=True)
    dup = np.ones(P, bool)
    dup[first] = False
    phones[dup] = None  # a duplicate number is simply left blank
    phones[rng.random(P) < 0.04] = None
    return Population(town=town, vname=vname, fam=fam, hh_code=hh_code, poor=poor, male=male, age=age, ids=ids,
                      names=names, edu=edu, skill=skill, able=able, fit=fit, wish_job=wish_job, wish_biz=wish_biz,
                      wish_train=wish_train, phones=phones)


@dataclass(frozen=True)
class UsualYear:
    """Everyone's ordinary year; the monthly states start from it (codes: -1 is none)."""

    mode: np.ndarray  # usual 就业方式 (index into MODES)
    area: np.ndarray  # its 务工区域 (index into AREAS)
    place: np.ndarray  # its 务工所在地 (code in places)
    unit: np.ndarray  # its 务工单位 (code in units)
    income: np.ndarray
    back: np.ndarray  # month of (re)employment: 2..9, 10 = not at all this year
    january: np.ndarray  # at work in January, before the epidemic
    gap_start: np.ndarray  # month a churner loses the job again (99: never)
    gap_len: np.ndarray
    churn: np.ndarray
    places: Names
    units: Names


def usual_year(rng: np.random.Generator, pop: Population, firms: Firms) -> UsualYear:
    """Everyone's ordinary year: a usual job, the month they got back to work after the epidemic."""
    P = pop.n
    places, units = Names(), Names()
    grp = np.digitize(pop.age, [30, 45, 55])
    # 外出务工, 自主创业, 灵活就业, 务农, 其他
    mode_p = np.array([[.74, .04, .09, .07, .06], [.63, .07, .11, .12, .07],
                       [.46, .06, .12, .29, .07], [.14, .03, .09, .67, .07]])
    pm = mode_p[grp].copy()
    pm[~pop.fit, 0] *= 0.25  # weak labourers seldom go far
    pm[pop.poor, 0] *= 0.93
    choice = sample_cat(rng, pm)
    gmode = np.array([M_MIGRANT, M_BUSINESS, M_FLEX, M_FARM, M_OTHER])[choice]
    # month of (re)employment: 2..9, 10 = not at all this year
    r_vals = np.arange(2, 11)
    r_p = {
        M_MIGRANT: [.31, .30, .14, .07, .05, .03, .025, .015, .06],
        M_BUSINESS: [.55, .22, .10, .04, .03, 0, 0, 0, .06],
        M_FLEX: [.34, .22, .14, .09, .06, .04, .03, .02, .06],
        M_FARM: [.90, .04, .01, 0, 0, 0, 0, 0, .05],
        M_OTHER: [.38, .2, .12, .08, .06, .04, .03, .02, .07],
    }
    R = np.full(P, 10)
    for m, p in r_p.items():
        sel = gmode == m
        p = np.array(p)
        R[sel] = rng.choice(r_vals, sel.sum(), p=p / p.sum())
    R[~pop.able] = 10
    J = np.where(R <= 9, rng.random(P) < 0.93, rng.random(P) < 0.25) & pop.able

    # area, place, firm and income of the usual job
    area = np.full(P, A_TOWN)
    area_p = {M_MIGRANT: [0, .065, .27, .66, .005], M_BUSINESS: [.6, .3, .1, 0, 0],
              M_FLEX: [.45, .35, .15, .05, 0], M_OTHER: [.5, .3, .15, .05, 0]}
    for m, p in area_p.items():
        sel = gmode == m
        area[sel] = rng.choice(5, sel.sum(), p=p)
    place = np.full(P, -1)
    unit = np.full(P, -1)
    mig = gmode == M_MIGRANT
    out_c = list(OUT_CITY_W)
    out_w = np.array(list(OUT_CITY_W.values()))
    prov_c = list(PROV_CITY_W)
    prov_w = np.array(list(PROV_CITY_W.values()))
    firms_in = {t: [j for j, tt in enumerate(firms.local_town) if tt == t] for t in range(len(T_NAMES))}
    for i in np.flatnonzero(mig):
        a = area[i]
        if a == A_OUT or a == A_PROVINCE:
            c = out_c[rng.choice(len(out_c), p=out_w / out_w.sum())] if a == A_OUT else \
                prov_c[rng.choice(len(prov_c), p=prov_w / prov_w.sum())]
            place[i] = places.code(CITIES[c][1])
            there = firms.by_city[c]
            unit[i] = units.code(there[rng.integers(len(there))])
        elif a == A_COUNTY:  # a district firm in another township
            k = int(rng.integers(len(firms.local)))
            t = firms.local_town[k]
            if t == pop.town[i]:
                t = T_NAMES.index("石别镇" if T_NAMES[t] == "庆远镇" else "庆远镇")
                there = firms_in[t]
                k = there[rng.integers(len(there))]
            place[i] = places.code(f"广西河池市宜州区{T_NAMES[t]}")
            unit[i] = units.code(firms.local[k])
        else:
            place[i] = places.code(str(rng.choice(ABROAD_PLACES)))
    income = np.zeros(P, dtype=np.int64)

    def draw(sel, mean, sd, lo, hi, step=100):
        income[sel] = np.clip(np.round(rng.normal(mean, sd, sel.sum()) / step) * step, lo, hi)

    draw(mig & (area == A_OUT), 4300, 650, 3000, 6000)
    draw(mig & (area == A_PROVINCE), 3600, 500, 2800, 5000)
    draw(mig & (area == A_COUNTY), 3000, 400, 2200, 4000)
    draw(mig & (area == A_ABROAD), 6500, 800, 5000, 8000)
    draw(gmode == M_BUSINESS, 3800, 1200, 2000, 8000)
    draw(gmode == M_FLEX, 2400, 450, 1500, 3500, 50)
    draw(gmode == M_OTHER, 2200, 350, 1500, 3000, 50)
    farm = gmode == M_FARM
    # 400 yuan at least: lower is what ledger.query.quality flags as an outlier. Some
    # farmers earn no cash at all and write 0, which the figures read as "no income".
    draw(farm, 800, 300, 400, 1500, 50)
    income[farm & (rng.random(P) < 0.15)] = 0
    # a few lose their job again for a month or two after coming back
    churn = pop.able & (R <= 7) & (rng.random(P) < 0.05)
    gap_start = np.where(churn, R + 1 + np.floor(rng.random(P) * (9 - R)).astype(int), 99)
    gap_len = rng.integers(1, 3, P)
    return UsualYear(mode=gmode, area=area, place=place, unit=unit, income=income, back=R, january=J,
                     gap_start=gap_start, gap_len=gap_len, churn=churn, places=places, units=units)
