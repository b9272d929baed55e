"""Chart image exports (exports.images): every Plotly builder to PNG and SVG, Chinese
text drawn with the bundled font (not boxes), one image per caller under concurrency,
the caption (口径) line, the dpi of the Word briefing's images.

Needs Chromium (/usr/bin/chromium or BROWSER_PATH): without it the tests skip with the
reason; under CI=true a missing Chromium is a failure.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import textwrap
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from charts import category_bar, grouped_bar, progress_bar, ranked_bar, trend_line, workshop_lines
from exports import images

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_problem = images.available()
if _problem and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError(f"CI=true and chart images cannot be made: {_problem}")
pytestmark = pytest.mark.skipif(_problem is not None, reason=_problem or "")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    return struct.unpack(">II", data[16:24])


def pixels(data: bytes, box=None):
    from PIL import Image

    im = Image.open(io.BytesIO(data)).convert("RGB")
    return im.crop(box) if box else im


# Two renderers (a Chromium restart) may lay the same chart out a pixel or two apart:
# about 1 start in 15 on this machine moves the plot area by a pixel, which changes
# ~3 % of the pixels and every byte of the PNG. The same chart is therefore compared
# within a tolerance, never byte for byte across a restart.
SHIFT = 2  # px a pixel may move between two renderings of the same chart
INK = 48  # of 255, in any channel: less is anti-aliasing, not a difference
SAME_BOUND = 0.01  # at most 1 % of the pixels differ (a restart: 0.3 %; one bar halved: 9 %)


def image_difference(a: bytes, b: bytes, shift: int = SHIFT, ink: int = INK) -> float:
    """The fraction of pixels of PNG ``a`` that differ by more than ``ink`` (in any
    channel) from every pixel of ``b`` within ``shift`` pixels of the same place, or
    the other way round; 1.0 for images of different sizes."""
    import numpy as np

    x, y = (np.asarray(pixels(data), dtype=np.int16) for data in (a, b))
    if x.shape != y.shape:
        return 1.0
    h, w, _ = x.shape

    def nearest(p, q):
        padded = np.pad(q, ((shift, shift), (shift, shift), (0, 0)), mode="edge")
        best = np.full((h, w), 255, dtype=np.int16)
        for dy in range(2 * shift + 1):
            for dx in range(2 * shift + 1):
                best = np.minimum(best, np.abs(p - padded[dy:dy + h, dx:dx + w]).max(axis=2))
        return best

    return float((np.maximum(nearest(x, y), nearest(y, x)) > ink).mean())


def assert_same_image(got: bytes, want: bytes, what: str = "the image") -> None:
    assert png_size(got) == png_size(want), f"{what}: {png_size(got)} ≠ {png_size(want)}"
    diff = image_difference(got, want)
    assert diff <= SAME_BOUND, f"{what}: {diff:.2%} of the pixels differ (at most {SAME_BOUND:.0%} may)"


def assert_other_image(got: bytes, other: bytes, what: str = "another chart") -> None:
    """The control of ``assert_same_image``: a different chart does not pass it."""
    diff = image_difference(got, other)
    assert diff > SAME_BOUND, f"{what} passes as the same image: only {diff:.2%} of the pixels differ"


TOWNS = pd.DataFrame({"township": ["庆远镇", "三岔镇", "洛西镇", "刘三姐镇"], "n": [1234, 800, 650, 90], "m": [300, 200, 100, 50]})

BUILDERS = {
    "ranked_bar": lambda title: ranked_bar(TOWNS, "n", title=title, unit="人"),
    "grouped_bar": lambda title: grouped_bar(TOWNS, {"n": "外出务工", "m": "扶贫车间"}, title=title, unit="人"),
    "category_bar": lambda title: category_bar(
        pd.DataFrame({"mode": ["外出务工", "扶贫车间", "公益性岗位"], "n": [500, 120, 80]}), "n", category="mode", title=title, unit="人"
    ),
    "trend_line": lambda title: trend_line(
        pd.DataFrame({"month": ["2020-01", "2020-02", "2020-03"], "n": [100, 150, 210]}), {"n": "就业人数"}, title=title, unit="人"
    ),
    "progress_bar": lambda title: progress_bar(
        pd.DataFrame({"township": ["庆远镇", "三岔镇", "洛西镇"], "indicator": ["培训人次"] * 3,
                      "completion": [110.5, 70.2, 40.0], "pace": [75.0, 75.0, 75.0]}),
        title=title,
    ),
    "workshop_lines": lambda title: workshop_lines(
        pd.DataFrame({"name": ["竹编车间", "竹编车间", "制衣车间", "制衣车间"], "month": ["2020-01", "2020-02"] * 2, "on_duty": [12, 15, 30, 28]}),
        title=title,
    ),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_exports_png_and_svg(name):
    title = f"{name}：各乡镇就业情况"
    fig = BUILDERS[name](title)
    before = fig.to_dict()
    data = images.png(fig, width=600, height=300, scale=2)
    assert png_size(data) == (1200, 600)
    out = images.svg(fig, width=600, height=300)
    root = ET.fromstring(out)  # valid XML
    assert root.tag.endswith("svg")
    texts = "".join(root.itertext())
    assert title in texts
    assert fig.to_dict() == before, "the caller's figure was changed"


def test_font_family_puts_noto_sans_sc_first_on_a_copy():
    fig = BUILDERS["ranked_bar"]("标题")
    family = fig.layout.font.family
    ready, height = images.prepare(fig, width=1200, height=None)
    assert ready.layout.font.family.startswith('"Noto Sans SC"')
    assert "Microsoft YaHei" in ready.layout.font.family and ready.layout.font.family.count("Noto Sans SC") == 1
    assert fig.layout.font.family == family
    assert height == images.DEFAULT_HEIGHT
    plain = images.prepare({"data": [], "layout": {"font": {"family": "Arial, sans-serif"}}}, width=100, height=50)[0]
    assert plain.layout.font.family == '"Noto Sans SC", Arial, sans-serif'


def _title_region(data: bytes):
    # The title sits top left (x=0, container-referenced); its box at scale 1.
    return pixels(data, (0, 0, 400, 60))


def _differs(a: bytes, b: bytes) -> bool:
    from PIL import ImageChops

    return ImageChops.difference(_title_region(a), _title_region(b)).getbbox() is not None


def test_chinese_renders_as_glyphs_not_boxes():
    # Same length, different characters: boxes (tofu) would be pixel-identical.
    a = images.png(BUILDERS["ranked_bar"]("就业人数统计"), width=800, height=400, scale=1)
    b = images.png(BUILDERS["ranked_bar"]("培训补贴发放"), width=800, height=400, scale=1)
    assert _differs(a, b)
    # Ink in the title region at all (not a blank title).
    assert _title_region(a).convert("L").getextrema()[0] < 128


CONTROL = textwrap.dedent(
    """
    import os, sys, tempfile
    sys.path.insert(0, {root!r})
    empty = tempfile.mkdtemp()
    conf = os.path.join(empty, "fonts.conf")
    open(conf, "w").write('<?xml version="1.0"?><fontconfig><dir>' + empty + '</dir></fontconfig>')
    from exports import images
    images.FONTS_CONF = type(images.FONTS_CONF)(conf)  # the control: no font at all
    import pandas as pd
    from charts import ranked_bar
    df = pd.DataFrame({{"township": ["A", "B"], "n": [3, 2]}})
    out = sys.argv[1]
    for i, title in enumerate(["就业人数统计", "培训补贴发放"]):
        data = images.png(ranked_bar(df, "n", title=title, unit="人"), width=800, height=400, scale=1)
        open(os.path.join(out, f"{{i}}.png"), "wb").write(data)
    """
)


def test_control_without_font_characters_are_identical_boxes(tmp_path):
    """The control of the test above: with fontconfig pointing at an empty font folder
    (in a subprocess, so this process's renderer keeps its font) the two different
    titles render identically: the glyph test does detect boxes."""
    script = tmp_path / "control.py"
    script.write_text(CONTROL.format(root=str(ROOT)), encoding="utf-8")
    env = dict(os.environ)
    env.pop("FONTCONFIG_FILE", None)
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, env=env, timeout=120)
    a, b = (tmp_path / "0.png").read_bytes(), (tmp_path / "1.png").read_bytes()
    assert not _differs(a, b)


def test_concurrent_exports_each_get_their_own_image():
    figs = [ranked_bar(TOWNS.assign(n=TOWNS["n"] + 7 * i), "n", title=f"第{i + 1}张图：乡镇排名", unit="人") for i in range(6)]
    expected = [images.png(f, width=500, height=250, scale=1) for f in figs]
    assert len(set(expected)) == 6
    got: dict[int, bytes] = {}
    errors = []
    barrier = threading.Barrier(6)

    def work(i):
        try:
            barrier.wait()
            got[i] = images.png(figs[i], width=500, height=250, scale=1)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    for i in range(6):
        assert got[i] == expected[i], f"thread {i} got another figure's image"


def test_available(monkeypatch):
    assert images.available() is None
    # Only the check's logic: the shared renderer is already running and untouched.
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    message = images.available()
    assert message and "chromium" in message.lower() and "apt-get install chromium" in message
    assert "/nonexistent/chromium" in message
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setattr(images, "DEFAULT_BROWSER", "/nonexistent/chromium")
    monkeypatch.setattr(images.shutil, "which", lambda name: None)
    assert "apt-get install chromium" in images.available()


def test_caption_in_svg_and_under_the_plot():
    caption = "数据来源：宜州区人社局就业台账；统计截至2020年9月30日"
    fig = BUILDERS["grouped_bar"]("外出务工与扶贫车间")
    out = images.svg(fig, width=800, height=400, caption=caption)
    assert caption in "".join(ET.fromstring(out).itertext())
    assert caption.encode() not in images.svg(fig, width=800, height=400)
    # Under the plot: ink in the last rows of the PNG with the caption, none without.
    with_caption = pixels(images.png(fig, width=800, height=400, scale=1, caption=caption)).convert("L")
    bottom = with_caption.crop((0, 400 - images.CAPTION_BAND, 800, 400))
    assert bottom.getextrema()[0] < 160
    ready, _ = images.prepare(fig, width=800, height=400, caption=caption)
    assert ready.layout.margin.b > fig.layout.margin.b


def test_watermark_line_under_the_caption():
    """The watermark (who made the image, when) is a second line under the 口径 line,
    both inside the image's bottom band; without a caption it stands alone."""
    caption = "数据来源：宜州区贫困劳动力就业台账，截至2020年9月30日"
    mark = "导出：张三（zhangsan，区领导）　2020-10-08 09:30"
    fig = BUILDERS["ranked_bar"]("各乡镇就业人数")
    ready, height = images.prepare(fig, width=800, height=400, caption=caption, watermark=mark)
    notes = {a.text: a.yshift for a in ready.layout.annotations if a.text in (caption, mark)}
    assert set(notes) == {caption, mark}
    margin = ready.layout.margin.b
    assert -margin < notes[mark] < notes[caption] < 0, "the watermark under the caption, both above the image's edge"
    alone, _ = images.prepare(fig, width=800, height=400, watermark=mark)
    assert [a.text for a in alone.layout.annotations if a.text == mark] == [mark]
    text = "".join(ET.fromstring(images.svg(fig, width=800, height=400, caption=caption, watermark=mark)).itertext())
    assert caption in text and mark in text
    # Ink in the image's last rows: the watermark line is drawn, not cut off.
    png = pixels(images.png(fig, width=800, height=400, scale=1, caption=caption, watermark=mark)).convert("L")
    assert png.crop((0, 400 - 16, 400, 400)).getextrema()[0] < 160


def test_png_dpi_for_the_word_briefing():
    from PIL import Image

    data = images.png_dpi(BUILDERS["trend_line"]("月度就业趋势"), dpi=300, width_cm=16)
    width, height = png_size(data)
    assert width == round(16 / 2.54 * 300) == 1890
    dpi = Image.open(io.BytesIO(data)).info["dpi"]
    assert round(dpi[0]) == 300
    assert images.dpi_size(150, 8)[0] == round(8 / 2.54 * 150)


def test_offline_renderer_settings(monkeypatch):
    """No CDN: the renderer starts with mathjax off and the plotly.js of the plotly
    package, and that page loads nothing over the network."""
    import kaleido

    calls = []
    monkeypatch.setattr(images, "_started", False)
    monkeypatch.setattr(kaleido, "start_sync_server", lambda *a, **k: calls.append(k))
    images._start()  # recorded, not started: the shared renderer keeps running
    (kwargs,) = calls
    assert kwargs["mathjax"] is False
    assert kwargs["plotlyjs"] == images.PLOTLY_JS.as_uri() and images.PLOTLY_JS.is_file()
    page = kaleido.PageGenerator(plotly=kwargs["plotlyjs"], mathjax=False).generate_index()
    assert "http" not in page.lower()


def test_a_hung_renderer_times_out_and_the_next_image_gets_a_new_one(monkeypatch):
    """Chromium that never answers must not block exports for ever: the call gives up
    with a Chinese message and the next one starts a fresh renderer."""
    import kaleido

    fig = ranked_bar(TOWNS, "n", title="超时后重启", unit="人")
    other = ranked_bar(TOWNS.assign(n=[1234, 400, 650, 90]), "n", title="超时后重启", unit="人")
    good = images.png(fig, width=400, height=200, scale=1)
    stuck = threading.Event()
    real = kaleido.calc_fig_sync
    monkeypatch.setattr(images, "RENDER_TIMEOUT", 0.5)
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: stuck.wait())
    with pytest.raises(images.RenderError, match="已重启绘图程序"):
        images.png(fig, width=400, height=200, scale=1)
    assert not images._started  # the hung one is forgotten
    monkeypatch.setattr(kaleido, "calc_fig_sync", real)
    monkeypatch.setattr(images, "RENDER_TIMEOUT", 60.0)
    try:
        # The new renderer draws the same chart (within a pixel or two: a new Chromium).
        assert_same_image(images.png(fig, width=400, height=200, scale=1), good, "after the restart")
        assert_other_image(images.png(other, width=400, height=200, scale=1), good, "one bar halved")
    finally:
        stuck.set()


