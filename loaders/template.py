"""An empty ledger workbook for township staff: every sheet with its headers, a note
on each header, and drop-down lists for the enumerations, all from loaders.spec."""

from __future__ import annotations

from pathlib import Path

from loaders import OPTIONS_SHEET, limits
from loaders.spec import MAX_HEADCOUNT, MAX_MONTHLY_INCOME, MAX_PAYMENT, SHARED_ALIASES, SHEETS, Column
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
RULES_SHEET = "填表说明"  # skipped on import, as every sheet of notes is

# How the importer reads a workbook as staff really write it (shared/ledger-format.md,
# "How staff really write it"): in the template's 填表说明 sheet and in docs/台账格式.md.
STAFF_RULES = (
    "同一列在各张表中使用同一套名称：如“身份证号”“身份证号码”“公民身份号码”都是证件号码，“行政村”“所在村”“所属村”“村（社区）”都是村，"
    "“乡镇名称”“所在乡镇”“所属乡镇”都是乡镇。表头后面括号里的说明不影响识别（如“身份证号码（18位）”“姓名（必填）”）；"
    "括号里的单位（元、万元、人、月）会被采用，例如“金额（万元）”按万元换算，与该列不符的单位（如“务工时间（年）”）会被拒绝。",
    "合计、总计、小计、累计行（写在“序号”、本行第一个文字单元格或姓名等名称单元格中）不是数据：导入时跳过并列出"
    "（如“第63行为合计行，已跳过”），无论其他列填了什么都不计入；合计数与各行之和不一致时给出提示。表格下方以"
    "填表人、审核人、负责人、联系人、填报单位、填报日期、制表、单位（盖章）开头的落款行同样跳过。",
    "合并单元格按屏幕上看到的读取：向下合并的值（如乡镇、村、户编号、务工区域）属于合并范围内的每一行；"
    "合并到最后一人以下的空白行不算数据。跨两列以上的合并数据单元格无法判断属于哪一列，会被拒绝。"
    "两行表头（如“就业情况”合并在“是否就业”“就业方式”“务工区域”上方）按下面一行的列名识别。",
    "快照表（劳动力就业台账、扶贫车间台账）可以没有“统计时点”列，此时月份依次从标题行（如“宜州区贫困劳动力就业台账（2020年9月）”）、"
    "工作表名（如“2020年9月”）、文件名（如“庆远镇2020年9月台账.xlsx”）中读取，并在导入前列出取自何处。"
    "月份可写作 2020-09、2020年9月、2020年9月份、二〇二〇年九月、20年9月；只写“9月”“9月份”时，年份从上述位置读取，都没有年份则报错。"
    "“填报日期”是填表的日子，不是统计月份。标题写的月份与“统计时点”列完全对不上（例如从上月文件复制后只改了标题）时会被拒绝。",
    "工作表名不是表名时（如“Sheet1”“公益岗”“培训”“补贴”），按表头识别是哪张表，并在导入前说明。"
    "看起来是台账（有证件号码、乡镇、姓名或日期列，且下面有数据）却对不上任何一张表的工作表会报错，不会被悄悄忽略；"
    "“说明”“填表说明”等说明页和没有证件号码列的“汇总”表会跳过并说明。同一张表出现在两个工作表中会报错。",
    f"不可能的数值会被拒绝（多为把一列数据错贴到相邻列）：数值列中15位以上的数字（疑似证件号码或电话）、"
    f"月收入超过{MAX_MONTHLY_INCOME:,}元、人数超过{MAX_HEADCOUNT:,}、单笔金额超过{MAX_PAYMENT:,}元。"
    "没有计算结果的公式（请在Excel或WPS中打开并保存后再导入）和#N/A、#DIV/0!、#VALUE!、#REF!等错误值都会指出所在单元格。"
    "零宽空格、BOM等看不见的字符在检查前去掉。",
    "村名和行政区划表中的乡镇名称不能含有 < > [ ] { } 或控制字符（这些字符可能被当作网页代码）。",
    "每条提示都指出文件、工作表、Excel行号、列字母和表头；重复的证件号码会指出与之重复的另一行。"
    "文件被拒绝时，警告和推断说明也一并列出，一次就能改完。",
    f"为保护服务器，单个工作表最多{limits.MAX_ROWS:,}行、{limits.MAX_COLUMNS}列；一次最多上传{limits.MAX_FILES}个文件、"
    f"合计{limits.MAX_UPLOAD_BYTES // limits.MB} MB；超出时会说明原因而不读取。",
)


