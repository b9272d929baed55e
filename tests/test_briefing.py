"""The briefing (简报) and the slide pack: every figure of the district's report in its
wording, zero figures dropped, the docx/pptx as the district prints them, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys

import pytest

from exports import briefing as B
from exports.briefing import briefing_docx, briefing_text
from ledger.access.roles import FULL
from ledger.access.scope import ALL
from ledger.present.format import REPORT, wan
from ledger.query.request import Request
from tests.conftest import ROOT, SEED_FIGURES

AS_OF = dt.date(2020, 9, 30)
# The district's office: the whole district, people as written (the golden figures).
DISTRICT = Request(AS_OF, scope=ALL, personal=FULL)


def _township(town: str) -> Request:
    """A township's briefing made by the district's office (its scope is the district)."""
    return Request(AS_OF, town, scope=ALL, personal=FULL)
ZERO = re.compile(r"(?<![\d.])0(?:\.0+)?(?:万元|人次|人|家|个|条|期|批次|%)")
CI = os.environ.get("CI") == "true"


def _flat(sections) -> str:
    return "\n".join([h for h, _ in sections] + [p for _, ps in sections for p in ps])


def _charts_reason() -> str | None:
    """None when exports.images can render charts, else why not."""
    images, reason = B.images_module()
    return None if images is not None else reason


def _need_charts():
    reason = _charts_reason()
    if reason is not None:
        if CI:
            pytest.fail(f"charts must render under CI=true: {reason}")
        pytest.skip(f"charts unavailable: {reason}")


@pytest.fixture(scope="module")
def text(sample_db):
    return briefing_text(sample_db, DISTRICT)


@pytest.fixture(scope="module")
def docx_bytes(sample_db):
    return briefing_docx(sample_db, DISTRICT)


def _expected(key: str, value, unit: str) -> str:
    return f"{wan(value, REPORT)}万元" if unit == "元" else f"{value}{unit}"


# --- wan_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "yuan, shown",
    [(28900, "2.89"), (313000, "31.3"), (22180, "2.218"), (2994000, "299.4"), (1950600, "195.06"),
     (100000, "10"), (10000, "1"), (0, "0"), ("7122280.00", "712.228"), (12345.6, "1.23456")],
)
def test_wan_text(yuan, shown):
    assert wan(yuan, REPORT) == shown


# --- The text ------------------------------------------------------------------------


def test_text_has_the_title_and_the_five_sections(text):
    assert text[0][0] == "宜州区2020年贫困劳动力稳岗就业工作情况简报（截至9月底）"
    headings = [h for h, _ in text[1:]]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、"]
    for word in ("组织", "底数摸排", "政策补贴", "公益岗位", "技能培训"):
        assert any(word in h for h in headings), word


def test_text_states_every_figure_of_the_report(text, seed_figures):
    units = {k: v["unit"] for k, v in json.loads(SEED_FIGURES.read_text())["figures"].items()}
    flat = _flat(text)
    missing = [(k, _expected(k, v, units[k])) for k, v in seed_figures.items() if _expected(k, v, units[k]) not in flat]
    assert not missing, missing
    # The report's own wording for some of them.
    for phrase in ("岗位信息41239条", "区内外用工企业717家", "其中建档立卡贫困劳动力366人", "30批次共计4336人",
                   "扶贫公益性岗位377个，审核发放补贴299.4万元", "补助资金2.218万元", "职业培训班52期"):
        assert phrase in flat, phrase


def test_text_never_prints_a_zero(text):
    flat = _flat(text)
    assert not ZERO.search(flat), ZERO.search(flat)
    assert "0万元" not in re.sub(r"\d+0万元", "", flat)
    assert " 0人" not in flat


def test_township_briefing_is_restricted_and_says_demand_is_district_wide(sample_db):
    from ledger.query.statements import figures

    town = "庆远镇"
    sections = briefing_text(sample_db, _township(town))
    flat = _flat(sections)
    assert sections[0][0].startswith(town)
    v = figures(sample_db, AS_OF, township=town).values
    assert f"劳动力{v['labor.total']}人" in flat
    assert f"在岗人员{v['workshops.on_duty']}人" in flat
    assert "全区统一" in flat and "岗位信息41239条" in flat
    assert not ZERO.search(flat)


def test_township_head_briefing_drops_the_district_wide_demand(sample_db):
    """A 乡镇负责人's scope holds no district-wide rows: the demand sentence goes, not a 0."""
    from ledger.access.scope import Scope

    town = "庆远镇"
    flat = _flat(briefing_text(sample_db, Request(AS_OF, scope=Scope.of(town), personal=FULL)))
    assert flat == _flat(briefing_text(sample_db, Request(AS_OF, town, scope=Scope.of(town), personal=FULL)))
    assert flat.startswith(town) and "全区统一" not in flat and "岗位信息" not in flat
    assert not ZERO.search(flat)
    with pytest.raises(PermissionError):
        briefing_text(sample_db, Request(AS_OF, "北山镇", scope=Scope.of(town), personal=FULL))


