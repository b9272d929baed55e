"""From raw cells to canonical tables, collecting every problem at once.

The sheet is read as the clerk sees it (see ``shared/ledger-format.md``, "How staff
really write it"): the header may be two rows, a bracketed note after a header is
not part of it, totals rows and signature footers are skipped and said so, the month
of a snapshot sheet may stand in its title. Each check works on a whole column and
reports the rows it fails, with the file, the sheet, the row number and column letter
as Excel shows them, the header as the clerk wrote it and the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import idcard, values
from .read import RawSheet, letter
from .spec import AMBIGUOUS_VALUES, NAME_COLUMNS, PART_OF_TOTAL, SHARED_ALIASES, SHEETS, VILLAGE, Column, Sheet
from .townships import TownshipResolver, fold

MOBILE = re.compile(r"1[3-9]\d{9}")
HEADER_SEARCH_ROWS = 4  # the header row and up to 3 title rows above it (a two-row header may reach row 5)
IGNORED_HEADERS = {"序号", "编号"}

ERROR = "错误"
WARNING = "警告"
NOTE = "说明"  # what the reader inferred or skipped: shown so the clerk confirms it


@dataclass(frozen=True)
class Problem:
    level: str
    sheet: str
    row: int | None
    column: str  # the header as the clerk wrote it
    value: str
    message: str
    file: str = ""
    letter: str = ""  # the column as Excel names it (A, B, …, AA)

    @property
    def where(self) -> str:
        """文件“a.xlsx”工作表“劳动力就业台账”第3行E列“证件号码”: the cell as Excel shows it."""
        parts = [f"文件“{self.file}”"] if self.file else []
        if self.sheet and (not self.file or self.sheet != Path(self.file).stem or not _is_csv(self.file)):
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.letter:
            parts.append(f"{self.letter}列" + (f"“{self.column}”" if self.column else ""))
        elif self.column:
            parts.append(f"“{self.column}”列")
        return "".join(parts)

    @property
    def said(self) -> str:
        """A notice as the clerk reads it: its file and sheet (unless the message names the
        sheet), then what it says (a row's message names the row)."""
        place = f"文件“{self.file}”" if self.file else ""
        named = f"工作表“{self.sheet}”" in self.message or (_is_csv(self.file) and self.sheet == Path(self.file).stem)
        if self.sheet and not named:
            place += f"工作表“{self.sheet}”"
        return f"{place}：{self.message}" if place else self.message

    def __str__(self) -> str:
        val = f"值“{self.value}”：" if self.value else ""
        return f"[{self.level}] {self.where}：{val}{self.message}"


def _is_csv(name: str) -> bool:
    return Path(name).suffix.lower() in (".csv", ".txt")


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

    def add(self, level, sheet, row, column, value, message, *, file: str = "", letter: str = "") -> None:
        self.items.append(Problem(level, sheet, row, column, "" if value is None else str(value), message, file, letter))

    def rows(self, level, sheet, column, cells: pd.Series, reasons, *, file: str = "", letter: str = "") -> None:
        """One problem per row of ``cells`` (index = Excel row); ``reasons`` str or Series."""
        for row, value in cells.items():
            reason = reasons if isinstance(reasons, str) else reasons[row]
            self.add(level, sheet, int(row), column, value, reason, file=file, letter=letter)


# --- Headers ------------------------------------------------------------------------------

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "<": "(", ">": ")"})
_NOTE = re.compile(r"^(.+?)\(([^()]*)\)$")
# Units a header may carry in brackets, kept and applied; any other bracketed text is a note.
UNITS = {"元": "money", "万元": "money", "人": "count", "人次": "count", "个": "count", "户": "count", "月": "months",
         "年": "other", "天": "other", "日": "other", "千元": "other", "%": "rate"}
_ACCEPTS = {"money": {"元", "万元"}, "months": {"月"}, "count": {"人", "人次", "个", "户"}, "rate": {"%"}}
_MONEY_UNIT = re.compile(r"\((?:万?元)\)$")


def norm_header(text) -> str:
    """The form headers are compared in: NFKC, no whitespace or invisible characters,
    no required-mark ``*``, every kind of bracket as ``()``."""
    return fold(values.visible(str(text))).translate(_BRACKETS).strip("*＊")


def _column_unit(col: Column) -> str:
    if col.kind == "money":
        return "money"
    if col.key == "work_months":
        return "months"
    if col.kind == "int":
        return "count"
    if col.kind == "number":
        return "rate"
    return ""


