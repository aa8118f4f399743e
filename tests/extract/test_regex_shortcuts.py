"""The tests read from a pattern (reminder.extract.regex_shortcuts) never rule out a text the pattern
matches: a wrong one would silently keep page chrome or join a heading onto the line above it."""

from __future__ import annotations

import re
from re import _constants  # type: ignore[attr-defined]

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import _data, normalize
from reminder.extract._data import word_guard
from reminder.extract.page_data import page_vocab
from reminder.extract.regex_shortcuts import first_char_test, positions

_PATTERNS = [
    r"^(?:[-•·]\s*)?[\[【]?\s*(?:索\s*引|\d{1,4}[/.-]\d)",
    r"(?x: ^\s* (?: \d{1,2}\s*[.、] | 第[一二三]条 ) )|(?:附件\s*$)",
    r"a?b|(?:c|d*e)f",
    r"(?:字[号号体]|文字)\s*大\s*中|(?:^\s*(?:A\s*[大中小]){2}$|字体大小)",
    r"\s*(?=x)y|[^a]b",
    r"(?:ab|a)\b(?:c)",
]
_ALPHABET = [*"ab cdefxy-•·[【索引12/.、第一二三条附件字号体文大中小A", "\n", "\t", "字号", "2025/3", "一、"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=12).map("".join))
def test_first_character_test_never_rules_out_a_match(text: str) -> None:
    for pattern in _PATTERNS:
        rx = re.compile(pattern, re.M)
        first = first_char_test(rx)
        if first is not None and first.match(text) is None:
            assert rx.match(text) is None, (pattern, text)


def test_first_character_test_refuses_patterns_that_may_start_anywhere() -> None:
    for pattern in (r"a*", r"(?i:a)b", r".x", r"[^a]b", r"(?:a|)b?"):
        assert first_char_test(re.compile(pattern)) is None, pattern
    assert first_char_test(re.compile(r"^\s*(?:第\d条|附件)")) is not None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=14).map("".join))
def test_word_guard_never_rules_out_a_match(text: str) -> None:
    for pattern in _PATTERNS:
        rx = re.compile(pattern, re.M)
        guard = word_guard(rx)
        if guard is not None and guard.search(text) is None:
            assert rx.search(text) is None, (pattern, text)


def _sample_lines() -> list[str]:
    lines = [
        "当前位置：首页 > 通知公告",
        "字号：大 中 小",
        "字体大小：大 中 小",
        "A+ 大 A 中 A 小",
        "【打印本页】【关闭窗口】",
        "扫一扫在手机打开当前页 二维码",
        "浏览次数：120",
        "发布时间：2025-03-07",
        "1、关于组织申报的通知",
        "第三条 申报条件",
        "附件：",
    ]
    for path in sample_paths():
        lines += path.read_text(encoding="utf-8").split("\n")
    return lines


def test_chrome_guard_passes_every_line_chrome_matches() -> None:
    chrome = page_vocab().chrome
    guard = page_vocab().chrome_guard
    assert guard is not None and "字" not in guard.pattern.split("|"), "the guard lets 字 lines through"
    lines = _sample_lines()
    hits = [t for t in lines if chrome.search(t)]
    assert len(hits) >= 6
    assert all(guard.search(t) for t in hits)
    old_guard = _top_level_guard(chrome)  # alternatives read at the top level only, shortest words kept
    assert sum(bool(guard.search(t)) for t in lines) < sum(bool(old_guard.search(t)) for t in lines)


def _top_level_guard(rx: re.Pattern[str]) -> re.Pattern[str]:
    """The guard as word_guard made it before it read grouped alternations and preferred ASCII words."""
    items = _data.parsed_items(rx)
    assert items is not None
    top = len(items) == 1 and items[0][0] is _constants.BRANCH
    words: set[str] = set()
    for branch in [list(alt) for alt in items[0][1][1]] if top else [items]:
        found = _data._needed_all(branch)
        assert found
        words |= max(found, key=lambda w: (min(map(len, w)), -len(w)))
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def test_join_tests_rule_out_only_lines_their_patterns_cannot_start() -> None:
    pairs = [(normalize._NEXT_FIRST, normalize._NEXT_BREAK), (normalize._META_FIRST, normalize._META_START)]
    lines = [t.strip() for t in _sample_lines()] + [
        " 2025-03-07 16:32",
        "(一)申报对象",
        "【申报条件】",
        "•来源:",
    ]
    for first, rx in pairs:
        assert first.pattern != "", "no first-character test: the test would prove nothing"
        matched = [t for t in lines if rx.match(t)]
        assert matched
        assert all(first.match(t) for t in matched)


@given(st.text(alphabet="《》—–ab中\n", max_size=40), st.sampled_from(["《", "》", "—", "–", "中"]))
def test_positions_are_where_finditer_finds_the_character(text: str, ch: str) -> None:
    assert positions(text, ch) == [m.start() for m in re.finditer(re.escape(ch), text)]
