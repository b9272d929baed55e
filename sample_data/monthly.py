"""The labourers month by month: the (person × month) employment matrices, the ordinary
year with the special roles laid on top, and the 劳动力就业台账 written from them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .district import (
    A_COUNTY,
    A_OUT,
    A_TOWN,
    AREAS,
    CITIES,
    EDUCATION,
    M_FARM,
    M_MIGRANT,
    M_POST,
    M_WORKSHOP,
    MODES,
    MONTHS,
    N_MONTHS,
    SKILLS,
    T_NAMES,
)
from .draws import Names, lookup, texts
from .employers import Firms
from .people import Population, UsualYear
from .schemes import Posts, Ride
from .workshops import Worker, WorkshopPlan


@dataclass(frozen=True)
class Months:
    """(person × month) matrices; codes are -1 where there is nothing to write."""

    emp: np.ndarray  # 已就业
    mode: np.ndarray
    area: np.ndarray
    place: np.ndarray
    unit: np.ndarray
    income: np.ndarray
    remark: np.ndarray  # code in remarks
    remarks: list[str]
    places: Names
    units: Names
    # the usual year as the special roles left it (back month, usual mode, churn), for the subsidies
    usual: UsualYear


def monthly_states(rng: np.random.Generator, pop: Population, usual: UsualYear, firms: Firms, riders: list[Ride],
                   plan: WorkshopPlan, workers: list[Worker], posts: Posts) -> Months:
    """The (person × month) employment matrices: ordinary paths, then the special roles on top."""
    P, M = pop.n, N_MONTHS
    places, units = usual.places.copy(), usual.units.copy()
    R, gmode, garea, churn = usual.back.copy(), usual.mode.copy(), usual.area.copy(), usual.churn.copy()
    months = np.arange(1, M + 1)
    emp = np.where(months[None, :] == 1, usual.january[:, None], months[None, :] >= R[:, None])
    gap = (months[None, :] >= usual.gap_start[:, None]) & \
          (months[None, :] < (usual.gap_start + usual.gap_len)[:, None])
    emp &= ~gap
    mode = np.where(emp, gmode[:, None], -1)
    area = np.where(emp, garea[:, None], -1)
    place = np.where(emp, usual.place[:, None], -1)
    unit = np.where(emp, usual.unit[:, None], -1)
    income = np.where(emp, usual.income[:, None], -1)
    remark = np.full((P, M), -1)
    remarks = ["点对点输送返岗"]

    # transported poor: back in 东莞/深圳 from their batch's month, and they stay
    for p, bm, city in riders:
        there = firms.by_city[city]
        on = months >= bm
        emp[p] = on | (months == 1)
        mode[p] = np.where(emp[p], M_MIGRANT, -1)
        area[p] = np.where(emp[p], A_OUT, -1)
        place[p] = np.where(emp[p], places.code(CITIES[city][1]), -1)
        unit[p] = np.where(emp[p], units.code(there[rng.integers(len(there))]), -1)
        income[p] = np.where(emp[p], int(np.clip(round(rng.normal(4300, 600) / 100) * 100, 3000, 6000)), -1)
        remark[p] = np.where(on, 0, -1)
    tp = np.array([t[0] for t in riders])
    R[tp] = np.array([t[1] for t in riders])
    gmode[tp] = M_MIGRANT
    garea[tp] = A_OUT
    churn[tp] = False

    # workshop workers: idle until they join, then in the workshop until September
    for p, w, j, _poor in workers:
        on = months >= j
        emp[p] = on
        mode[p] = np.where(on, M_WORKSHOP, -1)
        area[p] = np.where(on, A_TOWN if pop.town[p] == plan.town[w] else A_COUNTY, -1)
        place[p] = np.where(on, places.code(f"广西河池市宜州区{T_NAMES[plan.town[w]]}"), -1)
        unit[p] = np.where(on, units.code(plan.name[w]), -1)
        income[p] = np.where(on, int(np.clip(round(rng.normal(2100, 300) / 50) * 50, 1500, 2800)), -1)
    wp = np.array([x[0] for x in workers])
    churn[wp] = False

    # public-welfare post holders: on the post for the months they hold it; farming or idle otherwise
    holders = np.unique(posts.who)
    farm = rng.random(holders.size) < 0.4
    for p, f in zip(holders, farm):
        emp[p] = f
        mode[p] = M_FARM if f else -1
        area[p] = A_TOWN if f else -1
        place[p] = -1
        unit[p] = -1
        income[p] = int(usual.income[p]) if f and gmode[p] == M_FARM else (600 if f else -1)
    for p, sm, em, r in zip(posts.who, posts.smonth, posts.emonth, posts.rate):
        on = (months >= sm) & (months <= em)
        emp[p] |= on
        mode[p] = np.where(on, M_POST, mode[p])
        area[p] = np.where(on, A_TOWN, area[p])
        income[p] = np.where(on, r, income[p])
    churn[holders] = False

    usual = dataclasses.replace(usual, back=R, mode=gmode, area=garea, churn=churn, places=places, units=units)
    return Months(emp=emp, mode=mode, area=area, place=place, unit=unit, income=income, remark=remark,
                  remarks=remarks, places=places, units=units, usual=usual)


def labourer_sheet(pop: Population, st: Months) -> pd.DataFrame:
    """One row per labourer per month, in township/village/household order, a person's 9 months together.

    Person-major order keeps the workbook ~20% smaller than month-major: consecutive rows
    differ in a few cells only and compress well. Readers must not rely on row order.
    """
    P, M = pop.n, N_MONTHS
    rep = lambda a: np.repeat(np.asarray(a, dtype=object), M)  # noqa: E731
    emp = st.emp.reshape(-1)
    yes_no = np.array(["无", "有"], dtype=object)
    worked = np.cumsum(st.emp, axis=1).reshape(-1)
    income = st.income.reshape(-1)
    df = pd.DataFrame({
        "统计时点": texts(np.tile(np.array(MONTHS, dtype=object), P)),
        "乡镇": texts(rep(np.array(T_NAMES, dtype=object)[pop.town])),
        "村": texts(rep(pop.vname)),
        "姓名": texts(rep(pop.names)),
        "证件号码": texts(rep(pop.ids)),
        "是否建档立卡": texts(rep(np.where(pop.poor, "是", "否"))),
        "就业状态": texts(np.where(emp, "已就业", "未就业").astype(object)),
        "就业方式": texts(lookup(MODES, st.mode.reshape(-1))),
        "务工区域": texts(lookup(AREAS, st.area.reshape(-1))),
        "务工所在地": texts(lookup(st.places.labels, np.where(st.mode == M_MIGRANT, st.place, -1).reshape(-1))),
        "务工单位": texts(lookup(st.units.labels, st.unit.reshape(-1))),
        "务工时间（月）": worked.astype(np.int64),
        "月收入（元）": pd.arrays.IntegerArray(np.where(emp, income, 0).astype(np.int64), ~emp),
        "家庭人口数": np.repeat(pop.fam, M).astype(np.int64),
        "户编号": texts(rep(pop.hh_code)),
        "性别": texts(rep(np.where(pop.male, "男", "女"))),
        "文化程度": texts(rep(np.array(EDUCATION, dtype=object)[pop.edu])),
        "劳动技能": texts(rep(np.array(SKILLS, dtype=object)[pop.skill])),
        "就业意愿": texts(rep(yes_no[pop.wish_job.astype(int)])),
        "创业意愿": texts(rep(yes_no[pop.wish_biz.astype(int)])),
        "培训意愿": texts(rep(yes_no[pop.wish_train.astype(int)])),
        "联系电话": texts(rep(pop.phones)),
        "备注": texts(lookup(st.remarks, st.remark.reshape(-1))),
    })
    return df
