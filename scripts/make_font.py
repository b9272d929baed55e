"""Build the bundled Chinese font of the chart image exports (assets/fonts/).

Extracts the Simplified Chinese face ("Noto Sans CJK SC") of Debian's fonts-noto-cjk
collections (NotoSansCJK-Regular.ttc, NotoSansCJK-Bold.ttc) with fontTools, subsets it
to what Chinese government documents use (GB2312 level 1 + 2 hanzi, ASCII, CJK
punctuation, full-width forms, common symbols), renames the family to "Noto Sans SC"
(the first family of ``charts.theme.FONT_FAMILY``) and writes

    assets/fonts/NotoSansSC-Regular.otf
    assets/fonts/NotoSansSC-Bold.otf
    assets/fonts/OFL.txt          (the SIL Open Font License, from Debian's copyright file)

Run once (``python scripts/make_font.py``); the outputs are committed, so the server
needs neither fonts-noto-cjk nor fontTools. The licence allows subsetting and
redistribution; "Noto" is not a Reserved Font Name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assets" / "fonts"
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
SOURCE_FAMILY = "Noto Sans CJK SC"
FAMILY = "Noto Sans SC"
MAX_BYTES = 8 * 1024 * 1024

#: Symbols beyond the ranges below that the ledger's documents use.
EXTRA = "％‰·—–…《》【】〔〕“”‘’℃×÷±≤≥≠≈°√∶■□▲△●○★☆→←↑↓①②③④⑤⑥⑦⑧⑨⑩ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ￥€£§№"


def gb2312_hanzi() -> list[str]:
    """Every hanzi of GB2312: level 1 (rows 16–55) and level 2 (rows 56–87)."""
    out = []
    for row in range(16, 88):
        for cell in range(1, 95):
            try:
                out.append(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # the five empty cells at the end of row 55
    return out


def gb2312_symbols() -> list[str]:
    """Non-hanzi rows of GB2312 (punctuation, full-width forms, kana, Greek, Cyrillic,
    box drawing, pinyin letters): rows 1–9."""
    out = []
    for row in range(1, 10):
        for cell in range(1, 95):
            try:
                out.append(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def codepoints() -> set[int]:
    chars = set(gb2312_hanzi()) | set(gb2312_symbols()) | set(EXTRA)
    cps = {ord(c) for c in chars}
    cps |= set(range(0x20, 0x7F))  # ASCII
    cps |= {0xA0, 0xA9, 0xAE, 0xB7}  # nbsp © ® ·
    cps |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    cps |= set(range(0xFF01, 0xFF5F))  # full-width ASCII forms
    cps |= set(range(0xFFE0, 0xFFE7))  # full-width ￠￡￢￣￤￥￦
    cps |= set(range(0x2010, 0x2027))  # dashes, quotes, bullet, ellipsis
    return cps


def pick_face(path: Path):
    collection = TTCollection(str(path))
    for font in collection.fonts:
        if font["name"].getDebugName(1) == SOURCE_FAMILY:
            return font
    raise SystemExit(f"No face named {SOURCE_FAMILY!r} in {path}.")


def rename(font, style: str) -> None:
    """Family "Noto Sans SC", style Regular/Bold, in the name table and the CFF."""
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    ps = f"NotoSansSC-{style}"
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (16, 17, 21, 22):  # typographic family: same as 1/2 here
            name.removeNames(nameID=rec.nameID)
    for rec in name.names:
        if rec.nameID in (1, 3, 4, 6):
            # Localised (e.g. Chinese "思源黑体") and English records alike: one family name.
            text = {1: FAMILY, 3: f"{ps};subset-gb2312", 4: full, 6: ps}[rec.nameID]
            rec.string = text
        elif rec.nameID == 2:
            rec.string = style
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FamilyName = FAMILY
        top.FullName = full
        if hasattr(top, "CIDFontName"):
            top.CIDFontName = ps


def build(style: str, out_dir: Path) -> Path:
    src = SOURCE_DIR / f"NotoSansCJK-{style}.ttc"
    font = pick_face(src)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.layout_features = ["*"]  # vertical forms, proportional punctuation, …
    options.notdef_outline = True
    options.hinting = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(font)
    rename(font, style)
    out = out_dir / f"NotoSansSC-{style}.otf"
    font.save(str(out))
    size = out.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{out.name} is {size / 1e6:.1f} MB, more than {MAX_BYTES / 1e6:.0f} MB.")
    return out


def licence_text() -> str:
    """The SIL Open Font License of Debian's copyright file, un-indented."""
    lines = COPYRIGHT.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "License: SIL-1.1" and i + 1 < len(lines) and lines[i + 1].startswith(" "))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        body.append("" if line.strip() == "." else line[1:])
    head = [
        "Noto Sans CJK SC (subset and renamed \"Noto Sans SC\" by scripts/make_font.py)",
        "Copyright © 2014-2021 Adobe (the font's own copyright notice).",
        "Debian fonts-noto-cjk copyright file: Copyright 2010-2012, Google Corporation.",
        "",
    ]
    return "\n".join(head + body).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for style in ("Regular", "Bold"):
        path = build(style, args.out)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size / 1e6:.2f} MB")
    (args.out / "OFL.txt").write_text(licence_text(), encoding="utf-8")
    print("OFL.txt written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
