"""Attachments a notice lists: 附件：1.申报指南 2.承诺书, 附件1：…, 附件2. … (usually at its end).

Names lose their leading numbers, book-title marks and file extension (申报指南.docx → 申报指南). The
loaders keep no link targets yet, so ``url`` stays None.

    find_attachments(cleaned, view, start, end) -> list[Attachment]
"""

from __future__ import annotations

import re

from reminder.extract.facts_text import line_bounds, quote, windows
from reminder.model import Attachment

__all__ = ["find_attachments"]

# 附件 heading: at a line start (or glued after a phone number by line joining); its number; the rest
_HEAD = re.compile(
    r"(?:^|(?<=[0-9A-Za-z。;)]))[ \t]*(?:\d{1,2}[、.][ \t]*)?(?:相关)?附件[ \t]*(?P<n>\d{1,2})?[ \t]*(?:[:.、][ \t]*)?(?P<rest>[^\n]*)",
    re.M,
)
# a numbered item inside the rest of a line or on a line of its own: 1.申报指南 / 2、承诺书 / (3)…
_NUM_END = r"(?:[)、]|\.(?!\d)|\.(?=(?:19|20)\d\d))"
_ITEM = re.compile(
    rf"(?:^|(?<=[\s:、.]))[ \t]*\(?(?P<n>\d{{1,2}})\s*{_NUM_END}[ \t]*(?P<name>.+?)(?=\s+\(?\d{{1,2}}\s*{_NUM_END}|$)",
    re.M,
)
_LINE_ITEM = re.compile(rf"[ \t]*\(?(?P<n>\d{{1,2}})\s*{_NUM_END}[ \t]*")
# the signature glued to the last item by line joining: …汇总表武汉市城乡建设局 → …汇总表
_SIGNATURE_TAIL = re.compile(
    r"(?<=[表书知法南单案求则录册明板式])[^()（）《》\d]{2,20}(?:局|委员会|委|厅|政府|办公室|中心|管委会)$"
)
_NEXT_LINE = re.compile(
    r"[ \t]*(?:\d{1,2}[、.][ \t]*)?(?:相关)?附件[ \t]*(?P<n>\d{1,2})[ \t]*[:.、]?[ \t]*(?P<name>[^\n]+)"
)
_EXTENSION = re.compile(r"\.(?:docx?|pdf|xlsx?|et|wps|zip|rar|7z|ofd|txt|pptx?|jpe?g|png|cebx?)\s*$", re.I)
_NOT_NAME = re.compile(r"附件|。|^\s*$|^(?:见|详见|下载)")
_MAX_NAME = 80


def find_attachments(cleaned: str, view: str, start: int = 0, end: int | None = None) -> list[Attachment]:
    """The attachments listed in ``view[start:end]``, in order, without duplicates.

    >>> from reminder.extract.normalize import clean, match_view
    >>> c = clean("特此通知。\\n附件：1.申报指南.docx\\n2.《承诺书》")
    >>> [(a.label, a.name) for a in find_attachments(c, match_view(c))]
    [('附件1', '申报指南'), ('附件2', '承诺书')]
    """
    end = len(view) if end is None else end
    if view.find("附件", start, end) < 0:
        return []
    out: list[Attachment] = []
    seen: set[str] = set()
    pos = start
    heads = [
        m for w0, w1 in windows(("附件",), view, start, end, 8, 400) for m in _HEAD.finditer(view, w0, w1)
    ]
    for m in heads:
        if m.start() < pos:
            continue
        found, pos = _list(cleaned, view, m, end)
        for a in found:
            if a.name not in seen:
                seen.add(a.name)
                out.append(a)
    return out


def _name(cleaned: str, view: str, s: int, e: int) -> tuple[str, tuple[int, int]] | None:
    """The name in ``s:e`` (cut from the cleaned text) and its span; rules read the view (same offsets)."""
    text = view[s:e].rstrip(" \t;,、。")
    tail = _SIGNATURE_TAIL.search(text)
    text = text[: tail.start()] if tail else text
    ext = _EXTENSION.search(text)
    core_end = s + len((text[: ext.start()] if ext else text).rstrip())
    name = cleaned[s:core_end].strip().replace("《", "").replace("》", "").strip("<> ")
    if len(name) < 2 or len(name) > _MAX_NAME or _NOT_NAME.search(view[s:core_end]):
        return None
    return name, (s, core_end)


def _attachment(cleaned: str, view: str, s: int, e: int, label: str | None) -> Attachment | None:
    named = _name(cleaned, view, s, e)
    if named is None:
        return None
    l0, l1 = line_bounds(view, s)
    return Attachment(name=named[0], label=label, quote=quote(cleaned, l0, l1), span=named[1])


def _list(cleaned: str, view: str, m: re.Match[str], end: int) -> tuple[list[Attachment], int]:
    """The attachments of one 附件 heading and the lines that continue it; and where the list ends."""
    r0, r1 = m.span("rest")
    found: list[Attachment] = []
    if m.group("n"):  # 附件1：name
        a = _attachment(cleaned, view, r0, r1, f"附件{m.group('n')}")
        expected = int(m.group("n")) + 1
        numbered = False
        if a:
            found.append(a)
    else:
        items = list(_ITEM.finditer(view, r0, r1))
        expected, numbered = 1, True
        if items and int(items[0].group("n")) == 1:
            for it in items:
                if int(it.group("n")) != expected:
                    break
                a = _attachment(cleaned, view, it.start("name"), it.end("name"), f"附件{expected}")
                if a:
                    found.append(a)
                expected += 1
        elif view[r0:r1].strip():
            a = _attachment(cleaned, view, r0, r1, None)
            return ([a] if a else []), r1
    pos = r1
    while pos < end and view[pos] == "\n":
        line_end = view.find("\n", pos + 1, end)
        line_end = end if line_end < 0 else line_end
        nxt = _continuation(cleaned, view, pos + 1, line_end, expected, numbered)
        if nxt is None:
            break
        found.append(nxt)
        expected += 1
        pos = line_end
    return found, pos


def _continuation(
    cleaned: str, view: str, l0: int, l1: int, expected: int, numbered: bool
) -> Attachment | None:
    """The next line when it continues the list: 2.name after 1.name, 附件2：name after 附件1."""
    m = _NEXT_LINE.match(view, l0, l1)
    if m and int(m.group("n")) == expected:
        return _attachment(cleaned, view, m.start("name"), l1, f"附件{expected}")
    if not numbered:
        return None
    item = _LINE_ITEM.match(view, l0, l1)
    if item and int(item.group("n")) == expected:
        return _attachment(cleaned, view, item.end(), l1, f"附件{expected}")
    return None
