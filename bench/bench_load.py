"""Many users at once: N browser sessions (Playwright contexts in Debian's Chromium,
one browser) against one ``streamlit run dashboard.py`` started here, each signed in
as an account of its own and drilling down in a loop for a fixed time:

    总览 全区 → 就业 全区 → 总览 某乡镇 → 总览 该乡镇某村（人员名单）

Per page view: the time from ``page.goto`` until the page is drawn (the view's own
element present, no script run, status widget gone, charts drawn: tests/browser_helpers'
READY_JS). The server process's RSS is sampled every 0.25 s. First one session alone
runs the same views (the floor), then N at once; both are printed beside the target
(p95 <= 3 s with 20 sessions). Browsers and server share this machine's cores: the
client's rendering is part of what is measured.

    python bench/bench_load.py [--sessions 20] [--seconds 120] [--floor-seconds 40] [--db URL]

Default store: data/bench-sample.db, the sample ledger (built once by
``ui.first_start.load_sample``, then reused). The bench adds accounts bench-01 … to
the store it is given (区领导: every township; a 数据管理员 first if it has none).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_S = 3.0
DEFAULT_DB = ROOT / "data" / "bench-sample.db"
VIEW_TIMEOUT_MS = 90_000

# The view's own element: the navigation of a signed-in page (the login page has none)
# and an h1; a village view also its people list (a heading "…名单（N人）" and its grid).
_SIGNED_IN_JS = """() => !!document.querySelector('[data-testid="stSidebarNav"]')
  && !!document.querySelector('[data-testid="stMain"] h1')"""
_PEOPLE_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stHeading"]')]
  .some(h => h.innerText.includes('名单（'))
  && !!document.querySelector('[data-testid="stMain"] [data-testid="stDataFrame"]')"""
_FAILED_JS = """() => document.querySelectorAll('[data-testid="stException"], [data-testid="stMain"] [data-testid="stAlertContentError"]').length"""


# ---------------------------------------------------------------- figures


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks (as
    numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def rss_bytes(pid: int) -> int | None:
    """Resident memory of one process: psutil where installed, else /proc (Linux)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return psutil.Process(pid).memory_info().rss
        except psutil.Error:
            return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """The server's RSS every ``every`` seconds, its peak, and marks taken on demand."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = 0
        self.samples = 0
        self._halt = threading.Event()

    def now(self) -> int:
        value = rss_bytes(self.pid) or 0
        self.peak = max(self.peak, value)
        return value

    def run(self) -> None:
        while not self._halt.is_set():
            self.now()
            self.samples += 1
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


@dataclass
class Phase:
    """One run of sessions: every view's seconds, and what failed."""

    sessions: int
    seconds: float
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, seconds: float) -> None:
        self.times.append(seconds)
        self.by_kind.setdefault(kind, []).append(seconds)

    @property
    def p50(self) -> float | None:
        return percentile(self.times, 50)

    @property
    def p95(self) -> float | None:
        return percentile(self.times, 95)


@dataclass
class LoadResult:
    db_url: str
    floor: Phase
    load: Phase
    rss_start: int
    rss_one: int  # after the single session
    rss_all: int | None  # once every session of the load had drawn its first view
    rss_peak: int
    rss_end: int


# ---------------------------------------------------------------- the store


def prepare_store(url: str | None) -> str:
    """The store's URL; the default one is built from the sample ledger once."""
    if url:
        return url
    from ledger.store.config import make_engine
    from ui.first_start import load_sample

    url = f"sqlite:///{DEFAULT_DB}"
    engine = make_engine(url)
    load_sample(engine)  # nothing to do once the store holds data
    engine.dispose()
    return url


def bench_accounts(engine, n: int) -> list:
    """Accounts bench-01 … bench-NN (区领导, no forced password change), made if missing."""
    from ledger.access import accounts
    from tests.signing import PASSWORD
    from tests.signing import account as test_account

    if accounts.count(engine) == 0:
        test_account(engine, "admin")
    out = []
    for i in range(1, n + 1):
        login = f"bench-{i:02d}"
        if accounts.get(engine, login) is None:
            accounts.add(engine, login, f"压测{i:02d}", "leader", password=PASSWORD, by="bench_load", must_change=False)
        out.append(accounts.get(engine, login))
    return out


