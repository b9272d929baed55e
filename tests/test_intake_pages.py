"""The intake, history, quality and reporting pages on a copy of the sample store
(these pages write: freezing, restoring), signed in as a 数据管理员 (whose pages
they are): the intake page names the account as importer, audits the import and
shows every problem masked, its problems workbook too."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ledger.access import audit
from ledger.query import quality
from ledger.query.reported import freeze
from ledger.store.config import make_engine
from ledger.store.freezes import freezes, reported
from ledger.store.history import history
from ledger.store.imports import read_and_import
from tests import signing
from tests.conftest import ROOT, copy_store
from tests.signing import sign_in

ID = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def own_store(sample_db, tmp_path, monkeypatch):
    copy_store(sample_db, tmp_path / "copy.db")
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    monkeypatch.setenv("LEDGER_DB_URL", url)
    st.cache_data.clear()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _page(path: str, engine=None, role: str = "admin") -> AppTest:
    """The page script on its own (AppTest drops button clicks after switch_page), signed
    in as the test account of ``role`` on ``engine`` (the store the page reads)."""
    app = AppTest.from_file(str(ROOT / path), default_timeout=60)
    if engine is not None:
        sign_in(app, engine, role)
    app.run()
    assert not app.exception
    return app


def test_quality_page_counts_match_the_checks(own_store):
    app = _page("pages/quality.py", own_store)
    summary = quality.summary(own_store)
    district = summary[summary["乡镇"] == "全区"]
    shown = app.dataframe[0].value
    assert list(shown["问题数"]) == list(district["问题数"])
    assert district["问题数"].sum()
    # no check is chosen at first: no row is read from the detail until one is
    assert len(app.dataframe) == 2 and app.selectbox(key="quality_check").value is None
    first = next(c for c in quality.CHECKS if int(district.loc[district["检查项"] == c.key, "问题数"].iloc[0]))
    app.selectbox(key="quality_check").select(first).run()
    assert not app.exception
    found = app.dataframe[-1].value
    assert len(found) == int(district.loc[district["检查项"] == first.key, "问题数"].iloc[0])


def test_freezing_a_month_records_it_and_shows_no_changes(own_store):
    """A 数据管理员 freezes in their own name (no name to type), and the log says so."""
    app = _page("pages/reported.py", own_store)
    assert not [t for t in app.text_input if t.key == "reported_user"]
    app.button(key="reported_freeze").click().run()
    assert not app.exception
    got = freezes(own_store)
    assert len(got) == 1 and got.iloc[0]["报送人"] == "测试数据管理员（t-admin-all）" and got.iloc[0]["月份"] == "2020-09"
    assert any("没有变化" in s.value for s in app.success)
    logged = audit.entries(own_store, actions=["freeze"])
    assert len(logged) == 1 and (logged.iloc[0]["账号"], logged.iloc[0]["对象"]) == ("t-admin-all", "2020-09")


@pytest.mark.parametrize("role", ["leader", "township", "writer"])
def test_only_a_manager_may_freeze(own_store, role):
    app = _page("pages/reported.py", own_store, role)
    assert not [b for b in app.button if b.key == "reported_freeze"]
    assert any("数据管理员" in c.value for c in app.caption)


def test_restore_from_the_history_page_names_its_reason_and_is_recorded(own_store, monkeypatch):
    """The 操作人 is the signed-in 数据管理员; without a reason nothing is restored; the
    reason goes into the history entry and the audit log."""
    app = _page("pages/history.py", own_store)
    before = history(own_store)
    assert len(app.dataframe[0].value) == len(before)
    assert not [t for t in app.text_input if t.key == "history_user"]
    app.radio(key="history_when").set_value("该记录之前的状态").run()
    app.button(key="history_restore").click().run()
    assert not app.exception
    assert any("请填写恢复原因" in e.value for e in app.error)
    assert len(history(own_store)) == len(before)

    app.text_input(key="history_reason").input("示例数据导错，退回导入前").run()
    from ledger.query import prepared

    ran = []  # as after an import: the checks and the year's counts for the restored state
    monkeypatch.setattr(prepared, "after_change", lambda engine: ran.append(engine))
    app.button(key="history_restore").click().run()
    assert not app.exception and len(ran) == 1
    rows = history(own_store)
    assert rows[0]["kind"] == "restore" and rows[0]["created_by"] == "测试数据管理员（t-admin-all）"
    assert rows[0]["note"].endswith("之前的状态；原因：示例数据导错，退回导入前")
    logged = audit.entries(own_store, actions=["restore"])
    assert (logged.iloc[0]["账号"], logged.iloc[0]["对象"], logged.iloc[0]["说明"]) == (
        "t-admin-all", f"#{before[0]['id']}", "示例数据导错，退回导入前")


def test_intake_page_waits_for_a_file(own_store):
    app = _page("pages/intake.py", own_store)
    assert app.title[0].value == "数据导入"
    assert not app.button  # nothing to confirm before a file is chosen
    assert not app.text_input  # no free-text importer: the signed-in account is


def test_intake_page_is_refused_to_other_roles(own_store):
    for role in ("leader", "writer", "township"):
        app = _page("pages/intake.py", own_store, role)
        assert not app.file_uploader, role


@pytest.fixture
def deferred(monkeypatch):
    """The download buttons' file makers (file name → callable), as Streamlit keeps them
    to run at the click, outside the page's run."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made = {}
    real = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made


