"""Reading workbooks and CSV files into raw cell grids, without interpreting them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is for the clerk."""


@dataclass
class RawSheet:
    """One sheet's cells as objects, in file order; Excel row r is ``cells.iloc[r-1]``."""

    name: str
    cells: pd.DataFrame


def read_file(path: str | Path, data: bytes | None = None) -> list[RawSheet]:
    """Every sheet of a workbook, or the one table of a CSV file named like its sheet."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [RawSheet(path.stem, _read_csv(data, path.name))]
    if suffix in EXCEL_SUFFIXES or not suffix:
        return _read_workbook(data, path.name)
    raise Unreadable(f"文件“{path.name}”不是Excel工作簿或CSV文件（只接受 .xlsx、.xls、.csv）")


def _read_workbook(data: bytes, filename: str) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and b"EncryptedPackage" in data[:65536].replace(b"\x00", b""):
        raise Unreadable(f"文件“{filename}”设置了打开密码，请取消密码后重新导入")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append(RawSheet(name, _frame(rows)))
    except Exception as exc:  # calamine raises several types for a non-workbook
        raise Unreadable(f"文件“{filename}”无法作为Excel工作簿读取（文件损坏或不是Excel格式：{type(exc).__name__}）") from None
    return sheets


def _frame(rows: list[list]) -> pd.DataFrame:
    """Cells as objects; an empty cell may be "" or None (values.to_text reads both as blank)."""
    frame = pd.DataFrame(rows, dtype=object)
    frame.index = range(1, len(frame) + 1)
    return frame


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
    text = decode(data, filename)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return _frame(rows)
