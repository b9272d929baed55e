"""The bulk paths of ``ledger.store.imports`` (PostgreSQL COPY, MySQL multi-row INSERT,
SQLite executemany) store every value the loaders produce exactly, and stay inside
the caller's transaction: a failure leaves the store as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from ledger.store.imports import content_hash, insert_rows, row_hashes, slice_digest
from ledger.store.schema import DATA, init_db

# Text that a hand-made COPY stream or SQL literal would get wrong: separators,
# backslashes, quotes, a NUL-free control character, rare CJK, an emoji.
AWKWARD = ["庆远镇", "a\tb", "line\nnext", "back\\slash", "it's \"quoted\"", "\\N", "ctrl\x1a", "䶮龘", "🙂", "", "NULL"]


def _labour_frame(n: int = 40) -> pd.DataFrame:
    """Rows of the labourer table with every kind of column: text (Chinese and awkward),
    ID numbers, booleans, integers, money in fen, blanks everywhere a blank is allowed."""
    rng = np.random.default_rng(7)
    text = [AWKWARD[i % len(AWKWARD)] for i in range(n)]
    frame = pd.DataFrame({
        "month": ["2020-09"] * n,
        "township": [None if i % 5 == 0 else "庆远镇" for i in range(n)],
        "village": text,
        "name": [f"韦{t}" for t in text],
        "id_number": [f"45120319900101{i:03d}X"[:18] for i in range(n)],
        "is_poor": [bool(i % 2) for i in range(n)],
        "employed": ["已就业"] * n,
        "work_months": pd.array([None if i % 7 == 0 else i % 13 for i in range(n)], dtype="Int64"),
        "monthly_income": pd.array([None if i % 6 == 0 else int(v) for i, v in enumerate(rng.integers(0, 10**9, n))],
                                   dtype="Int64"),
        "wants_work": [None if i % 4 == 0 else bool(i % 3) for i in range(n)],
        "phone": [None if i % 3 == 0 else f"138{i:08d}" for i in range(n)],
        "remark": [None if i % 2 else t for i, t in enumerate(text)],
    })
    frame["period"] = "2020-09"
    frame["source_row"] = np.arange(2, n + 2, dtype="int64")
    return frame


def _dated_frame() -> pd.DataFrame:
    """Dates (and blank dates) and a Numeric column: the posts and targets tables."""
    return pd.DataFrame({
        "category": ["扶贫公益性岗位", "临时性公益岗位", "扶贫公益性岗位"],
        "post": ["护林员", "卡点值守员", "保洁\t环卫"],
        "township": ["庆远镇", None, "三岔镇"],
        "name": ["覃雪凤", "蓝杰文", "O'Neil"],
        "id_number": ["451203195805252158", "451203195810293819", None],
        "started_on": [dt.date(2020, 1, 1), dt.date(2020, 2, 29), dt.date(2020, 12, 31)],
        "ended_on": [None, dt.date(2020, 6, 30), None],
        "period": ["2020"] * 3,
        "source_row": np.array([2, 3, 4], dtype="int64"),
    })


def _stored(engine, sheet: str, columns: list[str]) -> list[tuple]:
    t = DATA[sheet]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*[t.c[c] for c in columns]).order_by(t.c.source_row))]


def _normal(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def test_every_column_kind_round_trips(engine):
    init_db(engine)
    frame = _labour_frame()
    with engine.begin() as conn:
        insert_rows(conn, "labor", "2020-09", frame, 5)
    columns = [c for c in frame.columns if c != "period"]
    got = _stored(engine, "labor", columns)
    want = [tuple(_normal(v) for v in row) for row in frame[columns].astype(object).itertuples(index=False)]
    got = [tuple(_normal(bool(v) if c in ("is_poor", "wants_work") and v is not None else v)
                 for c, v in zip(columns, row)) for row in got]
    assert got == want
    t = DATA["labor"]
    with engine.connect() as conn:
        marks = conn.execute(select(t.c.import_id, t.c.period, t.c.is_current).distinct()).all()
    assert [tuple(m) for m in marks] == [(5, "2020-09", True)]


def test_dates_and_blanks_round_trip(engine):
    init_db(engine)
    frame = _dated_frame()
    with engine.begin() as conn:
        insert_rows(conn, "posts", "2020", frame, 1)
    columns = ["category", "post", "township", "name", "id_number", "started_on", "ended_on", "source_row"]
    got = _stored(engine, "posts", columns)
    assert got == [tuple(_normal(v) for v in row) for row in frame[columns].astype(object).itertuples(index=False)]


def test_numeric_targets_round_trip(engine):
    init_db(engine)
    frame = pd.DataFrame({"year": pd.array([2020, 2020], dtype="Int64"), "township": ["庆远镇", None],
                          "indicator": ["贫困劳动力就业率", "贫困劳动力就业人数"],
                          "value": [Decimal("93.5"), Decimal(1990)], "period": ["2020"] * 2,
                          "source_row": np.array([2, 3], dtype="int64")})
    with engine.begin() as conn:
        insert_rows(conn, "targets", "2020", frame, 1)
    got = _stored(engine, "targets", ["year", "township", "indicator", "value"])
    assert [(y, t, i, Decimal(v)) for y, t, i, v in got] == [
        (2020, "庆远镇", "贫困劳动力就业率", Decimal("93.5")), (2020, None, "贫困劳动力就业人数", Decimal(1990))]


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(DATA["labor"])).scalar()


def test_a_failure_after_the_bulk_insert_leaves_the_store_unchanged(engine):
    init_db(engine)
    with engine.begin() as conn:
        insert_rows(conn, "labor", "2020-08", _labour_frame(5), 1)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        insert_rows(conn, "labor", "2020-09", _labour_frame(), 2)
        raise RuntimeError("a later step of the import fails")
    assert _count(engine) == 5


def test_a_value_the_database_refuses_leaves_the_store_unchanged(engine):
    """The bulk statement itself fails (an integer column given text that is no number:
    COPY and MySQL's strict mode refuse it; SQLite has no such check, so a NOT NULL
    bookkeeping column stands in there)."""
    init_db(engine)
    bad = _labour_frame()
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TRIGGER no_big BEFORE INSERT ON ledger_labor WHEN NEW.source_row > 30 "
                                 "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    else:
        bad["work_months"] = bad["work_months"].astype(object)
        bad.loc[30, "work_months"] = "十二"
    with pytest.raises(Exception), engine.begin() as conn:  # noqa: B017  (each driver has its own error class)
        insert_rows(conn, "labor", "2020-08", _labour_frame(5), 1)
        insert_rows(conn, "labor", "2020-09", bad, 2)
    assert _count(engine) == 0


def test_rows_over_many_statements_are_all_kept(engine, monkeypatch):
    """More rows than one statement holds (MySQL: statements cut at 1 MB here)."""
    from ledger.store import imports

    monkeypatch.setattr(imports, "MYSQL_STATEMENT_MAX", 1)
    monkeypatch.setattr(imports, "COPY_CHUNK", 1000)
    init_db(engine)
    frame = pd.concat([_labour_frame(400)] * 60, ignore_index=True)
    frame["source_row"] = np.arange(len(frame), dtype="int64")
    with engine.begin() as conn:
        insert_rows(conn, "labor", "2020-09", frame, 1)
    assert _count(engine) == len(frame)


def test_row_hashes_of_parts_give_the_whole_slices_digest():
    a, b = _labour_frame(30), _labour_frame(50).iloc[30:]
    whole = pd.concat([a, b], ignore_index=True)
    (ha, cols), (hb, _) = row_hashes(a), row_hashes(b)
    assert slice_digest(np.concatenate([hb, ha]), cols) == content_hash(whole)
    assert slice_digest(ha, cols) != content_hash(whole)
