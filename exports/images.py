"""PNG and SVG images of the dashboard's Plotly charts, rendered on the server.

Kaleido 1.x drives a local Chromium (``BROWSER_PATH`` or ``/usr/bin/chromium``); this
module keeps one renderer per process and makes it safe and offline:

* **Font.** Chinese text needs a CJK font or every character is a box. The bundled
  Noto Sans SC (``assets/fonts/``, built by ``scripts/make_font.py``) is the only font
  the renderer sees: ``FONTCONFIG_FILE`` points at ``assets/fonts/fonts.conf``
  (``<dir prefix="relative">.</dir>``: the folder of the conf file) while Chromium
  starts, and "Noto Sans SC" is put first in the figure's font family. The process's
  own environment is restored afterwards (other browsers it starts keep their fonts).
* **One renderer.** ``kaleido.start_sync_server(mathjax=False)`` once, lazily: the first
  image takes ~2 s (Chromium starting), later ones ~0.1–0.2 s.
* **One at a time.** The sync server is a single queue that hands results back in
  arrival order, not to their caller; concurrent calls without a lock got each other's
  images. Every render holds ``_RENDER_LOCK``.
* **Never stuck.** Kaleido's sync server waits without a time limit: if Chromium hangs
  or dies, every later export would wait for ever, holding the lock. Each render runs
  in a daemon thread and is given ``RENDER_TIMEOUT`` seconds; on a timeout, or when the
  server's thread has died, the server is abandoned (kaleido's singleton reset, a
  private attribute of kaleido 1.5, pinned) and the next render starts a new one.
* **Offline.** ``mathjax=False`` (plotly's own mathjax setting is ignored by kaleido and
  would load MathJax from a CDN) and the plotly.js shipped in the plotly package, by
  path. No topojson: geo traces are not supported here.

No Streamlit here: pages, the Word briefing and scripts call ``png``/``svg``/``png_dpi``.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from pathlib import Path

import plotly
import plotly.graph_objects as go

from charts.theme import chart_text

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = ROOT / "assets" / "fonts"
FONTS_CONF = FONT_DIR / "fonts.conf"
FONT_NAME = "Noto Sans SC"
#: The plotly.js of the installed plotly package (never the CDN).
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
DEFAULT_BROWSER = "/usr/bin/chromium"

DEFAULT_WIDTH = 1200
#: Height when neither the call nor the figure gives one (2:1 at the default width).
DEFAULT_HEIGHT = 600
#: The caption (口径) line: its band at the bottom of the image, in CSS pixels.
CAPTION_BAND = 34
CAPTION_COLOUR = "#5F6B7A"
#: Bottom margin of a captioned chart: the caption's band plus room for the x axis's
#: tick labels and title and a one-row legend. A chart that needs more still gets it
#: (automargin); the caption then moves up with the plot's bottom edge.
CAPTION_MARGIN = 120

#: Seconds one image may take (Chromium's first start included) before the renderer
#: is given up for a new one.
RENDER_TIMEOUT = 60.0

_RENDER_LOCK = threading.Lock()
_START_LOCK = threading.Lock()
_started = False


class RenderError(RuntimeError):
    """An image could not be made; the message is for the user, in Chinese."""


# ---------------------------------------------------------------------------- browser


def _browser_path() -> str | None:
    """The Chromium kaleido will use: ``BROWSER_PATH`` if set (even if wrong: kaleido
    then fails too), else ``/usr/bin/chromium``, else one on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else None
    if os.path.isfile(DEFAULT_BROWSER) and os.access(DEFAULT_BROWSER, os.X_OK):
        return DEFAULT_BROWSER
    return shutil.which("chromium") or shutil.which("chromium-browser")


def available() -> str | None:
    """None when images can be made here; otherwise what to install, in Chinese."""
    if _browser_path() is None:
        where = os.environ.get("BROWSER_PATH")
        found = f"环境变量 BROWSER_PATH 指向的 {where} 不存在或不可执行" if where else "未找到 Chromium 浏览器"
        return (
            f"无法在服务器上生成图表图片：{found}。"
            "请安装 Chromium（Debian/Ubuntu：apt-get install chromium），"
            "或将 BROWSER_PATH 设为 Chromium/Chrome 可执行文件的路径。"
        )
    if not (FONT_DIR / "NotoSansSC-Regular.otf").is_file() or not FONTS_CONF.is_file():
        return f"缺少图表中文字体：{FONT_DIR}（请运行 python scripts/make_font.py 生成）。"
    if not PLOTLY_JS.is_file():
        return f"plotly 安装不完整：缺少 {PLOTLY_JS}（请重新安装 plotly）。"
    return None


