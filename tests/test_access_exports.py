"""Every export as each role gets it, on the sample ledger: the file's text (every XML
part of the OOXML zip, the CSV's text, the SVG) holds no unmasked 18-digit ID or
11-digit mobile for a 区领导, a 材料员 or the command line; a 乡镇负责人 of 庆远镇
finds no other township's name anywhere in it; and each carries the watermark line
naming the account (命令行 without one).

Two ways in: the export functions with a ``Request`` as ``ui.data.Ledger.run`` binds
it, and the dashboard's own download buttons (AppTest), whose files are made at the
click, outside the page's run, as Streamlit does: each is made, grepped and found in
the audit log."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import replace

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import catalogue
from exports import briefing, images, problems, slides, tables
from ledger.access.roles import FULL, NONE, REVEAL
from ledger.access.scope import ALL, Scope
from ledger.present.caliber import watermark
from ledger.query import request as q
from ledger.query.request import Request
from ledger.store.config import make_engine
from loaders.townships import DEFAULT_TOWNSHIPS
from tests import signing
from tests.conftest import ROOT, copy_store

AS_OF = dt.date(2020, 9, 30)
TOWN = "庆远镇"
ID = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
OTHER_TOWNS = sorted({n for t in DEFAULT_TOWNSHIPS if t.name != TOWN for n in (t.name, *t.aliases)})
NO_CHARTS = (None, "测试中不生成图表")

# role key → (scope, rights) as ui.data.Ledger.bound gives them; None: the command line
ROLES = {
    "leader": (ALL, REVEAL),
    "writer": (ALL, NONE),
    "cli": (ALL, REVEAL),
    "township": (Scope.of(TOWN), FULL),
}
MASKED_ROLES = ["leader", "writer", "cli"]


def ooxml_text(data: bytes) -> str:
    """Every XML part of a docx/pptx/xlsx: what a reader or a search of the file finds."""
    assert data[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels", ".vml")))


def text_of(name: str, data: bytes) -> str:
    if name.endswith((".xlsx", ".docx", ".pptx")):
        return ooxml_text(data)
    if name.endswith(".csv"):
        assert data.startswith(b"\xef\xbb\xbf")
        return data.decode("utf-8-sig")
    return data.decode("utf-8")  # svg


def assert_masked(text: str, what: str) -> None:
    found = ID.search(text) or MOBILE.search(text)
    assert not found, f"{what}: unmasked {found.group()!r}"


def assert_own_township_only(text: str, what: str) -> None:
    others = [t for t in OTHER_TOWNS if t in text]
    assert not others, f"{what} names {others}"


@pytest.fixture(scope="module")
def viewers(sample_db):
    """role → the label its account's files carry (None: the command line)."""
    labels = {"cli": None}
    for role in ("leader", "writer", "township"):
        labels[role] = signing.account(sample_db, role, [TOWN] if role == "township" else None).label
    return labels


def bound(viewers, role: str, township: str | None = None, village: str | None = None) -> Request:
    scope, personal = ROLES[role]
    return Request(AS_OF, township, village, scope=scope, personal=personal, viewer=viewers[role])


def mark_of(request: Request) -> str:
    """The watermark as a file carries it, less the minute (made a moment later)."""
    return watermark(request).rsplit("\u3000", 1)[0] + "\u3000"


@pytest.fixture(scope="module")
def village(sample_db) -> str:
    return q.breakdown(sample_db, Request(AS_OF, TOWN, scope=ALL, personal=FULL), ["labor.total"])["village"].iloc[0]


@pytest.fixture(autouse=True)
def no_chart_images(monkeypatch):
    """The Word and PowerPoint files without their chart pictures (pixels hold no text;
    the pictures have their own tests): each file in a fraction of a second."""
    monkeypatch.setattr(briefing, "images_module", lambda: NO_CHARTS)
    monkeypatch.setattr(slides, "images_module", lambda: NO_CHARTS)


