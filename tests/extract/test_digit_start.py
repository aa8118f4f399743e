"""regex_shortcuts.digit_start (issue 15): a class the engine scans for faster than ``\\d``, matching
exactly what ``\\d`` matches, also beyond the BMP and in the contact finder's digit-run pattern."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract.contacts import _DIGITS
from reminder.extract.regex_shortcuts import digit_start

_PLAIN_DIGITS = re.compile(r"\d\d\d\d\d|\d\d\d[\s-]\d\d\d")
# ASCII, Arabic-Indic, NKo, full-width and mathematical digits, circled numbers (no digits), CJK, spaces
_ALPHABET = "0123456789١٢٣߀߁０１２𝟎𝟏𝟐𑁦𑁧①②一二三年 -\t\n"


def test_every_code_point_is_a_digit_exactly_when_backslash_d_says_so() -> None:
    start = re.compile(digit_start())
    digit = re.compile(r"\d")
    for code in range(0x110000):
        ch = chr(code)
        assert (start.match(ch) is None) == (digit.match(ch) is None), hex(code)


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_the_contact_digit_pattern_finds_what_the_plain_one_finds(text: str) -> None:
    assert [m.span() for m in _DIGITS.finditer(text)] == [m.span() for m in _PLAIN_DIGITS.finditer(text)]