def header_lookup(sheet: Sheet) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.header, *col.aliases, *SHARED_ALIASES.get(col.header, ())):
            table.setdefault(norm_header(name), col)
    # A money header may carry its unit or not: 月工资（元）, 发放金额（万元）, 金额 all name
    # their column (the unit decides the conversion, see _parse_column).
    for col in sheet.columns:
        if col.kind != "money":
            continue
        for name in (col.header, *col.aliases):
            base = _MONEY_UNIT.sub("", norm_header(name))
            for variant in (base, f"{base}(元)", f"{base}(万元)"):
                table.setdefault(variant, col)
    return table


def resolve_header(written: str, lookup: dict[str, Column]) -> tuple[Column | None, str, str]:
    """(column, unit written in brackets or "", problem or ""): ``身份证号码（18位）`` is
    证件号码 with a note; ``金额（万元）`` keeps its unit; a unit the column cannot take
    (``务工时间（年）``) is a problem, never silently dropped."""
    key = norm_header(written)
    if key in lookup:
        m = _NOTE.match(key)
        return lookup[key], (m[2] if m and m[2] in UNITS else ""), ""
    base, unit = key, ""
    while (m := _NOTE.match(base)) and base not in lookup:
        base, note = m[1], m[2]
        if note in UNITS and not unit:
            unit = note
    col = lookup.get(base)
    if col is None:
        return None, "", ""
    if unit and unit not in _ACCEPTS.get(_column_unit(col), set()):
        return col, unit, f"单位“{unit}”与该列不符（“{col.header}”应为{_unit_wanted(col)}）"
    return col, unit, ""


def _unit_wanted(col: Column) -> str:
    return {"money": "元或万元", "months": "月", "count": "人或个", "rate": "百分数"}.get(_column_unit(col), "不带单位")


def _row_texts(raw: RawSheet, r: int) -> dict[int, str]:
    out = {}
    for pos, cell in raw.cells.loc[r].items():
        text = values.cell_text(cell)
        if text is not None:
            out[pos] = text
    return out


@dataclass
class Header:
    """Where a table's header is and what each column is."""

    rows: tuple[int, ...]  # Excel rows (two for a two-row header)
    positions: dict[str, int]  # column key → position
    written: dict[str, str]  # column key → header as written
    units: dict[str, str]  # column key → unit written in brackets
    unknown: list[tuple[int, str]]
    ignored: dict[str, int]  # 序号 / 编号 → position
    problems: list[tuple[str, int, int, str, str]]  # (level, row, position, written, message)

    @property
    def last(self) -> int:
        return self.rows[-1]

    def missing(self, spec: Sheet, *, month_optional: bool = False) -> list[Column]:
        return [
            c for c in spec.columns
            if c.required and c.key not in self.positions and not (month_optional and c.key == spec.period_column == "month")
        ]


def locate_header(raw: RawSheet, spec: Sheet) -> Header | None:
    """The first row among the top ones naming at least two of the sheet's columns
    (one, for a sheet of at most two columns), joined with the row below it when that
    row holds the real headers under group titles (a two-row header)."""
    lookup = header_lookup(spec)
    for r in raw.cells.index[:HEADER_SEARCH_ROWS]:
        texts = _row_texts(raw, r)
        hits = {col.key for col in (resolve_header(t, lookup)[0] for t in texts.values()) if col is not None}
        if len(hits) >= 2 or (hits and len(spec.columns) <= 2):
            rows = (r,)
            if r + 1 in raw.cells.index and _is_subheader(raw, r, lookup):
                rows = (r, r + 1)
            return _header(raw, rows, lookup)
    return None


def _is_subheader(raw: RawSheet, r: int, lookup) -> bool:
    """The row under a header row is part of it when the cells it holds of its own (not
    copies of a range merged down from above) are header names, at least one of them
    under a blank cell or a group title merged across columns above it."""
    below = _row_texts(raw, r + 1)
    own = {p: t for p, t in below.items() if not (raw.filled is not None and raw.filled.at[r + 1, p])}
    if not own or any(isinstance(raw.cells.at[r + 1, p], (int, float)) for p in own):
        return False
    known = {p for p, t in own.items() if resolve_header(t, lookup)[0] is not None or norm_header(t) in IGNORED_HEADERS}
    if len(known) < len(own) and (len(known) < 3 or 3 * (len(own) - len(known)) > len(known)):
        return False
    above = _row_texts(raw, r)
    grouped = {c for r0, c0, r1, c1 in raw.merged if r0 <= r - 1 <= r1 and c1 > c0 for c in range(c0, c1 + 1)}
    return any(p not in above or p in grouped for p in known)


