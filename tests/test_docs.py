"""The documents stay true to the code: the format document is generated from the
spec, and the README shows the two commands and every subcommand."""

from ledger.cli import COMMANDS
from ledger.template import format_markdown
from tests.conftest import ROOT


def test_format_document_is_current():
    doc = (ROOT / "docs" / "台账格式.md").read_text(encoding="utf-8")
    assert doc == format_markdown(), "run: python -m ledger format-doc > docs/台账格式.md"


def test_readme_gives_the_two_commands_and_every_subcommand():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -r requirements.txt && streamlit run dashboard.py" in readme
    assert "pip install -r requirements-dev.txt && python -m pytest" in readme
    for name in COMMANDS:
        assert f"python -m ledger {name}" in readme, name


def test_ci_runs_the_readme_test_command():
    assert "pip install -q -r requirements-dev.txt && python3 -m pytest" in (ROOT / ".ci" / "run").read_text()
