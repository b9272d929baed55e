"""Ledger core benchmark on the sample ledger, on each backend given.

Prints, per backend: the import's seconds and labourer rows per second beside the
floor measured in the same run — the time to read the file (python-calamine's cells,
no checking, no database) — and their ratio; the load (read and check) and the
database write separately; then district figures and by-township / by-village
breakdowns in ms (warm, median of repeated runs). Targets on a 2-core machine:
import >= 60,000 labourer rows/s on SQLite and PostgreSQL (issue 12), figures <= 300 ms.

    python bench/bench_ledger.py [--workbook PATH] [--db URL|sqlite|postgresql|mysql ...] [--repeat N]

``--db`` may be given several times; ``postgresql`` and ``mysql`` stand for a scratch
database ``ledger_bench`` on the local test servers (dropped and made anew: never a
store in use). The default is a new SQLite file in a temporary folder. The figures are
noisy on a shared machine: read them beside their floor, not alone.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger import query
from ledger.store.config import make_engine
from ledger.store.figures import FIGURES
from ledger.store.imports import apply, file_sha256
from tests.scratch_databases import SERVER_URLS  # noqa: E402
from ui.first_start import sample_workbook  # noqa: E402

BREAKDOWN_KEYS = ["labor.total", "labor.employed", "labor.poor_employed", "subsidy.total", "training.person_times"]
SCRATCH = "ledger_bench"
LABOUR_SHEET = "劳动力就业台账"
TARGET_ROWS_PER_SECOND = 60_000


def _ms(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def _url(name: str, tmp: str) -> str:
    """A backend keyword as a scratch database made anew; a URL as given."""
    if name == "sqlite":
        return f"sqlite:///{tmp}/bench.db"
    if name in SERVER_URLS:
        from tests import scratch_databases

        engine = scratch_databases.admin(name)
        url = scratch_databases.create(engine, name, SCRATCH)
        engine.dispose()
        return url
    return name


def read_floor(data: bytes) -> float:
    """Seconds to read every sheet's cells (what any import must at least do)."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return time.perf_counter() - start


