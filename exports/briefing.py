"""The Word briefing (简报): the district's report, in its five sections and wording,
written from the ledger's figures as of a date, for the district or one township.

Text comes from templates with rules, never typed numbers: every number is a figure
of ``query.figures``; a clause whose figure is zero or missing is dropped (or a
shorter wording chosen), and a sentence left with no clause is dropped whole. The
docx is written from ``briefing_text``, so what the tests check is what is printed.
No Streamlit here: the CLI and the dashboard share it.

Every function takes the caller's ``Request`` (``exports.scoped``): its scope is the
scope of every query, so a township head's briefing is their township's — its figures,
its villages' table, its charts — and never another township's name or figure; the
district's own sheets (用工需求) are quoted only to a viewer of the whole district.
The docx's footer carries the watermark line (who made it, when).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from ledger import query
from ledger.present.caliber import watermark
from ledger.present.format import REPORT, cell_text, show
from ledger.query import request as q
from ledger.query.request import Request, reading
from ledger.store.figures import BY_KEY
from ledger.store.versions import reading_recorded

from .scoped import district_wide, place_name, scoped


def figure_text(key: str, value) -> str:
    """A figure with its unit as the report writes it: 2.89万元, 41239条, 88.51%."""
    return show(BY_KEY[key], value, REPORT)


# --- Templates with rules ----------------------------------------------------------

_SLOT = re.compile(r"\{([a-z_.]+)\}")


def _present(value) -> bool:
    return value is not None and value != 0


def _fill(template: str, values: dict) -> str | None:
    """The template with each {key} replaced by its figure, or None if any is zero or
    missing (the clause is then dropped)."""
    keys = _SLOT.findall(template)
    if not all(_present(values.get(k)) for k in keys):
        return None
    return _SLOT.sub(lambda m: figure_text(m.group(1), values[m.group(1)]), template)


def _first(values: dict, *alternatives: str) -> str | None:
    """The first alternative wording whose figures are all present."""
    for alt in alternatives:
        text = _fill(alt, values)
        if text is not None:
            return text
    return None


def _sentence(values: dict, clauses: list, *, lead: str = "", sep: str = "，", end: str = "。") -> str:
    """``lead`` + the clauses that survive (each a wording or a tuple of alternative
    wordings), joined by ``sep``; '' when none survives."""
    kept = []
    for clause in clauses:
        alts = (clause,) if isinstance(clause, str) else clause
        text = _first(values, *alts)
        if text:
            kept.append(text)
    return lead + sep.join(kept) + end if kept else ""


def _join(*sentences: str) -> str:
    return "".join(s for s in sentences if s)


ORDINALS = "一二三四五六七八九十"


def _numbered(parts: list[tuple[str, str]]) -> list[str]:
    """一是…二是… over the parts whose figures survived (heading, body), renumbered."""
    kept = [(h, b) for h, b in parts if b]
    return [f"{ORDINALS[i]}是{h}。{b}" for i, (h, b) in enumerate(kept)]


# --- The briefing's figures ----------------------------------------------------------

DEMAND_KEYS = ["demand.enterprises", "demand.job_types", "demand.postings"]
LABOR_KEYS = [
    "labor.total", "labor.employed", "labor.employment_rate", "labor.poor", "labor.poor_employed",
    "labor.poor_employment_rate", "labor.unemployed", "labor.unemployed_wanting_work",
]
SUBSIDY_KEYS = [
    "subsidy.total", "subsidy.enterprise_absorption", "subsidy.flexible_social_insurance", "subsidy.workshop_reward",
    "subsidy.workshop_reward_workshops", "subsidy.key_enterprise_social_insurance", "subsidy.job_stability",
    "subsidy.epidemic_prevention", "subsidy.transport",
]
OTHER_KEYS = [
    "workshops.count", "workshops.on_duty", "workshops.poor_absorbed",
    "transport.batches", "transport.people", "transport.poor",
    "posts.poverty.count", "posts.poverty.subsidy", "posts.temporary.count", "posts.temporary.subsidy",
    "training.classes", "training.person_times", "training.poor_person_times",
    "training.vocational.classes", "training.vocational.person_times", "training.vocational.poor_person_times",
    "training.short_term.classes", "training.short_term.people",
    "training.short_term_reward.people", "training.short_term_reward.amount",
    "training.rural_practical.classes", "training.rural_practical.people", "training.rural_practical.amount",
    "income.monthly_mean",
]
KEYS = LABOR_KEYS + SUBSIDY_KEYS + OTHER_KEYS


@dataclass
class Briefing:
    """What the briefing says, and the figures it was written from."""

    as_of: dt.date | None
    township: str | None
    values: dict
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    place: str = ""


def _values(engine, request: Request) -> dict:
    """The briefing's figures; the demand database is district-wide, so a township's
    briefing quotes the district's demand figures — when its reader sees the district
    (a township head's scope holds no district-wide rows: the sentence is dropped)."""
    values = dict(q.figures(engine, request, KEYS + ([] if request.township else DEMAND_KEYS)).values)
    if request.township:
        values |= q.figures(engine, request.district(), DEMAND_KEYS).values
    return values


def when_text(as_of: dt.date | None) -> str:
    """截至9月底 (month end) or 截至9月15日."""
    if as_of is None:
        return "截至目前"
    nxt = as_of + dt.timedelta(days=1)
    return f"截至{as_of.month}月底" if nxt.month != as_of.month else f"截至{as_of.month}月{as_of.day}日"


def title_text(as_of: dt.date | None, place: str) -> str:
    year = f"{as_of.year}年" if as_of else ""
    return f"{place}{year}贫困劳动力稳岗就业工作情况简报（{when_text(as_of)}）"


def build(engine, request: Request) -> Briefing:
    """What the briefing says for the request's month and place, within its scope."""
    request = scoped(engine, request)
    v = _values(engine, request)
    as_of, township = request.as_of, request.township
    place = place_name(request)
    year = f"{as_of.year}年" if as_of else "今年"
    when = when_text(as_of)
    district_level = township is None and district_wide(request)
    b = Briefing(as_of, township, v, place=place)

    lead = (
        f"{year}以来，{place}在抓好疫情防控工作的新形势下，围绕脱贫攻坚这一主线，突出重点，精准施策，"
        "通过摸清就业需求、抓好技能培训、建立扶贫车间、开发公益性岗位等措施，多渠道拓宽就业渠道，"
        "不断提高贫困群众收入，切实把贫困人口稳岗就业工作抓细抓牢，助力脱贫攻坚。"
    )
    lead += _sentence(v, [
        ("共有劳动力{labor.total}，已就业{labor.employed}，就业率{labor.employment_rate}", "共有劳动力{labor.total}，已就业{labor.employed}", "共有劳动力{labor.total}"),
        ("其中建档立卡贫困劳动力{labor.poor}，已就业{labor.poor_employed}，就业率{labor.poor_employment_rate}", "其中建档立卡贫困劳动力{labor.poor}"),
        "开展技能培训{training.person_times}",
    ], lead=f"{when}，{place}", sep="；")
    b.sections.append(("", [lead]))

    # 一、组织
    if district_level:
        org = (
            f"{place}第一时间成立了稳岗就业专班，健全工作调度制度，制定出台稳岗就业实施方案，组建由区委区人民政府"
            "主要领导为组长的工作领导小组，工作专班负责统筹协调企业复产复工和农民工返工复工服务工作，重点保障贫困群众就业，"
            "督促落实就业优先政策，研究解决遇到的困难和问题，确保稳岗就业各项工作有人管、有人做。"
        )
    else:
        org = (
            f"{place}按照区稳岗就业专班的统一部署，明确专人负责，建立与企业、村、务工人员信息的互通，"
            "重点保障贫困群众就业，确保稳岗就业各项工作有人管、有人做。"
        )
    b.sections.append(("一、组织到位，稳岗就业有专班", [org]))

    # 二、底数摸排与数据平台
    census = _sentence(v, [
        ("共摸排劳动力{labor.total}，已就业{labor.employed}，就业率{labor.employment_rate}",
         "共摸排劳动力{labor.total}，已就业{labor.employed}", "共摸排劳动力{labor.total}"),
        ("其中建档立卡贫困劳动力{labor.poor}，已就业{labor.poor_employed}，就业率{labor.poor_employment_rate}", "其中建档立卡贫困劳动力{labor.poor}"),
        ("尚未就业{labor.unemployed}，其中有就业意愿的{labor.unemployed_wanting_work}", "尚未就业{labor.unemployed}"),
    ], lead="目前", sep="；")
    demand = _sentence(v, [
        "区内外用工企业{demand.enterprises}",
        "工种{demand.job_types}",
        "岗位信息{demand.postings}",
    ], lead="目前共发布" if district_level else "用工需求信息库为全区统一建立，目前全区共发布")
    sec2 = [
        ("通过上门走访、电话联系、数据对比方式，全方位摸清核实贫困劳动力就业失业状态、务工收入、家庭人口数、技能培训等基本信息，"
         "建立好信息台账，实施动态管理" if district_level else
         f"通过上门走访、电话联系、数据对比方式，全方位摸清核实{place}贫困劳动力就业失业状态、务工收入等基本信息，建立好信息台账，实施动态管理",
         census),
        ("建立用工需求信息库，加强与区内外企业对接，摸清企业用工需求，通过“广西人社服务”微信平台、河池人才网、"
         "村级就业服务窗口等平台动态发布区内外用工企业招聘信息", demand),
    ]
    b.sections.append((
        "二、做好底数摸排，搭建数据平台",
        ["建立“县、乡、村”三级联动机制，开展地毯式排查，收集贫困群众就业需求、创业意愿等信息。"] + _numbered(sec2),
    ))

    # 三、政策补贴
    workshops = _sentence(v, [
        ("共有{workshops.count}扶贫车间已复工", "扶贫车间"),
        "在岗人员{workshops.on_duty}",
        "吸纳贫困劳动力就业{workshops.poor_absorbed}",
    ], lead=f"{place}")
    if not any(_present(v.get(k)) for k in ("workshops.count", "workshops.on_duty", "workshops.poor_absorbed")):
        workshops = ""
    subsidies = _sentence(v, [
        "审核发放企业吸纳建档立卡贫困家庭劳动力就业补贴{subsidy.enterprise_absorption}",
        "审核发放灵活就业社保补贴{subsidy.flexible_social_insurance}",
        ("审核发放就业扶贫车间{subsidy.workshop_reward_workshops}，发放就业扶贫车间带动就业奖补{subsidy.workshop_reward}",
         "发放就业扶贫车间带动就业奖补{subsidy.workshop_reward}"),
        "审核发放重点企业新增岗位社保补贴{subsidy.key_enterprise_social_insurance}",
    ], lead="目前，", sep="；")
    return_pay = _sentence(v, [
        "为外出的贫困劳动力审核发放稳岗补贴{subsidy.job_stability}",
        "审核发放防疫补贴{subsidy.epidemic_prevention}",
        "审核发放一次性交通补贴{subsidy.transport}",
    ], lead="对返岗就业的贫困劳动力给予交通补贴、稳岗就业补贴和防疫补贴，目前")
    transport = _sentence(v, [
        ("开展“点对点”免费输送区内外返工农民工{transport.batches}共计{transport.people}",
         "开展“点对点”免费输送区内外返工农民工{transport.batches}",
         "开展“点对点”免费输送区内外返工农民工{transport.people}"),
        "其中建档立卡贫困劳动力{transport.poor}",
    ])
    total = _sentence(v, ["{subsidy.total}"], lead=f"{year}以来，{place}累计审核发放各类补贴")
    sec3 = [
        ("加大企业复工复产支持", _join(workshops, subsidies)),
        ("加大贫困劳动力返岗复工保障", _join(return_pay, transport)),
    ]
    b.sections.append((
        "三、落实政策补贴，促进稳岗就业",
        [p for p in [total] if p] + _numbered(sec3),
    ))

    # 四、公益岗位
    posts = _sentence(v, [
        ("开发扶贫公益性岗位{posts.poverty.count}，审核发放补贴{posts.poverty.subsidy}", "开发扶贫公益性岗位{posts.poverty.count}",
         "审核发放扶贫公益性岗位补贴{posts.poverty.subsidy}"),
        ("开发临时性公益岗位{posts.temporary.count}，审核发放补贴{posts.temporary.subsidy}", "开发临时性公益岗位{posts.temporary.count}",
         "审核发放临时性公益岗位补贴{posts.temporary.subsidy}"),
    ], lead=f"{year}已", sep="；")
    b.sections.append((
        "四、开发公益岗位，促进就近就业",
        [_join(
            f"{place}对贫困劳动力中因年龄偏大、文化偏低、需照顾家庭无法外出务工等就业困难人员，通过安排扶贫公益性岗位，"
            "开发保洁环卫、巡查员等岗位，采取灵活用工形式，促进就近就地就业，获得一定劳动报酬，实现增收脱贫。",
            posts,
        )],
    ))

    # 五、技能培训
    vocational = _sentence(v, [
        ("由区人社局开展职业培训班{training.vocational.classes}，共培训农村劳动力{training.vocational.person_times}",
         "由区人社局开展职业培训班{training.vocational.classes}", "由区人社局共培训农村劳动力{training.vocational.person_times}"),
        "其中贫困农村劳动力{training.vocational.poor_person_times}",
    ], lead=f"{when}，")
    short = _sentence(v, [
        ("扶贫部门主办的短期技能培训项目已开展{training.short_term.classes}，培训人数{training.short_term.people}",
         "扶贫部门主办的短期技能培训项目已开展{training.short_term.classes}",
         "扶贫部门主办的短期技能培训项目培训人数{training.short_term.people}"),
        ("短期技能培训以奖代补目前已发放补助{training.short_term_reward.people}，补助资金{training.short_term_reward.amount}",
         "短期技能培训以奖代补目前已发放补助{training.short_term_reward.people}",
         "短期技能培训以奖代补目前已发放补助资金{training.short_term_reward.amount}"),
    ], end="；")
    rural = _sentence(v, [
        ("农村实用技术培训共开展{training.rural_practical.classes}", "农村实用技术培训"),
        "培训人数{training.rural_practical.people}",
        "补助资金{training.rural_practical.amount}",
    ], lead=year)
    if not any(_present(v.get(k)) for k in ("training.rural_practical.classes", "training.rural_practical.people", "training.rural_practical.amount")):
        rural = ""
    if short and not rural:
        short = short[:-1] + "。"
    b.sections.append((
        "五、推进技能培训，促进就业增收",
        [_join(
            f"{place}针对贫困劳动力培训意愿，结合岗位实际需要，合理确定课时和设置课程，做到“因人施培、因岗定培”，"
            "切实保证培训的针对性、实用性和有效性，提高就业质量，增加经济收入。",
            vocational, short, rural,
        )],
    ))
    return b


def preview(engine, request: Request) -> list[tuple[str, list[str]]]:
    """The briefing's text for the request's month and place, reading the ledger it reads."""
    with reading(engine, request):
        return briefing_text(engine, request)


def briefing_text(engine, request: Request) -> list[tuple[str, list[str]]]:
    """The briefing as (heading, paragraphs): first the title with the lead paragraph,
    then the five sections of the district's report."""
    b = build(engine, request)
    first = (title_text(b.as_of, b.place), b.sections[0][1])
    return [first] + b.sections[1:]


# --- The table and the charts --------------------------------------------------------

TABLE_KEYS = ["labor.total", "labor.employed", "labor.employment_rate", "labor.poor_employed", "subsidy.total"]
TABLE_HEADER = ["乡镇", "劳动力（人）", "已就业（人）", "就业率（%）", "建档立卡已就业（人）", "补贴发放（万元）"]


def table_rows(engine, request: Request, *, total: dict | None = None) -> list[list[str]]:
    """Header, one row per township of the request's scope (villages of the township),
    and 合计 = the district (township) figures; a district-wide part only when it holds
    something. A village's count below 5 reads <5 for a viewer without personal-data
    rights; the 合计 is the township's own figure."""
    request = scoped(engine, request)
    township = request.township
    by = "village" if township else "township"
    df = q.breakdown(engine, request, TABLE_KEYS, by)
    if total is None:
        total = q.figures(engine, request, TABLE_KEYS).values
    header = list(TABLE_HEADER)
    if township:
        header[0] = "村"
    rows = [header]
    for rec in df.to_dict("records"):
        name = rec["village"] if township else rec["township"]
        if name in (query.DISTRICT_WIDE, query.NO_VILLAGE) and not any(rec[k] for k in TABLE_KEYS if BY_KEY[k].additive):
            continue
        rows.append([name] + [cell_text(BY_KEY[k], rec[k]) for k in TABLE_KEYS])
    rows.append(["合计"] + [cell_text(BY_KEY[k], total.get(k)) for k in TABLE_KEYS])
    return rows


def chart_figures(engine, request: Request) -> list[tuple[str, object]]:
    """(caption, plotly figure) for the catalogue's briefing charts: employment rate by
    township (by village), the monthly trend, and subsidies by type, within the scope."""
    from catalogue import on, render, rendered

    request = scoped(engine, request)
    return [(shown.title, shown.figure) for shown in (render(v, request, rendered(engine)) for v in on("briefing"))]


def images_module():
    """exports.images when it can render (None, reason) otherwise."""
    try:
        from exports import images
    except Exception as exc:  # the module is missing or broken
        return None, f"图表导出模块不可用（{type(exc).__name__}）"
    try:
        reason = images.available()
    except Exception as exc:
        return None, f"图表导出不可用（{type(exc).__name__}）"
    return (images, None) if reason is None else (None, str(reason))


def render_charts(engine, request: Request, *, width_cm: float = 15.5) -> tuple[list[tuple[str, bytes]], str | None]:
    """[(caption, PNG)] of the main charts, or ([], why not)."""
    images, reason = images_module()
    if images is None:
        return [], reason
    try:
        return [(cap, images.png_dpi(fig, dpi=300, width_cm=width_cm)) for cap, fig in chart_figures(engine, request)], None
    except Exception as exc:
        return [], f"图表生成失败（{type(exc).__name__}: {str(exc)[:80]}）"


# --- The docx ------------------------------------------------------------------------

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"


def _fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian fonts of a style or run (python-docx sets only the
    Latin ones; the theme attributes would override both)."""
    from docx.oxml.ns import qn

    rpr = rpr_owner.element.get_or_add_rPr() if hasattr(rpr_owner.element, "get_or_add_rPr") else rpr_owner._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


# Control characters XML 1.0 cannot hold (tab, line feed and carriage return it can):
# python-docx raises ValueError on them, python-pptx writes them as _x0001_.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text) -> str:
    """Text for a Word or PowerPoint file: a name from old data that carries a control
    character (pasted from another system) loses it instead of failing the export."""
    return _NOT_XML.sub("", "" if text is None else str(text))


def _para(doc, text: str, style: str | None = None):
    """A paragraph of text; every text of the briefing goes in here or through ``_run``."""
    return doc.add_paragraph(xml_text(text), style=style)


def _run(paragraph, text: str, east_asia: str, *, size=None, bold=None, latin: str = LATIN_FONT):
    run = paragraph.add_run(xml_text(text))
    _fonts(run, east_asia, latin)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    return run


def _indent_chars(paragraph_format_owner, chars: int) -> None:
    """First-line indent in characters (w:firstLineChars), which Word prefers."""
    from docx.oxml.ns import qn

    ppr = paragraph_format_owner.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = ppr._add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _page_number(section) -> None:
    """— 1 — centred in the footer, in 宋体 14pt (四号) as GB/T 9704 has it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    _run(p, "— ", "宋体", size=Pt(14))
    run = _run(p, "", "宋体", size=Pt(14))
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    inner.append(t)
    fld.append(inner)
    run._r.addnext(fld)
    p._p.append(_run(p, " —", "宋体", size=Pt(14))._r)


def _footer_line(section, text: str) -> None:
    """The watermark line under the page number, on every page, in 宋体 9pt."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = section.footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _no_indent(p)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(p, text, "宋体", size=Pt(9))


def _setup(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _fonts(normal, BODY_FONT)
    pf = normal.paragraph_format
    pf.first_line_indent = Pt(32)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28.9)  # 22 lines to the 225 mm type area
    pf.space_before = pf.space_after = Pt(0)
    _indent_chars(normal, 2)

    heading = doc.styles.add_style("简报一级标题", WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = normal
    heading.font.size = Pt(16)
    heading.font.bold = False
    heading.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(heading, HEADING_FONT)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    heading.element.get_or_add_pPr().append(outline)
    heading.paragraph_format.keep_with_next = True

    title = doc.styles.add_style("简报标题", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = normal
    title.font.size = Pt(22)  # 二号
    title.font.bold = True
    _fonts(title, TITLE_FONT, "Times New Roman")
    tf = title.paragraph_format
    tf.first_line_indent = Pt(0)
    tf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tf.line_spacing = Pt(36)
    tf.space_after = Pt(28.9)
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    tf.alignment = WD_ALIGN_PARAGRAPH.CENTER

    caption = doc.styles.add_style("简报图注", WD_STYLE_TYPE.PARAGRAPH)
    caption.base_style = normal
    caption.font.size = Pt(12)
    _fonts(caption, BODY_FONT)
    cf = caption.paragraph_format
    cf.first_line_indent = Pt(0)
    cf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    cf.space_after = Pt(6)
    _page_number(section)


def _no_indent(paragraph) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph.paragraph_format.first_line_indent = Pt(0)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:
        ind.set(qn("w:firstLineChars"), "0")


def _picture(doc, png: bytes, caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm

    p = doc.add_paragraph()
    _no_indent(p)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact spacing would clip the picture
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=Cm(15.5))
    _para(doc, caption, style="简报图注")


def _table(doc, rows: list[list[str]]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    last = len(rows) - 1
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            p = table.cell(r, c).paragraphs[0]
            _no_indent(p)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if c == 0 or r == 0 else WD_ALIGN_PARAGRAPH.RIGHT
            font = HEADING_FONT if r in (0, last) else BODY_FONT
            _run(p, text, font, size=Pt(10.5))
    # The header row repeats on every page.
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def briefing_docx(engine, request: Request, *, at: dt.datetime | None = None) -> bytes:
    """The briefing as a .docx (A4, GB/T 9704 margins and fonts): title, lead, the five
    sections, the main charts (when charts can be rendered) and the townships' table,
    all within the request's scope; the footer names who made it and when."""
    from docx import Document

    request = scoped(engine, request)
    sections = briefing_text(engine, request)
    township = request.township
    doc = Document()
    _setup(doc)
    _footer_line(doc.sections[0], watermark(request, at))
    title, lead = sections[0]
    _para(doc, title, style="简报标题")
    if reading_recorded():
        _para(doc, "（本简报数字为已报送数据，即报送时的台账，不含之后的更正）", style="简报图注")
    for text in lead:
        _para(doc, text)
    charts, why_not = render_charts(engine, request)
    after = {2: charts[:2], 3: charts[2:]}  # 底数摸排: employment; 政策补贴: subsidies
    for i, (heading, paragraphs) in enumerate(sections[1:], start=1):
        _para(doc, heading, style="简报一级标题")
        for text in paragraphs:
            _para(doc, text)
        for caption, png in after.get(i, []):
            _picture(doc, png, f"图{charts.index((caption, png)) + 1}　{caption}")
    if why_not:
        _para(doc, f"注：本简报未附图表（{why_not}）。", style="简报图注")
    rows = table_rows(engine, request)
    p = _para(doc, f"附表：{place_name(request)}{'各村' if township else '各乡镇'}贫困劳动力就业情况", style="简报一级标题")
    _no_indent(p)
    _table(doc, rows)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
