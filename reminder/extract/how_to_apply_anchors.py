"""The anchor words of the how-to-apply finders, found in one pass: system suffixes (系统 / 平台…),
address cues (地址 / 邮寄…) and the verbs that end a recommendation (推荐 / 审核…).

Each finder tries its regex only around its anchors (see :func:`~reminder.extract.facts_text.windows`).
:func:`~reminder.extract.facts_text.anchor_hits` scans a notice once per list, and an automaton pass
costs nearly as much for a few words as for many (in CJK text its prefilter finds little to skip):
so the lists are scanned together, by one leftmost-first automaton of all their words. When no word
of one list can overlap a word of another, each list's hits among that pass's are the spans its own
scan finds: a hit of another list never hides one of its words, and where one of its words starts
no other list's word does.

    anchor_lists(anchors, view, start, end) -> [anchor_hits(a, view, start, end) for a in anchors]
"""

from __future__ import annotations

import re

from reminder.extract.facts_text import anchor_hits, span_hits
from reminder.extract.word_lists import WordScan, literal_words

__all__ = ["Hits", "anchor_lists", "can_overlap"]

Hits = list[tuple[int, int]]
_Scan = tuple[WordScan, list[int]]


def anchor_lists(anchors: tuple[re.Pattern[str], ...], view: str, start: int, end: int) -> list[Hits]:
    """``[anchor_hits(a, view, start, end) for a in anchors]``, found in one pass when every anchor is a
    list of words none of which can overlap a word of another list (each one's own scan otherwise)."""
    scan = _scan(anchors)
    if scan is None:
        return [anchor_hits(a, view, start, end) for a in anchors]
    words, which = scan
    out: list[Hits] = [[] for _ in anchors]
    # (the same text as anchor_hits reads: encoded for the automaton once per notice)
    for index, s, e in span_hits(words, view, start, end):
        out[which[index]].append((s, e))
    return out


def can_overlap(a: str, b: str) -> bool:
    """Whether an occurrence of ``a`` and one of ``b`` can share a character in some text: one holds the
    other, or a proper suffix of one is a prefix of the other."""
    if a in b or b in a:
        return True
    return any(a.endswith(b[:k]) or b.endswith(a[:k]) for k in range(1, min(len(a), len(b))))


def _scan(anchors: tuple[re.Pattern[str], ...]) -> _Scan | None:
    """The leftmost-first automaton of all the anchors' words (in each list's order) and, per word, its
    anchor; None when an anchor is no list of words or words of two lists can overlap. Worked out
    once per anchors."""
    key = tuple(map(id, anchors))  # (by id: a pattern hashes its whole code)
    known = _SCANS.get(key)
    if known is None or any(a is not b for a, b in zip(known[0], anchors, strict=True)):
        lists = [literal_words(rx.pattern) if rx.flags == re.UNICODE else None for rx in anchors]
        scan = None
        if all(lists) and not _crossing([ws or [] for ws in lists]):
            words = [w for ws in lists for w in ws or ()]
            which = [i for i, ws in enumerate(lists) for _ in ws or ()]
            scan = (WordScan(words, leftmost_first=True), which)
        known = _SCANS[key] = (anchors, scan)
    return known[1]


def _crossing(lists: list[list[str]]) -> bool:
    """Whether a word of one list can overlap a word of another."""
    return any(
        can_overlap(a, b)
        for i, words in enumerate(lists)
        for other in lists[i + 1 :]
        for a in words
        for b in other
    )


#: ids of the anchors → (the anchors, their joint scan or None)
_SCANS: dict[tuple[int, ...], tuple[tuple[re.Pattern[str], ...], _Scan | None]] = {}
