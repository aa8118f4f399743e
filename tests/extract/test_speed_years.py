"""years._TEXT_YEAR checks for a digit before the year after its 19 or 20 (so the engine skips to a
literal): it finds what the plain pattern with the lookbehind in front finds."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract.years import _TEXT_YEAR

_PLAIN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_TEXT = st.lists(st.sampled_from([*"0129", "19", "20", "年", " ", "\n", "〔", "号"]), max_size=30).map(
    "".join
)


def test_sample_years_are_the_plain_ones() -> None:
    for view in sample_views():
        assert _TEXT_YEAR.findall(view) == _PLAIN.findall(view)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
@example("2019年 12020年 20192020 年 192019年 2020年")
def test_generated_years_are_the_plain_ones(text: str) -> None:
    assert [m.span() for m in _TEXT_YEAR.finditer(text)] == [m.span() for m in _PLAIN.finditer(text)]
