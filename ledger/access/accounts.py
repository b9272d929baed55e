"""Local accounts in the ledger database, for intranets with no identity provider.

Passwords are hashed with Argon2id (argon2-cffi: the winner of the Password Hashing
Competition, memory-hard, maintained by the PyCA team; its defaults follow RFC 9106's
low-memory profile). Neither a password nor a session token is stored or logged: the
store keeps the Argon2 hash and the token's SHA-256.

Repeated failures are slowed down (each failure after the second adds 1, 2, 4 … up to
8 seconds before the next answer) and, after five in a row, the name is locked for 15
minutes; a name that has no account is slowed and locked alike, so guessing tells
nothing. A session ends at logout, after 30 minutes without use, when the password
changes or the account is disabled, and a closed session never opens again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select, update

from ledger.access import audit
from ledger.access.roles import ADMIN, ROLES, Role, role
from ledger.access.scope import Scope
from ledger.store.schema import account_sessions, accounts, init_db, login_attempts

HASHER = PasswordHasher()
LOCK_AFTER = 5  # failures in a row
LOCK_MINUTES = 15
MAX_DELAY = 8.0  # seconds
IDLE_VAR = "LEDGER_SESSION_IDLE_MINUTES"
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
# Verified against for a name with no account, so both take the same time.
_DUMMY = HASHER.hash("no such account")

DEMO_PASSWORD = "yizhou2020"
# One per role, two township heads: made only when the sample ledger builds the store.
DEMO_ACCOUNTS = [
    ("lingdao", "区领导（示例）", "leader", None),
    ("qingyuan", "庆远镇负责人（示例）", "township", ["庆远镇"]),
    ("beishan", "北山镇负责人（示例）", "township", ["北山镇"]),
    ("cailiao", "材料员（示例）", "writer", None),
    ("guanli", "数据管理员（示例）", "admin", None),
]


class AccessError(Exception):
    """Refused, with the reason in words a user can act on (Chinese)."""


@dataclass(frozen=True)
class Account:
    login: str
    name: str
    role: Role
    townships: tuple[str, ...]  # the own townships of a township role; () for district roles
    must_change: bool = False
    disabled: bool = False
    demo: bool = False

    @property
    def scope(self) -> Scope:
        """The townships this account's queries are limited to: all, or its own."""
        return Scope() if self.role.all_townships else Scope.of(*self.townships)

    def may_open(self, page: str) -> bool:
        return page in self.role.pages

    @property
    def label(self) -> str:
        """张三（乡镇负责人·庆远镇）: the watermark and the sidebar say it."""
        where = f"·{'、'.join(self.townships)}" if self.townships and not self.role.all_townships else ""
        return f"{self.name}（{self.login}，{self.role.name}{where}）"


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=float(os.environ.get(IDLE_VAR) or 30))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row) -> Account:
    return Account(row.login, row.display_name, ROLES[row.role], tuple(json.loads(row.townships or "[]")),
                   bool(row.must_change), bool(row.disabled), bool(row.demo))


def get(engine: Engine, login: str) -> Account | None:
    init_db(engine)
    with engine.connect() as conn:
        row = conn.execute(select(accounts).where(accounts.c.login == _norm(login))).first()
    return _account(row) if row else None


def count(engine: Engine) -> int:
    init_db(engine)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(accounts)).scalar() or 0


def listing(engine: Engine) -> pd.DataFrame:
    """Every account (never a hash): 账号, 姓名, 角色, 乡镇, 状态, 须改密码, 修改时间."""
    init_db(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(accounts).order_by(accounts.c.role, accounts.c.login)).all()
    return pd.DataFrame(
        [{"账号": r.login, "姓名": r.display_name, "角色": ROLES[r.role].name,
          "乡镇": "、".join(json.loads(r.townships or "[]")) or "全区",
          "状态": "已停用" if r.disabled else "正常", "须改密码": "是" if r.must_change else "否",
          "示例账号": "是" if r.demo else "否", "修改时间": r.changed_at} for r in rows],
        columns=["账号", "姓名", "角色", "乡镇", "状态", "须改密码", "示例账号", "修改时间"],
    )


def _norm(login: str) -> str:
    return (login or "").strip().lower()


def password_problem(password: str, login: str = "") -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < 8:
        return "密码至少8位。"
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[0-9]", password):
        return "密码须同时包含字母和数字。"
    if login and _norm(login) in password.lower():
        return "密码不能包含账号名。"
    if password == DEMO_PASSWORD:
        return "不能使用示例账号的初始密码。"
    return None


def temporary_password() -> str:
    """A one-time password for a new account or a reset: 12 characters, letters and digits."""
    while True:
        candidate = secrets.token_urlsafe(9)
        if password_problem(candidate) is None:
            return candidate


def _check_townships(role_: Role, townships) -> list[str] | None:
    if role_.all_townships:
        return None
    names = [t.strip() for t in (townships or []) if t and t.strip()]
    if not names:
        raise AccessError(f"{role_.name}须指定所管乡镇。")
    return sorted(set(names), key=names.index)


