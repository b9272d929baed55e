"""Independent check of the importer against workbooks written the way township staff write them.

The corpus (``tests/messy_corpus.py``) was written from the contract in
``../shared/ledger-format.md`` alone. Each case is run through the command line in
process -- ``import`` into a fresh SQLite file, then ``figures --format json`` -- and
compared with the hand-counted outcome:

* never a Python traceback (an exception other than SystemExit fails the case);
* an accepted file (exit 0) gives exactly the hand-counted figures;
* a rejected file (exit 1) prints a message naming the row as Excel shows it, the column
  header, the sheet (or the CSV file) and the column letter.

The first line of each failure says what went wrong, so ``pytest -rf`` reads as a to-do list.
Workbooks are generated here (nothing binary is committed); .xls/.ods variants are saved by
LibreOffice once per session (skipped without ``soffice``, a failure under ``CI=true``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import traceback
from pathlib import Path

import pytest

from tests import messy_corpus as mc

CASES = mc.CASES
AS_OF = "2020-09-30"


# --- Running the command line in process -----------------------------------------------------


@pytest.fixture(scope="session")
def cli_main():
    try:
        from ledger.cli import main
    except Exception as exc:  # the importer is being rewritten: say so instead of erroring at collection
        pytest.fail(f"cannot import ledger.cli.main: {type(exc).__name__}: {exc}")
    return main


def run_cli(main, args):
    """(exit status, printed text, traceback or None)."""
    buf = io.StringIO()
    crash = None
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            rc = main(args)
        except SystemExit as exc:
            rc = exc.code
        except Exception:
            rc = None
            crash = traceback.format_exc()
    if isinstance(rc, str):  # sys.exit("message")
        buf.write(rc + "\n")
        rc = 1
    return (0 if rc is None and crash is None else rc), buf.getvalue(), crash


# --- LibreOffice saves (.xls / .ods), made once per session -------------------------------------


@pytest.fixture(scope="session")
def office_files(tmp_path_factory):
    """(case id, file index) -> path of the LibreOffice-saved file, or None without soffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    root = tmp_path_factory.mktemp("office")
    made = {}
    for fmt in ("xls", "ods"):
        src, out = root / f"src_{fmt}", root / f"out_{fmt}"
        src.mkdir()
        out.mkdir()
        staged = {}
        for case in CASES:
            for i, f in enumerate(case.files):
                if isinstance(f, mc.Book) and f.convert == fmt:
                    stem = f"{case.id.replace('@', '_')}__{i}"  # ASCII names for soffice; renamed on use
                    mc.write_book(f, src / f"{stem}.xlsx")  # the .xlsx LibreOffice opens and saves again
                    staged[(case.id, i)] = out / f"{stem}.{fmt}"
        if not staged:
            continue
        cmd = [soffice, f"-env:UserInstallation=file://{root / 'profile'}", "--headless", "--calc",
               "--convert-to", fmt, "--outdir", str(out)] + sorted(str(p) for p in src.glob("*.xlsx"))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        for key, path in staged.items():
            made[key] = path if path.exists() else RuntimeError(
                f"soffice did not write {path.name} (exit {proc.returncode}): {proc.stderr[-500:]}")
    return made


def materialise(case, folder: Path, request) -> list[Path]:
    paths = []
    for i, f in enumerate(case.files):
        if isinstance(f, mc.Book) and f.convert:
            office = request.getfixturevalue("office_files")
            if office is None:
                if os.environ.get("CI") == "true":
                    pytest.fail("soffice (LibreOffice) not found: needed for the .xls/.ods cases (CI=true)")
                pytest.skip("soffice (LibreOffice) not installed: .xls/.ods case skipped")
            made = office[(case.id, i)]
            if isinstance(made, Exception):
                pytest.fail(f"LibreOffice conversion failed: {made}")
            target = folder / f.name
            shutil.copyfile(made, target)
            paths.append(target)
        else:
            paths.append(mc.write_file(f, folder))
    return paths


# --- Matching printed text ---------------------------------------------------------------------


def has(text: str, pattern: str) -> bool:
    if pattern.startswith("re:"):
        return re.search(pattern[3:], text) is not None
    return pattern in text


def row_pattern(row: int) -> str:
    return rf"re:第\s*{row}\s*行"


def first_problem_line(out: str) -> str:
    for line in out.splitlines():  # the first listed error, not the "错误（6）：" heading
        if "错误" in line and not re.match(r"\s*错误\s*[（(]\d+[）)]\s*[：:]?\s*$", line) and "共" not in line:
            return line.strip()[:200]
    lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
    return (lines[-1] if lines else "(nothing printed)")[:200]


def describe(err: mc.Err) -> str:
    parts = []
    if err.where:
        parts.append(err.where)
    if err.row is not None:
        parts.append(f"第{err.row}行")
    if err.header:
        parts.append(err.header)
    parts.extend(p[3:] if p.startswith("re:") else p for p in err.also)
    return " / ".join(parts)


