"""A township's own workbook (``by_township``): only the townships in the file change,
the other townships' rows are carried over with their origin, and everything the
store promises (no-op re-import, history, restore, preview) still holds."""

from __future__ import annotations

from sqlalchemy import create_engine, event, inspect, select, text

import loaders
from ledger.intake import preview
from ledger.query.people import people
from ledger.query.statements import breakdown, figures
from ledger.store.history import history, restore
from ledger.store.imports import read_and_import
from ledger.store.schema import DATA, init_db
from ledger.store.townships import uncovered_townships
from tests.fixtures_ledger import TRANSPORT_HEADER, write_workbook
from tests.test_intake import as_dict, corrected_book, first_book, state

KEYS = ["labor.total", "labor.employed", "labor.unemployed", "workshops.on_duty"]


def towns(engine) -> dict:
    return {r["township"]: {k: r[k] for k in KEYS} for r in breakdown(engine, KEYS).to_dict("records")}


def current_labor(engine) -> list[tuple]:
    t = DATA["labor"]
    with engine.connect() as conn:
        stmt = select(t.c.township, t.c.name, t.c.source_row, t.c.source_import).where(t.c.is_current)
        return sorted(tuple(r) for r in conn.execute(stmt.order_by(t.c.township, t.c.name)))


def test_a_townships_workbook_changes_only_that_township(engine, tmp_path):
    first = read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区人社局")
    before, district_before = towns(engine), figures(engine).values
    correction = corrected_book(tmp_path / "庆远镇9月.xlsx")  # 庆远镇 only

    out = read_and_import(engine, correction, user="庆远镇", by_township=True)
    assert out.ok and out.log_id is not None
    assert out.counts == {"labor": {"2020-09": 5}}  # the file's rows, not the carried ones
    after = towns(engine)
    assert after["三岔镇"] == before["三岔镇"]
    assert after["庆远镇"]["labor.total"] == 5 and after["庆远镇"]["labor.employed"] == 4
    assert figures(engine).values["labor.total"] == 7
    assert history(engine)[0]["note"] == "按乡镇替换：庆远镇（其他乡镇数据保持不变）"

    # 三岔镇's rows are carried over naming the file they were read from; 庆远镇's are new.
    rows = current_labor(engine)
    assert [r for r in rows if r[0] == "三岔镇"] == [("三岔镇", "乙0", 6, first.log_id), ("三岔镇", "乙1", 7, first.log_id)]
    assert {r[3] for r in rows if r[0] == "庆远镇"} == {None}
    listed = people(engine, "labor.total", masked=False).set_index("姓名")
    assert listed.loc["乙0", "行号"] == 6 and listed.loc["乙0", "来源文件"] == "first.xlsx"
    assert listed.loc["甲6", "来源文件"] == "庆远镇9月.xlsx"

    # The same workbook again changes nothing; restoring brings back every figure exactly.
    assert read_and_import(engine, correction, user="庆远镇", by_township=True).log_id is None
    assert restore(engine, out.log_id, before=True) is not None
    assert towns(engine) == before and figures(engine).values == district_before


def test_a_second_township_keeps_the_first_townships_correction(engine, tmp_path):
    """Township after township in one month: each import carries the others' latest rows."""
    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区人社局")
    read_and_import(engine, corrected_book(tmp_path / "庆远镇9月.xlsx"), user="庆远镇", by_township=True)
    from tests.fixtures_ledger import LABOR_HEADER, labor_row
    from tests.test_intake import LABOR, P

    sancha = write_workbook(
        tmp_path / "三岔镇9月.xlsx", {LABOR: [LABOR_HEADER, labor_row("2020-09", "三岔镇", "三岔村", "乙0", P[4])]}
    )
    carried = read_and_import(engine, sancha, user="三岔镇", by_township=True)
    assert carried.log_id is not None
    after = towns(engine)
    assert after["庆远镇"]["labor.total"] == 5 and after["庆远镇"]["labor.employed"] == 4
    assert after["三岔镇"]["labor.total"] == 1
    # 庆远镇's rows came from the 庆远镇 file, not the one that first held them
    qingyuan = [r for r in current_labor(engine) if r[0] == "庆远镇"]
    assert {r[3] for r in qingyuan} == {carried.log_id - 1}


def test_whole_month_remains_the_default(engine, tmp_path):
    """The format's rule: importing a workbook replaces exactly the (sheet, month) pairs it contains."""
    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区人社局")
    read_and_import(engine, corrected_book(tmp_path / "庆远镇9月.xlsx"), user="庆远镇")
    assert "三岔镇" not in towns(engine) or towns(engine)["三岔镇"]["labor.total"] == 0
    assert history(engine)[0]["note"] is None


