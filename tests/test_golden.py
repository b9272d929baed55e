"""The sample ledger reproduces every figure of the 2020 report, through the same
path a user takes: the workbook, the import, the query layer and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from ledger import query
from ledger.store.figures import BY_KEY, FIGURES
from tests.conftest import ROOT

AS_OF = __import__("datetime").date(2020, 9, 30)


def test_every_seed_figure_from_the_query_layer(sample_db, seed_figures):
    got = query.figures(sample_db, AS_OF).values
    wrong = {k: (v, got.get(k)) for k, v in seed_figures.items() if got.get(k) != v}
    assert not wrong, f"seed value, ledger value: {wrong}"


def test_every_seed_key_is_a_figure(seed_figures):
    assert set(seed_figures) <= set(BY_KEY)


def _signed_in(sample_db) -> tuple[list[str], dict]:
    """``--user`` of a 材料员 (the sample store has accounts) and the environment with its password."""
    from tests.signing import PASSWORD, account

    return ["--user", account(sample_db, "writer").login], dict(os.environ, LEDGER_PASSWORD=PASSWORD)


def test_cli_json_reproduces_the_seed(sample_db, seed_figures):
    url = sample_db.url.render_as_string(hide_password=False)
    user, env = _signed_in(sample_db)
    out = subprocess.run(
        [sys.executable, "-m", "ledger", "figures", "--db", url, "--as-of", "2020-09-30", "--format", "json", *user],
        cwd=ROOT, capture_output=True, text=True, check=True, env=env,
    ).stdout
    doc = json.loads(out)
    assert doc["as_of"] == "2020-09-30" and doc["township"] is None
    assert {k: doc["figures"][k] for k in seed_figures} == seed_figures


def test_cli_csv_has_key_label_value_unit(sample_db):
    url = sample_db.url.render_as_string(hide_password=False)
    user, env = _signed_in(sample_db)
    out = subprocess.run(
        [sys.executable, "-m", "ledger", "figures", "--db", url, "--as-of", "2020-09-30", "--format", "csv", *user],
        cwd=ROOT, capture_output=True, text=True, check=True, env=env,
    ).stdout.splitlines()
    assert out[0] == "key,label,value,unit"
    assert "demand.postings,岗位信息,41239,条" in out


@pytest.mark.parametrize("fig", [f for f in FIGURES if f.additive], ids=lambda f: f.key)
def test_townships_add_up_to_the_district(sample_db, fig):
    rows = query.breakdown(sample_db, fig.key, AS_OF)
    district = query.figures(sample_db, AS_OF, keys=[fig.key]).values[fig.key]
    assert sum(rows[fig.key], Decimal(0) if fig.money else 0) == district


def test_each_township_figure_equals_its_breakdown_row(sample_db):
    keys = ["labor.total", "labor.poor_employed", "subsidy.total", "training.vocational.classes", "workshops.on_duty"]
    rows = query.breakdown(sample_db, keys, AS_OF).set_index("township")
    for town in rows.index:
        if town == query.DISTRICT_WIDE:
            continue
        values = query.figures(sample_db, AS_OF, township=town, keys=keys).values
        assert values == {k: rows.loc[town, k] for k in keys}, town


def test_villages_add_up_to_their_township(sample_db):
    town = "庆远镇"
    villages = query.breakdown(sample_db, ["labor.total", "subsidy.total"], AS_OF, by="village", township=town)
    total = query.figures(sample_db, AS_OF, township=town, keys=["labor.total", "subsidy.total"]).values
    assert len(villages) > 3
    assert villages["labor.total"].sum() == total["labor.total"]
    assert sum(villages["subsidy.total"]) == total["subsidy.total"]


def test_employment_collapses_in_february_and_recovers(sample_db):
    t = query.monthly(sample_db, ["labor.employment_rate"], query.month_end("2020-09")).set_index("month")["labor.employment_rate"]
    assert list(t.index) == [f"2020-{m:02d}" for m in range(1, 10)]
    assert t["2020-02"] < t["2020-01"] and t["2020-02"] < t["2020-09"]


def test_some_townships_ahead_and_some_behind_target(sample_db):
    from ledger.query.targets import progress

    rows = progress(sample_db, AS_OF)
    assert {"ahead", "behind"} <= set(rows["status"])
