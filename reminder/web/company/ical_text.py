"""iCalendar (RFC 5545) content lines as the feed writes them: TEXT escaping and folding at 75 octets,
byte for byte as the icalendar library does (tests/web/test_ical_text.py compares them), fast enough
for a thousand events a feed.

    escape ────────── a TEXT value escaped (§3.3.11)
    fold ──────────── a content line folded; fold_start / fold_end: the two halves, for a line whose
                      end (the company's link) is folded once per length of what precedes it
    written ───────── content lines as served (folded, CRLF)
    escaped_lines ─── description lines escaped and joined by \\n
    utc_stamp ─────── an instant as a UTC DATE-TIME
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

__all__ = ["escape", "escaped_lines", "fold", "fold_end", "fold_start", "utc_stamp", "written"]


def escape(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says (icalendar's escaping, in its order)."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def fold(line: bytes) -> bytes:
    """A content line (UTF-8) folded into pieces of at most 74 octets, never inside a character nor
    right after a backslash or caret (icalendar's folding, so the feed reads the same to calendar apps)."""
    if len(line) < 75:
        return line
    folded, rest = fold_start(line)
    return folded + rest


def fold_start(line: bytes) -> tuple[bytes, bytes]:
    """The pieces of ``fold(line + anything)`` that ``line`` alone decides, each followed by the fold,
    and the rest of ``line``: a piece is cut by the 75 octets from its start, all in ``line``."""
    pieces = []
    start = 0
    while len(line) - start >= 75:
        end = start + 74
        while line[end] & 0xC0 == 0x80:  # a continuation byte: the piece ends before its character
            end -= 1
        if line[end - 1] in b"\\^" and end - 1 > start:  # keep an escape with what it escapes
            end -= 1
        pieces.append(line[start:end] + b"\r\n ")
        start = end
    return b"".join(pieces), line[start:]


def fold_end(rest: bytes, end: bytes, kept: dict[int, bytes]) -> bytes:
    """``fold(rest + end)`` for the rest of a line that ``fold_start`` left (under 75 octets), with
    ``end`` folded once per length of ``rest`` (in ``kept``): where ``end`` is cut depends on that length
    alone, unless ``rest`` ends with an escape, which a cut right after it would split."""
    if rest.endswith((b"\\", b"^")):
        return fold(rest + end)
    tail = kept.get(len(rest))
    if tail is None:
        tail = kept[len(rest)] = fold(b"x" * len(rest) + end)[len(rest) :]
    return rest + tail


def utc_stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def written(lines: Sequence[str]) -> bytes:
    """Content lines as served: folded, each ended by CRLF."""
    return b"".join(fold(line.encode()) + b"\r\n" for line in lines)


def escaped_lines(lines: Sequence[str]) -> str | None:
    """Description lines escaped and joined as ``escape`` escapes them joined by newlines; None when a
    line ends with a carriage return (``escape`` reads it with the newline after it as one line break)."""
    if any(line.endswith("\r") for line in lines):
        return None
    return "\\n".join(escape(line) for line in lines)
