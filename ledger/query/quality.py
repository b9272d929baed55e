"""Data-quality checks on the stored ledger: rows that break a rule across columns,
sheets or imports, found in SQL for an as-of date and a viewer's scope.

Each check builds one query per sheet it reports on; every query returns the
offending *current* rows under the same labels (``source_row``, ``township``,
``village``, ``name``, ``id_number`` and the check's own detail columns), so

* ``summary`` wraps each query and counts its rows per township in SQL, and
* ``rows`` runs the same query and lists the rows, ID numbers masked, with a 说明.

A problem is an offending row: ``summary``'s 问题数 for a township is exactly the
length of ``rows`` for it (a duplicated ID is two rows, one in each place it occurs).

Snapshot sheets (labourers, workshops) are read at their latest month on or before
the date; event sheets (posts, training, subsidies) from 1 January of its year to
the date, as ``query.figures`` reads them. The code is the same on SQLite,
PostgreSQL and MariaDB/MySQL: only ``substr``, ``count``/``sum``/``min``/``max``,
``CASE`` and ``EXISTS``; the ID birth-date bounds are computed in Python as
'YYYYMMDD' strings and compared as strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, and_, case, cast, exists, func, literal, literal_column, null, or_, select, union_all
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.access.masking import mask_frame
from ledger.query.statements import ALL, Scope, base_filter, connect, default_as_of, snapshot_month, township_order
from ledger.query.summarised import keeps_memos
from ledger.store.schema import DATA
from ledger.store.summaries import quality_done, quality_memo
from ledger.store.versions import current, in_force
from loaders.spec import SHEETS_BY_KEY

DISTRICT = "全区"
SUMMARY_COLUMNS = ["检查项", "检查内容", "乡镇", "问题数"]
ROW_COLUMNS = ["行号", "表", "乡镇", "村", "姓名", "证件号码", "说明"]

MIN_AGE, MAX_AGE = 16, 65
INCOME_LOW, INCOME_HIGH = 40_000, 3_000_000  # fen: 400 and 30,000 yuan
FAR_AREAS = ("省内县外", "省外", "国外")
LOCAL_MODES = ("公益性岗位", "扶贫车间")
UNABLE = ("丧失劳动力", "无劳动力")
EMPLOYED = "已就业"


@dataclass(frozen=True)
class Context:
    """What a check's queries need: the connection (to find snapshot months and the
    township list), the date and the scope already narrowed to a township."""

    conn: object
    as_of: dt.date
    scope: Scope

    def labor_month(self) -> str | None:
        return snapshot_month(self.conn, "labor", self.as_of)


Query = tuple[str, object]  # (sheet key, SELECT with the standard labels)


@dataclass(frozen=True)
class Check:
    """One rule. ``build(ctx)`` gives the queries ((sheet, SELECT) pairs); ``explain``
    turns one result row (a mapping, ID unmasked) into the 说明 text. ``sheet`` is the
    sheet whose rows it reports (check ``not_in_labor`` reports posts and training)."""

    key: str
    title: str
    sheet: str
    description: str
    build: Callable[[Context], list[Query]]
    explain: Callable[[dict], str]


# --- Building blocks ---------------------------------------------------------------


def _person_cols(t, name_col: str = "name") -> list:
    village = t.c.village if "village" in t.c else null()
    return [
        t.c.source_row.label("source_row"),
        t.c.township.label("township"),
        village.label("village"),
        t.c[name_col].label("name"),
        t.c.id_number.label("id_number"),
    ]


def _labor_base(ctx: Context):
    """Current labourer rows of the snapshot in scope, or None without a snapshot."""
    month = ctx.labor_month()
    if month is None:
        return None
    t = DATA["labor"]
    return and_(base_filter("labor", t, ctx.as_of, {"labor": month}), ctx.scope.clause(t.c.township))


def _event_base(ctx: Context, sheet: str):
    t = DATA[sheet]
    return and_(base_filter(sheet, t, ctx.as_of, {}), ctx.scope.clause(t.c.township))


def _labor_rows(condition: Callable) -> Callable[[Context], list[Query]]:
    """A row-by-row rule on the labourer snapshot."""

    def build(ctx: Context) -> list[Query]:
        base = _labor_base(ctx)
        if base is None:
            return []
        t = DATA["labor"]
        extra = [t.c.sex, t.c.employed, t.c.mode, t.c.work_area, t.c.skill, t.c.monthly_income]
        return [("labor", select(*_person_cols(t), *extra).where(base, condition(t, ctx)))]

    return build


def _not_in_labor(t):
    """The row's ID is blank or not in the labourer sheet (any current month, any
    township). NOT EXISTS, correlated on the indexed ID: PostgreSQL plans it as an anti
    join, SQLite and MariaDB look each ID up in ix_labor_id_number. NOT IN over the
    set of IDs cannot be an anti join (a NULL in the set would change its meaning):
    once the set outgrew PostgreSQL's work_mem it was searched row by row (3.8 s at
    scale 10, 0.3 s now)."""
    labor = DATA["labor"]
    listed = select(literal_column("1")).where(labor.c.id_number == t.c.id_number, current(labor))
    return or_(t.c.id_number.is_(None), ~exists(listed))


# --- The checks ----------------------------------------------------------------------


def _duplicates(several_townships: bool) -> Callable[[Context], list[Query]]:
    """IDs of the snapshot that occur on more than one row: in several townships, or
    (not to report a pair twice) several times within one township. The grouping
    looks at every township, the listed rows only at those in scope."""

    def build(ctx: Context) -> list[Query]:
        month = ctx.labor_month()
        if month is None:
            return []
        t = DATA["labor"]
        spread = func.min(t.c.township) != func.max(t.c.township)
        groups = (
            select(t.c.id_number.label("dup_id"), func.count().label("n_rows"),
                   func.count(t.c.township.distinct()).label("n_towns"))
            .where(current(t), t.c.period == month, t.c.id_number.is_not(None))
            .group_by(t.c.id_number)
            .having(and_(func.count() > 1, spread if several_townships else ~spread))
            .subquery()
        )
        stmt = (
            select(*_person_cols(t), groups.c.n_rows, groups.c.n_towns)
            .join_from(t, groups, t.c.id_number == groups.c.dup_id)
            .where(current(t), t.c.period == month, ctx.scope.clause(t.c.township))
        )
        return [("labor", stmt)]

    return build


def _sex_digit(t):
    return func.substr(t.c.id_number, 17, 1)


def _expected_sex(t):
    return case((_sex_digit(t).in_(list("13579")), "男"), else_="女")


def _sex_condition(t, ctx):
    return and_(t.c.sex.is_not(None), func.length(t.c.id_number) == 18, t.c.sex != _expected_sex(t))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def age_bounds(as_of: dt.date) -> tuple[str, str]:
    """(earliest, latest) birth date 'YYYYMMDD' of someone aged 16–65 on ``as_of``:
    born on or before ``latest`` is at least 16; born after the day 66 years back is
    at most 65, so ``earliest`` is the day after it."""
    latest = _years_before(as_of, MIN_AGE)
    earliest = _years_before(as_of, MAX_AGE + 1) + dt.timedelta(days=1)
    return earliest.strftime("%Y%m%d"), latest.strftime("%Y%m%d")


def _age_condition(t, ctx):
    earliest, latest = age_bounds(ctx.as_of)
    birth = func.substr(t.c.id_number, 7, 8)
    return and_(func.length(t.c.id_number) == 18, or_(birth < earliest, birth > latest))


def age_on(id_number: str, as_of: dt.date) -> int | None:
    try:
        born = dt.datetime.strptime(id_number[6:14], "%Y%m%d").date()
    except (TypeError, ValueError):
        return None
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def _income_condition(t, ctx):
    """Below 400 or above 30,000 yuan, leaving out 0: the income figures (EARNING in
    ledger/figures.py) and bands read 0 like a blank, as "no cash income or not given",
    which is what a subsistence farmer's ledger row says; flagging it would be a false alarm."""
    income = t.c.monthly_income
    return and_(t.c.employed == EMPLOYED, income > 0, or_(income < INCOME_LOW, income > INCOME_HIGH))


