"""Patterns tried only at the characters their matches start with (facts_text.first_chars): each
shortcut answers what the plain regex call answers. first_finditer / first_search against finditer /
search, phone lines and phones against PHONE, near() against its plain windows, run_rule against the
plain search loop."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract import conditions
from reminder.extract.apply_data import apply_vocab
from reminder.extract.conditions_data import vocab
from reminder.extract.conditions_rules import Candidate, Rule, Sentence, run_rule
from reminder.extract.contacts_phones import PHONE, has_phone, phones_in
from reminder.extract.facts_text import first_chars, first_finditer, first_search, near, windows

_PATTERNS = [
    PHONE,
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年"),
    re.compile(r"(?:(?:不|未)超过\s*)?\d+(?:万元|人)"),
    re.compile(r"(?:a|[bc])d+|(?<=x)e"),
    re.compile(r"(?:ab)?(?:c|d)"),
]
_PIECES = [
    "0571-87654321",
    "(0571)8765 4321",
    "138 1234 5678",
    "+86 13812345678",
    "400-123-4567",
    "2025 年",
    "1999年",
    "不超过 500 人",
    "未超过20万元",
    "电话：",
    "联系人",
    "转8001",
    "abcd",
    "xe",
    "@",
    ".",
    "-",
    " ",
    "\n",
    "1",
    "2",
    "0",
    "9",
    "年",
    "的",
]
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)


def _spans(found: list[re.Match[str]]) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in found]


@pytest.mark.parametrize("rx", _PATTERNS, ids=lambda rx: rx.pattern[:20])
@settings(max_examples=150, deadline=None)
@given(text=_TEXTS, cut=st.tuples(st.integers(0, 8), st.integers(0, 8)))
def test_first_finditer_and_search_are_the_plain_calls(
    rx: re.Pattern[str], text: str, cut: tuple[int, int]
) -> None:
    start, end = min(cut[0], len(text)), max(len(text) - cut[1], 0)
    assert _spans(first_finditer(rx, text, start, end)) == _spans(list(rx.finditer(text, start, end)))
    got, want = first_search(rx, text), rx.search(text)
    assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))


def test_first_chars_only_where_the_engine_cannot_skip() -> None:
    assert first_chars(PHONE) is not None  # opens with a lookbehind
    assert first_chars(re.compile(r"电话\d+")) is None  # a literal prefix: the engine skips to it
    assert first_chars(re.compile(r"(?:电话|手机)\d+")) is None  # literal alternatives: likewise
    assert first_chars(re.compile(r"(?:\d)?")) is None  # may match the empty string


@settings(max_examples=200, deadline=None)
@given(text=_TEXTS)
def test_phone_lines_and_phones(text: str) -> None:
    assert has_phone(text) == (PHONE.search(text) is not None)
    plain = [
        m.span()
        for m in PHONE.finditer(text)
        if not text[m.end() : m.end() + 1].isdigit() or m.group("mobile")
    ]
    assert [p.span for p in phones_in(text, 0, len(text))] == plain


_APPLY_PIECES = [
    "登录",
    "通过",
    "使用",
    "“",
    "”",
    "浙江政务服务网",
    "申报系统",
    "平台",
    "网站",
    "进行申报",
    "。",
    ",",
    "企业",
]


@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(_APPLY_PIECES), max_size=20).map("".join))
def test_near_is_the_plain_windows(text: str) -> None:
    v = apply_vocab()
    plain = [
        m.span()
        for w0, w1 in windows(v.system_anchor, text, 0, len(text), 45, 2)
        for m in v.system.finditer(text, w0, w1)
    ]
    assert [m.span() for m in near(v.system, v.system_anchor, text, 0, len(text), 45, 2)] == plain


def _plain_run(rule: Rule, sentence: Sentence) -> list[Candidate]:
    """run_rule as written before the shortcut: ``rx.search`` from each position."""
    v = vocab()
    rx, text, pos, out = rule.pattern(v), sentence.text, 0, []
    while (m := rx.search(text, pos)) is not None:
        found = rule.prod(m, sentence, v, rule.name)
        out.extend(found)
        pos = max([m.end(), *(c.span[1] for c in found)]) if found else m.start() + 1
    return out


_RULE_PIECES = [
    "申报企业须",
    "注册地在本市",
    "营业收入不低于",
    "研发投入占比",
    "不超过",
    "以上",
    "2000万元",
    "5%",
    "300人",
    "成立满3年",
    "须为国家高新技术企业",
    "或",
    "、",
    ",",
    "未被列入失信名单",
    "具有独立法人资格",
    "在中国境内",
    "所属行业为制造业",
    "2025 年",
    "已纳入培育库",
]


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.sampled_from(_RULE_PIECES), min_size=1, max_size=10).map("".join),
    eligibility=st.booleans(),
)
def test_run_rule_is_the_plain_search_loop(text: str, eligibility: bool) -> None:
    sentence = Sentence(text, 0, eligibility)
    for rule in conditions.RULES:
        assert run_rule(rule, sentence, vocab()) == _plain_run(rule, sentence), rule.name
