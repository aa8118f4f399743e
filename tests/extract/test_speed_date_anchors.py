"""dates._anchors scans for each anchor branch as one pattern (its literal, the rest looked ahead at)
instead of testing every occurrence of the literal: the positions are the plain pattern's, also for a
literal that overlaps itself (then each occurrence is still tested). The sample notices are checked in
tests/extract/test_speed_dates.py."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reminder.extract._dates_grammar import Grammar, grammar
from reminder.extract.dates import _anchors, _overlaps_itself


def _plain(text: str, branches: list[tuple[str, str]]) -> list[int]:
    anchor = re.compile("|".join(re.escape(lead) + rest for lead, rest in branches))
    return [at for at in range(len(text)) if anchor.match(text, at)]


#: a literal that overlaps itself (阿阿 in 阿阿阿), one that does not, and one without a rest
_BRANCHES = [("阿阿", "[阿0-9]"), ("年", "(?=[0-9])"), ("月", ""), ("19", "[0-9]{2}[-./]")]


def _grammar_of(branches: list[tuple[str, str]]) -> Grammar:
    parts = tuple(
        (lead, re.compile(f"{re.escape(lead)}(?={rest})") if rest else None) for lead, rest in branches
    )
    return dataclasses.replace(grammar(), anchor_parts=parts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["阿", "年", "月", "1", "9", "0", "-", " "]), max_size=30).map("".join))
@example("阿阿阿1 阿阿阿阿2 19999- 年1年 月")
def test_anchors_are_the_plain_ones_for_any_literal(text: str) -> None:
    assert _anchors(text, _grammar_of(_BRANCHES)) == _plain(text, _BRANCHES)


def test_overlaps_itself() -> None:
    assert [_overlaps_itself(w) for w in ("年", "20", "19", "阿阿", "abab", "aba", "ab")] == [
        False,
        False,
        False,
        True,
        True,
        True,
        False,
    ]
