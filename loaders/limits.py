"""What one upload may hold, checked cheaply before anything is parsed.

A parser is the wrong place to learn that a file is hostile: python-calamine aborts the
whole process (a Rust abort, which Python cannot catch) on a 2 KB workbook declaring a
cell at XFD1048576, and a deflate bomb turns a few MB into gigabytes. These checks read
only the zip's directory and the first few KB of each worksheet's XML. What a file can
hide from them (a worksheet without ``<dimension>``, sizes the zip directory misstates,
an .ods or .xlsb) is met by ``loaders.isolate``, which reads in a child process with a
memory and a time limit.

Every check returns a message for the clerk naming the file, the sheet and the limit,
or None when the file is within the limits.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import PurePath

MB = 1 << 20

MAX_ROWS = 500_000  # per sheet; the biggest real one (劳动力就业台账) has 270,001
MAX_COLUMNS = 200  # the widest table has 23 columns
# A workbook's XML, all members together: the 20 MB sample's is 190 MB (its labour sheet
# 183 MB), a sheet of MAX_ROWS rows of that width about 350 MB. Reading and checking the
# sample peaks at 2.2 GB of address space, so the reader's memory limit (isolate.MEMORY_MB)
# would stop a real workbook near this size anyway; this stops a bomb before it starts.
MAX_UNCOMPRESSED = 1024 * MB
# Worksheet XML deflates 4–10× (the sample's is 10×; 300,000 styled empty rows 20×); a
# deflate bomb about 1,000×. Small members are left alone: they prove nothing either way.
MAX_RATIO = 200
RATIO_FLOOR = 10 * MB
MAX_ENTRIES = 10_000  # a workbook has a few dozen parts; zipfile spends ~1 KB listing each
MAX_FILES = 40  # per upload
MAX_UPLOAD_BYTES = 200 * MB  # per upload, all files together (server.maxUploadSize is per file)
MAX_CSV_FIELD = 32 * 1024  # characters in one CSV field; an Excel cell holds at most 32,767
MAX_CSV_BYTES = 100 * MB  # the labour sheet as CSV is 51 MB in UTF-8 (41 MB in GBK)
HEAD = 64 * 1024  # <dimension> comes before <sheetData>, within the first KB in practice

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_TAG = re.compile(rb"<(?:\w+:)?(?:sheet|Relationship)\b[^>]*>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.I)


def too_large(filename: str, sheet: str | None, rows: int, columns: int, ref: str | None = None) -> str:
    """The message for a sheet (or a CSV file, ``sheet=None``) beyond MAX_ROWS × MAX_COLUMNS."""
    where = f"文件“{filename}”" + (f"的工作表“{sheet}”" if sheet else "")
    size = f"{rows:,}行×{columns:,}列"
    has = f"声明的范围为{ref}（{size}）" if ref else f"有{size}"
    return (
        f"{where}{has}，超过本系统的上限（{MAX_ROWS:,}行×{MAX_COLUMNS:,}列）："
        "请删去多余的行列，或把数据分成几个文件后再导入"
    )


def check_upload(files: Iterable[tuple[str | PurePath, int]]) -> str | None:
    """One upload as (file name, size in bytes) pairs: how many files, how many bytes."""
    files = list(files)
    if len(files) > MAX_FILES:
        return f"一次最多上传{MAX_FILES}个文件，本次选择了{len(files)}个：请分几次导入"
    total = sum(size for _, size in files)
    if total > MAX_UPLOAD_BYTES:
        return f"本次上传的文件共{_mb(total)}，超过本系统的上限（{_mb(MAX_UPLOAD_BYTES)}）：请分几次导入"
    return None


def check_csv(data: bytes, filename: str) -> str | None:
    """A CSV file's size; its rows, columns and fields are counted as it is read
    (``csv.field_size_limit(MAX_CSV_FIELD)``), which costs no more than counting first."""
    if len(data) > MAX_CSV_BYTES:
        return f"文件“{filename}”有{_mb(len(data))}，超过本系统CSV文件的上限（{_mb(MAX_CSV_BYTES)}）：请把数据分成几个文件后再导入"
    return None


def check_workbook(data: bytes, filename: str) -> str | None:
    """A workbook's zip directory (.xlsx, .xlsm, .xlsb, .ods) and each xlsx worksheet's
    declared range; for anything else (.xls) its size. A file that is not a readable zip
    passes: saying it is damaged is the reader's job."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        # An .xls (OLE2) holds at most 65,536 × 256 cells, so its size is all to check.
        if len(data) > MAX_UPLOAD_BYTES:
            return f"文件“{filename}”有{_mb(len(data))}，超过本系统的上限（{_mb(MAX_UPLOAD_BYTES)}）：请把数据分成几个文件后再导入"
        return None
    # Counted in the raw bytes before zipfile builds an object per entry: 200 MB of
    # empty entries would be millions of them.
    entries = data.count(b"PK\x01\x02")
    if entries > MAX_ENTRIES:
        return f"文件“{filename}”内部有{entries:,}个部件（正常的工作簿只有几十个），文件可能已损坏，请重新保存后再导入"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _check_archive(archive, filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None


def _check_archive(archive: zipfile.ZipFile, filename: str) -> str | None:
    infos = archive.infolist()
    names = _sheet_names(archive)
    # The ratio first: a bomb is a damaged or crafted file, not one with too many rows.
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            part = f"工作表“{names[info.filename]}”" if info.filename in names else f"部件“{info.filename}”"
            return (
                f"文件“{filename}”的{part}压缩了{info.file_size / max(info.compress_size, 1):,.0f}倍"
                f"（解压后{_mb(info.file_size)}），远超正常工作簿（上限{MAX_RATIO}倍），"
                "文件可能已损坏或被篡改：请在Excel或WPS中打开并另存后再导入"
            )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        return (
            f"文件“{filename}”解压后有{_mb(total)}，超过本系统的上限（{_mb(MAX_UNCOMPRESSED)}）："
            "请删去多余的行列，或把数据分成几个文件后再导入"
        )
    for info in infos:
        if info.filename not in names and not _WORKSHEET.fullmatch(info.filename):
            continue
        ref = _dimension(archive, info)
        size = _extent(ref) if ref else None
        if size and (size[0] > MAX_ROWS or size[1] > MAX_COLUMNS):
            return too_large(filename, names.get(info.filename, info.filename), *size, ref=ref)
    return None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet member → the sheet's name on its tab, from xl/workbook.xml and its rels
    (where python-calamine looks too). Empty for anything but xlsx/xlsm."""
    book, rels = _head(archive, "xl/workbook.xml", 4 * MB), _head(archive, "xl/_rels/workbook.xml.rels", 4 * MB)
    if book is None or rels is None:
        return {}
    by_lower = {i.filename.lower(): i.filename for i in archive.infolist()}
    targets = {}
    for attrs in _tags(rels, b"Relationship"):
        target = attrs.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        targets[attrs.get("Id")] = by_lower.get(path.lower(), path)
    out = {}
    for attrs in _tags(book, b"sheet"):
        rid = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), None)
        if rid in targets and "name" in attrs:
            out[targets[rid]] = attrs["name"]
    return out


def _tags(xml: bytes, tag: bytes) -> Iterable[dict[str, str]]:
    """Attributes of each <tag …> (with or without a namespace prefix), unescaped."""
    for m in _TAG.finditer(xml):
        head = m[0][1:].split(None, 1)[0].rstrip(b"/>")
        if head.rsplit(b":", 1)[-1] != tag:
            continue
        yield {k.decode(): html.unescape((a if a is not None else b).decode("utf-8", "replace"))
               for k, a, b in _ATTR.findall(m[0])}


def _head(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, size: int) -> bytes | None:
    """The first ``size`` bytes of a member, decompressing no more than that."""
    try:
        with archive.open(member) as stream:
            return stream.read(size)
    except (KeyError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        return None  # missing, encrypted, or a compression zipfile lacks: the reader will say


def _dimension(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    head = _head(archive, info, HEAD)
    if not head:
        return None
    m = _DIMENSION.search(head)
    data = _SHEET_DATA.search(head)
    if m is None or (data is not None and data.start() < m.start()):
        return None
    return m[1].decode("ascii", "replace")


def _extent(ref: str) -> tuple[int, int] | None:
    """Rows × columns from A1 to a range's last cell (calamine fills from A1)."""
    m = _CELL_REF.fullmatch(ref.split(":")[-1].strip())
    if m is None:
        return None
    column = 0
    for ch in m[1].upper():
        column = column * 26 + ord(ch) - 64
    return int(m[2]), column


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"
