"""The one masking policy (ledger/access/masking.py): IDs, phones, names, free text
with IDs, phones and names inside, loader messages (their row numbers kept), frames
classified by their Chinese headers, and the small-count suppression."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from ledger.access.masking import (
    FEW,
    KINDS,
    chart_values,
    is_few,
    mask_frame,
    mask_id,
    mask_message,
    mask_name,
    mask_phone,
    mask_text,
    mask_value,
    suppress_small,
)
from tests.fixtures_ledger import make_id

ID = make_id("19850312", 123)  # 45120319850312123?
ID_X = "45122519901231002X"
OLD_ID = "451203850312123"  # the 15-digit kind (before 1999)
PHONE = "13812345678"
# What must never survive masking: an 18/15-digit ID or an 11-digit mobile.
CLEAR = re.compile(r"(?<![0-9])(?:[1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14}|1[3-9][0-9]{9})(?![0-9Xx])")


# ---------------------------------------------------------------- single values


@pytest.mark.parametrize("value, masked", [
    (ID, ID[:6] + "********" + ID[-4:]),
    (ID_X, "451225********002X"),
    ("45122519901231002x", "451225********002x"),
    (OLD_ID, "451203********2123"),
    ("12345", "*****"),  # too short to keep region and end: nothing kept
    ("", ""),
    (None, None),
])
def test_mask_id(value, masked):
    assert mask_id(value) == masked


def test_a_masked_id_keeps_no_birth_date():
    m = mask_id(ID)
    assert "19850312" not in m and m.count("*") == 8 and len(m) == 18


@pytest.mark.parametrize("value, masked", [
    (PHONE, "138****5678"),
    ("19912345678", "199****5678"),
    ("07783216549", "077****6549"),
    ("1234567", "*******"),
    ("", ""),
    (None, None),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("张", "*"),
    ("张三", "张*"),
    ("韦小宝", "韦**"),
    ("欧阳明华", "欧***"),
    (" 李四 ", "李*"),
    ("", ""),
    (None, None),
])
def test_mask_name(value, masked):
    assert mask_name(value) == masked


# ---------------------------------------------------------------- free text


def test_free_text_masks_ids_phones_and_the_lists_names():
    text = f"韦小宝（{ID}）在东莞务工，联系电话{PHONE}，其妻欧阳明华 {ID_X} 留守；张三代报。"
    out = mask_text(text, ["韦小宝", "欧阳明华", "张三", "张"])
    assert out == (f"韦**（{mask_id(ID)}）在东莞务工，联系电话138****5678，其妻欧*** 451225********002X 留守；"
                   "张*代报。")
    assert not CLEAR.search(out)


def test_free_text_longest_name_first_and_one_character_names_left():
    # 张三丰 is masked whole, not as 张* + 丰; a one-character name would mask every 张.
    assert mask_text("张三丰和张三同村，张姓", ["张三", "张三丰", "张"]) == "张**和张*同村，张姓"


@pytest.mark.parametrize("text, masked", [
    (f"电话:{PHONE}/{PHONE[:3]}-{PHONE[3:]}", "电话:138****5678/138****5678"),
    ("手机 138-1234-5678 或 138 1234 5678", "手机 138****5678 或 138****5678"),  # as people write them
    ("旧证" + OLD_ID + "已换", "旧证451203********2123已换"),
    ("工资卡6222021234567890123", "工资卡622****0123"),
    ("座机07783216549", "座机077****6549"),
    ("单位：宜州区庆远镇服装厂，2020年9月30日入职，月薪3500元", "单位：宜州区庆远镇服装厂，2020年9月30日入职，月薪3500元"),
    ("编号20200930001", "编号202****0001"),  # an 11-digit run is a phone as far as anyone can tell
    ("20200930", "20200930"),
])
def test_free_text_digit_runs(text, masked):
    assert mask_text(text) == masked


def test_non_text_passes():
    for value in (None, 3000, 1.5, True, pd.NA):
        assert mask_text(value) is value
    assert mask_text("") == ""


def test_messages_keep_row_numbers_and_amounts():
    message = f"第12行：证件号码 {ID} 与第340行重复；联系电话 {PHONE} 位数不对；月收入 35000 元超出范围"
    out = mask_message(message)
    assert out == (f"第12行：证件号码 {mask_id(ID)} 与第340行重复；联系电话 138****5678 位数不对；"
                   "月收入 35000 元超出范围")
    assert not CLEAR.search(out)


def test_masking_is_idempotent():
    text = f"{ID} {PHONE} 韦小宝"
    once = mask_text(text, ["韦小宝"])
    assert mask_text(once, ["韦小宝"]) == once


# ---------------------------------------------------------------- values by kind


def test_mask_value_by_kind():
    assert mask_value("id", ID) == mask_id(ID)
    assert mask_value("phone", PHONE) == "138****5678"
    assert mask_value("name", "韦小宝") == "韦**"
    assert mask_value("text", f"找{PHONE}", ["韦小宝"]) == "找138****5678"
    assert mask_value(None, ID) == ID
    for kind in ("id", "phone", "name", "text"):
        assert mask_value(kind, None) is None


@pytest.mark.parametrize("kind", ["id", "phone", "text"])
def test_a_number_is_masked_too(kind):
    """An ID or phone that a workbook held as a number (an int, a numpy int, a float
    with no fraction) is masked like its digits; a small number stays a number."""
    for value in (int(ID[:-1] + "1") if ID[-1] == "X" else int(ID), int(PHONE), np.int64(PHONE), float(PHONE)):
        out = mask_value(kind, value)
        assert not CLEAR.search(str(out)), f"{kind}: {value!r} came out as {out!r}"
    assert mask_value("text", 3500) == 3500


# ---------------------------------------------------------------- frames


def frame():
    return pd.DataFrame({
        "行号": [2, 3, 4],
        "乡镇": ["庆远镇", "庆远镇", "北山镇"],
        "姓名": ["韦小宝", "欧阳明华", "张三"],
        "证件号码": [ID, ID_X, None],
        "联系电话": [PHONE, None, "19912345678"],
        "备注": [f"与欧阳明华同户，电话{PHONE}", "无", None],
        "务工单位": ["张三的服装厂", f"证件{ID}", ""],
        "月收入（元）": [3000, 4500, None],
    })


def cells(column) -> list:
    return [None if pd.isna(v) else v for v in column.tolist()]


def test_mask_frame_by_chinese_headers():
    original = frame()
    out = mask_frame(original)
    assert out is not original
    assert out["姓名"].tolist() == ["韦**", "欧***", "张*"]
    assert cells(out["证件号码"]) == [mask_id(ID), "451225********002X", None]
    assert cells(out["联系电话"]) == ["138****5678", None, "199****5678"]
    assert cells(out["备注"]) == ["与欧***同户，电话138****5678", "无", None]
    assert out["务工单位"].tolist() == ["张*的服装厂", f"证件{mask_id(ID)}", ""]
    # what is not personal stays as it was
    for column in ("行号", "乡镇", "月收入（元）"):
        pd.testing.assert_series_equal(out[column], original[column])
    pd.testing.assert_frame_equal(original, frame())  # the input is not changed
    assert not any(CLEAR.search(str(v)) for v in out.to_numpy().ravel())


def test_mask_frame_by_keys_and_given_kinds():
    keys = pd.DataFrame({"name": ["韦小宝"], "id_number": [ID], "phone": [PHONE], "remark": ["韦小宝外出"],
                         "对象名称": ["韦小宝"], "代码": [ID]})
    out = mask_frame(keys, {"对象名称": "name", "代码": "id"})
    assert out.iloc[0].tolist() == ["韦**", mask_id(ID), "138****5678", "韦**外出", "韦**", mask_id(ID)]


def test_mask_frame_without_personal_columns_is_unchanged():
    plain = pd.DataFrame({"乡镇": ["庆远镇"], "劳动力人数": [12]})
    assert mask_frame(plain).equals(plain)
    empty = frame().iloc[0:0]
    assert list(mask_frame(empty).columns) == list(empty.columns) and mask_frame(empty).empty


def test_every_header_of_kinds_is_masked():
    for kind, headers in KINDS.items():
        value = {"id": ID, "phone": PHONE, "name": "韦小宝", "text": f"韦小宝 {PHONE}"}[kind]
        for header in headers:
            out = mask_frame(pd.DataFrame({header: [value]}))[header].iloc[0]
            assert out != value and not CLEAR.search(out), f"{header} ({kind}) left {out!r}"


# ---------------------------------------------------------------- small counts


def test_suppress_small():
    rows = pd.DataFrame({"village": ["甲村", "乙村", "丙村", "丁村", "戊村"], "labor.total": [0, 1, 4, 5, 120],
                         "labor.employment_rate": [None, 100.0, 50.0, 40.0, 80.5], "flag": [True, False, True, True, True]})
    out = suppress_small(rows, ["labor.total", "flag"])
    assert out["labor.total"].tolist() == [0, FEW, FEW, 5, 120]
    assert out["flag"].tolist() == rows["flag"].tolist()  # a yes/no is not a count
    pd.testing.assert_series_equal(out["labor.employment_rate"], rows["labor.employment_rate"])
    assert rows["labor.total"].tolist() == [0, 1, 4, 5, 120]  # a copy
    big = pd.DataFrame({"n": [0, 5, 9]})
    assert suppress_small(big, ["n"])["n"].tolist() == [0, 5, 9]
    assert is_few(FEW) and FEW == "<5" and not is_few(4) and not is_few("4")


def test_chart_values_blank_the_suppressed_cells():
    shown = suppress_small(pd.DataFrame({"v": ["甲", "乙", "丙"], "n": [2, 7, 0]}), ["n"])
    bars = chart_values(shown, ["n", "missing"])
    values = bars["n"].tolist()
    assert math.isnan(values[0]) and values[1:] == [7, 0]
    assert pd.api.types.is_numeric_dtype(bars["n"])
    untouched = pd.DataFrame({"n": [7, 8]})
    assert chart_values(untouched, ["n"])["n"].tolist() == [7, 8]
