"""Data is never markup: names from a workbook, the URL or a form are shown as text by
Streamlit (``ui.text.plain``), in plotly and ECharts figures (``charts.chart_text``),
in Word and PowerPoint files (``exports.briefing.xml_text``), and CSV cells that Excel
would run as formulas are made text (``exports.tables.inert``).

The browser proves the same on the running dashboard: tests/test_browser_markup.py.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pandas as pd
import pytest

from charts import (
    category_bar,
    chart_text,
    grouped_bar,
    options,
    progress_bar,
    projector_ranking,
    ranked_bar,
    workshop_lines,
)
from tests.fixtures_ledger import MARKUP_TOWN, MARKUP_USER, MARKUP_VILLAGE, MARKUP_WORKSHOP, markup_store
from ui.text import plain

HOSTILE = [
    MARKUP_TOWN,
    MARKUP_VILLAGE,
    MARKUP_USER,
    "[link](http://127.0.0.2/) <b>b</b> &lt;amp&gt;",
    ":red[红] :blue-background[蓝] :material/home: :smile: :streamlit:",
    "$x^2$ $$y$$",
    "`code` ~~del~~ **bold** _it_ | a | b | \\*",
    "www.example.com a@b.com <https://127.0.0.2/auto>",
    "1. one",
    "- dash",
    "+ plus",
    "# head",
    "> quote",
    "line\n# heading\r\n= setext",
]
JOIN = "\u2060"
PUNCT = re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _unescaped(markdown: str) -> str:
    """What CommonMark makes of backslash escapes: the text a reader is shown (the word
    joiners, invisible, left in)."""
    return re.sub(rf"\\([{PUNCT}])", r"\1", markdown)


# ---------------------------------------------------------------- ui.text.plain


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_shows_the_text_itself(text):
    shown = _unescaped(plain(text)).replace(JOIN, "")
    assert shown == re.sub(r"[\r\n]+", " ", text)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_leaves_no_markdown_character_unescaped(text):
    out = plain(text)
    # Every character Markdown or Streamlit reads is escaped, and no line starts a block.
    bare = re.sub(r"\\.", "", out)
    assert not re.search(r"[\\`*_~#|\[\](){}<>!:$&+\-=^@]", bare), out
    assert "\n" not in out and "\r" not in out
    assert not re.match(r"\s*\d+\.", out)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_breaks_the_codes_streamlit_finds_after_parsing(text):
    """Emoji and icon codes and bare links are found in the parsed text, where the
    escapes are gone: none may be left there."""
    parsed = _unescaped(plain(text))
    assert not re.search(r":[\w/+-]+:", parsed), parsed  # :material/home:, :smile:
    assert "://" not in parsed and not re.search(r"(?i)www\.", parsed)
    assert not re.search(r"\w@\w", parsed)


def test_plain_keeps_ordinary_names_and_numbers():
    for text in ("庆远镇", "福龙瑶族乡", "宜州区 庆远镇 拉浪村 劳动力名单（1,234人）", "2.89万元", "88.51%", "（未分村）"):
        assert plain(text) == text
    assert plain(None) == ""
    assert plain("a\x00b\x1fc") == "a b c"


def test_there_is_one_markdown_helper():
    """Pages and ui/ escape through ui.text.plain only: no second helper grows beside it."""
    from tests.conftest import ROOT

    for path in [*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        if path.name == "text.py":
            continue
        body = path.read_text(encoding="utf-8")
        assert not re.search(r"def \w*(escape|plain)\w*\(", body), f"{path.name} defines its own escaping"


# ---------------------------------------------------------------- charts


#: Names plotly would read as HTML (a Markdown name is plain text to plotly).
NAMES = [MARKUP_TOWN, "三岔镇", MARKUP_WORKSHOP]


def _rows(category="township"):
    return pd.DataFrame({category: NAMES, "v": [30, 20, 10]})


def _without_data(obj):
    """The figure's JSON without the fields that hold data rather than shown text: x, y,
    tickvals and the bars' customdata[0] (the real name a click reads)."""
    if isinstance(obj, dict):
        out = {k: _without_data(v) for k, v in obj.items() if k not in ("x", "y", "tickvals")}
        if obj.get("type") == "bar" and "customdata" in obj:
            assert "customdata[0]" not in obj.get("hovertemplate", ""), "the hover shows the raw name"
            out["customdata"] = [row[1:] for row in obj["customdata"]]
        return out
    if isinstance(obj, list):
        return [_without_data(v) for v in obj]
    return obj


