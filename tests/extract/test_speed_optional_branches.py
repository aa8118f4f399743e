"""regex_shortcuts.optional_branches writes ``(…)?`` as ``(?:…|)`` (a branch, not a repeat, for the
engine): the rewritten pattern matches where the written one does, with the same groups, for generated
patterns and for those it is used on (the comparison tail of the numeric conditions, the date grammar)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import conditions_numbers
from reminder.extract._dates_grammar import _Builder, grammar, load_vocab
from reminder.extract.conditions_data import vocab
from reminder.extract.regex_shortcuts import optional_branches

_ATOMS = st.sampled_from(["a", "b", r"\(", "[ab]", "[(?]", r"\d", "a*", r"\s?", "(?=a)", ""])
_PATTERNS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map("".join),
        inner.map(lambda x: f"(?:{x})?"),
        inner.map(lambda x: f"({x})?"),
        inner.map(lambda x: f"({x})"),
        inner.map(lambda x: f"(?:{x})??"),
        st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]}|{t[1]})?"),
    ),
    max_leaves=8,
)
_TEXTS = st.lists(st.sampled_from(["a", "b", "(", "?", "1", " "]), max_size=8).map("".join)


def _matches(rx: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]] | None]:
    """The match at every position (span and groups), and the search from each."""
    out = []
    for at in range(len(text) + 1):
        for m in (rx.match(text, at), rx.search(text, at)):
            out.append(None if m is None else (m.span(), m.groups()))
    return out


def _same(plain: re.Pattern[str], fast: re.Pattern[str], text: str) -> None:
    assert _matches(fast, text) == _matches(plain, text), (plain.pattern, text)


def test_rewrites() -> None:
    assert optional_branches(r"(?:ab)?c") == r"(?:ab|)c"
    assert optional_branches(r"(?P<n>a)?") == r"(?:(?P<n>a)|)"
    assert optional_branches(r"(a(b)?)?") == r"(?:(a(?:(b)|))|)"
    # lazy and possessive ones, escaped brackets and brackets in a class stay as written
    for kept in (r"(?:a)??", r"(?:a)?+", r"\(a\)?", r"[(a)]?", r"[]()]?", r"(?:a)*"):
        assert optional_branches(kept) == kept
    assert optional_branches("(?:a)? # (b)?") == "(?:a)? # (b)?"  # a verbose comment: left alone


@settings(max_examples=400, deadline=None)
@given(pattern=_PATTERNS, texts=st.lists(_TEXTS, min_size=1, max_size=4))
def test_generated_patterns_match_alike(pattern: str, texts: list[str]) -> None:
    plain, fast = re.compile(pattern), re.compile(optional_branches(pattern))
    for text in texts:
        _same(plain, fast, text)


_TAIL_PIECES = [
    "不低于",
    "不超过",
    "超过",
    "为",
    "人民币",
    "港元",
    " ",
    "300",
    "2 000",
    "1,000.5",
    "两千",
    "一点五",
    "万元",
    "亿元",
    "%",
    "人",
    "年",
    "(含)",
    "(不含",
    "(即100人)",
    "(含 5 万元)",
    "以上",
    "及以下",
    "的",
    ",",
]


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(_TAIL_PIECES), max_size=10).map("".join))
def test_compare_tail_matches_as_written(text: str) -> None:
    v = vocab()
    plain = re.compile(conditions_numbers._compare_tail_text(v))
    assert conditions_numbers.compare_tail(v) != plain.pattern  # (else the check proves nothing)
    _same(plain, re.compile(conditions_numbers.compare_tail(v)), text)


_DATE_PIECES = [
    *"0123456789",
    *"〇一二十年月日号底末初中旬份至到起止前-./:() ",
    "民国",
    "今年",
    "明年",
    "星期一",
    "下午",
    "时",
    "点半",
    "分",
    "、",
]


def _grammar_pairs() -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    b, g = _Builder(load_vocab()), grammar()
    written = (b.pattern(), b.list_day(), b.hours(), b.compact())
    return [
        (re.compile(p, re.VERBOSE), fast)
        for p, fast in zip(written, (g.date, g.list_day, g.hours, g.compact), strict=True)
    ]


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(_DATE_PIECES), max_size=16).map("".join))
def test_date_grammar_matches_as_written(text: str) -> None:
    for plain, fast in _grammar_pairs():
        _same(plain, fast, text)


def test_date_grammar_on_the_samples() -> None:
    pairs = _grammar_pairs()
    assert pairs[0][0].pattern != pairs[0][1].pattern  # (else the check proves nothing)
    for view in sample_views():
        for plain, fast in pairs:
            found = [(m.span(), m.groups()) for m in plain.finditer(view)]
            assert [(m.span(), m.groups()) for m in fast.finditer(view)] == found