def drill_targets(engine, n: int) -> list[tuple[str, str]]:
    """(township, village) for each session: townships in turn, each's largest village
    in the latest month (the drill-down a leader would take)."""
    from sqlalchemy import func, select

    from ledger.store.schema import DATA
    from ledger.store.versions import current

    t = DATA["labor"]
    with engine.connect() as conn:
        month = conn.execute(select(func.max(t.c.period)).where(current(t))).scalar()
        rows = conn.execute(
            select(t.c.township, t.c.village, func.count().label("n"))
            .where(current(t), t.c.period == month, t.c.village.is_not(None))
            .group_by(t.c.township, t.c.village)
        ).all()
    best: dict[str, tuple[str, int]] = {}
    for town, village, count in rows:
        if town and (town not in best or count > best[town][1]):
            best[town] = (village, count)
    towns = sorted(best)
    if not towns:
        raise SystemExit("the store holds no labourer rows: nothing to drill into")
    return [(towns[i % len(towns)], best[towns[i % len(towns)]][0]) for i in range(n)]


def cycle_of(township: str, village: str) -> list[tuple[str, str, str]]:
    """(kind, path, element script) of one drill-down loop, for a 区领导 (总览 is "/")."""
    q = urllib.parse.urlencode
    return [
        ("总览 全区", "/", _SIGNED_IN_JS),
        ("就业 全区", "/employment", _SIGNED_IN_JS),
        ("总览 乡镇", "/?" + q({"township": township}), _SIGNED_IN_JS),
        ("总览 村·名单", "/?" + q({"township": township, "village": village}), _PEOPLE_JS),
    ]


# ---------------------------------------------------------------- sessions


async def _view(page, url: str, element_js: str) -> float:
    from tests.browser_helpers import READY_JS

    start = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=VIEW_TIMEOUT_MS)
    await page.wait_for_function(element_js, timeout=VIEW_TIMEOUT_MS)
    await page.wait_for_function(READY_JS, timeout=VIEW_TIMEOUT_MS)
    seconds = time.perf_counter() - start
    failed = await page.evaluate(_FAILED_JS)
    if failed:
        raise RuntimeError(f"{failed} error box(es) drawn")
    return seconds


async def _session(browser, base: str, token: str, cycle, until: float, phase: Phase, first_drawn) -> None:
    from tests.browser_helpers import COOKIE, TALL

    context = await browser.new_context(viewport=TALL, locale="zh-CN", service_workers="block")
    await context.add_cookies([{"name": COOKIE, "value": token, "url": base}])
    page = await context.new_page()
    first = True
    try:
        while time.monotonic() < until:
            for kind, path, element_js in cycle:
                if time.monotonic() >= until:
                    break
                try:
                    phase.add(kind, await _view(page, base + path, element_js))
                except Exception as exc:  # noqa: BLE001 (a timeout, a closed page, an error box: counted, the loop goes on)
                    phase.errors.append(f"{kind}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                if first:
                    first = False
                    first_drawn()
    finally:
        await context.close()


async def _phase(server, tokens: list[str], targets, seconds: float, ramp: float, on_all_drawn=None) -> Phase:
    from playwright.async_api import async_playwright

    from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS

    phase = Phase(len(tokens), seconds)
    drawn = [0]

    def first_drawn():
        drawn[0] += 1
        if drawn[0] == len(tokens) and on_all_drawn:
            on_all_drawn()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            until = time.monotonic() + seconds
            jobs = []
            for i, token in enumerate(tokens):
                if i and ramp:
                    await asyncio.sleep(ramp / len(tokens))
                jobs.append(asyncio.create_task(
                    _session(browser, server.base, token, cycle_of(*targets[i]), until, phase, first_drawn)))
            await asyncio.gather(*jobs)
        finally:
            await browser.close()
    return phase


def run(db: str | None = None, sessions: int = 20, seconds: float = 120, floor_seconds: float = 40,
        ramp: float = 5.0, log_dir: Path | None = None) -> LoadResult:
    """The single-session floor, then ``sessions`` at once, on one server; the figures."""
    from ledger.access import accounts
    from ledger.store.config import make_engine
    from tests.browser_helpers import CHROMIUM, start_streamlit, stop

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found (apt-get install chromium fonts-noto-cjk)")
    url = prepare_store(db)
    engine = make_engine(url)
    people = bench_accounts(engine, max(sessions, 1))
    targets = drill_targets(engine, max(sessions, 1))
    tokens = [accounts.open_session(engine, who) for who in people]
    engine.dispose()

    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="bench-load-"))
    server = start_streamlit(ROOT, url, log_dir / "server.log")
    sampler = RssSampler(server.process.pid)
    try:
        rss_start = sampler.now()
        sampler.start()
        # The floor: one session alone, on the same server, the first session's views.
        floor = asyncio.run(_phase(server, tokens[:1], targets[:1], floor_seconds, 0))
        rss_one = sampler.now()
        marks: dict[str, int] = {}
        load = asyncio.run(_phase(server, tokens, targets, seconds, ramp,
                                  on_all_drawn=lambda: marks.setdefault("all", sampler.now())))
        rss_end = sampler.now()
    finally:
        sampler.stop()
        stop(server)
    return LoadResult(url, floor, load, rss_start, rss_one, marks.get("all"), sampler.peak, rss_end)


