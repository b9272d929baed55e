"""Names from the data and the URL are shown as text in a real browser: a township named
``<img src=x onerror=alert(1)>`` runs no script on the 大屏 (ECharts tooltip) or any
page, a village named ``![x](http://127.0.0.2/x.png)`` fetches no image, and both
read literally in titles, captions, ticks, toasts and tooltips; a click on such a
village's bar still opens that village.

The loaders refuse such names in a workbook, so the store (fixtures_ledger.markup_store)
is built from a harmless workbook and then renamed with SQL, as old data would be.
Screenshots go to /tmp/markup_*.png.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.browser_helpers import (
    bars,
    click_bar,
    guarded_page,
    headings,
    launch_chromium,
    plotly_chart_titled,
    query,
    select_value,
    start_streamlit,
    stop,
    toast_text,
    x_ticks,
)
from tests.conftest import ROOT
from tests.fixtures_ledger import MARKUP_TOWN as TOWN
from tests.fixtures_ledger import MARKUP_USER as USER
from tests.fixtures_ledger import MARKUP_VILLAGE as VILLAGE
from tests.fixtures_ledger import MARKUP_WORKSHOP as WORKSHOP
from tests.fixtures_ledger import markup_store

SHOTS = "/tmp/markup_{}.png"
JOIN = "\u2060"  # ui.text.plain's invisible word joiner: not part of what a reader sees


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("markup")
    engine = markup_store(folder)
    srv = start_streamlit(ROOT, engine.url.render_as_string(hide_password=False), folder / "server.log")
    yield srv
    stop(srv)
    engine.dispose()


@pytest.fixture(scope="module")
def browser():
    yield from launch_chromium()


class Tab:
    """A guarded page (nothing may leave 127.0.0.1, no st.exception) that also records
    every dialog; ``open`` checks that no name ran or became an element."""

    def __init__(self, guarded):
        self.guarded, self.page, self.dialogs = guarded, guarded.page, []
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str):
        self.guarded.open(path)
        self.check()
        return self.page

    def ready(self):
        self.guarded.ready()
        self.check()

    def check(self):
        self.page.wait_for_timeout(200)  # a late onerror would fire now
        assert not self.dialogs, f"a name ran as script: {self.dialogs}"
        injected = self.page.locator('img[src="x"], [data-testid="stMain"] a[href*="127.0.0.2"]')
        assert injected.count() == 0, f"a name became an element on {self.page.url}"
        self.guarded.assert_clean()


@pytest.fixture
def tab(browser, server):
    context, guarded = guarded_page(browser, server)
    tab = Tab(guarded)
    yield tab
    tab.check()
    context.close()


def _url(path: str, **params: str) -> str:
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


def _text(locator) -> str:
    return " ".join(locator.all_inner_texts()).replace(JOIN, "")


def _toast(page, fragment: str) -> str:
    return toast_text(page, fragment[:3]).replace(JOIN, "")


def test_projector_tooltip_shows_the_name_as_text(tab):
    page = tab.open("/screen")
    chart = page.locator('[data-testid="stMain"] canvas').first
    chart.wait_for()
    box = chart.bounding_box()
    # The top bar (庆远镇 renamed, 100 %), in the grid of charts.echarts.projector_ranking
    # (top 72 px, bottom 24 px, two bars): hovering it shows its HTML tooltip.
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + 72 + (box["height"] - 96) / 4)
    tooltip = page.locator('[data-testid="stMain"] div[style*="z-index: 9999999"]', has_text="100.00%")
    tooltip.wait_for(timeout=5_000)
    assert tooltip.inner_text() == f"{TOWN}：100.00%"
    page.screenshot(path=SHOTS.format("screen"))


def test_township_and_village_read_literally_and_drill(tab):
    page = tab.open(_url("/overview", township=TOWN))
    assert select_value(page, "乡镇") == TOWN
    assert f"{TOWN}各村情况" in [h.replace(JOIN, "") for h in headings(page)]
    caption = _text(page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first)
    assert f"范围：宜州区 {TOWN}，" in caption
    crumbs = [t.replace(JOIN, "") for t in page.locator('[data-testid="stMain"] [data-testid="stButton"] button').all_inner_texts()]
    assert crumbs[:2] == ["全区", f"› {TOWN}"]
    chart, title = plotly_chart_titled(page, "各村就业率")
    assert title.startswith(f"{TOWN}各村"), title
    ticks = x_ticks(chart)
    assert VILLAGE in ticks, ticks
    page.screenshot(path=SHOTS.format("township"))

    assert bars(chart).count() == len(ticks)
    bar = bars(chart).nth(ticks.index(VILLAGE)).bounding_box()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    hover = chart.locator(".hoverlayer .hovertext")
    hover.first.wait_for(timeout=5_000)
    assert VILLAGE in hover.first.text_content(), hover.first.text_content()
    click_bar(page, chart, ticks.index(VILLAGE))
    page.wait_for_url(lambda u: "village=" in u, timeout=30_000)
    tab.ready()
    assert query(page)["village"] == VILLAGE and query(page)["township"] == TOWN
    people = next((h for h in headings(page) if "名单（" in h), "").replace(JOIN, "")
    assert people == f"宜州区 {TOWN} {VILLAGE} 劳动力名单（2人）", headings(page)
    page.screenshot(path=SHOTS.format("village"))


def test_unknown_names_in_the_url_fall_back_with_a_literal_notice(tab):
    page = tab.open(_url("/overview", township="三岔镇", village=VILLAGE))
    # the notices do not repeat what the link said (a crafted link gets nothing echoed back)
    assert "三岔镇没有链接或所选的村" in _toast(page, "三岔镇")
    page.screenshot(path=SHOTS.format("toast_village"))
    other = "![y](http://127.0.0.2/y.png) :red[镇]"
    page = tab.open(_url("/overview", township=other))
    assert "链接中的乡镇不存在" in _toast(page, "链接中")
    assert select_value(page, "乡镇") == "全区"


def test_names_on_the_other_pages(tab):
    page = tab.open("/reported")
    assert f"由 {USER} 报送" in _text(page.locator('[data-testid="stMain"] [data-testid="stAlertContentSuccess"]'))
    page.screenshot(path=SHOTS.format("reported"))

    page = tab.open(_url("/overview", basis="reported"))
    assert f"已报送数据（{USER}于" in _text(page.locator('[data-testid="stMain"] [data-testid="stAlertContentWarning"]'))

    page = tab.open(_url("/workshops", township=TOWN))
    chart, title = plotly_chart_titled(page, "各扶贫车间在岗人数")
    assert title.startswith(f"宜州区 {TOWN}"), title
    assert WORKSHOP in chart.locator(".legendtext").all_text_contents()
    page.screenshot(path=SHOTS.format("workshops"))

    page = tab.open(_url("/reports", township=TOWN))
    assert TOWN in _text(page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"]'))
