"""Helpers for the real-browser tests (tests/test_browser.py): the Streamlit server,
Debian's Chromium, "the page is done", the offline guard, and signing a browser in.

No pytest-playwright: one sync_playwright per module, one browser profile per module
and one session of it per test (``WarmBrowser``: signed out and empty at the start, with
Streamlit's scripts already cached).
Every page needs a signed-in account: ``sign_in`` opens a session in the server's store
(``access.accounts.open_session``, for a test account of ``tests/signing.py``) and gives
the context its cookie ``ledger_session``, as the login form would (ui/auth.py reads it
from ``st.context.cookies``); ``log_in`` goes through the form itself.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    # headless=True is passed to launch(); "--headless" is not repeated here.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TALL = {"width": 1400, "height": 2400}  # full_page screenshots miss the inner scroll area
PHONE = {"width": 390, "height": 844}

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}

TOWNSHIPS = (
    "庆远镇 三岔镇 洛西镇 怀远镇 德胜镇 石别镇 北山镇 刘三姐镇 洛东镇 "
    "祥贝乡 屏南乡 福龙瑶族乡 北牙瑶族乡 同德乡 安马乡 龙头乡"
).split()

# An ID number as the people tables show it: region code, 8 stars, last four.
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")

# Streamlit marks the app root with the script state; the status widget and the
# skeletons of lazily loaded elements (plotly) are gone once a run has been drawn.
# Public: bench/bench_load.py waits for it through Playwright's async API.
READY_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!document.querySelector('[data-testid="stAppViewContainer"]') || !app) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') && app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!c.querySelector('.main-svg')) return false;
  }
  return true;
}"""


# A toast (st.toast) shows for about 4 s, from early in a script run: on a busy machine
# it can be gone before the page is ready (the lazy charts drawn), and waiting for it
# then missed it. Every page records, from its first mutation, the text of each toast
# while it is visible (a box and not visibility:hidden, as Playwright's "visible").
_TOASTS_JS = """(() => {
  window.__toasts = [];
  const at = new WeakMap();
  const look = () => {
    for (const t of document.querySelectorAll('[data-testid="stToast"]')) {
      const box = t.getBoundingClientRect();
      const text = (t.innerText || '').trim();
      if (!text || box.width <= 0 || box.height <= 0 || getComputedStyle(t).visibility === 'hidden') continue;
      if (!at.has(t)) { at.set(t, window.__toasts.length); window.__toasts.push(text); }
      else window.__toasts[at.get(t)] = text;
    }
  };
  new MutationObserver(look).observe(document, {childList: true, subtree: true, characterData: true, attributes: true});
})();"""


def record_toasts(context) -> None:
    """Record the toasts of every page of ``context`` (see ``toast_text``)."""
    context.add_init_script(_TOASTS_JS)


def toast_text(page, fragment: str, timeout: float = 5_000) -> str:
    """The text of a toast shown on this page since it loaded that contains
    ``fragment``; waits up to ``timeout`` ms for one (the context must ``record_toasts``)."""
    try:
        handle = page.wait_for_function(
            "f => (window.__toasts || []).find(t => t.includes(f))", arg=fragment, timeout=timeout
        )
    except Exception as exc:  # playwright's TimeoutError
        shown = page.evaluate("() => window.__toasts || null")
        raise AssertionError(f"no toast with {fragment!r} on {page.url}; toasts shown: {shown}") from exc
    return handle.json_value()


# ---------------------------------------------------------------- the server


def launch_chromium():
    """Debian's Chromium under Playwright, for a module's tests (a generator fixture body:
    ``yield from launch_chromium()``). Missing Chromium or Playwright skips the tests,
    and fails them under CI=true, where they must run."""
    import pytest

    def missing(reason: str):
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: the browser tests must run)")
        pytest.skip(reason)

    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install playwright; never `playwright install`)")
    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            locale="zh-CN", service_workers="block", viewport=TALL,
        )
        browser = WarmBrowser(context, lambda: pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS))
        yield browser
        browser.close()


