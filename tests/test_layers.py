"""Imports point one way: nothing below ui/ and pages/ imports Streamlit, and the
loaders know nothing of the store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LOWER = ["loaders", "ledger", "sample_data"]
FORBIDDEN = {"loaders": {"streamlit", "ledger", "ui", "pages"}, "ledger": {"streamlit", "ui", "pages"}, "sample_data": {"streamlit", "ui", "pages", "ledger"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", LOWER)
def test_lower_layers_do_not_import_upper_ones(package):
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN[package])
        for p in (ROOT / package).rglob("*.py")
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_runtime_code_names_no_internet_address():
    hits = []
    for path in ROOT.rglob("*.py"):
        if {"tests", "bench", ".venv"} & set(path.relative_to(ROOT).parts):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ("http://" in line or "https://" in line) and "127.0.0.1" not in line and "localhost" not in line:
                hits.append(f"{path.relative_to(ROOT)}:{n}")
    assert not hits
