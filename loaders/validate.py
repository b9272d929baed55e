"""From raw cells to canonical tables, collecting every problem at once.

Each check works on a whole column and reports the rows it fails, with the sheet,
the row number as Excel shows it, the header as the clerk wrote it and the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from . import idcard, values
from .read import RawSheet
from .spec import AMBIGUOUS_VALUES, PART_OF_TOTAL, SHEETS, VILLAGE, Column, Sheet
from .townships import TownshipResolver, fold

MOBILE = re.compile(r"1[3-9]\d{9}")
HEADER_SEARCH_ROWS = 4  # the header row and up to 3 title rows above it
IGNORED_HEADERS = {"序号", "编号"}

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True)
class Problem:
    level: str
    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        col = f"“{self.column}”列" if self.column else ""
        val = f"值“{self.value}”：" if self.value else ""
        return f"[{self.level}] 工作表“{self.sheet}”{where}{col}：{val}{self.message}"


@dataclass
class SheetResult:
    spec: Sheet
    sheet_name: str
    frame: pd.DataFrame  # canonical columns + "period" + "source_row"
    headers: dict[str, str] = field(default_factory=dict)  # column key → header as written
    unknown_columns: list[str] = field(default_factory=list)


class Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, level, sheet, row, column, value, message) -> None:
        self.items.append(Problem(level, sheet, row, column, "" if value is None else str(value), message))

    def rows(self, level, sheet, column, cells: pd.Series, reasons) -> None:
        """One problem per row of ``cells`` (index = Excel row); ``reasons`` str or Series."""
        for row, value in cells.items():
            reason = reasons if isinstance(reasons, str) else reasons[row]
            self.add(level, sheet, int(row), column, value, reason)


def _norm_header(text) -> str:
    return fold(str(text)).rstrip("*＊")


_MONEY_UNIT = re.compile(r"\((?:万?元)\)$")


def header_lookup(sheet: Sheet) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.header, *col.aliases):
            table.setdefault(_norm_header(name), col)
    # A money header may carry its unit or not: 月工资（元）, 发放金额（万元）, 金额 all name
    # their column (the unit decides the conversion, see _parse_column).
    for col in sheet.columns:
        if col.kind != "money":
            continue
        for name in (col.header, *col.aliases):
            base = _MONEY_UNIT.sub("", _norm_header(name))
            for variant in (base, f"{base}(元)", f"{base}(万元)"):
                table.setdefault(variant, col)
    return table


def match_sheet(name: str) -> Sheet | None:
    """The sheet a tab or CSV file name stands for: exact name or alias, else contained."""
    folded = fold(name)
    for sheet in SHEETS:
        if folded in {fold(n) for n in (sheet.name, *sheet.aliases)}:
            return sheet
    best: tuple[int, Sheet] | None = None
    for sheet in SHEETS:
        for n in (sheet.name, *sheet.aliases):
            if fold(n) in folded and (best is None or len(n) > best[0]):
                best = (len(n), sheet)
    return best[1] if best else None


def _find_header(raw: RawSheet, lookup: dict[str, Column]) -> int | None:
    for r in raw.cells.index[:HEADER_SEARCH_ROWS]:
        cells = raw.cells.loc[r].dropna()
        hits = {lookup[h].key for h in map(_norm_header, cells) if h in lookup}
        if len(hits) >= 2 or (hits and len(lookup) <= 2):
            return r
    return None


def validate_sheet(raw: RawSheet, spec: Sheet, resolver: TownshipResolver, problems: Problems) -> SheetResult | None:
    name = raw.name
    lookup = header_lookup(spec)
    header_row = _find_header(raw, lookup)
    if header_row is None:
        problems.add(ERROR, name, None, "", None, f"前{HEADER_SEARCH_ROWS}行中找不到表头（应含“{spec.columns[0].header}”等列名）")
        return None
    headers: dict[str, str] = {}
    positions: dict[str, object] = {}
    unknown: list[str] = []
    for pos, cell in raw.cells.loc[header_row].items():
        written = values.cell_text(cell)
        if written is None:
            continue
        key = _norm_header(written)
        if key in IGNORED_HEADERS:
            continue
        col = lookup.get(key)
        if col is None:
            unknown.append(written)
        elif col.key in headers:
            problems.add(ERROR, name, header_row, written, None, f"与“{headers[col.key]}”是同一列，请删去其中一列")
        else:
            headers[col.key] = written
            positions[col.key] = pos
    for col in spec.columns:
        if col.required and col.key not in headers:
            problems.add(ERROR, name, header_row, f"{col.header}*", None, "缺少必填列")
    if unknown:
        problems.add(WARNING, name, header_row, "、".join(unknown), None, "未识别的列，已忽略")

    if any(c.required and c.key not in headers for c in spec.columns):
        return None
    body = raw.cells.loc[header_row + 1 :]
    texts = {key: values.to_text(body[pos]) for key, pos in positions.items()}
    # A row is blank when none of the columns we read holds anything ("" counts as blank).
    keep = pd.DataFrame(texts).notna().any(axis=1) if texts else pd.Series(False, index=body.index)
    body = body[keep]
    texts = {key: text[keep] for key, text in texts.items()}

    columns: dict[str, pd.Series] = {}
    filled: dict[str, pd.Series] = {}  # column key → the cell is not blank (its value may be invalid)
    for col in spec.columns:
        if col.key not in headers:
            columns[col.key] = pd.Series(pd.NA, index=body.index, dtype="object")
            continue
        cells, text = body[positions[col.key]], texts[col.key]
        columns[col.key] = _parse_column(cells, text, col, headers[col.key], name, resolver, problems)
        filled[col.key] = text.notna()
        if col.required:
            missing = columns[col.key].isna() & text.isna()
            if missing.any():
                problems.rows(ERROR, name, headers[col.key], cells[missing].fillna(""), "必填项为空")
    out = pd.DataFrame(columns, index=body.index)
    _check_rows(out, spec, headers, name, problems, filled)
    out["period"] = _period(out, spec)
    out["source_row"] = out.index.astype("int64")
    return SheetResult(spec, name, out.reset_index(drop=True), headers, unknown)


def _parse_column(
    cells: pd.Series, text: pd.Series, col: Column, header: str, sheet: str, resolver, problems: Problems
) -> pd.Series:
    present = text.dropna()
    report = lambda bad, reasons, level=ERROR: problems.rows(level, sheet, header, text[bad[bad].index], reasons)  # noqa: E731
    kind = col.kind

    if kind == "id":
        raw = cells[present.index]
        ids, reason = idcard.validate(present)
        reason[values.is_number_cell(raw)] = idcard.REASON_MANGLED
        # to_text drops a trailing ".0", which is exactly what marks "451203…000.0" as a number
        as_written = values.per_unique(raw, lambda v: bool(idcard.MANGLED.fullmatch(str(v).strip())))
        reason[as_written.astype(bool)] = idcard.REASON_MANGLED
        report(reason.notna(), reason)
        return ids.where(reason.isna()).reindex(text.index)
    if kind == "township":
        mapping = resolver.mapping()
        mapped = values.per_unique(present, lambda v: mapping.get(values.fold_text(v)))
        bad = mapped.isna()
        report(bad, f"未知乡镇（应为{'、'.join(resolver.names)}之一）")
        return mapped.reindex(text.index)
    if kind in ("enum", "yesno"):
        allowed = col.values or (("是", "否") if kind == "yesno" else ())
        table = {fold(v): v for v in allowed} | {fold(k): v for k, v in col.value_aliases.items()}
        if kind == "yesno" and allowed == ("有", "无"):
            table |= {"是": "有", "否": "无"}
        folded = values.fold_values(present)
        mapped = folded.map(table)
        ambiguous = AMBIGUOUS_VALUES.get(col.key, {})
        amb = folded.isin(list(ambiguous))
        if amb.any():
            report(amb, folded[amb].map(ambiguous))
        bad = mapped.isna() & ~amb
        report(bad, f"不是允许的值（应为{'、'.join(allowed)}之一）")
        if kind == "yesno":
            mapped = mapped.map({"是": True, "有": True, "否": False, "无": False})
        return mapped.reindex(text.index)
    if kind == "phone":
        digits = values.per_unique(present, lambda v: re.sub(r"[-－]", "", values.fold_text(v)))
        bad = ~values.per_unique(digits, lambda v: bool(MOBILE.fullmatch(v))).astype(bool)
        report(bad, "手机号码应为11位", WARNING)
        return digits.reindex(text.index)
    if kind == "text":
        return values.fold_values(text) if col.key == VILLAGE else values.clean_text(text)

    parser = {
        "month": values.parse_month,
        "date": values.parse_date,
        "year": values.parse_year,
        "int": values.parse_int,
        "number": values.parse_number,
        "money": values.money_parser("万元" in fold(header)),
    }[kind]
    parsed, reason = values.by_unique(present, parser)
    if kind == "month":
        # Excel turns a typed 2020.10 into the number 2020.1: October or January?
        cell = cells[present.index]
        numeric = values.per_unique(cell, lambda v: isinstance(v, float) and bool(re.fullmatch(r"\d{4}\.1", repr(v))))
        numeric = numeric.astype(bool)
        reason[numeric] = present[numeric].map(
            lambda t: f"月份“{t}”有歧义（Excel会把2020.10存成数字2020.1），请写成 {t[:4]}-10 或 {t[:4]}-01"
        )
    report(reason.notna(), reason)
    parsed = parsed.where(reason.isna())
    if kind in ("int", "money", "year"):
        parsed = pd.to_numeric(parsed).astype("Int64")
    if col.minimum is not None or col.maximum is not None:
        scale = 100 if kind == "money" else 1
        numbers = pd.to_numeric(parsed, errors="coerce") / scale
        low = numbers < col.minimum if col.minimum is not None else pd.Series(False, index=numbers.index)
        high = numbers > col.maximum if col.maximum is not None else pd.Series(False, index=numbers.index)
        if kind == "money" and col.key == "amount":
            low = numbers <= 0
            report(low, "金额应大于0")
        elif col.minimum is not None:
            report(low, f"不能小于{col.minimum:g}")
        if col.maximum is not None:
            report(high, f"不能大于{col.maximum:g}")
        parsed = parsed.where(~(low | high))
    return parsed.reindex(text.index)


def _check_rows(
    out: pd.DataFrame,
    spec: Sheet,
    headers: dict[str, str],
    sheet: str,
    problems: Problems,
    filled: dict[str, pd.Series] | None = None,
) -> None:
    """Rules that span columns: duplicates, part ≤ total, conditional requirements.

    A conditional requirement is reported only for a blank cell: an invalid value
    already has its own error."""
    h = lambda key: headers.get(key, spec.column(key).header)  # noqa: E731
    filled = filled or {}
    blank = lambda key: ~filled[key] if key in filled else pd.Series(True, index=out.index)  # noqa: E731
    if spec.unique:
        keys = list(spec.unique) + (["month"] if spec.period == "month" else [])
        keys += ["year"] if spec.period == "year" else []
        sub = out[keys].dropna()
        dup = sub.duplicated(keep=False)
        if dup.any():
            first = sub[dup].reset_index().groupby(keys, dropna=False)["index"].transform("min")
            first.index = sub[dup].index
            col = spec.unique[0]
            for row, value in sub[dup][col].items():
                where = "同一月份" if spec.period == "month" else "表中"
                problems.add(ERROR, sheet, int(row), h(col), value, f"{where}重复（与第{int(first[row])}行相同）")
    if spec.key in PART_OF_TOTAL:
        part, total = PART_OF_TOTAL[spec.key]
        over = pd.to_numeric(out[part]) > pd.to_numeric(out[total])
        problems.rows(ERROR, sheet, h(part), out.loc[over.fillna(False), part], f"不能大于“{h(total)}”")
    if spec.key == "labor":
        employed = out["employed"] == "已就业"
        no_mode = employed & out["mode"].isna() & blank("mode")
        problems.rows(ERROR, sheet, h("mode"), out.loc[no_mode, "mode"].fillna(""), "已就业人员必须填写就业方式")
        derived = idcard.sex_of(out["id_number"].fillna(""))
        if "sex" in headers:
            clash = out["sex"].notna() & derived.notna() & (out["sex"] != derived)
            problems.rows(WARNING, sheet, h("sex"), out.loc[clash, "sex"], "性别与证件号码不符")
        out["sex"] = out["sex"].fillna(derived)
    if spec.key == "subsidies":
        person = out["recipient_type"] == "个人"
        missing = person & out["id_number"].isna() & blank("id_number")
        problems.rows(ERROR, sheet, h("id_number"), out.loc[missing, "id_number"].fillna(""), "对象类型为个人时必须填写证件号码")


def _period(out: pd.DataFrame, spec: Sheet) -> pd.Series:
    if spec.period == "month":
        return out[spec.period_column]
    if spec.period == "event":
        dates = pd.to_datetime(out[spec.period_column], errors="coerce")
        return dates.dt.strftime("%Y-%m")
    if spec.period == "year":
        return out["year"].map(lambda y: None if pd.isna(y) else f"{int(y):04d}")
    return pd.Series("", index=out.index)
