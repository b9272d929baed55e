"""Imports point one way, down one ordered list of layers, and no module reaches into
another's private names: what a module offers is what it names without a leading _."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Lowest first. A module may import its own layer and the layers before it; the longest
# prefix names a module's layer. Streamlit belongs to ui/ and pages/ only.
LAYERS = [
    "loaders",
    "ledger.store",
    "ledger.access",
    "ledger.query",
    "ledger.intake",
    "ledger.present",
    "charts",
    "catalogue",
    "exports",
    "sample_data",
    "ledger.cli",
    "ui",
    "pages",
    "dashboard",
]
# ledger/__init__.py is only a docstring; ``python -m ledger`` is the command line.
ALIASES = {"ledger": "ledger.store", "ledger.__main__": "ledger.cli"}
STREAMLIT_FROM = LAYERS.index("ui")
OURS = {name.split(".")[0] for name in LAYERS}
RUNTIME = [p for p in ROOT.rglob("*.py") if p.relative_to(ROOT).parts[0] in OURS or p.name == "dashboard.py"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int | None:
    module = ALIASES.get(module, module)
    best = None
    for i, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(LAYERS[best]):
                best = i
    return best


def imported(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names taken from it, line) for every import, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            out.append((module, [a.name for a in node.names], node.lineno))
    return out


def test_every_runtime_module_has_a_layer():
    assert not [module_name(p) for p in RUNTIME if layer(module_name(p)) is None]


@pytest.mark.parametrize("path", RUNTIME, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path):
    mine = layer(module_name(path))
    wrong = []
    for module, names, line in imported(path):
        targets = [module] + [f"{module}.{n}" for n in names]
        theirs = max((lay for t in targets if (lay := layer(t)) is not None), default=None)
        if theirs is not None and theirs > mine:
            wrong.append(f"{line}: {module} ({LAYERS[theirs]}) above {LAYERS[mine]}")
        if module.split(".")[0] == "streamlit" and mine < STREAMLIT_FROM:
            wrong.append(f"{line}: streamlit below ui/")
    assert not wrong


@pytest.mark.parametrize("path", RUNTIME, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_crosses_modules(path):
    """``from x import _y`` or ``x._y`` of one of our modules: a private name used
    outside its module is a public one that has not been named so."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names if layer(getattr(node, "module", None) or alias.name) is not None
            or (isinstance(node, ast.ImportFrom) and node.level)}
    wrong = [f"{line}: {module}.{n}" for module, names, line in imported(path) for n in names
             if n.startswith("_") and not n.startswith("__") and (layer(module) is not None or not module)]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in ours):
            wrong.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    assert not wrong


def test_the_layer_test_catches_an_import_against_the_order(tmp_path):
    assert layer("ledger.store.imports") < layer("ledger.query.statements") < layer("exports.tables")
    assert layer("ledger.cli") > layer("exports.briefing") and layer("ledger.cli") > layer("sample_data.generate")
    assert layer("ledger.__main__") == layer("ledger.cli")


def test_runtime_code_names_no_internet_address():
    hits = []
    for path in ROOT.rglob("*.py"):
        if {"tests", "bench", ".venv"} & set(path.relative_to(ROOT).parts):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ("http://" in line or "https://" in line) and "127.0.0.1" not in line and "localhost" not in line:
                hits.append(f"{path.relative_to(ROOT)}:{n}")
    assert not hits
