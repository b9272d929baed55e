"""Progress against the year's targets (目标任务), paced against the calendar.

Cumulative indicators (training person-times, posts developed) are judged by
时间过半、任务过半: completion against the share of the year elapsed. Stock
indicators (people in work now, the employment rate) are judged against the target
itself, since a headcount does not accumulate through the year.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from sqlalchemy import select

from ledger.query.statements import ALL, Scope, breakdown, connect
from ledger.store.schema import DATA
from ledger.store.versions import current

# indicator → (figure key, paced by the calendar)
INDICATORS: dict[str, tuple[str, bool]] = {
    "贫困劳动力就业人数": ("labor.poor_employed", False),
    "贫困劳动力就业率": ("labor.poor_employment_rate", False),
    "培训人次": ("training.person_times", True),
    "公益性岗位数": ("posts.count", True),
    "扶贫车间吸纳贫困劳动力": ("workshops.poor_absorbed", False),
}
PCT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    """A figure from a DataFrame cell (numpy integer, Decimal or None) as a Decimal."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def year_elapsed(as_of: dt.date) -> Decimal:
    """The share of the year elapsed at the end of ``as_of``, in %."""
    start, end = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    return (Decimal((as_of - start).days + 1) * 100 / Decimal((end - start).days + 1)).quantize(PCT, ROUND_HALF_UP)


def progress(engine_or_conn, as_of: dt.date, *, scope: Scope = ALL, township: str | None = None) -> pd.DataFrame:
    """One row per township and indicator of ``as_of``'s year: target, actual, completion
    (%), the pace it is held to (%), status (ahead / behind) and, for an indicator behind,
    the number still needed per remaining month."""
    t = DATA["targets"]
    narrowed = scope.narrowed(township)
    with connect(engine_or_conn) as conn:
        rows = conn.execute(
            select(t.c.township, t.c.indicator, t.c.value)
            .where(current(t), t.c.year == as_of.year, narrowed.clause(t.c.township))
            .order_by(t.c.township, t.c.indicator)
        ).all()
        keys = sorted({INDICATORS[r.indicator][0] for r in rows})
        actual = breakdown(conn, keys, as_of, scope=narrowed).set_index("township") if keys else None
    elapsed = year_elapsed(as_of)
    months_left = 12 - as_of.month
    records = []
    for town, indicator, target in rows:
        key, paced = INDICATORS[indicator]
        value = _decimal(actual.loc[town, key]) if town in actual.index else None
        target = _decimal(target)
        done = None if value is None or not target else (value * 100 / target).quantize(PCT, ROUND_HALF_UP)
        pace = elapsed if paced else Decimal(100)
        status = "ahead" if done is not None and done >= pace else "behind"
        gap = max(Decimal(0), target - (value or Decimal(0)))
        per_month = None
        if status == "behind" and indicator != "贫困劳动力就业率":
            per_month = int((gap / max(months_left, 1)).to_integral_value(rounding="ROUND_CEILING"))
        records.append(
            {"township": town, "indicator": indicator, "key": key, "target": target, "actual": value,
             "completion": done, "pace": pace, "status": status, "needed_per_month": per_month}
        )
    return pd.DataFrame(records, columns=["township", "indicator", "key", "target", "actual", "completion", "pace",
                                          "status", "needed_per_month"])


# --- Traffic lights --------------------------------------------------------------------

# The one wording of each state: the chart legend, the table and the briefing say it so.
RAG_TEXT = {"green": "达到进度", "amber": "略低于进度", "red": "明显落后"}
NOT_NEEDED = "—"  # a township on pace needs nothing more per month


def rag(completion, pace) -> str:
    """Traffic light of a target: "green" when completion ≥ pace, "amber" when it is
    within 10 percentage points below pace, "red" otherwise (and when there is no
    completion to judge). ``pace`` None means the target itself (100 %). Compared as
    decimals, so 65.07 against a pace of 75.07 is amber, not a float-rounding red."""
    done = _decimal(completion)
    bar = _decimal(pace)
    bar = Decimal(100) if bar is None else bar
    if done is None:
        return "red"
    if done >= bar:
        return "green"
    if done >= bar - 10:
        return "amber"
    return "red"


def _text_or_number(values: pd.Series) -> list:
    """Numbers as floats, or, when one is missing, every cell as text with — for the
    missing one (a table column holds one type: Streamlit's grid refuses a mix)."""
    if all(v is not None and v == v for v in values):
        return [float(v) for v in values]
    return [NOT_NEEDED if v is None or v != v else format(Decimal(str(v)).normalize(), "f") for v in values]


def ranked_tables(progress_rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """Per indicator, in the order of the targets sheet: (indicator, its rows ranked by
    completion with a ``rag`` column, the table a township head reads: 排名, 乡镇, 目标,
    完成, 完成率（%）, 进度要求（%）, 状态, 剩余各月每月需完成). Nothing is left blank
    without saying why: a missing figure reads —."""
    rows = progress_rows.assign(rag=[rag(c, p) for c, p in zip(progress_rows["completion"], progress_rows["pace"])])
    out = []
    for indicator, part in rows.groupby("indicator", sort=False):
        part = part.sort_values("completion", ascending=False, key=lambda s: s.map(lambda v: -1 if v is None else float(v)))
        table = pd.DataFrame(
            {
                "排名": range(1, len(part) + 1),
                "乡镇": part["township"].to_list(),
                "目标": [float(v) for v in part["target"]],
                "完成": _text_or_number(part["actual"]),
                "完成率（%）": _text_or_number(part["completion"]),
                "进度要求（%）": [float(v) for v in part["pace"]],
                "状态": [RAG_TEXT[r] for r in part["rag"]],
                "剩余各月每月需完成": [NOT_NEEDED if v is None or v != v else str(int(v)) for v in part["needed_per_month"]],
            }
        )
        out.append((indicator, part.reset_index(drop=True), table))
    return out