class WarmBrowser:
    """Chromium with one profile for a module's tests, handing out one ``Session`` at a
    time in place of a new browser context. A new context starts with an empty cache,
    so its first page compiles Streamlit's and plotly's scripts again: 4-5 s on this
    machine against 2.5 s from the profile's cache (measured, about 80 contexts a run).
    What a context would isolate is reset instead: cookies at the start and end of a
    session, its pages closed, their storage cleared, its listeners removed. Cookies
    are the profile's, so while one session is open (a module's own tab), another gets
    a real context of a second, plain browser (cold, but apart)."""

    def __init__(self, context, launch_plain):
        self.context = context
        self.launch_plain = launch_plain
        self.plain = None
        self.current: Session | None = None
        self.scripts: set[str] = set()
        for page in context.pages:  # the blank tab a persistent profile opens with
            page.close()

    def new_context(self, viewport: dict | None = None, **options):
        """A session on the profile (locale zh-CN, blocked service workers), or a new
        context of the plain browser while the profile's is taken."""
        if self.current is not None and not self.current.closed:
            if self.plain is None:
                self.plain = self.launch_plain()
            return self.plain.new_context(viewport=viewport or TALL, **options)
        self.context.clear_cookies()
        self.current = Session(self, viewport or TALL)
        return self.current

    def close(self) -> None:
        if self.plain is not None:
            self.plain.close()
        self.context.close()


class Session:
    """The part of Playwright's BrowserContext the tests use, on the shared profile."""

    def __init__(self, owner: WarmBrowser, viewport: dict):
        self.owner, self.viewport = owner, viewport
        self.pages: list = []
        self.listeners: list[tuple[str, object]] = []
        self.closed = False

    def new_page(self):
        page = self.owner.context.new_page()
        page.set_viewport_size(self.viewport)
        self.pages.append(page)
        return page

    def add_cookies(self, cookies) -> None:
        self.owner.context.add_cookies(cookies)

    def cookies(self, *urls):
        return self.owner.context.cookies(*urls)

    def add_init_script(self, script: str) -> None:
        """Init scripts stay on the profile: each is added once (they only record)."""
        if script not in self.owner.scripts:
            self.owner.scripts.add(script)
            self.owner.context.add_init_script(script)

    def on(self, event: str, handler) -> None:
        self.owner.context.on(event, handler)
        self.listeners.append((event, handler))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for page in self.pages:
            if not page.is_closed():
                try:
                    page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
                except Exception:  # noqa: BLE001 (a page that is navigating or crashed: it is closed anyway)
                    pass
                page.close()
        for event, handler in self.listeners:
            self.owner.context.remove_listener(event, handler)
        self.owner.context.clear_cookies()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path
    db_url: str | None = None  # the store it serves: where a test opens its sessions

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def start_streamlit(root: Path, db_url: str, log: Path, timeout: float = 60.0) -> Server:
    """``streamlit run dashboard.py`` on a free port; returns once /_stcore/health says ok."""
    port = free_port()
    env = dict(os.environ, LEDGER_DB_URL=db_url, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    out = open(log, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its children
    )
    out.close()
    server = Server(f"http://127.0.0.1:{port}", process, log, db_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base}/_stcore/health", timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return server
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s:\n{server.log_tail()}")


def stop(server: Server) -> None:
    """Terminate the server's process group (the one this test run started), then kill it."""
    p = server.process
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=5)


# ---------------------------------------------------------------- signing in

COOKIE = "ledger_session"  # ui/auth.py's cookie
_ENGINES: dict[str, object] = {}


def server_engine(server: Server):
    """An engine on the server's store (one per URL for the test run)."""
    from ledger.store.config import make_engine

    assert server.db_url, "the server was started without a store URL"
    if server.db_url not in _ENGINES:
        _ENGINES[server.db_url] = make_engine(server.db_url)
    return _ENGINES[server.db_url]


def sign_in(context, server: Server, role: str = "admin", townships=None):
    """Sign ``context`` in as the test account of ``role`` (``tests/signing.account``,
    made in the server's store if missing): a new session's token in the cookie the
    login form would set. Returns (account, token)."""
    from ledger.access import accounts
    from tests.signing import account

    engine = server_engine(server)
    who = account(engine, role, townships)
    token = accounts.open_session(engine, who)
    context.add_cookies([{"name": COOKIE, "value": token, "url": server.base}])
    return who, token


def session_cookie(context) -> str | None:
    """The value of the context's session cookie, or None."""
    return next((c["value"] for c in context.cookies() if c["name"] == COOKIE), None)


LOGIN_TITLE = "宜州区稳岗就业台账 · 登录"

