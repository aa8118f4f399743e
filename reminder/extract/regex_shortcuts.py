"""Cheaper equivalents of regex tests, read from the pattern itself (issue 15).

The standard library's regex parser (``re._parser``, as :mod:`reminder.extract._data` uses it) tells
which characters a match starts with and how a pattern is anchored.
A caller then searches for a literal or a character class, at C speed, before (or instead of)
letting the engine try a pattern of many alternatives at every position. Each answer is the one the
plain pattern gives: ``tests/extract/test_regex_shortcuts.py`` and ``test_segment_fast_paths.py``
compare the two.

    after_newline     ^X with re.M → \\nX (a literal start, found at C speed)
    first_char_test   the characters a match can start with, as one class
    digit_start       \\d as the first item of a pattern, as a class the engine scans for at C speed
    split_leading     (?:甲…|乙…)X → 甲(?:…)X, 乙(?:…)X: whether any matches is whether the pattern does
    split_class       [甲乙]X or (?:甲|乙)X → 甲(?:X), 乙(?:X); split_first: either split
    split_finditer    finditer of a pattern from the merged matches of its split_first parts
    leading_char      the literal character every match starts with; found_from: search from it
    first_literals    the listed characters every match starts with (for literal_finditer)
    positions         where a word stands (``finditer`` of it, overlaps too, by str.find at C speed)
    by_first_char     a list of words as one pattern per first character (each scanned for like a find)
    optional_branches (…)? written (?:…|): the same matches without the engine's repeat machinery
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

from reminder.extract._data import parsed_items

__all__ = [
    "after_newline",
    "by_first_char",
    "digit_start",
    "first_literals",
    "first_char_test",
    "found_from",
    "leading_char",
    "optional_branches",
    "positions",
    "split_class",
    "split_finditer",
    "split_first",
    "split_leading",
]


def after_newline(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """For ``^X`` compiled with re.M: ``\\nX``, which matches right before wherever ``^X`` matches after the
    text's start (where ``regex.match`` looks); None for any other pattern, and when X looks behind
    or at the text's start (it would see the line break)."""
    if not regex.flags & re.MULTILINE or not regex.pattern.startswith("^"):
        return None
    items = parsed_items(regex)
    # (a top-level alternation parses as one BRANCH: then ^ does not anchor the whole pattern)
    if not items or items[0] != (_constants.AT, _constants.AT_BEGINNING) or _looks_back(items[1:]):
        return None
    return re.compile("\n(?:" + regex.pattern[1:] + ")", regex.flags)


def _looks_back(items: Any) -> bool:
    """Whether parsed regex items hold a lookbehind or \\A, at any depth."""
    for op, arg in items:
        if op in (_constants.ASSERT, _constants.ASSERT_NOT) and arg[0] < 0:
            return True
        if op is _constants.AT and arg is _constants.AT_BEGINNING_STRING:
            return True
        if any(_looks_back(sub) for sub in _subpatterns(arg)):
            return True
    return False


def _subpatterns(arg: Any) -> Iterator[Any]:
    """The parsed sub-patterns inside an item's argument (groups, branches, repeats)."""
    if isinstance(arg, _parser.SubPattern):
        yield arg
    elif isinstance(arg, (list, tuple)):
        for x in arg:
            yield from _subpatterns(x)


