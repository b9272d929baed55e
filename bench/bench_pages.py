"""Page timings on the sample ledger: each registered page's script, cold (caches
cleared) and warm (second run), through Streamlit's AppTest on this machine.

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="default: a new SQLite file holding the sample ledger")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ledger.store.config import make_engine
    from ui.first_start import load_sample
    from ui.pages import PAGES

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        if not args.db:
            load_sample(make_engine(url))
        os.environ["LEDGER_DB_URL"] = url
        print(f"{'page':<28}{'cold ms':>10}{'warm ms (median)':>20}{'warm max':>10}")
        for page in PAGES:
            app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
            app.run()
            st.cache_data.clear()
            start = time.perf_counter()
            app.switch_page(page.path).run()
            cold = (time.perf_counter() - start) * 1000
            assert not app.exception, app.exception
            warm = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                app.run()
                warm.append((time.perf_counter() - start) * 1000)
            print(f"{page.title:<28}{cold:>10.0f}{statistics.median(warm):>20.0f}{max(warm):>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
