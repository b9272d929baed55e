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


def format_markdown() -> str:
    """The format as a Chinese Markdown document, from the same spec the loader reads;
    docs/台账格式.md is this text (a test keeps the two equal)."""
    lines = [
        "# 台账工作簿格式",
        "",
        "本文件由 `python -m ledger format-doc` 根据程序实际使用的格式定义生成，请勿手工修改。",
        "",
        "## 通用规则",
        "- 一个工作簿（.xlsx / .xls）每张表一个工作表，按名称或别名识别；也可每张表一个CSV文件（UTF-8、带BOM的UTF-8、GBK或GB18030），文件名与表名相同。",
        "- 表头可以使用下列任一名称；全角/半角括号、空格、换行、表示必填的“*”均不影响识别。表头上方最多可有3行标题，“序号”列会被忽略，不认识的列会提示但不影响导入。",
        "- 证件号码必须是文本格式的18位公民身份号码（校验码正确）。被Excel存成数字的号码末几位已丢失，会被拒绝。",
        "- 金额以元为单位；表头写“金额（万元）”时按万元填写，导入时精确换算。",
        "- 日期可写作 2020-03-15、2020/3/15、2020年3月15日，或Excel日期；月份可写作 2020-09、2020年9月、202009。",
        "- 乡镇可省略“镇/乡/瑶族乡”后缀（如“福龙”），旧名按行政区划表中的别名识别。",
        "- 每一行属于一个月份：快照表按“统计时点”，事件表按日期所在月份。导入时只替换文件中包含的（表，月份），被替换的数据保留为历史版本，可以恢复。同一文件重复导入不会产生变化。乡镇只报送本乡镇的工作簿时，可选“只替换文件中的乡镇”（数据导入页，或命令行 `import --by-township`）：有乡镇列的表在这些月份只替换文件中出现的乡镇，其他乡镇的数据原样保留。",
        "- 任何一处错误都会使整个文件不被导入，数据库保持不变；错误会指出工作表、Excel行号、列名和值。",
        "",
    ]
    period_text = {"month": "快照：每月一行，按“统计时点”", "event": "事件：按日期所在月份", "year": "按年度替换", "none": "整表替换"}
    for sheet in SHEETS:
        lines += [f"## {sheet.name}", ""]
        if sheet.aliases:
            lines.append(f"工作表别名：{'、'.join(sheet.aliases)}。")
        lines += [f"类型：{period_text[sheet.period]}。", "", "| 列名 | 也可写作 | 必填 | 说明 |", "|---|---|---|---|"]
        for col in sheet.columns:
            note = _note(col).replace("\n", "；")
            aliases = "、".join(col.aliases)
            lines.append(f"| {col.header} | {aliases} | {'是' if col.required else ''} | {note} |")
            if col.value_aliases:
                mapped = "、".join(f"{k}→{v}" for k, v in col.value_aliases.items())
                lines.append(f"| | | | 值的别名：{mapped} |")
        lines.append("")
    return "\n".join(lines)
