"""The scale benchmark: ONE table for SQLite, PostgreSQL and MariaDB at scale 1, 10 and
85 (districts' worth of ledger), each figure beside its floor measured in the same run
on the same database, and the ratio:

- import, labourer rows/s — floor: reading the workbook (python-calamine, every sheet);
  a scale generated straight into the database (``python -m ledger sample --scale N
  --db URL``) has no file, and says so;
- all district figures, warm — floor: one plain SQL statement on the detail table for
  the labour headline numbers (written here by hand, ``HEADLINE_SQL``);
- the by-township and by-village (one township) breakdown of those numbers — floor:
  the same statement with GROUP BY;
- each page's script, cold and warm (bench/bench_pages.py's method) — floor: a script
  that only writes a title;
- one village's people list — floor: a plain SELECT of that village's rows; and again
  beside the hand-written SQL of the same list (its columns, source file and order);
- with ``--load-seconds S``: 20 browser sessions for S seconds (bench/bench_load.py):
  the server's memory once all are open — floor: after one session alone; and p95.

The floors read the detail tables, never summaries. A combination whose estimate is
over ``--budget-minutes`` (20) is skipped with the reason.

    python bench/bench_scale.py [--backends sqlite,postgresql,mysql] [--scales 1,10,85]
        [--repeat 5] [--no-pages] [--load-seconds S [--load-client protocol|browser]] [--budget-minutes 20]
        [--existing BACKEND:SCALE:URL ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ledger.query.people import COLUMNS as PEOPLE_COLUMNS  # noqa: E402
from tests import scratch_databases  # noqa: E402
from tests.scratch_databases import SERVER_URLS  # noqa: E402

BACKENDS = ("sqlite", "postgresql", "mysql")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MariaDB"}
# Before anything is measured at scale 1 on a backend: seconds per district's import (main, 2026-12).
IMPORT_GUESS_S = {"sqlite": 12.0, "postgresql": 13.5, "mysql": 17.0}
SESSIONS = 20

# The labour headline numbers: the query layer's figures, and the same numbers by hand.
HEADLINE_KEYS = [
    "labor.total", "labor.employed", "labor.unemployed", "labor.poor", "labor.poor_employed",
    "labor.poor_unemployed", "labor.unemployed_wanting_work", "households.total",
]
_HEADLINE_COLUMNS = """count(*) AS total,
  sum(CASE WHEN employed = '已就业' THEN 1 ELSE 0 END) AS employed,
  sum(CASE WHEN employed = '未就业' THEN 1 ELSE 0 END) AS unemployed,
  sum(CASE WHEN is_poor THEN 1 ELSE 0 END) AS poor,
  sum(CASE WHEN is_poor AND employed = '已就业' THEN 1 ELSE 0 END) AS poor_employed,
  sum(CASE WHEN is_poor AND employed = '未就业' THEN 1 ELSE 0 END) AS poor_unemployed,
  sum(CASE WHEN employed = '未就业' AND wants_work THEN 1 ELSE 0 END) AS unemployed_wanting_work,
  count(DISTINCT household_id) AS households"""
HEADLINE_SQL = f"SELECT {_HEADLINE_COLUMNS} FROM ledger_labor WHERE is_current = :cur AND period = :month"
BY_TOWNSHIP_SQL = (f"SELECT township, {_HEADLINE_COLUMNS} FROM ledger_labor"
                   " WHERE is_current = :cur AND period = :month GROUP BY township")
BY_VILLAGE_SQL = (f"SELECT village, {_HEADLINE_COLUMNS} FROM ledger_labor"
                  " WHERE is_current = :cur AND period = :month AND township = :town GROUP BY village")
PEOPLE_SQL = ("SELECT * FROM ledger_labor"
              " WHERE is_current = :cur AND period = :month AND township = :town AND village = :village")
# The same list as the page's, written by hand: its columns, the workbook each row came
# from and its order (a village's rows by name and row) - the SQL half of a people list.
PEOPLE_SAME_ROWS_SQL = (
    "SELECT l.source_row, i.filename, "
    + ", ".join(f"l.{c}" for c in PEOPLE_COLUMNS["labor"])
    + " FROM ledger_labor l LEFT OUTER JOIN ledger_imports i ON i.id = COALESCE(l.source_import, l.import_id)"
    " WHERE l.is_current = :cur AND l.period = :month AND l.township = :town AND l.village = :village"
    " ORDER BY l.name, l.source_row, l.row_id")
LARGEST_VILLAGE_SQL = ("SELECT township, village, count(*) AS n FROM ledger_labor WHERE is_current = :cur"
                       " AND period = :month AND village IS NOT NULL GROUP BY township, village ORDER BY n DESC, village")


# ---------------------------------------------------------------- the table


@dataclass
class Row:
    """One line of the table. ``unit`` "ms" and "MB": the ratio is value / floor;
    "rows/s": floor / value (how many times longer than reading the file)."""

    backend: str
    scale: int
    item: str
    value: float | None = None
    floor: float | None = None
    unit: str = "ms"
    target: str = ""
    note: str = ""  # shown instead of a missing value or floor ("skipped: …", "no file")

    @property
    def ratio(self) -> float | None:
        if not self.value or not self.floor:
            return None
        return self.floor / self.value if self.unit == "rows/s" else self.value / self.floor


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "rows/s":
        return f"{value:,.0f} 行/秒"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def format_table(rows: list[Row]) -> list[str]:
    """The rows as one Markdown table (database, scale, item, value, floor, ratio, target)."""
    out = ["| 数据库 | 规模 | 项目 | 值 | 下限 | 比 | 目标 |", "|---|---:|---|---:|---:|---:|---|"]
    for r in rows:
        value = _num(r.value, r.unit) or r.note
        floor = _num(r.floor, r.unit) or (r.note if r.value is not None else "")
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else ""
        out.append(f"| {NAMES.get(r.backend, r.backend)} | {r.scale} | {r.item} | {value} | {floor} | {ratio} | {r.target} |")
    return out


def skipped(backend: str, scale: int, why: str) -> Row:
    return Row(backend, scale, "全部", note=f"skipped: {why}")


# ---------------------------------------------------------------- measuring


WARM_RUNS = 6  # psycopg prepares a statement on the server at its fifth execution
SAMPLE_SECONDS = 0.5  # a query of a few ms is timed over this long, not five runs


def median_ms(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` over at least ``repeat`` runs and ``SAMPLE_SECONDS``
    (at most 500 runs), after ``WARM_RUNS`` unmeasured ones: the steady state of a
    server that has run the statement before, the same for a value and its floor (a
    statement of seconds, a floor on the detail, is warmed once)."""
    start = time.perf_counter()
    fn()
    if time.perf_counter() - start < 0.1:
        for _ in range(WARM_RUNS - 1):
            fn()
    times: list[float] = []
    began = time.perf_counter()
    while len(times) < repeat or (time.perf_counter() - began < SAMPLE_SECONDS and len(times) < 500):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def read_seconds(path: Path) -> float:
    """The floor of an import: python-calamine reading every sheet of the workbook."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def scale_command_available() -> bool:
    """Whether ``python -m ledger sample`` knows ``--scale`` (branch bulk)."""
    done = subprocess.run([sys.executable, "-m", "ledger", "sample", "--help"], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return "--scale" in done.stdout


class Database:
    """A new, empty database of one backend for one scale; ``drop`` removes it."""

    def __init__(self, backend: str, scale: int, tmp: Path):
        self.backend, self._admin = backend, None
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp / f'scale{scale}.db'}"
            return
        self.name = f"ledger_bench_s{scale}_{os.getpid()}"
        self._admin = scratch_databases.admin(backend)
        self.url = scratch_databases.create(self._admin, backend, self.name)

    def drop(self) -> None:
        if self._admin is None:
            return
        scratch_databases.drop(self._admin, self.backend, self.name)
        self._admin.dispose()


def server_problem(backend: str) -> str | None:
    """Why a backend's server cannot be used here, or None."""
    if backend == "sqlite":
        return None
    from sqlalchemy import create_engine, text

    engine = create_engine(SERVER_URLS[backend])
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 (any failure to connect means: no server to use)
        return f"no server at {SERVER_URLS[backend]} ({type(exc).__name__})"
    finally:
        engine.dispose()


