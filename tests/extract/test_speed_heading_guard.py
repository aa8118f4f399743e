"""The heading guard (SegmentVocab.heading_guard, issue 15) is searched on a raw line before read_heading
reads it: it must let through every line that states a heading, spaces between a word's characters,
numbering, ordinals and closing brackets included, or a section heading (国家级 / 浙江省) would be lost
and with it the level of every notice under it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_and_dev_views

from reminder.extract.segment_data import vocab
from reminder.extract.segment_lines import _read_heading, read_heading, read_headings, split_lines

# pieces of short lines: numbering, ordinals, brackets, spaces (inside words too), level, kind and
# region words, empty markers, and other words
_PIECES = [
    "1.", "二、", "(三)", "★", "第一部分", "第二篇", "【", "】", "[", "]", " ", "\u3000", "\t",
    "国家", "国 家", "省", "市", "区", "县", "级", " 级", "浙江", "浙 江", "浙江省", "杭州市", "上城区",
    "高新区", "高 新 区", "自治区", "可申报项目", "申 报 项 目", "申报通知", "通知篇", "政策", "政 策",
    "政策篇", "汇编", "篇", "项目", "暂无", "暂 无", "无", "二月", "本期", "重点", "支持", "企业", "的通知",
]  # fmt: skip


def _check(text: str) -> bool:
    """Assert the guarded reading is the plain one; say whether the guard turned the line away."""
    v = vocab()
    guarded = v.heading_guard.search(text) is None
    assert read_heading(text, v) == _read_heading(text, v), text
    if guarded:
        assert _read_heading(text, v) is None, text
    return guarded


def test_guard_turns_away_only_lines_without_a_heading_in_real_notices() -> None:
    v = vocab()
    texts = [ln.text for view in sample_and_dev_views() for ln in split_lines(view) if len(ln.text) <= 40]
    turned_away = sum(_check(t) for t in texts)
    headings = sum(_read_heading(t, v) is not None for t in texts)
    assert turned_away > 300 and headings > 20, "the samples must hold both headings and other short lines"


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map("".join))
def test_guard_turns_away_only_lines_without_a_heading_in_random_lines(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), min_size=1, max_size=6))
def test_headings_of_all_lines_are_those_of_each_short_line(lines: list[str]) -> None:
    v = vocab()
    found = read_headings(split_lines("\n".join(lines)), v, 20)
    assert found == [read_heading(t, v) if len(t) <= 20 else None for t in lines]


def test_headings_are_read_on_lines_exactly_as_long_as_allowed() -> None:
    v = vocab()
    lines = split_lines("国家级可申报项目\n浙江省级政策篇汇编")
    found = read_headings(lines, v, len("国家级可申报项目"))
    assert found[0] is not None and found[0] == read_heading("国家级可申报项目", v)
    assert found[1] is None  # longer than allowed, though a heading
    assert read_heading("浙江省级政策篇汇编", v) is not None
