"""The segmenter's shortcuts (issue 15) decide exactly what the plain readings decide: a shortcut that
dropped a title line or a call cue would silently lose notices or deadlines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import segment_meta
from reminder.extract.normalize import clean, match_view
from reminder.extract.regex_shortcuts import after_newline
from reminder.extract.segment_data import Cue, vocab
from reminder.extract.segment_lines import _heading, _may_head, _no_title, _read_title, split_lines

GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold" / "dev.json"

# pieces of lines: numbering, tags, 关于 with a source prefix, title endings split across pieces,
# sentence marks, dates, table cells, TOC leaders, asides
_PIECES = [
    "1.", "14、", "二、", "(三)", "★", "【重大专项】", "【申报条件】", "成都龙泉驿:", "关于", "组织申报",
    "2025年度", "科技项目", "的通", "知", "的通知", "公告", "指南", "工作启动", "实施办法", "(试行)",
    "各有关单位:", "。", ",", ";", ":", " ", "\t", "......12", "12", "名单公布", "申报书", "发布时间:",
    "2025-03-07", "东科函〔2017〕181号", "请于3月1日前报送", "(此件公开发布)",
]  # fmt: skip


def _lines(view: str) -> list[str]:
    return view.split("\n")


def _sample_views() -> list[str]:
    views = [match_view(clean(p.read_text(encoding="utf-8"))) for p in sample_paths()]
    if GOLD.exists():  # the shared gold set: more layouts (read at run time, never copied here)
        views += [
            match_view(clean(d["text"])) for d in json.loads(GOLD.read_text())["documents"] if "text" in d
        ]
    return views


VIEWS = _sample_views()


def _check_no_title(view: str) -> tuple[int, int]:
    """Assert the shortcut only skips lines the full reading finds no title on; count skips and titles."""
    lines, v, skipped, titles = split_lines(view), vocab(), 0, 0
    for i in range(len(lines)):
        found = _read_title(lines, i, v)
        titles += found is not None
        if _no_title(lines, i, v):
            skipped += 1
            assert found is None, lines[i].text
    return skipped, titles


def test_title_shortcut_skips_only_lines_without_a_title_in_real_notices() -> None:
    counts = [_check_no_title(view) for view in VIEWS]
    skipped, titles = sum(c[0] for c in counts), sum(c[1] for c in counts)
    assert skipped > 1000 and titles > 10, "the samples must hold both skipped lines and titles"


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join), min_size=1, max_size=4))
def test_title_shortcut_skips_only_lines_without_a_title_in_random_lines(lines: list[str]) -> None:
    _check_no_title("\n".join(lines))


def _cues() -> list[Cue]:
    v = vocab()
    return [*v.call_cues, *v.news_rules]


def test_line_start_cues_are_searched_after_line_breaks() -> None:
    assert [c.name for c in _cues() if c.after_newline is not None], "no cue takes the shortcut"


def test_cues_find_what_their_regexes_find_in_real_notices() -> None:
    texts = [t for view in VIEWS for t in (view, *_lines(view))]
    for cue in _cues():
        hits = 0
        for text in texts:
            found = cue.regex.search(text) is not None
            hits += found
            assert cue.found(text) == found, (cue.name, text[:80])


_CUE_PIECES = [
    "\n", " ", "(新华社讯)", "(", ")", "讯", "本报记者", "目录", "目 录", "三、", "(二)", "1.", "【",
    "申报时间", "申报", "截止", "前", "请于", "3月1日", "第3期", "另行通知", "。", "x",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_CUE_PIECES), max_size=16).map("".join))
def test_cues_find_what_their_regexes_find_in_random_text(text: str) -> None:
    for cue in _cues():
        assert cue.found(text) == (cue.regex.search(text) is not None), (cue.name, text)


@pytest.mark.parametrize(
    "pattern",
    [r"^a(?<=a)b", r"^a|b", r"^(?:x|(?<!y)z)", r"^\Aab", r"^(?:a(?<=\na))"],
)
def test_no_line_break_shortcut_for_patterns_that_look_behind_or_are_not_anchored(pattern: str) -> None:
    assert after_newline(re.compile(pattern, re.M)) is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["\n", " ", "a", "b", "ab", "-"]), max_size=12).map("".join))
def test_line_break_shortcut_matches_where_the_anchor_does(text: str) -> None:
    for pattern in (r"^\s*ab", r"^a\b", r"^b$", r"^(?:a|b)\s*$", r"^-?(?:^a)?b"):
        rx = re.compile(pattern, re.M)
        after = after_newline(rx)
        assert after is not None, pattern
        assert (rx.match(text) is not None or after.search(text) is not None) == (rx.search(text) is not None)


_HEADING_PIECES = [
    "国家", "省", "市", "区", "县", "区(县)", "级", "浙江", "浙江省", "杭州市", "上城区", "高新区", "新疆维吾尔",
    "自治区", "可申报项目", "申报通知", "通知篇", "政策", "政策篇", "项目", "汇编", "篇", "层面", "二月", "本期",
    "暂无", "暂无最新", "无", "重点", "支持", "企业", "(", ")", "1",
]  # fmt: skip


def _check_heading_shortcut(t: str) -> bool:
    """Assert a line the shortcut rules out is no heading; say whether it was ruled out."""
    v = vocab()
    if _may_head(t, v):
        return False
    assert _heading(t, v) is None, t
    return True


def test_heading_shortcut_rules_out_only_non_headings_in_real_notices() -> None:
    words = ["".join(ln.split()) for view in VIEWS for ln in _lines(view) if 0 < len(ln.strip()) <= 30]
    ruled_out = sum(_check_heading_shortcut(t) for t in words)
    headings = sum(_heading(t, vocab()) is not None for t in words)
    assert ruled_out > 100 and headings > 3, "the samples must hold both headings and other short lines"


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_HEADING_PIECES), min_size=1, max_size=5).map("".join))
def test_heading_shortcut_rules_out_only_non_headings_in_random_words(t: str) -> None:
    _check_heading_shortcut(t)


def test_spaces_removed_by_split_are_those_the_regex_removes() -> None:
    # read_heading drops spaces with str.split: it must split at exactly what \s matches
    spaces = re.compile(r"\s")
    assert [c for c in map(chr, range(0x110000)) if spaces.match(c)] == [
        c for c in map(chr, range(0x110000)) if c.isspace()
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["第", "一", "二", "十", "3", "部分", "篇", "章", " ", "国家级", "政策"]), max_size=8
    )
)
def test_ordinal_test_only_skips_lines_without_an_ordinal(pieces: list[str]) -> None:
    v = vocab()
    t = "".join(pieces)
    assert v.heading_ordinal_start is not None
    if not v.heading_ordinal_start.search(t):
        assert v.heading_ordinal.sub("", t) == t


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"0123456789 年月日〇○零一二三", "2025", "二〇二五", "民国", "114"]), max_size=10
    )
)
def test_year_test_starts_where_a_year_may_start(pieces: list[str]) -> None:
    text = "".join(pieces)
    start = segment_meta._YEAR_START.search(text)
    found = start is not None and segment_meta._HAS_YEAR.search(text, start.start()) is not None
    assert found == (segment_meta._HAS_YEAR.search(text) is not None), text
