"""The audit trail: who signed in or failed to, who opened a people-level list, who
revealed personal data and why, who exported what, who imported, restored, froze or
changed an account. Only ``record`` writes, and only by INSERT: the store refuses
UPDATE and DELETE on the table (``store.schema._append_only``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, select

from ledger.access.masking import mask_text
from ledger.store.schema import audit_log

# action → how the log page says it
ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "locked": "账号锁定",
    "logout": "退出",
    "session_expired": "会话超时",
    "password_changed": "修改密码",
    "people_list": "查看人员名单",
    "reveal": "查看完整个人信息",
    "refused": "拒绝访问",
    "export": "导出",
    "import": "导入",
    "restore": "恢复",
    "freeze": "报送冻结",
    "account_added": "新增账号",
    "account_changed": "修改账号",
    "account_disabled": "停用账号",
    "password_reset": "重置密码",
    "retention": "清理旧版本",
    "summaries": "核对汇总表",
}
COLUMNS = {"id": "编号", "at": "时间", "login": "账号", "role": "角色", "action": "操作", "target": "对象", "detail": "说明"}


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def record(engine_or_conn: Engine | Connection, action: str, *, login: str | None, role: str | None = None,
           target: str | None = None, detail: str | None = None) -> None:
    """Append one entry; within the caller's transaction when given a connection (an
    import and its entry commit together). Text is masked: the log itself must not
    become a copy of personal data."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    values = dict(at=now(), login=login, role=role, action=action,
                  target=_clip(mask_text(target), 500), detail=_clip(mask_text(detail), 4000))
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            conn.execute(audit_log.insert().values(**values))
    else:
        engine_or_conn.execute(audit_log.insert().values(**values))


def _clip(text: str | None, n: int) -> str | None:
    return text if text is None or len(text) <= n else text[: n - 1] + "…"


def entries(engine: Engine, *, login: str | None = None, actions: list[str] | None = None,
            since: dt.date | None = None, until: dt.date | None = None, limit: int = 5000) -> pd.DataFrame:
    """The newest entries first, filtered; columns under their Chinese headers, the
    action in words."""
    t = audit_log
    stmt = select(*[t.c[c] for c in COLUMNS]).order_by(t.c.id.desc()).limit(limit)
    if login:
        stmt = stmt.where(t.c.login == login)
    if actions:
        stmt = stmt.where(t.c.action.in_(actions))
    if since:
        stmt = stmt.where(t.c.at >= dt.datetime.combine(since, dt.time()))
    if until:
        stmt = stmt.where(t.c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=list(COLUMNS))
    frame["action"] = frame["action"].map(lambda a: ACTIONS.get(a, a))
    return frame.rename(columns=COLUMNS)