def test_a_dead_renderer_thread_is_replaced():
    fig = ranked_bar(TOWNS, "n", title="线程退出后重启", unit="人")
    # Bars of one colour ranked by value: another chart has other heights, not other names.
    other = ranked_bar(TOWNS.assign(n=[1234, 400, 650, 90]), "n", title="线程退出后重启", unit="人")
    good = images.png(fig, width=400, height=200, scale=1)
    server = images._server()
    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    alive, server._thread = server._thread, dead  # as if Chromium had taken the thread down
    assert not images._server_alive()
    assert_same_image(images.png(fig, width=400, height=200, scale=1), good, "after the restart")
    assert images._server_alive() and server._thread is not alive
    assert_other_image(images.png(other, width=400, height=200, scale=1), good, "one bar halved")


def test_the_image_comparison_allows_a_shifted_layout_but_not_another_chart():
    """The tolerance of ``assert_same_image``: a redraw and the plot moved by a pixel or
    two (what a Chromium restart does) pass; other data, another kind of chart, another
    size and a blank image do not. (A title alone is too small a part of the image to
    tell: the glyph tests above compare the title region.)"""
    from PIL import Image, ImageChops

    def png_of(im) -> bytes:
        out = io.BytesIO()
        im.save(out, format="PNG")
        return out.getvalue()

    fig = ranked_bar(TOWNS, "n", title="比较图片的容差", unit="人")
    good = images.png(fig, width=400, height=200, scale=1)
    assert image_difference(images.png(fig, width=400, height=200, scale=1), good) == 0.0
    # The plot area one pixel to the right and one down, the title where it was.
    im = pixels(good)
    moved = im.copy()
    moved.paste(ImageChops.offset(im.crop((0, 50, 400, 200)), 1, 1), (0, 50))
    assert_same_image(png_of(moved), good, "the plot moved by a pixel")
    assert_same_image(png_of(ImageChops.offset(im, 2, 0)), good, "the whole image moved by two pixels")

    halved = ranked_bar(TOWNS.assign(n=[1234, 400, 650, 90]), "n", title="比较图片的容差", unit="人")
    assert_other_image(images.png(halved, width=400, height=200, scale=1), good, "one bar halved")
    assert_other_image(images.png(BUILDERS["grouped_bar"]("比较图片的容差"), width=400, height=200, scale=1), good, "a grouped bar")
    assert image_difference(images.png(fig, width=400, height=220, scale=1), good) == 1.0
    assert image_difference(png_of(Image.new("RGB", (400, 200), "white")), good) > 0.05