def _shown_text(fig) -> str:
    return json.dumps(_without_data(json.loads(fig.to_json())), ensure_ascii=False)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ranked_bar(_rows(), "v", title=f"{MARKUP_TOWN}各村就业率", unit="人"),
        lambda: ranked_bar(_rows(), "v", title=f"{MARKUP_TOWN}各村就业率", unit="人", horizontal=True, highlight=MARKUP_TOWN),
        lambda: grouped_bar(_rows("destination"), {"v": "输送人数"}, category="destination", title=f"{MARKUP_TOWN}输送", unit="人"),
        lambda: category_bar(_rows("mode"), "v", category="mode", title=f"{MARKUP_TOWN}就业方式", unit="人"),
        lambda: progress_bar(
            pd.DataFrame({"township": [MARKUP_TOWN, "三岔镇"], "completion": [80, 50], "pace": [70, 60], "indicator": [MARKUP_WORKSHOP] * 2}),
            title=f"各乡镇{MARKUP_WORKSHOP}完成情况",
        ),
        lambda: progress_bar(
            pd.DataFrame({"township": [MARKUP_TOWN, "三岔镇"], "completion": [80, 50], "pace": [70, 60.5]}), title="完成情况"
        ),
        lambda: workshop_lines(
            pd.DataFrame({"name": [MARKUP_TOWN, MARKUP_WORKSHOP], "month": ["2020-09", "2020-09"], "on_duty": [3, 4]}), title=MARKUP_TOWN
        ),
    ],
    ids=["ranked", "ranked-horizontal", "grouped", "category", "progress", "progress-paces", "workshops"],
)
def test_plotly_shows_names_escaped(build):
    fig = build()
    shown = _shown_text(fig)
    assert "<img" not in shown and "<a " not in shown and "<b>" not in shown, "a name reaches plotly's text as HTML"
    assert chart_text(MARKUP_TOWN) in shown


def test_plotly_bars_keep_the_real_names_for_the_click():
    """A click reads x (or customdata[0]) back as the township: the real name, while the
    tick shows its escaped text."""
    fig = ranked_bar(_rows(), "v", title="各乡镇", unit="人")
    bar = fig.data[0]
    assert list(bar.x) == NAMES
    assert [c[0] for c in bar.customdata] == list(bar.x)
    assert "%{hovertext}" in bar.hovertemplate and list(bar.hovertext) == [chart_text(n) for n in NAMES]
    axis = fig.layout.xaxis
    assert list(axis.tickvals) == list(bar.x) and list(axis.ticktext) == [chart_text(n) for n in bar.x]
    assert fig.layout.title.text == "各乡镇"
    plain_names = ranked_bar(pd.DataFrame({"township": ["庆远镇", "三岔镇"], "v": [2, 1]}), "v", title="t", unit="人")
    assert plain_names.layout.xaxis.tickvals is None, "ordinary names keep plotly's own ticks"


def test_chart_text_is_decoded_back_to_the_name():
    """Both plotly and the browser decode these entities: the reader sees the name."""
    for name in (MARKUP_TOWN, MARKUP_WORKSHOP, "{b}：{c} $x$ a&b", "庆远镇"):
        assert html.unescape(chart_text(name)) == name
        assert not re.search(r"[<>{}$]", chart_text(name))


def test_echarts_tooltip_holds_the_name_escaped():
    chart = projector_ranking(_rows(), "v", title="各乡镇就业率排名", unit="人", dark=True)
    spec = options(chart)
    text = json.dumps(spec, ensure_ascii=False)
    data = spec["series"][0]["data"]
    tooltips = [d["tooltip"]["formatter"] for d in data]
    assert tooltips[0] == f"{chart_text(MARKUP_TOWN)}：30 人"
    assert all("<" not in t and "{" not in t for t in tooltips)
    # Drawn on the canvas as plain text (no rich styles): the category axis and the
    # data names keep the real names, which a selection reports.
    assert [d["name"] for d in data] == NAMES
    assert spec["yAxis"][0]["data"] == NAMES
    assert '"rich"' not in text


def test_image_caption_is_escaped():
    from exports.images import prepare

    fig, _ = prepare(ranked_bar(_rows(), "v", title="t", unit="人"), width=800, height=None, caption=f"范围：宜州区 {MARKUP_TOWN}")
    assert fig.layout.annotations[-1].text == f"范围：宜州区 {chart_text(MARKUP_TOWN)}"