# ---------------------------------------------------------------- the export functions


def _files(sample_db, request: Request, village: str) -> dict[str, bytes]:
    """Every export of the request's account: the briefing, the slides, the main table,
    each catalogue chart's table, and the people list (xlsx, csv) where it may have one."""
    out = {
        "briefing.docx": briefing.briefing_docx(sample_db, request),
        "slides.pptx": slides.slides_pptx(sample_db, request),
        "main.xlsx": tables.breakdown_workbook(sample_db, request, ["labor.total", "labor.poor", "posts.poverty.count"]),
    }
    for town in {request.township, TOWN}:
        at = replace(request, township=town)
        for v in catalogue.VIEWS:
            shown = catalogue.render(v, at, catalogue.rendered(sample_db))
            out[f"chart {v.name} {town}.xlsx"] = tables.xlsx(shown.table, title=shown.title, caliber=shown.caliber,
                                                             watermark=watermark(at))
    if request.personal != NONE:
        listed = replace(request, township=TOWN, village=village)
        out["people.xlsx"] = tables.people_workbook(sample_db, listed, "labor.total")
        out["people.csv"] = tables.csv(q.people(sample_db, listed, "labor.total"), watermark=watermark(listed))
    return out


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_no_unmasked_id_or_phone_in_any_export(sample_db, viewers, village, role):
    request = bound(viewers, role)
    files = _files(sample_db, request, village)
    assert ("people.xlsx" in files) == (role != "writer")
    for name, data in files.items():
        text = text_of(name, data)
        assert_masked(text, f"{role} {name}")
        assert mark_of(request) in text, f"{role} {name}: no watermark"
    if role == "cli":
        assert "导出：命令行" in text_of("main.xlsx", files["main.xlsx"])


def test_the_people_list_is_refused_without_personal_rights(sample_db, viewers, village):
    request = bound(viewers, "writer", TOWN, village)
    with pytest.raises(PermissionError):
        tables.people_workbook(sample_db, request, "labor.total")


def test_a_township_heads_files_name_no_other_township(sample_db, viewers, village):
    request = bound(viewers, "township")
    files = _files(sample_db, request, village)
    files["briefing of the township.docx"] = briefing.briefing_docx(sample_db, replace(request, township=TOWN))
    files["main by village.xlsx"] = tables.breakdown_workbook(sample_db, replace(request, township=TOWN), ["labor.total"])
    # A labourer of 庆远镇 may work in another township: their 务工所在地 names it. That
    # is the head's own person's record, not another township's data; the list's rows
    # are all 庆远镇's, and the rest of the file names no other township.
    listed = q.people(sample_db, replace(request, township=TOWN, village=village), "labor.total")
    assert set(listed["乡镇"]) == {TOWN}
    workplaces = sorted(set(listed["务工所在地"].dropna()), key=len, reverse=True)
    for name, data in files.items():
        text = text_of(name, data)
        if name.startswith("people."):
            for place in workplaces:
                text = text.replace(place, "")
        assert_own_township_only(text, name)
        assert mark_of(request) in text, f"{name}: no watermark"
    # The briefing is the township's (its villages' table), not an empty district's.
    assert f"{TOWN}2020年贫困劳动力稳岗就业工作情况简报" in text_of("b.docx", files["briefing.docx"])
    assert f"附表：{TOWN}各村" in text_of("b.docx", files["briefing.docx"])


@pytest.mark.parametrize("export", ["docx", "pptx", "xlsx", "people"])
def test_another_township_is_refused_not_exported(sample_db, viewers, export):
    request = bound(viewers, "township", "北山镇")
    make = {
        "docx": lambda: briefing.briefing_docx(sample_db, request),
        "pptx": lambda: slides.slides_pptx(sample_db, request),
        "xlsx": lambda: tables.breakdown_workbook(sample_db, request, ["labor.total"]),
        "people": lambda: tables.people_workbook(sample_db, request, "labor.total"),
    }[export]
    with pytest.raises(PermissionError):
        make()