def _upload(app: AppTest, name: str, data: bytes) -> AppTest:
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    app.file_uploader[0].set_value((name, data, mime)).run()
    assert not app.exception
    return app


def _xml_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".vml")))


def test_intake_problems_are_masked_on_screen_and_in_the_workbook(own_store, tmp_path, deferred):
    """A file whose rows carry a bad ID (quoted by its problem), a phone in 备注 and a
    wrong status: the problem table and the problems workbook show none of them whole."""
    from ledger.access.audit import entries
    from tests.fixtures_ledger import LABOR_HEADER, ids, labor_row, with_wrong_check, write_workbook

    people = ids(3, start=41)
    rows = [LABOR_HEADER + ["备注"]] + [labor_row("2020-09", "庆远镇", "城东村", f"韦小{i}", n) + ["电话13812345678"]
                                        for i, n in enumerate(people)]
    rows[1][4] = with_wrong_check(people[0])
    rows[2][6] = "不知道"
    book = write_workbook(tmp_path / "有错.xlsx", {"劳动力就业台账": rows})
    app = _upload(_page("pages/intake.py", own_store), "有错.xlsx", book.read_bytes())
    assert any("发现" in e.value for e in app.error)
    shown = app.dataframe[0].value
    assert len(shown) >= 2
    text = shown.to_csv()
    assert not ID.search(text) and not MOBILE.search(text), text
    assert "451203" in text  # the ID is there, masked: the clerk still sees which one

    data = deferred["台账问题清单.xlsx"]()  # the click
    xml = _xml_text(data)
    assert not ID.search(xml) and not MOBILE.search(xml)
    assert "韦小0" not in xml and "韦*" in xml
    account = signing.account(own_store, "admin")
    assert f"导出：{account.label}" in xml
    log = entries(own_store, actions=["export"])
    assert (log["对象"] == "台账问题清单.xlsx").any() and (log["账号"] == account.login).any()


def test_an_import_is_made_by_the_signed_in_account_and_audited(own_store, tmp_path):
    from ledger.access.audit import entries
    from tests.fixtures_ledger import small_labor, write_workbook

    book = write_workbook(tmp_path / "九月.xlsx", {"劳动力就业台账": small_labor("2020-09", 3, start=71)})
    app = _upload(_page("pages/intake.py", own_store), "九月.xlsx", book.read_bytes())
    app.button(key="intake_confirm").click().run()
    assert not app.exception
    account = signing.account(own_store, "admin")
    assert history(own_store)[0]["created_by"] == account.label
    log = entries(own_store, actions=["import"])
    assert len(log) == 1 and log.iloc[0]["账号"] == account.login and log.iloc[0]["对象"] == "九月.xlsx"
    assert "导入成功" in log.iloc[0]["说明"]


