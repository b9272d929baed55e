"""The server's own settings in ``.streamlit/config.toml`` that a page view's cost rests on.
Both are invisible on a developer's machine and cost a loaded server most of its CPU
(py-spy on bench/bench_load.py: a full garbage collection after each run, then a
re-resolution of every loaded module's path for the file watcher, together about 0.35 s
of 0.4 s per page view), so they are pinned here: a later edit or a renamed option in
a newer Streamlit fails a test instead of slowing every user down."""

from __future__ import annotations

import tomllib

from streamlit import config

from tests.conftest import ROOT

SETTINGS = ROOT / ".streamlit" / "config.toml"

PINNED = {
    ("runner", "postScriptGC"): False,
    ("server", "fileWatcherType"): "none",
    # Offline and hardened: no usage statistics, the XSRF and CORS checks on.
    ("browser", "gatherUsageStats"): False,
    ("server", "enableXsrfProtection"): True,
    ("server", "enableCORS"): True,
    ("server", "address"): "127.0.0.1",
}


def test_the_server_settings_that_cost_or_protect_are_set():
    settings = tomllib.loads(SETTINGS.read_text(encoding="utf-8"))
    got = {key: settings.get(key[0], {}).get(key[1]) for key in PINNED}
    assert got == PINNED


def test_streamlit_still_knows_each_pinned_option():
    """A setting Streamlit no longer reads would be silently ignored."""
    known = config._config_options_template  # every option this Streamlit defines
    missing = [f"{section}.{name}" for section, name in PINNED if f"{section}.{name}" not in known]
    assert missing == []


def test_the_watcher_setting_is_one_streamlit_accepts():
    option = config._config_options_template["server.fileWatcherType"]
    assert "none" in option.description
