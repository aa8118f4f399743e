"""Table rows (cells tab-separated, as the spreadsheet, Word and web loaders give them) stay whole lines.

The notices of tests/extract/cases/segment_table_rows.yaml are checked by test_segment.py; this file
checks what that harness does not read: each listed row is a line of the cleaned text a user sees,
and the deadline keeps its time of day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder.extract import extract_text
from reminder.extract.normalize import clean

CASES = Path(__file__).parent / "cases" / "segment_table_rows.yaml"


def _cases() -> list[Any]:
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=case["name"]) for case in cases]


@pytest.mark.parametrize("case", _cases())
def test_rows_stay_lines(case: dict[str, Any]) -> None:
    doc = extract_text(case["text"])
    lines = doc.text.split("\n")
    for row in case["expect"]["rows"]:
        assert row in lines, lines
    if "times" in case["expect"]:
        times = [f"{d.time:%H:%M}" for n in doc.notices for d in n.deadlines if d.time]
        assert times == case["expect"]["times"]


def test_wide_rows_are_not_joined() -> None:
    # rows as wide as the wrapped lines around them, none ending with punctuation
    wrapped = "本次申报工作由区经济和信息化局统一组织实施各单位要高度重视认真组织"
    rows = [
        "1\t申报主体\t在本区注册并依法纳税的规模以上工业企业",
        "2\t支持方向\t智能制造数字化车间及工业互联网平台建设",
    ]
    text = clean("\n".join([wrapped, "做好材料审核工作。", *rows, wrapped, "按时报送。"]))
    assert text.split("\n")[1:3] == rows


def test_a_row_is_never_joined_to_wrapped_text() -> None:
    line = "为进一步加快推进全区制造业高质量发展现将有关事项通知如下请各单位"
    assert clean(f"{line}\n3\t申报时间\t2026年9月1日至9月30日\n").split("\n")[:2] == [
        line,
        "3\t申报时间\t2026年9月1日至9月30日",
    ]
