"""The slide pack: a 16:9 title slide and one slide per area (就业、收入、补贴、培训、
扶贫车间、公益性岗位、用工需求与返岗输送), each with its headline figures in large type
and its main chart when charts can be rendered. Numbers come from ``query.figures``
in the briefing's wording (``exports.briefing.figure_text``). No Streamlit here.

Made for the caller's ``Request`` and within its scope (``exports.scoped``): a township
head's pack is their township's; the district-wide 用工需求 figures are shown only to a
viewer of the whole district. Each slide's footer carries the watermark line.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

from ledger.present.caliber import watermark
from ledger.present.format import REPORT, show
from ledger.query import request as q
from ledger.query.request import Request
from ledger.store.figures import BY_KEY

from .briefing import images_module, when_text, xml_text
from .scoped import district_wide, place_name, scoped

EA_FONT = "微软雅黑"
LATIN_FONT = "Arial"
RED = (0xC0, 0x1E, 0x23)
GREY = (0x59, 0x59, 0x59)

# (title, headline keys with their labels); the chart is the catalogue's "slides:<title>" view
AREAS = [
    ("就业", [("labor.total", "劳动力"), ("labor.employed", "已就业"), ("labor.employment_rate", "就业率"),
             ("labor.poor_employment_rate", "建档立卡就业率")]),
    ("收入", [("income.monthly_mean", "月均收入"), ("income.monthly_median", "月收入中位数"),
             ("labor.area.省外", "省外务工"), ("labor.mode.外出务工", "外出务工")]),
    ("补贴", [("subsidy.total", "补贴发放合计"), ("subsidy.job_stability", "稳岗补贴"),
             ("subsidy.epidemic_prevention", "防疫补贴"), ("subsidy.transport", "交通补贴")]),
    ("培训", [("training.classes", "培训班"), ("training.person_times", "培训人次"),
             ("training.poor_person_times", "其中建档立卡"), ("training.short_term_reward.amount", "以奖代补资金")]),
    ("扶贫车间", [("workshops.count", "已复工车间"), ("workshops.on_duty", "在岗人员"),
              ("workshops.poor_absorbed", "吸纳贫困劳动力"), ("subsidy.workshop_reward", "带动就业奖补")]),
    ("公益性岗位", [("posts.poverty.count", "扶贫公益性岗位"), ("posts.poverty.subsidy", "扶贫公益性岗位补贴"),
               ("posts.temporary.count", "临时性公益岗位"), ("posts.temporary.subsidy", "临时性公益岗位补贴")]),
    ("用工需求与返岗输送", [("demand.enterprises", "用工企业"), ("demand.postings", "岗位信息"),
                   ("transport.batches", "点对点输送"), ("transport.people", "输送人数")]),
]
DEMAND_KEYS = ["demand.enterprises", "demand.job_types", "demand.postings"]


def _shown(key: str, value) -> str:
    """A slide's big number: as the briefing writes it, a per-head amount in whole yuan."""
    fig = BY_KEY[key]
    if fig.per_head and value is not None:
        value = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return show(fig, value, REPORT)


def _chart(area: str, engine, request: Request):
    """The area's main chart (a plotly figure), from the catalogue."""
    from catalogue import on, render, rendered

    views = on(f"slides:{area}")
    return render(views[0], request, rendered(engine)).figure if views else None


def _ea(run, size=None, bold=None, colour=None) -> None:
    """Latin and East Asian typefaces (a:latin, a:ea) on a run."""
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn

    font = run.font
    font.name = LATIN_FONT
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", EA_FONT)
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = RGBColor(*colour)


def _text(slide, left, top, width, height, text, size, *, bold=False, colour=GREY, align=None):
    from pptx.enum.text import PP_ALIGN

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    p.alignment = align or PP_ALIGN.LEFT
    _ea(p.add_run(), size, bold, colour)
    p.runs[0].text = xml_text(text)
    return box


def _footer(slide, width, height, text: str) -> None:
    """The watermark line at the slide's foot (small, grey, right-aligned)."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    _text(slide, Inches(0.5), height - Inches(0.45), width - Inches(1.0), Inches(0.35), text, Pt(10), colour=GREY,
          align=PP_ALIGN.RIGHT)


def slides_pptx(engine, request: Request, *, at: dt.datetime | None = None) -> bytes:
    """The pack for the request's month and place, within its scope."""
    from pptx import Presentation
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    request = scoped(engine, request)
    as_of, township = request.as_of, request.township
    keys = sorted({k for _, heads in AREAS for k, _ in heads})
    values = dict(q.figures(engine, request, keys).values)
    whole = district_wide(request)
    if township and whole:  # the demand database is district-wide
        values |= q.figures(engine, request.district(), DEMAND_KEYS).values
    elif not whole:  # outside a township head's scope: not 0, but not shown
        values |= {k: None for k in DEMAND_KEYS}
    images, why_not = images_module()
    place = place_name(request)
    stamp = watermark(request, at)

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    W, H = prs.slide_width, prs.slide_height
    blank = prs.slide_layouts[6]

    s = prs.slides.add_slide(blank)
    year = f"{as_of.year}年" if as_of else ""
    _text(s, Inches(0.8), Inches(2.3), W - Inches(1.6), Inches(1.4), f"{place}{year}贫困劳动力稳岗就业工作情况",
          Pt(40), bold=True, colour=RED, align=PP_ALIGN.CENTER)
    _text(s, Inches(0.8), Inches(3.9), W - Inches(1.6), Inches(0.8), f"汇报材料（{when_text(as_of)}）",
          Pt(24), colour=GREY, align=PP_ALIGN.CENTER)
    _footer(s, W, H, stamp)

    for title, heads in AREAS:
        s = prs.slides.add_slide(blank)
        _text(s, Inches(0.6), Inches(0.35), W - Inches(1.2), Inches(0.8), f"{place}　{title}", Pt(30), bold=True, colour=RED)
        col_w = Inches(3.4)
        for i, (key, label) in enumerate(heads):
            top = Inches(1.45) + i * Inches(1.42)
            _text(s, Inches(0.6), top, col_w, Inches(0.75), _shown(key, values.get(key)), Pt(36), bold=True, colour=RED)
            note = label
            if key in DEMAND_KEYS and not whole:
                note += "（全区统计，不在本账号范围）"
            elif key in DEMAND_KEYS and township:
                note += "（全区）"
            _text(s, Inches(0.6), top + Inches(0.72), col_w, Inches(0.45), note, Pt(16), colour=GREY)
        left, top = Inches(4.3), Inches(1.4)
        width, height = W - left - Inches(0.5), H - top - Inches(0.5)
        png = None
        if images is not None:
            try:
                png = images.png(_chart(title, engine, request), width=1200, height=int(1200 * height / width), scale=2)
            except Exception as exc:
                why = f"图表生成失败（{type(exc).__name__}）"
            else:
                why = None
        else:
            why = why_not
        if png:
            s.shapes.add_picture(io.BytesIO(png), left, top, width=Emu(int(width)))
        else:
            _text(s, left, top + height // 2, width, Inches(0.6), f"（未附图表：{why}）", Pt(14), colour=GREY,
                  align=PP_ALIGN.CENTER)
        _footer(s, W, H, stamp)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