# Counts the script runs that start from now on (the app root's script state turning to
# "running"): after a click, "the page is done" must mean done with the run it started,
# not with the previous one, whose error box may look the same.
_COUNT_RUNS_JS = """() => {
  window.__runs = 0;
  if (window.__runObserver) return;
  const app = document.querySelector('[data-testid="stApp"]');
  // Each record holds the value before its change, so the values a batch went through are
  // the old values of the records after the first, then the value now: a run that starts
  // and ends within one batch (a fast server) is still counted.
  window.__runObserver = new MutationObserver(records => {
    const after = records.slice(1).map(r => r.oldValue);
    after.push(app.getAttribute('data-test-script-state'));
    window.__runs += after.filter(v => v === 'running').length;
  });
  window.__runObserver.observe(app, {attributes: true, attributeOldValue: true,
                                     attributeFilter: ['data-test-script-state']});
}"""
_LEFT_OR_ERROR_JS = """t => { const h = document.querySelector('[data-testid="stMain"] h1');
  const err = document.querySelector('[data-testid="stMain"] [data-testid="stAlertContentError"]');
  return (h && h.innerText.trim() !== t) || !!err; }"""


def submit_form(page, button: str, fields: dict[str, str], title: str, timeout: float = 60_000) -> None:
    """Fill a form's fields (label → text), press ``button``, and return once the run it
    started is drawn: another page than ``title``, or an error box."""
    form = page.locator('[data-testid="stForm"]')
    for label, text in fields.items():
        form.get_by_label(label, exact=True).fill(text)
    page.evaluate(_COUNT_RUNS_JS)
    heard = getattr(page, "frames_heard", None)
    before = heard[0] if heard else 0
    form.get_by_role("button", name=button).click()
    _wait_for_run(page, heard, before, timeout)
    page.wait_for_function(_LEFT_OR_ERROR_JS, arg=title, timeout=timeout)
    wait_ready(page)


def _wait_for_run(page, heard: list[int] | None, before: int, timeout: float) -> None:
    """Until the run a click started is seen: the app's script state went through
    'running', or (on a page that counts them, ``guarded_page``) the server sent a
    message after the click. A run that starts and ends within one React commit (a
    fast answer on a fast machine) never shows 'running' in the DOM at all."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate("() => window.__runs > 0") and not (heard and heard[0] > before):
        if time.monotonic() > deadline:
            raise AssertionError(f"no script run within {timeout / 1000:.0f} s of the click on {page.url}")
        page.wait_for_timeout(50)


def log_in(page, login: str, password: str) -> None:
    """Sign in through the login form (账号, 密码, 登录) of the open page."""
    submit_form(page, "登录", {"账号": login, "密码": password}, LOGIN_TITLE)


def change_password(page, old: str, new: str) -> None:
    """Fill the 修改密码 form (forced at a first login) and confirm it."""
    submit_form(page, "确认修改", {"原密码": old, "新密码（至少8位，含字母和数字）": new, "再次输入新密码": new}, "修改密码")


def path_of(page_key: str, role: str = "admin") -> str:
    """The URL path of a page for a role: "/" for the role's first page (Streamlit's
    default page has no other path: its own name would show "Page not found"), else
    "/<page>"."""
    from ledger.access.roles import role as role_of

    return "/" if role_of(role).landing == page_key else f"/{page_key}"


def nav_titles(page) -> list[str]:
    """The page titles the sidebar navigation lists (a link's text is its icon's name,
    then the title, on lines of their own)."""
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [next((line.strip() for line in reversed(t.splitlines()) if line.strip()), "") for t in texts]


def current_nav_title(page) -> str:
    """The title of the page the sidebar navigation marks as the current one."""
    texts = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]').all_inner_texts()
    return next((line.strip() for line in reversed(texts[0].splitlines()) if line.strip()), "") if texts else ""


def main_title(page) -> str:
    titles = page.locator('[data-testid="stMain"] h1').all_inner_texts()
    return titles[0].strip() if titles else ""


# ---------------------------------------------------------------- the page


def is_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class Guard:
    """Everything a browser context asked for that did not go to this machine."""

    outside: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


def wait_ready(page, timeout: float = 60_000, settle: int = 400) -> None:
    """Loaded: the app view is there, no script run or status widget, lazy charts drawn."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', state="attached", timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
    page.wait_for_function(READY_JS, timeout=timeout)
    page.wait_for_timeout(settle)
    page.wait_for_function(READY_JS, timeout=timeout)


def exception_texts(page) -> list[str]:
    loc = page.locator('[data-testid="stException"]')
    return [t.strip()[:500] for t in loc.all_inner_texts()]


