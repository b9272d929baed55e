"""Chart PNG export timings (exports.images): cold (first image, Chromium starting) and
warm (median of 10 after it). Target: warm ≤ 300 ms.

    python bench/bench_exports.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from charts import ranked_bar  # noqa: E402
from exports import images  # noqa: E402

TARGET_MS = 300


def main() -> int:
    problem = images.available()
    if problem:
        print(problem)
        return 1
    df = pd.DataFrame({"township": ["庆远镇", "三岔镇", "洛西镇", "怀远镇", "德胜镇", "刘三姐镇"], "n": [1234, 800, 650, 420, 300, 90]})
    fig = ranked_bar(df, "n", title="各乡镇贫困劳动力就业人数", unit="人")
    caption = "数据来源：宜州区人社局就业台账；统计截至2020年9月30日"
    t = time.perf_counter()
    images.png(fig, caption=caption)
    cold = time.perf_counter() - t
    warm = []
    for _ in range(10):
        t = time.perf_counter()
        images.png(fig, caption=caption)
        warm.append((time.perf_counter() - t) * 1000)
    median = statistics.median(warm)
    print(f"cold (first PNG, renderer start included): {cold:.2f} s")
    print(f"warm PNG 1200×600 @3x, median of 10: {median:.0f} ms (min {min(warm):.0f}, max {max(warm):.0f}; target ≤ {TARGET_MS} ms)")
    svg = []
    for _ in range(10):
        t = time.perf_counter()
        images.svg(fig, caption=caption)
        svg.append((time.perf_counter() - t) * 1000)
    print(f"warm SVG, median of 10: {statistics.median(svg):.0f} ms")
    return 0 if median <= TARGET_MS else 2


if __name__ == "__main__":
    sys.exit(main())
