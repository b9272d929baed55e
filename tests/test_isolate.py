"""No file can take the server down: readers run in a child process (loaders.isolate)
and hostile files are refused before parsing (loaders.limits).

The functions at the top run in the child, so they are top-level and importable.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import multiprocessing
import os
import pickle
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from loaders import isolate, limits
from tests.hostile_files import deflate_bomb

LABOR = "劳动力就业台账"


# --- Run in the child ------------------------------------------------------------------


def small_frame() -> pd.DataFrame:
    """Every kind of column a reader returns: raw cells (mixed objects), text, numbers."""
    return pd.DataFrame(
        {
            "cells": pd.Series(["张三", 1.5, None, dt.datetime(2020, 9, 30), True, ""], dtype=object),
            "text": pd.Series(["庆远镇", "三岔镇", None, "", "石别镇", "洛西镇"], dtype="str"),
            "count": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "money": [0.1, 2.5, np.nan, 4.0, 5.0, 6.0],
            "employed": [True, False, True, True, False, True],
        },
        index=range(1, 7),
    )


def big_frame(rows: int, columns: int, scratch_mb: int = 0) -> pd.DataFrame:
    """A labour-sheet-sized frame (every third column text, the rest numbers), after
    touching ``scratch_mb`` of memory (what parsing costs, which must stay in the child)."""
    scratch = b"\x01" * (scratch_mb << 20)
    numbers = np.arange(45120319000000, 45120319000000 + rows)
    text = pd.Series(numbers).astype("str")
    frame = pd.DataFrame({f"列{j}": text + f"-{j}" if j % 3 == 0 else numbers + j for j in range(columns)})
    del scratch
    return frame


def steps(n: int, progress) -> int:
    for i in range(n):
        progress(i / n, f"第{i}步")
    return n


def abort() -> None:
    os.abort()


def allocate(mb: int) -> int:
    return len(bytearray(mb << 20))


def sleep(seconds: float, progress) -> None:
    progress(0.0, str(os.getpid()))
    time.sleep(seconds)


def sleep_then_mark(seconds: float, marker: str, progress) -> None:
    """``sleep``, then leave ``marker``: a child killed at its time limit never does."""
    progress(0.0, str(os.getpid()))
    time.sleep(seconds)
    Path(marker).write_text("slept to the end")


def fail() -> None:
    raise KeyError("没有这一列")


def read_with_calamine(path: str) -> list:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    return [book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names]


# --- Files ------------------------------------------------------------------------------


def _two_cells(path: Path, last: tuple[int, int], sheet: str = LABOR) -> bytes:
    """A workbook with A1 and one more cell (0-based row, column): xlsxwriter declares
    <dimension ref="A1:…"> up to that cell."""
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet(sheet)
    ws.write(0, 0, "x")
    ws.write(*last, "y")
    book.close()
    return path.read_bytes()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _ours() -> list:
    return [p for p in multiprocessing.active_children() if p.name.startswith(isolate.NAME)]


# --- isolate -------------------------------------------------------------------------------


def test_a_frame_comes_back_equal():
    pd.testing.assert_frame_equal(isolate.run(small_frame), small_frame())
    assert not _ours()


def test_progress_arrives_in_order():
    seen = []
    assert isolate.run(steps, 200, progress=lambda f, m: seen.append((f, m))) == 200
    assert seen == [(i / 200, f"第{i}步") for i in range(200)]


def test_an_abort_fails_the_call_not_the_caller():
    with pytest.raises(isolate.Failed) as failed:
        isolate.run(abort, name="a.xlsx")
    assert failed.value.kind == "crash"
    assert "SIGABRT" in str(failed.value) and "“a.xlsx”" in str(failed.value)
    assert isolate.run(steps, 1, progress=lambda f, m: None) == 1  # this process still works


def test_running_out_of_memory_is_said():
    # A child starts at ~1.4 GB of address space (pandas with pyarrow, primed; see loaders.primer).
    with pytest.raises(isolate.Failed, match="内存上限（2,048 MB）") as failed:
        isolate.run(allocate, 2048, memory_mb=2048)
    assert failed.value.kind == "memory"
    assert isolate.run(allocate, 64, memory_mb=2048) == 64 << 20


def test_a_reader_past_its_time_is_killed(tmp_path):
    # How soon after its limit the child goes is a timing: bench/bench_isolate.py.
    pids = []
    marker = tmp_path / "finished"
    with pytest.raises(isolate.Failed, match="超时（1秒）") as failed:
        isolate.run(sleep_then_mark, 30, str(marker), progress=lambda f, m: pids.append(int(m)), seconds=1)
    assert failed.value.kind == "timeout"
    assert pids and not Path(f"/proc/{pids[0]}").exists()  # killed and reaped, not a zombie
    assert not marker.exists(), "the call waited for the reader to finish its 30 s instead of killing it"
    assert not _ours()


def test_a_caller_that_stops_leaves_no_child():
    """Streamlit stops a script (a rerun, a closed tab) by raising inside a call such as
    the progress bar's: the child must go too."""
    pids = []

    def stop(fraction, message):
        pids.append(int(message))
        raise RuntimeError("rerun")

    with pytest.raises(RuntimeError, match="rerun"):
        isolate.run(sleep, 30, progress=stop)
    assert pids and not Path(f"/proc/{pids[0]}").exists()
    assert not _ours()