def query(page) -> dict[str, str]:
    """The page URL's query parameters, URL-decoded."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


def url_path(page) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(page.url).path)


def headings(page) -> list[str]:
    return [t.strip() for t in page.locator('[data-testid="stMain"] [data-testid="stHeading"]').all_inner_texts()]


def select_value(page, label: str) -> str:
    """The shown value of a sidebar selectbox (a combobox input named by its label)."""
    return page.locator(f'[data-testid="stSidebar"] [data-testid="stSelectbox"] input[aria-label="{label}"]').input_value()


def chart_title(chart) -> str:
    return " ".join(t.strip() for t in chart.locator("text.gtitle").all_text_contents())


def plotly_chart_titled(page, fragment: str):
    """The first plotly chart in the main area whose title contains ``fragment``."""
    charts = page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]')
    titles = [chart_title(charts.nth(i)) for i in range(charts.count())]
    for i, title in enumerate(titles):
        if fragment in title:
            return charts.nth(i), title
    raise AssertionError(f"no plotly chart titled …{fragment}; chart titles: {titles}")


def bars(chart):
    return chart.locator(".barlayer .point path")


def x_ticks(chart) -> list[str]:
    return [t.strip() for t in chart.locator(".xaxislayer-above .xtick text").all_text_contents()]


def click_bar(page, chart, index: int) -> None:
    """Click a bar by coordinates: plotly's drag layer swallows element clicks."""
    bar = bars(chart).nth(index)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, f"bar {index} has no box: {box}"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def grid_column(dataframe, header: str) -> list[str]:
    """The cell texts of one column of an st.dataframe, from glide-data-grid's
    accessibility table (the canvas is drawn from the same rows; only the rows the
    grid has rendered are in the DOM)."""
    table = dataframe.locator("table[role=grid]")
    # the grid draws its accessibility table after the element appears (late on a busy machine)
    table.locator("thead th").first.wait_for(state="attached", timeout=30_000)
    heads = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert header in heads, f"no column {header} in {heads}"
    col = heads.index(header) + 1
    return [t.strip() for t in table.locator(f'tbody td[aria-colindex="{col}"]').all_text_contents()]


def grid_rowcount(dataframe) -> int:
    """Data rows of the grid (aria-rowcount counts the header row too)."""
    return int(dataframe.locator("table[role=grid]").get_attribute("aria-rowcount")) - 1


def metric_value(page, label: str) -> str:
    metrics = page.locator('[data-testid="stMain"] [data-testid="stMetric"]')
    for i in range(metrics.count()):
        m = metrics.nth(i)
        if m.locator('[data-testid="stMetricLabel"]').inner_text().strip() == label:
            return m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    raise AssertionError(f"no metric {label}")


def horizontal_overflow(page) -> dict[str, list[int]]:
    """scrollWidth / clientWidth of the document and of Streamlit's scrolling main area."""
    return page.evaluate(
        """() => {
          const out = {};
          const d = document.documentElement;
          out.document = [d.scrollWidth, d.clientWidth];
          for (const id of ['stAppViewContainer', 'stMain', 'stMainBlockContainer']) {
            const e = document.querySelector(`[data-testid="${id}"]`);
            if (e) out[id] = [e.scrollWidth, e.clientWidth];
          }
          return out;
        }"""
    )


# ---------------------------------------------------------------- guarded tabs, tables, uploads
# (added for tests/test_browser_intake.py)


class GuardedPage:
    """A browser page on one server, with the offline guard: ``open`` loads a path and
    checks that no exception is drawn and nothing left 127.0.0.1."""

    def __init__(self, page, server: Server, guard: Guard):
        self.page, self.server, self.guard = page, server, guard

    def open(self, path: str = "/", timeout: float = 60_000):
        self.page.goto(self.server.base + path)
        self.ready(timeout)
        return self.page

    def ready(self, timeout: float = 60_000, settle: int = 400):
        wait_ready(self.page, timeout=timeout, settle=settle)
        self.assert_clean()

    def after(self, selector: str, timeout: float = 60_000, settle: int = 200):
        """Wait for ``selector`` (what the awaited run draws; an st.exception also ends the
        wait), then for the run to end; fails on an exception or an outside request."""
        try:
            self.page.wait_for_selector(f'{selector}, [data-testid="stException"]', state="attached", timeout=timeout)
        except Exception as exc:  # playwright's TimeoutError
            raise AssertionError(
                f"{selector} did not appear within {timeout / 1000:.0f} s on {self.page.url}; "
                f"exceptions {exception_texts(self.page)}\nserver log:\n{self.server.log_tail()}"
            ) from exc
        self.ready(timeout, settle)

    def assert_clean(self):
        errors = exception_texts(self.page)
        assert not errors, f"st.exception on {self.page.url}: {errors}\nserver log:\n{self.server.log_tail()}"
        assert not self.guard.outside, f"requests left 127.0.0.1: {self.guard.outside}"


