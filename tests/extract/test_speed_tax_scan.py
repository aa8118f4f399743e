"""Tax phrases are found from their first characters (regex_shortcuts.first_literals + literal_finditer)
instead of the engine testing a class of them at every position: the matches must be the plain ones."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract.benefits_data import benefit_vocab
from reminder.extract.benefits_extra import taxes
from reminder.extract.facts_text import literal_finditer
from reminder.extract.normalize import clean, match_view
from reminder.extract.regex_shortcuts import first_literals

_PIECES = [
    *"减按税收优惠加计扣除免征减免的企业所得率%,。15",
    "减按15%",
    "税收优惠",
    "加计扣除",
    "免征增值税",
    "可享受",
    "已",
    " ",
    "\n",
]


def _spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.group("rate")) for m in matches]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join), st.integers(0, 5), st.integers(0, 5))
def test_tax_phrases_found_from_first_characters_are_the_plain_matches(text: str, lo: int, cut: int) -> None:
    v = benefit_vocab()
    start, end = min(lo, len(text)), max(min(lo, len(text)), len(text) - cut)
    plain = list(v.tax.finditer(text, start, end))
    assert _spans(literal_finditer(v.tax, v.tax_firsts, text, start, end)) == _spans(plain)


def test_first_literals_reads_listed_first_characters_only() -> None:
    assert first_literals(benefit_vocab().tax) == "免减加税"
    assert first_literals(re.compile(r"(?:甲|乙)x|[丙-]y")) == "-丙乙甲"
    assert first_literals(re.compile(r"a?b")) == "ab"
    # a range, a category, any character, a possibly empty match, case-insensitive: the plain regex runs
    for pattern in (r"[a-z]x", r"\dx", r"\sx", r".x", r"a?", r"(?i)ab", r"(?:a|)", r"[^a]b"):
        assert first_literals(re.compile(pattern)) == "", pattern


def test_tax_benefits_are_found_as_before() -> None:
    c = clean("经认定的高新技术企业，可享受减按15%的税率征收企业所得税优惠。研发费用按规定享受加计扣除政策。")
    found = taxes(c, match_view(c), 0, len(c), benefit_vocab())
    assert [(b.rate, b.rule) for b in found] == [(15.0, "benefit_tax"), (None, "benefit_tax")]