def add(engine: Engine, login: str, name: str, role_key: str, townships=None, *, password: str | None = None,
        by: str | None, must_change: bool = True, demo: bool = False) -> str:
    """Create an account; returns its first password (``password`` or a generated
    one), to be changed at the first login. The first account of a store must be a
    数据管理员, so that someone can manage the rest."""
    init_db(engine)
    login = _norm(login)
    if not LOGIN_RE.match(login):
        raise AccessError("账号名须为2–32位小写字母、数字、点、横线或下划线，以字母或数字开头。")
    role_ = role(role_key)
    own = _check_townships(role_, townships)
    if count(engine) == 0 and role_ is not ADMIN and not demo:
        raise AccessError("第一个账号必须是数据管理员（--role admin）。")
    first = password or temporary_password()
    if password is not None and not demo and (problem := password_problem(password, login)):
        raise AccessError(problem)
    t = now()
    with engine.begin() as conn:
        if conn.execute(select(accounts.c.login).where(accounts.c.login == login)).first():
            raise AccessError(f"账号 {login} 已存在。")
        conn.execute(accounts.insert().values(
            login=login, display_name=name.strip() or login, role=role_.key,
            townships=json.dumps(own, ensure_ascii=False) if own else None, password_hash=HASHER.hash(first),
            must_change=must_change, disabled=False, demo=demo, created_at=t, changed_at=t,
        ))
        audit.record(conn, "account_added", login=by, target=login,
                     detail=f"{role_.name}{'：' + '、'.join(own) if own else ''}{'（示例账号）' if demo else ''}")
    return first


def add_demo_accounts(engine: Engine) -> bool:
    """The sample's accounts, one per role, on a store that has none; each must choose
    a new password at its first login. True when they were made."""
    if count(engine):
        return False
    for login, name, role_key, towns in DEMO_ACCOUNTS:
        add(engine, login, name, role_key, towns, password=DEMO_PASSWORD, by="示例数据", demo=True)
    return True


def _change(engine: Engine, login: str, values: dict, *, action: str, by: str | None, detail: str | None = None,
            close_sessions: bool = False) -> None:
    login = _norm(login)
    with engine.begin() as conn:
        done = conn.execute(update(accounts).where(accounts.c.login == login).values(changed_at=now(), **values))
        if not done.rowcount:
            raise AccessError(f"没有账号 {login}。")
        if close_sessions:
            _close_all(conn, login)
        audit.record(conn, action, login=by, target=login, detail=detail)


def _close_all(conn, login: str) -> None:
    conn.execute(update(account_sessions).where(account_sessions.c.login == login, account_sessions.c.closed_at.is_(None))
                 .values(closed_at=now()))


def _not_self(login: str, by: str | None, what: str) -> None:
    """An administrator cannot lock themselves out (nor the store lose its last one by a slip)."""
    if by is not None and _norm(by) == _norm(login):
        raise AccessError(f"不能{what}自己的账号，请由另一位数据管理员操作。")


def disable(engine: Engine, login: str, *, by: str | None, enable: bool = False) -> None:
    if not enable:
        _not_self(login, by, "停用")
    _change(engine, login, {"disabled": not enable}, action="account_changed" if enable else "account_disabled", by=by,
            detail="启用" if enable else "停用", close_sessions=not enable)


def reset_password(engine: Engine, login: str, *, by: str | None, password: str | None = None) -> str:
    """A new one-time password (returned), to be changed at the next login; every open
    session of the account ends and its lock-out is lifted."""
    new = password or temporary_password()
    _change(engine, login, {"password_hash": HASHER.hash(new), "must_change": True}, action="password_reset", by=by,
            close_sessions=True)
    with engine.begin() as conn:
        conn.execute(delete(login_attempts).where(login_attempts.c.login == _norm(login)))
    return new


def grant(engine: Engine, login: str, role_key: str | None = None, townships=None, *, by: str | None) -> Account:
    """Change an account's role and/or townships; its sessions end (the new rights
    apply from the next login)."""
    current = get(engine, login)
    if current is None:
        raise AccessError(f"没有账号 {_norm(login)}。")
    role_ = role(role_key) if role_key else current.role
    if role_ is not current.role:
        _not_self(login, by, "更改角色")
    own = _check_townships(role_, townships if townships is not None else current.townships)
    _change(engine, login, {"role": role_.key, "townships": json.dumps(own, ensure_ascii=False) if own else None},
            action="account_changed", by=by, detail=f"{role_.name}{'：' + '、'.join(own) if own else ''}",
            close_sessions=True)
    return get(engine, login)


def change_password(engine: Engine, login: str, old: str, new: str) -> None:
    """The account's own change (the first login's forced one included); every session
    of the account ends (a stolen cookie with it), the caller opens a new one."""
    row = _row(engine, login)
    if row is None or not _verify(row.password_hash, old):
        raise AccessError("原密码不正确。")
    if problem := password_problem(new, login):
        raise AccessError(problem)
    if _verify(row.password_hash, new):
        raise AccessError("新密码不能与原密码相同。")
    _change(engine, login, {"password_hash": HASHER.hash(new), "must_change": False}, action="password_changed",
            by=_norm(login), close_sessions=True)


