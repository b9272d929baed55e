"""The five roles and what each may do. Pages are named by their file's stem
(``pages/overview.py`` → ``overview``); tests/test_access_roles.py checks every name
here is a page and every page belongs to some role."""

from __future__ import annotations

from dataclasses import dataclass

# What a role may see of people: everything of its townships, masked unless a list is
# revealed with a stated reason (audited), or no people-level data at all.
FULL, REVEAL, NONE = "full", "reveal", "none"

FIGURE_PAGES = frozenset({
    "overview", "employment", "income", "subsidies", "training", "workshops", "posts", "demand", "targets",
    "reports", "reported",
})


@dataclass(frozen=True)
class Role:
    key: str
    name: str  # as the UI and the CLI say it
    all_townships: bool  # False: only the account's own townships
    personal: str  # FULL | REVEAL | NONE
    manage: bool  # imports, restores, freezing, accounts, the audit log
    pages: frozenset[str]
    landing: str  # the first page after signing in
    about: str

    @property
    def people_lists(self) -> bool:
        return self.personal != NONE


LEADER = Role("leader", "区领导", True, REVEAL, False, FIGURE_PAGES | {"screen"}, "overview",
              "全区各乡镇；人员信息默认脱敏，说明理由后可查看一份名单的完整信息")
TOWNSHIP = Role("township", "乡镇负责人", False, FULL, False, FIGURE_PAGES | {"quality"}, "targets",
                "本乡镇（可多个）；本乡镇人员的完整信息")
WRITER = Role("writer", "材料员", True, NONE, False, FIGURE_PAGES | {"screen"}, "reports",
              "全区各乡镇的指标、图表和导出；不含人员信息")
ADMIN = Role("admin", "数据管理员", True, FULL, True,
             FIGURE_PAGES | {"screen", "intake", "history", "quality", "accounts", "audit"}, "intake",
             "导入、恢复、报送冻结、账号与审计；全区数据")

ROLES: dict[str, Role] = {r.key: r for r in (LEADER, TOWNSHIP, WRITER, ADMIN)}
BY_NAME: dict[str, Role] = {r.name: r for r in ROLES.values()}


def role(key_or_name: str) -> Role:
    """A role by its key (``township``) or its Chinese name (``乡镇负责人``)."""
    found = ROLES.get(key_or_name) or BY_NAME.get(key_or_name)
    if found is None:
        names = "、".join(f"{r.name}（{r.key}）" for r in ROLES.values())
        raise ValueError(f"未知角色：{key_or_name}（应为{names}之一）")
    return found