def labour_rows(engine) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM ledger_labor WHERE is_current = :cur"), {"cur": True}).scalar()


def fill(backend: str, scale: int, db: Database, workbook: Path) -> tuple[Row, float]:
    """Import scale N into the empty database; the import row and its seconds."""
    from ledger.store.config import make_engine

    engine = make_engine(db.url)
    target = "≥ 60,000 行/秒" if backend in ("sqlite", "postgresql") else ""
    if scale == 1:
        from ledger.store.imports import read_and_import

        floor_s = read_seconds(workbook)
        start = time.perf_counter()
        outcome = read_and_import(engine, workbook, user="bench_scale")
        seconds = time.perf_counter() - start
        if not outcome.ok:
            raise SystemExit(f"the sample did not import on {backend}: {outcome.errors[:3]}")
        rows = labour_rows(engine)
        row = Row(backend, scale, f"导入（{rows:,} 行劳动力）", rows / seconds, rows / floor_s, "rows/s", target)
    else:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "ledger", "sample", "--scale", str(scale), "--db", db.url],
                              check=False, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(f"sample --scale {scale} on {backend} failed:\n{done.stderr[-2000:]}")
        rows = labour_rows(engine)
        row = Row(backend, scale, f"生成并写入（{rows:,} 行劳动力）", rows / seconds, None, "rows/s", target,
                  note="无文件：直接写入数据库")
    engine.dispose()
    return row, seconds


