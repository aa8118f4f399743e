"""is_call asks one alternation of every call cue (any_cue) where it asked each cue in turn: a text
holds a match of the alternation exactly when it holds a match of one of the cues."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract.regex_shortcuts import after_newline
from reminder.extract.segment_data import Cue, any_cue, vocab
from reminder.extract.segment_meta import is_call

# words of the cues, dates, marks and what separates them
_PIECES = [
    "申报", "申请", "报名", "报送", "推荐", "截止", "截至", "请", "于", "在", "前", "之前", "月", "日", "时",
    "10", "3", "5", ":30", "(周五)", "鼓励", "积极", "可于", "现将", "转发", "《", "》", "组织", "开展",
    "认定", "工作", "受理", "另行通知", "开放", "开始", "启动", "一、", "(二)", "2.", "【", "时间", "期间",
    "期限", ":", "为", ",", "企业", "须", "即日", "起", "至", "止", "-", "年", "正式", "了", "。", "\n", " ",
    "\u3000", "项目", "材料", "了解",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def _plain(text: str, policy_title: bool) -> bool:
    """is_call as it was: each cue's regex searched in turn."""
    return any(c.regex.search(text) is not None for c in vocab().call_cues if not (policy_title and c.weak))


@settings(max_examples=1500, deadline=None)
@given(_TEXTS, st.booleans())
def test_one_alternation_is_any_cue(text: str, policy_title: bool) -> None:
    assert is_call(text, vocab(), policy_title) == _plain(text, policy_title), text


def test_the_cues_are_joined() -> None:
    # (else the test above compares the plain form with itself)
    assert vocab().calls.regex is not None
    assert vocab().strong_calls.regex is not None


@pytest.mark.parametrize("view", sample_views())
def test_sample_views(view: str) -> None:
    for policy_title in (False, True):
        assert is_call(view, vocab(), policy_title) == _plain(view, policy_title)


def _cue(pattern: str) -> Cue:
    regex = re.compile(pattern, re.M)
    return Cue(pattern, regex, after_newline=after_newline(regex))


# patterns of the forms any_cue reads: a leading group, a top-level |, a line start, a quantified
# first character, a class first, a lookbehind, a back-reference (not joined)
_PATTERNS = [
    "(?:甲乙|甲丙|丁)[^。]{0,3}戊",
    "甲乙|丙[^\n]{0,2}丁",
    "^\\s*(?:甲|乙)丙",
    "甲?乙丙",
    "[甲乙]{2}丁",
    "(?<=乙)丙",
    "(甲)乙\\1",
    "丁\\s*戊$",
]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_PATTERNS), min_size=1, max_size=4, unique=True),
    st.text(alphabet="甲乙丙丁戊。 \n", max_size=20),
)
def test_any_cue_is_any_search(patterns: list[str], text: str) -> None:
    cues = tuple(_cue(p) for p in patterns)
    assert any_cue(cues).found(text) == any(c.regex.search(text) is not None for c in cues), (patterns, text)
