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
                               [--servers N] [--think SECONDS]

``--servers N`` starts N Streamlit processes on the same store, each session kept on
one of them (session i on process i mod N), as nginx's sticky cookie does in
docs/deploy.md §9; CPU and memory are then the sum over the processes. ``--think``
pauses each session that long after every view (a person reading the page); the
default 0 is the worst case, every session asking again the moment a page is drawn.

Default store: data/bench-sample.db, the sample ledger (built once by
``ui.first_start.load_sample``, then reused). The bench adds accounts bench-01 … to
the store it is given (区领导: every township; a 数据管理员 first if it has none).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_S = 3.0
CLIENTS = {
    "browser": "Chromium 浏览器，从打开网址到页面画完",
    "protocol": "Streamlit 的 WebSocket 协议，不画页面：从连接到脚本运行结束",
}
DEFAULT_DB = ROOT / "data" / "bench-sample.db"

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


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used (/proc/PID/stat), to tell whether
    the server (one core at most for its Python, the GIL) or the browsers were the limit."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def total_cpu_seconds(pids: list[int]) -> float | None:
    """CPU seconds summed over the server processes (None if one cannot be read)."""
    values = [cpu_seconds(pid) for pid in pids]
    return None if any(v is None for v in values) else sum(values)


class RssSampler(threading.Thread):
    """The servers' RSS (summed) every ``every`` seconds, its peak, and marks taken on demand."""

    def __init__(self, pids: list[int], every: float = 0.25):
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.peak = 0
        self.samples = 0
        self._halt = threading.Event()

    def now(self) -> int:
        value = sum(rss_bytes(pid) or 0 for pid in self.pids)
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
    wall: float = 0.0  # seconds from the first session's start to the last one's end
    cpu: float | None = None  # the server's CPU seconds meanwhile

    @property
    def cores(self) -> float | None:
        """The server's CPU use in cores (1 = one core busy all the time)."""
        return self.cpu / self.wall if self.cpu is not None and self.wall > 0 else None

    @property
    def cpu_per_view(self) -> float | None:
        """The server's CPU seconds per page view: its cost, whatever else runs on the machine."""
        return self.cpu / len(self.times) if self.cpu is not None and self.times else None

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
    client: str = "browser"
    servers: int = 1
    think: float = 0.0


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


class View(NamedTuple):
    kind: str
    path: str  # "/" or "/employment", with its query string
    element_js: str  # the browser client's "this view is drawn"
    heading: str  # the protocol client's: a heading that holds this text


def cycle_of(township: str, village: str) -> list[View]:
    """One drill-down loop, for a 区领导 (总览 is "/")."""
    q = urllib.parse.urlencode
    return [
        View("总览 全区", "/", _SIGNED_IN_JS, "分乡镇情况"),
        View("就业 全区", "/employment", _SIGNED_IN_JS, "就业与失业"),
        View("总览 乡镇", "/?" + q({"township": township}), _SIGNED_IN_JS, "各村情况"),
        View("总览 村·名单", "/?" + q({"township": township, "village": village}), _PEOPLE_JS, "名单（"),
    ]


# ---------------------------------------------------------------- sessions


async def _view(page, url: str, element_js: str, timeout_ms: float) -> float:
    from tests.browser_helpers import READY_JS

    start = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=timeout_ms)
    await page.wait_for_function(element_js, timeout=timeout_ms)
    await page.wait_for_function(READY_JS, timeout=timeout_ms)
    seconds = time.perf_counter() - start
    failed = await page.evaluate(_FAILED_JS)
    if failed:
        raise RuntimeError(f"{failed} error box(es) drawn")
    return seconds


