"""find_contacts scans for the digits before the cue (and searches for the cue only where there are
none): it answers what the plain order answers, the cue searched for first and the digits after. Its
marks (@, 联系人…) are found by str.find: the starts the engine's scan (word_spans) gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import contacts
from reminder.extract.contacts_data import contact_vocab
from reminder.extract.contacts_phones import EMAIL, has_phone
from reminder.extract.facts_text import line_bounds, word_spans
from reminder.extract.normalize import clean, match_view
from reminder.model import Contact

# cues, digits, marks, names and what separates them
_PIECES = [
    "联系人", "联系电话", "电话", "邮箱", "联系方式", "张三", "李四", "王老师", "：", ":", " ", "\n", ",", "、",
    "0571-87654321", "13812345678", "87654321", "2025", "12", "a@b.cn", "@", "☎", "高新科", "申报", "。",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)


def _plain(cleaned: str, view: str, start: int, end: int) -> list[Contact]:
    """find_contacts with the checks in their plain order: the cue, then a search for the digits."""
    v = contact_vocab()
    if not v.cue.search(view, start, end) and not contacts._DIGITS.search(view, start, end):
        return []
    digits = [m.start() for m in contacts._DIGITS.finditer(view, start, end)]
    out: list[Contact] = []
    for r0, r1 in contacts._regions(view, start, end, v, digits):
        cued = bool(v.cue.search(view, r0, r1)) or bool(v.heading.search(view, max(start, r0 - 30), r0))
        people = contacts._people(view, r0, r1, v)
        if not cued:
            people = [p for p in people if p.name and p.phones]
        out += [contacts._contact(p, cleaned, view, r0, r1) for p in people]
    return out


def _check(text: str, cut0: int = 0, cut1: int = 0) -> None:
    cleaned = clean(text)
    view = match_view(cleaned)
    start = min(cut0, len(view))
    end = max(start, len(view) - cut1)
    assert contacts.find_contacts(cleaned, view, start, end) == _plain(cleaned, view, start, end), text


@settings(max_examples=500, deadline=None)
@given(_TEXTS, st.integers(0, 5), st.integers(0, 5))
def test_digits_first_is_the_plain_order(text: str, cut0: int, cut1: int) -> None:
    _check(text, cut0, cut1)


@pytest.mark.parametrize(
    "text",
    [
        "联系人：张三",  # a cue, no digits
        "张三 0571-87654321",  # digits, no cue
        "邮箱 a@b.cn",  # a cue, an email
        "a@b.cn",  # neither
        "申报。",
    ],
)
def test_digits_first_examples(text: str) -> None:
    _check(text)


def test_digits_first_on_the_samples() -> None:
    for view in sample_views():
        _check(view)


def _plain_lines(view: str, start: int, end: int, digits: list[int]) -> list[tuple[int, int]]:
    """contacts._lines_with_numbers with the marks found by the engine's scan (word_spans)."""
    lines: list[tuple[int, int]] = []
    line_end = -1
    anchors = list(digits)
    for mark in contacts._MARKS:
        anchors += [s for s, _ in word_spans(mark, view, start, end)]
    for pos in sorted(anchors):
        if pos <= line_end:
            continue
        l0, line_end = line_bounds(view, pos, start, end)
        line = view[l0:line_end]
        mail = "@" in line or "at]" in line or "at)" in line
        if has_phone(line) or (mail and EMAIL.search(line)) or contacts._NAME_CUE.search(line):
            lines.append((l0, line_end))
    return lines


_LINE_TEXTS = st.lists(
    st.sampled_from([*_PIECES, *contacts._MARKS, "[", "(", "at", "]", ")", "联"]), max_size=25
)


@settings(max_examples=400, deadline=None)
@given(_LINE_TEXTS.map("".join), st.integers(0, 4))
def test_mark_lines_are_the_plain_ones(text: str, cut: int) -> None:
    """The lines found from the marks' starts by str.find are those found from the engine's scan."""
    start = min(cut, len(text))
    digits = [m.start() for m in contacts._DIGITS.finditer(text, start)]
    fast = contacts._lines_with_numbers(text, start, len(text), digits)
    assert fast == _plain_lines(text, start, len(text), digits), text
