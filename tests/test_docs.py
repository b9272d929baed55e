"""The documents stay true to the code: the format document is generated from the
spec, the README shows the two commands and every subcommand, and its list of the
problems planted in the sample ledger is the generator's."""

from ledger.cli import COMMANDS
from ledger.query import quality
from loaders.template import format_markdown
from sample_data.generate import PLANT_NOTES, PLANTED, SAMPLE_NAME
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


def planted_list() -> str:
    """README's list of the sample's planted problems, from PLANTED and PLANT_NOTES."""
    assert set(PLANTED) == set(PLANT_NOTES) == set(quality.BY_KEY)
    return "\n".join(f"- {c.title}：{PLANTED[c.key]}条。{PLANT_NOTES[c.key]}。" for c in quality.CHECKS)


def test_readme_lists_the_planted_problems_and_the_sample_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "### 示例台账中故意埋设的问题" in readme
    assert planted_list() in readme, "README.md 的“示例台账中故意埋设的问题”应为：\n" + planted_list()
    assert f"data/{SAMPLE_NAME}" in readme