# ---------------------------------------------------------------- the printout


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _mb(value: int | None) -> str:
    return "—" if not value else f"{value / 2**20:.0f} MB"


def _ratio(value: float | None, floor: float | None) -> str:
    return "—" if not value or not floor else f"{value / floor:.1f}×"


def report(r: LoadResult) -> list[str]:
    """The result as a Markdown table (value, its floor, the ratio, the target)."""
    f, lo = r.floor, r.load
    n = lo.sessions
    rows = [
        ("页面时间 p50", _s(lo.p50), _s(f.p50), _ratio(lo.p50, f.p50), ""),
        ("页面时间 p95", _s(lo.p95), _s(f.p95), _ratio(lo.p95, f.p95), f"≤ {TARGET_P95_S:.0f} s（{n}个会话）"),
        ("页面时间 最长", _s(max(lo.times, default=None)), _s(max(f.times, default=None)), "", ""),
        ("完成的页面数", f"{len(lo.times)}（{len(lo.times) / lo.seconds * 60:.0f}/分）",
         f"{len(f.times)}（{len(f.times) / f.seconds * 60:.0f}/分）", "", ""),
        ("错误", str(len(lo.errors)), str(len(f.errors)), "", "0"),
        ("服务器内存 启动后", _mb(r.rss_start), "", "", ""),
        (f"服务器内存 {n}个会话都打开页面后", _mb(r.rss_all), _mb(r.rss_one), _ratio(r.rss_all, r.rss_one), ""),
        ("服务器内存 峰值", _mb(r.rss_peak), "", "", ""),
        ("服务器内存 结束时", _mb(r.rss_end), "", "", ""),
    ]
    for kind, times in lo.by_kind.items():
        one = f.by_kind.get(kind, [])
        rows.append((f"  {kind} p95", _s(percentile(times, 95)), _s(percentile(one, 95)),
                     _ratio(percentile(times, 95), percentile(one, 95)), ""))
    out = [
        f"{n}个会话 {lo.seconds:.0f} 秒；下限 = 同一服务器上单个会话 {f.seconds:.0f} 秒（同样的页面）",
        "",
        f"| 项目 | {n}个会话 | 单个会话（下限） | 比 | 目标 |",
        "|---|---:|---:|---:|---|",
    ]
    out += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    if lo.errors or f.errors:
        out += ["", "错误（前5条）:"] + [f"  {e}" for e in (f.errors + lo.errors)[:5]]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120, help="how long the N sessions run (default 120)")
    parser.add_argument("--floor-seconds", type=float, default=40, help="how long the single session runs (default 40)")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which the sessions start (default 5)")
    parser.add_argument("--db", help=f"store URL (default: {DEFAULT_DB.relative_to(ROOT)}, the sample ledger)")
    args = parser.parse_args()
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    result = run(args.db, args.sessions, args.seconds, args.floor_seconds, args.ramp)
    print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
