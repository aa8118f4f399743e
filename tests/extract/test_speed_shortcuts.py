"""Second round of extraction shortcuts (≥ 3 M chars per CPU second): each answers what the plain
code answers. Split word patterns and word guards against the regex they stand for, the reflow and
item-break tests against the plain substitutions, the DFA automaton against the default one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ahocorasick_rs
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import normalize
from reminder.extract.facts_text import word_spans
from reminder.extract.normalize import clean, match_view
from reminder.extract.regex_shortcuts import split_leading
from reminder.extract.segment_data import holds_any, literal_found, vocab

GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold" / "dev.json"


def _raw_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sample_paths()]
    if GOLD.exists():  # the shared gold set (read at run time, never copied here)
        texts += [d["text"] for d in json.loads(GOLD.read_text())["documents"] if "text" in d]
    return texts


RAW = _raw_texts()
VIEWS = [match_view(clean(t)) for t in RAW]
LINES = [ln for view in VIEWS for ln in view.split("\n")]

_PATTERNS = [
    r"(?:开始|开放|启动)(?:申请|申报|受理|报名)",
    r"(?:即日|公告日|发布之日|今)起?至[^。\n]{0,30}(?:止|截止)",
    r"(?:组织|开展|启动)(?:(?!了)[^。\n]){0,50}(?:申报|推荐)(?:工作|受理)",
    r"(?:a|ab|b(?:c|d))x?",
    r"(?:a|b)(?<=b)c",
    r"(?:a|b)c|d",  # a top-level alternation: not split
    r"(?:a|b)+c",  # a quantified group: not split
    r"(?:(a)|b)\1",  # a back reference: not split
    r"(?:[ab]c|d)",  # a class first: not split
    r"(?:ac|a)$",
]
_PIECES = [
    "a",
    "b",
    "c",
    "d",
    "x",
    "\n",
    "开始",
    "申报",
    "启动",
    "即日",
    "至",
    "止",
    "了",
    "组织",
    "工作",
    "。",
]


def test_split_patterns_are_refused_where_they_would_not_be_the_same() -> None:
    for pattern in (
        r"(?:a|b)c|d",
        r"(?:a|b)+c",
        r"(?:(a)|b)\1",
        r"(?:[ab]c|d)",
        r"ab|cd",
        r"(?:a|b|c|d|e|f|g)x",
    ):
        assert split_leading(re.compile(pattern)) is None, pattern
    assert split_leading(re.compile(r"(?:开始|开放|启动)申报")) is not None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_split_patterns_match_where_the_pattern_does(text: str) -> None:
    for pattern in _PATTERNS:
        for flags in (0, re.M):
            rx = re.compile(pattern, flags)
            parts = split_leading(rx)
            if parts is not None:
                assert any(p.search(text) for p in parts) == (rx.search(text) is not None), (pattern, text)


def test_split_cues_and_word_guards_agree_with_their_regexes_in_real_notices() -> None:
    v = vocab()
    cues = [*v.call_cues, *v.news_rules]
    assert sum(split_leading(c.regex) is not None for c in cues) >= 5, "the cues take the shortcut"
    for text in [*VIEWS, *LINES[:3000]]:
        for cue in cues:
            parts = split_leading(cue.regex)
            if parts is not None:
                assert any(p.search(text) for p in parts) == (cue.regex.search(text) is not None), cue.name
            if cue.needs is not None:
                assert holds_any(text, cue.needs) == any(w in text for w in cue.needs), cue.needs
        assert literal_found(v.rolling, text) == (v.rolling.search(text) is not None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["截止", "截至", "截", "止", "至", "请", "欢迎", "欢", "x", "\n"]), max_size=10)
)
def test_word_guards_say_what_in_says(pieces: list[str]) -> None:
    text = "".join(pieces)
    for words in (("截止", "截至"), ("欢迎", "请", "鼓励"), ("请",), ("止", "至")):
        assert holds_any(text, words) == any(w in text for w in words)


_PLAIN_ITEM_BREAK = re.compile(
    r"[。;；:：,，!！?？]\s*(?=(?:[一二三四五六七八九十]{1,3}[、．.]|[(（][一二三四五六七八九十]{1,3}[)）]"
    r"|\d{1,2}[、．](?!\d)|\d{1,2}\.(?!\d)|附件\s*[:：\d]|[联聯][系係](?:人|方式|[电電][话話])))"
)


def _plain_reflow(line: str) -> str:
    """normalize._reflow as it was, without its shortcuts."""
    if len(line) < normalize._REFLOW_MIN:
        return line
    line = normalize._ADDRESSEE.sub(lambda m: m.group(0) + "\n", line, count=1)
    line = _PLAIN_ITEM_BREAK.sub(normalize._break_after_first, line)
    if not normalize._ends_with_day(line):
        return line
    line = normalize._SIGNATURE_BREAK.sub(normalize._break_after_first, line)
    return normalize._SIGNATURE_TAIL.sub(r"\1", line) if "\n" in line else line


_REFLOW_PIECES = [
    "各有关单位:", "各企业：", "关于", "。", ",", "，", ";", " ", "一、", "(二)", "（三）", "1.", "2、", "3.5", "附件:",
    "附件1", "联系人", "联系电话", "聯繫人", "申报工作", "科技局", "2025年3月1日", "。", "x" * 40, "(", ")",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_REFLOW_PIECES), max_size=30).map("".join))
def test_reflow_breaks_lines_as_the_plain_substitutions_do(line: str) -> None:
    assert normalize._reflow(line) == _plain_reflow(line)
    assert normalize._reflow(line * 4) == _plain_reflow(line * 4)


def test_reflow_and_item_breaks_as_plain_in_real_notices() -> None:
    for raw in RAW:
        for line in raw.replace("\r", "").split("\n"):
            assert normalize._reflow(line) == _plain_reflow(line)
        text = clean(raw)
        assert normalize._break_items(text) == normalize._SENTENCE_ITEM.sub("\\1\n", text) or "\t" in text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["。", ";", "；", " ", "\t", "1.", "2、", "(一)", "x", "\n", "12.5"]), max_size=20
    )
)
def test_item_breaks_as_one_substitution(pieces: list[str]) -> None:
    text = "".join(pieces).replace("\t", " ")
    assert normalize._break_items(text) == normalize._SENTENCE_ITEM.sub("\\1\n", text)


def test_the_dfa_finds_the_scope_words_as_the_default_automaton_does() -> None:
    """(Over UTF-16 code units, hits in character offsets: see test_speed_word_scan.)"""
    from reminder.extract import scope

    scan = scope._vocab().scan
    plain = ahocorasick_rs.AhoCorasick(scan.words)
    for view in VIEWS:
        found = scan.hits(view)
        assert found == plain.find_matches_as_indexes(view, overlapping=True)
        assert found  # (the views name places: a pass finding nothing would pass as well)


def _find_spans(word: str, view: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    i = view.find(word, start, end)
    while i >= 0:
        out.append((i, i + len(word)))
        i = view.find(word, i + 1, end)
    return out


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["联系人", "联", "系", "人", "百分之", "啊", "[at]", "(at)", "x", "\n"]), max_size=16
    ),
    st.integers(0, 8),
    st.integers(0, 40),
)
def test_word_spans_are_what_str_find_finds(pieces: list[str], start: int, length: int) -> None:
    view = "".join(pieces)
    for word in ("联系人", "百分之", "啊啊", "[at]", "(at)", "@", "人"):
        assert word_spans(word, view, start, start + length) == _find_spans(word, view, start, start + length)


@settings(max_examples=400, deadline=None)
@given(
    st.text("之分百啊a(t)", min_size=1, max_size=4),
    st.text("之分百啊a(t)\n", max_size=24),
    st.integers(0, 24),
    st.integers(0, 24),
)
@example("之a", "之a", 0, 1)  # (a key before the end, the word past it)
@example("a之a", "a之a", 0, 0)
def test_word_spans_of_any_word_are_what_str_find_finds(word: str, view: str, start: int, end: int) -> None:
    """Words that overlap themselves, repeat their key (之之), end in ASCII (百a), or are ASCII."""
    assert word_spans(word, view, start, end) == _find_spans(word, view, start, end)


def test_word_spans_in_real_notices() -> None:
    for view in VIEWS:
        for word in ("联系人", "联络人", "[at]", "(at)", "百分之", "附件", "申报书", "名录", "%"):
            assert word_spans(word, view, 0, len(view)) == _find_spans(word, view, 0, len(view))
