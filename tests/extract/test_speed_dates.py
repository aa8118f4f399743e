"""dates._anchors (each branch of the anchor pattern tried only where str.find finds its literal) lists
the positions the plain anchor pattern matches at, on the sample notices and on generated date-like
text; find_dates's search from that list is checked as a whole by tests/extract/test_dates.py."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract._dates_grammar import grammar
from reminder.extract.dates import _anchors

_PIECES = [
    *"0123456789",
    *"〇一二十年月日底末初度每",
    "19",
    "20",
    "-",
    ".",
    "/",
    " ",
    "\t",
    "今年",
    "明年",
    "民国",
    "。",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def _plain_anchors(text: str) -> list[int]:
    """Every position where the anchor pattern matches (the plain search finds them in turn)."""
    anchor = grammar().anchor
    return [at for at in range(len(text)) if anchor.match(text, at)]


def test_sample_anchors_are_the_plain_ones() -> None:
    for view in sample_views():
        assert _anchors(view, grammar()) == _plain_anchors(view)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
@example("2025年3月1日, 2025年度, 每年, 1999.5, 2019-20-2020/")
@example("年 底 月 年 年末 20255")
def test_generated_anchors_are_the_plain_ones(text: str) -> None:
    assert _anchors(text, grammar()) == _plain_anchors(text)
