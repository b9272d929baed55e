"""Streamlit's caches stay bounded: every ``st.cache_data`` in the tree (ui/, pages/ and
anywhere else) names ``max_entries`` and ``max_size`` (how many results, and how many
pickled bytes: a people list grows with the ledger, so a count alone does not bound the
memory), and every ``st.cache_resource`` names ``max_entries``; each says why beside it
(a comment or the docstring). Found by reading the source (AST), like tests/test_layers.py,
so a cache added anywhere later is held to the same rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

# What each kind of cache must name, and the reason it is not enough without it.
REQUIRED = {"cache_data": ("max_entries", "max_size"), "cache_resource": ("max_entries",)}
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "data", ".ruff_cache", ".pytest_cache"}


def sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(ROOT).parts[:-1]))


def _kind(node: ast.expr) -> str | None:
    """"cache_data" / "cache_resource" for ``st.cache_data``, ``streamlit.cache_data``
    or a bare ``cache_data`` (imported from streamlit); None otherwise."""
    if isinstance(node, ast.Attribute) and node.attr in REQUIRED and isinstance(node.value, ast.Name):
        return node.attr
    if isinstance(node, ast.Name) and node.id in REQUIRED:
        return node.id
    return None


def unbounded(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what is missing) for each cache decorator or call without its bounds.
    ``st.cache_data.clear()`` and the like are attributes of the cache, not caches."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                kind = _kind(deco)
                if kind:  # bare @st.cache_data: no arguments at all
                    found.append((deco.lineno, f"@{kind} without {', '.join(REQUIRED[kind])}"))
        if isinstance(node, ast.Call):
            kind = _kind(node.func)
            if kind:
                named = {k.arg for k in node.keywords}
                missing = [k for k in REQUIRED[kind] if k not in named]
                if missing:
                    found.append((node.lineno, f"{kind}(...) without {', '.join(missing)}"))
    return found


def test_every_streamlit_cache_is_bounded():
    seen, problems = 0, []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        if "cache_data" not in text and "cache_resource" not in text:
            continue
        tree = ast.parse(text)
        for line, what in unbounded(tree):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
        seen += sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call) and _kind(n.func))
    assert not problems, "unbounded Streamlit caches:\n" + "\n".join(problems)
    assert seen >= 2, f"found only {seen} cache decorators: is the scan looking at the tree? ({ROOT})"


def _comment_above(lines: list[str], lineno: int) -> str:
    """The comment lines right above line ``lineno`` (1-based), joined."""
    out, i = [], lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        out.insert(0, lines[i].strip())
        i -= 1
    return " ".join(out)


def test_each_bound_is_explained_beside_it():
    """A cache's bounds are a choice: the comment just above the decorator (or the
    function's docstring) names each bound it sets, to say why."""
    missing = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        if "cache_data" not in text and "cache_resource" not in text:
            continue
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for deco in node.decorator_list:
                kind = _kind(deco.func if isinstance(deco, ast.Call) else deco)
                if not kind:
                    continue
                said = _comment_above(lines, deco.lineno) + " " + (ast.get_docstring(node) or "")
                unsaid = [k for k in REQUIRED[kind] if k not in said]
                if unsaid:
                    missing.append(f"{path.relative_to(ROOT)}:{deco.lineno}: {kind} for {node.name}: {unsaid}")
    assert not missing, "caches whose bounds no comment explains:\n" + "\n".join(missing)


@pytest.mark.parametrize("source, problem", [
    ("import streamlit as st\n@st.cache_data\ndef f(): pass\n", "@cache_data without"),
    ("import streamlit as st\n@st.cache_data(ttl=60)\ndef f(): pass\n", "cache_data(...) without max_entries, max_size"),
    ("import streamlit as st\n@st.cache_data(max_entries=9)\ndef f(): pass\n", "without max_size"),
    ("from streamlit import cache_resource\n@cache_resource()\ndef f(): pass\n", "cache_resource(...) without max_entries"),
    ("import streamlit as st\ng = st.cache_data(show_spinner=False)(len)\n", "cache_data(...) without max_entries"),
])
def test_the_scan_finds_an_unbounded_cache(source, problem):
    found = unbounded(ast.parse(source))
    assert found and problem in found[0][1], found


def test_the_scan_passes_bounded_caches_and_clear():
    source = ("import streamlit as st\n@st.cache_data(max_entries=8, max_size='1MB', ttl='1h')\ndef f(): pass\n"
              "@st.cache_resource(max_entries=2)\ndef g(): pass\nst.cache_data.clear()\nst.cache_resource.clear()\n")
    assert unbounded(ast.parse(source)) == []
