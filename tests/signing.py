"""Signing a test in: an account of a role (made once per store, no forced password
change) and a session token for an AppTest or a browser."""

from __future__ import annotations

import hashlib

from ledger.access import accounts
from ledger.access.roles import ADMIN
from ledger.access.roles import role as role_of

PASSWORD = "Test-pass-2020"


def account(engine, role: str = "admin", townships: list[str] | tuple[str, ...] | None = None) -> accounts.Account:
    """The test account of ``role`` (and ``townships``), made if missing."""
    r = role_of(role)
    towns = list(townships or ([] if r.all_townships else ["庆远镇"]))
    suffix = hashlib.sha1("、".join(towns).encode()).hexdigest()[:6] if towns else "all"
    login = f"t-{r.key}-{suffix}"
    found = accounts.get(engine, login)
    if found is not None:
        return found
    if accounts.count(engine) == 0 and r is not ADMIN:
        account(engine, "admin")
    accounts.add(engine, login, f"测试{r.name}", r.key, towns or None, password=PASSWORD, by="测试", must_change=False)
    return accounts.get(engine, login)


def sign_in(app, engine, role: str = "admin", townships=None):
    """``app`` (an AppTest) signed in as the test account of ``role``; returns the account."""
    from ui.auth import TOKEN

    who = account(engine, role, townships)
    app.session_state[TOKEN] = accounts.open_session(engine, who)
    return who