def test_every_slide_and_the_briefings_footer_carry_the_watermark(sample_db, viewers):
    request = bound(viewers, "leader")
    with zipfile.ZipFile(io.BytesIO(slides.slides_pptx(sample_db, request))) as z:
        parts = [n for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        assert len(parts) == 8
        assert all(mark_of(request) in z.read(n).decode() for n in parts)
    with zipfile.ZipFile(io.BytesIO(briefing.briefing_docx(sample_db, request))) as z:
        footers = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
        assert any(mark_of(request) in f for f in footers)


def test_district_figures_are_unchanged_by_the_binding(sample_db):
    """The whole district with full rights: the briefing says what the unbound figures say."""
    from ledger import query

    flat = "".join(p for _, ps in briefing.briefing_text(sample_db, Request(AS_OF, scope=ALL, personal=FULL)) for p in ps)
    v = query.figures(sample_db, AS_OF).values
    assert f"共摸排劳动力{v['labor.total']}人" in flat
    assert "岗位信息41239条" in flat  # the district-wide demand sheet, for a district viewer


# ---------------------------------------------------------------- problems workbook, images


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory):
    """A labour sheet whose rows carry IDs (one with a wrong check digit), phones in
    备注 and a status that is not allowed."""
    from loaders import load
    from tests.fixtures_ledger import LABOR_HEADER, ids, labor_row, with_wrong_check, write_workbook

    people = ids(6, start=301)
    rows = [LABOR_HEADER + ["联系电话", "备注"]] + [
        labor_row("2020-09", TOWN, "城东村", f"覃某{i}", n) + [f"1391234{5600 + i}", f"家属电话1380000{1000 + i}，证件{n}"]
        for i, n in enumerate(people)
    ]
    rows[1][4] = with_wrong_check(people[0])
    rows[2][6] = "不知道"
    rows[3][10] = "13812345678"[:10]  # a phone one digit short
    path = write_workbook(tmp_path_factory.mktemp("bad") / "有错.xlsx", {"劳动力就业台账": rows})
    result = load(path)
    assert not result.ok
    return result, path


@pytest.mark.parametrize("role", MASKED_ROLES + ["township"])
def test_problems_workbook_is_masked_and_watermarked(bad_file, viewers, role):
    result, path = bad_file
    request = bound(viewers, role)
    data = problems.errors_workbook(result, {path.name: path.read_bytes()}, watermark=watermark(request))
    text = ooxml_text(data)
    assert_masked(text, "problems workbook")
    assert mark_of(request) in text
    assert "覃某0" not in text and "覃**" in text


def test_intake_problem_table_is_masked(bad_file):
    """What the 数据导入 page shows (``ledger.intake.masked`` over the loaders' problems)."""
    from ledger.intake import masked

    result, _ = bad_file
    raw = "\n".join(f"{p.value} {p.message} {p.said}" for p in result.problems)
    assert ID.search(raw), "the loaders quote the bad ID: the test would catch a leak"
    shown = masked(result.problems)
    assert len(shown) == len(result.problems)
    assert_masked("\n".join(f"{p.value} {p.message} {p.said} {p.where}" for p in shown), "problem table")


@pytest.mark.skipif(images.available() is not None, reason=images.available() or "")
def test_chart_svg_caption_carries_the_watermark(sample_db, viewers):
    import xml.etree.ElementTree as ET

    request = bound(viewers, "township")
    shown = catalogue.render(catalogue.view("employment_rate_by_place"), request, catalogue.rendered(sample_db))
    text = "".join(ET.fromstring(images.svg(shown.figure, caption=shown.caliber, watermark=watermark(request))).itertext())
    assert shown.caliber in text and mark_of(request) in text
    assert_own_township_only(text, "svg")
    assert_masked(text, "svg")


# ---------------------------------------------------------------- the dashboard's buttons


