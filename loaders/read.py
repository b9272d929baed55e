"""Reading workbooks and CSV files into raw cell grids, without interpreting them.

A grid is what the clerk sees on screen: a value merged over several cells stands in
every cell it covers (``RawSheet.filled`` marks the copies), and a cell whose formula
has no computed value or holds an Excel error is listed in ``RawSheet.bad_cells``
(calamine reads both as blank, which would pass for "not given"). Merged ranges come
from the file itself — calamine for xlsx and xls, the ODF content for ods — never
from guessing at blanks.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import limits

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
NO_VALUE = "公式没有计算结果，请在Excel或WPS中打开并保存后再导入"


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is for the clerk."""


# (first row, first column, last row, last column), 0-based and inclusive, as calamine gives.
Range = tuple[int, int, int, int]


@dataclass
class RawSheet:
    """One sheet's cells as objects, in file order; Excel row r is ``cells.loc[r]``,
    column position c (0-based) is Excel's column ``letter(c)``."""

    name: str
    cells: pd.DataFrame
    file: str = ""
    merged: list[Range] = field(default_factory=list)
    filled: pd.DataFrame | None = None  # True where a cell shows a merged range's value
    bad_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, position) → reason
    is_csv: bool = False


def letter(position: int) -> str:
    """Excel's column letters for a 0-based position: 0 → A, 26 → AA."""
    out = ""
    n = position + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def read_file(path: str | Path, data: bytes | None = None) -> list[RawSheet]:
    """Every sheet of a workbook, or the one table of a CSV file named like its sheet."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [RawSheet(path.stem, _read_csv(data, path.name), path.name, is_csv=True)]
    if suffix in EXCEL_SUFFIXES or not suffix:
        return _read_workbook(data, path.name)
    raise Unreadable(f"文件“{path.name}”不是Excel工作簿或CSV文件（只接受 .xlsx、.xls、.ods、.csv）")


def _read_workbook(data: bytes, filename: str) -> list[RawSheet]:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and b"EncryptedPackage" in data[:65536].replace(b"\x00", b""):
        raise Unreadable(f"文件“{filename}”设置了打开密码，请取消密码后重新导入")
    refused = limits.check_workbook(data, filename)
    if refused:
        raise Unreadable(refused)
    # the cells calamine reads as blank are found in the file's XML meanwhile: calamine
    # parses a sheet without holding the GIL (0.6 s of the sample's 5 s)
    with ThreadPoolExecutor(1) as pool:
        extra = pool.submit(_flagged_cells, data)
        sheets = _calamine_sheets(data, filename)
        merges, bad = extra.result()
    for s in sheets:
        s.merged = merges.get(s.name, s.merged)
        s.bad_cells = bad.get(s.name, {})
    for s in sheets:
        _fill_merged(s)
    return sheets


def _calamine_sheets(data: bytes, filename: str) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        sheets = []
        for name in names:
            sheet = book.get_sheet_by_name(name)
            if sheet.height > limits.MAX_ROWS or sheet.width > limits.MAX_COLUMNS:
                raise Unreadable(limits.too_large(filename, name, sheet.height, sheet.width))
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a, b, c, d) for (a, b), (c, d) in (sheet.merged_cell_ranges or [])]
            sheets.append(RawSheet(name, _frame(rows), filename, merged))
    except Unreadable:
        raise
    except Exception as exc:  # calamine raises several types for a non-workbook
        raise Unreadable(f"文件“{filename}”无法作为Excel工作簿读取（文件损坏或不是Excel格式：{type(exc).__name__}）") from None
    return sheets


def _flagged_cells(data: bytes) -> tuple[dict[str, list[Range]], dict[str, dict[tuple[int, int], str]]]:
    """Per sheet: merged ranges where calamine has none (ods), and the cells it reads
    as blank that are not (formulas without a value, error values)."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "content.xml" in archive.namelist():
                return _ods_cells(archive)
            return {}, _xlsx_bad_cells(archive)
    return {}, _xls_bad_cells(data)