def _township_missing(ctx: Context) -> list[Query]:
    """Townships of the list (in scope) with no labourer row in the snapshot month:
    the list as a UNION ALL of literals, each tested with NOT EXISTS."""
    month = ctx.labor_month()
    if month is None:
        return []
    names = [n for n in township_order(ctx.conn) if ctx.scope.townships is None or n in ctx.scope.townships]
    if not names:
        return []
    listed = _listed(names)
    t = DATA["labor"]
    present = exists().where(current(t), t.c.period == month, t.c.township == listed.c.township)
    stmt = select(
        null().label("source_row"), listed.c.township, null().label("village"), null().label("name"),
        null().label("id_number"), literal(month, String(7)).label("month"),
    ).where(~present)
    return [("labor", stmt)]


COMPOUND_TERMS = 400  # SQLite refuses a compound SELECT of more than 500 (a province lists 1,400 townships)


def _listed(names: list[str]):
    """The names as a one-column table of literals: UNION ALLs of at most
    ``COMPOUND_TERMS`` each, themselves joined by a UNION ALL of their subqueries."""
    def one(chunk):
        return union_all(*[select(cast(literal(n), String(40)).label("township")) for n in chunk])

    parts = [one(names[i : i + COMPOUND_TERMS]) for i in range(0, len(names), COMPOUND_TERMS)]
    if len(parts) == 1:
        return parts[0].subquery()
    return union_all(*[select(part.subquery().c.township) for part in parts]).subquery()