def _start() -> None:
    """Start the process's one renderer (once), with the bundled font only."""
    global _started
    if _started:
        return
    with _START_LOCK:
        if _started:
            return
        problem = available()
        if problem:
            raise RuntimeError(problem)
        import kaleido

        kaleido.start_sync_server(
            mathjax=False,
            plotlyjs=PLOTLY_JS.as_uri(),
            path=_browser_path(),
            silence_warnings=True,
        )
        _started = True


def _with_fonts(render):
    """Run ``render`` with FONTCONFIG_FILE set to the bundled fonts.conf. Chromium is
    launched (and copies the environment) during the first render, so the variable
    is restored afterwards; later renders reuse that Chromium."""
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)
    try:
        return render()
    finally:
        if os.environ.get("FONTCONFIG_FILE") == str(FONTS_CONF):
            if before is None:
                os.environ.pop("FONTCONFIG_FILE", None)
            else:
                os.environ["FONTCONFIG_FILE"] = before


# ---------------------------------------------------------------------------- figure


def _family(family: str | None) -> str:
    """``family`` with "Noto Sans SC" first (the rest kept, without a repeat of it)."""
    parts = [p.strip() for p in (family or "").split(",") if p.strip()]
    rest = [p for p in parts if p.strip("\"'").lower() != FONT_NAME.lower()]
    return ", ".join([f'"{FONT_NAME}"', *rest] if rest else [f'"{FONT_NAME}"', "sans-serif"])


def prepare(fig: go.Figure | dict, *, width: int, height: int | None, caption: str | None = None,
            watermark: str | None = None) -> tuple[go.Figure, int]:
    """A copy of ``fig`` ready to render: the bundled font first, the caption (口径)
    under the plot and under it the ``watermark`` line (who made the image, when).
    Returns the copy and the height to render at."""
    out = go.Figure(fig)  # a deep copy; the caller's figure is never changed
    layout = out.layout
    height = int(height or layout.height or DEFAULT_HEIGHT)
    out.update_layout(font_family=_family(layout.font.family))
    if layout.hoverlabel.font.family:
        out.update_layout(hoverlabel_font_family=_family(layout.hoverlabel.font.family))
    lines = [text for text in (caption, watermark) if text]
    if lines:
        size = max(int((layout.font.size or 13) - 1), 10)
        base = max(CAPTION_BAND, size * 2 + 8)
        line = size + 8  # a second line under the first
        band = base + line * (len(lines) - 1)
        bottom = max(int(layout.margin.b or 0), 0)
        out.update_layout(margin_b=bottom + max(CAPTION_MARGIN, band + 80))
        # The legend (under the plot, at the container's bottom) moves up above the band.
        if layout.legend.yref == "container" and (layout.legend.y or 0) < band / height:
            out.update_layout(legend_y=band / height, legend_yanchor="bottom")
        margin_b = out.layout.margin.b
        # Centres above the image's bottom: the first line in the middle of the band's
        # top ``base`` pixels, the second in the ``line`` pixels under it.
        centres = [band - base / 2, line / 2][: len(lines)]
        for text, centre in zip(lines, centres):
            out.add_annotation(
                text=chart_text(text),  # names a township or village: plotly would read HTML
                xref="paper", x=0, xanchor="left",
                yref="paper", y=0, yanchor="middle",
                # Paper y=0 is the plot's bottom edge, margin_b pixels above the image's bottom.
                yshift=-(margin_b - centre),
                showarrow=False, align="left",
                font=dict(size=size, color=CAPTION_COLOUR, family=_family(layout.font.family)),
            )
    return out, height


# ---------------------------------------------------------------------------- render


def _render(fig, fmt: str, *, width: int, height: int | None, scale: float, caption: str | None,
            watermark: str | None = None) -> bytes:
    ready, h = prepare(fig, width=width, height=height, caption=caption, watermark=watermark)
    # A dict, not the Figure: kaleido re-serialises a Figure through plotly's validators
    # (about 100 ms of the ~300 ms of a 3× PNG).
    ready = ready.to_dict()
    opts = {"format": fmt, "width": int(width), "height": h, "scale": scale}
    with _RENDER_LOCK:
        import kaleido

        if _started and not _server_alive():
            _abandon()
        if not _started:
            _start()
            return _within_time(lambda: _with_fonts(lambda: kaleido.calc_fig_sync(ready, opts=opts)))
        return _within_time(lambda: kaleido.calc_fig_sync(ready, opts=opts))