def parse_floor(data: bytes) -> float:
    """Seconds for calamine to parse every sheet, without making a Python value of any
    cell: what a reader handing columns over (fastexcel, Arrow) could at best reach."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name)
    return time.perf_counter() - start


def write_floors(engine, result) -> tuple[float, float]:
    """Seconds to write the checked labourer rows through the backend's bulk path alone
    (``insert_rows``: no history, no hashing) and then to summarise them
    (``summaries.write_slice``), in one transaction rolled back: the database's share
    of any import that keeps SQL summaries."""
    from ledger.store import summaries
    from ledger.store.imports import insert_rows

    parts = [(str(p), part.reset_index(drop=True)) for p, part in result.tables["labor"].groupby("period", sort=True)]
    scratch = 2_000_000_000  # an import id no history entry has
    with engine.connect() as conn:
        transaction = conn.begin()
        start = time.perf_counter()
        for period, part in parts:
            insert_rows(conn, "labor", period, part, scratch)
        inserted = time.perf_counter() - start
        start = time.perf_counter()
        for period, _ in parts:
            summaries.write_slice(conn, "labor", period, scratch)
        summed = time.perf_counter() - start
        transaction.rollback()
    return inserted, summed


def driver_floor(engine, result) -> float:
    """Seconds for the database driver's bulk call alone to take the labourer rows, every
    value already in the driver's form (SQLite: executemany of tuples; PostgreSQL: the
    COPY stream's bytes; MySQL: the multi-row statements), rolled back: what no import
    into these tables, with their indexes, can go below on this machine."""
    from ledger.store import imports as im
    from ledger.store.schema import DATA

    frame, table = result.tables["labor"], DATA["labor"]
    names = ["import_id", "period", "is_current"] + [n for n in frame.columns if n in table.c and n != "period"]
    quote = engine.dialect.identifier_preparer.quote
    into = f"{quote(table.name)} ({', '.join(map(quote, names))})"
    with engine.connect() as conn:
        transaction = conn.begin()
        raw = conn.connection.driver_connection
        scratch, period = 2_000_000_000, "9999-01"
        if engine.dialect.name == "postgresql":
            texts = im._literals(frame, names, scratch, period, im._copy_text, im._copy_plain)
            data = ("\n".join(im._joined(texts, "\t")) + "\n").encode("utf-8")
            start = time.perf_counter()
            with raw.cursor() as cur, cur.copy(f"COPY {into} FROM STDIN") as copy:
                for at in range(0, len(data), 1 << 20):
                    copy.write(data[at : at + (1 << 20)])
        elif engine.dialect.name in ("mysql", "mariadb"):
            rows = im._joined(im._literals(frame, names, scratch, period, im._mysql_literal(raw)), ",")
            head = f"INSERT INTO {into} VALUES ("
            statements = [head + "),(".join(rows[at : at + 5000]) + ")" for at in range(0, len(rows), 5000)]
            start = time.perf_counter()
            with raw.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)
        else:
            columns = im._columns(frame, table, engine.dialect)
            rows = [(scratch, period, 1) + rest for rest in zip(*(v for _, v in columns))]
            sql = f"INSERT INTO {into} VALUES ({', '.join(['?'] * len(names))})"
            start = time.perf_counter()
            raw.cursor().executemany(sql, rows)
        seconds = time.perf_counter() - start
        transaction.rollback()
    return seconds


def arrow_read(data: bytes) -> float | None:
    """The labour sheet as an Arrow table with fastexcel, if installed (not a dependency:
    it gives no merged-cell ranges, which the reader needs; docs/scale.md)."""
    try:
        import fastexcel
    except ImportError:
        return None
    start = time.perf_counter()
    fastexcel.read_excel(data).load_sheet_by_name(LABOUR_SHEET, header_row=None).to_arrow()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workbook", type=Path)
    parser.add_argument("--db", action="append", help="URL, or sqlite / postgresql / mysql (repeatable)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    workbook = args.workbook or sample_workbook()
    data = Path(workbook).read_bytes()
    print(f"workbook: {workbook} ({len(data) / 1e6:.1f} MB)")
    floor = read_floor(data)
    print(f"read floor (python-calamine, every sheet's cells): {floor:.2f} s")
    parsed = parse_floor(data)
    print(f"parse only (python-calamine, no Python value per cell): {parsed:.2f} s")
    arrow = arrow_read(data)
    if arrow is not None:
        print(f"fastexcel/Arrow, labour sheet only: {arrow:.2f} s")
    from loaders import load

    with tempfile.TemporaryDirectory() as tmp:
        for name in args.db or ["sqlite"]:
            engine = make_engine(_url(name, tmp))
            start = time.perf_counter()
            result = load(workbook, None, data)
            loaded = time.perf_counter() - start
            outcome = apply(engine, result, filename=Path(workbook).name, sha256=file_sha256(data), user="bench")
            seconds = time.perf_counter() - start
            if not outcome.ok:
                print("import failed:", *outcome.errors[:10], sep="\n  ")
                return 1
            labor_rows = sum(outcome.counts.get("labor", {}).values())
            all_rows = sum(n for periods in outcome.counts.values() for n in periods.values())
            print(f"== {engine.dialect.name}")
            print(f"import: {seconds:.2f} s, {labor_rows:,} labourer rows ({labor_rows / seconds:,.0f} rows/s; "
                  f"floor {labor_rows / floor:,.0f} rows/s), ratio to the read floor {seconds / floor:.1f}×; "
                  f"{all_rows:,} rows in all")
            print(f"  read and check {loaded:.2f} s ({loaded / floor:.1f}× floor), "
                  f"write {seconds - loaded:.2f} s ({labor_rows / (seconds - loaded):,.0f} labourer rows/s)")
            inserted, summed = write_floors(engine, result)
            driver = driver_floor(engine, result)
            budget = labor_rows / TARGET_ROWS_PER_SECOND
            print(f"  the driver's bulk call alone (values ready): {driver:.2f} s; parse + driver = "
                  f"{parsed + driver:.2f} s against {budget:.2f} s, at best {labor_rows / (parsed + driver):,.0f} rows/s "
                  f"with nothing read into Python, checked, hashed or summarised")
            print(f"  labourer rows alone: bulk insert {inserted:.2f} s, their summaries {summed:.2f} s; "
                  f"parse + insert = {parsed + inserted:.2f} s, parse + insert + summaries = "
                  f"{parsed + inserted + summed:.2f} s, against {budget:.2f} s for {TARGET_ROWS_PER_SECOND:,} rows/s "
                  f"(at best {labor_rows / (parsed + inserted + summed):,.0f} rows/s with nothing checked, in order)")
            as_of = query.default_as_of(engine)
            med, worst = _ms(lambda: query.figures(engine, as_of), args.repeat)  # noqa: B023
            print(f"district figures ({len(FIGURES)} keys, as of {as_of}): median {med:.0f} ms, max {worst:.0f} ms")
            med, worst = _ms(lambda: query.breakdown(engine, BREAKDOWN_KEYS, as_of), args.repeat)  # noqa: B023
            print(f"by-township breakdown ({len(BREAKDOWN_KEYS)} keys): median {med:.0f} ms, max {worst:.0f} ms")
            med, worst = _ms(lambda: query.breakdown(engine, BREAKDOWN_KEYS, as_of, by="village"), args.repeat)  # noqa: B023
            print(f"by-village breakdown ({len(BREAKDOWN_KEYS)} keys): median {med:.0f} ms, max {worst:.0f} ms")
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
