"""Fit a message into a platform's size limit without splitting it: keep whole lines, add a pointer.

Chat robots refuse oversize messages (企业微信 Markdown: 4096 bytes of UTF-8). A reminder must stay
one message, so an oversize text keeps as many whole lines as fit and ends with a line pointing to the
full content. Sizes are UTF-8 bytes; a cut never splits a character.

    >>> summarise("第一行\\n第二行很长很长很长很长很长很长", 45, None)
    '第一行\\n…（内容过长，已截断）'
"""

from __future__ import annotations

__all__ = ["summarise", "utf8_len", "cut_utf8"]


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


def _cut_line(line: str, max_bytes: int) -> str:
    """The start of ``line`` within ``max_bytes``, ending after a separator when there is one."""
    head = cut_utf8(line, max_bytes)
    cut = max((head.rfind(b) + len(b) for b in _BREAKS if b in head), default=-1)
    return head[:cut].rstrip("、，；, ") if cut > len(head) // 2 else head


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
