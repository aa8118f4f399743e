"""benefits._at_end: a ``…$`` pattern of words searched only in the trailing run of the characters its
words are written with (str.rstrip finds the run) finds what ``search`` over the whole text finds, for
the fillers and the give words, on the leads of the sample notices' amounts and on generated text."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract.benefits import _MONEY_ANCHOR, _at_end
from reminder.extract.benefits_data import benefit_vocab


def _cases() -> list[tuple[re.Pattern[str], str]]:
    v = benefit_vocab()
    return [(v.fillers_end, v.filler_chars), (v.give_end, v.give_chars)]


def _check(text: str) -> None:
    for rx, chars in _cases():
        plain, fast = rx.search(text), _at_end(rx, chars, text)
        assert (fast and (fast.span(), fast.groupdict())) == (plain and (plain.span(), plain.groupdict()))


def test_sample_leads_end_alike() -> None:
    """Every stretch of a sample notice that ends right before a money unit, as the rules read leads."""
    for view in sample_views():
        for unit in _MONEY_ANCHOR:
            for i in (i for i, ch in enumerate(view) if ch == unit):
                for back in (3, 8, 20):
                    _check(view[max(0, i - back) : i])


_WORDS = ["最高", "不超过", "的", "为", "可", "给予", "补助", "奖励", "支持", "每家企业", "资金", "额度"]
_PIECES = [*_WORDS, "高", "超", "励", "予", "家", "企", "年", "万元", "100", ",", "\n", " ", "。"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
@example("给予最高\n")
@example("给予补助的\n\n")
@example("最高不超过")
@example("")
def test_generated_ends_alike(text: str) -> None:
    _check(text)
