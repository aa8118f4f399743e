"""Regexes that are lists of words, read as such: so that an Aho–Corasick pass can stand for them.

A pattern of literal characters, ``(?:…|…)`` groups, ``|`` and greedy ``?`` matches, at each
position, the first of its words (in the order the engine tries them) that occurs there; its
``finditer`` spans are those of a leftmost-first scan of the words (facts_text scans anchor regexes
so). One overlapping pass of an automaton holding these words and others (scope: region names) gives
them back with :func:`leftmost_first`.

    literal_words(pattern)   the words such a pattern matches, in the order tried (None: no such pattern)
    leftmost_first(firsts)   the spans of a leftmost-first scan, from each start's first-listed word
"""

from __future__ import annotations

__all__ = ["literal_words", "leftmost_first"]

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