def test_a_zero_figure_drops_its_sentence(sample_db, monkeypatch):
    real = B.q.figures
    zeroed = {"workshops.count", "workshops.on_duty", "workshops.poor_absorbed", "subsidy.flexible_social_insurance",
              "transport.batches", "posts.temporary.count", "posts.temporary.subsidy", "training.rural_practical.amount"}

    def fake(*args, **kw):
        fs = real(*args, **kw)
        fs.values = {k: (0 if k in zeroed else v) for k, v in fs.values.items()}
        return fs

    monkeypatch.setattr(B.q, "figures", fake)
    flat = _flat(briefing_text(sample_db, DISTRICT))
    assert not ZERO.search(flat), ZERO.search(flat)
    assert "扶贫车间已复工" not in flat and "在岗人员" not in flat
    assert "灵活就业社保补贴" not in flat
    assert "临时性公益岗位" not in flat
    # The clause without batches keeps the people; the rest of the sentence stays.
    assert "输送区内外返工农民工4336人" in flat and "批次" not in flat
    assert "培训人数486人" in flat and "2.218万元" not in flat
    assert "企业吸纳建档立卡贫困家庭劳动力就业补贴2.89万元" in flat


def test_a_tiny_store_says_only_what_it_holds(sqlite_engine, tmp_path):
    from ledger.store.imports import read_and_import
    from tests.fixtures_ledger import small_workbook

    outcome = read_and_import(sqlite_engine, small_workbook(tmp_path / "small.xlsx"), user="pytest")
    assert outcome.ok
    sections = briefing_text(sqlite_engine, DISTRICT)
    flat = _flat(sections)
    assert not ZERO.search(flat), ZERO.search(flat)
    assert "共摸排劳动力3人" in flat
    assert "共有1家扶贫车间已复工，在岗人员20人，吸纳贫困劳动力就业5人" in flat
    assert "1批次共计30人，其中建档立卡贫困劳动力4人" in flat
    assert "万元" not in flat
    assert "岗位信息" not in flat and "培训班" not in flat
    assert len(sections) == 6
    data = briefing_docx(sqlite_engine, DISTRICT)
    assert data[:2] == b"PK"


# --- The docx -------------------------------------------------------------------------


def _doc(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


def test_docx_holds_the_text(text, docx_bytes):
    doc = _doc(docx_bytes)
    paragraphs = [p.text for p in doc.paragraphs]
    for heading, ps in text:
        assert heading in paragraphs
        for p in ps:
            assert p in paragraphs


def test_docx_fonts_page_and_margins(docx_bytes):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = _doc(docx_bytes)
    normal = doc.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) in ("仿宋", "仿宋_GB2312")
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.first_line_indent == Pt(32)
    title = doc.styles["简报标题"]
    assert title.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体" and title.font.bold
    assert doc.styles["简报一级标题"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    s = doc.sections[0]
    got = [round(x.mm, 1) for x in (s.page_width, s.page_height, s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)]
    assert got == [210, 297, 37, 35, 28, 26]  # A4, GB/T 9704 margins (stored in twips)
    # Runs written by the briefing carry the East Asian font too.
    cell_run = doc.tables[0].cell(1, 0).paragraphs[0].runs[0]
    assert cell_run._r.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_table_total_is_the_district(sample_db, docx_bytes):
    from ledger.query.statements import figures

    v = figures(sample_db, AS_OF, keys=B.TABLE_KEYS).values
    table = _doc(docx_bytes).tables[-1]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0][0] == "乡镇" and rows[-1][0] == "合计"
    assert rows[-1][1] == str(v["labor.total"])
    assert rows[-1][3] == str(v["labor.employment_rate"])
    assert sum(int(r[1]) for r in rows[1:-1]) == v["labor.total"]
    assert sum(int(r[2]) for r in rows[1:-1]) == v["labor.employed"]
    assert len(rows) >= 17  # 16 townships + 合计


