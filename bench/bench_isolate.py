"""How fast hostile files are stopped (loaders.isolate, loaders.limits): a reader past
its time limit killed, beside the limit itself; a deflate bomb (2 GB of XML in 2 MB)
refused, beside its floor (reading the zip directory). Targets: killed within 2 s of a
1 s limit; the bomb refused in ≤ 1 s. (Both were assertions of tests/test_isolate.py;
the tests now check what happens, this prints how soon.)

    python bench/bench_isolate.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders import isolate, limits  # noqa: E402
from tests.hostile_files import deflate_bomb  # noqa: E402
from tests.test_isolate import sleep  # noqa: E402  (the child imports it: not from __main__)

LIMIT_S = 1.0
KILL_TARGET_S = 2.0  # after the limit
BOMB_TARGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    isolate.warm()
    kills = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        try:
            isolate.run(sleep, 30, progress=lambda f, m: None, seconds=LIMIT_S)
        except isolate.Failed as failed:
            assert failed.kind == "timeout", failed.kind
        kills.append(time.perf_counter() - start)
    late = statistics.median(kills) - LIMIT_S
    print(f"reader past its {LIMIT_S:g} s limit: killed after median {statistics.median(kills):.2f} s, "
          f"max {max(kills):.2f} s ({late:+.2f} s after the limit; target ≤ {KILL_TARGET_S:g} s after)")

    bomb = deflate_bomb(2048)
    refusals, floors = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        refused = limits.check_workbook(bomb, "bomb.xlsx")
        refusals.append(time.perf_counter() - start)
        assert refused, "the bomb was not refused"
        start = time.perf_counter()
        with zipfile.ZipFile(io.BytesIO(bomb)) as z:
            z.infolist()
        floors.append(time.perf_counter() - start)
    print(f"deflate bomb ({len(bomb) / 1e6:.1f} MB, 2 GB inflated) refused in median {statistics.median(refusals) * 1000:.1f} ms, "
          f"max {max(refusals) * 1000:.1f} ms (floor, its zip directory read: {statistics.median(floors) * 1000:.2f} ms; "
          f"target ≤ {BOMB_TARGET_S * 1000:.0f} ms)")
    ok = late <= KILL_TARGET_S and max(refusals) <= BOMB_TARGET_S
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
