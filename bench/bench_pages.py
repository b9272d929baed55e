"""Page timings on the sample ledger: each registered page's script, cold (caches
cleared) and warm (second run), through Streamlit's AppTest on this machine, signed
in as a 数据管理员 (every page). bench/bench_scale.py reuses ``page_times``.

Targets: <= 1.5 s cold, <= 300 ms warm.

    python bench/bench_pages.py [--db URL] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class PageTime(NamedTuple):
    title: str
    cold_ms: float
    warm_ms: float  # the median of the warm runs
    warm_max_ms: float


def page_times(url: str, repeat: int = 5, pages=None) -> list[PageTime]:
    """Each page's script (``ui.pages.PAGES`` or ``pages``) on the store at ``url``:
    once with the pages' caches cleared (query results and built charts:
    ``ui.data.forget``), then ``repeat`` times warm."""
    from streamlit.testing.v1 import AppTest

    from ledger.store.config import make_engine
    from tests.signing import sign_in
    from ui.data import forget
    from ui.pages import PAGES

    os.environ["LEDGER_DB_URL"] = url
    engine = make_engine(url)
    out = []
    for page in pages or PAGES:
        app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        sign_in(app, engine, "admin")
        app.run()
        forget()
        start = time.perf_counter()
        app.switch_page(page.path).run()
        cold = (time.perf_counter() - start) * 1000
        assert not app.exception, app.exception
        warm = []
        for _ in range(repeat):
            start = time.perf_counter()
            app.run()
            warm.append((time.perf_counter() - start) * 1000)
        out.append(PageTime(page.title, cold, statistics.median(warm), max(warm)))
    engine.dispose()
    return out


def empty_page_ms(repeat: int = 5) -> float:
    """The floor of a page's script: an AppTest run of a script that only writes a
    title (Streamlit's own cost per run, median of ``repeat``)."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_string('import streamlit as st\nst.title("空白页")', default_timeout=60)
    app.run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        app.run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="default: a new SQLite file holding the sample ledger")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from ledger.store.config import make_engine
    from ui.first_start import load_sample

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        if not args.db:
            load_sample(make_engine(url))
        print(f"{'page':<28}{'cold ms':>10}{'warm ms (median)':>20}{'warm max':>10}")
        for t in page_times(url, args.repeat):
            print(f"{t.title:<28}{t.cold_ms:>10.0f}{t.warm_ms:>20.0f}{t.warm_max_ms:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