def _frame(rows: list[list]) -> pd.DataFrame:
    """Cells as objects; an empty cell may be "" or None (values.to_text reads both as blank)."""
    frame = pd.DataFrame(rows, dtype=object)
    frame.index = range(1, len(frame) + 1)
    return frame


def _fill_merged(sheet: RawSheet) -> None:
    """A merged range's value in every cell it covers, as the clerk sees it."""
    cells = sheet.cells
    if not sheet.merged:
        return  # filled stays None: no cell is a copy
    filled = np.zeros(cells.shape, dtype=bool)
    height, width = cells.shape
    grid = cells.to_numpy(dtype=object, copy=True)
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= height or c0 >= width:
            continue
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        value = grid[r0, c0]
        grid[r0 : r1 + 1, c0 : c1 + 1] = value
        filled[r0 : r1 + 1, c0 : c1 + 1] = True
        filled[r0, c0] = False
    sheet.cells = pd.DataFrame(grid, index=cells.index, columns=cells.columns, dtype=object)
    sheet.filled = pd.DataFrame(filled, index=cells.index, columns=cells.columns)


# --- What calamine does not say: formulas without a value, error cells (xlsx) ------------

_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v>(.*?)</v>|<v/>", re.S)
_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"|<sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ERROR_TEXT = "单元格为Excel错误值“{}”（公式出错），请改正公式或填入数值后再导入"


def _position(col: bytes) -> int:
    n = 0
    for ch in col:
        n = n * 26 + ch - 64
    return n - 1