def check_error(err: mc.Err, out: str) -> str | None:
    """None when some printed line names everything ``err`` asks for; else the reason."""
    needed = []
    if err.row is not None:
        needed.append(row_pattern(err.row))
    if err.header:
        # the header as a name, not inside a hint's prose ("把证件号码、电话…填入此列" does not name 证件号码)
        needed.append(r"re:(?:^|[^\u4e00-\u9fff]|[列行])" + re.escape(err.header))
    if err.where:
        needed.append(err.where)
    needed.extend(err.also)
    lines = out.splitlines()
    hits = [ln for ln in lines if all(has(ln, p) for p in needed)]
    if not hits:
        near = [ln.strip() for ln in lines if err.row is not None and has(ln, row_pattern(err.row))]
        near = near or [ln.strip() for ln in lines if err.header and err.header in ln]
        hint = f"; nearest: {near[0][:160]}" if near else ""
        return f"no message naming {describe(err)}{hint}"
    if err.where and err.where.lower().endswith(".csv"):
        if all(re.search(r"工作表\W{0,2}" + re.escape(err.where), ln) for ln in hits):
            return f"the message calls the CSV file {err.where} a 工作表"
    if err.col:
        col = rf"(?<![A-Za-z]){err.col}(?:\s*列|{err.row}(?!\d))" if err.row else rf"(?<![A-Za-z]){err.col}\s*列"
        if not any(re.search(col, ln) for ln in hits):
            return f"message for {describe(err)} lacks the column letter {err.col}: {hits[0].strip()[:160]}"
    return None


def parse_figures(out: str) -> dict:
    start, end = out.find("{"), out.rfind("}")
    if start < 0 or end < start:
        raise ValueError(f"figures printed no JSON: {out[:300]!r}")
    return json.loads(out[start:end + 1])


def same_number(actual, expected) -> bool:
    try:
        return abs(float(actual) - float(expected)) < 0.005
    except (TypeError, ValueError):
        return actual == expected


# --- The cases ---------------------------------------------------------------------------------


def _fail(case, headline, out=""):
    detail = [headline]
    if case.note:
        detail.append(f"(interpretation: {case.note})")
    if out:
        detail.append("--- printed ---")
        detail.append(out[-3000:])
    pytest.fail("\n".join(detail), pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_messy_case(case, tmp_path, request, cli_main):
    files = tmp_path / "files"
    files.mkdir()
    paths = materialise(case, files, request)
    db = f"sqlite:///{tmp_path / 'x.db'}"

    rc, out, crash = run_cli(cli_main, ["import", *map(str, paths), "--db", db])
    if crash:
        last = crash.strip().splitlines()[-1]
        _fail(case, f"import raised {last}", out + crash)
    if "Traceback" in out:
        _fail(case, "import printed a Python traceback", out)
    if rc != case.exit:
        want = "accepted (exit 0)" if case.exit == 0 else "rejected (exit 1)"
        _fail(case, f"expected {want}, got exit {rc}: {first_problem_line(out)}", out)
    import_out = out

    problems = []
    if case.exit == 0:
        queries = ([mc.Q(AS_OF, None, case.figures)] if case.figures else []) + list(case.queries)
        for query in queries:
            args = ["figures", "--as-of", query.as_of, "--format", "json", "--db", db]
            if query.township:
                args += ["--township", query.township]
            frc, fout, fcrash = run_cli(cli_main, args)
            where = f"as of {query.as_of}" + (f", --township {query.township}" if query.township else "")
            if fcrash:
                _fail(case, f"figures ({where}) raised {fcrash.strip().splitlines()[-1]}", fout + fcrash)
            if frc != 0 or "Traceback" in fout:
                _fail(case, f"figures ({where}) failed with exit {frc}", fout)
            got = parse_figures(fout)["figures"]
            for key, expected in query.figures.items():
                if key not in got:
                    problems.append(f"{key} missing ({where})")
                elif not same_number(got[key], expected):
                    problems.append(f"{key} = {got[key]}, expected {expected} ({where})")
        if problems:
            _fail(case, "figures differ: " + "; ".join(problems), import_out)
    else:
        for err in case.errors:
            reason = check_error(err, import_out)
            if reason:
                problems.append(reason)
        if problems:
            _fail(case, problems[0] + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""), import_out)

    for pattern in case.output:
        if not has(import_out, pattern):
            _fail(case, f"import summary does not mention {pattern.removeprefix('re:')!r}", import_out)
    for pattern in case.forbid:
        m = re.search(pattern[3:], import_out) if pattern.startswith("re:") else (pattern in import_out)
        if m:
            shown = m.group(0) if hasattr(m, "group") else repr(pattern)
            _fail(case, f"printed text it must not: {shown[:160]!r}", import_out)


def test_corpus_is_well_formed():
    """About 200 cases; every accepted case checks figures or the summary, every rejected one a message."""
    assert len(CASES) >= 200
    for case in CASES:
        if case.exit == 0:
            assert case.figures or case.queries or case.output, case.id
        else:
            assert case.errors, case.id
            assert not case.figures, case.id
