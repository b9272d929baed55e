"""数据导入 and 导入记录 in a real browser (Debian's Chromium through Playwright) against
a real ``streamlit run``:

1. the sample workbook uploaded into an empty store: the preview lists every (sheet,
   month) as new rows, nothing is written before 确认导入, and afterwards the store's
   figures are exactly those of the sample imported by the ledger core;
2. a corrected workbook for one township and month (the whole district's labourer
   rows of 2020-09, five unemployed labourers of 庆远镇 now employed): the preview shows
   exactly those five rows as 修改 and only 庆远镇's and the district's figures moving,
   the store is untouched until 确认导入, then holds the correction;
3. 导入记录 restores the state before the correction: every figure as before, exactly;
4. every bad file of ``tests/test_bad_inputs.CASES``: its errors (sheet, row, column,
   value, message) in the problems table, no preview, nothing changed.

The stores are private: an empty SQLite file (1) and a copy of ``sample_db``'s file
(2–4); the session's ``sample_db`` itself is never written. Nothing may be fetched
from outside 127.0.0.1. Without /usr/bin/chromium the module skips (under CI=true it
fails). Never ``playwright install``.
"""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger import query
from ledger.access.masking import KIND_OF, mask_value
from ledger.intake import DISTRICT, NO_PERIOD, PREVIEW_KEYS
from ledger.present.format import show, signed
from ledger.store.config import make_engine
from ledger.store.figures import FIGURES, figure
from ledger.store.history import history
from ledger.store.schema import DATA, init_db, slices
from loaders.spec import SHEETS_BY_KEY, YES_NO
from tests.browser_helpers import (
    TALL,
    alert_texts,
    clear_uploads,
    dataframe_with,
    grid_records,
    guarded_page,
    launch_chromium,
    path_of,
    start_streamlit,
    stop,
    upload,
)
from tests.conftest import ROOT
from tests.fixtures_ledger import write_workbook
from tests.test_bad_inputs import CASES, snapshot

# The 导入人 is the signed-in account (a 数据管理员 test account of tests/signing.py).
USER = "测试数据管理员（t-admin-all，数据管理员）"
RESTORER = "测试数据管理员（t-admin-all）"  # the signed-in 数据管理员 restores in their own name (ui.auth.operator)
TOWN, MONTH, N_CHANGED = "庆远镇", "2020-09", 5
LABOR = SHEETS_BY_KEY["labor"].name
SLICE_HEADERS = ("表", "月份", "文件行数", "现有行数", "新增", "修改", "删除", "不变")
CHANGE_HEADERS = ("月份", "乡镇", "指标", "导入前", "导入后", "变化")
PROBLEM_HEADERS = ("级别", "问题", "文件", "工作表", "行号", "列", "表头", "值")
# The sample is 20 MB: checking it takes ~20 s, and 确认导入 runs the check, the preview
# and the import again (~30 s) on a machine of two cores.
SLOW = 240_000
MAIN = '[data-testid="stMain"]'
PREVIEWED = f'{MAIN} [data-testid="stHeading"]:has-text("将要发生的变化"), {MAIN} [data-testid="stAlertContentError"]'
DONE = f'{MAIN} [data-testid="stAlertContentSuccess"], {MAIN} [data-testid="stAlertContentError"]'
CHECKED = f'{MAIN} [data-testid="stAlertContentError"], [data-testid="stFileChip"][aria-invalid="true"]'


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser():
    yield from launch_chromium()


