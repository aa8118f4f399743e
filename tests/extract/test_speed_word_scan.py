"""word_lists.WordScan: an automaton of words over a text's UTF-16 code units gives the hits the
automaton of ``str`` gives (overlapping and leftmost-first), in character offsets.

Where the shortcut could slip: characters beyond the BMP (two code units each), and characters whose
bytes spell a word one byte off their bounds (a hit at an odd byte). Overlapping, such a hit is
dropped; leftmost-first it may hide a word that overlaps it, and the scan falls back to ``str``.
The alphabet below is made of characters whose bytes spell each other one byte off: N (4E 00),
一 (00 4E), 丁 (01 4E), Ā (00 01), 丂 (02 4E), ɎĀ…
"""

from __future__ import annotations

import re

import ahocorasick_rs
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reminder.extract import word_lists
from reminder.extract.facts_text import anchor_hits, span_hits
from reminder.extract.word_lists import WordScan, utf16

_ALPHABET = "N一丁Ā丂ĂɎĄ😀"
_WORDS = st.lists(st.text(_ALPHABET, min_size=1, max_size=3), min_size=1, max_size=6, unique=True)
_TEXTS = st.text(_ALPHABET, max_size=16)


def _plain(words: list[str], text: str, leftmost_first: bool) -> list[tuple[int, int, int]]:
    kind = ahocorasick_rs.MatchKind.LeftmostFirst if leftmost_first else ahocorasick_rs.MatchKind.Standard
    return ahocorasick_rs.AhoCorasick(words, matchkind=kind).find_matches_as_indexes(
        text, overlapping=not leftmost_first
    )


@settings(max_examples=800, deadline=None)
@given(_WORDS, _TEXTS, st.booleans(), st.integers(0, 5))
@example(["a", "一"], "愛一", True, 0)  # (a: 61 00 at byte 1 of 愛一, 1B 61 00 4E, hides 一)
@example(["N"], "一一", False, 0)
def test_hits_are_those_of_the_str_automaton(
    words: list[str], text: str, leftmost: bool, offset: int
) -> None:
    got = WordScan(words, leftmost_first=leftmost).hits(text, offset=offset)
    assert got == [(i, s + offset, e + offset) for i, s, e in _plain(words, text, leftmost)]


def test_a_hit_at_an_odd_byte_hiding_a_word_is_not_taken() -> None:
    """a's bytes (61 00) stand at byte 1 of 愛一 (1B 61 00 4E): the byte scan reports them, not 一."""
    scan = WordScan(["a", "一"], leftmost_first=True)
    assert scan.automaton.find_matches_as_indexes(utf16("愛一")) == [(0, 1, 3)]
    assert scan.hits("愛一") == [(1, 1, 2)]


def test_the_fallback_is_taken_only_for_a_hit_at_an_odd_byte() -> None:
    calls: list[str] = []
    scan = WordScan(["一", "丁"], leftmost_first=True)
    real = scan._plain_hits

    def counted(text: str) -> list[tuple[int, int, int]]:
        calls.append(text)
        return real(text)

    scan._plain_hits = counted  # type: ignore[method-assign]
    assert scan.hits("😀一x丁一") == [(0, 1, 2), (1, 3, 4), (0, 4, 5)]
    assert calls == []


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.integers(0, 16), st.integers(0, 16))
def test_span_hits_read_the_span(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    scan = WordScan(["N", "一丁", "😀一"], leftmost_first=True)
    for _ in range(2):  # (the second time from the kept span)
        got = span_hits(scan, text, start, end)
        plain = _plain(scan.words, text[start:end], True)
        assert got == [(i, s + start, e + start) for i, s, e in plain]


def test_anchor_regexes_are_scanned_as_words() -> None:
    rx = re.compile("一丁|N|😀")
    text = "😀一丁N一一"
    assert anchor_hits(rx, text, 0, len(text)) == [m.span() for m in rx.finditer(text)]
    assert word_lists.literal_words(rx.pattern) == ["一丁", "N", "😀"]
