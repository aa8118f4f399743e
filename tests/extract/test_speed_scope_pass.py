"""Scope's automaton reads a text's UTF-16 bytes (``scope._found``): a code unit per character, so its
byte offsets halved are character offsets, with no UTF-8 encoding nor byte-to-character map per text.

What it finds must be what the plain scans find (region names position by position, the own-area and
national-office regexes, every 管委会) also where that shortcut could slip: characters beyond the BMP
(two code units each), lone surrogates, and characters whose bytes spell a word across two of them
(a match at an odd byte).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_scope_condition_scans import _plain_mentions

from reminder.extract import scope
from reminder.extract._data import alternation, load_table
from reminder.extract.facts_text import anchor_hits


def _straddle(word: str, before: int = 0x41, after: int = 0x4E) -> str:
    """Characters whose UTF-16 bytes hold ``word``'s from their second byte on: the word, read one
    byte off the characters' own bounds."""
    data = bytes([before]) + word.encode("utf-16-le") + bytes([after])
    return data.decode("utf-16-le", "surrogatepass")


_V = scope._vocab()
_RAW = load_table("region_scope", scope._KEYS)
_NATIONAL = re.compile("|".join(_RAW["national_issuers"]))
_OWN = re.compile(alternation(list(_V.own_area)))
_WORDS = [
    *list(_V.names)[:: max(1, len(_V.names) // 150)],
    *_V.own_area,
    *_V.scan.words[-40:],  # (the listed words: own-area, national offices, 管委会)
    "黄岩",  # a two-character county, read before a department
    "经信局",
    "科技局",
    "的",
]
_ODD = ["😀", "𠀀", "\ud800", "\udc00", "a", "\n", "《"]
_PIECES = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_ODD),
    st.sampled_from(_WORDS).map(_straddle),
    st.builds(_straddle, st.sampled_from(_WORDS), st.integers(0, 255), st.integers(0, 255)),
)
_TEXTS = st.lists(_PIECES, max_size=14).map("".join)


def _check(text: str) -> None:
    found = scope._found(text, _V)
    got = [(m.start, m.end, tuple(r.code for r in m.regions)) for m in scope._mentions(text, _V, found)]
    assert got == _plain_mentions(text, _V), text
    own, national = scope._scanned(found)
    assert own == [m.span() for m in _OWN.finditer(text)], text
    assert national == [m.span() for m in _NATIONAL.finditer(text)], text
    assert found.zone_offices == anchor_hits(scope._ZONE_OFFICES, text, 0, len(text)), text


@settings(max_examples=600, deadline=None)
@given(_TEXTS)
def test_the_pass_over_utf16_finds_what_the_plain_scans_find(text: str) -> None:
    _check(text)


def test_a_word_spelt_across_two_characters_is_not_read() -> None:
    """杭州市's bytes one byte off: the automaton matches them at an odd byte; no name is read."""
    text = "杭州市" + _straddle("杭州市") + "管委会" + _straddle("管委会")
    assert "杭州市" not in text[3:] and "管委会" not in text[9:]
    data = text.encode("utf-16-le", "surrogatepass")
    assert any(start & 1 for _, start, _ in _V.scan.automaton.find_matches_as_indexes(data, overlapping=True))
    _check(text)
    assert [(m.start, m.end) for m in scope._mentions(text, _V)] == [(0, 3)]


def test_characters_beyond_the_bmp_and_lone_surrogates_shift_nothing() -> None:
    text = "😀𠀀杭州市\ud800全市😀管委会\udc00北京市"
    _check(text)
    assert [text[m.start : m.end] for m in scope._mentions(text, _V)] == ["杭州市", "北京市"]
    assert scope._found(text, _V).zone_offices == [(text.index("管委会"), text.index("管委会") + 3)]
