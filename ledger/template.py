"""An empty ledger workbook for township staff: every sheet with its headers, a note
on each header, and drop-down lists for the enumerations, all from loaders.spec."""

from __future__ import annotations

from pathlib import Path

from loaders import OPTIONS_SHEET
from loaders.spec import SHEETS, Column
from loaders.townships import DEFAULT_TOWNSHIPS

FONT = "宋体"
KIND_NOTES = {
    "text": "文本",
    "id": "18位公民身份号码，请设为文本格式（否则Excel会丢失末几位）",
    "month": "月份，如 2020-09 或 2020年9月",
    "date": "日期，如 2020-03-15",
    "int": "整数",
    "money": "金额（元），最多两位小数；表头写“金额（万元）”时按万元填写",
    "enum": "从下拉列表中选择",
    "yesno": "从下拉列表中选择",
    "phone": "11位手机号码",
    "township": "乡镇名称，可省略“镇/乡/瑶族乡”",
    "year": "年度，如 2020",
    "number": "数值；比率填百分数，如 90",
}
LIST_SHEET = OPTIONS_SHEET
ROWS_WITH_LISTS = 5000


def _note(col: Column) -> str:
    lines = [KIND_NOTES[col.kind] + ("（必填）" if col.required else "")]
    if col.values:
        lines.append("可选：" + "、".join(col.values))
    if col.aliases:
        lines.append("也可写作：" + "、".join(col.aliases))
    if col.minimum is not None or col.maximum is not None:
        lo = "" if col.minimum is None else f"≥{col.minimum:g}"
        hi = "" if col.maximum is None else f"≤{col.maximum:g}"
        lines.append("范围：" + " ".join(x for x in (lo, hi) if x))
    if col.note:
        lines.append(col.note)
    return "\n".join(lines)


def _choices(col: Column) -> tuple[str, ...]:
    if col.kind == "township":
        return tuple(t.name for t in DEFAULT_TOWNSHIPS)
    if col.kind == "yesno":
        return col.values or ("是", "否")
    return col.values


def write_template(path: str | Path) -> Path:
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "font_name": FONT, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    req = book.add_format({"bold": True, "font_name": FONT, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True})
    text = book.add_format({"num_format": "@", "font_name": FONT})
    date = book.add_format({"num_format": "yyyy-mm-dd", "font_name": FONT})
    plain = book.add_format({"font_name": FONT})
    option_columns: list[tuple[str, tuple[str, ...]]] = []
    for sheet in SHEETS:
        ws = book.add_worksheet(sheet.name)
        ws.freeze_panes(1, 0)
        for c, col in enumerate(sheet.columns):
            ws.write_string(0, c, col.header + ("*" if col.required else ""), req if col.required else head)
            ws.write_comment(0, c, _note(col), {"x_scale": 2, "y_scale": 2, "font_name": FONT})
            fmt = text if col.kind in ("id", "phone", "text", "month") else date if col.kind == "date" else plain
            ws.set_column(c, c, max(10, 2.2 * len(col.header) + 2) if col.kind != "id" else 22, fmt)
            choices = _choices(col)
            if choices:
                letter = xlsxwriter.utility.xl_col_to_name(len(option_columns))
                option_columns.append((f"{sheet.name}.{col.header}", choices))
                ref = f"='{LIST_SHEET}'!${letter}$2:${letter}${len(choices) + 1}"
                ws.data_validation(
                    1, c, ROWS_WITH_LISTS, c,
                    {"validate": "list", "source": ref, "error_title": "请从下拉列表选择", "error_message": "、".join(choices)[:255]},
                )
        ws.set_row(0, 32)
    lists = book.add_worksheet(LIST_SHEET)  # last, hidden: the drop-downs' sources
    for i, (title, choices) in enumerate(option_columns):
        lists.write_string(0, i, title)
        lists.write_column(1, i, choices)
    lists.hide()
    book.close()
    return path