def test_uncovered_townships_and_the_preview_of_each_way(engine, tmp_path):
    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区人社局")
    result = loaders.load(corrected_book(tmp_path / "庆远镇9月.xlsx"))
    with engine.connect() as conn:
        assert uncovered_townships(conn, result) == {("labor", "2020-09"): ["三岔镇"]}
    kept = state(engine)

    whole = as_dict(preview(engine, result).slices, "表", "月份")[("劳动力就业台账", "2020-09")]
    assert (whole["文件行数"], whole["新增"], whole["修改"], whole["删除"], whole["不变"]) == (5, 1, 1, 2, 3)
    own = preview(engine, result, by_township=True)
    mine = as_dict(own.slices, "表", "月份")[("劳动力就业台账", "2020-09")]
    assert (mine["文件行数"], mine["新增"], mine["修改"], mine["删除"], mine["不变"]) == (5, 1, 1, 0, 5)
    changed = set(own.changes["乡镇"])
    assert "三岔镇" not in changed and {"庆远镇", "全区"} <= changed
    assert state(engine) == kept  # neither preview wrote anything


def test_blank_township_rows_are_their_own_group(engine, tmp_path):
    """District-organised transport batches (no 出发乡镇) stay when a township sends its
    own batches; a file with blank-township rows replaces those instead."""
    sheet = "返岗输送台账"

    def batch(name, township, people=30):
        return [name, "2020-03-01", "广东省", township, people, 10]

    base = write_workbook(tmp_path / "区.xlsx", {sheet: [TRANSPORT_HEADER, batch("第1批", "庆远镇"), batch("第2批", None)]})
    mine = write_workbook(tmp_path / "镇.xlsx", {sheet: [TRANSPORT_HEADER, batch("第3批", "庆远镇")]})
    district = write_workbook(tmp_path / "区2.xlsx", {sheet: [TRANSPORT_HEADER, batch("第4批", None)]})
    assert loaders.load(base).ok
    read_and_import(engine, base, user="区")
    t = DATA["transport"]

    def batches():
        with engine.connect() as conn:
            return sorted(conn.execute(select(t.c.batch).where(t.c.is_current)).scalars())

    read_and_import(engine, mine, user="镇", by_township=True)
    assert batches() == ["第2批", "第3批"]
    read_and_import(engine, district, user="区", by_township=True)
    assert batches() == ["第3批", "第4批"]


def test_an_older_store_gets_the_new_column_on_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    init_db(engine)
    with engine.begin() as conn:  # as an earlier version made it: no source_import
        conn.execute(text("ALTER TABLE ledger_labor DROP COLUMN source_import"))
    assert "source_import" not in {c["name"] for c in inspect(engine).get_columns("ledger_labor")}
    engine = create_engine(url)  # the next start: the schema is checked once per engine
    init_db(engine)
    assert "source_import" in {c["name"] for c in inspect(create_engine(url)).get_columns("ledger_labor")}
    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区")
    assert figures(engine).values["labor.total"] == 6


def test_an_older_store_gets_the_summaries_township_indexes_once(tmp_path):
    """The summaries' indexes gained the township (one township's villages read its own
    rows, not the month's 22,000 at a province's size): made again on the next start,
    and only then."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    init_db(engine)
    with engine.begin() as conn:  # as an earlier version made it
        conn.execute(text("DROP INDEX ix_sum_labor"))
        conn.execute(text("CREATE INDEX ix_sum_labor ON ledger_sum_labor (period, import_id)"))

    def columns() -> list[str]:
        found = {i["name"]: i["column_names"] for i in inspect(create_engine(url)).get_indexes("ledger_sum_labor")}
        return found["ix_sum_labor"]

    assert columns() == ["period", "import_id"]
    made = []
    engine = create_engine(url)
    event.listen(engine, "before_cursor_execute", lambda *a: made.append(a[2]) if "CREATE INDEX" in a[2] else None)
    init_db(engine)
    assert columns() == ["period", "import_id", "township"] and len(made) == 1
    again = create_engine(url)
    event.listen(again, "before_cursor_execute", lambda *a: made.append(a[2]) if "CREATE INDEX" in a[2] else None)
    init_db(again)
    assert len(made) == 1


def test_cli_by_township(tmp_path):
    import subprocess
    import sys

    from ledger.store.config import make_engine
    from tests.conftest import ROOT

    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(command, *args):
        done = subprocess.run(
            [sys.executable, "-m", "ledger", command, *map(str, args), "--db", url],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("import", first_book(tmp_path / "first.xlsx"))  # no account yet: the operator, as the OS user
    run("import", corrected_book(tmp_path / "庆远镇9月.xlsx"), "--by-township")
    lines = run("history").splitlines()
    assert lines[0].split("\t")[3:6] == ["import", "生效中", "庆远镇9月.xlsx"]
    assert lines[1].split("\t")[3:6] == ["import", "部分生效（1/2）", "first.xlsx"]
    engine = make_engine(url)
    try:
        assert towns(engine)["三岔镇"]["labor.total"] == 2
        assert history(engine)[0]["note"].startswith("按乡镇替换：庆远镇")
    finally:
        engine.dispose()


def test_a_township_sending_what_is_stored_changes_nothing(engine, tmp_path):
    """The same rows, from a township's own file and in another order, are the same content."""
    from tests.fixtures_ledger import LABOR_HEADER, labor_row
    from tests.test_intake import LABOR, P, unemployed

    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区人社局")
    same = [unemployed("2020-09", "庆远镇", "城东村", "甲3", P[3])]
    same += [labor_row("2020-09", "庆远镇", "城东村", f"甲{i}", P[i]) for i in (2, 0, 1)]
    book = write_workbook(tmp_path / "庆远镇9月.xlsx", {LABOR: [LABOR_HEADER] + same})
    outcome = read_and_import(engine, book, user="庆远镇", by_township=True)
    assert outcome.ok and outcome.log_id is None and outcome.unchanged == [("labor", "2020-09")]
    assert len(history(engine)) == 1


