"""Briefing (简报) timings on the sample ledger and SQLite: the text as of 2020-09-30,
district and one township, beside its floor (the query layer's figures it states,
``exports.briefing._values``), and the Word file with and without its charts.
Target: the district's text ≤ 10 s on a 2-core machine (it was an assertion of
tests/test_briefing.py; a timing is no test's business).

    python bench/bench_briefing.py [--workbook PATH] [--db URL] [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exports import briefing as B  # noqa: E402
from ledger.access.roles import FULL  # noqa: E402
from ledger.access.scope import ALL  # noqa: E402
from ledger.query.request import Request  # noqa: E402
from ui.first_start import sample_workbook  # noqa: E402
from ledger.store.config import make_engine  # noqa: E402
from ledger.store.imports import read_and_import  # noqa: E402

AS_OF = dt.date(2020, 9, 30)
TARGET_S = 10.0


def _seconds(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workbook", type=Path)
    parser.add_argument("--db", help="a store holding the sample ledger; default: the sample imported into a new SQLite file")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            engine = make_engine(args.db)
        else:
            engine = make_engine(f"sqlite:///{tmp}/bench.db")
            outcome = read_and_import(engine, args.workbook or sample_workbook(), user="bench")
            if not outcome.ok:
                print("import failed:", *outcome.errors[:10], sep="\n  ")
                return 1
        worst_text = 0.0
        for township in (None, "庆远镇"):
            place = township or "district"
            request = Request(AS_OF, township, scope=ALL, personal=FULL)  # the district's office
            med, worst = _seconds(lambda: B.briefing_text(engine, request), args.repeat)
            floor, _ = _seconds(lambda: B._values(engine, request), args.repeat)
            print(f"briefing text, {place}: median {med:.2f} s, max {worst:.2f} s "
                  f"(floor, the figures it states: {floor:.2f} s; target ≤ {TARGET_S:g} s)")
            if township is None:
                worst_text = worst
        real = B.images_module
        B.images_module = lambda: (None, "bench: no charts")
        try:
            med, _ = _seconds(lambda: B.briefing_docx(engine, Request(AS_OF, scope=ALL, personal=FULL)), args.repeat)
        finally:
            B.images_module = real
        print(f"briefing .docx without charts: median {med:.2f} s")
        images, why = real()
        if images is None:
            print(f"briefing .docx with charts: skipped ({why})")
        else:
            med, worst = _seconds(lambda: B.briefing_docx(engine, Request(AS_OF, scope=ALL, personal=FULL)), args.repeat)
            print(f"briefing .docx with charts (300 dpi PNGs): median {med:.2f} s, max {worst:.2f} s")
        engine.dispose()
    return 0 if worst_text <= TARGET_S else 2


if __name__ == "__main__":
    sys.exit(main())