def _header(raw: RawSheet, rows: tuple[int, ...], lookup) -> Header:
    upper = _row_texts(raw, rows[0])
    lower = _row_texts(raw, rows[1]) if len(rows) > 1 else {}
    names = {p: lower.get(p) or upper.get(p) for p in sorted(set(upper) | set(lower))}
    h = Header(rows, {}, {}, {}, [], {}, [])
    for pos, written in names.items():
        key = norm_header(written)
        if key in IGNORED_HEADERS:
            h.ignored.setdefault(key, pos)
            continue
        col, unit, problem = resolve_header(written, lookup)
        if col is None:
            h.unknown.append((pos, written))
        elif col.key in h.positions:
            first = h.positions[col.key]
            h.problems.append(
                (ERROR, rows[-1], pos, written, f"与{letter(first)}列“{h.written[col.key]}”是同一列，请删去其中一列")
            )
        else:
            h.positions[col.key], h.written[col.key], h.units[col.key] = pos, written, unit
            if problem:
                h.problems.append((ERROR, rows[-1], pos, written, problem))
    return h


# --- Which table a sheet is --------------------------------------------------------------


def match_sheet(name: str) -> Sheet | None:
    """The sheet a tab or CSV file name stands for: exact name or alias, else contained."""
    folded = fold(values.visible(name))
    for sheet in SHEETS:
        if folded in {fold(n) for n in (sheet.name, *sheet.aliases)}:
            return sheet
    best: tuple[int, Sheet] | None = None
    for sheet in SHEETS:
        for n in (sheet.name, *sheet.aliases):
            if fold(n) in folded and (best is None or len(n) > best[0]):
                best = (len(n), sheet)
    return best[1] if best else None


def by_headers(raw: RawSheet) -> tuple[Sheet, Header] | None:
    """The table whose required columns the sheet's header row holds (the month of a
    snapshot sheet may come from its title); of several, the one naming most columns."""
    found = []
    for spec in SHEETS:
        header = locate_header(raw, spec)
        if header is not None and not header.missing(spec, month_optional=True):
            found.append((len(header.positions), spec, header))
    if not found:
        return None
    found.sort(key=lambda f: -f[0])
    return found[0][1], found[0][2]


# Any of these among a sheet's top rows makes it look like a ledger table.
_LEDGER_WORDS = {
    norm_header(n)
    for s in SHEETS
    for c in s.columns
    if c.kind in ("id", "township", "date", "month") or c.header == "姓名"
    for n in (c.header, *c.aliases, *SHARED_ALIASES.get(c.header, ()))
}


def ledger_like(raw: RawSheet) -> list[str] | None:
    """The ID, township, name or date headers of a sheet that has rows under them, or
    None: such a sheet was meant to be imported, so it may not be dropped quietly."""
    for r in raw.cells.index[:HEADER_SEARCH_ROWS]:
        texts = _row_texts(raw, r)
        words = [t for t in texts.values() if norm_header(t) in _LEDGER_WORDS
                 or (m := _NOTE.match(norm_header(t))) and m[1] in _LEDGER_WORDS]
        if words:
            below = raw.cells.loc[r + 1 :]
            has_rows = any(values.cell_text(v) is not None for v in below.to_numpy().ravel()[:100_000])
            return words if has_rows else None
    return None


def closest(raw: RawSheet) -> tuple[Sheet, list[Column]] | None:
    """The table a ledger-like sheet comes nearest to, and the required columns it lacks."""
    best = None
    for spec in SHEETS:
        header = locate_header(raw, spec)
        if header is None:
            continue
        missing = header.missing(spec, month_optional=True)
        score = (len(header.positions), -len(missing))
        if best is None or score > best[0]:
            best = (score, spec, missing)
    return (best[1], best[2]) if best else None


# --- Rows that are not data ----------------------------------------------------------------

_TOTAL_WORD = re.compile(r"^[\W_]*(?:本页|本表|全部|全[乡镇村区县]|[\u4e00-\u9fff]{0,8}?)?(合计|总计|小计|累计)(?:[:：]|\(.*\))?[\W_\d]*$")
_TOTAL_EXACT = re.compile(r"^[\W_]*(合计|总计|小计|累计)[\W_]*$")
FOOTER_WORDS = ("填表人", "审核人", "负责人", "联系人", "填报单位", "填报日期", "制表", "单位(盖章)", "单位盖章", "填报人",
                "审核:", "经办人", "分管领导", "主要领导", "盖章")


def _total_kind(text: str | None, exact: bool = False) -> str | None:
    if text is None:
        return None
    m = (_TOTAL_EXACT if exact else _TOTAL_WORD).match(fold(text))
    return m[1] if m else None


