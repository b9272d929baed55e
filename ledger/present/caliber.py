"""口径: the one line that says where a set of figures comes from, its cut-off, what is a
month's snapshot and what is counted since 1 January, and whose figures they are. The
page caption, a chart's download, the 简报与导出 Excel and the briefing all print it.
Beside it every exported file carries the watermark line: who made it and when."""

from __future__ import annotations

import datetime as dt

from ledger.present.format import date_label, moment, month_label
from ledger.query.request import Request
from ledger.store.figures import figure
from ledger.store.versions import reading_recorded
from loaders.spec import SHEETS_BY_KEY

SOURCE = "宜州区贫困劳动力就业台账"
NAMES = {"labor": "劳动力", "workshops": "扶贫车间", "posts": "岗位", "training": "培训", "subsidies": "补贴",
         "demand": "用工", "transport": "输送"}
# Every sheet a page's figures may come from, in the order the line names them.
ALL_SHEETS = tuple(NAMES)


def sheets_of(keys) -> list[str]:
    """The sheets a set of figures reads, parts of ratios included."""
    out: list[str] = []
    for k in keys:
        fig = figure(k)
        for f in [figure(p) for p in fig.parts] if fig.parts else [fig]:
            if f.table not in out:
                out.append(f.table)
    return out


def basis_text(request: Request) -> str:
    """当前数据, or 已报送数据 with who reported it and when (when the request knows)."""
    if request.basis is None:
        return "已报送数据（报送时的台账，不含之后的更正）" if reading_recorded() else "当前数据"
    b = request.basis
    return f"已报送数据（{b.frozen_by}于{moment(b.frozen_at)}报送，不含之后的更正）"


def caliber(request: Request, *, sheets=ALL_SHEETS, scope_text: str | None = None) -> str:
    """数据来源：宜州区贫困劳动力就业台账，截至2020年9月30日；劳动力、扶贫车间为2020年9月
    统计时点数据；补贴、培训…为2020年1月1日起累计；范围：宜州区，全部劳动力。"""
    scope_text = scope_text or request.place
    as_of = request.as_of
    if as_of is None:
        return f"数据来源：{SOURCE}（尚无数据）；范围：{scope_text}。"
    parts = [f"数据来源：{SOURCE}，截至{date_label(as_of)}"]
    if request.basis is not None or reading_recorded():
        parts.insert(0, basis_text(request))
    snapshot = [s for s in sheets if SHEETS_BY_KEY[s].period == "month"]
    events = [s for s in sheets if s not in snapshot and s in NAMES]
    if snapshot:
        parts.append(f"{'、'.join(NAMES[s] for s in snapshot)}为{month_label(as_of)}统计时点数据")
    if events:
        parts.append(f"{'、'.join(NAMES[s] for s in events)}为{as_of.year}年1月1日起累计")
    who = "建档立卡贫困劳动力" if request.poor_only else "全部劳动力"
    parts.append(f"范围：{scope_text}，{who}")
    return "；".join(parts) + "。"


COMMAND_LINE = "命令行"


def watermark(request: Request, at: dt.datetime | None = None) -> str:
    """导出：张三（zhangsan，区领导）　2020-10-08 09:30: the account a file was made for
    (``request.viewer``; none is the command line) and when, on every exported file,
    so a copy passed on says whose it was."""
    when = (at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    return f"导出：{request.viewer or COMMAND_LINE}\u3000{when}"
