"""Imported by the reader's fork server (``isolate.PRELOAD``): one small load in the
server itself, so that every child it forks starts with pandas' lazily imported parts
and the pattern caches warm; a child otherwise spends ~100 ms importing them again."""

from pathlib import Path

from . import load_in_process
from .idcard import check_digit

_ID = "45120319800101001"
_ROW = f"2020-09,庆远镇,城东村,张三,{_ID + check_digit(_ID)},是,已就业,外出务工,省外,3000,2020-03-15"
load_in_process([(Path("劳动力就业台账.csv"), f"统计时点,乡镇,村,姓名,证件号码,是否建档立卡,就业状态,就业方式,务工区域,月收入（元）,填报日期\n{_ROW}\n".encode())])