def _server() -> object:
    from kaleido import _sync_server

    return _sync_server.GlobalKaleidoServer()


def _server_alive() -> bool:
    thread = getattr(_server(), "_thread", None)
    return thread is not None and thread.is_alive()


def _abandon() -> None:
    """Forget the current renderer without waiting for it (it may never answer): the
    next render starts a new Chromium. The old daemon thread is left to die with it."""
    global _started
    _server()._initialized = False
    _started = False


def _within_time(render):
    """``render()`` in a daemon thread, waited for at most ``RENDER_TIMEOUT`` seconds."""
    box: queue.Queue = queue.Queue(maxsize=1)

    def run():
        try:
            box.put((True, render()))
        except BaseException as exc:  # handed to the caller below
            box.put((False, exc))

    threading.Thread(target=run, name="chart-render", daemon=True).start()
    try:
        ok, value = box.get(timeout=RENDER_TIMEOUT)
    except queue.Empty:
        _abandon()
        raise RenderError(f"图片生成超过{RENDER_TIMEOUT:g}秒没有完成，已重启绘图程序，请再试一次。") from None
    if not ok:
        if not _server_alive():
            _abandon()
        raise value
    return value


def png(fig, *, width: int = DEFAULT_WIDTH, height: int | None = None, scale: float = 3, caption: str | None = None,
        watermark: str | None = None) -> bytes:
    """The figure as a PNG of ``width × scale`` pixels (CSS width ``width``; scale 3 is
    sharp in a Word report or on a slide). ``caption``: the 口径 line (source, cut-off
    date) under the plot; ``watermark``: the line under it naming who made the image."""
    return _render(fig, "png", width=width, height=height, scale=scale, caption=caption, watermark=watermark)


def svg(fig, *, width: int = DEFAULT_WIDTH, height: int | None = None, caption: str | None = None,
        watermark: str | None = None) -> bytes:
    """The figure as SVG (text stays text; its font family names Noto Sans SC, then
    Microsoft YaHei / SimHei, so it reads on office PCs too)."""
    return _render(fig, "svg", width=width, height=height, scale=1, caption=caption, watermark=watermark)


CM_PER_INCH = 2.54


def dpi_size(dpi: int = 300, width_cm: float = 16, css_width: int = DEFAULT_WIDTH) -> tuple[int, float]:
    """(pixel width, scale) of an image printed ``width_cm`` wide at ``dpi``: the chart
    is laid out ``css_width`` CSS pixels wide and scaled to the pixels needed."""
    pixels = round(width_cm / CM_PER_INCH * dpi)
    # A quarter pixel more: Chromium truncates width × scale (1890 / 800 × 800 → 1889).
    return pixels, (pixels + 0.25) / css_width


def png_dpi(fig, dpi: int = 300, width_cm: float = 16, *, height: int | None = None, caption: str | None = None,
            css_width: int = 800) -> bytes:
    """A PNG for the Word briefing: ``dpi`` dots per inch at ``width_cm`` printed width
    (300 dpi × 16 cm = 1890 px wide), with the dpi written in the PNG (pHYs) so Word
    inserts it at that width. Laid out ``css_width`` CSS px wide (800: the 13 px text
    prints at about 7.4 pt on a 16 cm wide image) and scaled to the pixels needed."""
    _, scale = dpi_size(dpi, width_cm, css_width)
    height = height or round(css_width / 2)
    return with_dpi(png(fig, width=css_width, height=height, scale=scale, caption=caption), dpi)


def with_dpi(data: bytes, dpi: float) -> bytes:
    """The PNG ``data`` with a pHYs chunk saying ``dpi`` (replacing any there)."""
    import struct
    import zlib

    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    ppm = round(dpi / 0.0254)
    body = struct.pack(">IIB", ppm, ppm, 1)
    phys = struct.pack(">I", len(body)) + b"pHYs" + body + struct.pack(">I", zlib.crc32(b"pHYs" + body))
    out, pos = [data[:8]], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind != b"pHYs":
            out.append(data[pos:end])
        if kind == b"IHDR":
            out.append(phys)
        pos = end
    return b"".join(out)