def _workshop_mismatch(ctx: Context) -> list[Query]:
    """Per township, Σ 其中贫困劳动力 of the workshop snapshot against the 建档立卡
    labourers with 就业方式 扶贫车间 in that month; a row where they differ."""
    w, t = DATA["workshops"], DATA["labor"]
    month = snapshot_month(ctx.conn, "workshops", ctx.as_of)
    if month is None:
        return []
    zero, one = literal_column("0"), literal_column("1")
    parts = union_all(
        select(w.c.township.label("township"), func.coalesce(w.c.poor_on_duty, 0).label("ws"), zero.label("lab"))
        .where(current(w), w.c.period == month, ctx.scope.clause(w.c.township)),
        select(t.c.township.label("township"), zero.label("ws"), one.label("lab"))
        .where(current(t), t.c.period == month, t.c.is_poor.is_(True), t.c.mode == "扶贫车间",
               ctx.scope.clause(t.c.township)),
    ).subquery()
    ws, lab = func.sum(parts.c.ws), func.sum(parts.c.lab)
    agg = (
        select(parts.c.township, ws.label("ws"), lab.label("lab"))
        .group_by(parts.c.township)
        .having(ws != lab)
        .subquery()
    )
    stmt = select(
        null().label("source_row"), agg.c.township, null().label("village"), null().label("name"),
        null().label("id_number"), agg.c.ws, agg.c.lab, literal(month, String(7)).label("month"),
    )
    return [("workshops", stmt)]


def _not_in_labor_events(ctx: Context) -> list[Query]:
    out = []
    for sheet in ("posts", "training"):
        t = DATA[sheet]
        out.append((sheet, select(*_person_cols(t)).where(_event_base(ctx, sheet), _not_in_labor(t))))
    return out


def _subsidy_not_in_labor(ctx: Context) -> list[Query]:
    t = DATA["subsidies"]
    stmt = select(*_person_cols(t, "recipient"), t.c.subsidy_type, t.c.paid_on).where(
        _event_base(ctx, "subsidies"), t.c.recipient_type == "个人", _not_in_labor(t)
    )
    return [("subsidies", stmt)]


def _subsidy_twice(ctx: Context) -> list[Query]:
    """Payments to one person (个人, by ID) of one 补贴类型 in one month, more than one;
    the grouping looks at every township, the listed rows only at those in scope."""
    t = DATA["subsidies"]
    window = base_filter("subsidies", t, ctx.as_of, {})
    person = and_(t.c.recipient_type == "个人", t.c.id_number.is_not(None))
    groups = (
        select(t.c.id_number.label("g_id"), t.c.subsidy_type.label("g_type"), t.c.period.label("g_period"),
               func.count().label("n_rows"))
        .where(window, person)
        .group_by(t.c.id_number, t.c.subsidy_type, t.c.period)
        .having(func.count() > 1)
        .subquery()
    )
    on = and_(t.c.id_number == groups.c.g_id, t.c.subsidy_type == groups.c.g_type, t.c.period == groups.c.g_period)
    stmt = (
        select(*_person_cols(t, "recipient"), t.c.subsidy_type, t.c.paid_on, t.c.period.label("month"), groups.c.n_rows)
        .join_from(t, groups, on)
        .where(window, person, ctx.scope.clause(t.c.township))
    )
    return [("subsidies", stmt)]


