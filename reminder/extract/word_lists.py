"""Regexes that are lists of words, read as such: so that an Aho–Corasick pass can stand for them.

A pattern of literal characters, ``(?:…|…)`` groups, ``|`` and greedy ``?`` matches, at each
position, the first of its words (in the order the engine tries them) that occurs there; its
``finditer`` spans are those of a leftmost-first scan of the words (facts_text scans anchor regexes
so). One overlapping pass of an automaton holding these words and others (scope: region names) gives
them back with :func:`leftmost_first`.

An automaton of words reads a text's UTF-16 code units (:class:`WordScan`): one code unit per
character (but beyond the BMP), where the automaton of ``str`` pays a UTF-8 encoding and a
byte-to-character map of its text per call, and scans more bytes (three per CJK character).

    literal_words(pattern)   the words such a pattern matches, in the order tried (None: no such pattern)
    leftmost_first(firsts)   the spans of a leftmost-first scan, from each start's first-listed word
    WordScan(words)          an automaton of words over UTF-16 code units, hits in character offsets
    utf16(text)              the code units it reads
"""

from __future__ import annotations

import re
from bisect import bisect_left

import ahocorasick_rs

__all__ = ["literal_words", "leftmost_first", "WordScan", "utf16"]

Span = tuple[int, int]

_MAX_WORDS = 500
_SPECIAL = set("\\.^$*+?{}[]|()")


def literal_words(pattern: str) -> list[str] | None:
    """The strings a pattern of literal characters, ``(?:…|…)`` groups, ``|`` and greedy ``?`` matches, in
    the order the regex engine tries them (so the alternation of these words matches what the pattern
    matches at each position); None when the pattern holds anything else.

    >>> literal_words("人力资源(?:和)?社会保障部|国家(?:能源|税务)局")
    ['人力资源和社会保障部', '人力资源社会保障部', '国家能源局', '国家税务局']
    """
    words, end = _alternatives(pattern, 0)
    if words is None or end != len(pattern) or "" in words:
        return None
    return words


def _alternatives(p: str, i: int) -> tuple[list[str] | None, int]:
    """Words of the alternation starting at ``p[i]``, up to an unmatched ``)`` or the end."""
    out: list[str] = []
    while True:
        seq: list[str] = [""]
        while i < len(p) and p[i] not in "|)":
            if p.startswith("(?:", i):
                inner, i = _alternatives(p, i + 3)
                if inner is None or i >= len(p) or p[i] != ")":
                    return None, i
                i += 1
            elif p[i] in _SPECIAL:
                return None, i
            else:
                inner, i = [p[i]], i + 1
            if i < len(p) and p[i] == "?":
                if p.startswith("??", i):
                    return None, i  # lazy: tried without first
                inner, i = [*inner, ""], i + 1
            seq = [a + b for a in seq for b in inner]
            if len(seq) > _MAX_WORDS:
                return None, i
        out += seq
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return out, i


def leftmost_first(firsts: dict[int, tuple[int, int]], offset: int = 0) -> list[Span]:
    """The spans a leftmost-first scan finds, given per start the (rank, end) of the first-listed word
    starting there: the leftmost start, then on after its end (``offset`` added to each span)."""
    out: list[Span] = []
    pos = 0
    for start in sorted(firsts):
        if start >= pos:
            pos = firsts[start][1]
            out.append((start + offset, pos + offset))
    return out


#: (surrogatepass: a lone surrogate is one code unit, as it is one character)
_UTF16 = "utf-16-le"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

Hit = tuple[int, int, int]


def utf16(text: str) -> bytes:
    """The UTF-16 code units :class:`WordScan` reads (encode a text once for several scans)."""
    return text.encode(_UTF16, "surrogatepass")


class WordScan:
    """An Aho–Corasick automaton of ``words`` (``leftmost_first``: the first-listed word at the leftmost
    start, then on after its end; otherwise every occurrence, overlapping ones too) over a text's UTF-16
    code units, its hits ``(word index, start, end)`` in character offsets, as the automaton of ``str``
    gives them.

    A hit at an odd byte straddles two characters (their bytes spell a word): dropped. In a
    leftmost-first scan it could hide a word that overlaps it, so then the text is scanned as ``str``
    (see :meth:`hits`).
    """

    def __init__(
        self,
        words: list[str],
        *,
        leftmost_first: bool = False,
        implementation: ahocorasick_rs.Implementation | None = None,
    ) -> None:
        self.words = list(words)
        self.leftmost_first = leftmost_first
        self.automaton = ahocorasick_rs.BytesAhoCorasick(
            [utf16(w) for w in words], matchkind=self._kind(), implementation=implementation
        )
        self._plain: ahocorasick_rs.AhoCorasick | None = None  # (built on first need)

    def _kind(self) -> ahocorasick_rs.MatchKind:
        return (
            ahocorasick_rs.MatchKind.LeftmostFirst
            if self.leftmost_first
            else ahocorasick_rs.MatchKind.Standard
        )

    def hits(self, text: str, data: bytes | None = None, offset: int = 0) -> list[Hit]:
        """The hits in ``text`` (``data``: its :func:`utf16`, when encoded already), ``offset`` added.

        Leftmost-first, the byte scan gives the character scan's hits when each hit it reports starts
        at an even byte: from an even byte on, the leftmost start and the word chosen there are then
        those of the scan restricted to whole characters. Else the text is scanned as ``str``.
        """
        data = utf16(text) if data is None else data
        found = self.automaton.find_matches_as_indexes(data, overlapping=not self.leftmost_first)
        if len(data) != 2 * len(text):
            found = _astral(text, found)
        if not self.leftmost_first:
            return [(i, offset + (s >> 1), offset + (e >> 1)) for i, s, e in found if not s & 1]
        if any(s & 1 for _, s, _ in found):
            return [(i, offset + s, offset + e) for i, s, e in self._plain_hits(text)]
        return [(i, offset + (s >> 1), offset + (e >> 1)) for i, s, e in found]

    def _plain_hits(self, text: str) -> list[Hit]:
        if self._plain is None:
            self._plain = ahocorasick_rs.AhoCorasick(self.words, matchkind=self._kind())
        return self._plain.find_matches_as_indexes(text)


def _astral(text: str, hits: list[Hit]) -> list[Hit]:
    """UTF-16 byte offsets of ``hits`` as those of a text whose every character is one code unit: a
    character beyond the BMP is two, those before an offset are counted off it."""
    wide = [m.start() + k for k, m in enumerate(_ASTRAL.finditer(text))]  # (their first code units)
    return [
        (index, start - 2 * bisect_left(wide, start >> 1), end - 2 * bisect_left(wide, end >> 1))
        for index, start, end in hits
    ]