def _is_footer(text: str | None) -> bool:
    return text is not None and fold(text).replace("：", ":").startswith(FOOTER_WORDS)


# --- A sheet -------------------------------------------------------------------------------


def validate_sheet(
    raw: RawSheet, spec: Sheet, resolver: TownshipResolver, problems: Problems, header: Header | None = None
) -> SheetResult | None:
    name, file = raw.name, raw.file
    header = header or locate_header(raw, spec)
    if header is None:
        problems.add(ERROR, name, None, "", None, f"前{HEADER_SEARCH_ROWS}行中找不到表头（应含“{spec.columns[0].header}”等列名）",
                     file=file)
        return None
    for level, row, pos, written, message in header.problems:
        problems.add(level, name, row, written, None, message, file=file, letter=letter(pos))
    month_source = None
    if spec.period == "month" and "month" not in header.positions:
        month_source = _month_from_context(raw, header)
    for col in header.missing(spec, month_optional=month_source is not None):
        extra = "（也可在标题行、工作表名或文件名中写明月份，如“2020年9月”）" if col.key == "month" else ""
        if col.key == "month" and (bare := _bare_month_in_context(raw, header)):
            extra = f"（{bare[0]}中有“{bare[1]}月”，但标题、工作表名和文件名中都没有年份：请写成“2020年{bare[1]}月”）"
        problems.add(ERROR, name, header.last, f"{col.header}*", None, f"缺少必填列{extra}", file=file)
    if header.unknown:
        problems.add(WARNING, name, header.last, "、".join(w for _, w in header.unknown), None, "未识别的列，已忽略", file=file,
                     letter="、".join(letter(p) for p, _ in header.unknown))
    if header.missing(spec, month_optional=month_source is not None):
        return None

    positions, written = header.positions, header.written
    at = lambda key: dict(file=file, letter=letter(positions[key])) if key in positions else dict(file=file)  # noqa: E731
    h = lambda key: written.get(key, spec.column(key).header)  # noqa: E731

    body = raw.cells.loc[header.last + 1 :]
    filled = raw.filled.loc[header.last + 1 :] if raw.filled is not None else None
    read = {pos: _ColumnText(body[pos]) for pos in positions.values()}
    texts = {key: read[pos].text for key, pos in positions.items()}
    # Where a totals or footer word can be: the columns read, 序号, and any left of them.
    left = min(positions.values(), default=0)
    every = {pos: read.get(pos) or _ColumnText(body[pos]) for pos in body.columns
             if pos in read or pos < left or pos in header.ignored.values()}
    # A row is blank when none of the columns we read holds anything of its own: a value
    # merged down past the last person is not a row.
    keep = np.zeros(len(body), dtype=bool)
    for pos, column in read.items():
        keep |= column.given & ~filled[pos].to_numpy() if filled is not None else column.given
    skipped = _skip_rows(raw, spec, header, body, {pos: c.hint for pos, c in every.items()}, filled, problems)
    keep &= ~body.index.isin(skipped)
    body = body[keep]
    texts = {key: text[keep] for key, text in texts.items()}
    errors = {key: read[pos].error[keep] for key, pos in positions.items()}

    reported = _bad_cells(raw, header, body.index, texts, errors, problems)
    for key, row in _merged_across(raw, header, body.index, problems):
        texts[key][row] = None  # the copy of a value merged across: reported once, at its range

    columns: dict[str, pd.Series] = {}
    filled_in: dict[str, pd.Series] = {}  # column key → the cell is not blank (its value may be invalid)
    for col in spec.columns:
        if col.key not in positions:
            columns[col.key] = pd.Series(pd.NA, index=body.index, dtype="object")
            continue
        cells, text = body[positions[col.key]], texts[col.key]
        if col.key == "month":
            text = _year_less_months(text, raw, header, name, h(col.key), at(col.key), problems)
        columns[col.key] = _parse_column(
            cells, text, col, h(col.key), header.units.get(col.key, ""), name, resolver, problems, at(col.key), spec.key
        )
        filled_in[col.key] = text.notna() | reported.get(col.key, False)
        if col.required:
            missing = columns[col.key].isna() & text.isna() & ~reported.get(col.key, pd.Series(False, index=body.index))
            if missing.any():
                problems.rows(ERROR, name, h(col.key), cells[missing].fillna(""), "必填项为空", **at(col.key))
    out = pd.DataFrame(columns, index=body.index)
    if month_source is not None:
        month, where = month_source
        out["month"] = month
        problems.add(NOTE, name, None, "统计时点", None, f"表中没有“统计时点”列，月份取自{where}：{values.cn_month(month)}", file=file)
    elif spec.period == "month":
        _title_agrees(raw, header, out["month"], name, h("month"), at("month"), problems)
    _check_rows(out, spec, written, name, problems, filled_in, at)
    _check_totals(raw, spec, header, out, skipped, name, h, at, problems)
    out["period"] = _period(out, spec)
    out["source_row"] = out.index.astype("int64")
    return SheetResult(spec, name, out.reset_index(drop=True), dict(written), [w for _, w in header.unknown])