def test_an_exception_comes_back_with_its_type():
    with pytest.raises(isolate.Failed, match="KeyError") as failed:
        isolate.run(fail)
    assert failed.value.kind == "error" and isinstance(failed.value.error, KeyError)
    assert "没有这一列" in failed.value.detail
    assert pickle.loads(pickle.dumps(failed.value)).kind == "error"


PAGE = """
import os
import streamlit as st
from loaders import isolate
from tests import test_isolate
with open({marker!r}, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
bar = st.progress(0.0)
st.write(f"共{{isolate.run(test_isolate.steps, 3, progress=lambda f, m: bar.progress(f, text=m))}}步")
"""


def test_a_streamlit_page_reads_in_a_child(tmp_path):
    """In a script thread ``__main__`` is the page script: the child must not run it again."""
    from streamlit.testing.v1 import AppTest

    marker = tmp_path / "runs.txt"
    at = AppTest.from_string(PAGE.format(marker=str(marker)), default_timeout=30).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["共3步"]
    assert marker.read_text().split() == [str(os.getpid())]


def test_in_process_for_a_debugger(monkeypatch):
    monkeypatch.setenv("LEDGER_READ_INPROCESS", "1")
    seen = []
    assert isolate.run(steps, 3, progress=lambda f, m: seen.append(m)) == 3
    assert seen == ["第0步", "第1步", "第2步"]
    with pytest.raises(isolate.Failed, match="KeyError"):
        isolate.run(fail)


def test_the_sparse_workbook_kills_only_its_child(tmp_path):
    path = tmp_path / "sparse.xlsx"
    data = _two_cells(path, (1_048_575, 16_383))  # XFD1048576
    assert len(data) < 10_000
    with pytest.raises(isolate.Failed, match="内存") as failed:
        isolate.run(read_with_calamine, str(path), name=path.name)  # calamine asks for 550 GB and aborts
    assert failed.value.kind == "memory"
    assert "“sparse.xlsx”" in str(failed.value)
    assert not _ours()

    refused = limits.check_workbook(data, path.name)
    assert refused == (
        "文件“sparse.xlsx”的工作表“劳动力就业台账”声明的范围为A1:XFD1048576（1,048,576行×16,384列），"
        "超过本系统的上限（500,000行×200列）：请删去多余的行列，或把数据分成几个文件后再导入"
    )


def test_a_big_result_leaves_no_memory_behind():
    isolate.run(big_frame, 1000, 25)  # the first call's one-off costs (imports, pools)
    gc.collect()
    before = _rss_mb()
    frame = isolate.run(big_frame, 270_000, 25, 200)
    assert frame.shape == (270_000, 25) and frame.iloc[-1, -1] == "45120319269999-24"
    del frame
    gc.collect()
    assert _rss_mb() - before < 50


# --- limits --------------------------------------------------------------------------------