@pytest.fixture
def own_store(sample_db, tmp_path, monkeypatch):
    copy_store(sample_db, tmp_path / "copy.db")
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    monkeypatch.setenv("LEDGER_DB_URL", url)
    st.cache_data.clear()
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def deferred(monkeypatch):
    """The download buttons' file makers (file name → callable), as Streamlit keeps them
    to run at the click."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made = {}
    real = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made


def _page(path: str, engine, role: str, **params) -> AppTest:
    app = AppTest.from_file(str(ROOT / path), default_timeout=120)
    signing.sign_in(app, engine, role, [TOWN] if role == "township" else None)
    for k, v in params.items():
        app.query_params[k] = v
    app.run()
    assert not app.exception, app.exception
    return app


def _made(deferred: dict, *, images_too: bool = False) -> dict[str, bytes]:
    """Each file the page offers, made as at the click (images only when asked: each
    needs Chromium)."""
    out = {}
    for name, make in deferred.items():
        if name.endswith((".png", ".svg")) and not images_too:
            continue
        out[name] = make()
    return out


@pytest.mark.parametrize("role", ["leader", "writer", "township"])
def test_the_dashboards_downloads_as_each_role(own_store, deferred, role):
    from ledger.access.audit import entries

    label = signing.account(own_store, role, [TOWN] if role == "township" else None).label
    for path, params in [("pages/overview.py", {}), ("pages/reports.py", {}), ("pages/training.py", {"township": TOWN})]:
        deferred.clear()
        _page(path, own_store, role, **params)
        files = _made(deferred)
        wanted = {"pages/reports.py": {"docx", "pptx", "xlsx"}}.get(path, {"xlsx", "csv"})
        assert wanted <= {n.rsplit(".", 1)[-1] for n in files}, (path, sorted(files))
        for name, data in files.items():
            text = text_of(name, data)
            if role != "township":
                assert_masked(text, f"{role} {path} {name}")
            else:
                assert_own_township_only(text, f"{path} {name}")
            assert f"导出：{label}" in text, f"{path} {name}: no watermark"
        logged = set(entries(own_store, login=signing.account(own_store, role, [TOWN] if role == "township" else None).login,
                             actions=["export"])["对象"])
        assert set(files) <= logged, set(files) - logged


def test_a_leaders_people_list_download_is_masked(own_store, deferred, sample_db, village):
    _page("pages/overview.py", own_store, "leader", township=TOWN, village=village)
    lists = {n: d for n, d in _made(deferred).items() if "名单" in n}
    assert any(n.endswith(".csv") for n in lists) and any(n.endswith(".xlsx") for n in lists)
    for name, data in lists.items():
        text = text_of(name, data)
        assert_masked(text, name)
        assert "*" in text


def test_a_crafted_url_gives_a_township_head_no_other_township(own_store, deferred):
    """?township=北山镇: the page falls back, or the file is refused; never 北山镇's figures."""
    _page("pages/reports.py", own_store, "township", township="北山镇")
    for name, make in deferred.items():
        try:
            data = make()
        except PermissionError:
            continue
        assert_own_township_only(text_of(name, data), name)


def test_a_download_after_logout_makes_no_file(own_store, deferred):
    from ledger.access import accounts
    from ui.auth import TOKEN

    app = _page("pages/overview.py", own_store, "leader")
    accounts.close_session(own_store, app.session_state[TOKEN])
    name, make = next((n, m) for n, m in deferred.items() if n.endswith(".xlsx"))
    with pytest.raises(PermissionError):
        make()


def test_csv_download_has_the_watermark_as_its_first_line(own_store, deferred):
    _page("pages/overview.py", own_store, "writer")
    name, make = next((n, m) for n, m in deferred.items() if n.endswith(".csv"))
    data = make()
    first, *rest = data.decode("utf-8-sig").splitlines()
    label = signing.account(own_store, "writer").label
    assert first.startswith(f'"导出：{label}') and first.count('"') == 2
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=1).shape[0] > 0