def _sancha_book(path):
    from tests.fixtures_ledger import LABOR_HEADER, labor_row
    from tests.test_intake import LABOR, P

    return write_workbook(path, {LABOR: [LABOR_HEADER, labor_row("2020-09", "三岔镇", "三岔村", "乙0", P[4])]})


def test_several_township_workbooks_in_one_go(engine, tmp_path):
    """Each township's workbook of the month uploaded together: one transaction, one
    history entry per file, the later files keeping the earlier ones' townships."""
    from ledger.store.imports import Submission, apply_many, file_sha256

    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区人社局")
    books = [corrected_book(tmp_path / "庆远镇9月.xlsx"), _sancha_book(tmp_path / "三岔镇9月.xlsx")]
    results = [loaders.load(b) for b in books]
    with engine.connect() as conn:
        assert uncovered_townships(conn, *results) == {}  # together they cover the month
    kept = state(engine)
    pv = preview(engine, results)
    row = as_dict(pv.slices, "表", "月份")[("劳动力就业台账", "2020-09")]
    assert (row["文件行数"], row["现有行数"], row["新增"], row["修改"], row["删除"], row["不变"]) == (6, 6, 1, 1, 1, 4)
    assert state(engine) == kept

    outcomes = apply_many(engine, [Submission(r, b.name, file_sha256(b.read_bytes())) for r, b in zip(results, books)], user="区")
    assert [o.log_id is not None for o in outcomes] == [True, True]
    entries = history(engine)
    assert [e["filename"] for e in entries[:2]] == ["三岔镇9月.xlsx", "庆远镇9月.xlsx"]
    assert entries[0]["note"].startswith("按乡镇替换：三岔镇")
    after = towns(engine)
    assert after["庆远镇"]["labor.total"] == 5 and after["三岔镇"]["labor.total"] == 1
    # the preview said what the import did
    assert figures(engine).values["labor.total"] == 6


def test_one_bad_workbook_of_several_writes_nothing(engine, tmp_path):
    from ledger.store.imports import Submission, apply_many
    from tests.fixtures_ledger import LABOR_HEADER, labor_row
    from tests.test_intake import LABOR

    read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区人社局")
    kept = state(engine)
    good = loaders.load(corrected_book(tmp_path / "庆远镇9月.xlsx"))
    bad = loaders.load(write_workbook(tmp_path / "坏.xlsx", {LABOR: [LABOR_HEADER, labor_row("2020-09", "三岔镇", "三岔村", "乙", "123")]}))
    assert not bad.ok
    outcomes = apply_many(engine, [Submission(good, "a", "-"), Submission(bad, "b", "-")], user="区")
    assert [o.log_id for o in outcomes] == [None, None] and not outcomes[1].ok
    assert preview(engine, [good, bad]) is None
    assert state(engine) == kept


def test_import_status_follows_replacements_and_restores(engine, tmp_path):
    from ledger.store.history import import_status

    first = read_and_import(engine, first_book(tmp_path / "first.xlsx"), user="区").log_id  # labour + workshops
    assert import_status(engine) == {first: "生效中"}
    second = read_and_import(engine, corrected_book(tmp_path / "庆远镇9月.xlsx"), user="镇").log_id  # labour only
    assert import_status(engine) == {first: "部分生效（1/2）", second: "生效中"}
    undo = restore(engine, second, before=True)
    assert import_status(engine) == {first: "生效中", second: "已被替换或撤销"}
    assert undo not in import_status(engine)