async def _protocol_view(base: str, token: str, view: View, timeout_ms: float) -> float:
    """One page load as Streamlit's own front end starts it, without a browser: a new
    websocket session (the cookie in its handshake), a rerun_script for the page and
    query string, then the server's messages until script_finished."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from tests.browser_helpers import COOKIE

    path, _, query = view.path.partition("?")
    start = time.perf_counter()
    async with asyncio.timeout(timeout_ms / 1000), websockets.connect(
        base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None, open_timeout=timeout_ms / 1000,
        additional_headers={"Cookie": f"{COOKIE}={token}", "Origin": base},
    ) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = path.strip("/")
        msg.rerun_script.context_info.url = base + view.path
        await ws.send(msg.SerializeToString())
        found, failed = False, 0
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                what = element.WhichOneof("type")
                failed += what == "exception" or (what == "alert" and element.alert.format == element.alert.ERROR)
                found |= what == "heading" and view.heading in element.heading.body
            elif kind == "script_finished":
                break
    seconds = time.perf_counter() - start
    if failed or not found:
        raise RuntimeError(f"{failed} error box(es); heading …{view.heading} {'found' if found else 'missing'}")
    return seconds


async def _session(browser, base: str, token: str, cycle, until: float, phase: Phase, first_drawn, timeout_ms: float,
                   think: float = 0.0) -> None:
    """One user's loop; ``browser`` None: the protocol client."""
    from tests.browser_helpers import COOKIE, TALL

    context = page = None
    if browser is not None:
        context = await browser.new_context(viewport=TALL, locale="zh-CN", service_workers="block")
        await context.add_cookies([{"name": COOKIE, "value": token, "url": base}])
        page = await context.new_page()
    first = True
    try:
        while time.monotonic() < until:
            for view in cycle:
                if time.monotonic() >= until:
                    break
                try:
                    if page is None:
                        seconds = await _protocol_view(base, token, view, timeout_ms)
                    else:
                        seconds = await _view(page, base + view.path, view.element_js, timeout_ms)
                    phase.add(view.kind, seconds)
                except Exception as exc:  # noqa: BLE001 (a timeout, a closed page, an error box: counted, the loop goes on)
                    phase.errors.append(f"{view.kind}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}")
                if first:
                    first = False
                    first_drawn()
                if think:
                    await asyncio.sleep(min(think, max(0.0, until - time.monotonic())))
    finally:
        if context is not None:
            await context.close()


async def _phase(servers, tokens: list[str], targets, seconds: float, ramp: float, timeout_ms: float,
                 client: str = "browser", on_all_drawn=None, think: float = 0.0) -> Phase:
    from playwright.async_api import async_playwright

    from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS

    phase = Phase(len(tokens), seconds)
    drawn = [0]

    def first_drawn():
        drawn[0] += 1
        if drawn[0] == len(tokens) and on_all_drawn:
            on_all_drawn()

    async def sessions(browser):
        until = time.monotonic() + seconds
        jobs = []
        for i, token in enumerate(tokens):
            if i and ramp:
                await asyncio.sleep(ramp / len(tokens))
            jobs.append(asyncio.create_task(
                _session(browser, servers[i % len(servers)].base, token, cycle_of(*targets[i]), until, phase,
                         first_drawn, timeout_ms, think)))
        await asyncio.gather(*jobs)

    if client == "protocol":
        await sessions(None)
        return phase
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            await sessions(browser)
        finally:
            await browser.close()
    return phase