_NOT_DATA_HINT = re.compile("合计|总计|小计|累计|" + "|".join(re.escape(w) for w in FOOTER_WORDS))


def _skip_rows(raw: RawSheet, spec: Sheet, header: Header, body: pd.DataFrame, hints: dict[int, np.ndarray], filled,
               problems: Problems) -> dict[int, str]:
    """Totals (合计, 总计, 小计, 累计 in 序号, the first text cell or the name cell) and
    signature footers: Excel row → kind. Each is reported; none is ever counted,
    whatever is filled down into it. Only rows with one of those words anywhere are
    looked at cell by cell."""
    if not hints:
        return {}
    hint = np.zeros(len(body), dtype=bool)
    for pos, hit in hints.items():
        hint |= hit & ~filled[pos].to_numpy() if filled is not None else hit
    if not hint.any():
        return {}
    hint = pd.Series(hint, index=body.index)
    name_pos = header.positions.get(NAME_COLUMNS.get(spec.key, ""))
    serial_pos = next(iter(header.ignored.values()), None)
    skipped: dict[int, str] = {}
    for r in hint.index[hint.to_numpy()]:
        row = body.loc[r]
        cells = {pos: values.cell_text(row[pos]) for pos in body.columns}
        if filled is not None:  # a copy of a value merged down is not this row's own text
            cells = {pos: (None if filled.at[r, pos] else t) for pos, t in cells.items()}
        first_text = next((t for pos, t in cells.items() if t is not None and isinstance(row[pos], str)), None)
        first_any = next((t for t in cells.values() if t is not None), None)
        kind = (
            _total_kind(cells.get(serial_pos))
            or _total_kind(first_text)
            or _total_kind(cells.get(name_pos), exact=True)
        )
        if kind:
            skipped[r] = kind
            problems.add(NOTE, raw.name, int(r), "", kind, f"第{r}行为{kind}行，已跳过（不计入）", file=raw.file)
        elif _is_footer(first_any):
            skipped[r] = "落款"
            problems.add(NOTE, raw.name, int(r), "", first_any[:20], f"第{r}行为表尾落款（填表人、审核人等），已跳过", file=raw.file)
    return skipped


# Excel's error values, and LibreOffice's Err:502 style, as a cell shows them.
EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!"}
_LIBRE_ERROR = re.compile(r"Err:\d{3}")


class _ColumnText:
    """A column's cells as text (``values.to_text``) and, per row, whether it holds
    anything, a totals or footer word (``_skip_rows``) or an Excel error value
    (``_bad_cells``): each worked out once per distinct cell of the column."""

    def __init__(self, cells: pd.Series) -> None:
        codes, texts = values.unique_results(cells, values.cell_text)
        self.text = pd.Series(texts[codes], index=cells.index, dtype=object)
        self.given = np.array([t is not None for t in texts], dtype=bool)[codes]
        # every totals and footer word is Chinese: an ASCII text holds none
        self.hint = np.array([t is not None and not t.isascii() and bool(_NOT_DATA_HINT.search(fold(t))) for t in texts],
                             dtype=bool)[codes]
        self.error = np.array([t is not None and (t in EXCEL_ERRORS or bool(_LIBRE_ERROR.fullmatch(t))) for t in texts],
                              dtype=bool)[codes]


def _bad_cells(raw: RawSheet, header: Header, rows: pd.Index, texts: dict[str, pd.Series], errors: dict[str, np.ndarray],
               problems: Problems) -> dict[str, pd.Series]:
    """Formulas without a computed value and Excel error values in the columns read:
    errors naming the cell. Returns, per column key, the rows so reported (their cell
    reads as blank, which must not also be called 必填项为空)."""
    out: dict[str, pd.Series] = {}
    wanted = set(rows)
    for key, pos in header.positions.items():
        flagged = pd.Series(False, index=rows)
        text = texts[key]
        for r in text.index[errors[key]]:
            problems.add(ERROR, raw.name, int(r), header.written[key], text[r],
                         f"单元格为Excel错误值“{text[r]}”（公式出错），请改正公式或填入数值后再导入",
                         file=raw.file, letter=letter(pos))
            flagged[r] = True
            text[r] = None
        for (r, p), reason in raw.bad_cells.items():
            if p == pos and r in wanted:
                problems.add(ERROR, raw.name, int(r), header.written[key], None, reason, file=raw.file, letter=letter(pos))
                flagged[r] = True
                text[r] = None
        if flagged.any():
            out[key] = flagged
    return out


