"""The page list: dashboard.py registers it and the smoke tests walk it, so a new
page is tested the moment it is registered."""

from __future__ import annotations

from typing import NamedTuple


class PageSpec(NamedTuple):
    path: str
    title: str
    icon: str

    @property
    def key(self) -> str:
        """The page's name in ``ledger.access.roles`` (its file's stem)."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".py")


# Material icons inside the app are bundled with Streamlit (no font download).
PAGES: list[PageSpec] = [
    PageSpec("pages/overview.py", "总览", ":material/dashboard:"),
    PageSpec("pages/employment.py", "就业", ":material/work:"),
    PageSpec("pages/income.py", "收入", ":material/payments:"),
    PageSpec("pages/subsidies.py", "补贴", ":material/savings:"),
    PageSpec("pages/training.py", "培训", ":material/school:"),
    PageSpec("pages/workshops.py", "扶贫车间", ":material/factory:"),
    PageSpec("pages/posts.py", "公益性岗位", ":material/volunteer_activism:"),
    PageSpec("pages/demand.py", "用工需求与返岗输送", ":material/directions_bus:"),
    PageSpec("pages/targets.py", "目标考核", ":material/flag:"),
    PageSpec("pages/reports.py", "简报与导出", ":material/download:"),
    PageSpec("pages/intake.py", "数据导入", ":material/upload_file:"),
    PageSpec("pages/history.py", "导入记录", ":material/history:"),
    PageSpec("pages/quality.py", "数据质量", ":material/rule:"),
    PageSpec("pages/reported.py", "月度报送", ":material/assignment_turned_in:"),
    PageSpec("pages/screen.py", "大屏", ":material/tv:"),
    PageSpec("pages/accounts.py", "账号管理", ":material/manage_accounts:"),
    PageSpec("pages/audit.py", "审计日志", ":material/policy:"),
]


def pages_of(account) -> list[PageSpec]:
    """The pages an account's role may use, in the list's order: its navigation."""
    return [p for p in PAGES if account.may_open(p.key)]


def hidden_of(account) -> list[PageSpec]:
    """The other pages: registered but not listed, so that opened by their URL they run
    and refuse (``ui.data.ledger``: an error and a "refused" entry in the audit log)
    instead of silently showing the first page."""
    return [p for p in PAGES if not account.may_open(p.key)]
