"""Hostile uploads on 数据导入 in a real browser (Debian's Chromium through Playwright)
against one real ``streamlit run`` with its own small SQLite store:

1. each hostile file (tests/hostile_files.py) in turn: a Chinese refusal naming the file
   (st.error and the problems table, or st.error alone for too many files, which is
   refused before any reading), no 确认导入, and afterwards the same server process alive
   and answering. The sparse workbook used to abort the whole server; the one without
   <dimension> gets past every pre-check and only the child-process reader saves the
   server (the memory or crash message);
2. meanwhile a second user (a 区领导, its own Chromium, in a thread) keeps opening 总览 and must
   get it drawn with the right figure: during the sparse and the bomb uploads and after
   all of them; the server's PID is unchanged and its RSS grew by less than 300 MB;
3. a staff-written workbook (a 合计 row under two payments, a labour sheet "Sheet1" with
   its month only in the title): 请核对 lists the three notes, 确认导入 writes the right
   figures (the core's queries and the CLI agree), and 导入记录 keeps the notes.

Screenshots: /tmp/hostile_sparse_refusal.png, /tmp/hostile_notes.png. Nothing may be
fetched from outside 127.0.0.1. Without /usr/bin/chromium the module skips (fails under
CI=true). Never ``playwright install``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from ledger import query
from ledger.access import accounts
from ledger.present.format import show
from ledger.store.config import make_engine
from ledger.store.figures import figure
from ledger.store.history import history
from ledger.store.imports import read_and_import
from ledger.store.schema import init_db
from loaders import limits
from tests import hostile_files as hostile
from tests import signing
from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COOKIE,
    TALL,
    alert_texts,
    clear_uploads,
    dataframe_with,
    grid_records,
    guarded_page,
    is_local,
    launch_chromium,
    metric_value,
    path_of,
    server_engine,
    start_streamlit,
    stop,
    upload,
)
from tests.conftest import ROOT
from tests.fixtures_ledger import LABOR_HEADER, SUBSIDY_HEADER, ids, labor_row, write_workbook
from tests.signing import account

MAIN = '[data-testid="stMain"]'
ERROR_BOX = f'{MAIN} [data-testid="stAlertContentError"]'
PREVIEWED = f'{MAIN} [data-testid="stHeading"]:has-text("将要发生的变化"), {ERROR_BOX}'
DONE = f'{MAIN} [data-testid="stAlertContentSuccess"], {ERROR_BOX}'
NOTHING_SHOWN = """() => !document.querySelector('[data-testid="stFileChip"]')
    && !document.querySelector('[data-testid="stMain"] [data-testid="stAlertContentError"]')
    && !document.querySelector('[data-testid="stMain"] [data-testid="stDataFrame"]')"""
PROBLEM_HEADERS = ("级别", "问题", "文件", "工作表", "行号", "列", "表头", "值")
# What a refusal must never show the clerk: a Python or Rust error as such.
NOT_FOR_CLERKS = re.compile(r"Traceback|Exception|Error\b|PanicException|panicked|stack backtrace|None")

SEED_IDS = ids(4, start=601)
SEED_TOTAL = len(SEED_IDS)  # 庆远镇's labourers of 2020-08 in the store before anything is uploaded
TOTAL_LABEL = figure("labor.total").label  # 劳动力人数
USER = "测试数据管理员（t-admin-all，数据管理员）"  # the signed-in 数据管理员 is the 导入人
MB = 1 << 20
RSS_GROWTH_LIMIT = 300 * MB
VISIT_TIMEOUT = 30_000  # ms for the other user's overview to be drawn
SLOW = 120_000

STAFF_IDS = ids(8, start=701)
STAFF_LABOR = 5
TITLE = "宜州区贫困劳动力就业台账（2020年9月）"


# ---------------------------------------------------------------- the other user


@dataclass
class Visit:
    start: float
    end: float
    ok: bool
    detail: str


class OtherUser(threading.Thread):
    """Another clerk, in their own Chromium (Playwright's sync API is one per thread),
    opening 总览 again and again: each visit waits for the app view and the 劳动力人数
    metric, which must show ``expected``."""

    def __init__(self, base: str, expected: str, token: str):
        super().__init__(name="hostile-other-user", daemon=True)
        self.base, self.expected, self.token = base, expected, token  # token: the signed-in session
        self.visits: list[Visit] = []
        self.outside: list[str] = []
        self.loading_since: float | None = None
        self.error: BaseException | None = None
        self._quit = threading.Event()
        self._lock = threading.Lock()

    def run(self):
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                                  service_workers="block")
                    context.add_cookies([{"name": COOKIE, "value": self.token, "url": self.base}])
                    context.on("request", lambda r: None if is_local(r.url) else self.outside.append(r.url))
                    page = context.new_page()
                    while not self._quit.is_set():
                        self._visit(page)
                        self._quit.wait(0.1)
                finally:
                    browser.close()
        except BaseException as exc:  # reported by the test that stops the thread
            self.error = exc

    def _visit(self, page) -> None:
        start = time.monotonic()
        self.loading_since = start
        ok, detail = False, ""
        try:
            page.goto(self.base + "/overview", timeout=VISIT_TIMEOUT)
            page.wait_for_selector('[data-testid="stAppViewContainer"]', state="attached", timeout=VISIT_TIMEOUT)
            page.wait_for_selector(f'{MAIN} [data-testid="stMetric"]:has-text("{TOTAL_LABEL}")', timeout=VISIT_TIMEOUT)
            value = metric_value(page, TOTAL_LABEL)
            crashed = page.locator('[data-testid="stException"]').count()
            ok = value == self.expected and not crashed
            detail = f"{TOTAL_LABEL} {value}" + (f"; {crashed} st.exception" if crashed else "")
        except Exception as exc:  # a timeout: the server did not draw the page for this user
            detail = f"{type(exc).__name__}: {str(exc)[:300]}"
        finally:
            with self._lock:
                self.visits.append(Visit(start, time.monotonic(), ok, detail))
            self.loading_since = None

    def snapshot(self) -> list[Visit]:
        with self._lock:
            return list(self.visits)

    def wait_mid_visit(self, timeout: float = 60) -> None:
        """Until a visit is under way (so the next upload overlaps one)."""
        deadline = time.monotonic() + timeout
        while self.loading_since is None:
            assert self.is_alive(), f"the other user's thread ended: {self.error!r}"
            assert time.monotonic() < deadline, "the other user started no visit"
            time.sleep(0.01)

    def wait_visit_after(self, t: float, timeout: float = 60) -> Visit:
        """A finished visit that began after ``t``."""
        deadline = time.monotonic() + timeout
        while True:
            later = [v for v in self.snapshot() if v.start > t]
            if later:
                return later[0]
            assert self.is_alive(), f"the other user's thread ended: {self.error!r}"
            assert time.monotonic() < deadline, f"no visit of 总览 began after the uploads within {timeout:.0f} s"
            time.sleep(0.05)

    def finish(self) -> None:
        self._quit.set()
        if self.is_alive():
            self.join(60)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser():
    yield from launch_chromium()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def bomb(folder):
    """The deflate bomb, compressed (~10 s) in a thread while the server starts."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="bomb")
    future = pool.submit(hostile.deflate_bomb_xlsx, folder / "压缩炸弹.xlsx", 1800)
    yield future
    pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def store(folder):
    """The server's own SQLite store: 庆远镇's four labourers of 2020-08, so 总览 has
    figures and the staff workbook's months (2020-03, 2020-09) are new."""
    url = f"sqlite:///{folder / 'ledger.db'}"
    engine = make_engine(url)
    init_db(engine)
    rows = [LABOR_HEADER] + [labor_row("2020-08", "庆远镇", "城东村", f"甲{i}", p) for i, p in enumerate(SEED_IDS)]
    outcome = read_and_import(engine, write_workbook(folder / "种子台账.xlsx", {"劳动力就业台账": rows}), user="种子")
    assert outcome.ok, [str(p) for p in outcome.problems]
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def server(store, bomb, folder):
    srv = start_streamlit(ROOT, store[0], folder / "server.log")
    yield srv
    stop(srv)


@pytest.fixture(scope="module")
def intake_tab(browser, server):
    context, tab = guarded_page(browser, server, TALL)
    tab.open(path_of("intake"))
    yield tab
    tab.assert_clean()
    context.close()


@dataclass
class Watch:
    pid: int
    rss_before: int
    other: OtherUser
    uploads: dict[str, tuple[float, float]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def watch(server, intake_tab):
    """The other user at work (one 总览 drawn first) and the server's PID and RSS then."""
    clerk = accounts.get(server_engine(server), account(server_engine(server), "leader").login)
    other = OtherUser(server.base, show(figure("labor.total"), SEED_TOTAL), accounts.open_session(server_engine(server), clerk))
    other.start()
    first = other.wait_visit_after(0, timeout=90)
    assert first.ok, f"总览 was not drawn for the other user before any upload: {first.detail}\n{server.log_tail()}"
    pid = server.process.pid
    w = Watch(pid, _rss(pid), other)
    yield w
    other.finish()


# ---------------------------------------------------------------- helpers


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(PID, command line) of every process under ``pid``."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
        for k in kids:
            try:
                cmd = Path(f"/proc/{k}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            out.append((k, cmd))
            todo.append(k)
    return out


def _alive(server, pid: int) -> None:
    assert server.process.poll() is None, f"the server exited with {server.process.returncode}:\n{server.log_tail()}"
    assert server.process.pid == pid and Path(f"/proc/{pid}").exists()
    with urllib.request.urlopen(f"{server.base}/_stcore/health", timeout=10) as r:
        assert r.status == 200 and r.read().strip() == b"ok"


def _num(text: str):
    text = text.replace(",", "").strip()
    m = re.match(r"[-+]?\d+", text)
    return Decimal(m.group()) if m else None


def _fill(tab, label: str, value: str) -> None:
    box = tab.page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    tab.ready()


def _watch_for_reading(page) -> None:
    """Note in the page whether the reading status (正在读取并校验 …) is ever drawn."""
    page.evaluate(
        """() => {
          window.__sawReading = false;
          if (window.__readingObserver) window.__readingObserver.disconnect();
          const look = () => { if ((document.body.textContent || '').includes('正在读取并校验')) window.__sawReading = true; };
          window.__readingObserver = new MutationObserver(look);
          window.__readingObserver.observe(document.body, {childList: true, subtree: true, characterData: true});
          look();
        }"""
    )


_CELLS_JS = """t => [
  Array.from(t.querySelectorAll('thead th')).map(h => [Number(h.getAttribute('aria-colindex')), (h.textContent || '').trim()]),
  Array.from(t.querySelectorAll('tbody tr')).map(r => [Number(r.getAttribute('aria-rowindex')),
    Array.from(r.querySelectorAll('td')).map(c => [Number(c.getAttribute('aria-colindex')), (c.textContent || '').trim()])]),
]"""


def wide_grid_records(dataframe) -> list[dict[str, str]]:
    """Every row of a short st.dataframe (no vertical scrolling) with every column, also
    those right of the visible area: glide-data-grid puts only the columns it has drawn
    into its accessibility table, so the grid is read scrolled left and scrolled right,
    each cell placed by its aria-colindex."""
    table = dataframe.locator("table[role=grid]").first
    scroller = dataframe.locator(".dvn-scroller").first
    heads: dict[int, str] = {}
    cells: dict[int, dict[int, str]] = {}
    for where in ("0", "e.scrollWidth"):
        scroller.evaluate(f"e => {{ e.scrollLeft = {where}; }}")
        dataframe.page.wait_for_timeout(300)  # the grid redraws its table once scrolling stops
        th, rows = table.evaluate(_CELLS_JS)
        heads.update(dict(th))
        for index, row in rows:
            cells.setdefault(index, {}).update(dict(row))
    scroller.evaluate("e => { e.scrollLeft = 0; }")
    return [{heads[c]: text for c, text in cells[i].items() if c in heads} for i in sorted(cells) if i >= 2]


def _clip(page, top_locator, bottom_locator, pad: int = 24) -> dict:
    top, bottom = top_locator.bounding_box(), bottom_locator.bounding_box()
    y = max(top["y"] - pad, 0)
    return {"x": 0, "y": y, "width": TALL["width"], "height": bottom["y"] + bottom["height"] + pad - y}


# ---------------------------------------------------------------- 1. the hostile files


@dataclass
class Case:
    name: str
    build: object  # (folder, bomb future) → list of paths
    says: str  # a fragment of the message; for one file, of its problems-table row
    single: bool = True  # one file, refused through the problems table


CASES = [
    Case("sparse", lambda d, b: [hostile.sparse_xlsx(d / "稀疏工作簿.xlsx")],
         "的工作表“劳动力就业台账”声明的范围为A1:XFD1048576（1,048,576行×16,384列），超过本系统的上限（500,000行×200列）"),
    Case("bomb", lambda d, b: [b.result(timeout=120)], "可能已损坏或被篡改"),
    Case("tall", lambda d, b: [hostile.tall_xlsx(d / "百万行工作簿.xlsx")],
         "声明的范围为A1:W1048575（1,048,575行×23列），超过本系统的上限"),
    Case("long_field", lambda d, b: [hostile.one_field_csv(d / "单字段.csv")],
         "第1行有一个单元格超过32 KB，不像台账数据（可能是引号不配对），请检查后重新导出"),
    Case("undeclared_sparse", lambda d, b: [hostile.undeclared_sparse_xlsx(d / "无范围声明.xlsx")],
         "超出内存上限|程序意外终止"),  # a regex: the child's memory limit, or its death
    Case("too_many_files", lambda d, b: hostile.tiny_csvs(d / "多文件", limits.MAX_FILES + 1),
         f"一次最多上传{limits.MAX_FILES}个文件，本次选择了{limits.MAX_FILES + 1}个：请分几次导入", single=False),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload_is_refused_in_chinese_and_the_server_survives(case, intake_tab, watch, server, folder, bomb):
    page = intake_tab.page
    paths = case.build(folder, bomb)
    clear_uploads(page)
    page.wait_for_function(NOTHING_SHOWN)
    intake_tab.ready()
    _watch_for_reading(page)

    watch.other.wait_mid_visit()  # the other user is opening 总览 as this upload starts
    start = time.monotonic()
    upload(page, *paths)
    intake_tab.after(ERROR_BOX, SLOW, settle=300)
    watch.uploads[case.name] = (start, time.monotonic())

    errors = alert_texts(page, "Error")
    shown = errors[:]
    if case.single:
        name = paths[0].name
        assert errors == ["发现 1 处错误，文件未导入，数据库没有任何改动。请修改后重新上传。"], f"{case.name}: error boxes {errors}"
        rows = grid_records(dataframe_with(page, *PROBLEM_HEADERS))
        wrong = [r for r in rows if r["级别"] == "错误"]
        assert len(wrong) == 1, f"{case.name}: the problems table lists {rows}"
        row = wrong[0]
        assert row["文件"] == name, f"{case.name}: the problem names file {row['文件']!r}, not {name!r}"
        assert f"“{name}”" in row["问题"], f"{case.name}: the message does not name the file: {row['问题']!r}"
        assert re.search(case.says, row["问题"]), f"{case.name}: {row['问题']!r} lacks /{case.says}/"
        shown.append(row["问题"])
        assert page.locator(".st-key-intake_errors_xlsx").count() == 1, f"{case.name}: no download of the problems list"
        if case.name == "sparse":
            page.screenshot(path="/tmp/hostile_sparse_refusal.png",
                            clip=_clip(page, page.locator(f"{MAIN} h1").first, page.locator(f"{MAIN} [data-testid='stDataFrame']").first))
    else:
        assert errors == [case.says], f"{case.name}: error boxes {errors}"
        assert page.locator(f"{MAIN} [data-testid='stDataFrame']").count() == 0
        assert not page.evaluate("() => window.__sawReading"), f"{case.name}: the files were read before being refused"
    for text in shown:
        assert not NOT_FOR_CLERKS.search(text), f"{case.name}: the clerk is shown {text!r}"
    assert page.locator(".st-key-intake_confirm button").count() == 0, f"{case.name}: 确认导入 offered"
    _alive(server, watch.pid)
    print(f"\n[{case.name}] {sum(p.stat().st_size for p in paths):,} bytes, refused in "
          f"{watch.uploads[case.name][1] - watch.uploads[case.name][0]:.1f} s: {shown}")


# ---------------------------------------------------------------- 2. the other user, PID and RSS


def test_the_other_user_was_served_throughout_and_the_server_held(watch, server):
    missing = [c.name for c in CASES if c.name not in watch.uploads]
    assert not missing, f"hostile uploads that did not run (run the whole module): {missing}"
    last = max(end for _, end in watch.uploads.values())
    after = watch.other.wait_visit_after(last)
    watch.other.finish()
    assert watch.other.error is None, f"the other user's browser failed: {watch.other.error!r}"
    visits = watch.other.snapshot()

    failed = [v for v in visits if not v.ok]
    assert not failed, f"总览 was not drawn for the other user: {[v.detail for v in failed]}\n{server.log_tail()}"
    for name in ("sparse", "bomb"):
        start, end = watch.uploads[name]
        during = [v for v in visits if v.ok and v.start < end and v.end > start]
        assert during, f"no 总览 drawn for the other user during the {name} upload"
    assert after.ok, after.detail
    assert not watch.other.outside, f"requests left 127.0.0.1: {watch.other.outside}"

    _alive(server, watch.pid)
    # The fork server (and multiprocessing's resource tracker) stay; no reader may.
    left = [(k, cmd) for k, cmd in _descendants(watch.pid) if "forkserver" not in cmd and "resource_tracker" not in cmd]
    readers = [(k, cmd) for k, cmd in _descendants(watch.pid) if "forkserver" in cmd]
    assert not left, f"processes left under the server: {left}"
    assert len(readers) <= 1, f"reader children left under the fork server: {readers}"
    print(f"\n[server children] {[(k, cmd[:90]) for k, cmd in _descendants(watch.pid)]}")
    rss_after = _rss(watch.pid)
    growth = rss_after - watch.rss_before
    def spans(vs):
        return ", ".join(f"{v.end - v.start:.1f}" for v in vs) or "none"

    per_upload = {n: [v for v in visits if v.start < e and v.end > s] for n, (s, e) in watch.uploads.items()}
    quiet = [v for v in visits if not any(v in vs for vs in per_upload.values())]
    print(f"\n[server] PID {watch.pid}; RSS {watch.rss_before / MB:.0f} MB → {rss_after / MB:.0f} MB ({growth / MB:+.0f} MB)"
          f"\n[other user] {len(visits)} visits of 总览 (seconds each); with no upload running: {spans(quiet)}")
    for n, vs in per_upload.items():
        s, e = watch.uploads[n]
        print(f"  during {n} ({e - s:.1f} s): {spans(vs)}")
    assert growth < RSS_GROWTH_LIMIT, f"the server's RSS grew by {growth / MB:.0f} MB"


# ---------------------------------------------------------------- 3. a staff-written workbook


def staff_workbook(path: Path) -> Path:
    """Two payments and a 合计 row (date, type and township filled down) on 补贴发放台账;
    labourers on "Sheet1" with no 统计时点 column, the month only in the title row."""
    subsidies = [
        SUBSIDY_HEADER,
        ["2020-03-15", "稳岗补贴", "个人", "张三", STAFF_IDS[0], "庆远镇", 5000],
        ["2020-03-15", "稳岗补贴", "个人", "李四", STAFF_IDS[1], "庆远镇", 3000],
        ["2020-03-15", "稳岗补贴", None, "合计", None, "庆远镇", 8000],
    ]
    labour = [LABOR_HEADER[1:]] + [
        labor_row("2020-09", "庆远镇", "城东村", f"人{i}", STAFF_IDS[i], income=3000 + 100 * i)[1:] for i in range(STAFF_LABOR)
    ]
    return write_workbook(path, {"补贴发放台账": subsidies, "Sheet1": labour}, title_rows={"Sheet1": [TITLE]})


EXPECTED_NOTES = [
    ("补贴发放台账", 4, "第4行为合计行，已跳过（不计入）"),
    ("Sheet1", None, "工作表“Sheet1”按表头识别为“劳动力就业台账”"),
    ("Sheet1", None, f"表中没有“统计时点”列，月份取自标题行“{TITLE}”：2020年9月"),
]


def test_staff_workbook_notes_are_shown_confirmed_and_kept(browser, server, store, folder):
    url, engine = store
    path = staff_workbook(folder / "庆远镇报送台账.xlsx")
    context, tab = guarded_page(browser, server, TALL)
    try:
        page = tab.open(path_of("intake"))
        upload(page, path)
        tab.after(PREVIEWED, SLOW)
        assert not alert_texts(page, "Error"), alert_texts(page, "Error")

        heading = page.locator(f'{MAIN} [data-testid="stHeading"]:has-text("请核对：系统推断或跳过的内容")')
        assert heading.count() == 1, "no 请核对 heading before 确认导入"
        # One line a notice: its file (and sheet, for a row), then what it says, in full.
        table = page.locator(f"{MAIN} .st-key-intake_notes")
        lines = [t.strip() for t in table.locator("li").all_inner_texts()]
        assert len(lines) == len(EXPECTED_NOTES), lines
        for sheet, line, message in EXPECTED_NOTES:
            place = f"文件“{path.name}”" + (f"工作表“{sheet}”" if f"工作表“{sheet}”" not in message else "")
            assert f"{place}：{message}" in lines, f"{place}：{message!r} not in 请核对: {lines}"
        assert any("月份取自标题行" in t and t.endswith("2020年9月") for t in lines), lines
        page.screenshot(path="/tmp/hostile_notes.png", clip=_clip(page, heading, table))

        assert page.locator(".st-key-intake_scope").count() == 0, "a scope question for months the store does not have"
        page.locator(".st-key-intake_confirm button").click()
        tab.after(DONE, SLOW)
        done = alert_texts(page, "Success")
        m = next((re.search(r"导入成功（记录号 (\d+)）", t) for t in done if "导入成功" in t), None)
        assert m, f"success {done}, errors {alert_texts(page, 'Error')}\n{server.log_tail()}"
        log_id = int(m.group(1))

        # 导入记录 lists the notes as the importer confirmed them.
        tab.open("/history")
        first = wide_grid_records(dataframe_with(page, "记录号", "时间", "操作人", "类型"))[0]
        assert (_num(first["记录号"]), first["操作人"], first["类型"]) == (log_id, USER, "导入"), first
        assert path.name in first["文件或说明"], first
        for _, _, message in EXPECTED_NOTES:
            assert message in first["导入时的说明"], f"{message!r} not in 导入时的说明: {first['导入时的说明']!r}"
        tab.assert_clean()
    finally:
        context.close()

    entry = history(engine)[0]
    assert (entry["id"], entry["created_by"], entry["filename"]) == (log_id, USER, path.name)
    assert len(entry["inferred"]) == len(EXPECTED_NOTES), entry["inferred"]

    as_of = dt.date(2020, 9, 30)
    values = query.figures(make_engine(url), as_of).values
    assert (values["subsidy.total"], values["labor.total"]) == (8000, STAFF_LABOR), (values["subsidy.total"], values["labor.total"])
    admin = signing.account(make_engine(url), "admin")  # the store has accounts: the CLI signs in
    cli = subprocess.run([sys.executable, "-m", "ledger", "figures", "--db", url, "--as-of", as_of.isoformat(), "--format", "json",
                          "--user", admin.login], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "LEDGER_PASSWORD": signing.PASSWORD})
    assert cli.returncode == 0, cli.stderr
    shown = json.loads(cli.stdout)["figures"]
    assert (shown["subsidy.total"], shown["labor.total"]) == (8000, STAFF_LABOR), (shown["subsidy.total"], shown["labor.total"])