def test_docx_has_the_charts(docx_bytes):
    _need_charts()
    assert len(_doc(docx_bytes).inline_shapes) >= 3


def test_docx_notes_missing_charts(sample_db, monkeypatch):
    monkeypatch.setattr(B, "images_module", lambda: (None, "测试：无浏览器"))
    doc = _doc(briefing_docx(sample_db, DISTRICT))
    assert len(doc.inline_shapes) == 0
    assert any("未附图表" in p.text for p in doc.paragraphs)


# --- The slides -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pptx_bytes(sample_db):
    from exports.slides import slides_pptx

    return slides_pptx(sample_db, DISTRICT)


def test_pptx_has_a_title_and_one_slide_per_area(pptx_bytes, seed_figures):
    from pptx import Presentation

    prs = Presentation(io.BytesIO(pptx_bytes))
    assert len(prs.slides) == 8
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    texts = ["\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    assert "宜州区" in texts[0]
    for area, t in zip(("就业", "收入", "补贴", "培训", "扶贫车间", "公益性岗位", "用工需求"), texts[1:]):
        assert area in t, (area, t)
    flat = "\n".join(texts)
    for key in ("demand.postings", "workshops.on_duty", "posts.poverty.subsidy", "transport.batches"):
        assert B.figure_text(key, seed_figures[key]) in flat, key
    assert 'typeface="' in "".join(
        __import__("lxml.etree", fromlist=["tostring"]).tostring(s.shapes._spTree, encoding="unicode") for s in prs.slides
    )


def test_pptx_has_pictures(pptx_bytes):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    _need_charts()
    prs = Presentation(io.BytesIO(pptx_bytes))
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) >= 7


# --- The CLI --------------------------------------------------------------------------


def _cli(sample_db, *args, cwd=ROOT):
    """The command line as a 材料员 (the sample store has accounts: --user and its password)."""
    from tests.signing import PASSWORD, account

    user = ["--user", account(sample_db, "writer").login]
    return subprocess.run([sys.executable, "-m", "ledger", *args, *user], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, LEDGER_PASSWORD=PASSWORD))


# The CLI builds from a Request bound to the account: briefing_docx(engine, request).
_NEW_EXPORTS = list(__import__("inspect").signature(briefing_docx).parameters)[1:2] == ["request"]


@pytest.mark.skipif(not _NEW_EXPORTS, reason="exports still take (engine, as_of, township=)")
def test_cli_writes_a_docx(sample_db, tmp_path):
    url = sample_db.url.render_as_string(hide_password=False)
    out = tmp_path / "简报.docx"
    done = _cli(sample_db, "briefing", "--as-of", "2020-09-30", "--out", str(out), "--db", url)
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout
    doc = _doc(out.read_bytes())
    assert doc.paragraphs[0].text == "宜州区2020年贫困劳动力稳岗就业工作情况简报（截至9月底）"


def test_cli_unknown_township(sample_db, tmp_path):
    url = sample_db.url.render_as_string(hide_password=False)
    done = _cli(sample_db, "briefing", "--as-of", "2020-09-30", "--township", "不存在镇", "--out", str(tmp_path / "x.docx"),
                "--db", url)
    assert done.returncode == 2
    assert "未知乡镇" in done.stderr
    assert not (tmp_path / "x.docx").exists()
