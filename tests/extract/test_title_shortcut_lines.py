"""The title shortcut (segment_lines._no_title) on the lines it also decides since issue 15's second pass:
lines with 关于 (after a source prefix) or a 【tag】 holding a sentence mark, and numbered lines too short
or too long for a weak title; and lines with no sentence mark that hold an ending word, skipped when no
ending word is followed by what _title_end accepts after one (nothing, the body's first words, a page
number) in the line or in it joined with the next ones, or when the next line is numbered (never joined).
It may only skip lines the full reading finds no title on."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract.segment_data import _title_stop, vocab
from reminder.extract.segment_lines import _no_title, _read_title, split_lines

_PIECES = [
    "1.", "14、", "二、", "(三)", "【重大专项】", "【申报条件】", "【", "】", "成都龙泉驿:", "杭州丨", "关于", "关",
    "于", "组织申报", "2025年度", "科技项目", "的通", "知", "的通知", "公告", "名单", "申报", "项目", "认定工作",
    "试点", "工作启动", "实施办法", "(试行)", "各有关单位:", "。", ",", ";", ":", " ", "\t", "......12",
    "名单公布", "申报书", "发布时间:", "东科函〔2017〕181号", "请于3月1日前报送", "一二三四五六七八九十",
]  # fmt: skip


def _check(lines: list[str]) -> int:
    read, v, skipped = split_lines("\n".join(lines)), vocab(), 0
    for i in range(len(read)):
        if _no_title(read, i, v):
            skipped += 1
            assert _read_title(read, i, v) is None, read[i].text
    return skipped


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join), min_size=1, max_size=4))
def test_the_shortcut_skips_only_lines_without_a_title(lines: list[str]) -> None:
    _check(lines)


def test_the_shortcut_decides_prefixed_tagged_and_short_numbered_lines() -> None:
    lines = [
        "成都龙泉驿:关于开展评选,请各单位报送",  # a source prefix, then a sentence without a title ending
        "【重大专项】本项目支持,企业申报",  # a tag, then a sentence
        "二、申报条件",  # numbered, too short for a weak title, no ending word
        "企业须满足以下条件。",
    ]
    assert _check(lines) == 4
    v = vocab()
    read = split_lines("成都龙泉驿:关于组织申报2025年度科技项目的通知\n【重大专项】关于组织申报的通知")
    assert not _no_title(read, 0, v) and not _no_title(read, 1, v)
    assert _read_title(read, 0, v) is not None and _read_title(read, 1, v) is not None


# no sentence marks: ending words with and without trailers, what may follow a title (body starters,
# a document number, page numbers, spaces) and what may not, numbering, tags, words split over lines
_ENDING_PIECES = [
    "关于", "组织申报", "2025年度", "科技项目", "的通知", "通知", "的通", "知", "公告", "政策", "举措", "措施",
    "实施办法", "(试行)", "(2025年版)", "工作启动", "名单", "各有关单位", "各区", "根据", "近日", "现将",
    "来源", "浙科发〔2025〕12号", "12", "3", "......", " ", "\t", "1.", "二、", "(三)", "【重大专项】",
    "上海", "支持", "篇", "可申报项目", "国家级", "发布",
]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_ENDING_PIECES), max_size=8).map("".join), min_size=1, max_size=4))
def test_lines_whose_ending_words_run_on_are_skipped_only_without_a_title(lines: list[str]) -> None:
    _check(lines)


def test_ending_words_inside_a_line_or_before_a_numbered_line_are_skipped() -> None:
    v = vocab()
    skipped = [
        ["上海多项措施支持企业发展", "企业须满足以下条件。"],  # 措施 followed by more title words
        ["国家级政策篇", "1.关于组织申报2025年度科技项目的通知"],  # the next line is numbered: never joined
        ["政策举措", "江苏出台若干政策举措", "近日,江苏省印发若干政策。"],
    ]
    for lines in skipped:
        assert _check(lines) >= 1 and _no_title(split_lines("\n".join(lines)), 0, v)
    read = [
        ["关于组织申报2025年度科技项目的通知"],  # the line ends with the ending word
        ["关于组织申报2025年度科技项目的通知 根据有关规定"],  # the body's first words follow
        ["关于组织申报2025年度科技项目的通知 12"],  # a page number follows (a TOC entry)
        ["关于组织申报2025年度", "科技项目的通", "知"],  # the ending word split over lines
        ["关于科技项目的实施办法(试行)"],  # with a trailer
    ]
    for lines in read:
        view = split_lines("\n".join(lines))
        assert not _no_title(view, 0, v) and _read_title(view, 0, v) is not None, lines


@pytest.mark.parametrize("starter", ["^各有关单位", "(?<=。)各有关单位", r"\A各", r"\b各"])
def test_body_starters_that_look_behind_turn_the_shortcut_off(starter: str) -> None:
    """Matched on the rest alone, such a starter would not match after the ending word in one pattern."""
    v = vocab()
    assert _title_stop(v.any_end, re.compile(starter), v.page_number) is None
    assert _title_stop(v.any_end, re.compile("各有关单位"), v.page_number) is not None