def _yuan(fen) -> str:
    return f"{int(fen) / 100:,.2f}"


def _explain_sex(r) -> str:
    digit = r["id_number"][16]
    return f"性别填“{r['sex']}”，证件号码第17位为{digit}，应为“{'男' if digit in '13579' else '女'}”"


CHECKS: tuple[Check, ...] = (
    Check(
        "id_multi_township", "同一证件号码同月出现在多个乡镇", "labor",
        "劳动力台账最新月份中，同一证件号码出现在两个及以上乡镇。",
        _duplicates(True),
        lambda r: f"同一证件号码本月出现在{r['n_towns']}个乡镇（共{r['n_rows']}行）",
    ),
    Check(
        "id_duplicate", "同一证件号码同月重复", "labor",
        "劳动力台账最新月份中，同一证件号码在同一乡镇出现两次及以上（跨乡镇的见上一项）。",
        _duplicates(False),
        lambda r: f"同一证件号码本月出现{r['n_rows']}次",
    ),
    Check(
        "sex_mismatch", "性别与证件号码不符", "labor",
        "性别与证件号码第17位不符（奇数为男，偶数为女）。",
        _labor_rows(_sex_condition),
        _explain_sex,
    ),
    Check(
        "age_out_of_range", "年龄不在16至65岁之间", "labor",
        "按证件号码中的出生日期，截至统计日期年龄小于16岁或大于65岁。",
        _labor_rows(_age_condition),
        lambda r: f"按证件号码计算年龄为{r['age']}岁（应在{MIN_AGE}至{MAX_AGE}岁之间）",
    ),
    Check(
        "employed_no_mode", "已就业但未填就业方式", "labor",
        "就业状态为已就业，就业方式为空。",
        _labor_rows(lambda t, ctx: and_(t.c.employed == EMPLOYED, t.c.mode.is_(None))),
        lambda r: "就业状态为已就业，但就业方式为空",
    ),
    Check(
        "local_mode_far_area", "就地就业方式与务工区域矛盾", "labor",
        "就业方式为公益性岗位或扶贫车间，务工区域却在区外（省内县外、省外、国外）。",
        _labor_rows(lambda t, ctx: and_(t.c.mode.in_(LOCAL_MODES), t.c.work_area.in_(FAR_AREAS))),
        lambda r: f"就业方式为{r['mode']}，务工区域却为{r['work_area']}",
    ),
    Check(
        "unable_but_employed", "无劳动能力却已就业", "labor",
        "劳动技能为丧失劳动力或无劳动力，就业状态却为已就业。",
        _labor_rows(lambda t, ctx: and_(t.c.skill.in_(UNABLE), t.c.employed == EMPLOYED)),
        lambda r: f"劳动技能为{r['skill']}，就业状态却为已就业",
    ),
    Check(
        "income_outlier", "月收入异常", "labor",
        "已就业人员月收入低于400元或高于30000元。月收入为0或空白的不算：务农等没有现金收入的填0，"
        "与空白一样表示“无收入或未填”，收入统计（平均数、中位数）也不计入。",
        _labor_rows(_income_condition),
        lambda r: f"月收入{_yuan(r['monthly_income'])}元，"
                  f"{'低于400元' if r['monthly_income'] < INCOME_LOW else '高于30000元'}",
    ),
    Check(
        "township_missing", "乡镇缺少劳动力台账数据", "labor",
        "劳动力台账最新月份中，行政区划中的乡镇没有任何劳动力数据。",
        _township_missing,
        lambda r: f"{r['month']}劳动力台账中没有该乡镇的数据",
    ),
    Check(
        "workshop_poor_mismatch", "扶贫车间贫困劳动力人数与劳动力台账不符", "workshops",
        "扶贫车间台账最新月份各乡镇“其中贫困劳动力”合计，与同月劳动力台账中就业方式为扶贫车间的建档立卡劳动力人数不一致。",
        _workshop_mismatch,
        lambda r: f"{r['month']}扶贫车间台账其中贫困劳动力合计{int(r['ws'])}人，"
                  f"劳动力台账建档立卡扶贫车间就业{int(r['lab'])}人",
    ),
    Check(
        "not_in_labor", "公益性岗位或培训人员不在劳动力台账中", "posts",
        "本年公益性岗位台账、技能培训台账中的人员，其证件号码不在劳动力台账（任何月份）中。",
        _not_in_labor_events,
        lambda r: "证件号码不在劳动力台账中",
    ),
    Check(
        "subsidy_not_in_labor", "个人补贴对象不在劳动力台账中", "subsidies",
        "本年对象类型为个人的补贴，其证件号码为空或不在劳动力台账（任何月份）中。",
        _subsidy_not_in_labor,
        lambda r: f"{r['subsidy_type']}（{r['paid_on']}）的证件号码"
                  + ("为空" if not r["id_number"] else "不在劳动力台账中"),
    ),
    Check(
        "subsidy_paid_twice", "同一人同月重复领取同类补贴", "subsidies",
        "本年同一人（按证件号码）在同一月份领取同一补贴类型两次及以上。",
        _subsidy_twice,
        lambda r: f"{r['month']}领取{r['subsidy_type']}共{r['n_rows']}次",
    ),
)

