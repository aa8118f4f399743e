"""Scope's shortcuts answer what the plain regex calls answer: a level office or a metadata line found
by its parts per first character (:func:`regex_shortcuts.split_finditer`) against ``finditer``, and the
addressee lines' colon found by two finds against ``[:：]``."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import scope
from reminder.extract.regex_shortcuts import split_class, split_finditer, split_first

# offices by level and after places, the lists that hide one match inside another (区县科技局),
# colons of both widths, lines and sentence ends
_PIECES = [
    "区", "县", "市", "省", "科技局", "经信局", "局", "委", "委员会", "办公室", "窗口", "管委会",
    "报", "由", "和", "、", "杭州", "高新", "各", "关于", ":", "：", "。", "\n", " ", "a", "1",
    "发布机构", "来源", "信息来源", "作者", "发文", "|", "来源单位:", "发布机构:来源:",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
# an opening class in either spelling, one character of it alone, and patterns with no such opening
_OFFICES = [
    "(?:区|县)[\\u4e00-\\u9fff]{0,6}?(?:局|委|委员会|办公室|窗口)",
    "[区县市][\\u4e00-\\u9fff]{0,3}局",
    "(?:区|县)局|委",
    "[区县]?局",
    "省[\\u4e00-\\u9fff]{0,6}?(?:厅|局|委)",
    "(?:来源|信息来源|来)\\s*[:|]?\\s*([^|\\n]{1,6})",
]


def _office_patterns() -> list[re.Pattern[str]]:
    v = scope._vocab()
    return [rx for _, rx, _ in v.level_office_rx] + [v.meta_rx] + [re.compile(p) for p in _OFFICES]


def test_split_class_reads_only_an_opening_class() -> None:
    district = dict((level, parts) for level, _, parts in scope._vocab().level_office_rx)["district"]
    assert district is not None and [p.pattern[0] for p in district] == ["区", "县"]
    assert split_class(re.compile(_OFFICES[1])) is not None
    for pattern in _OFFICES[2:]:  # one branch of several, an optional class, a literal opening
        assert split_class(re.compile(pattern)) is None
    assert scope._vocab().meta_parts is not None  # (?:发布机构|来源…): split by its first characters


def _check_offices(text: str) -> None:
    for rx in _office_patterns():
        fast = [(m.span(), m.groups()) for m in split_finditer(rx, split_first(rx), text)]
        assert fast == [(m.span(), m.groups()) for m in rx.finditer(text)], (rx.pattern, text)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_split_finditer_is_finditer(text: str) -> None:
    _check_offices(text)


@pytest.mark.parametrize(
    "text",
    ["区县科技局", "县区委员会区局", "市区和县科技局报区经信局", "区" * 12 + "局县局", "来源:信息来源:作者"],
)
def test_split_finditer_with_hidden_starts(text: str) -> None:
    _check_offices(text)


def test_split_finditer_on_the_samples() -> None:
    for view in sample_views():
        _check_offices(view)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_first_colon_is_the_class_search(line: str) -> None:
    m = re.search("[:：]", line)
    assert scope._first_colon(line) == (m.start() if m else -1)