def _merged_across(raw: RawSheet, header: Header, rows: pd.Index, problems: Problems) -> list[tuple[str, int]]:
    """A data cell merged across two columns the table reads cannot belong to both: an
    error at its range. Returns the (column key, row) of the copies it made."""
    read = {p: k for k, p in header.positions.items()}
    wanted = set(rows)
    copies = []
    for r0, c0, r1, c1 in raw.merged:
        cols = [p for p in range(c0, c1 + 1) if p in read]
        inside = [r for r in range(r0 + 1, r1 + 2) if r in wanted]
        if len(cols) < 2 or not inside:
            continue
        problems.add(ERROR, raw.name, inside[0], "、".join(header.written[read[p]] for p in cols), None,
                     f"{letter(c0)}{r0 + 1}:{letter(c1)}{r1 + 1}是跨列的合并单元格，无法确定它属于哪一列：请取消合并，每列各填各的值",
                     file=raw.file, letter=f"{letter(c0)}:{letter(c1)}")
        copies += [(read[p], r) for p in cols if p != c0 for r in inside]
    return copies


# --- The month of a snapshot sheet -----------------------------------------------------------


def _title_texts(raw: RawSheet, header: Header) -> list[str]:
    out = []
    for r in raw.cells.index:
        if r >= header.rows[0]:
            break
        out.extend(dict.fromkeys(_row_texts(raw, r).values()))
    return out


def _sources(raw: RawSheet, header: Header) -> list[tuple[str, str]]:
    """(where, text) in the order the format takes a month from: title rows, the sheet's
    name, the file's name."""
    out = [(f"标题行“{t}”", t) for t in _title_texts(raw, header)]
    if not raw.is_csv:
        out.append((f"工作表名“{raw.name}”", raw.name))
    if raw.file:
        out.append((f"文件名“{raw.file}”", Path(raw.file).stem))
    return out


def _month_from_context(raw: RawSheet, header: Header) -> tuple[str, str] | None:
    sources = [(where, values.months_in_text(text)) for where, text in _sources(raw, header)]
    for where, (month, _, _) in sources:
        if month:
            return month, where
    bare = next(((where, m) for where, (_, m, _) in sources if m), None)
    year = next(((where, y) for where, (_, _, y) in sources if y), None)
    if bare and year:
        return f"{year[1]:04d}-{bare[1]:02d}", f"{bare[0]}（年份取自{year[0]}）" if bare[0] != year[0] else bare[0]
    return None


def _bare_month_in_context(raw: RawSheet, header: Header) -> tuple[str, int] | None:
    for where, text in _sources(raw, header):
        month = values.months_in_text(text)[1]
        if month:
            return where, month
    return None


def _year_less_months(text: pd.Series, raw, header, sheet, column, at, problems) -> pd.Series:
    """``9月`` / ``9月份`` in the month column: the year from the title, the sheet name or
    the file name (said so), or an error when none of them has one."""
    bare = values.per_unique(text, values.month_without_year)
    rows = bare.notna()
    if not rows.any():
        return text
    sources = [(where, values.months_in_text(t)) for where, t in _sources(raw, header)]
    year = next(((where, y) for where, (_, _, y) in sources if y), None)
    if year is None:
        return text  # parse_month says the year is missing
    fixed = text.copy()
    fixed[rows] = [f"{year[1]:04d}-{int(m):02d}" for m in bare[rows]]
    shown = "、".join(sorted(set(text[rows])))
    problems.add(NOTE, sheet, None, column, shown, f"“{column}”列的“{shown}”没有写年份，年份取自{year[0]}：{year[1]}年", **at)
    return fixed


def _title_agrees(raw, header, months: pd.Series, sheet, column, at, problems) -> None:
    """A title (or sheet name) naming one month over rows of others only: the sheet was
    copied from last month's file and half updated. Which is right cannot be guessed."""
    stated = None
    for where, text in _sources(raw, header):
        if where.startswith("文件名"):
            continue
        month = values.months_in_text(text)[0]
        if month:
            stated = (month, where)
            break
    present = set(months.dropna().unique())
    # A sheet may keep earlier months beside the one its title reports; only a title
    # whose month no row has is a contradiction.
    if stated and present and stated[0] not in present:
        other = "、".join(values.cn_month(m) for m in sorted(present - {stated[0]}))
        problems.add(ERROR, sheet, None, column, None,
                     f"{stated[1]}写的是{values.cn_month(stated[0])}，但“{column}”列有{other}：请核对后改成一致再导入", **at)


