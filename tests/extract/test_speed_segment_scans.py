"""The segmenter's shortcuts read what the plain readings read: attachment lists found from the lines
holding a header word (segment._attachment_lines), TOC keys with the page-number test made inline
(segment_lines.toc_keys), item markers looked up in the memo before the call, the document date read through the scan's cache
of line dates (segment_meta.published_line's ``dated``), and word patterns
searched from where their leading character first stands (regex_shortcuts.found_from, behind Cue.found,
holds_any and literal_found)."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_and_dev_views

from reminder.extract.regex_shortcuts import found_from, leading_char
from reminder.extract.segment import _attachment_lines
from reminder.extract.segment_data import (
    SegmentVocab,
    holds_any,
    literal_found,
    vocab,
)
from reminder.extract.segment_lines import (
    Line,
    TitleHit,
    _read_marker,
    marker_style,
    read_heading,
    read_titles,
    split_lines,
    toc_key,
    toc_keys,
)
from reminder.extract.segment_meta import line_date, published_line

# attachment headers (with and without their list on the same line), numbered and tagged items, TOC
# page numbers, blank lines and spaces
_PIECES = [
    "附件", "附件:", "附件1", "附 件", "附件:1.", "件", "附", "1.", "2、", "(三)", "二、", "【重大专项】",
    "关于组织申报的通知", "申报指南", "......12", "12", " ", "\t", "。", "各有关单位:",
]  # fmt: skip

_LINES = st.lists(st.lists(st.sampled_from(_PIECES), max_size=5).map("".join), min_size=1, max_size=12)


def _attachment_lines_plain(lines: list[Line], hits: list[TitleHit | None], v: SegmentVocab) -> list[int]:
    """_attachment_lines as one loop over every line (what it was before the header scan)."""
    out: list[int] = []
    inside = False
    for i, ln in enumerate(lines):
        t = ln.text.strip()
        if not t:
            continue
        if v.attachment_header.match(t):
            inside = True
        elif inside and marker_style(t, v) is not None and not (hits[i] and hits[i].tag):  # type: ignore[union-attr]
            out.append(i)
        else:
            inside = False
    return out


def _check(view: str) -> None:
    v = vocab()
    lines = split_lines(view)
    hits = read_titles(lines, v)
    plain = _attachment_lines_plain(lines, hits, v)
    assert _attachment_lines(lines, hits, v) == _attachment_lines(lines, hits, v, view) == plain
    assert toc_keys(lines, v) == [toc_key(ln.text, v) for ln in lines]
    dated = functools.lru_cache(maxsize=None)(line_date)
    for ln in lines:
        for t in (ln.text, ln.text.strip()):
            assert (v.marker_memo.get(t) or _read_marker(t, v)) == _read_marker(t, v)
        dated(ln.text)  # (the scan reads the lines' dates first)
    for ln in lines:
        assert published_line(ln.text, v, dated=dated) == published_line(ln.text, v)


def test_scans_read_what_the_loops_read_in_real_notices() -> None:
    views = sample_and_dev_views()
    assert views
    for view in views:
        _check(view)


@settings(max_examples=1500, deadline=None)
@given(_LINES)
def test_scans_read_what_the_loops_read_in_random_lines(lines: list[str]) -> None:
    _check("\n".join(lines))


def test_attachment_list_runs_over_blank_lines_and_further_headers() -> None:
    v = vocab()
    view = "附件:\n1.关于组织申报的通知\n\n附件2\n2、申报指南\n正文。\n3.不在列表里"
    lines = split_lines(view)
    hits = read_titles(lines, v)
    assert _attachment_lines(lines, hits, v) == _attachment_lines_plain(lines, hits, v) == [1, 4]


def test_memo_first_callers_answer_as_with_an_empty_memo() -> None:
    v = vocab()
    texts = ["1.关于组织申报的通知", "二、国家级可申报项目", "(三)申报条件", "正文"]
    warm = [(marker_style(t, v), read_heading(t, v)) for t in texts]
    v.marker_memo.clear()
    assert [(marker_style(t, v), read_heading(t, v)) for t in texts] == warm


# words and characters the call cues, rolling cues and addressee words start with or hold, sentence
# marks, line breaks and dates
_TEXT_PIECES = [
    "申报", "申请", "截止", "截至", "请", "于", "前", "3月1日", "月", "日", "时", "点", ":30", "底", "鼓励",
    "积极", "欢迎", "均可", "即可", "可于", "现将", "转发", "《", "》", "组织", "开展", "启动", "工作",
    "受理", "另行通知", "开始", "开放", "即日起至", "止", "常态化受理", "常年申报", "随时申报", "各省",
    "自治区", "直辖市", "报名", "填报", "期间", "时间", "为", "。", ",", "\n", " ", "企业", "项目",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_PIECES), max_size=30).map("".join))
def test_word_patterns_are_found_where_the_engine_finds_them(text: str) -> None:
    v = vocab()
    for cue in v.call_cues + v.news_rules:
        assert cue.found(text) == (cue.regex.search(text) is not None), cue.name
        for part, lead in cue._leads:
            assert found_from(part, lead, text) == (part.search(text) is not None), part.pattern
    assert literal_found(v.rolling, text) == (v.rolling.search(text) is not None)
    for words in (v.national_needs or (), ("常态化受理", "常年申报", "月"), ("申报", "申请", "报名")):
        if words:
            assert holds_any(text, tuple(words)) == any(w in text for w in words)


def test_leading_character_is_known_only_for_a_literal_start() -> None:
    import re

    assert leading_char(re.compile("申(?:报|请)")) == "申"
    assert leading_char(re.compile("[申受](?:报|理)")) is None
    assert leading_char(re.compile("^申报")) is None
    assert leading_char(re.compile("(?<=x)申")) is None
    assert leading_char(re.compile("email", re.IGNORECASE)) is None  # Email starts with E
    assert found_from(re.compile("email", re.IGNORECASE), leading_char(re.compile("email", re.I)), "Email")


def test_document_date_through_the_cache_reads_the_stripped_line() -> None:
    v = vocab()
    dated = functools.lru_cache(maxsize=None)(line_date)
    for text in (" 2025年2月14日", "2025年2月14日 ", "\t2025-03-07", "发布时间:2025-03-06"):
        dated(text)
        assert published_line(text, v, dated=dated) == published_line(text, v) is not None