def test_after_an_import_the_quality_page_opens_from_the_checks_run_by_the_import(own_store, tmp_path):
    """The import page runs the 13 checks once it has imported; the 数据质量 page then
    reads their counts from the memo (no checks of its own: no new memo entry)."""
    from sqlalchemy import func, select

    from ledger.store.summaries import quality_done
    from tests.fixtures_ledger import small_labor, write_workbook

    def kept() -> int:
        with own_store.connect() as conn:
            return conn.execute(select(func.count()).select_from(quality_done)).scalar()

    before = kept()
    book = write_workbook(tmp_path / "九月.xlsx", {"劳动力就业台账": small_labor("2020-09", 3, start=71)})
    app = _upload(_page("pages/intake.py", own_store), "九月.xlsx", book.read_bytes())
    app.button(key="intake_confirm").click().run()
    assert not app.exception and kept() == before + 1
    st.cache_data.clear()
    page = _page("pages/quality.py", own_store)
    assert kept() == before + 1, "the quality page ran the checks again instead of reading the import's"
    shown = page.dataframe[0].value
    district = quality.summary(own_store)
    assert list(shown["问题数"]) == list(district.loc[district["乡镇"] == "全区", "问题数"])


def test_checks_that_fail_after_an_import_leave_the_import_and_say_so(own_store, tmp_path, monkeypatch):
    from tests.fixtures_ledger import small_labor, write_workbook

    def broken(*args, **kwargs):
        raise RuntimeError("checks failed")

    monkeypatch.setattr(quality, "summary", broken)
    book = write_workbook(tmp_path / "九月.xlsx", {"劳动力就业台账": small_labor("2020-09", 3, start=71)})
    app = _upload(_page("pages/intake.py", own_store), "九月.xlsx", book.read_bytes())
    app.button(key="intake_confirm").click().run()
    assert not app.exception
    said = " ".join(s.value for s in app.success)
    assert "导入成功" in said and "数据质量检查没有完成" in said, said
    assert history(own_store)[0]["filename"] == "九月.xlsx"


def test_a_frozen_month_can_be_shown_as_reported_or_current(own_store, tmp_path):
    """Freeze September, then a correction replaces the month: the overview shows today's
    figures by default and, on 已报送数据, exactly the figures that were reported."""
    from ledger.present.format import show
    from ledger.store.figures import figure
    from tests.fixtures_ledger import LABOR_HEADER, ids, labor_row, write_workbook

    freeze(own_store, "2020-09", user="张三")
    reported_total = reported(own_store, "2020-09")["labor.total"]
    people = ids(3)
    book = write_workbook(
        tmp_path / "更正.xlsx",
        {"劳动力就业台账": [LABOR_HEADER] + [labor_row("2020-09", "庆远镇", "城东村", f"更正{i}", n) for i, n in enumerate(people)]},
    )
    assert read_and_import(own_store, book, user="李四").log_id is not None
    st.cache_data.clear()

    label = figure("labor.total").label
    app = _page("pages/overview.py", own_store)
    assert app.radio(key="overview_basis").value == "当前数据"
    assert {m.label: m.value for m in app.metric}[label] == show(figure("labor.total"), 3)
    assert not app.warning

    app.radio(key="overview_basis").set_value("已报送数据").run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}[label] == show(figure("labor.total"), reported_total)
    assert any("已报送数据" in w.value for w in app.warning)
    assert "已报送数据" in app.caption[0].value
    assert app.query_params.get("basis") in ("reported", ["reported"])

    # 月度报送 lists the figure with the reported and the current value side by side, and why.
    shown = _page("pages/reported.py", own_store).dataframe[0].value.set_index(["乡镇", "指标"])
    fig = figure("labor.total")
    row = shown.loc[("全区", label)]
    assert (row["报送值"], row["当前值"], row["变化"]) == (show(fig, reported_total), show(fig, 3), show(fig, 3 - reported_total))
    assert "更正.xlsx" in shown.loc[("全区", label), "原因"]


def test_months_never_frozen_have_no_basis_choice(own_store):
    app = _page("pages/overview.py", own_store)
    assert not [r for r in app.radio if r.key == "overview_basis"]
