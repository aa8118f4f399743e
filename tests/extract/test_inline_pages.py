"""normalize._drop_inline_pages (issue 15) drops exactly what ``_INLINE_PAGE.sub`` drops: the pattern
tried only at dashes, and the engine's own scan for texts with many dashes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract.normalize import _FEW_DASHES, _INLINE_PAGE, _drop_inline_pages

_PIECES = ["—", "–", "-", "2", "12", "123", "1234", " ", "\n", "首筆", "合作", "页", "——", "—2—", "– 3 –"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_inline_page_markers_drop_as_the_pattern_drops_them(text: str) -> None:
    assert _drop_inline_pages(text) == _INLINE_PAGE.sub("", text)


def test_many_dashes_go_to_the_engine() -> None:
    text = "—" * (_FEW_DASHES + 1) + "首筆—2—合作"
    assert _drop_inline_pages(text) == _INLINE_PAGE.sub("", text) == "—" * (_FEW_DASHES + 1) + "首筆合作"
