"""Hostile upload files for tests/test_browser_hostile.py and tests/test_isolate.py, each small on disk:

- ``sparse_xlsx``: A1 and XFD1048576 (xlsxwriter declares <dimension ref="A1:XFD1048576">),
  about 2 KB; python-calamine used to ask for ~550 GB and abort the whole process;
- ``undeclared_sparse_xlsx``: the same two cells in a hand-written minimal xlsx with no
  <dimension> element, so only reading it (in a child process) finds the extent;
- ``deflate_bomb`` / ``deflate_bomb_xlsx``: a zip-valid xlsx whose sheet XML is ~1.8 GB of
  spaces, ~2 MB on disk, made of one deflate block repeated (no gigabytes compressed);
- ``tall_xlsx``: A1 and W1048575 (a declared 1,048,575-row sheet);
- ``one_field_csv``: one quoted CSV field of 10 MB;
- ``tiny_csvs``: ``n`` one-line CSV files (more than ``limits.MAX_FILES`` in one upload).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import xlsxwriter

LABOR = "劳动力就业台账"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def two_cells_xlsx(path: Path, last: str, sheet: str = LABOR) -> Path:
    """A workbook with "x" at A1 and "y" at ``last`` (xlsxwriter declares the range)."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    ws.write("A1", "x")
    ws.write(last, "y")
    book.close()
    return Path(path)


def sparse_xlsx(path: Path, sheet: str = LABOR) -> Path:
    return two_cells_xlsx(path, "XFD1048576", sheet)


def tall_xlsx(path: Path, sheet: str = LABOR) -> Path:
    return two_cells_xlsx(path, "W1048575", sheet)


def _package(sheet: str) -> list[tuple[str, str]]:
    """The parts of a minimal xlsx besides its worksheet (no styles, no shared strings)."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    )
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
    ]


def undeclared_sparse_xlsx(path: Path, sheet: str = LABOR) -> Path:
    """A1 and XFD1048576 as inline strings, and no <dimension>: the cheap pre-checks see
    nothing to refuse; only reading the cells finds a 1,048,576 × 16,384 extent."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in _package(sheet):
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return Path(path)


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already-deflated members (name, raw deflate, size, CRC-32), by the book
    (APPNOTE 4.3), so a bomb needs no compressing of gigabytes."""
    out, central = b"", b""
    for name, raw, size, crc in members:
        n = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                               len(n), 0, 0, 0, 0, 0, len(out)) + n
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(n), 0) + n + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return out + central + end


def _deflated(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, c.compress(data) + c.flush(), len(data), zlib.crc32(data)


def deflate_bomb(mb: int) -> bytes:
    """An xlsx whose one worksheet is a header and ``mb`` MB of spaces. One fully flushed
    deflate block of 1 MB of spaces (~1 KB) repeated is a valid stream of all of them."""
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    raw = first + block * mb + c.flush()
    crc = zlib.crc32(head)
    spaces = b" " * (1 << 20)
    for _ in range(mb):
        crc = zlib.crc32(spaces, crc)
    book = ('<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{LABOR}" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
    rels = b'<Relationships><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    return _zip([_deflated("[Content_Types].xml", b"<Types/>"), _deflated("xl/workbook.xml", book),
                 _deflated("xl/_rels/workbook.xml.rels", rels),
                 ("xl/worksheets/sheet1.xml", raw, len(head) + (mb << 20), crc)])


def deflate_bomb_xlsx(path: Path, mb: int = 1800, sheet: str = LABOR) -> Path:
    """``deflate_bomb`` written to ``path``."""
    Path(path).write_bytes(deflate_bomb(mb))
    return Path(path)


def one_field_csv(path: Path, mb: int = 10) -> Path:
    """One quoted field of ``mb`` MB (and nothing else)."""
    Path(path).write_bytes(b'"' + b"x" * (mb << 20) + b'"\r\n')
    return Path(path)


def tiny_csvs(folder: Path, n: int) -> list[Path]:
    """``n`` one-line CSV files, 劳动力就业台账_1.csv …"""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(1, n + 1):
        p = folder / f"{LABOR}_{i}.csv"
        p.write_text("姓名\r\n张三\r\n", encoding="utf-8")
        out.append(p)
    return out
