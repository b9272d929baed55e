"""Build the session's sample ledger in a process of its own, while the tests that do
not need it run (tests/conftest.py starts it at collection, at a lower priority):

1. the sample workbook, ``sample_data.generate.write_workbook`` (unless ``--workbook``
   gives the committed one), then ``workbook.json`` beside it;
2. its SQLite store, imported by ``ui.first_start.load_sample`` (what a first start
   runs) with the progress it reports recorded, then ``store.json``.

    python -m tests.sample_build FOLDER [--workbook PATH]

Each JSON file is written whole (renamed into place), so a reader never sees half of one;
on a failure it holds the traceback instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKBOOK_DONE = "workbook.json"
STORE_DONE = "store.json"
STORE_NAME = "ledger.db"


def _write(path: Path, doc: dict) -> None:
    part = path.with_suffix(".part")
    part.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)


def build(folder: Path, workbook: Path | None) -> int:
    from sample_data.generate import SAMPLE_NAME, write_workbook

    start = time.perf_counter()
    try:
        if workbook is None:
            workbook = write_workbook(folder / SAMPLE_NAME)
        _write(folder / WORKBOOK_DONE, {"path": str(workbook), "seconds": time.perf_counter() - start})
    except BaseException:
        _write(folder / WORKBOOK_DONE, {"error": traceback.format_exc()})
        _write(folder / STORE_DONE, {"error": "the sample workbook could not be written"})
        return 1

    start = time.perf_counter()
    try:
        from ledger.store.config import make_engine
        from ui.first_start import load_sample

        engine = make_engine(f"sqlite:///{folder / STORE_NAME}")
        steps: list[list] = []
        outcome = load_sample(engine, lambda f, m: steps.append([f, m]), workbook=workbook)
        engine.dispose()
        doc = {
            "path": str(folder / STORE_NAME),
            "ok": outcome.ok,
            "log_id": outcome.log_id,
            "errors": [str(p) for p in outcome.errors[:10]],
            "steps": steps,
            "seconds": time.perf_counter() - start,
        }
    except BaseException:
        doc = {"error": traceback.format_exc()}
    _write(folder / STORE_DONE, doc)
    return 0 if doc.get("ok") else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workbook", type=Path)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    return build(args.folder, args.workbook)


if __name__ == "__main__":
    sys.exit(main())
