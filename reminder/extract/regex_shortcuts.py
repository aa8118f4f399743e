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
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

from reminder.extract._data import parsed_items

__all__ = ["after_newline", "digit_start", "first_char_test"]


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