# --- Columns --------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[<>\[\]{}\x00-\x1f\x7f]|\]\(|!\[")
UNSAFE_NAME = "名称中不能含有 < > [ ] { } 或控制字符（疑似网页代码或粘贴错误），请改正"


# Place names end up in titles, tooltips and links; they are refused if they could be markup.
NAMES_CHECKED = {s.key: (VILLAGE,) for s in SHEETS} | {"townships": ("name", "aliases", "parent")}


def _parse_column(
    cells: pd.Series, text: pd.Series, col: Column, header: str, unit: str, sheet: str, resolver, problems: Problems,
    at: dict, spec_key: str = "",
) -> pd.Series:
    present = text.dropna()
    def report(bad: pd.Series, reasons, level=ERROR) -> None:
        if bad.any():
            problems.rows(level, sheet, header, text[bad[bad].index], reasons, **at)

    kind = col.kind

    if kind == "id":
        raw = cells[present.index]
        ids, reason = idcard.validate(present)
        # a number cell (Excel's own cell type), or text as Excel shows a number: to_text
        # drops a trailing ".0", which is exactly what marks "451203…000.0" as a number
        mangled = values.per_unique(raw, lambda v: (isinstance(v, (int, float)) and not isinstance(v, bool))
                                    or bool(idcard.MANGLED.fullmatch(str(v).strip())))
        reason[mangled.fillna(False).astype(bool)] = idcard.REASON_MANGLED
        report(reason.notna(), reason)
        return ids.where(reason.isna()).reindex(text.index)
    # The steps of the next three kinds run on the column's distinct values (values.distinct).
    if kind == "township":
        uniques, spread = values.distinct(present)
        mapping = resolver.mapping()
        mapped = values.per_unique(uniques, lambda v: mapping.get(values.fold_text(v)))
        bad = mapped.isna()
        unsafe = values.per_unique(uniques, lambda v: bool(_UNSAFE_NAME.search(v))).astype(bool)
        report(spread(bad & unsafe), UNSAFE_NAME)
        report(spread(bad & ~unsafe), f"未知乡镇（应为{'、'.join(resolver.names)}之一）")
        return spread(mapped).reindex(text.index)
    if kind in ("enum", "yesno"):
        allowed = col.values or (("是", "否") if kind == "yesno" else ())
        table = {fold(v): v for v in allowed} | {fold(k): v for k, v in col.value_aliases.items()}
        if kind == "yesno" and allowed == ("有", "无"):
            table |= {"是": "有", "否": "无"}
        uniques, spread = values.distinct(present)
        folded = values.fold_values(uniques)
        mapped = folded.map(table)
        ambiguous = AMBIGUOUS_VALUES.get(col.key, {})
        amb = folded.isin(list(ambiguous))
        if amb.any():
            report(spread(amb), spread(folded.where(amb, None).map(ambiguous)))
        bad = mapped.isna() & ~amb
        report(spread(bad), f"不是允许的值（应为{'、'.join(allowed)}之一）")
        if kind == "yesno":
            mapped = mapped.map({"是": True, "有": True, "否": False, "无": False})
        return spread(mapped).reindex(text.index)
    if kind == "phone":
        uniques, spread = values.distinct(present)
        digits = values.per_unique(uniques, lambda v: re.sub(r"[-－]", "", values.fold_text(v)))
        bad = ~values.per_unique(digits, lambda v: bool(MOBILE.fullmatch(v))).astype(bool)
        report(spread(bad), "手机号码应为11位", WARNING)
        return spread(digits).reindex(text.index)
    if kind == "text":
        out = values.fold_values(text) if col.key == VILLAGE else values.clean_text(text)
        if col.key in NAMES_CHECKED.get(spec_key, ()):
            unsafe = values.per_unique(present, lambda v: bool(_UNSAFE_NAME.search(v))).astype(bool)
            report(unsafe, UNSAFE_NAME)
            out = out.where(~unsafe.reindex(text.index, fill_value=False))
        return out

    wan = unit == "万元" or (not unit and "万元" in fold(header))
    parser = {
        "month": values.parse_month,
        "date": values.parse_date,
        "year": values.parse_year,
        "int": values.parse_int,
        "number": values.parse_number,
        "money": values.money_parser(wan),
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
            report(high, _too_big(col))
        parsed = parsed.where(~(low | high))
    return parsed.reindex(text.index)


def _too_big(col: Column) -> str:
    unit = "元" if col.kind == "money" else ""
    if col.maximum is not None and col.maximum >= 100_000:
        return f"超过{col.maximum:,.0f}{unit}，不可能是真实的数（疑似填错了列，如把证件号码、电话或合计填入此列）"
    return f"不能大于{col.maximum:g}"


def _check_rows(
    out: pd.DataFrame,
    spec: Sheet,
    headers: dict[str, str],
    sheet: str,
    problems: Problems,
    filled: dict[str, pd.Series] | None = None,
    at=lambda key: {},
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
            rows = sub[dup].reset_index().groupby(keys, dropna=False)["index"]
            first = rows.transform("min")
            second = rows.transform(lambda s: sorted(s)[1])
            first.index = second.index = sub[dup].index
            col = spec.unique[0]
            for row, value in sub[dup][col].items():
                other = int(second[row]) if int(first[row]) == row else int(first[row])
                where = "同一月份" if spec.period == "month" else "表中"
                problems.add(ERROR, sheet, int(row), h(col), value, f"{where}重复（与第{other}行相同）", **at(col))
    if spec.key in PART_OF_TOTAL:
        part, total = PART_OF_TOTAL[spec.key]
        over = pd.to_numeric(out[part]) > pd.to_numeric(out[total])
        problems.rows(ERROR, sheet, h(part), out.loc[over.fillna(False), part], f"不能大于“{h(total)}”", **at(part))
    if spec.key == "labor":
        employed = out["employed"] == "已就业"
        no_mode = employed & out["mode"].isna() & blank("mode")
        problems.rows(ERROR, sheet, h("mode"), out.loc[no_mode, "mode"].fillna(""), "已就业人员必须填写就业方式", **at("mode"))
        derived = idcard.sex_of(out["id_number"].fillna(""))
        if "sex" in headers:
            clash = out["sex"].notna() & derived.notna() & (out["sex"] != derived)
            problems.rows(WARNING, sheet, h("sex"), out.loc[clash, "sex"], "性别与证件号码不符", **at("sex"))
        out["sex"] = out["sex"].fillna(derived)
    if spec.key == "subsidies":
        person = out["recipient_type"] == "个人"
        missing = person & out["id_number"].isna() & blank("id_number")
        problems.rows(ERROR, sheet, h("id_number"), out.loc[missing, "id_number"].fillna(""), "对象类型为个人时必须填写证件号码",
                      **at("id_number"))


def _check_totals(raw, spec, header, out: pd.DataFrame, skipped: dict[int, str], sheet, h, at, problems) -> None:
    """A totals row whose numbers disagree with the rows it totals: a warning naming
    both (the rows are counted, the totals row never is)."""
    numeric = [c for c in spec.columns if c.kind in ("int", "money") and c.key in header.positions and c.key not in ("work_months", "household_size")]
    if not numeric or not skipped or not len(out):
        return
    data_rows = list(out.index)
    previous = None
    for r, kind in sorted(skipped.items()):
        if kind == "落款":
            continue
        if kind == "小计":
            span = [x for x in data_rows if (previous is None or x > previous) and x < r]
            previous = r
        else:
            span = [x for x in data_rows if x < r] or [x for x in data_rows if x > r]
        if not span:
            continue
        for col in numeric:
            written = values.cell_text(raw.cells.at[r, header.positions[col.key]])
            if written is None:
                continue
            parser = values.money_parser(header.units.get(col.key) == "万元" or "万元" in fold(h(col.key))) if col.kind == "money" else values.parse_int
            try:
                stated = parser(written)
            except values.Invalid:
                continue
            actual = int(pd.to_numeric(out.loc[span, col.key]).fillna(0).sum())
            if stated != actual:
                show = (lambda v: f"{v / 100:,.2f}元") if col.kind == "money" else (lambda v: f"{v:,}")
                problems.add(WARNING, sheet, int(r), h(col.key), written,
                             f"{kind}行为{show(stated)}，与第{span[0]}–{span[-1]}行之和{show(actual)}不一致（导入按各行计算）",
                             **at(col.key))


def _period(out: pd.DataFrame, spec: Sheet) -> pd.Series:
    if spec.period == "month":
        return out[spec.period_column]
    if spec.period == "event":
        dates = pd.to_datetime(out[spec.period_column], errors="coerce")
        return dates.dt.strftime("%Y-%m")
    if spec.period == "year":
        return out["year"].map(lambda y: None if pd.isna(y) else f"{int(y):04d}")
    return pd.Series("", index=out.index)