def run(db: str | None = None, sessions: int = 20, seconds: float = 120, floor_seconds: float = 40,
        ramp: float = 5.0, view_timeout: float = 300, client: str = "browser",
        log_dir: Path | None = None, servers: int = 1, think: float = 0.0) -> LoadResult:
    """The single-session floor, then ``sessions`` at once, on ``servers`` processes; the figures."""
    from ledger.access import accounts
    from ledger.store.config import make_engine
    from tests.browser_helpers import CHROMIUM, start_streamlit, stop

    if client == "browser" and not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found (apt-get install chromium fonts-noto-cjk)")
    url = prepare_store(db)
    engine = make_engine(url)
    people = bench_accounts(engine, max(sessions, 1))
    targets = drill_targets(engine, max(sessions, 1))
    tokens = [accounts.open_session(engine, who) for who in people]
    engine.dispose()

    own_log = log_dir is None
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="bench-load-"))
    running = []
    sampler = None
    try:
        for n in range(max(servers, 1)):
            running.append(start_streamlit(ROOT, url, log_dir / f"server-{n + 1}.log"))
        pids = [s.process.pid for s in running]
        sampler = RssSampler(pids)
        rss_start = sampler.now()
        sampler.start()
        # The floor: one session alone, on the first server, the first session's views.
        floor = _timed(pids, lambda: _phase(running, tokens[:1], targets[:1], floor_seconds, 0, view_timeout * 1000,
                                            client, think=think))
        rss_one = sampler.now()
        marks: dict[str, int] = {}
        load = _timed(pids, lambda: _phase(running, tokens, targets, seconds, ramp, view_timeout * 1000, client,
                                           on_all_drawn=lambda: marks.setdefault("all", sampler.now()), think=think))
        rss_end = sampler.now()
    finally:
        for server in running:
            stop(server)  # first: nothing below may leave a server running
        if sampler is not None:
            sampler.stop()
    if own_log and not (floor.errors or load.errors):
        shutil.rmtree(log_dir, ignore_errors=True)
    elif floor.errors or load.errors:
        print(f"server logs: {log_dir}", file=sys.stderr)
    return LoadResult(url, floor, load, rss_start, rss_one, marks.get("all"), sampler.peak, rss_end, client,
                      len(running), think)


def _timed(pids: list[int], phase) -> Phase:
    """Run a phase; note its wall time and the servers' CPU seconds."""
    cpu, start = total_cpu_seconds(pids), time.monotonic()
    out = asyncio.run(phase())
    out.wall = time.monotonic() - start
    after = total_cpu_seconds(pids)
    out.cpu = after - cpu if cpu is not None and after is not None else None
    return out


# ---------------------------------------------------------------- the printout


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _mb(value: int | None) -> str:
    return "—" if not value else f"{value / 2**20:.0f} MB"


def _cores(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


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
        ("服务器 CPU（1 = 一个核）", _cores(lo.cores), _cores(f.cores), "", ""),
        ("服务器 CPU 秒/页面", _cores(lo.cpu_per_view), _cores(f.cpu_per_view), _ratio(lo.cpu_per_view, f.cpu_per_view), ""),
        ("服务器内存 启动后", _mb(r.rss_start), "", "", ""),
        (f"服务器内存 {n}个会话都打开页面后", _mb(r.rss_all), _mb(r.rss_one), _ratio(r.rss_all, r.rss_one), ""),
        ("服务器内存 峰值", _mb(r.rss_peak), "", "", ""),
        ("服务器内存 结束时", _mb(r.rss_end), "", "", ""),
    ]
    for kind, times in lo.by_kind.items():
        one = f.by_kind.get(kind, [])
        rows.append((f"  {kind} p95", _s(percentile(times, 95)), _s(percentile(one, 95)),
                     _ratio(percentile(times, 95), percentile(one, 95)), ""))
    where = "一个 Streamlit 进程" if r.servers == 1 else f"{r.servers}个 Streamlit 进程（会话固定在其中一个上；CPU、内存为各进程之和）"
    pause = f"；每看完一页停 {r.think:g} 秒" if r.think else "；每个会话画完一页立即打开下一页"
    head = f"{n}个会话 {lo.seconds:.0f} 秒，{where}{pause}（{CLIENTS[r.client]}）；下限 = 同一服务器上单个会话 {f.seconds:.0f} 秒（同样的页面）"
    out = [
        head,
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
    parser.add_argument("--view-timeout", type=float, default=300,
                        help="seconds after which a page view counts as an error (default 300)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="browser",
                        help="browser: Playwright contexts in Chromium (default); protocol: Streamlit's websocket "
                             "protocol without drawing, which leaves the cores to the server")
    parser.add_argument("--db", help=f"store URL (default: {DEFAULT_DB.relative_to(ROOT)}, the sample ledger)")
    parser.add_argument("--servers", type=int, default=1,
                        help="Streamlit processes on the same store, sessions kept on one each (default 1)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each session pauses after a view, as a reader would (default 0)")
    args = parser.parse_args()
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    result = run(args.db, args.sessions, args.seconds, args.floor_seconds, args.ramp, args.view_timeout, args.client,
                 servers=args.servers, think=args.think)
    print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