def _row(engine: Engine, login: str):
    init_db(engine)
    with engine.connect() as conn:
        return conn.execute(select(accounts).where(accounts.c.login == _norm(login))).first()


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def delay_after(failures: int) -> float:
    """Seconds to wait before answering, given the failures in a row so far."""
    return 0.0 if failures < 2 else min(2.0 ** (failures - 2), MAX_DELAY)


def authenticate(engine: Engine, login: str, password: str, *, sleep=time.sleep, via: str = "网页") -> Account:
    """The account, if ``password`` is its password and it may sign in; AccessError
    otherwise, with the same words for a wrong name and a wrong password. ``via`` (网页,
    命令行) goes into the audit log with the outcome."""
    init_db(engine)
    name = _norm(login)[:64]
    t = now()
    with engine.connect() as conn:
        attempt = conn.execute(select(login_attempts).where(login_attempts.c.login == name)).first()
    if attempt is not None and attempt.locked_until is not None and attempt.locked_until > t:
        audit.record(engine, "login_failed", login=name, detail=f"{via}：账号已锁定")
        raise AccessError(f"连续登录失败次数过多，已锁定至 {attempt.locked_until:%H:%M}，请稍后再试或联系数据管理员。")
    failures = attempt.failures if attempt is not None else 0
    sleep(delay_after(failures))
    row = _row(engine, name)
    ok = _verify(row.password_hash if row is not None else _DUMMY, password or "") and row is not None
    if not ok:
        _failed(engine, name, failures + 1, t, via)
        raise AccessError("账号或密码不正确。" if failures + 1 < LOCK_AFTER else
                          f"账号或密码不正确。连续失败{LOCK_AFTER}次，已锁定{LOCK_MINUTES}分钟。")
    if row.disabled:
        audit.record(engine, "login_failed", login=name, role=row.role, detail=f"{via}：账号已停用")
        raise AccessError("该账号已停用，请联系数据管理员。")
    with engine.begin() as conn:
        conn.execute(delete(login_attempts).where(login_attempts.c.login == name))
        if HASHER.check_needs_rehash(row.password_hash):
            conn.execute(update(accounts).where(accounts.c.login == name).values(password_hash=HASHER.hash(password)))
    account = _account(row)
    audit.record(engine, "login", login=name, role=row.role, detail=via)
    return account


def _failed(engine: Engine, name: str, failures: int, t: dt.datetime, via: str) -> None:
    locked = failures >= LOCK_AFTER
    values = dict(failures=0 if locked else failures, last_failed_at=t,
                  locked_until=t + dt.timedelta(minutes=LOCK_MINUTES) if locked else None)
    with engine.begin() as conn:
        if conn.execute(update(login_attempts).where(login_attempts.c.login == name).values(**values)).rowcount == 0:
            conn.execute(login_attempts.insert().values(login=name, **values))
        audit.record(conn, "locked" if locked else "login_failed", login=name, detail=f"{via}：连续失败{failures}次")


def open_session(engine: Engine, account: Account) -> str:
    """A new session token for the browser; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    t = now()
    with engine.begin() as conn:
        conn.execute(account_sessions.insert().values(token_hash=token_hash(token), login=account.login, created_at=t,
                                                      last_seen=t))
    return token


def session_account(engine: Engine, token: str | None) -> Account | None:
    """The account a session token signs in, or None: unknown, closed, idle too long,
    or the account disabled. Each use keeps the session alive."""
    if not isinstance(token, str) or not token:
        return None
    init_db(engine)
    hashed, t = token_hash(token), now()
    with engine.connect() as conn:
        session = conn.execute(select(account_sessions).where(account_sessions.c.token_hash == hashed)).first()
    if session is None or session.closed_at is not None:
        return None
    if t - session.last_seen > idle_limit():
        close_session(engine, token, action="session_expired")
        return None
    account = get(engine, session.login)
    if account is None or account.disabled:
        return None
    if (t - session.last_seen).total_seconds() >= 30:  # one write a half-minute, not one a rerun
        with engine.begin() as conn:
            conn.execute(update(account_sessions).where(account_sessions.c.token_hash == hashed).values(last_seen=t))
    return account


def close_session(engine: Engine, token: str | None, *, action: str = "logout") -> None:
    """End a session for good (logout, or idle too long)."""
    if not isinstance(token, str) or not token:
        return
    hashed = token_hash(token)
    with engine.begin() as conn:
        session = conn.execute(select(account_sessions).where(account_sessions.c.token_hash == hashed)).first()
        if session is None or session.closed_at is not None:
            return
        conn.execute(update(account_sessions).where(account_sessions.c.token_hash == hashed).values(closed_at=now()))
        row = conn.execute(select(accounts.c.role).where(accounts.c.login == session.login)).first()
        audit.record(conn, action, login=session.login, role=row.role if row else None)
