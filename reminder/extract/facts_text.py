"""Shared pieces of the issue-13 fact finders (benefits, how to apply, contacts, attachments).

Finders read the match view (simplified, half-width) and cut quotes from the cleaned text: both have
the same length, so a span found in one is the same span in the other.

    sentence_bounds / line_bounds   where the sentence or line around an offset starts and ends
    quote                           the verbatim cleaned text of a span, stripped (span adjusted)
    cn_number                       一式四份 → 4, 二七○○ → 2700, 1,000 → 1000
    compile_rx                      a regex from a data table, with the file and key in the error
    windows                         the stretches around cheap anchors where a heavier regex may match
    anchor_hits / windows_at        the same in two steps, for stretches of several widths around one anchor
    word_spans                      every occurrence of a word (found from its last character)
    literal_finditer                a regex's matches, found from the characters they start with
    first_finditer / first_search   the same for a class of first characters read from the pattern
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from typing import Any

from reminder.errors import DataFileError
from reminder.extract.regex_shortcuts import positions
from reminder.extract.word_lists import Hit, WordScan, literal_words, utf16

__all__ = [
    "sentence_bounds",
    "line_bounds",
    "quote",
    "cn_number",
    "compile_rx",
    "windows",
    "anchor_hits",
    "span_hits",
    "windows_at",
    "near",
    "literal_finditer",
    "first_chars",
    "first_finditer",
    "first_search",
    "word_spans",
    "NUM",
]

#: a number as notices write it: 500, 1,000, 1.5, 一百, 两千, 二七○○
NUM = r"\d[\d,]*(?:\.\d+)?|[零〇○一二两三四五六七八九十百千]+(?:点[零〇○一二三四五六七八九]+)?"

_SENTENCE_END = re.compile(r"[。;!?\n]")
_DIGITS = {ch: str(i) for i, ch in enumerate("零一二三四五六七八九")} | {"〇": "0", "○": "0", "两": "2"}


def sentence_bounds(view: str, pos: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The sentence around ``pos``: from after the previous 。;!? or line break to the next one (included)."""
    hi = len(view) if hi is None else hi
    back = max(
        lo, view.rfind("\n", lo, pos) + 1
    )  # a line break is never far; the others only within the line
    start = max(  # four rfind calls written out: a generator over them costs more than the searches
        back,
        view.rfind("。", back, pos) + 1,
        view.rfind(";", back, pos) + 1,
        view.rfind("!", back, pos) + 1,
        view.rfind("?", back, pos) + 1,
    )
    m = _SENTENCE_END.search(view, pos, hi)
    end = m.end() if m else hi
    if end > start and view[end - 1] == "\n":
        end -= 1
    return start, end


