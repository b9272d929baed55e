"""Intake benchmark: what a clerk waits for on the 数据导入 page, on SQLite.

Prints, for the sample workbook (about 20 MB) and for one month of it (about 2 MB):
the seconds to read and check it, the longest time the progress bar stood still
(the page must not look frozen), the seconds to preview it against the store, and
the seconds to apply it; and for a township's own month (``by_township``) the
preview and apply seconds. Each check is printed beside its floor, the same check in
this process without the isolating child.

    python bench/bench_intake.py [--workbook PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loaders  # noqa: E402
from ledger import intake  # noqa: E402
from ledger.store import imports as store  # noqa: E402
from ledger.store.config import make_engine  # noqa: E402
from ledger.store.schema import init_db  # noqa: E402
from sample_data.generate import build_tables, write_workbook  # noqa: E402
from ui.first_start import sample_workbook  # noqa: E402


def check(path: Path) -> tuple[loaders.LoadResult, float, float, list[str]]:
    """Load with a progress callback; returns the result, seconds, longest still gap, steps."""
    data = path.read_bytes()
    stamps, steps = [], []
    start = time.perf_counter()
    result = loaders.load(path, None, data, lambda done, text: (stamps.append(time.perf_counter()), steps.append(text)))
    end = time.perf_counter()
    marks = [start] + stamps + [end]
    return result, end - start, max(b - a for a, b in zip(marks, marks[1:])), steps


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def month_workbook(folder: Path, month: str, township: str | None = None) -> Path:
    """One month of the sample's labourer sheet (optionally one township's rows)."""
    labor = build_tables()["劳动力就业台账"]
    rows = labor[labor["统计时点"] == month]
    if township is not None:
        rows = rows[rows["乡镇"] == township]
    path = folder / f"{township or '全区'}_{month}.xlsx"
    write_workbook(path, {"劳动力就业台账": rows})
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workbook", type=Path, default=None)
    args = parser.parse_args()
    workbook = args.workbook or sample_workbook()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        init_db(engine)

        result, secs, still, steps = check(workbook)
        print(f"sample workbook {workbook.stat().st_size / 1e6:.1f} MB: check {secs:.1f} s, "
              f"{len(steps)} progress steps, longest without an update {still:.1f} s")
        # The floor: the same check in this process, without the child that makes a
        # hostile file harmless (fork, memory limit, result pickled back).
        _, floor = timed(lambda: loaders.load_in_process([(workbook, workbook.read_bytes())]))
        print(f"  the same check in-process (floor): {floor:.1f} s; isolation costs {secs - floor:+.1f} s ({secs / floor:.2f}×)")
        pv, t_preview = timed(lambda: intake.preview(engine, result))
        print(f"  preview into an empty store: {t_preview:.1f} s ({int(pv.slices['文件行数'].sum()):,} rows)")
        data = workbook.read_bytes()
        _, t_apply = timed(lambda: store.apply(engine, result, filename=workbook.name, sha256=store.file_sha256(data), user="bench"))
        print(f"  apply: {t_apply:.1f} s")

        for township in (None, "庆远镇"):
            path = month_workbook(folder, "2020-09", township)
            result, secs, still, _ = check(path)
            _, floor = timed(lambda: loaders.load_in_process([(path, path.read_bytes())]))
            own = township is not None
            label = f"{township}'s own" if own else "whole district's"
            print(f"{label} 2020-09 labourer sheet {path.stat().st_size / 1e6:.1f} MB: check {secs:.1f} s "
                  f"(in-process floor {floor:.1f} s), longest without an update {still:.1f} s")
            _, t_preview = timed(lambda: intake.preview(engine, result, by_township=own))
            print(f"  preview against the full store: {t_preview:.1f} s")
            outcome, t_apply = timed(lambda: store.apply(engine, result, filename=path.name, sha256="-", user="bench", by_township=own))
            print(f"  apply: {t_apply:.1f} s ({'no change' if outcome.log_id is None else 'recorded'})")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
