"""Loading of the rule tables in ``reminder/extract/data/*.yaml``, and cheap tests before their regexes.

Tables are vocabulary (cue words, units, comparison words); code only interprets them. Reading and
checking is :mod:`reminder.tables`' (one loader for every table, operator overrides included).

``needed_words`` and ``word_guard`` read a compiled pattern (with the standard library's regex parser,
``re._parser``) for the literal words every match must contain, so a caller can skip the regex on a
text that lacks them: the answer is the same, found at C speed (issue 15).
"""

from __future__ import annotations

import re
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

from reminder import tables

__all__ = ["load_table", "alternation", "needed_words", "word_guard", "parsed_items"]


def load_table(name: str, allowed: dict[str, type]) -> dict[str, Any]:
    """The table ``data/<name>.yaml`` (or the operator's override), validated against ``allowed`` (key → type).

    Raises:
        DataFileError: unknown key, missing key or wrong type, naming file and key.
    """
    return tables.load_table("reminder.extract", f"{name}.yaml", allowed)


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first so 截止时间 wins over 截止."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def needed_words(pattern: re.Pattern[str], most: int = 3) -> tuple[str, ...] | None:
    """Words of which every match of ``pattern`` contains at least one, or None when the pattern
    requires none (it starts with a class, say) or only one of more than ``most`` words. A text holding
    none of them cannot match: ``in`` tests at C speed let a caller skip a regex that would scan the
    whole text (several times longer; each word costs one scan, hence ``most``).

    >>> needed_words(re.compile("(?:申报|受理)[^。]{0,30}另行通知|另行通知[^。]{0,10}(?:申报|受理)"))
    ('另行通知',)
    """
    items = parsed_items(pattern)
    found = (_needed(items) if items is not None else None) or frozenset()
    # a text holding 之前 holds 前: the shorter word alone says as much
    words = sorted(w for w in found if not any(o != w and o in w for o in found))
    return tuple(words) if 0 < len(words) <= most else None


def word_guard(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern of words that finds nothing in a text ``pattern`` cannot match anywhere in (the rarest
    words each alternative requires: 二维码 rather than 二; an alternation in a group of its own is read
    alternative by alternative too), or None when one of them requires no word. For a pattern that is
    tried on many short lines but matches few: a search for literal words runs at C speed, where the
    pattern tries every alternative at every position.

    >>> guard = word_guard(re.compile("二[维維][码碼]|扫一扫"))
    >>> [bool(guard.search(x)) for x in ("请扫描二维码", "二等奖", "扫一扫")]
    [True, False, True]
    """
    items = parsed_items(pattern)
    if items is None:
        return None
    words: set[str] = set()
    for branch in _branches(items):
        found = _needed_all(branch)
        if not found:
            return None
        rarest: frozenset[str] = max(found, key=_rarity)
        words |= rarest
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def _branches(items: list[Any]) -> list[list[Any]]:
    """The alternatives of parsed items; those of an alternation in a group of its own are expanded
    (``(?:a|b)|c`` → a, b, c: page chrome then needs 字号 or 文字, not any line holding 字)."""
    if len(items) == 1 and items[0][0] is _constants.SUBPATTERN and not (items[0][1][1] or items[0][1][2]):
        return _branches(list(items[0][1][3]))
    if len(items) == 1 and items[0][0] is _constants.BRANCH:
        return [b for alt in items[0][1][1] for b in _branches(list(alt))]
    return [items]


def parsed_items(pattern: re.Pattern[str]) -> list[Any] | None:
    """The parsed items of ``pattern``, or None when its words cannot be read (case-insensitive, or a
    parser this code does not know: then no test is skipped)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        return list(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # noqa: BLE001 - a private parser may change: fall back to the plain regex
        return None


def _rarity(words: frozenset[str]) -> tuple[int, bool, int]:
    # the longest shortest word, then ASCII (rare in Chinese text: A rather than 大), then the fewest words
    return min(len(w) for w in words), all(w.isascii() for w in words), -len(words)


def _needed(items: list[Any]) -> frozenset[str] | None:
    """The best word set a sequence of parsed regex items requires (fewest words, then longest)."""
    found = _needed_all(items)
    return max(found, key=_rank) if found else None


# a character class of at most this many characters is spelled out: [维維][码碼] → 维码, 維码, 维碼, 維碼
_SPELL_OUT = 4


def _needed_all(items: list[Any]) -> list[frozenset[str]]:
    """Every word set a sequence of parsed regex items requires one word of (all must hold)."""
    out: list[frozenset[str]] = []
    run: set[str] = set()  # the literal run so far, spelled every way its small classes allow

    def close() -> None:
        nonlocal run
        if run and all(run):
            out.append(frozenset(run))
        run = set()

    for op, arg in items:
        chars = _chars(op, arg)
        if chars is not None and len(run or {""}) * len(chars) <= _SPELL_OUT**2:
            run = {w + c for w in (run or {""}) for c in chars}
            continue
        close()
        if chars is not None:  # a larger class: one of its characters is needed
            out.append(frozenset(chars))
        elif op is _constants.SUBPATTERN:
            _group, add_flags, _del_flags, sub = arg
            if not add_flags & re.IGNORECASE:
                out += _needed_all(list(sub))
        elif op is _constants.BRANCH:
            alternatives = [_needed(list(alt)) for alt in arg[1]]
            if all(alternatives):
                out.append(frozenset().union(*alternatives))  # type: ignore[arg-type]
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
            low, _high, sub = arg
            if low >= 1:
                out += _needed_all(list(sub))
    close()
    return out


def _chars(op: Any, arg: Any) -> list[str] | None:
    """The characters a LITERAL or a class of plain characters stands for, else None."""
    if op is _constants.LITERAL:
        return [chr(arg)]
    if op is _constants.IN and all(kind is _constants.LITERAL for kind, _ in arg):
        return [chr(c) for _, c in arg]
    return None


def _rank(words: frozenset[str]) -> tuple[int, int]:
    # each word is one scan of the text: fewest words first, then the longest (rarest) words
    return -len(words), min(len(w) for w in words)