def guarded_page(browser, server: Server, viewport: dict = TALL, role: str | None = "admin", townships=None):
    """A new context and page whose requests and websockets are watched, signed in as
    the test account of ``role`` (None: signed out); returns (context, GuardedPage)."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", service_workers="block")
    if role is not None:
        sign_in(context, server, role, townships)
    record_toasts(context)
    guard = Guard()
    context.on("request", lambda r: None if is_local(r.url) else guard.outside.append(f"{r.method} {r.url}"))
    page = context.new_page()
    page.frames_heard = [0]  # messages from the server, for ``submit_form``

    def watch(ws) -> None:
        if not is_local(ws.url):
            guard.outside.append(f"WS {ws.url}")
        ws.on("framereceived", lambda _: page.frames_heard.__setitem__(0, page.frames_heard[0] + 1))

    page.on("websocket", watch)
    page.set_default_timeout(30_000)
    return context, GuardedPage(page, server, guard)


def alert_texts(page, kind: str) -> list[str]:
    """Texts of the main area's st.error / st.success / st.info / st.warning boxes (kind: Error, Success, Info, Warning)."""
    return [t.strip() for t in page.locator(f'[data-testid="stMain"] [data-testid="stAlertContent{kind}"]').all_inner_texts()]


def dataframe_with(page, *headers: str, timeout: float = 30_000):
    """The main area's st.dataframe whose column headers start with ``headers``; waits
    for its grid to be drawn (the grid component loads lazily)."""
    deadline = time.monotonic() + timeout / 1000
    seen: list[list[str]] = []
    while True:
        frames = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
        seen = []
        for i in range(frames.count()):
            frame = frames.nth(i)
            table = frame.locator("table[role=grid]")
            if table.count() == 0:
                continue
            heads = [h.strip() for h in table.first.locator("thead th").all_inner_texts()]
            seen.append(heads)
            if heads[: len(headers)] == list(headers):
                return frame
        if time.monotonic() > deadline:
            raise AssertionError(f"no st.dataframe with columns {list(headers)}; tables seen: {seen}")
        page.wait_for_timeout(100)


_GRID_ROWS_JS = """t => Array.from(t.querySelectorAll('tbody tr')).map(r => [
  Number(r.getAttribute('aria-rowindex')),
  Array.from(r.querySelectorAll('td')).map(c => [Number(c.getAttribute('aria-colindex')), (c.textContent || '').trim()]),
])"""


def grid_records(dataframe, limit: int | None = None) -> list[dict[str, str]]:
    """Every row of an st.dataframe (or the first ``limit``) as {header: cell text}, in
    order. glide-data-grid only puts the rows it has drawn into its accessibility table,
    so a long table is scrolled through."""
    table = dataframe.locator("table[role=grid]").first
    heads = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    total = grid_rowcount(dataframe)
    want = total if limit is None else min(limit, total)
    scroller = dataframe.locator(".dvn-scroller").first
    scrolls = scroller.count() > 0
    if scrolls:
        scroller.evaluate("e => { e.scrollTop = 0; }")
    rows: dict[int, dict[str, str]] = {}
    shown: list[int] = []
    while True:
        for _attempt in range(40):  # the grid redraws its table once scrolling has stopped
            drawn = table.evaluate(_GRID_ROWS_JS)
            if [i for i, _ in drawn] != shown:
                break
            dataframe.page.wait_for_timeout(50)
        shown = [i for i, _ in drawn]
        for index, cells in drawn:
            rows[index] = {heads[c - 1]: text for c, text in cells if 0 < c <= len(heads)}
        if sum(2 <= i < want + 2 for i in rows) >= want or not scrolls:
            break
        moved = scroller.evaluate(
            "e => { const t = e.scrollTop; e.scrollTop = t + Math.max(e.clientHeight - 80, 40); return e.scrollTop !== t; }"
        )
        if not moved:
            break
    if scrolls:
        scroller.evaluate("e => { e.scrollTop = 0; }")
    out = [rows[i] for i in sorted(rows) if i >= 2][:want]  # aria-rowindex 1 is the header row
    assert len(out) == want, f"read {len(out)} of {want} rows of a {total}-row table with columns {heads}"
    return out


def clear_uploads(page) -> None:
    """Remove every file from the page's file uploaders (their chips' delete buttons)."""
    buttons = page.locator('[data-testid="stFileChipDeleteBtn"] button')
    while buttons.count():
        buttons.first.click()
        page.wait_for_timeout(50)


def upload(page, *paths) -> None:
    """Give files to the page's (first) file uploader, as a user picking them would."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files([str(p) for p in paths])
