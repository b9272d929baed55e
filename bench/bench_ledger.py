"""Ledger core benchmark on the sample ledger and SQLite.

Prints: import seconds and labourer rows per second; district figures in ms; a
by-township breakdown in ms (warm, median of repeated runs). Targets on a 2-core
machine: import >= 30,000 labourer rows/s, figures <= 300 ms, breakdown <= 300 ms.

    python bench/bench_ledger.py [--workbook PATH] [--db URL] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger import query  # noqa: E402
from ledger.store.config import make_engine  # noqa: E402
from ledger.store.figures import FIGURES  # noqa: E402
from ledger.store.imports import read_and_import  # noqa: E402
from ui.first_start import sample_workbook  # noqa: E402

BREAKDOWN_KEYS = ["labor.total", "labor.employed", "labor.poor_employed", "subsidy.total", "training.person_times"]


def _ms(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workbook", type=Path)
    parser.add_argument("--db", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    workbook = args.workbook or sample_workbook()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(args.db or f"sqlite:///{tmp}/bench.db")
        start = time.perf_counter()
        outcome = read_and_import(engine, workbook, user="bench")
        seconds = time.perf_counter() - start
        if not outcome.ok:
            print("import failed:", *outcome.errors[:10], sep="\n  ")
            return 1
        labor_rows = sum(outcome.counts.get("labor", {}).values())
        all_rows = sum(n for periods in outcome.counts.values() for n in periods.values())
        print(f"workbook: {workbook} ({Path(workbook).stat().st_size / 1e6:.1f} MB)")
        print(f"import: {seconds:.2f} s, {labor_rows:,} labourer rows ({labor_rows / seconds:,.0f} rows/s), {all_rows:,} rows in all")
        as_of = query.default_as_of(engine)
        med, worst = _ms(lambda: query.figures(engine, as_of), args.repeat)
        print(f"district figures ({len(FIGURES)} keys, as of {as_of}): median {med:.0f} ms, max {worst:.0f} ms")
        med, worst = _ms(lambda: query.breakdown(engine, BREAKDOWN_KEYS, as_of), args.repeat)
        print(f"by-township breakdown ({len(BREAKDOWN_KEYS)} keys): median {med:.0f} ms, max {worst:.0f} ms")
        med, worst = _ms(lambda: query.breakdown(engine, BREAKDOWN_KEYS, as_of, by="village"), args.repeat)
        print(f"by-village breakdown ({len(BREAKDOWN_KEYS)} keys): median {med:.0f} ms, max {worst:.0f} ms")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
