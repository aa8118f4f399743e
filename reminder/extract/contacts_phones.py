"""Phone numbers and email addresses as notices write them, normalised.

0571-87654321, (0571)8765 4321, 0571－8765 4321   → 0571-87654321
0571-87654321转8001                               → 0571-87654321-8001
138 1234 5678, +86 13812345678                    → 13812345678
400-123-4567, 4001234567                          → 400-123-4567
+852 2345 6789                                    → +852 23456789
(02)2345-6789 (Taiwan)                            → 02-23456789
87684602 after 020-87681637 on the same line      → 020-87684602
a@b.cn, a＠b.cn, a[at]b.cn                        → a@b.cn
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reminder.extract.facts_text import first_finditer, first_search

__all__ = ["PHONE", "EMAIL", "Phone", "phones_in", "emails_in", "has_phone"]

PHONE = re.compile(
    r"(?<![\d.@_a-zA-Z])(?:"
    r"(?:\+|00)(?P<cc>852|853|886|86)[\s-]*(?P<intl>\d(?:[\s-]?\d){6,11})"
    r"|(?P<c400>[48]00)[\s-]?(?P<c400b>\d{3})[\s-]?(?P<c400c>\d{4})"
    r"|(?P<mobile>1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})"
    r"|(?:\((?P<parea>0\d{1,3})\)\s*|(?P<sarea>0\d{1,3})\s*[-—－]\s*|(?P<area>010|02\d|0[3-9]\d{2}))"
    r"(?P<local>[2-9]\d{2,3}[\s-]?\d{4})"
    r"|(?P<bare>[2-9]\d{2,3}[\s-]?\d{4})"
    r"|(?<=[电话线:：\s])(?P<short>9\d{4}|12\d{3})"
    r")(?:\s*(?:转|分机|ext\.?|-)\s*(?P<ext>\d{2,5}))?(?:(?![\d@号])|(?=\d[、.][^\d]))"
)
EMAIL = re.compile(
    r"(?P<user>[A-Za-z0-9][A-Za-z0-9._%+-]*)\s*(?:@|\[at\]|\(at\)|\[AT\]|\(AT\))\s*"
    r"(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)


@dataclass(frozen=True)
class Phone:
    """A phone number found in a line: its normalised text, span, and area code (for the next ones)."""

    text: str
    span: tuple[int, int]
    area: str | None


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _normalise(m: re.Match[str], area: str | None) -> tuple[str, str | None]:
    if m.group("cc"):
        digits = _digits(m.group("intl"))
        if m.group("cc") == "86":
            return (digits if digits.startswith("1") else f"0{digits[:-8]}-{digits[-8:]}"), None
        return f"+{m.group('cc')} {digits}", None
    if m.group("c400"):
        return f"{m.group('c400')}-{m.group('c400b')}-{m.group('c400c')}", None
    if m.group("mobile"):
        return _digits(m.group("mobile")), None
    code = m.group("parea") or m.group("sarea") or m.group("area")
    if code:
        return f"{code}-{_digits(m.group('local'))}", code
    if m.group("bare"):
        local = _digits(m.group("bare"))
        return (f"{area}-{local}" if area else local), area
    return m.group("short"), None


def phones_in(view: str, start: int, end: int) -> Iterator[Phone]:
    """The phone numbers of ``view[start:end]`` (one line), normalised, in order."""
    area: str | None = None
    # (PHONE opens with a lookbehind: the engine would try it at every position)
    for m in first_finditer(PHONE, view, start, end):
        if view[m.end() : m.end() + 1].isdigit() and not m.group("mobile"):
            continue  # only a mobile may have a list number glued after it (138…、2、)
        text, area = _normalise(m, area)
        if m.group("ext"):
            text += f"-{m.group('ext')}"
        yield Phone(text, m.span(), area)


def has_phone(line: str) -> bool:
    """Whether ``line`` holds a phone number (``PHONE.search(line)``, tried at its first characters)."""
    return first_search(PHONE, line) is not None


def emails_in(view: str, start: int, end: int) -> Iterator[tuple[str, tuple[int, int]]]:
    """The email addresses of ``view[start:end]``, lower-cased, with their spans."""
    for m in EMAIL.finditer(view, start, end):
        yield f"{m.group('user')}@{m.group('domain')}".lower(), m.span()
