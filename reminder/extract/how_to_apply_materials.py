"""What to submit: 申报材料包括：（一）申报书；（二）承诺书…, numbered lines under a 申报材料 heading, or
documents named in a sentence (需填写《…申请书》、《…汇总表》), with 一式N份 as ``copies``.

    find_materials(cleaned, view, start, end, v) -> list[ApplyStep]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reminder.extract.apply_data import ApplyVocab
from reminder.extract.facts_text import anchor_hits, cn_number, quote, sentence_bounds, windows_at
from reminder.model import ApplyStep

__all__ = ["find_materials"]

_ITEM = re.compile(
    r"(?:^|(?<=[;。\n:]))[ \t]*(?:\((?P<p>\d{1,2}|[一二三四五六七八九十]{1,2})\)|(?P<d>\d{1,2})[.、](?!\d)|(?P<c>[一二三四五六七八九十]{1,2})、)"
    r"[ \t]*(?P<item>[^;。\n]{2,120})",
    re.M,
)
# every materials cue or heading holds one of these
_CUE_ANCHOR = ("材料", "资料", "申报书", "清单")
_TOP_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,2}[、.]", re.M)
_REMARK = re.compile(r"\s*[(（](?:[见見]|[详詳][见見])?附件[^()（）]{0,12}[)）]")
_BLOCK_MAX = 1500
_MAX_ITEMS = 20
_ITEM_MAX = 40


def find_materials(cleaned: str, view: str, start: int, end: int, v: ApplyVocab) -> list[ApplyStep]:
    """One step per list of materials (a cue or heading then numbered items), then documents named in sentences."""
    steps: list[ApplyStep] = []
    taken: list[tuple[int, int]] = []
    hits = anchor_hits(_CUE_ANCHOR, view, start, end)  # found once for both widths
    cues = [
        m.end()
        for w0, w1 in windows_at(hits, start, end, 14, 8)
        for m in v.materials_cue.finditer(view, w0, w1)
    ]
    cues += [
        m.end()
        for w0, w1 in windows_at(hits, start, end, 20, 12)
        for m in v.materials_heading.finditer(view, w0, w1)
    ]
    for pos in sorted(set(cues)):
        if any(a <= pos < b for a, b in taken):
            continue
        step = _block(cleaned, view, pos, end, v)
        if step is not None:
            steps.append(step)
            taken.append((pos, step.span[1]))
    steps += _documents(cleaned, view, start, end, taken, v)
    if not steps:
        steps += _copies_only(cleaned, view, start, end, v)
    return steps


def _numbering(m: re.Match[str]) -> tuple[str, int]:
    for style in ("p", "d", "c"):
        if m.group(style):
            return style, int(cn_number(m.group(style)) or 0)
    return "", 0


def _items(view: str, pos: int, end: int) -> Iterator[re.Match[str]]:
    """Consecutive numbered items from ``pos``: one numbering style, numbers 1, 2, 3… in order."""
    style, expected = "", 1
    stop = min(end, pos + _BLOCK_MAX)
    for m in _ITEM.finditer(view, pos, stop):
        s, n = _numbering(m)
        if not style:
            if n != 1 or view.count("\n", pos, m.start()) > 2:
                return
            style = s
        if s != style or n != expected:
            return
        expected += 1
        yield m


def _clean_item(text: str) -> str:
    text = _REMARK.sub("", text).strip(" ,:;、")
    text = re.split(r"[,(]", text, maxsplit=1)[0] if len(text) > _ITEM_MAX else text
    return text.replace("《", "").replace("》", "").strip()[:_ITEM_MAX]


def _block(cleaned: str, view: str, pos: int, end: int, v: ApplyVocab) -> ApplyStep | None:
    found = list(_items(view, pos, end))[:_MAX_ITEMS]
    if not found:
        return None
    items = tuple(
        dict.fromkeys(t for t in (_clean_item(cleaned[m.start("item") : m.end("item")]) for m in found) if t)
    )
    s0 = sentence_bounds(view, max(pos - 1, 0), 0, end)[0]
    b1 = found[-1].end("item")
    heading = _TOP_HEADING.search(view, b1, end)
    scope_end = heading.start() if heading else min(end, b1 + 200)
    copies = _copies(view, s0, scope_end, v)
    return ApplyStep(
        kind="materials",
        quote=quote(cleaned, s0, b1),
        span=(found[0].start("item"), b1),
        items=items,
        copies=copies,
        rule="apply_materials_list",
    )


def _copies(view: str, s0: int, s1: int, v: ApplyVocab) -> int | None:
    m = v.copies.search(view, s0, s1)
    if not m:
        return None
    n = cn_number(m.group("n"))
    return int(n) if n else None


def _documents(
    cleaned: str, view: str, start: int, end: int, taken: list[tuple[int, int]], v: ApplyVocab
) -> list[ApplyStep]:
    """需填写《…申请书》、《…可行性研究报告》: the documents of one sentence as one step."""
    steps: list[ApplyStep] = []
    done: set[int] = set()
    for m in v.document.finditer(view, start, end):
        if any(a <= m.start() < b for a, b in taken):
            continue
        s0, s1 = sentence_bounds(view, m.start(), start, end)
        if s0 in done or not v.fill_verbs.search(view, s0, m.start()):
            continue
        done.add(s0)
        docs = [d for d in v.document.finditer(view, s0, s1)]
        items = tuple(dict.fromkeys(cleaned[d.start("doc") : d.end("doc")] for d in docs))
        steps.append(
            ApplyStep(
                kind="materials",
                quote=quote(cleaned, s0, s1),
                span=(docs[0].start(), docs[-1].end()),
                items=items,
                copies=_copies(view, s0, s1, v),
                rule="apply_materials_documents",
            )
        )
    return steps


def _copies_only(cleaned: str, view: str, start: int, end: int, v: ApplyVocab) -> list[ApplyStep]:
    """纸质材料一式三份报送…: no list, but how many copies."""
    m = v.copies.search(view, start, end)
    if not m:
        return []
    s0, s1 = sentence_bounds(view, m.start(), start, end)
    n = cn_number(m.group("n"))
    return [
        ApplyStep(
            kind="materials",
            quote=quote(cleaned, s0, s1),
            span=m.span(),
            copies=int(n) if n else None,
            rule="apply_materials_copies",
        )
    ]
