"""Turn a ledger workbook or CSV files into validated, canonical tables.

``load`` never raises for bad input: it returns every problem found, so a clerk can
fix a workbook in one pass. Nothing here knows about the database or Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import isolate, values
from .read import CSV_SUFFIXES, RawSheet, Unreadable, read_file
from .spec import SHEETS, SHEETS_BY_KEY, Sheet
from .townships import DEFAULT_TOWNSHIPS, Township, TownshipResolver, split_aliases
from .validate import (
    ERROR,
    NOTE,
    WARNING,
    Header,
    Problem,
    Problems,
    by_headers,
    closest,
    ledger_like,
    locate_header,
    match_sheet,
    norm_header,
    validate_sheet,
)

OPTIONS_SHEET = "选项"  # the template's hidden drop-down sources

# (fraction done, what is happening): lets a page show that a large file is moving.
Progress = Callable[[float, str], None]
READ_SHARE = 0.5  # parsing a workbook takes about as long as validating it


def quiet(fraction: float, message: str) -> None:
    pass

__all__ = ["DEFAULT_TOWNSHIPS", "ERROR", "NOTE", "SHEETS", "SHEETS_BY_KEY", "WARNING", "LoadResult", "Problem", "Township", "load", "load_files", "load_sheets"]


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
    def notes(self) -> list[Problem]:
        """What was inferred or skipped (months from titles, totals rows, sheets found
        by their headers): the clerk confirms these before anything is written."""
        return [p for p in self.problems if p.level == NOTE]

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
    """Read several files as one import (a workbook, or one CSV per sheet), in a child
    process with a memory and a time limit (``isolate``): an untrusted file may crash or
    exhaust the child, never the caller. Such a failure is an error naming the files."""
    names = "、".join(Path(p).name for p, _ in files)
    try:
        return isolate.run(load_in_process, files, townships, progress=progress, name=names)
    except isolate.Failed as exc:
        result = LoadResult(townships=townships or DEFAULT_TOWNSHIPS)
        result.problems = [Problem(ERROR, "", None, "", "", str(exc), names)]
        return result


def read_isolated(path: str | Path, data: bytes | None = None) -> list[RawSheet]:
    """``read_file`` in a child process (see ``load_files``); Unreadable on any failure."""
    try:
        return isolate.run(read_file, path, data, name=Path(path).name)
    except isolate.Failed as exc:
        raise Unreadable(str(exc)) from None


def load_in_process(
    files: list[tuple[Path, bytes | None]], townships: tuple[Township, ...] | None = None, progress: Progress = quiet
) -> LoadResult:
    """``load_files`` in this process: for trusted files and for the child itself."""
    problems = Problems()
    sheets: list[RawSheet] = []
    for i, (path, data) in enumerate(files):
        size = f"（{len(data) / 1e6:.1f} MB）" if data is not None else ""
        progress(READ_SHARE * i / len(files), f"正在读取文件“{Path(path).name}”{size}……")
        try:
            sheets.extend(read_file(path, data))
        except Unreadable as exc:
            problems.add(ERROR, "", None, "", None, str(exc), file=Path(path).name)
        except OSError as exc:
            problems.add(ERROR, "", None, "", None, f"文件无法打开：{exc.strerror or exc}", file=Path(path).name)
    names = "、".join(Path(p).name for p, _ in files)
    return _validate(sheets, townships, progress, problems, names)


def load_sheets(sheets: list[RawSheet], townships: tuple[Township, ...] | None = None, progress: Progress = quiet
                ) -> LoadResult:
    """Sheets already in memory (a generated ledger: ``sample_data.scale``) through the
    same rules as a file's: the tables found by name or headers, every cell checked."""
    names = "、".join(dict.fromkeys(s.file for s in sheets if s.file))
    return _validate(sheets, townships, progress, Problems(), names)