def _xml_text(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8", "replace"))


def _xlsx_sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for m in _REL.finditer(rels):
        rid, target = (m[1], m[2]) if m[1] else (m[4], m[3])
        target = target.decode()
        targets[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out = {}
    for m in _SHEET.finditer(book):
        name, rid = (m[1], m[2]) if m[1] else (m[4], m[3])
        if rid in targets:
            out[_xml_text(name)] = targets[rid]
    return out


def _xlsx_bad_cells(archive: zipfile.ZipFile) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet: (Excel row, position) → reason, for formulas saved without a computed
    value and for error values. Only a sheet whose XML holds a formula or an error
    type is scanned cell by cell."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    for name, member in _xlsx_sheet_paths(archive).items():
        if not _contains(archive, member, (b"<f", b't="e"')):
            continue
        xml = archive.read(member)
        bad = {}
        for m in _CELL.finditer(xml):
            attrs, body = m[1], m[3] or b""
            kind = _TYPE.search(attrs)
            kind = kind[1] if kind else b"n"
            value = _VALUE.search(body)
            text = value[1] if value and value[1] is not None else b""
            if kind == b"e":
                reason = _ERROR_TEXT.format(_xml_text(text) or "#错误")
            elif b"<f" in body and not text and kind not in (b"str", b"inlineStr", b"s"):
                reason = NO_VALUE
            else:
                continue
            ref = _REF.search(attrs)
            if ref:
                bad[(int(ref[2]), _position(ref[1]))] = reason
        if bad:
            out[name] = bad
    return out


def _contains(archive: zipfile.ZipFile, member: str, needles: tuple[bytes, ...]) -> bool:
    """Whether a member holds any needle, read in chunks (a sheet's XML may be large)."""
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                if any(n in block for n in needles):
                    return True
                tail = block[-8:]
    except KeyError:
        return False
    return False


def _xls_bad_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Error values of a legacy .xls (BIFF), which calamine reads as blank: xlrd knows
    the cell types (a formula's cached value is always there in BIFF)."""
    import xlrd

    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception:  # calamine read it; a file xlrd cannot open has no error cells to tell
        return out
    for name in book.sheet_names():
        sheet = book.sheet_by_name(name)
        bad = {}
        for r in range(sheet.nrows):
            types = sheet.row_types(r)
            if xlrd.XL_CELL_ERROR in types:
                for c, kind in enumerate(types):
                    if kind == xlrd.XL_CELL_ERROR:
                        code = sheet.cell_value(r, c)
                        bad[(r + 1, c)] = _ERROR_TEXT.format(xlrd.error_text_from_code.get(code, "#错误"))
        if bad:
            out[name] = bad
        book.unload_sheet(name)
    return out


# --- Merged and error cells of an OpenDocument spreadsheet --------------------------------

_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODF_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _ods_cells(archive: zipfile.ZipFile) -> tuple[dict[str, list[Range]], dict[str, dict[tuple[int, int], str]]]:
    """Per table: the ranges its cells span (table:number-rows/columns-spanned), and
    its cells whose formula gave an error (calamine reads them as blank)."""
    import xml.etree.ElementTree as ET

    merges: dict[str, list[Range]] = {}
    errors: dict[str, dict[tuple[int, int], str]] = {}
    table_tag, row_tag = f"{_ODF_TABLE}table", f"{_ODF_TABLE}table-row"
    cell_tags = {f"{_ODF_TABLE}table-cell", f"{_ODF_TABLE}covered-table-cell"}
    name, row, ranges, bad = None, 0, [], {}
    with archive.open("content.xml") as stream:
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            if event == "start":
                if elem.tag == table_tag:
                    name, row, ranges, bad = elem.get(f"{_ODF_TABLE}name"), 0, [], {}
                continue
            if elem.tag == row_tag:
                col = 0
                for cell in elem:
                    if cell.tag not in cell_tags:
                        continue
                    rows = int(cell.get(f"{_ODF_TABLE}number-rows-spanned", "1"))
                    cols = int(cell.get(f"{_ODF_TABLE}number-columns-spanned", "1"))
                    repeat = int(cell.get(f"{_ODF_TABLE}number-columns-repeated", "1"))
                    if rows > 1 or cols > 1:
                        ranges.append((row, col, row + rows - 1, col + cols - 1))
                    if cell.get(f"{_ODF_CALCEXT}value-type") == "error":
                        shown = "".join(cell.itertext()).strip() or "#错误"
                        for c in range(col, col + min(repeat, 1000)):
                            bad[(row + 1, c)] = _ERROR_TEXT.format(shown)
                    col += repeat
                row += int(elem.get(f"{_ODF_TABLE}number-rows-repeated", "1"))
                elem.clear()
            elif elem.tag == table_tag:
                merges[name] = ranges
                if bad:
                    errors[name] = bad
                elem.clear()
    return merges, errors


# --- CSV ------------------------------------------------------------------------------------


def decode(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM) first; otherwise GB18030, the superset of GBK."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(f"文件“{filename}”的编码无法识别（应为 UTF-8 或 GBK）")


def _read_csv(data: bytes, filename: str) -> pd.DataFrame:
    if b"\x00" in data[:4096]:
        raise Unreadable(f"文件“{filename}”不是文本格式的CSV文件")
    refused = limits.check_csv(data, filename)
    if refused:
        raise Unreadable(refused)
    text = decode(data, filename)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    csv.field_size_limit(limits.MAX_CSV_FIELD)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) > limits.MAX_ROWS:
                raise Unreadable(limits.too_large(filename, None, len(rows), len(row)))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise Unreadable(
                f"文件“{filename}”第{len(rows) + 1}行有一个单元格超过{limits.MAX_CSV_FIELD // 1024} KB，"
                "不像台账数据（可能是引号不配对），请检查后重新导出"
            ) from None
        raise Unreadable(f"文件“{filename}”第{len(rows) + 1}行无法按CSV读取：{exc}") from None
    width = max((len(r) for r in rows), default=0)
    if width > limits.MAX_COLUMNS:
        raise Unreadable(limits.too_large(filename, None, len(rows), width))
    rows = [r + [""] * (width - len(r)) for r in rows]
    return _frame(rows)
