"""Helpers for the real-browser tests (tests/test_browser.py): the Streamlit server,
Debian's Chromium, "the page is done" and the offline guard.

No pytest-playwright: one sync_playwright per module, one browser context per test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
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
_READY_JS = """() => {
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


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

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
    server = Server(f"http://127.0.0.1:{port}", process, log)
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
    page.wait_for_function(_READY_JS, timeout=timeout)
    page.wait_for_timeout(settle)
    page.wait_for_function(_READY_JS, timeout=timeout)


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