def _note(col: Column) -> str:
    lines = [KIND_NOTES[col.kind] + ("（必填）" if col.required else "")]
    if col.values:
        lines.append("可选：" + "、".join(col.values))
    if aliases := _aliases(col):
        lines.append("也可写作：" + "、".join(aliases))
    if col.minimum is not None or col.maximum is not None:
        lo = "" if col.minimum is None else f"≥{col.minimum:g}"
        hi = "" if col.maximum is None else f"≤{col.maximum:g}"
        lines.append("范围：" + " ".join(x for x in (lo, hi) if x))
    if col.note:
        lines.append(col.note)
    return "\n".join(lines)


def _aliases(col: Column) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*col.aliases, *SHARED_ALIASES.get(col.header, ()))))


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
    rules = book.add_worksheet(RULES_SHEET)
    rules.set_column(0, 0, 120, book.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"}))
    rules.write_string(0, 0, "填表说明（本页不会被导入）", head)
    for i, rule in enumerate(STAFF_RULES, start=1):
        rules.write_string(i, 0, f"{i}. {rule}")
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
        "- 一个工作簿（.xlsx / .xls / .ods）每张表一个工作表，按名称或别名识别；也可每张表一个CSV文件（UTF-8、带BOM的UTF-8、GBK或GB18030），文件名与表名相同。",
        "- 表头可以使用下列任一名称；全角/半角括号、空格、换行、表示必填的“*”均不影响识别。表头上方最多可有3行标题，“序号”列会被忽略，不认识的列会提示但不影响导入。",
        "- 证件号码必须是文本格式的18位公民身份号码（校验码正确）。被Excel存成数字的号码末几位已丢失，会被拒绝。",
        "- 金额以元为单位；表头写“金额（万元）”时按万元填写，导入时精确换算。",
        "- 日期可写作 2020-03-15、2020/3/15、2020年3月15日，或Excel日期；月份可写作 2020-09、2020年9月、2020年9月份、二〇二〇年九月、20年9月、202009。",
        "- 乡镇可省略“镇/乡/瑶族乡”后缀（如“福龙”），旧名按行政区划表中的别名识别。",
        "- 每一行属于一个月份：快照表按“统计时点”，事件表按日期所在月份。导入时只替换文件中包含的（表，月份），被替换的数据保留为历史版本，可以恢复。同一文件重复导入不会产生变化。乡镇只报送本乡镇的工作簿时，可选“只替换文件中的乡镇”（数据导入页，或命令行 `import --by-township`）：有乡镇列的表在这些月份只替换文件中出现的乡镇，其他乡镇的数据原样保留。",
        "- 任何一处错误都会使整个文件不被导入，数据库保持不变；错误会指出文件、工作表、Excel行号、列字母、列名和值。",
        "",
        "## 乡镇实际填写时的情况：系统如何读取",
        "系统按填表人在屏幕上看到的样子读取；拿不准时拒绝导入，并说明看到了什么、应改什么。推断或跳过的内容在导入前列出，由导入人核对确认，并记入导入记录。",
        "",
        *[f"- {rule}" for rule in STAFF_RULES],
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
            aliases = "、".join(_aliases(col))
            lines.append(f"| {col.header} | {aliases} | {'是' if col.required else ''} | {note} |")
            if col.value_aliases:
                mapped = "、".join(f"{k}→{v}" for k, v in col.value_aliases.items())
                lines.append(f"| | | | 值的别名：{mapped} |")
        lines.append("")
    return "\n".join(lines)