BY_KEY: dict[str, Check] = {c.key: c for c in CHECKS}


def check(key: str) -> Check:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"No quality check {key!r}; checks: {', '.join(BY_KEY)}") from None


# --- The two entry points ------------------------------------------------------------


def summary(engine_or_conn, as_of: dt.date | None = None, *, scope: Scope = ALL) -> pd.DataFrame:
    """One row per check and township with problems (检查项, 检查内容, 乡镇, 问题数), after
    a 全区 row per check that is always there (0 when the check found nothing); the
    counts are grouped by township in SQL, once per state of the ledger (``_counts``).
    Townships in code order."""
    records = []
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        order = {n: i for i, n in enumerate(township_order(conn))}
        counts = _counts(conn, as_of, scope) if as_of is not None else {}
    for c in CHECKS:
        per = counts.get(c.key, {})
        records.append({"检查项": c.key, "检查内容": c.title, "乡镇": DISTRICT, "问题数": sum(per.values())})
        for town in sorted(per, key=lambda x: (x is None, order.get(x, len(order)), x or "")):
            if per[town]:
                records.append({"检查项": c.key, "检查内容": c.title, "乡镇": town or "（未填）", "问题数": per[town]})
    frame = pd.DataFrame.from_records(records, columns=SUMMARY_COLUMNS)
    frame["问题数"] = frame["问题数"].astype("int64")
    return frame


def _counts(conn, as_of: dt.date, scope: Scope) -> dict[str, dict[str | None, int]]:
    """Problems per check and township: kept in the quality memo for this state of the
    ledger (the slices in force), date, scope and version of the checks, so only the
    first view after an import runs the checks on the detail. Not kept from a caller's
    connection (it may be inside a write) or a preview's rolled-back slices."""
    queries = [(c.key, _grouped(stmt)) for c in CHECKS for _, stmt in c.build(Context(conn, as_of, scope))]
    digest = _memo_key(conn, as_of, scope, queries)
    if digest is not None:
        m = quality_memo
        if conn.execute(select(quality_done.c.digest).where(quality_done.c.digest == digest)).first() is not None:
            kept: dict[str, dict[str | None, int]] = {}
            for key, town, n in conn.execute(select(m.c.check_key, m.c.township, m.c.n).where(m.c.digest == digest)):
                kept.setdefault(key, {})[town] = int(n)
            return kept
    counts = _run(conn, queries)
    if digest is not None:
        _keep(conn, digest, counts)
    return counts


def _run(conn, queries) -> dict[str, dict[str | None, int]]:
    counts: dict[str, dict[str | None, int]] = {c.key: {} for c in CHECKS}
    for key, grouped in queries:
        per = counts[key]
        for town, n in conn.execute(grouped):
            per[town] = per.get(town, 0) + int(n)
    return counts


def _grouped(stmt):
    sub = stmt.subquery()
    return select(sub.c.township, func.count()).group_by(sub.c.township)


def _statements_version(conn, queries) -> str:
    """A fingerprint of the SQL the checks run (text and parameters, as this database
    gets them): a changed check is never answered from an old memo, and an upgrade that
    leaves the checks alone keeps the memo (at 85 districts running them takes 24 s)."""
    digest = hashlib.sha256()
    for key, stmt in queries:
        compiled = stmt.compile(dialect=conn.dialect)
        params = sorted((k, repr(v)) for k, v in compiled.params.items())
        digest.update(json.dumps([key, str(compiled), params], ensure_ascii=False).encode())
    return digest.hexdigest()