@pytest.fixture
def empty_store(tmp_path):
    """An empty SQLite store, its tables created: the dashboard creates them only on its
    default database (ui/data.get_engine), and every page of a brand-new database given
    by LEDGER_DB_URL fails with "no such table: ledger_imports"."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    init_db(engine)
    yield url, engine
    engine.dispose()


@pytest.fixture
def empty_server(empty_store, tmp_path):
    srv = start_streamlit(ROOT, empty_store[0], tmp_path / "server.log")
    yield srv
    stop(srv)


@pytest.fixture(scope="module")
def store_copy(sample_db, tmp_path_factory):
    """A private copy of the sample store's SQLite file (SQLite's backup API: WAL-safe)."""
    source = sample_db.url.database
    target = tmp_path_factory.mktemp("intake_store") / "ledger.db"
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def copy_server(store_copy, tmp_path_factory):
    srv = start_streamlit(ROOT, store_copy[0], tmp_path_factory.mktemp("intake_server") / "server.log")
    yield srv
    stop(srv)


def _tab(browser, server):
    return guarded_page(browser, server, TALL)


# ---------------------------------------------------------------- helpers


def _num(text: str):
    """A grid cell as a number (None when empty); a unit after it (人, 万元, %) is dropped."""
    text = text.replace(",", "").strip()
    if text in ("", "None", "nan", "NaN", "<NA>", "—"):
        return None
    return Decimal(re.match(r"[-+]?\d+(\.\d+)?", text).group())


def _shown_as(row: dict, label: str, before, after) -> bool:
    """A change row as the page writes it: values with their unit (万元 for money), the
    change signed (the same functions as the page, from the figure's label)."""
    fig = next(f for f in FIGURES if f.label == label)
    want = (show(fig, before), show(fig, after), signed(fig, None if before is None or after is None else after - before))
    return (row["导入前"], row["导入后"], row["变化"]) == want


def _month_ends(months):
    return [query.month_end(m) for m in months]


def _slice_state(engine) -> dict:
    with engine.connect() as conn:
        return {(r.sheet, r.period): (r.import_id, r.content_hash, r.row_count) for r in conn.execute(select(slices))}


def _fill(tab, label: str, value: str) -> None:
    box = tab.page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    tab.ready()


def _success_id(tab, pattern: str) -> int:
    texts = alert_texts(tab.page, "Success")
    for t in texts:
        m = re.search(pattern, t)
        if m:
            return int(m.group(1))
    raise AssertionError(
        f"no success message /{pattern}/; success {texts}, errors {alert_texts(tab.page, 'Error')}, "
        f"info {alert_texts(tab.page, 'Info')}\nserver log:\n{tab.server.log_tail()}"
    )


def _confirm_import(tab) -> int:
    """Click 确认导入, wait for the run to finish, and return the new history entry's id."""
    _confirm_button(tab.page).click()
    tab.after(DONE, SLOW)
    return _success_id(tab, r"导入成功（记录号 (\d+)）")


def _confirm_button(page):
    return page.locator(".st-key-intake_confirm button")


def _no_scope_choice(page) -> None:
    # A file covering only some townships of a month would ask what to do with the
    # others (radio intake_scope); the corrected workbook covers the whole district.
    assert page.locator(".st-key-intake_scope").count() == 0, (
        "the file covers every township of the month, yet the page asks for a scope: "
        + page.locator(".st-key-intake_scope").inner_text()
    )


# ---------------------------------------------------------------- 1. the sample into an empty store


def test_sample_workbook_into_an_empty_store(browser, empty_server, empty_store, sample_workbook, request):
    _url, engine = empty_store
    context, tab = _tab(browser, empty_server)
    try:
        page = tab.open(path_of("intake"))
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "数据导入"
        upload(page, sample_workbook)
        # The sample store is built here, on the other core, while the page checks the file.
        sample = request.getfixturevalue("sample_db")
        expected_slices = {
            (SHEETS_BY_KEY[sheet].name, period or NO_PERIOD): rows for (sheet, period), (_, _, rows) in _slice_state(sample).items()
        }
        first_month = min(p for (_, p) in _slice_state(sample) if len(p) == 7)
        first = query.figures(sample, query.month_end(first_month), keys=PREVIEW_KEYS).values
        tab.after(PREVIEWED, SLOW)
        assert not alert_texts(page, "Error"), alert_texts(page, "Error")
        _no_scope_choice(page)

        # Every (sheet, month) of the workbook, all of it new.
        shown = grid_records(dataframe_with(page, *SLICE_HEADERS))
        got = {(r["表"], r["月份"]): r for r in shown}
        assert len(got) == len(shown), f"a (sheet, month) listed twice: {[(r['表'], r['月份']) for r in shown]}"
        assert set(got) == set(expected_slices), (
            f"missing {sorted(set(expected_slices) - set(got))}, extra {sorted(set(got) - set(expected_slices))}"
        )
        for key, rows in expected_slices.items():
            r = got[key]
            assert [_num(r[h]) for h in SLICE_HEADERS[2:]] == [rows, 0, rows, 0, 0, 0], f"{key}: {r}"

        # The figures that would change start with the first month's district figures, from nothing.
        expected_first = [
            (first_month, DISTRICT, figure(k).label, 0, first[k], first[k]) for k in PREVIEW_KEYS if first[k] not in (0, None)
        ]
        assert expected_first, f"no figures as of {first_month} in the sample"
        changes = grid_records(dataframe_with(page, *CHANGE_HEADERS), limit=len(expected_first))
        assert len(changes) == len(expected_first), changes
        for want, row in zip(expected_first, changes):
            assert (row["月份"], row["乡镇"], row["指标"]) == want[:3], (want, row)
            assert _shown_as(row, want[2], want[3], want[4]), (want, row)

        # Nothing written before confirmation.
        assert history(engine) == []
        assert _slice_state(engine) == {}

        assert _confirm_button(page).is_enabled()
        log_id = _confirm_import(tab)
        tab.assert_clean()
    finally:
        context.close()

    entries = history(engine)
    assert [(e["id"], e["kind"], e["created_by"], e["filename"]) for e in entries] == [
        (log_id, "import", USER, Path(sample_workbook).name)
    ]
    mine, theirs = _slice_state(engine), _slice_state(sample)
    assert {k: v[1:] for k, v in mine.items()} == {k: v[1:] for k, v in theirs.items()}, "slices differ from the core's import"
    months = sorted({p for (_, p) in theirs if len(p) == 7})
    for as_of in _month_ends(months):
        a, b = query.figures(engine, as_of).values, query.figures(sample, as_of).values
        diff = {k: (a[k], b[k]) for k in b if a.get(k) != b[k]}
        assert not diff, f"as of {as_of}, uploaded through the page vs the core's import: {diff}"


# ---------------------------------------------------------------- 2. a corrected month of one township


def _cell(column, value):
    """A stored value as a clerk would type it into the workbook."""
    if value is None:
        return None
    if column.kind == "yesno":
        yes, no = column.values or YES_NO
        return yes if value else no
    if column.kind == "money":  # stored in fen, written in yuan
        return value / 100
    return value


def corrected_workbook(engine, path: Path, *, township: str, month: str, n: int, only_township: bool = False):
    """The whole district's stored labourer rows of ``month`` as a workbook (or, with
    ``only_township``, that township's rows: its own monthly workbook), with the first
    ``n`` unemployed poor labourers of ``township`` now employed. Returns the path, the
    number of rows and the changed ID numbers."""
    spec, table = SHEETS_BY_KEY["labor"], DATA["labor"]
    with engine.connect() as conn:
        stmt = select(table).where(table.c.period == month, table.c.is_current).order_by(table.c.source_row, table.c.row_id)
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
    changed = []
    for r in rows:
        if len(changed) < n and r["township"] == township and r["employed"] == "未就业" and r["is_poor"]:
            r |= {
                "employed": "已就业", "mode": "外出务工", "work_area": "省外", "work_place": "广东省东莞市",
                "employer": "东莞市宏达电子有限公司", "work_months": 1, "monthly_income": 350_000,
            }
            changed.append(r["id_number"])
    assert len(changed) == n, f"only {len(changed)} unemployed poor labourers in {township} {month}"
    if only_township:
        rows = [r for r in rows if r["township"] == township]
    sheet = [[c.header for c in spec.columns]] + [[_cell(c, r[c.key]) for c in spec.columns] for r in rows]
    return write_workbook(path, {spec.name: sheet}), len(rows), changed


LABOR_KEYS = ["labor.total", "labor.employed", "labor.unemployed", "labor.poor_employed"]
# What five unemployed poor labourers finding work outside the province moves.
MOVES = {
    "labor.employed": +N_CHANGED,
    "labor.unemployed": -N_CHANGED,
    "labor.poor_employed": +N_CHANGED,
    "labor.poor_unemployed": -N_CHANGED,
    "labor.mode.外出务工": +N_CHANGED,
    "labor.area.省外": +N_CHANGED,
    "labor.total": 0,
    "labor.poor": 0,
}
# Figures of the labourer sheet (and households, incomes and rates derived from it)
# may move; no other sheet's may.
LABOR_DERIVED = ("labor.", "households.", "income.")

_CORRECTION: dict = {}


def _state_of(engine, as_of):
    return {
        "figures": query.figures(engine, as_of).values,
        "towns": query.breakdown(engine, LABOR_KEYS, as_of).to_dict("records"),
        "slices": _slice_state(engine),
    }


def _correct_through_the_page(browser, server, engine, folder: Path) -> dict:
    """Upload the corrected month, check the preview and that nothing is written, confirm.
    Done once per module; the restore test uses what it recorded."""
    if _CORRECTION:
        return _CORRECTION
    as_of = query.month_end(MONTH)
    path, n_rows, changed = corrected_workbook(engine, folder / f"{TOWN}{MONTH}更正.xlsx", township=TOWN, month=MONTH, n=N_CHANGED)
    before = _state_of(engine, as_of)
    before_snapshot = snapshot(engine)
    earlier = query.figures(engine, query.month_end("2020-08")).values
    district = query.figures(engine, as_of, keys=PREVIEW_KEYS).values
    town = query.figures(engine, as_of, township=TOWN, keys=PREVIEW_KEYS).values

    context, tab = _tab(browser, server)
    try:
        page = tab.open(path_of("intake"))
        assert _confirm_button(page).count() == 0, "确认导入 shown before any file"
        upload(page, path)
        tab.after(PREVIEWED, SLOW)
        assert not alert_texts(page, "Error"), alert_texts(page, "Error")
        _no_scope_choice(page)

        # One slice: the labourer sheet of the month, five rows corrected, nothing added or removed.
        shown = grid_records(dataframe_with(page, *SLICE_HEADERS))
        assert [(r["表"], r["月份"]) for r in shown] == [(LABOR, MONTH)], shown
        counts = {h: _num(shown[0][h]) for h in SLICE_HEADERS[2:]}
        assert counts == {"文件行数": n_rows, "现有行数": n_rows, "新增": 0, "修改": N_CHANGED, "删除": 0, "不变": n_rows - N_CHANGED}, counts

        # The changed figures: the district and 庆远镇 only, each by exactly five.
        expected = [
            (MONTH, where, figure(k).label, values[k], values[k] + MOVES[k], MOVES[k])
            for where, values in ((DISTRICT, district), (TOWN, town))
            for k in PREVIEW_KEYS
            if MOVES.get(k)
        ]
        rows = grid_records(dataframe_with(page, *CHANGE_HEADERS))
        got = [tuple(r[h] for h in CHANGE_HEADERS) for r in rows]
        assert {r["乡镇"] for r in rows} == {DISTRICT, TOWN}, f"other townships' figures change: {got}"
        assert len(rows) == len(expected), f"expected {expected}, shown {got}"
        for want, row in zip(expected, rows):
            assert (row["月份"], row["乡镇"], row["指标"]) == want[:3], (want, row)
            assert _shown_as(row, want[2], want[3], want[4]), (want, row)

        # A preview writes nothing.
        assert snapshot(engine) == before_snapshot, "the store changed before 确认导入"
        assert snapshot(engine) == before_snapshot, "the store changed before 确认导入"
        log_id = _confirm_import(tab)
        tab.assert_clean()
    finally:
        context.close()
    _CORRECTION.update(
        log_id=log_id, before=before, before_history=before_snapshot[1], earlier=earlier,
        filename=path.name, n_rows=n_rows, changed=changed,
    )
    return _CORRECTION


def test_corrected_month_of_one_township_previews_then_applies(browser, copy_server, store_copy, tmp_path_factory):
    engine = store_copy[1]
    done = _correct_through_the_page(browser, copy_server, engine, tmp_path_factory.mktemp("correction"))
    as_of = query.month_end(MONTH)

    entries = history(engine)
    assert len(entries) == len(done["before_history"]) + 1
    newest = entries[0]
    assert (newest["id"], newest["kind"], newest["created_by"], newest["filename"]) == (done["log_id"], "import", USER, done["filename"])
    assert newest["row_counts"] == {"labor": {MONTH: done["n_rows"]}}

    before, after = done["before"]["figures"], query.figures(engine, as_of).values
    for key, move in MOVES.items():
        assert after[key] == before[key] + move, f"{key}: {before[key]} → {after[key]}, expected a change of {move}"
    others = {k: (before[k], after[k]) for k in before if not k.startswith(LABOR_DERIVED) and before[k] != after[k]}
    assert not others, f"figures of other sheets changed: {others}"

    towns_before = {r["township"]: r for r in done["before"]["towns"]}
    for r in query.breakdown(engine, LABOR_KEYS, as_of).to_dict("records"):
        was = towns_before[r["township"]]
        if r["township"] == TOWN:
            assert {k: r[k] - was[k] for k in LABOR_KEYS} == {k: MOVES[k] for k in LABOR_KEYS}, (was, r)
        else:
            assert r == was, f"{r['township']} changed: {was} → {r}"
    assert query.figures(engine, query.month_end("2020-08")).values == done["earlier"], "August changed"
    with engine.connect() as conn:
        t = DATA["labor"]
        stored = {
            r.id_number: (r.employed, r.mode, r.monthly_income)
            for r in conn.execute(select(t).where(t.c.period == MONTH, t.c.is_current, t.c.id_number.in_(done["changed"])))
        }
    assert stored == {i: ("已就业", "外出务工", 350_000) for i in done["changed"]}


# ---------------------------------------------------------------- 3. restore


def test_restore_before_the_correction_brings_back_every_figure(browser, copy_server, store_copy, tmp_path_factory):
    engine = store_copy[1]
    done = _correct_through_the_page(browser, copy_server, engine, tmp_path_factory.mktemp("correction"))
    log_id, as_of = done["log_id"], query.month_end(MONTH)
    assert _state_of(engine, as_of) != done["before"], "the correction is not in the store"
    n_entries = len(history(engine))

    context, tab = _tab(browser, copy_server)
    try:
        page = tab.open("/history")
        target = page.locator('.st-key-history_target [data-testid="stSelectbox"]')
        target.click()
        page.get_by_role("option", name=f"#{log_id}", exact=True).click()
        tab.ready()
        page.locator(".st-key-history_when").get_by_text("该记录之前的状态", exact=True).click()
        tab.ready()
        _fill(tab, "恢复原因（必填）", "核对后退回更正前")
        assert history(engine)[0]["id"] == log_id, "something was restored before the button"
        page.locator(".st-key-history_restore button").click()
        tab.after(DONE, SLOW)
        restore_id = _success_id(tab, r"已恢复（记录号 (\d+)）")

        # A fresh look at the page lists the restore first.
        tab.open("/history")
        first = grid_records(dataframe_with(page, "记录号", "时间", "操作人", "类型"), limit=1)[0]
        assert (_num(first["记录号"]), first["类型"], first["操作人"]) == (restore_id, "恢复", RESTORER), first
        assert f"第{log_id}号记录之前" in first["文件或说明"], first
        tab.assert_clean()
    finally:
        context.close()

    restored = _state_of(engine, as_of)
    diff = {k: (done["before"]["figures"][k], v) for k, v in restored["figures"].items() if v != done["before"]["figures"][k]}
    assert not diff, f"figures as of {as_of} after the restore differ from before the correction: {diff}"
    assert restored["figures"] == done["before"]["figures"]
    assert restored["towns"] == done["before"]["towns"], "township figures differ from before the correction"
    assert restored["slices"] == done["before"]["slices"], "the current slices are not those before the correction"
    entries = history(engine)
    assert len(entries) == n_entries + 1
    assert (entries[0]["id"], entries[0]["kind"], entries[0]["created_by"]) == (restore_id, "restore", RESTORER)
    assert entries[0]["note"] == f"恢复到第{log_id}号记录之前的状态；原因：核对后退回更正前"


# ---------------------------------------------------------------- 4. bad files


@pytest.fixture(scope="module")
def intake_tab(browser, copy_server):
    """One 数据导入 page for all the bad files: each case replaces the previous file."""
    context, t = _tab(browser, copy_server)
    t.open(path_of("intake"))
    yield t
    t.assert_clean()
    context.close()


@pytest.fixture(scope="module")
def unchanged(store_copy):
    """The store as the bad files found it: every case must leave it so."""
    return snapshot(store_copy[1])


def _row_matches(row: dict, want) -> str | None:
    """Why a problems-table row is not the expected error (None when it is): the
    expectation's format is that of tests/test_bad_inputs._check_problems."""
    sheet, line, column, value, fragment = want
    # a file-level problem names the file, the others the sheet (and the file too)
    if sheet is not None and (row["工作表"] or row["文件"]) != sheet:
        return f"sheet {row['工作表']!r} ≠ {sheet!r}"
    shown_line = _num(row["行号"])
    if shown_line != (None if line is None else Decimal(line)):
        return f"row {row['行号']!r} ≠ {line!r}"
    if row["表头"] != column:
        return f"column {row['表头']!r} ≠ {column!r}"
    # the page masks the quoted value as its column says (ledger.access.masking)
    if value is not None and row["值"] != str(mask_value(KIND_OF.get(column, "text"), str(value))):
        return f"value {row['值']!r} ≠ {value!r}"
    if fragment not in row["问题"]:
        return f"message {row['问题']!r} lacks {fragment!r}"
    return None


@pytest.mark.parametrize("name, filename, build, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_file_shows_its_errors_and_changes_nothing(intake_tab, unchanged, store_copy, tmp_path, name, filename, build, expected):
    engine = store_copy[1]
    page = intake_tab.page
    clear_uploads(page)
    # With no file the page stops under the uploader: the last case's results go (stale
    # elements are removed when that run ends).
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stFileChip"]')
                 && !document.querySelector('[data-testid="stMain"] [data-testid="stAlertContentError"]')
                 && !document.querySelector('[data-testid="stMain"] [data-testid="stDataFrame"]')"""
    )
    upload(page, build(tmp_path / filename))
    intake_tab.after(CHECKED, settle=100)

    # Every file reaches the loaders (the uploader takes any type), so even a .docx or a
    # .pdf is explained in Chinese, on the page's problems table.
    errors = alert_texts(page, "Error")
    assert any(e.startswith(f"发现 {len(expected)} 处错误，文件未导入") for e in errors), f"{name}: error boxes {errors}"
    rows = [r for r in grid_records(dataframe_with(page, *PROBLEM_HEADERS)) if r["级别"] == "错误"]
    shown = [tuple(r[h] for h in PROBLEM_HEADERS[1:]) for r in rows]
    assert len(rows) == len(expected), f"{name}: expected {expected}, the page lists {shown}"
    for want, row in zip(expected, rows):
        why = _row_matches(row, want)
        assert why is None, f"{name}: {why}; expected {want}, the page lists {shown}"
    assert page.locator(".st-key-intake_errors_xlsx").count() == 1, f"{name}: no download of the marked workbook"
    assert _confirm_button(page).count() == 0, f"{name}: 确认导入 offered for a bad file"
    assert snapshot(engine) == unchanged, f"{name}: the store changed"


# ---------------------------------------------------------------- 5. a township's own workbook


def test_a_townships_own_workbook_replaces_only_that_township(browser, copy_server, store_copy, tmp_path):
    """庆远镇 sends only its own rows of the month: the page asks how to replace, offers
    keeping the other townships first, previews no removals, and applies just that."""
    engine = store_copy[1]
    as_of = query.month_end(MONTH)
    path, n_rows, _ = corrected_workbook(engine, tmp_path / f"{TOWN}{MONTH}.xlsx", township=TOWN, month=MONTH,
                                         n=N_CHANGED, only_township=True)
    stored = query.figures(engine, as_of, keys=["labor.total"]).values["labor.total"]
    towns_before = {r["township"]: r for r in query.breakdown(engine, LABOR_KEYS, as_of).to_dict("records")}
    assert n_rows == towns_before[TOWN]["labor.total"] < stored

    context, tab = _tab(browser, copy_server)
    try:
        page = tab.open(path_of("intake"))
        upload(page, path)
        tab.after(PREVIEWED, SLOW)
        scope = page.locator(".st-key-intake_scope")
        assert scope.count() == 1, "no choice of how to replace for a one-township file"
        assert scope.locator("input[type=radio]").first.is_checked(), "keeping the other townships is not the default"
        shown = grid_records(dataframe_with(page, *SLICE_HEADERS))
        counts = {h: _num(shown[0][h]) for h in SLICE_HEADERS[2:]}
        assert counts == {"文件行数": n_rows, "现有行数": stored, "新增": 0, "修改": N_CHANGED, "删除": 0,
                          "不变": stored - N_CHANGED}, counts
        assert {r["乡镇"] for r in grid_records(dataframe_with(page, *CHANGE_HEADERS))} == {DISTRICT, TOWN}
        log_id = _confirm_import(tab)
        tab.assert_clean()
    finally:
        context.close()

    assert history(engine)[0]["id"] == log_id and history(engine)[0]["note"].startswith(f"按乡镇替换：{TOWN}")
    for r in query.breakdown(engine, LABOR_KEYS, as_of).to_dict("records"):
        was = towns_before[r["township"]]
        if r["township"] == TOWN:
            assert {k: r[k] - was[k] for k in LABOR_KEYS} == {k: MOVES[k] for k in LABOR_KEYS}, (was, r)
        else:
            assert r == was, f"{r['township']} changed: {was} → {r}"


def test_two_township_workbooks_uploaded_together(browser, copy_server, store_copy, tmp_path):
    """Two townships' own August workbooks in one upload: one preview of both, one
    confirmation, a history entry for each file, and no other township touched."""
    engine = store_copy[1]
    month, towns, n = "2020-08", ("三岔镇", "洛西镇"), 2
    as_of = query.month_end(month)
    paths = [
        corrected_workbook(engine, tmp_path / f"{t}{month}.xlsx", township=t, month=month, n=n, only_township=True)[0]
        for t in towns
    ]
    stored = query.figures(engine, as_of, keys=["labor.total"]).values["labor.total"]
    before = {r["township"]: r for r in query.breakdown(engine, LABOR_KEYS, as_of).to_dict("records")}
    entries_before = len(history(engine))

    context, tab = _tab(browser, copy_server)
    try:
        page = tab.open(path_of("intake"))
        upload(page, *paths)
        tab.after(PREVIEWED, SLOW)
        assert not alert_texts(page, "Error"), alert_texts(page, "Error")
        assert page.locator(".st-key-intake_scope input[type=radio]").first.is_checked()
        shown = grid_records(dataframe_with(page, *SLICE_HEADERS))
        counts = {h: _num(shown[0][h]) for h in SLICE_HEADERS[2:]}
        in_files = before[towns[0]]["labor.total"] + before[towns[1]]["labor.total"]
        assert counts == {"文件行数": in_files, "现有行数": stored, "新增": 0, "修改": 2 * n, "删除": 0,
                          "不变": stored - 2 * n}, counts
        assert {r["乡镇"] for r in grid_records(dataframe_with(page, *CHANGE_HEADERS))} == {DISTRICT, *towns}
        _confirm_button(page).click()
        tab.after(DONE, SLOW)
        done = alert_texts(page, "Success")
        assert any(re.match(r"导入成功（记录号 \d+、\d+）", t) for t in done), done
        tab.assert_clean()
    finally:
        context.close()

    entries = history(engine)
    assert len(entries) == entries_before + 2
    assert [e["filename"] for e in entries[:2]] == [p.name for p in reversed(paths)]
    for r in query.breakdown(engine, LABOR_KEYS, as_of).to_dict("records"):
        was = before[r["township"]]
        if r["township"] in towns:
            assert r["labor.employed"] - was["labor.employed"] == n, (was, r)
        else:
            assert r == was, f"{r['township']} changed: {was} → {r}"
