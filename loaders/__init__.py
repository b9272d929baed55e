"""Turn a ledger workbook or CSV files into validated, canonical tables.

``load`` never raises for bad input: it returns every problem found, so a clerk can
fix a workbook in one pass. Nothing here knows about the database or Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .read import CSV_SUFFIXES, RawSheet, Unreadable, read_file
from .spec import SHEETS, SHEETS_BY_KEY, Sheet
from .townships import DEFAULT_TOWNSHIPS, Township, TownshipResolver, split_aliases
from .validate import ERROR, WARNING, Problem, Problems, match_sheet, validate_sheet

OPTIONS_SHEET = "选项"  # the template's hidden drop-down sources

# (fraction done, what is happening): lets a page show that a large file is moving.
Progress = Callable[[float, str], None]
READ_SHARE = 0.5  # parsing a workbook takes about as long as validating it


def quiet(fraction: float, message: str) -> None:
    pass

__all__ = ["LoadResult", "load", "load_files", "Problem", "SHEETS", "SHEETS_BY_KEY", "Township", "DEFAULT_TOWNSHIPS"]


@dataclass
class LoadResult:
    """Canonical tables by sheet key, and every problem found (errors reject the import)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sheet_names: dict[str, str] = field(default_factory=dict)  # sheet key → name in the file
    townships: tuple[Township, ...] = DEFAULT_TOWNSHIPS

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors and any(len(t) for t in self.tables.values())


def load(
    path: str | Path, townships: tuple[Township, ...] | None = None, data: bytes | None = None, progress: Progress = quiet
) -> LoadResult:
    """Read one workbook or CSV file; ``townships`` is the stored list, if any."""
    return load_files([(Path(path), data)], townships, progress)


def load_files(
    files: list[tuple[Path, bytes | None]], townships: tuple[Township, ...] | None = None, progress: Progress = quiet
) -> LoadResult:
    """Read several files as one import (a workbook, or one CSV per sheet)."""
    problems = Problems()
    raws: list[tuple[Sheet, RawSheet]] = []
    for i, (path, data) in enumerate(files):
        size = f"（{len(data) / 1e6:.1f} MB）" if data is not None else ""
        progress(READ_SHARE * i / len(files), f"正在读取文件“{Path(path).name}”{size}……")
        try:
            sheets = read_file(path, data)
        except Unreadable as exc:
            problems.add(ERROR, Path(path).name, None, "", None, str(exc))
            continue
        except OSError as exc:
            problems.add(ERROR, Path(path).name, None, "", None, f"文件无法打开：{exc.strerror or exc}")
            continue
        for raw in sheets:
            spec = match_sheet(raw.name)
            if spec is None:
                if raw.name != OPTIONS_SHEET and raw.cells.replace("", None).notna().any().any():
                    problems.add(WARNING, raw.name, None, "", None, "未识别的工作表，已忽略")
                continue
            raws.append((spec, raw))

    result = LoadResult()
    seen: dict[str, str] = {}
    for spec, raw in raws:
        if spec.key in seen:
            problems.add(ERROR, raw.name, None, "", None, f"与工作表“{seen[spec.key]}”是同一张表，请合并为一张")
        seen[spec.key] = raw.name

    ordered = sorted(raws, key=lambda sr: sr[0].key != "townships")
    resolver = TownshipResolver(townships or DEFAULT_TOWNSHIPS)
    result.townships = resolver.townships
    for j, (spec, raw) in enumerate(ordered):
        progress(READ_SHARE + (1 - READ_SHARE) * j / len(ordered), f"正在校验“{raw.name}”（{len(raw.cells):,}行）……")
        sheet = validate_sheet(raw, spec, resolver, problems)
        if sheet is None:
            continue
        result.tables[spec.key] = sheet.frame
        result.sheet_names[spec.key] = sheet.sheet_name
        if spec.key == "townships" and not any(p.sheet == raw.name and p.level == ERROR for p in problems.items):
            result.townships = townships_from_frame(sheet.frame)
            resolver = TownshipResolver(result.townships)
    if not any(len(t) for t in result.tables.values()) and not any(p.level == ERROR for p in problems.items):
        problems.add(ERROR, ", ".join(Path(p).name for p, _ in files), None, "", None, "文件中没有可导入的台账数据（工作表名称或表头无法识别，或没有数据行）")
    progress(1.0, "检查完成")
    order = {raw.name: i for i, (_, raw) in enumerate(raws)}
    result.problems = sorted(problems.items, key=lambda p: (order.get(p.sheet, -1), p.row or 0))
    return result


def group_files(files: list[tuple[Path, bytes | None]]) -> list[list[tuple[Path, bytes | None]]]:
    """Uploaded files as imports: each workbook on its own (townships send one each, and
    each holds every sheet), and all CSV files together (one CSV per sheet of one
    ledger), where the first of them was."""
    groups: list[list[tuple[Path, bytes | None]]] = []
    csvs: list[tuple[Path, bytes | None]] | None = None
    for path, data in files:
        if Path(path).suffix.lower() in CSV_SUFFIXES:
            if csvs is None:
                csvs = []
                groups.append(csvs)
            csvs.append((path, data))
        else:
            groups.append([(path, data)])
    return groups


def townships_from_frame(frame: pd.DataFrame) -> tuple[Township, ...]:
    def text(v) -> str:
        return "" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(v)

    return tuple(
        Township(text(r.code), text(r.name), text(r.type), split_aliases(text(r.aliases)), text(r.parent) or "宜州区")
        for r in frame.itertuples()
    )