# ---------------------------------------------------------------- CSV and xlsx


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_makes_formula_text_inert(start):
    from exports.tables import csv as to_csv

    cell = f"{start}HYPERLINK(\"http://127.0.0.2/\",\"点击\")"
    table = pd.DataFrame({"村": [cell, "拉浪村"], "人数": [-3, 5], "金额（元）": [-1.5, 2.0]})
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["村", "人数", "金额（元）"]
    assert rows[1] == ["'" + cell, "-3", "-1.5"], "text made inert, negative numbers left numbers"
    assert rows[2] == ["拉浪村", "5", "2.0"]


def test_csv_leaves_numbers_in_text_columns_alone_and_checks_headers():
    from exports.tables import csv as to_csv

    table = pd.DataFrame({"=SUM(A1)": ["-3", 4, None], "n": pd.array([-3, None, 2], dtype="Int64")})
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert rows == [["'=SUM(A1)", "n"], ["'-3", "-3"], ["4", ""], ["", "2"]]


def test_xlsx_writes_formula_text_as_text():
    import openpyxl

    from exports.tables import xlsx

    cell = '=HYPERLINK("http://127.0.0.2/","点击")'
    book = openpyxl.load_workbook(io.BytesIO(xlsx(pd.DataFrame({"村": [cell], "人数": [-3]}), title=cell, caliber="@口径")))
    sheet = book.active
    assert (sheet["A4"].value, sheet["A4"].data_type) == (cell, "s")
    assert (sheet["A1"].value, sheet["A1"].data_type) == (cell, "s")
    assert sheet["B4"].value == -3 and sheet["B4"].data_type == "n"


# ---------------------------------------------------------------- Word and PowerPoint


@pytest.fixture(scope="module")
def control_store(tmp_path_factory):
    """Old data whose township and village names carry control characters."""
    engine = markup_store(tmp_path_factory.mktemp("control"), town="庆远\x01镇\x0b", village="城东\x00村\x1f\t")
    yield engine
    engine.dispose()


def test_word_briefing_drops_control_characters(control_store, monkeypatch):
    import datetime as dt

    import docx

    from exports import briefing
    from ledger.access.roles import FULL
    from ledger.access.scope import ALL
    from ledger.query.request import Request

    monkeypatch.setattr(briefing, "render_charts", lambda *a, **k: ([], "测试中不生成图表"))
    data = briefing.briefing_docx(control_store, Request(dt.date(2020, 9, 30), "庆远\x01镇\x0b", scope=ALL, personal=FULL))
    doc = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "庆远镇" in text and "城东村\t" in cells
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text + "".join(cells))


def test_slides_drop_control_characters(control_store, monkeypatch):
    import datetime as dt

    import pptx

    from exports import slides
    from ledger.access.roles import FULL
    from ledger.access.scope import ALL
    from ledger.query.request import Request

    monkeypatch.setattr(slides, "images_module", lambda: (None, "测试中不生成图表"))
    request = Request(dt.date(2020, 9, 30), "庆远\x01镇\x0b", scope=ALL, personal=FULL)
    deck = pptx.Presentation(io.BytesIO(slides.slides_pptx(control_store, request)))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    assert any(t.startswith("庆远镇") for t in texts)
    assert not any("_x00" in t for t in texts)


# ---------------------------------------------------------------- the pages


@pytest.fixture
def markup_app(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT
    from tests.signing import sign_in

    engine = markup_store(tmp_path)
    monkeypatch.setenv("LEDGER_DB_URL", engine.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    sign_in(at, engine, "leader")  # a 区领导 lands on 总览, and may open 月度报送
    yield at
    engine.dispose()


def test_pages_pass_names_through_plain(markup_app):
    at = markup_app
    at.query_params["township"] = MARKUP_TOWN
    at.query_params["village"] = "![y](http://127.0.0.2/y.png)"
    at.run()
    assert not at.exception
    assert at.selectbox(key="overview_township").value == MARKUP_TOWN
    assert [t.value for t in at.toast] == [plain(f"{MARKUP_TOWN}没有链接或所选的村，已返回乡镇")]
    assert plain(f"{MARKUP_TOWN}各村情况") in [s.value for s in at.subheader]
    caliber = next(c.value for c in at.caption if "数据来源：" in c.value)
    assert plain(f"范围：宜州区 {MARKUP_TOWN}，") in caliber
    assert at.button(key="overview_crumb_township").label == "› " + plain(MARKUP_TOWN)
    assert plain(MARKUP_TOWN) in at.info[0].value
    for element in [*at.markdown, *at.caption, *at.subheader, *at.info, *at.toast]:
        assert MARKUP_TOWN not in element.value

    at.switch_page("pages/reported.py").run()
    assert not at.exception
    assert plain(f"由 {MARKUP_USER} 报送") in at.success[0].value