def query_rows(backend: str, scale: int, url: str, repeat: int) -> list[Row]:
    """Figures, breakdowns and a people list through the query layer, each beside its
    plain SQL on the detail table."""
    from sqlalchemy import text

    from ledger.access.roles import FULL
    from ledger.access.scope import ALL
    from ledger.query import request as rq
    from ledger.query.statements import default_as_of
    from ledger.store.config import make_engine

    engine = make_engine(url)
    as_of = default_as_of(engine)
    month = f"{as_of:%Y-%m}"
    args = {"cur": True, "month": month}
    with engine.connect() as conn:
        town, village, _ = conn.execute(text(LARGEST_VILLAGE_SQL), args).first()
        # 庆远镇 (copy 1's largest township) where present: the same place at every scale.
        found = conn.execute(text(LARGEST_VILLAGE_SQL.replace("AND village IS NOT NULL", "AND village IS NOT NULL AND township = :town")),
                             dict(args, town="庆远镇")).first()
        if found:
            town, village, _ = found

    def plain(sql: str, **extra):
        def go():
            with engine.connect() as conn:
                return conn.execute(text(sql), dict(args, **extra)).all()
        return go

    district = rq.Request(as_of, scope=ALL, personal=FULL)
    in_town = rq.Request(as_of, town, scope=ALL, personal=FULL)
    in_village = rq.Request(as_of, town, village, scope=ALL)  # masked, as a 区领导 sees it
    figures = rq.figures(engine, district)
    headline = plain(HEADLINE_SQL)()[0]
    if (figures.values.get("labor.total"), figures.values.get("labor.employed")) != (headline.total, headline.employed):
        print(f"warning: {backend} ×{scale}: the floor's totals {headline.total}/{headline.employed} differ from the "
              f"query layer's {figures.values.get('labor.total')}/{figures.values.get('labor.employed')}", file=sys.stderr)
    rows = [
        Row(backend, scale, "全区全部指标（热）", median_ms(lambda: rq.figures(engine, district), repeat),
            median_ms(plain(HEADLINE_SQL), repeat), target="≤ 50 ms，≤ 2× 下限"),
        Row(backend, scale, "分乡镇（劳动力主要指标）", median_ms(lambda: rq.breakdown(engine, district, HEADLINE_KEYS), repeat),
            median_ms(plain(BY_TOWNSHIP_SQL), repeat), target="≤ 2× 下限"),
        Row(backend, scale, f"分村（{town}）", median_ms(lambda: rq.breakdown(engine, in_town, HEADLINE_KEYS), repeat),
            median_ms(plain(BY_VILLAGE_SQL, town=town), repeat), target="≤ 2× 下限"),
        Row(backend, scale, f"人员名单（{village}，脱敏）",
            median_ms(lambda: rq.people(engine, in_village, "labor.total"), repeat),
            median_ms(plain(PEOPLE_SQL, town=town, village=village), repeat), target="≤ 2× 下限"),
        Row(backend, scale, f"人员名单（{village}，脱敏），对同样的列、来源文件与顺序",
            median_ms(lambda: rq.people(engine, in_village, "labor.total"), repeat),
            median_ms(plain(PEOPLE_SAME_ROWS_SQL, town=town, village=village), repeat), target="≤ 2× 下限"),
    ]
    engine.dispose()
    return rows


def page_rows(backend: str, scale: int, url: str, repeat: int) -> list[Row]:
    from bench_pages import empty_page_ms, page_times

    floor = empty_page_ms(repeat)
    times = page_times(url, repeat)
    out = []
    for t in times:
        out.append(Row(backend, scale, f"页面 {t.title} 首次", t.cold_ms, floor, target="≤ 2 s"))
        out.append(Row(backend, scale, f"页面 {t.title} 再次", t.warm_ms, floor, target="≤ 300 ms"))
    cold, warm = max(times, key=lambda t: t.cold_ms), max(times, key=lambda t: t.warm_ms)
    out.append(Row(backend, scale, f"最慢的页面 首次（{cold.title}）", cold.cold_ms, floor, target="≤ 2 s"))
    out.append(Row(backend, scale, f"最慢的页面 再次（{warm.title}）", warm.warm_ms, floor, target="≤ 300 ms"))
    return out