def _validate(sheets: list[RawSheet], townships, progress: Progress, problems: Problems, names: str) -> LoadResult:
    raws: list[tuple[Sheet, RawSheet, Header | None]] = []
    for raw in sheets:
        found = _which_table(raw, problems)
        if found is not None:
            raws.append((found[0], raw, found[1]))

    result = LoadResult()
    seen: dict[str, RawSheet] = {}
    for spec, raw, _ in raws:
        if spec.key in seen:
            other = seen[spec.key]
            where = f"文件“{other.file}”的" if other.file != raw.file else ""
            problems.add(ERROR, raw.name, None, "", None, f"与{where}工作表“{other.name}”是同一张表（{spec.name}），请合并为一张",
                         file=raw.file)
        seen[spec.key] = raw

    ordered = sorted(raws, key=lambda sr: sr[0].key != "townships")
    resolver = TownshipResolver(townships or DEFAULT_TOWNSHIPS)
    result.townships = resolver.townships
    for j, (spec, raw, header) in enumerate(ordered):
        progress(READ_SHARE + (1 - READ_SHARE) * j / len(ordered), f"正在校验“{raw.name}”（{len(raw.cells):,}行）……")
        sheet = validate_sheet(raw, spec, resolver, problems, header)
        if sheet is None:
            continue
        result.tables[spec.key] = sheet.frame
        result.sheet_names[spec.key] = sheet.sheet_name
        if spec.key == "townships" and not any(p.sheet == raw.name and p.level == ERROR for p in problems.items):
            result.townships = townships_from_frame(sheet.frame)
            resolver = TownshipResolver(result.townships)
    if not any(len(t) for t in result.tables.values()) and not any(p.level == ERROR for p in problems.items):
        problems.add(ERROR, "", None, "", None, "文件中没有可导入的台账数据（工作表名称或表头无法识别，或没有数据行）",
                     file=names)
    progress(1.0, "检查完成")
    order = {(raw.file, raw.name): i for i, (_, raw, _) in enumerate(raws)}
    result.problems = sorted(problems.items, key=lambda p: (order.get((p.file, p.sheet), -1), p.row or 0))
    return result


NOTES_SHEET = re.compile(r"说明|须知|注意事项|填报要求")
SUMMARY_SHEET = re.compile(r"汇总|统计表|总表")


def _which_table(raw: RawSheet, problems: Problems) -> tuple[Sheet, Header | None] | None:
    """The table a sheet holds, by its name or else by its header row; notes and
    summaries without an ID column are skipped with a notice; a sheet that looks like a
    ledger table but is none of them is an error (nothing the clerk sent is dropped
    without a word)."""
    if raw.name == OPTIONS_SHEET or not _has_content(raw):
        return None
    at = dict(file=raw.file)
    named = match_sheet(raw.name)
    words = ledger_like(raw) or []
    has_id = any(_is_id_header(w) for w in words)
    kind = "说明" if NOTES_SHEET.search(raw.name) else "汇总表" if SUMMARY_SHEET.search(raw.name) else None
    if kind and not has_id:
        problems.add(NOTE, raw.name, None, "", None, f"工作表“{raw.name}”是{kind}（没有证件号码列），已跳过，不导入", **at)
        return None
    if named is not None:
        header = locate_header(raw, named)
        if header is not None:
            return named, header
    found = by_headers(raw)
    if found is not None:
        spec, header = found
        problems.add(NOTE, raw.name, None, "", None, f"工作表“{raw.name}”按表头识别为“{spec.name}”", **at)
        return spec, header
    if named is not None:
        return named, None  # validate_sheet says it has no header
    if words:
        near = closest(raw)
        hint = ""
        if near is not None:
            spec, missing = near
            hint = f"最接近“{spec.name}”，但缺少" + "、".join(f"“{c.header}”" for c in missing) + "列。"
        problems.add(ERROR, raw.name, None, "、".join(dict.fromkeys(words)), None,
                     f"工作表“{raw.name}”像是台账表（有" + "、".join(f"“{w}”" for w in dict.fromkeys(words))
                     + f"等列），但与任何一张台账表的格式都不符：{hint}请按模板改正表头，或把工作表名改为对应的表名", **at)
        return None
    problems.add(WARNING, raw.name, None, "", None, "未识别的工作表（不是台账表），已忽略", **at)
    return None


def _has_content(raw: RawSheet) -> bool:
    from .values import cell_text

    return any(cell_text(v) is not None for v in raw.cells.head(50).to_numpy().ravel()) or any(
        values.to_text(raw.cells[c]).notna().any() for c in raw.cells.columns
    )


def _is_id_header(written: str) -> bool:
    from .spec import SHARED_ALIASES

    key = norm_header(written)
    key = re.sub(r"\(.*\)$", "", key)
    return key in {norm_header(n) for n in ("证件号码", *SHARED_ALIASES["证件号码"])}


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