def _memo_key(conn, as_of: dt.date, scope: Scope, queries) -> str | None:
    if not keeps_memos():
        return None
    state = in_force(conn)
    if any(i <= 0 for periods in state.values() for i in periods.values()):
        return None
    towns = None if scope.townships is None else sorted(scope.townships)
    text = json.dumps([as_of.isoformat(), towns, sorted((s, sorted(p.items())) for s, p in state.items()),
                       _statements_version(conn, queries)])
    return hashlib.sha256(text.encode()).hexdigest()


def _keep(conn, digest: str, counts: dict[str, dict[str | None, int]]) -> None:
    """The counts and the marker that they are complete, in a transaction of their own
    (another process keeping the same adds nothing twice)."""
    rows = [{"digest": digest, "check_key": key, "township": town, "n": n}
            for key, per in counts.items() for town, n in per.items()]
    try:
        with conn.engine.begin() as w:
            w.execute(quality_done.insert().values(digest=digest))
            if rows:
                w.execute(quality_memo.insert(), rows)
    except (IntegrityError, OperationalError):
        pass  # another session kept it first (or the store is busy: it is kept next time)


def rows(
    engine_or_conn,
    check_key: str,
    as_of: dt.date | None = None,
    *,
    scope: Scope = ALL,
    township: str | None = None,
    masked: bool = True,
) -> pd.DataFrame:
    """The rows ``check_key`` finds (行号, 表, 乡镇, 村, 姓名, 证件号码, 说明; masked by
    ``access.masking`` unless ``masked=False``),
    ordered by township (code order), village, name and row. A township-level finding
    (a missing township, a workshop mismatch) has no 行号, 村, 姓名 or 证件号码."""
    c = check(check_key)
    narrowed = scope.narrowed(township)
    found = []
    with connect(engine_or_conn) as conn:
        as_of = as_of or default_as_of(conn)
        if as_of is None:
            return _frame([])
        order = {n: i for i, n in enumerate(township_order(conn))}
        for sheet, stmt in c.build(Context(conn, as_of, narrowed)):
            for r in conn.execute(stmt).mappings():
                found.append((sheet, dict(r)))
    records = []
    for sheet, r in found:
        if c.key == "age_out_of_range":
            r["age"] = age_on(r["id_number"], as_of)
        records.append({
            "行号": r["source_row"], "表": SHEETS_BY_KEY[sheet].name, "乡镇": r["township"], "村": r["village"],
            "姓名": r["name"], "证件号码": r["id_number"], "说明": c.explain(r),
        })
    records.sort(key=lambda x: (order.get(x["乡镇"], len(order)), x["乡镇"] or "", x["村"] is None, x["村"] or "",
                                x["姓名"] or "", x["表"], x["行号"] if x["行号"] is not None else -1))
    return mask_frame(_frame(records)) if masked else _frame(records)


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
    frame["行号"] = pd.array(frame["行号"].tolist(), dtype="Int64")
    return frame


def overview(summary_rows: pd.DataFrame, township: str | None = None) -> pd.DataFrame:
    """检查项, 检查内容, 问题数 of every check, for the district or one township."""
    district = summary_rows[summary_rows["乡镇"] == DISTRICT].set_index("检查项")
    if township:
        mine = summary_rows[summary_rows["乡镇"] == township].set_index("检查项")["问题数"]
        district = district.assign(问题数=[int(mine.get(k, 0)) for k in district.index])
    return district.reset_index()[["检查项", "检查内容", "问题数"]]


def by_township(summary_rows: pd.DataFrame, township: str | None, checks) -> pd.DataFrame:
    """Problems per township (rows) and check (columns), for the checks named."""
    rows = summary_rows[(summary_rows["乡镇"] != DISTRICT) & summary_rows["检查项"].isin(list(checks))]
    if township:
        rows = rows[rows["乡镇"] == township]
    return rows.pivot_table(index="乡镇", columns="检查内容", values="问题数", aggfunc="sum", fill_value=0,
                            sort=False).reset_index()