def load_rows(backend: str, scale: int, url: str, seconds: float, client: str, servers: int = 1) -> list[Row]:
    from bench_load import run

    r = run(url, SESSIONS, seconds, floor_seconds=min(seconds, 40), client=client, servers=servers)
    on = f"，{servers}个进程" if servers > 1 else ""
    mb = 2**20
    return [
        Row(backend, scale, f"{SESSIONS}个会话后服务器内存{on}", (r.rss_all or r.rss_peak) / mb, r.rss_one / mb, "MB",
            note=f"峰值 {r.rss_peak / mb:.0f} MB"),
        Row(backend, scale, f"{SESSIONS}个会话 页面时间 p95（{client}{on}，{len(r.load.times)}次，错误{len(r.load.errors)}）",
            r.load.p95, r.floor.p95, "s", target="≤ 3 s"),
        Row(backend, scale, f"{SESSIONS}个会话 服务器 CPU 每次页面", r.load.cpu_per_view, r.floor.cpu_per_view, "s"),
    ]


# ---------------------------------------------------------------- the run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql,mysql (default: all three)")
    parser.add_argument("--scales", default="1,10,85", help="districts' worth of ledger (default 1,10,85)")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per figure (median)")
    parser.add_argument("--no-pages", action="store_true", help="leave out the pages' scripts")
    parser.add_argument("--load-seconds", type=float, default=0,
                        help=f"also run {SESSIONS} browser sessions for this long on each database (bench_load)")
    parser.add_argument("--load-client", choices=["browser", "protocol"], default="protocol",
                        help="bench_load's client for --load-seconds (default protocol: the server's memory and time, "
                             "the cores left to it)")
    parser.add_argument("--load-servers", type=int, default=1,
                        help="Streamlit processes for --load-seconds (bench_load --servers; default 1)")
    parser.add_argument("--budget-minutes", type=float, default=20, help="skip a combination estimated longer (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the databases (their URLs are printed)")
    parser.add_argument("--existing", action="append", default=[], metavar="BACKEND:SCALE:URL",
                        help="also measure a store already filled (no import row), e.g. one kept by --keep")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    scales = sorted(int(s) for s in args.scales.split(",") if s.strip())
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends {sorted(unknown)}; choose from {', '.join(BACKENDS)}")
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")

    from ui.first_start import sample_workbook

    workbook = sample_workbook()
    generator = scale_command_available() if any(s > 1 for s in scales) else False
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        for backend in backends:
            problem = server_problem(backend)
            # Seconds per district's worth of ledger, from the last scale measured here (a guess at first):
            # the import, and the rest (queries, pages), which grows with the ledger where it reads the detail.
            per_district = IMPORT_GUESS_S[backend]
            rest_per_district = (10 if args.no_pages else 90) + args.load_seconds * 1.5
            for scale in scales:
                if problem:
                    rows.append(skipped(backend, scale, problem))
                    continue
                if scale > 1 and not generator:
                    rows.append(skipped(backend, scale, "sample --scale not available"))
                    continue
                estimate = scale * (per_district + rest_per_district)
                if estimate > args.budget_minutes * 60:
                    rows.append(skipped(backend, scale, f"estimated {estimate / 60:.0f} min > {args.budget_minutes:.0f} min "
                                                        f"({per_district:.1f} s a district's import, "
                                                        f"{rest_per_district:.0f} s its queries and pages)"))
                    continue
                print(f"… {NAMES[backend]} ×{scale}", file=sys.stderr, flush=True)
                db = Database(backend, scale, tmp)
                try:
                    row, seconds = fill(backend, scale, db, workbook)
                    per_district = seconds / scale
                    rows.append(row)
                    start = time.perf_counter()
                    rows += query_rows(backend, scale, db.url, args.repeat)
                    if not args.no_pages:
                        rows += page_rows(backend, scale, db.url, args.repeat)
                    if args.load_seconds:
                        rows += load_rows(backend, scale, db.url, args.load_seconds, args.load_client, args.load_servers)
                    rest_per_district = (time.perf_counter() - start) / scale
                finally:
                    if args.keep:
                        print(f"kept: {db.url}", file=sys.stderr)
                    else:
                        db.drop()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    for spec in args.existing:
        backend, scale, url = spec.split(":", 2)
        print(f"… {NAMES[backend]} ×{scale} (existing store)", file=sys.stderr, flush=True)
        rows += query_rows(backend, int(scale), url, args.repeat)
        if not args.no_pages:
            rows += page_rows(backend, int(scale), url, args.repeat)
        if args.load_seconds:
            rows += load_rows(backend, int(scale), url, args.load_seconds, args.load_client, args.load_servers)
    print("\n".join(format_table(rows)))
    print("\n下限：导入 = python-calamine 读完工作簿全部工作表；指标和分组 = 手写的一条 SQL（劳动力明细表，"
          "is_current 且当月，GROUP BY 乡镇/村）；人员名单 = 该村明细行的 SELECT *；页面 = 只写一个标题的脚本；"
          "内存 = 单个会话之后。比：导入为导入时间 ÷ 读文件时间，其余为 值 ÷ 下限。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
