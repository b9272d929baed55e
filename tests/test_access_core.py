"""The access core on every backend: accounts and their rules, signing in (the same
words for a wrong name and a wrong password), lock-out and the slow-down (measured
with the real clock, as the issue asks), sessions, no password or token in clear in
any table or log, and the audit trail that the database keeps append-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from ledger.access import accounts, audit
from ledger.access.accounts import AccessError
from ledger.access.roles import ADMIN, LEADER, TOWNSHIP, WRITER
from ledger.store.schema import account_sessions, audit_log, init_db, login_attempts, metadata

GOOD = "Secret-2020-pass"
OTHER = "Another-2021-pass"


@pytest.fixture
def admin(engine):
    """A store whose first account, a 数据管理员 ``boss``, is made (no forced change)."""
    accounts.add(engine, "boss", "管理员", "admin", password=GOOD, by="测试", must_change=False)
    return accounts.get(engine, "boss")


def actions(engine, login=None) -> list[str]:
    """The audit actions (keys) of ``login``, oldest first."""
    stmt = select(audit_log.c.action).order_by(audit_log.c.id)
    if login:
        stmt = stmt.where(audit_log.c.login == login)
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


class Sleeps:
    """A stand-in for time.sleep that records what it was asked to wait."""

    def __init__(self):
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


# ---------------------------------------------------------------- accounts


def test_the_first_account_must_be_an_admin(engine):
    assert accounts.count(engine) == 0
    for role in ("leader", "township", "writer"):
        with pytest.raises(AccessError, match="第一个账号必须是数据管理员"):
            accounts.add(engine, "first", "某人", role, ["庆远镇"], by="测试")
    assert accounts.count(engine) == 0
    first = accounts.add(engine, "first", "某人", "admin", by="测试")
    assert accounts.password_problem(first) is None and len(first) >= 12
    assert accounts.get(engine, "first").role is ADMIN
    # After it, any role.
    accounts.add(engine, "lead", "领导", "leader", by="first")
    assert accounts.get(engine, "lead").role is LEADER


def test_demo_accounts_are_made_once_and_must_change(engine):
    assert accounts.add_demo_accounts(engine)
    assert not accounts.add_demo_accounts(engine)  # a store with accounts gets none
    listed = accounts.listing(engine)
    assert sorted(listed["账号"]) == sorted(a[0] for a in accounts.DEMO_ACCOUNTS)
    assert set(listed["须改密码"]) == {"是"} and set(listed["示例账号"]) == {"是"}
    qingyuan = accounts.get(engine, "qingyuan")
    assert qingyuan.role is TOWNSHIP and qingyuan.townships == ("庆远镇",)
    assert qingyuan.scope.allows("庆远镇") and not qingyuan.scope.allows("北山镇") and not qingyuan.scope.allows(None)
    assert accounts.authenticate(engine, "lingdao", accounts.DEMO_PASSWORD, sleep=Sleeps()).must_change


def test_add_list_disable_enable_reset_grant(engine, admin):
    first = accounts.add(engine, "zhang", "张三", "township", ["庆远镇", "北山镇", "庆远镇"], by="boss")
    zhang = accounts.get(engine, "ZHANG ")  # names are case- and space-insensitive
    assert zhang.townships == ("庆远镇", "北山镇") and zhang.must_change and not zhang.disabled
    assert zhang.label == "张三（zhang，乡镇负责人·庆远镇、北山镇）"
    with pytest.raises(AccessError, match="已存在"):
        accounts.add(engine, "Zhang", "另一个", "writer", by="boss")
    with pytest.raises(AccessError, match="须指定所管乡镇"):
        accounts.add(engine, "li", "李四", "township", [], by="boss")
    with pytest.raises(AccessError, match="账号名"):
        accounts.add(engine, "张三", "张三", "writer", by="boss")
    with pytest.raises(ValueError, match="未知角色"):
        accounts.add(engine, "li", "李四", "king", by="boss")

    listed = accounts.listing(engine).set_index("账号")
    assert list(listed.index) == ["boss", "zhang"]
    assert listed.loc["zhang", "角色"] == "乡镇负责人" and listed.loc["zhang", "乡镇"] == "庆远镇、北山镇"
    assert listed.loc["boss", "乡镇"] == "全区" and listed.loc["zhang", "状态"] == "正常"
    assert not any("argon2" in str(v) for v in listed.to_numpy().ravel()), "the listing shows a hash"

    assert accounts.authenticate(engine, "zhang", first, sleep=Sleeps()).login == "zhang"
    accounts.disable(engine, "zhang", by="boss")
    assert accounts.get(engine, "zhang").disabled
    assert accounts.listing(engine).set_index("账号").loc["zhang", "状态"] == "已停用"
    with pytest.raises(AccessError, match="已停用"):
        accounts.authenticate(engine, "zhang", first, sleep=Sleeps())
    accounts.disable(engine, "zhang", by="boss", enable=True)
    assert not accounts.get(engine, "zhang").disabled
    assert accounts.authenticate(engine, "zhang", first, sleep=Sleeps()).login == "zhang"

    again = accounts.reset_password(engine, "zhang", by="boss")
    assert again != first and accounts.password_problem(again) is None
    with pytest.raises(AccessError, match="不正确"):
        accounts.authenticate(engine, "zhang", first, sleep=Sleeps())
    assert accounts.authenticate(engine, "zhang", again, sleep=Sleeps()).must_change

    writer = accounts.grant(engine, "zhang", "writer", by="boss")
    assert writer.role is WRITER and writer.townships == () and writer.scope.is_district
    back = accounts.grant(engine, "zhang", "乡镇负责人", ["三岔镇"], by="boss")
    assert back.role is TOWNSHIP and back.townships == ("三岔镇",)
    kept = accounts.grant(engine, "zhang", townships=["洛西镇"], by="boss")
    assert kept.role is TOWNSHIP and kept.townships == ("洛西镇",)
    for missing in (lambda: accounts.grant(engine, "nobody", "writer", by="boss"),
                    lambda: accounts.disable(engine, "nobody", by="boss"),
                    lambda: accounts.reset_password(engine, "nobody", by="boss")):
        with pytest.raises(AccessError, match="没有账号"):
            missing()
    assert accounts.count(engine) == 2


@pytest.mark.parametrize("password, problem", [
    ("short1", "至少8位"),
    ("onlyletters", "字母和数字"),
    ("1234567890", "字母和数字"),
    ("xzhang2020x", "账号名"),
    (accounts.DEMO_PASSWORD, "初始密码"),
])
def test_password_rules(password, problem):
    assert problem in accounts.password_problem(password, "zhang")


def test_password_rules_apply_to_add_and_change(engine, admin):
    with pytest.raises(AccessError, match="至少8位"):
        accounts.add(engine, "wang", "王五", "writer", password="abc1", by="boss")
    accounts.add(engine, "wang", "王五", "writer", password=GOOD, by="boss")
    with pytest.raises(AccessError, match="原密码不正确"):
        accounts.change_password(engine, "wang", "wrong-1234", OTHER)
    with pytest.raises(AccessError, match="字母和数字"):
        accounts.change_password(engine, "wang", GOOD, "abcdefghij")
    with pytest.raises(AccessError, match="不能与原密码相同"):
        accounts.change_password(engine, "wang", GOOD, GOOD)
    accounts.change_password(engine, "wang", GOOD, OTHER)
    assert not accounts.get(engine, "wang").must_change
    assert accounts.authenticate(engine, "wang", OTHER, sleep=Sleeps()).login == "wang"
    for generated in {accounts.temporary_password() for _ in range(20)}:
        assert accounts.password_problem(generated) is None


@pytest.mark.production_argon2
def test_the_product_hashes_with_argon2id_at_rfc_9106_defaults(engine):
    """The product's hasher, not the tests' light one (conftest.py's ``light_argon2``):
    Argon2id with RFC 9106's low-memory profile (t=3, 64 MiB, p=4, 16-byte salt, 32-byte
    hash), for a password stored on each backend (the column holds the whole hash) and
    for the hash an unknown name is checked against; a hash of lighter parameters is
    made again with these at the next sign-in."""
    from argon2 import PasswordHasher, Type, profiles

    from tests.conftest import LIGHT_ARGON2

    rfc = profiles.RFC_9106_LOW_MEMORY
    hasher = accounts.HASHER
    got = (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.salt_len, hasher.hash_len)
    assert got == (Type.ID, rfc.time_cost, rfc.memory_cost, rfc.parallelism, rfc.salt_len, rfc.hash_len)
    assert got == (Type.ID, 3, 65536, 4, 16, 32)
    encoded = "$argon2id$v=19$m=65536,t=3,p=4$"
    assert accounts._DUMMY.startswith(encoded), accounts._DUMMY[:40]

    accounts.add(engine, "boss", "管理员", "admin", password=GOOD, by="测试", must_change=False)
    stored = accounts_hash(engine, "boss")
    assert stored.startswith(encoded) and len(stored) > 90, stored
    assert accounts.authenticate(engine, "boss", GOOD, sleep=Sleeps()).login == "boss"
    light = PasswordHasher(**LIGHT_ARGON2).hash(GOOD)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ledger_accounts SET password_hash = :h WHERE login = 'boss'"), {"h": light})
    assert accounts.authenticate(engine, "boss", GOOD, sleep=Sleeps()).login == "boss"
    stored = accounts_hash(engine, "boss")
    assert stored.startswith(encoded) and stored != light, stored


def accounts_hash(engine, login: str) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT password_hash FROM ledger_accounts WHERE login = :l"), {"l": login}).scalar()


# ---------------------------------------------------------------- signing in


def test_wrong_password_and_unknown_name_read_the_same(engine, admin):
    assert accounts.authenticate(engine, " BOSS", GOOD, sleep=Sleeps()) == admin
    with pytest.raises(AccessError) as wrong:
        accounts.authenticate(engine, "boss", "not-it-2020", sleep=Sleeps())
    with pytest.raises(AccessError) as unknown:
        accounts.authenticate(engine, "nosuchone", GOOD, sleep=Sleeps())
    with pytest.raises(AccessError) as empty:
        accounts.authenticate(engine, "boss", "", sleep=Sleeps())
    assert str(wrong.value) == str(unknown.value) == str(empty.value) == "账号或密码不正确。"


def test_lock_out_after_five_failures_and_reset_lifts_it(engine, admin, monkeypatch):
    sleeps = Sleeps()
    messages = []
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(AccessError) as exc:
            accounts.authenticate(engine, "boss", "wrong-pass-1", sleep=sleeps)
        messages.append(str(exc.value))
    assert "已锁定" in messages[-1] and all("锁定" not in m for m in messages[:-1])
    # The slow-down asked for: nothing for the first two, then 1, 2, 4 seconds.
    assert sleeps.asked == [accounts.delay_after(n) for n in range(accounts.LOCK_AFTER)] == [0, 0, 1, 2, 4]
    # Locked: the right password is refused too, without even waiting.
    before = len(sleeps.asked)
    with pytest.raises(AccessError, match="已锁定至"):
        accounts.authenticate(engine, "boss", GOOD, sleep=sleeps)
    assert len(sleeps.asked) == before
    with engine.connect() as conn:
        lock = conn.execute(select(login_attempts).where(login_attempts.c.login == "boss")).one()
    assert lock.locked_until - lock.last_failed_at == dt.timedelta(minutes=accounts.LOCK_MINUTES)
    # Still locked a minute before it ends, open after it.
    later = lock.locked_until
    monkeypatch.setattr(accounts, "now", lambda: later - dt.timedelta(minutes=1))
    with pytest.raises(AccessError, match="已锁定至"):
        accounts.authenticate(engine, "boss", GOOD, sleep=sleeps)
    monkeypatch.setattr(accounts, "now", lambda: later + dt.timedelta(seconds=1))
    assert accounts.authenticate(engine, "boss", GOOD, sleep=sleeps) == admin
    monkeypatch.undo()

    # Lock it again; a reset by another admin lifts it at once.
    accounts.add(engine, "boss2", "管理员二", "admin", password=OTHER, by="boss", must_change=False)
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(AccessError):
            accounts.authenticate(engine, "boss", "wrong-pass-1", sleep=sleeps)
    with pytest.raises(AccessError, match="已锁定"):
        accounts.authenticate(engine, "boss", GOOD, sleep=sleeps)
    new = accounts.reset_password(engine, "boss", by="boss2")
    assert accounts.authenticate(engine, "boss", new, sleep=sleeps).must_change
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(login_attempts)).scalar() == 0


def test_an_unknown_name_is_slowed_and_locked_alike(engine, admin):
    sleeps = Sleeps()
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(AccessError):
            accounts.authenticate(engine, "ghost", "wrong-pass-1", sleep=sleeps)
    assert sleeps.asked == [0, 0, 1, 2, 4]
    with pytest.raises(AccessError, match="已锁定"):
        accounts.authenticate(engine, "ghost", "wrong-pass-1", sleep=sleeps)
    # A success resets the count: failures in a row, not in all.
    sleeps.asked.clear()
    for _ in range(2):
        with pytest.raises(AccessError):
            accounts.authenticate(engine, "boss", "wrong-pass-1", sleep=sleeps)
    accounts.authenticate(engine, "boss", GOOD, sleep=sleeps)
    with pytest.raises(AccessError):
        accounts.authenticate(engine, "boss", "wrong-pass-1", sleep=sleeps)
    assert sleeps.asked == [0, 0, 1, 0]


def test_the_slow_down_is_measured_with_the_real_clock(sqlite_engine):
    """Three wrong passwords in a row take at least 0 + 0 + 1 s with the real
    time.sleep, for an account's name and for a name without one. Three is the fewest
    that owe a wait (the first two are free); the whole schedule, 0, 0, 1, 2, 4, is
    checked on every backend above with the sleep recorded instead. One backend here:
    the waiting is the same code on every store (the count it waits for is the part
    that reads the store, checked above on each), and this keeps the test near 2 s."""
    engine = sqlite_engine
    accounts.add(engine, "boss", "管理员", "admin", password=GOOD, by="测试", must_change=False)
    n = 3
    owed = sum(accounts.delay_after(k) for k in range(n))
    assert owed >= 1
    for name in ("boss", "ghost"):
        start = time.monotonic()
        for _ in range(n):
            with pytest.raises(AccessError, match="账号或密码不正确"):
                accounts.authenticate(engine, name, "wrong-pass-1")
        took = time.monotonic() - start
        print(f"{n} wrong passwords for {name}: {took:.2f} s (at least {owed} s owed)")
        assert took >= owed, f"{name}: {n} failures took {took:.2f} s, less than the {owed} s slow-down"


# ---------------------------------------------------------------- sessions


def test_sessions_open_close_for_good(engine, admin):
    token = accounts.open_session(engine, admin)
    assert len(token) >= 40
    assert accounts.session_account(engine, token) == admin
    assert accounts.session_account(engine, token + "x") is None
    assert accounts.session_account(engine, None) is None and accounts.session_account(engine, "") is None
    other = accounts.open_session(engine, admin)
    accounts.close_session(engine, token)
    assert accounts.session_account(engine, token) is None
    assert accounts.session_account(engine, other) == admin  # another browser stays signed in
    accounts.close_session(engine, token)  # twice: no second entry
    assert actions(engine, "boss").count("logout") == 1
    # A closed session stays closed: signing in again makes a new token, never the old one back.
    accounts.authenticate(engine, "boss", GOOD, sleep=Sleeps())
    assert accounts.session_account(engine, token) is None


def test_an_idle_session_expires(engine, admin, monkeypatch):
    token = accounts.open_session(engine, admin)
    start = accounts.now()
    monkeypatch.setattr(accounts, "now", lambda: start + dt.timedelta(minutes=29))
    assert accounts.session_account(engine, token) == admin  # in use: kept alive from here
    monkeypatch.setattr(accounts, "now", lambda: start + dt.timedelta(minutes=29 + 29))
    assert accounts.session_account(engine, token) == admin
    monkeypatch.setattr(accounts, "now", lambda: start + dt.timedelta(minutes=29 + 29 + 31))
    assert accounts.session_account(engine, token) is None
    monkeypatch.setattr(accounts, "now", lambda: start)
    assert accounts.session_account(engine, token) is None, "an expired session came back"
    assert "session_expired" in actions(engine, "boss")
    # The limit comes from the environment.
    monkeypatch.setenv(accounts.IDLE_VAR, "5")
    fresh = accounts.open_session(engine, admin)
    monkeypatch.setattr(accounts, "now", lambda: start + dt.timedelta(minutes=6))
    assert accounts.session_account(engine, fresh) is None


def test_disabling_an_account_ends_its_sessions(engine, admin):
    accounts.add(engine, "zhang", "张三", "township", ["庆远镇"], password=GOOD, by="boss", must_change=False)
    zhang = accounts.get(engine, "zhang")
    token = accounts.open_session(engine, zhang)
    accounts.disable(engine, "zhang", by="boss")
    assert accounts.session_account(engine, token) is None
    accounts.disable(engine, "zhang", by="boss", enable=True)
    assert accounts.session_account(engine, token) is None, "enabling reopened a session closed by disabling"


def test_a_password_change_or_reset_ends_the_other_sessions(engine, admin):
    accounts.add(engine, "zhang", "张三", "township", ["庆远镇"], password=GOOD, by="boss", must_change=False)
    zhang = accounts.get(engine, "zhang")
    first, second = accounts.open_session(engine, zhang), accounts.open_session(engine, zhang)
    boss = accounts.open_session(engine, admin)
    accounts.change_password(engine, "zhang", GOOD, OTHER)
    assert accounts.session_account(engine, first) is None
    assert accounts.session_account(engine, second) is None
    assert accounts.session_account(engine, boss) == admin  # someone else's stays
    third = accounts.open_session(engine, accounts.get(engine, "zhang"))
    accounts.reset_password(engine, "zhang", by="boss")
    assert accounts.session_account(engine, third) is None
    fourth = accounts.open_session(engine, accounts.get(engine, "zhang"))
    accounts.grant(engine, "zhang", "writer", by="boss")
    assert accounts.session_account(engine, fourth) is None  # new rights from the next login


# ---------------------------------------------------------------- nothing in clear


def _every_cell(engine) -> list[str]:
    cells = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                cells += [str(v) for v in row if v is not None]
    return cells


def test_no_password_or_token_in_any_table_or_log(engine, caplog):
    secret = "Clear-Text-Pw-4711"
    engine.echo = "debug"  # every statement, its parameters and the rows it returned
    caplog.set_level(logging.DEBUG)
    try:
        accounts.add(engine, "boss", "管理员", "admin", password=secret, by="测试", must_change=False)
        account = accounts.authenticate(engine, "boss", secret, sleep=Sleeps())
        token = accounts.open_session(engine, account)
        assert accounts.session_account(engine, token) == account
        with pytest.raises(AccessError):
            accounts.authenticate(engine, "boss", secret + "x", sleep=Sleeps())
        accounts.change_password(engine, "boss", secret, secret[::-1] + "9")
        closing = accounts.open_session(engine, accounts.get(engine, "boss"))
        accounts.close_session(engine, closing)
        cells = _every_cell(engine)
    finally:
        engine.echo = False
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ledger_account_sessions" in logged and "ledger_accounts" in logged, "the SQL log was not captured"
    assert len(cells) > 20
    for clear in (secret, secret + "x", secret[::-1] + "9", token, closing):
        assert not any(clear in c for c in cells), "a password or token is stored in clear"
        assert clear not in logged, "a password or token is logged in clear"
    with engine.connect() as conn:
        hashed = conn.execute(text("SELECT password_hash FROM ledger_accounts WHERE login = 'boss'")).scalar()
        kept = set(conn.execute(select(account_sessions.c.token_hash)).scalars())
    assert hashed.startswith("$argon2id$"), hashed[:12]
    assert kept == {hashlib.sha256(t.encode()).hexdigest() for t in (token, closing)}


# ---------------------------------------------------------------- the audit trail


def test_audit_entries_for_logins_locks_logouts_and_account_changes(engine):
    accounts.add(engine, "boss", "管理员", "admin", password=GOOD, by="安装", must_change=False)
    sleeps = Sleeps()
    account = accounts.authenticate(engine, "boss", GOOD, sleep=sleeps)
    token = accounts.open_session(engine, account)
    accounts.close_session(engine, token)
    accounts.add(engine, "zhang", "张三", "township", ["庆远镇"], password=GOOD, by="boss")
    accounts.grant(engine, "zhang", townships=["北山镇"], by="boss")
    accounts.disable(engine, "zhang", by="boss")
    accounts.disable(engine, "zhang", by="boss", enable=True)
    accounts.reset_password(engine, "zhang", by="boss")
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(AccessError):
            accounts.authenticate(engine, "boss", "wrong-pass-1", sleep=sleeps)
    with pytest.raises(AccessError):
        accounts.authenticate(engine, "boss", GOOD, sleep=sleeps)
    accounts.reset_password(engine, "boss", by="boss", password=OTHER)
    accounts.change_password(engine, "boss", OTHER, GOOD + "x")

    assert actions(engine, "boss") == (
        ["login", "logout", "account_added", "account_changed", "account_disabled", "account_changed", "password_reset"]
        + ["login_failed"] * (accounts.LOCK_AFTER - 1) + ["locked", "login_failed", "password_reset", "password_changed"]
    )
    assert actions(engine, "安装") == ["account_added"]
    log = audit.entries(engine)
    assert list(log.columns) == list(audit.COLUMNS.values())
    assert log.iloc[0]["操作"] == "修改密码"  # newest first, in words
    by_target = log[log["对象"] == "zhang"]
    assert list(by_target["操作"])[::-1] == ["新增账号", "修改账号", "停用账号", "修改账号", "重置密码"]
    assert by_target.iloc[-1]["说明"] == "乡镇负责人：庆远镇"
    locked = log[log["操作"] == "账号锁定"]
    assert len(locked) == 1 and "连续失败5次" in locked.iloc[0]["说明"]
    assert audit.entries(engine, login="boss", actions=["logout"])["操作"].tolist() == ["退出"]
    today = dt.date.today()
    assert len(audit.entries(engine, since=today, until=today)) == len(log)
    assert audit.entries(engine, until=today - dt.timedelta(days=1)).empty
    with pytest.raises(ValueError):
        audit.record(engine, "made_up", login="boss")


def test_audit_text_is_masked(engine):
    init_db(engine)
    audit.record(engine, "export", login="boss", target="名单 451203198503121234.xlsx", detail="联系电话 13812345678")
    row = audit.entries(engine).iloc[0]
    assert row["对象"] == "名单 451203********1234.xlsx" and row["说明"] == "联系电话 138****5678"


def test_the_audit_log_refuses_update_and_delete(engine, admin):
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(audit_log)).scalar()
    assert n >= 1
    for statement in (update(audit_log).values(login="someone-else"),
                      update(audit_log).where(audit_log.c.action == "account_added").values(detail=None),
                      delete(audit_log),
                      delete(audit_log).where(audit_log.c.login == "测试")):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(statement)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM ledger_audit"))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar() == n
        assert conn.execute(select(audit_log.c.login).where(audit_log.c.action == "account_added")).scalar() == "测试"
    audit.record(engine, "export", login="boss", target="x")  # inserting still works
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar() == n + 1
