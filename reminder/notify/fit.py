"""Fit a message into a platform's size limit without splitting it, keeping what matters.

Chat robots refuse oversize messages (企业微信 Markdown: 4096 bytes of UTF-8). A reminder must stay
one message, so an oversize one shrinks in order of importance (:func:`fit_message`):

1. the notice titles are shortened (rendered again: markup stays balanced), down to a few words;
2. then the last lines go (quotes, missing fields, digest items), replaced by a line pointing to
   the full content; a line is cut only where its markup stays balanced.

The heading, deadline with days left, verdict and link come first in every template, so they stay.
Sizes are UTF-8 bytes; a cut never splits a character.

    >>> summarise("第一行\\n第二行很长很长很长很长很长很长", 45, None)
    '第一行\\n…（内容过长，已截断）'
"""

from __future__ import annotations

from typing import Literal

from reminder.notify.base import Message
from reminder.notify.render import TITLE_MIN, shorten_titles

__all__ = ["fit_message", "summarise", "utf8_len", "cut_utf8", "balanced"]

#: markup pairs that must stay even in a cut line (Markdown bold, strike-through, links)
_PAIRS = (("**", "**"), ("~~", "~~"), ("[", "]"), ("(", ")"))


def utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def cut_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``max_bytes`` (never half a character)."""
    if max_bytes <= 0:
        return ""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


#: where a long line may be cut: after a list separator or sentence end
_BREAKS = ("、", "，", "；", "。", ", ", "; ", " ")


def balanced(line: str) -> bool:
    """Whether every markup pair in ``line`` is closed (``**bold**``, ``~~old~~``, ``[a](b)``).

    >>> balanced("- 截止：**2025年3月10日**"), balanced("**关于组织申报")
    (True, False)
    """
    for left, right in _PAIRS:
        if left == right and line.count(left) % 2:
            return False
        if left != right and line.count(left) != line.count(right):
            return False
    return True


def _cut_line(line: str, max_bytes: int) -> str:
    """The start of ``line`` within ``max_bytes``, ending after a separator when there is one; "" when
    no cut keeps its markup balanced."""
    head = cut_utf8(line, max_bytes)
    cut = max((head.rfind(b) + len(b) for b in _BREAKS if b in head), default=-1)
    head = head[:cut].rstrip("、，；, ") if cut > len(head) // 2 else head
    return head if balanced(head) else ""


def _tail(link: str | None) -> str:
    return f"…（内容过长，完整内容见：{link}）" if link else "…（内容过长，已截断）"


def summarise(text: str, max_bytes: int, link: str | None) -> str:
    """``text`` unchanged when it fits, else its first lines plus a line pointing to ``link``.

    Whole lines are kept; a long line that would leave most of the room unused is cut after a list
    separator (、，；) instead, so "请补充企业信息：A、B、C…" keeps its first items.

    Args:
        text: the message body (plain text or Markdown).
        max_bytes: the platform's limit in UTF-8 bytes.
        link: where the full content is (the company page); None gives a plain "truncated" note.

    Returns:
        A string of at most ``max_bytes`` UTF-8 bytes (the pointer itself is cut if even it is too long).
    """
    if utf8_len(text) <= max_bytes:
        return text
    tail = _tail(link)
    budget = max_bytes - utf8_len(tail) - 1  # 1 for the newline before the tail
    if budget <= 0:
        return cut_utf8(tail, max_bytes)
    kept: list[str] = []
    used = 0
    for line in text.splitlines():
        size = utf8_len(line) + 1
        if used + size > budget:
            room = budget - used - 1
            if room > budget // 4:  # a long line (e.g. a list of missing fields): keep its first items
                kept.append(_cut_line(line, room))
            break
        kept.append(line)
        used += size
    while kept and not kept[-1].strip():
        kept.pop()
    head = "\n".join(kept)
    return f"{head}\n{tail}" if head else tail


Form = Literal["text", "markdown"]


def _longest_title(message: Message) -> int:
    data = message.data
    titles = [str((data.get("notice") or {}).get("title") or "")]
    titles += [str((item.get("notice") or {}).get("title") or "") for item in data.get("items") or []]
    return max(len(" ".join(t.split())) for t in titles)


def fit_message(message: Message, form: Form, max_bytes: int, *, drop_link_line: bool = False) -> str:
    """``message``'s text or Markdown within ``max_bytes``, shortening titles first, then trailing lines.

    Args:
        message: the rendered message (its payload is rendered again with shorter titles).
        form: "text" or "markdown".
        max_bytes: the platform's limit in UTF-8 bytes.
        drop_link_line: leave out the closing "详情：link" line (a channel that shows the link itself).

    Returns:
        At most ``max_bytes`` UTF-8 bytes; the link survives in the pointer line when lines are dropped.
    """

    def body(m: Message) -> str:
        text: str = getattr(m, form)
        if drop_link_line and m.link:
            lines = text.rstrip("\n").split("\n")
            while lines and (not lines[-1].strip() or lines[-1].endswith(m.link)):
                lines.pop()
            text = "\n".join(lines) + "\n"
        return text

    text = body(message)
    if utf8_len(text) <= max_bytes or message.purpose in ("", "test"):
        return summarise(text, max_bytes, message.link)
    low, high = TITLE_MIN, _longest_title(message) - 1
    best = body(shorten_titles(message, TITLE_MIN))
    while low <= high:  # the longest title limit that fits
        mid = (low + high) // 2
        candidate = body(shorten_titles(message, mid))
        if utf8_len(candidate) <= max_bytes:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    return summarise(best, max_bytes, message.link)