def first_char_test(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """A one-character pattern that matches at a text's start wherever ``regex.match(text)`` can: the
    characters a match can start with. Matching it is a class lookup, where a pattern with many
    alternatives is tried item by item. None when a match may be empty or start with any character.

    >>> first_char_test(re.compile("^(?:第.条|附件)|[（【]")).pattern
    '[【第附（]'
    """
    items = parsed_items(regex)
    if items is None:
        return None
    first = _First()
    if not first.read(list(items)) or first.open:
        return None
    return re.compile("[" + "".join(sorted(first.parts)) + "]")


class _First:
    """What a sequence of parsed regex items can start with, as character class items (``open``: any
    character, or what this reading does not know)."""

    def __init__(self) -> None:
        self.parts: set[str] = set()
        self.open = False

    def read(self, items: list[Any]) -> bool:
        """Add what ``items`` can start with; True when they always take a character first."""
        for op, arg in items:
            if op in (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT):
                continue  # takes no character: the next item decides
            if op is _constants.LITERAL:
                self.parts.add(re.escape(chr(arg)))
                return True
            if op is _constants.IN:
                self._add_class(arg)
                return True
            if op is _constants.SUBPATTERN:
                if (arg[1] | arg[2]) & re.IGNORECASE:
                    self.open = True
                    return True
                if self.read(list(arg[3])):
                    return True
                continue
            if op is _constants.BRANCH:
                if all([self.read(list(alt)) for alt in arg[1]]):  # (a list: every branch is read)
                    return True
                continue
            if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
                if self.read(list(arg[2])) and arg[0] > 0:
                    return True
                continue
            self.open = True  # any character, a back-reference, an atomic group…
            return True
        return False

    def _add_class(self, arg: Any) -> None:
        categories = {
            _constants.CATEGORY_DIGIT: r"\d",
            _constants.CATEGORY_SPACE: r"\s",
            _constants.CATEGORY_WORD: r"\w",
        }
        for kind, value in arg:
            if kind is _constants.LITERAL:
                self.parts.add(re.escape(chr(value)))
            elif kind is _constants.RANGE:
                self.parts.add(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
            elif kind is _constants.CATEGORY and value in categories:
                self.parts.add(categories[value])
            else:
                self.open = True  # a negated class, another category


@functools.cache
def digit_start() -> str:
    r"""What ``\d`` matches, written to start a pattern: the BMP's decimal digits as one class (plus any
    character beyond the BMP, then checked by ``(?<=\d)``). The engine looks for a pattern's first
    class character by character; a category such as ``\d`` costs about twice a class of listed
    characters, and a class listing characters beyond the BMP several times more.

    >>> [m.group() for m in re.finditer(digit_start() + r"\d", "a12 ١٢ 𝟏𝟐 ①②")]
    ['12', '١٢', '𝟏𝟐']
    """
    bmp = "".join(chr(c) for c in range(0x10000) if chr(c).isdecimal())  # what \d matches (sre's test)
    return "[" + re.escape(bmp) + "\U00010000-\U0010ffff](?<=\\d)"


def split_leading(regex: re.Pattern[str], most: int = 6) -> tuple[re.Pattern[str], ...] | None:
    """For a pattern that opens with a group of alternatives, each starting with a literal character
    (``(?:开始|开放|启动)(?:申请|申报)``): one pattern per first character (``开(?:始|放)(?:申请|申报)``,
    ``启(?:动)(?:申请|申报)``). One of them matches in a text exactly when the pattern does (at the same
    position), and each is found faster: the engine scans for one leading character like a plain
    find, where it tests a class of them at every position. None when the pattern is not of that
    form, when it refers back to a group, or when it has more than ``most`` first characters (a scan
    each)."""
    items = parsed_items(regex)
    pattern = regex.pattern
    if not items or not pattern.startswith("(?:") or "(?P=" in pattern or re.search(r"\\\d", pattern):
        return None
    # the parser flattens the group: an unquantified (?:…|…) is a BRANCH item (a quantified one would
    # be a repeat); the text after the group must hold no | of its own (then the whole pattern would
    # be one alternation)
    op, arg = items[0]
    if op is not _constants.BRANCH:
        return None
    split = _split_group(pattern)
    if split is None or len(split[0]) != len(arg[1]):
        return None
    alternatives, rest = split
    after = _split_group("(?:" + rest + ")")
    if after is None or len(after[0]) != 1 or after[1]:
        return None
    groups: dict[str, list[str]] = {}
    for text, parsed in zip(alternatives, arg[1], strict=True):
        first = list(parsed)[:1]
        if not text or first != [(_constants.LITERAL, ord(text[0]))] or text[0] in _SPECIAL:
            return None
        groups.setdefault(text[0], []).append(text[1:])
    if len(groups) > most:
        return None
    try:
        return tuple(
            re.compile(f"{re.escape(ch)}(?:{'|'.join(tails)}){rest}", regex.flags)
            for ch, tails in groups.items()
        )
    except re.error:
        return None


_SPECIAL = set("\\[](){}|?*+.^$")


def _split_group(pattern: str) -> tuple[list[str], str] | None:
    """The top-level alternatives of the group ``pattern`` opens with, and the text after the group."""
    depth, i, start, out = 0, 3, 3, []
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a class: up to its closing bracket (one right after [ or [^ is a member)
            j = i + 1 + (pattern[i + 1 : i + 2] == "^")
            j += pattern[j : j + 1] == "]"
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                out.append(pattern[start:i])
                return out, pattern[i + 1 :]
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return None


#: a pattern's opening class of a few listed characters, written [区县] or (?:区|县) (then the rest follows)
_OPENING_CLASS = re.compile(
    r"\[([^\\\[\]^-]{2,3})\]|\(\?:([^\\()|\[\]{}.*+?^$](?:\|[^\\()|\[\]{}.*+?^$]){1,2})\)"
)


def split_class(rx: re.Pattern[str]) -> tuple[re.Pattern[str], ...] | None:
    """For a pattern that opens with a class of two or three listed characters ((?:区|县)…): one
    pattern per character (区…, 县…), which matches where the pattern does at that character. None
    for any other pattern.

    The engine tests a class at every position of a text (several times slower than a scan for one
    character, which it does at C speed): the parts are found faster, see :func:`split_finditer`.
    """
    opening = _OPENING_CLASS.match(rx.pattern)
    items = parsed_items(rx)
    if opening is None or not items:
        return None
    chars = (opening.group(1) or opening.group(2)).replace("|", "")
    # the parser agrees: the first item is that class (not a repeat of it, nor one branch of several)
    if items[0] != (_constants.IN, [(_constants.LITERAL, ord(ch)) for ch in chars]):
        return None
    rest = rx.pattern[opening.end() :]
    return tuple(re.compile(f"{re.escape(ch)}(?:{rest})", rx.flags) for ch in chars)


def split_first(rx: re.Pattern[str]) -> tuple[re.Pattern[str], ...] | None:
    """One pattern per first character of a pattern that opens with a few of them, as a class
    (:func:`split_class`) or a group of alternatives (:func:`split_leading`:
    (?:发布机构|来源)… → 发(?:布机构)…, 来(?:源)…); None for any other pattern."""
    return split_class(rx) or split_leading(rx)


def split_finditer(
    rx: re.Pattern[str], parts: tuple[re.Pattern[str], ...] | None, text: str
) -> list[re.Match[str]]:
    """``list(rx.finditer(text))`` from the matches of its :func:`split_first`.

    Each part's matches are the pattern's at its character, but a part's ``finditer`` does not know
    of the other parts' matches: when one overlaps another (it would hide its start from the
    pattern's ``finditer``), the pattern runs itself. Without overlaps the merged matches are the
    pattern's: a start a part skips lies inside an earlier match of that part, which is kept.
    """
    if parts is None:
        return list(rx.finditer(text))
    found = sorted((m for part in parts for m in part.finditer(text)), key=_start)
    if any(a.end() > b.start() for a, b in zip(found, found[1:], strict=False)):
        return list(rx.finditer(text))
    return found


def _start(m: re.Match[str]) -> int:
    return m.start()


def found_from(rx: re.Pattern[str], lead: str | None, text: str) -> bool:
    """``rx.search(text) is not None`` for a pattern whose every match starts with ``lead`` (None: any
    character): searched from where ``lead`` first stands, as str.find skips to it faster than the
    engine scans (and a text without it is not scanned at all)."""
    start = text.find(lead) if lead is not None else 0
    return start >= 0 and rx.search(text, start) is not None


def leading_char(rx: re.Pattern[str]) -> str | None:
    """The character every match of ``rx`` starts with, when the pattern opens with a literal one."""
    items = parsed_items(rx)
    if not items or items[0][0] is not _constants.LITERAL or rx.flags & re.IGNORECASE:
        return None  # (ignoring case, the match may start with the other case of it)
    return chr(items[0][1])


def positions(text: str, word: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where ``word`` starts in ``text[start:end]``, overlapping occurrences too (for one character:
    ``[m.start() for m in re.finditer(re.escape(word), text)]``)."""
    stop = len(text) if end is None else end
    found = []
    at = text.find(word, start, stop)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1, stop)
    return found


def by_first_char(words: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """One pattern per first character of ``words`` (学(?:习|校), 工(?:作)): one of them is found in a text
    exactly when one of the words is. The engine scans for a pattern's one leading character at the
    speed of a plain find, where several leading characters are tested one position at a time and
    ``w in text`` lets most CJK characters through its filter."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(w[1:])
    return tuple(
        re.compile(re.escape(first) + "(?:" + "|".join(re.escape(r) for r in rests) + ")")
        for first, rests in groups.items()
    )


def first_literals(regex: re.Pattern[str]) -> str:
    """The characters every match of ``regex`` starts with, when they are listed ones (减税加免 for
    ``减按…|税收优惠|加计扣除|免征…``), for :func:`~reminder.extract.facts_text.literal_finditer`; "" when
    a match may be empty or start with a range, a category or any character (then it runs the regex).
    """
    items = parsed_items(regex)
    first = _First()
    if items is None or not first.read(list(items)) or first.open:
        return ""
    chars = [part[1:] if part.startswith("\\") else part for part in first.parts]
    if any(len(ch) != 1 for ch in chars) or any(p in (r"\d", r"\s", r"\w") for p in first.parts):
        return ""
    return "".join(sorted(chars))


def optional_branches(pattern: str) -> str:
    r"""``pattern`` with each group made optional by a greedy ``?`` written as an alternation with an
    empty branch: ``(?:X)?`` → ``(?:X|)``, ``(?P<n>X)?`` → ``(?:(?P<n>X)|)``. Both try X first, then
    nothing, so they match alike; but the engine runs a ``?`` on a group as a repeat, which allocates
    and frees a counter each time it is tried, where a branch only saves its place (a pattern with
    many optional parts, tried at many positions, runs a fifth faster).

    A pattern this reading does not follow (a verbose one with a comment) is returned as it is.

    >>> print(optional_branches(r"(?:(?P<pre>不低于)\s*)?\d+(?:万(?:元)?)?[(?]?"))
    (?:(?P<pre>不低于)\s*|)\d+(?:万(?:元|)|)[(?]?
    """
    opens: list[int] = []
    edits: list[tuple[int, int, str]] = []  # (start, end, text) replacing pattern[start:end]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            continue
        if c == "#":
            return pattern  # (a comment in a verbose pattern may hold brackets)
        if c == "(":
            opens.append(i)
        elif c == ")" and opens:
            start = opens.pop()
            if pattern[i + 1 : i + 2] == "?" and pattern[i + 2 : i + 3] not in ("?", "+"):
                if pattern.startswith("(?:", start):
                    edits.append((i, i + 2, "|)"))
                else:  # (a capturing group or an assertion keeps its own bracket)
                    edits += [(start, start, "(?:"), (i + 1, i + 2, "|)")]
        i += 1
    out = pattern
    for start, end, text in sorted(edits, reverse=True):  # (from the end: earlier offsets stay valid)
        out = out[:start] + text + out[end:]
    return out


def _class_end(pattern: str, i: int) -> int:
    """The position after the character class opening at ``pattern[i]`` (a ] right after [ or [^ is a
    member)."""
    j = i + 1 + (pattern[i + 1 : i + 2] == "^")
    j += pattern[j : j + 1] == "]"
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1
