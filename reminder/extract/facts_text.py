"""Shared pieces of the issue-13 fact finders (benefits, how to apply, contacts, attachments).

Finders read the match view (simplified, half-width) and cut quotes from the cleaned text: both have
the same length, so a span found in one is the same span in the other.

    sentence_bounds / line_bounds   where the sentence or line around an offset starts and ends
    quote                           the verbatim cleaned text of a span, stripped (span adjusted)
    cn_number                       一式四份 → 4, 二七○○ → 2700, 1,000 → 1000
    compile_rx                      a regex from a data table, with the file and key in the error
    windows                         the stretches around cheap anchors where a heavier regex may match
"""

from __future__ import annotations

import functools
import re

import cn2an

from reminder.errors import DataFileError

__all__ = ["sentence_bounds", "line_bounds", "quote", "cn_number", "compile_rx", "windows", "near", "NUM"]

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
    start = max(back, *(view.rfind(ch, back, pos) + 1 for ch in "。;!?"))
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


def windows(
    anchor: re.Pattern[str] | tuple[str, ...], view: str, start: int, end: int, before: int, after: int
) -> list[tuple[int, int]]:
    """Merged stretches ``[hit - before, hit + after)`` around each hit of a cheap anchor.

    A regex that starts with optional parts, a repeat or a lookbehind is tried at every position; run
    over these stretches only, it costs in proportion to the anchors (units, suffixes, verbs) instead.
    Literal anchors (a tuple of words) are found with ``str.find``, the fastest scan there is.
    """
    hits: list[tuple[int, int]] = []
    if isinstance(anchor, tuple):
        for word in anchor:
            i = view.find(word, start, end)
            while i >= 0:
                hits.append((i, i + len(word)))
                i = view.find(word, i + 1, end)
        hits.sort()
    else:
        hits = [m.span() for m in anchor.finditer(view, start, end)]
    out: list[tuple[int, int]] = []
    for h0, h1 in hits:
        w0, w1 = max(start, h0 - before), min(end, h1 + after)
        if out and w0 <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], w1))
        else:
            out.append((w0, w1))
    return out


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
        m for w0, w1 in windows(anchor, view, start, end, before, after) for m in rx.finditer(view, w0, w1)
    ]
