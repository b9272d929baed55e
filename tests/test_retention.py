"""Retention (``ledger.store.retention``): replaced versions older than the limit go,
except those a freeze still reads "as reported"; today's ledger is untouched, and a
restore to a state whose rows are gone is refused instead of giving wrong figures."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ledger import query
from ledger.query.reported import freeze
from ledger.store.figures import FIGURES
from ledger.store.freezes import latest_freeze, reported
from ledger.store.history import history, restore
from ledger.store.imports import read_and_import
from ledger.store.retention import plan, remove
from ledger.store.schema import DATA
from ledger.store.versions import as_recorded
from tests.fixtures_ledger import LABOR_HEADER, labor_row, write_workbook
from tests.test_intake import LABOR, P, corrected_book, first_book

KEYS = [f.key for f in FIGURES]
AS_OF = query.month_end("2020-09")
LATER = dt.datetime.now() + dt.timedelta(days=1)  # "now" for a retention that finds everything old enough


def third_book(path):
    """September once more, 庆远镇 only: 甲0–甲2 (甲6 of the correction is gone)."""
    return write_workbook(path, {LABOR: [LABOR_HEADER] + [labor_row("2020-09", "庆远镇", "城东村", f"甲{i}", P[i])
                                                            for i in range(3)]})


def versions(engine, sheet="labor") -> dict[int, int]:
    """import id → rows stored (current or not) of ``sheet``."""
    t = DATA[sheet]
    with engine.connect() as conn:
        return dict(conn.execute(select(t.c.import_id, func.count()).group_by(t.c.import_id)).all())


def today(engine):
    return query.figures(engine, AS_OF, keys=KEYS).values, query.breakdown(engine, KEYS, AS_OF).to_dict("records")


def reported_state(engine):
    """What as_recorded of the latest freeze of 2020-09 reads, district and townships."""
    with as_recorded(engine, latest_freeze(engine, "2020-09")["log_id"]):
        return query.figures(engine, AS_OF, keys=KEYS).values, query.breakdown(engine, KEYS, AS_OF).to_dict("records")


def three_versions(engine, tmp_path):
    """labor 2020-09 written three times: #1 (frozen), #2 (replaced, no freeze), #3 (current)."""
    assert read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区").log_id == 1
    freeze(engine, "2020-09", user="李四")
    assert read_and_import(engine, corrected_book(tmp_path / "second.xlsx"), user="区").log_id == 2
    assert read_and_import(engine, third_book(tmp_path / "third.xlsx"), user="区").log_id == 3


def test_old_replaced_versions_go_and_a_frozen_month_still_reads_as_reported(engine, tmp_path):
    three_versions(engine, tmp_path)
    assert versions(engine) == {1: 6, 2: 5, 3: 3}
    current_before = today(engine)
    as_reported_before = reported_state(engine)
    assert as_reported_before[0]["labor.total"] == 6 and current_before[0]["labor.total"] == 3

    done = remove(engine, dt.timedelta(days=30), now=LATER + dt.timedelta(days=30))
    assert [(v.sheet, v.period, v.import_id, v.rows) for v in done.removed] == [("labor", "2020-09", 2, 5)]
    assert [(v.sheet, v.import_id) for v in done.kept_for_freezes] == [("labor", 1)]
    assert done.rows_by_sheet()["labor"] == 5 and sum(done.rows_by_sheet().values()) == 5
    # the replaced rows of #2 are gone; the frozen #1 and the current #3 stay, workshops untouched
    assert versions(engine) == {1: 6, 3: 3}
    assert versions(engine, "workshops") == {1: 1}

    assert today(engine) == current_before
    assert reported_state(engine) == as_reported_before
    frozen = reported(engine, "2020-09")
    assert reported_state(engine)[0] == frozen
    for rec in reported_state(engine)[1]:
        assert {k: rec[k] for k in KEYS} == reported(engine, "2020-09", rec["township"]), rec["township"]

    # nothing left to remove: a second run is a no-op
    assert remove(engine, dt.timedelta(days=0), now=LATER).removed == []


def test_a_restore_to_a_state_whose_rows_are_gone_is_refused(engine, tmp_path):
    three_versions(engine, tmp_path)
    remove(engine, dt.timedelta(0), now=LATER)
    entries, figures_now = len(history(engine)), today(engine)

    with pytest.raises(KeyError, match="已按保留期限清理") as refused:
        restore(engine, 2, user="管理员")
    assert "劳动力就业台账 2020-09" in refused.value.args[0]
    with pytest.raises(KeyError, match="已按保留期限清理"):
        restore(engine, 3, before=True, user="管理员")  # the state before #3 is the state after #2
    assert len(history(engine)) == entries and today(engine) == figures_now

    # the state a freeze needs is whole: restoring to it works and reads as reported
    new_id = restore(engine, 1, user="管理员")
    assert new_id == entries + 1
    assert query.figures(engine, AS_OF, keys=KEYS).values == reported(engine, "2020-09")
    # and back to #3, which is still stored (it was current)
    assert restore(engine, 3, user="管理员") is not None
    assert today(engine) == figures_now


def test_only_versions_replaced_longer_ago_than_the_limit_go(engine, tmp_path):
    three_versions(engine, tmp_path)
    kept = plan(engine, dt.timedelta(days=30))  # everything was replaced a moment ago
    assert kept.removed == [] and [v.import_id for v in kept.younger] == [1, 2]
    assert remove(engine, dt.timedelta(days=30)).removed == []
    assert versions(engine) == {1: 6, 2: 5, 3: 3}

    # a dry run lists what would go and deletes nothing
    would = remove(engine, dt.timedelta(days=30), now=LATER + dt.timedelta(days=30), dry_run=True)
    assert [v.import_id for v in would.removed] == [2]
    assert versions(engine) == {1: 6, 2: 5, 3: 3}


def test_a_version_replaced_restored_and_replaced_again_counts_from_the_last_time(engine, tmp_path):
    from ledger.store.schema import imports

    three_versions(engine, tmp_path)
    with engine.begin() as conn:  # the three imports were 100 days ago
        conn.execute(imports.update().where(imports.c.id <= 3)
                     .values(created_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=100)))
    assert [v.import_id for v in plan(engine, dt.timedelta(days=30)).removed] == [2]
    restore(engine, 2, user="管理员")  # #2 in force again, #3 replaced
    restore(engine, 3, user="管理员")  # #2 replaced again, now
    done = plan(engine, dt.timedelta(days=30))
    assert done.removed == []
    assert sorted(v.import_id for v in done.younger) == [2]  # replaced a moment ago, not 100 days
    assert [v.import_id for v in done.kept_for_freezes] == [1]


def test_on_sqlite_the_removed_rows_leave_no_copy_in_the_file(sqlite_engine, tmp_path):
    """剩余信息保护: the deleted ID numbers are overwritten, in the database file and its WAL,
    also where SQLite is built without SECURE_DELETE (Debian's has it on: turned off here)."""
    from sqlalchemy import event

    event.listen(sqlite_engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA secure_delete=OFF"))
    sqlite_engine.dispose()
    three_versions(sqlite_engine, tmp_path)
    gone = P[6].encode()  # 甲6 is only in version #2
    path = tmp_path / "ledger.db"
    remove(sqlite_engine, dt.timedelta(0), now=LATER)
    sqlite_engine.dispose()
    files = [p for p in (path, path.with_name("ledger.db-wal")) if p.exists()]
    assert files and not any(gone in p.read_bytes() for p in files)
    assert any(P[0].encode() in p.read_bytes() for p in files)  # a current row is still there, as written
