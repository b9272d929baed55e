"""The townships of the ledger: the stored 行政区划 list, and a township's own
workbook replacing only its townships' rows."""

from __future__ import annotations

import dataclasses

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, or_, select

import loaders
from ledger.store.schema import DATA
from loaders import LoadResult, Problem, Township
from loaders.validate import ERROR

# Sheets a township can submit on its own: their rows carry a township.
TOWNSHIP_SHEETS = tuple(k for k, t in DATA.items() if "township" in t.c and k != "townships")


BLANK_TOWNSHIP = "（不分乡镇）"


def stored_townships(conn: Connection) -> tuple[Township, ...] | None:
    """The 行政区划 list the database holds, or None to use the configuration's default."""
    t = DATA["townships"]
    rows = conn.execute(select(t.c.code, t.c.name, t.c.type, t.c.aliases, t.c.parent)
                        .where(t.c.is_current).order_by(t.c.code, t.c.row_id)).all()
    if not rows:
        return None
    return loaders.townships_from_frame(pd.DataFrame(rows, columns=["code", "name", "type", "aliases", "parent"]))


def names_in_order(conn: Connection) -> list[str]:
    """The townships' names in code order (the stored list's, or the configuration's),
    without building the list: what every breakdown and people list orders by."""
    t = DATA["townships"]
    names = conn.execute(select(t.c.name).where(t.c.is_current).order_by(t.c.code, t.c.row_id)).scalars().all()
    return list(names) or [t.name for t in loaders.DEFAULT_TOWNSHIPS]


def township_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return names_in_order(conn)


def _not_held(t, part: pd.DataFrame):
    """Stored rows of townships ``part`` has no rows of (a blank township is a group of
    its own: kept unless the file has blank-township rows too)."""
    towns = sorted(set(part["township"].dropna()))
    named = t.c.township.is_not(None)
    if towns:
        named = and_(named, t.c.township.not_in(towns))
    if part["township"].isna().any():
        return named
    return or_(named, t.c.township.is_(None))


def uncovered_townships(conn: Connection, *results: LoadResult) -> dict[tuple[str, str], list[str]]:
    """Per (sheet, period) of the files, the townships with current stored rows that no
    file has rows of: a whole-month import removes them, ``by_township`` keeps them."""
    out = {}
    for sheet in dict.fromkeys(k for r in results for k in r.tables):
        if sheet not in TOWNSHIP_SHEETS:
            continue
        t = DATA[sheet]
        frame = pd.concat([r.tables[sheet][["period", "township"]] for r in results if sheet in r.tables])
        for period, part in frame.groupby("period", sort=True):
            stmt = select(t.c.township).where(t.c.is_current, t.c.period == str(period), _not_held(t, part)).distinct()
            names = sorted({n or BLANK_TOWNSHIP for n in conn.execute(stmt).scalars()})
            if names:
                out[(sheet, str(period))] = names
    return out


def keep_other_townships(conn: Connection, result: LoadResult) -> LoadResult:
    """``result`` with each slice of a township sheet completed by the current stored
    rows of the townships the file has none of, in their stored order before the file's
    rows. Carried rows keep their row number and name the import whose file it is
    (``source_import``), so every figure stays traceable to a row of a file."""
    tables = {}
    for sheet, frame in result.tables.items():
        if sheet not in TOWNSHIP_SHEETS:
            tables[sheet] = frame
            continue
        t = DATA[sheet]
        columns = [c for c in frame.columns if c in t.c and c not in ("period", "source_import")]
        parts = []
        for period, part in frame.groupby("period", sort=True):
            stmt = (
                select(*[t.c[c] for c in columns], func.coalesce(t.c.source_import, t.c.import_id))
                .where(t.c.is_current, t.c.period == str(period), _not_held(t, part))
                .order_by(t.c.row_id)
            )
            rows = conn.execute(stmt).all()
            if rows:
                kept = pd.DataFrame([tuple(r) for r in rows], columns=columns + ["source_import"], dtype=object)
                kept["period"] = period
                parts.append(_dtypes_like(kept, frame))
            parts.append(part)
        tables[sheet] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else frame
    return dataclasses.replace(result, tables=tables)


def _dtypes_like(kept: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Stored rows in the loader's column types, where a type can hold what was stored."""
    for c in kept.columns:
        if c in frame.columns:
            dtype = frame[c].dtype
            if isinstance(dtype, pd.api.extensions.ExtensionDtype) or not kept[c].isna().any():
                try:
                    kept[c] = kept[c].astype(dtype)
                except (TypeError, ValueError):
                    pass
    kept["source_import"] = kept["source_import"].astype("Int64")
    return kept


def township_note(result: LoadResult) -> str:
    """The history's note for a township's import: which townships it replaced."""
    towns = sorted(
        {n for s, f in result.tables.items() if s in TOWNSHIP_SHEETS for n in f["township"].dropna().unique()}
    )
    return f"按乡镇替换：{'、'.join(towns) or BLANK_TOWNSHIP}（其他乡镇数据保持不变）"


def check_townships(conn: Connection, result: LoadResult) -> list[Problem]:
    """A new 行政区划 list may not drop a township that stored rows still refer to,
    counting every stored slice this import does not itself replace."""
    if "townships" not in result.tables:
        return []
    from loaders.spec import SHEETS_BY_KEY

    keep = {t.name for t in result.townships}
    problems = []
    for key, table in DATA.items():
        if "township" not in table.c:
            continue
        replaced = sorted(set(result.tables[key]["period"].dropna())) if key in result.tables else []
        stmt = select(table.c.township).where(table.c.is_current).distinct()
        if replaced:
            stmt = stmt.where(table.c.period.not_in(replaced))
        used = conn.execute(stmt).scalars()
        for name in sorted(set(used) - keep - {None}):
            problems.append(
                Problem(
                    ERROR, result.sheet_names["townships"], None, "乡镇", name,
                    f"{SHEETS_BY_KEY[key].name}中已有该乡镇的数据，不能从行政区划中删除",
                )
            )
    return problems
