"""The money pattern's numbers are written as one class of their first characters then a branch picked by
a lookbehind (benefits_data._NUM, so the engine skips to a number's first character): it matches what
the plain two-branch number (facts_text.NUM) matches, with the same groups, on the sample notices and on generated text."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract.benefits_data import _NUM, benefit_vocab
from reminder.extract.facts_text import NUM

_PIECES = [*"0123456789,.", *"零〇○一二两三四五六七八九十百千点", "万", "亿", "元", "万元", "千万元"]
_PIECES += ["-", "至", "~", " ", "人民币", "美元", "补助", "最高", "年", "٣", "。"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def _plain_money() -> re.Pattern[str]:
    money = benefit_vocab().money
    assert _NUM in money.pattern
    return re.compile(money.pattern.replace(_NUM, NUM), money.flags)


def _found(rx: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in rx.finditer(text)]


def test_sample_amounts_are_the_plain_ones() -> None:
    plain = _plain_money()
    for view in sample_views():
        assert _found(benefit_vocab().money, view) == _found(plain, view)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
@example("补助50万元,1,000.5元、二十万至三十万元、一点五亿元,٣万元、百万元 5 - 10 万元")
def test_generated_amounts_are_the_plain_ones(text: str) -> None:
    assert _found(benefit_vocab().money, text) == _found(_plain_money(), text)