def line_bounds(view: str, pos: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The line around ``pos`` (without its line break)."""
    hi = len(view) if hi is None else hi
    start = max(view.rfind("\n", lo, pos) + 1, lo)
    end = view.find("\n", pos, hi)
    return start, hi if end < 0 else end


def quote(cleaned: str, start: int, end: int) -> str:
    """The cleaned text of ``start:end`` with surrounding white space removed."""
    return cleaned[start:end].strip()


@functools.lru_cache(maxsize=4096)
def cn_number(token: str) -> float | None:
    """The value of a written number, or None.

    >>> cn_number("四"), cn_number("1,000"), cn_number("二七○○"), cn_number("一百二十"), cn_number("一点五")
    (4.0, 1000.0, 2700.0, 120.0, 1.5)
    """
    token = token.replace(",", "").replace(" ", "").strip()
    if not token:
        return None
    try:
        return float(token)
    except ValueError:
        pass
    if len(token) > 1 and all(ch in _DIGITS for ch in token):  # 二七○○ / 一一七: digit by digit
        return float("".join(_DIGITS[ch] for ch in token))
    try:
        import cn2an  # slow to import (0.1 s at start-up): only Chinese numerals need it

        return float(cn2an.cn2an(token.replace("○", "零").replace("〇", "零"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def compile_rx(file: str, key: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` with a :class:`DataFileError` naming the table and key on a bad pattern."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise DataFileError(
            f"数据表 {file} 的键 {key}：无效的正则 / {file}: {key}: invalid regex {pattern!r}: {exc}",
            file=file,
            key=key,
        ) from exc


def anchor_hits(
    anchor: re.Pattern[str] | tuple[str, ...], view: str, start: int, end: int
) -> list[tuple[int, int]]:
    """The spans of a cheap anchor's hits in ``view[start:end]``, in order (for :func:`windows_at`).

    Literal anchors (a tuple of words) are found with ``str.find``, the fastest scan there is; every
    occurrence of every word counts, overlapping ones too. A regex that is a list of words (地址|地点|邮寄…)
    is scanned by an Aho–Corasick automaton of them: faster than the engine, which tries every position.
    """
    if not isinstance(anchor, tuple):
        words = _word_scan(anchor)
        if words is not None:
            return [(s, e) for _, s, e in span_hits(words, view, start, end)]
        return [m.span() for m in anchor.finditer(view, start, end)]
    hits: list[tuple[int, int]] = []
    for word in anchor:
        hits += word_spans(word, view, start, end)
    if len(anchor) > 1:
        hits.sort()
    return hits


def word_spans(word: str, view: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of every occurrence of ``word`` (not empty) in ``view[start:end]``, overlapping ones too.

    ``str.find`` finds one character fastest, and an ASCII word in CJK text (its filter skips most
    CJK characters). A word holding a CJK character is found from its last one (:func:`_key`), each
    place checked with ``startswith``: searching the whole word (the filter lets most CJK characters
    through) or the engine's literal scan reads every character. An occurrence holds its key at one
    place, so it is found once.
    """
    k = _key(word)
    if k is None:
        n = len(word)
        return [(i, i + n) for i in positions(view, word, start, end)]
    key, tail = word[k], len(word) - k
    stop = max(end - tail + 1, 0)  # (the word fits before ``end``; a negative stop counts from the end)
    out: list[tuple[int, int]] = []
    i = view.find(key, start + k, stop)
    while i >= 0:
        if view.startswith(word, i - k):
            out.append((i - k, i + tail))
        i = view.find(key, i + 1, stop)
    return out


@functools.lru_cache(maxsize=256)
def _key(word: str) -> int | None:
    """Where the last non-ASCII character of a word of two or more characters stands (the character
    :func:`word_spans` finds it from); None for one character or an ASCII word."""
    if len(word) < 2:
        return None
    return max((k for k, ch in enumerate(word) if not ch.isascii()), default=None)


def _word_scan(rx: re.Pattern[str]) -> WordScan | None:
    """A leftmost-first automaton of the words ``rx`` is a list of (its ``finditer`` spans: the first
    listed word at the leftmost start, then on after it), or None for any other pattern."""
    known = _WORD_SCANS.get(id(rx))
    if known is None or known[0] is not rx:  # (keyed by id: a pattern hashes its whole code)
        words = literal_words(rx.pattern) if rx.flags == re.UNICODE else None
        scan = WordScan(words, leftmost_first=True) if words else None
        known = _WORD_SCANS[id(rx)] = (rx, scan)
    return known[1]


def span_hits(scan: WordScan, view: str, start: int, end: int) -> list[Hit]:
    """``scan``'s hits in ``view[start:end]``, offsets in ``view``: the span's text and its UTF-16 code
    units are kept for the next scan of the same notice (encoded once per notice, not once per anchor)."""
    last = _LAST_SPAN[0]
    if last is None or last[0] is not view or last[1] != start or last[2] != end:
        text = view[start:end]
        last = _LAST_SPAN[0] = (view, start, end, text, utf16(text))
    return scan.hits(last[3], last[4], start)


#: the last notice's (view, start, end, text, its code units) (the view kept: identity is only safe
#: for a live object)
_LAST_SPAN: list[tuple[str, int, int, str, bytes] | None] = [None]
#: id of an anchor regex → (the regex, its automaton or None)
_WORD_SCANS: dict[int, tuple[re.Pattern[str], WordScan | None]] = {}


def windows_at(
    hits: list[tuple[int, int]], start: int, end: int, before: int, after: int
) -> list[tuple[int, int]]:
    """Merged stretches ``[hit - before, hit + after)`` around ``hits`` (in order), within ``start:end``."""
    out: list[tuple[int, int]] = []
    if not hits:
        return out
    # the open stretch is kept in two locals: a tuple rebuilt per merged hit costs more than the scan
    lo, hi = max(start, hits[0][0] - before), min(end, hits[0][1] + after)
    for h0, h1 in hits:
        w0, w1 = h0 - before, h1 + after
        if w0 < start:
            w0 = start
        if w1 > end:
            w1 = end
        if w0 <= hi:
            if w1 > hi:
                hi = w1
        else:
            out.append((lo, hi))
            lo, hi = w0, w1
    out.append((lo, hi))
    return out


def windows(
    anchor: re.Pattern[str] | tuple[str, ...], view: str, start: int, end: int, before: int, after: int
) -> list[tuple[int, int]]:
    """Merged stretches ``[hit - before, hit + after)`` around each hit of a cheap anchor.

    A regex that starts with optional parts, a repeat or a lookbehind is tried at every position; run
    over these stretches only, it costs in proportion to the anchors (units, suffixes, verbs) instead.
    """
    return windows_at(anchor_hits(anchor, view, start, end), start, end, before, after)


def near(
    rx: re.Pattern[str],
    anchor: re.Pattern[str] | tuple[str, ...],
    view: str,
    start: int,
    end: int,
    before: int,
    after: int,
) -> list[re.Match[str]]:
    """The matches of ``rx`` within the :func:`windows` of ``anchor`` (cheap words every match holds)."""
    return [
        m
        for w0, w1 in windows(anchor, view, start, end, before, after)
        for m in first_finditer(rx, view, w0, w1)
    ]


def literal_finditer(
    rx: re.Pattern[str], firsts: str, view: str, start: int, end: int
) -> list[re.Match[str]]:
    """``list(rx.finditer(view, start, end))`` for a pattern whose every match is non-empty and starts
    with one of the characters ``firsts``.

    The engine tries a pattern that starts with several characters at every position (about ten times
    slower than a literal scan); ``str.find`` jumps from one of those characters to the next instead.
    """
    if not firsts:  # no words: the pattern is empty and matches everywhere
        return list(rx.finditer(view, start, end))
    spots: list[int] = []
    for ch in firsts:
        i = view.find(ch, start, end)
        while i >= 0:
            spots.append(i)
            i = view.find(ch, i + 1, end)
    spots.sort()
    return _matches_at(rx, spots, view, start, end)


def _matches_at(
    rx: re.Pattern[str], spots: Iterable[int], view: str, start: int, end: int
) -> list[re.Match[str]]:
    """``list(rx.finditer(view, start, end))`` for a pattern whose every match is non-empty and starts
    at one of ``spots`` (in order): each match ends where finditer goes on."""
    out: list[re.Match[str]] = []
    last = start
    for i in spots:
        if i >= last and (m := rx.match(view, i, end)) is not None:
            out.append(m)
            last = m.end()
    return out


def first_chars(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """:func:`_first_class` of a pattern, worked out once per pattern."""
    known = _FIRSTS.get(id(rx))
    if known is None or known[0] is not rx:  # (keyed by id: a pattern hashes its whole code)
        known = _FIRSTS[id(rx)] = (rx, _first_class(rx))
    return known[1]


#: id of a pattern → (the pattern, its _first_class)
_FIRSTS: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def first_finditer(rx: re.Pattern[str], view: str, start: int, end: int) -> list[re.Match[str]]:
    """``list(rx.finditer(view, start, end))``, the pattern tried only at the characters its matches
    start with (:func:`first_chars`, scanned in C) when the engine has no prefix to skip to: it tries
    a pattern that opens with a lookbehind or with a group of classes at every position."""
    first = first_chars(rx)
    if first is None:
        return list(rx.finditer(view, start, end))
    return _matches_at(rx, (c.start() for c in first.finditer(view, start, end)), view, start, end)


def first_search(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``rx.search(text)``, tried only at the characters its matches start with (see :func:`first_finditer`)."""
    first = first_chars(rx)
    if first is None:
        return rx.search(text)
    for c in first.finditer(text):
        if (m := rx.match(text, c.start())) is not None:
            return m
    return None


def _first_class(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """A character class holding every character a match of ``rx`` may start with, when finding those
    positions (then matching there) beats ``rx.search``: when the engine has no prefix of its own to
    skip to (a pattern that opens with an alternation of groups is tried at every position). None
    otherwise, and for a pattern that may match the empty string or whose start the analysis cannot
    tell (the analysis reads the re module's parse tree; any surprise there also gives None).
    """
    if rx.flags & re.IGNORECASE:
        return None
    try:
        parser, k = importlib.import_module("re._parser"), importlib.import_module("re._constants")
        data = parser.parse(rx.pattern, rx.flags).data
        head = data
        while head and head[0][0] is k.SUBPATTERN:
            head = head[0][1][3].data
        if not head or head[0][0] in (k.LITERAL, k.IN, k.AT):
            return None  # the engine skips in C to a literal or class prefix; an anchor fails at once
        if head[0][0] is k.BRANCH and all(alt.data and alt.data[0][0] is k.LITERAL for alt in head[0][1][1]):
            return None  # (the engine's prefix: the alternatives' first characters)
        items, empty = _first_items(data, k)
    except Exception:  # noqa: BLE001 - an analysis that fails only costs speed
        return None
    if items is None or empty or not items:
        return None
    return re.compile("[" + "".join(dict.fromkeys(items)) + "]")


def _first_items(seq: Any, k: Any) -> tuple[list[str] | None, bool]:
    """Class items (as regex text) for the first character of the parsed sequence ``seq``, and whether
    the sequence may match the empty string; (None, False) for anything not analysed."""
    out: list[str] = []
    for op, av in seq:
        items: list[str] | None
        if op is k.LITERAL:
            return [*out, re.escape(chr(av))], False
        if op is k.IN:
            cls = _class_items(av, k)
            return (None, False) if cls is None else ([*out, *cls], False)
        if op is k.SUBPATTERN:
            items, empty = _first_items(av[3].data, k)
        elif op is k.BRANCH:
            items, empty = [], False
            for alt in av[1]:
                alt_items, alt_empty = _first_items(alt.data, k)
                if alt_items is None:
                    return None, False
                items, empty = items + alt_items, empty or alt_empty
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            items, empty = _first_items(av[2].data, k)
            empty = empty or av[0] == 0
        elif op in (k.AT, k.ASSERT, k.ASSERT_NOT):
            items, empty = [], True  # zero width: the character comes from what follows
        else:
            return None, False
        if items is None:
            return None, False
        out += items
        if not empty:
            return out, False
    return out, True


def _class_items(av: Any, k: Any) -> list[str] | None:
    """A parsed character class as regex class items; None for a negated class and the like."""
    categories = {
        k.CATEGORY_DIGIT: r"\d",
        k.CATEGORY_NOT_DIGIT: r"\D",
        k.CATEGORY_SPACE: r"\s",
        k.CATEGORY_NOT_SPACE: r"\S",
        k.CATEGORY_WORD: r"\w",
        k.CATEGORY_NOT_WORD: r"\W",
    }
    out = []
    for op, a in av:
        if op is k.LITERAL:
            out.append(re.escape(chr(a)))
        elif op is k.RANGE:
            out.append(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
        elif op is k.CATEGORY and a in categories:
            out.append(categories[a])
        else:
            return None
    return out
