"""The feed's events are written by hand (``reminder.web.company.ical``): their escaping and folding are
the icalendar library's, checked against it on any text (the library wrote the feed before)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import vText
from icalendar.parser.string import _foldline

from reminder.web.company import ical_text

#: what notices hold: ASCII, CJK, full-width punctuation, emoji, and the characters TEXT escapes
TEXT = st.text(
    st.one_of(
        st.sampled_from('\\;,\n\r^:"N'),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF20),
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1F3FF),
    ),
    max_size=400,
)


@given(TEXT)
def test_text_is_escaped_as_icalendar_escapes_it(text: str) -> None:
    assert ical_text.escape(text) == vText(text).to_ical().decode()


@given(st.sampled_from(["DESCRIPTION:", "SUMMARY:", "X:"]), TEXT)
def test_lines_are_folded_as_icalendar_folds_them(name: str, text: str) -> None:
    line = name + ical_text.escape(text)
    folded = ical_text.fold(line.encode())
    assert folded == _foldline(line).encode()
    assert all(len(piece) <= 75 for piece in folded.split(b"\r\n"))  # 74 octets and the leading space


@pytest.mark.parametrize("shift", range(66, 80))
def test_an_escape_or_a_character_at_the_fold_stays_whole(shift: int) -> None:
    """Each escape and each multi-byte character in turn reaches the 74th octet (random text rarely does)."""
    for text in ("a" * shift + ",;\\\n^中" * 3, "中" * (shift // 3) + "a" * (shift % 3) + "\\,😀" * 9):
        line = "X:" + ical_text.escape(text)
        assert ical_text.fold(line.encode()) == _foldline(line).encode(), text


@given(TEXT, TEXT)
def test_a_description_folded_from_its_shared_start_is_folded_as_a_whole(start: str, rest: str) -> None:
    """Every feed folds the description's start once (``_fold_start``) and the company's own end after it:
    the event reads as the whole line folded at once."""
    head = ("DESCRIPTION:" + ical_text.escape(start)).encode()
    folded, left = ical_text.fold_start(head)
    whole = _foldline("DESCRIPTION:" + ical_text.escape(start) + ical_text.escape(rest)).encode()
    assert folded + ical_text.fold(left + ical_text.escape(rest).encode()) == whole


@given(TEXT, st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120))
def test_the_link_line_is_folded_once_per_length_of_what_precedes_it(start: str, link: str) -> None:
    """A feed folds its link line once per length of the line's rest before it (``_fold_end``), and
    every event reads as the whole line folded at once, an escape at the end of the rest included."""
    _, rest = ical_text.fold_start(("DESCRIPTION:" + ical_text.escape(start)).encode())
    end = ("\\n" + ical_text.escape("详情：" + link)).encode()
    kept: dict[int, bytes] = {}
    for _ in range(2):  # made, then read back
        assert ical_text.fold_end(rest, end, kept) == ical_text.fold(rest + end)
        for escaped in (b"\\\\", b"^^"):  # an escaped backslash or caret last, at every length
            for length in range(2, 75):
                ending = (rest * 74)[: length - 2] + escaped if rest else b"a" * (length - 2) + escaped
                assert ical_text.fold_end(ending, end, kept) == ical_text.fold(ending + end), length