def test_a_deflate_bomb_is_refused_unread():
    bomb = deflate_bomb(2048)  # 2 GB of XML in 2 MB
    assert len(bomb) < 3 << 20
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:  # a real zip, readable as one
        with z.open("xl/worksheets/sheet1.xml") as f:
            assert f.read(100).startswith(b"<?xml")
    with zipfile.ZipFile(io.BytesIO(deflate_bomb(4))) as z:  # sizes and CRC hold to the end
        assert z.read("xl/worksheets/sheet1.xml").endswith(b"<sheetData>" + b" " * (4 << 20))
    # Refused from the zip directory: the worksheet is never decompressed (how long
    # that takes is a timing: bench/bench_isolate.py).
    inflated: dict[str, int] = {}
    read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = read(self, n)
        inflated[self.name] = inflated.get(self.name, 0) + len(data)
        return data

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(zipfile.ZipExtFile, "read", counting)
        refused = limits.check_workbook(bomb, "bomb.xlsx")
    assert "xl/workbook.xml" in inflated, inflated  # the count sees what is read: the sheet names
    assert "xl/worksheets/sheet1.xml" not in inflated, f"the bomb's sheet was decompressed: {inflated}"
    assert sum(inflated.values()) < 1 << 20, inflated
    assert refused.startswith("文件“bomb.xlsx”的工作表“劳动力就业台账”压缩了1,010倍") and "可能已损坏或被篡改" in refused

    refused = limits.check_workbook(deflate_bomb(100), "bomb.xlsx")  # small enough in all, but 1,000×
    assert refused.startswith("文件“bomb.xlsx”的工作表“劳动力就业台账”压缩了")
    assert "上限200倍" in refused


def test_declared_rows_and_columns_are_refused(tmp_path):
    refused = limits.check_workbook(_two_cells(tmp_path / "a.xlsx", (1_048_574, 22)), "a.xlsx")
    assert "声明的范围为A1:W1048575（1,048,575行×23列）" in refused and "“劳动力就业台账”" in refused
    refused = limits.check_workbook(_two_cells(tmp_path / "b.xlsx", (10, 200), "Sheet1"), "b.xlsx")
    assert "工作表“Sheet1”声明的范围为A1:GS11（11行×201列）" in refused
    # At the limits exactly, and an ordinary workbook, pass.
    assert limits.check_workbook(_two_cells(tmp_path / "c.xlsx", (499_999, 199)), "c.xlsx") is None
    assert limits.check_workbook(_two_cells(tmp_path / "d.xlsx", (270_000, 22), "扶贫车间&台账"), "d.xlsx") is None


def test_sheet_names_come_from_the_workbook(tmp_path):
    path = tmp_path / "e.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("说明").write(0, 0, "x")
    ws = book.add_worksheet("A&B“台账”")
    ws.write(0, 0, "x")
    ws.write(600_000, 0, "y")
    book.close()
    assert "工作表“A&B“台账””声明的范围为A1:A600001" in limits.check_workbook(path.read_bytes(), "e.xlsx")


def test_other_files_pass_the_workbook_check():
    assert limits.check_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000, "old.xls") is None
    assert limits.check_workbook(b"PK\x03\x04 not really a zip", "broken.xlsx") is None  # the reader says so
    assert "超过本系统的上限（200 MB）" in limits.check_workbook(b"\0" * (limits.MAX_UPLOAD_BYTES + 1), "old.xls")


def test_an_upload_has_at_most_40_files_and_200_mb():
    assert limits.check_upload([(f"{i}.xlsx", 1000) for i in range(40)]) is None
    assert limits.check_upload([(f"{i}.xlsx", 1000) for i in range(41)]) == "一次最多上传40个文件，本次选择了41个：请分几次导入"
    refused = limits.check_upload([("a.xlsx", 150 << 20), ("b.xlsx", 60 << 20)])
    assert refused == "本次上传的文件共210 MB，超过本系统的上限（200 MB）：请分几次导入"


def test_csv_size_and_messages():
    assert limits.check_csv(b"a,b\n1,2\n", "t.csv") is None
    assert "超过本系统CSV文件的上限（100 MB）" in limits.check_csv(b"x" * (limits.MAX_CSV_BYTES + 1), "t.csv")
    assert limits.too_large("t.csv", None, 500_001, 3) == (
        "文件“t.csv”有500,001行×3列，超过本系统的上限（500,000行×200列）：请删去多余的行列，或把数据分成几个文件后再导入"
    )
