"""Contacts: the 联系人 lines of a notice — name, office, phones (normalised) and emails.

A line holding a phone number or an email is a contact line when it holds a cue (联系人, 电话, 邮箱…)
or follows a 联系方式 heading closely. On it, names are found after 联系人 or right before a phone
(孙某某 0395-1234567); each phone and email goes to the name before it, and names listed together
(张三、李四，电话：…) share what follows them. A line with only a phone or an email completes the
contact of the line before it when that one lacks it (联系人：陈某 / 联系电话：0511-…).

    find_contacts(cleaned, view, start, end) -> list[Contact]

Vocabulary: ``data/contacts.yaml``; phone formats: :mod:`reminder.extract.contacts_phones`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reminder.extract.contacts_data import ContactVocab, contact_vocab
from reminder.extract.contacts_phones import EMAIL, PHONE, emails_in, has_phone, phones_in
from reminder.extract.facts_text import line_bounds, literal_finditer, quote, windows_at
from reminder.extract.regex_shortcuts import digit_start, positions
from reminder.model import Contact

__all__ = ["find_contacts"]

_LEAD = re.compile(r"^[\s(]*(?:\d{1,2}[.、]|[一二三四五六七八九十]{1,2}[、.]|\(\d{1,2}\)|[-•·])?\s*")
_CUE_PREFIX = re.compile(
    r"(?:(?:联系|联络)人及电话|(?:联系|联络)人|联系方式|联系电话|电话|手机|咨询电话)\s*[:]?\s*$"
)
# an address to send materials to is a way to apply, not a contact (电子版发至邮箱…)
_SEND = re.compile(
    r"(?:发至|发送至|发送到|发到|报送至|报至|提交至|传至|送至|报送|指定邮箱|通过邮箱|通过电子邮件)[^,;。]{0,6}$"
)
# a line may hold a contact only when it holds one of these: 7+ digits, or @ / 联 / 电 / ☎ / [at]
# (each pattern starts with a character class: scanned at C speed)
# (written out: {5} would scan slower; the first \d as digit_start(): scanned twice as fast)
_DIGITS = re.compile(digit_start() + r"(?:\d\d\d\d|\d\d[\s-]\d\d\d)")
_MARKS = ("@", "☎", "联系人", "联络人", "[at]", "(at)")
# a heading is a short line (联系方式：); a longer one is a sentence
_HEADING_MAX = 16
_NAME_CUE = re.compile(r"(?:联系|联络)人\s*[:]?\s*(?=[\u4e00-\u9fff])")
_AFTER_CONTACT_CUE = re.compile(r"(?:联系|联络)人(?:及电话|及联系方式)?\s*[:]?\s*$|[、/,和及]\s*$")
_NUMBER_WORD = re.compile(r"(?:联系)?(?:电话|手机|座机|邮箱|固话)")
_LIST_GAP = re.compile(r"[\s、/,和及]*")
_TRAILING_CUE = re.compile(r"(?:联系|联络)人\s*[:]?\s*$")
_LEADING_CUE = re.compile(r"^(?:联系方式|联系人|联系电话)[:]?")


@dataclass
class _Person:
    start: int
    end: int
    name: str | None
    department: str | None = None
    topic: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    last: int = 0


def find_contacts(cleaned: str, view: str, start: int = 0, end: int | None = None) -> list[Contact]:
    """The contacts of ``view[start:end]``, in text order.

    >>> from reminder.extract.normalize import clean, match_view
    >>> c = clean("联系人：张三；联系电话：(0571)8765 4321")
    >>> [x.label() for x in find_contacts(c, match_view(c))]
    ['张三 0571-87654321']
    """
    end = len(view) if end is None else end
    v = contact_vocab()
    # the digits first: they are scanned for in any case, and where there are some the cue search (a
    # scan of its own, often to the notice's end) need not run
    digits = [m.start() for m in _DIGITS.finditer(view, start, end)]
    if not digits and not v.cue.search(view, start, end):
        return []
    out: list[Contact] = []
    for r0, r1 in _regions(view, start, end, v, digits):
        cued = bool(v.cue.search(view, r0, r1)) or bool(v.heading.search(view, max(start, r0 - 30), r0))
        people = _people(view, r0, r1, v)
        if not cued:  # 高新处 王五 0571-…: a name right before a phone needs no cue
            people = [p for p in people if p.name and p.phones]
        out += [_contact(p, cleaned, view, r0, r1) for p in people]
    return out


def _regions(view: str, start: int, end: int, v: ContactVocab, digits: list[int]) -> list[tuple[int, int]]:
    """Runs of adjacent contact lines: lines with a phone, an email or 联系人, and the lines after a heading
    (``digits``: where ``_DIGITS`` matches in ``view[start:end]``)."""
    lines = set(_lines_with_numbers(view, start, end, digits))
    for m in literal_finditer(v.heading, v.heading_firsts, view, start, end):
        h0, pos = line_bounds(view, m.start(), start, end)
        if pos - h0 > _HEADING_MAX:  # a sentence mentioning 联系人, not a heading
            continue
        for _ in range(v.heading_reach):
            if pos >= end:
                break
            nxt = line_bounds(view, pos + 1, start, end)
            lines.add(nxt)
            pos = nxt[1]
    regions: list[tuple[int, int]] = []
    for l0, l1 in sorted(lines):
        if regions and view.count("\n", regions[-1][1], l0) <= 1 and l0 <= regions[-1][1] + 1:
            regions[-1] = (regions[-1][0], max(regions[-1][1], l1))
        elif not regions or l0 > regions[-1][1]:
            regions.append((l0, l1))
    return regions


def _lines_with_numbers(view: str, start: int, end: int, digits: list[int]) -> list[tuple[int, int]]:
    """The lines of ``view[start:end]`` holding a phone, an email or 联系人, in order (``digits``: where
    ``_DIGITS`` matches there)."""
    lines: list[tuple[int, int]] = []
    line_end = -1
    anchors = list(digits)
    # a scan per word runs at C speed, one alternation of them would not; str.find (positions) skips
    # over these words' text faster than the engine's literal scan (word_spans), and as none of them
    # can overlap itself, finds the same starts
    for mark in _MARKS:
        anchors += positions(view, mark, start, end)
    anchors.sort()
    for pos in anchors:  # cheap anchors first; the phone and email patterns only on their lines
        if pos <= line_end:
            continue
        l0, line_end = line_bounds(view, pos, start, end)
        line = view[l0:line_end]
        mail = "@" in line or "at]" in line or "at)" in line
        if has_phone(line) or (mail and EMAIL.search(line)) or _NAME_CUE.search(line):
            lines.append((l0, line_end))
    return lines


def _people(view: str, l0: int, l1: int, v: ContactVocab) -> list[_Person]:
    phones = [
        p
        for p in phones_in(view, l0, l1)
        if not v.not_phone_before.search(view, max(l0, p.span[0] - 8), p.span[0])
    ]
    emails = [e for e in emails_in(view, l0, l1) if not _SEND.search(view, max(l0, e[1][0] - 10), e[1][0])]
    phones = [p for p in phones if not any(e[1][0] <= p.span[0] < e[1][1] for e in emails)]
    if not phones and not emails:  # 联系人：陈某 (the phone may follow on the next line)
        named = _names(view, l0, l1, [], v)
        for p in named:
            p.department = _department(view, _line_start(view, l0, p.start), p.start, v)
        return [p for p in named if _NAME_CUE.search(view, l0, p.end)][:1]
    stops = sorted([(p.span[0], p.span[1]) for p in phones] + [e[1] for e in emails])
    people = _names(view, l0, l1, stops, v)
    first = stops[0][0]
    if not people or people[0].start > first:
        people.insert(0, _Person(first, first, None))
    for text, span in sorted([(p.text, p.span) for p in phones] + emails, key=lambda x: x[1]):
        owner = _owner(people, span[0])
        ls = _line_start(view, l0, span[0])
        if "@" not in text and owner.phones and owner.start < ls:  # a new line of phones: a new entry
            owner = _Person(ls, ls, None)
            people.append(owner)
            people.sort(key=lambda p: p.start)
        (owner.emails if "@" in text else owner.phones).append(text)
        owner.last = max(owner.last, span[1])
    people = _share(people, view)
    for p in people:
        p.department = p.department or _department(view, _line_start(view, l0, p.start), p.start, v)
        p.topic = _topic(view, _line_start(view, l0, max(p.last, p.end) - 1), p, v)
    return [p for p in people if p.phones or p.emails or p.name]


def _names(view: str, l0: int, l1: int, stops: list[tuple[int, int]], v: ContactVocab) -> list[_Person]:
    out: list[_Person] = []
    for m in v.name.finditer(view, l0, l1):
        if any(a <= m.start() < b for a, b in stops) or set(m.group("name")) & v.not_name_chars:
            continue
        name = m.group("name").replace(" ", "")
        before = view[_line_start(view, l0, m.start()) : m.start()]
        after = view[m.end() : l1].lstrip(" :,;\n")
        listed = bool(_AFTER_CONTACT_CUE.search(before)) and (
            not out
            or bool(_NAME_CUE.search(before))
            or out[-1].end >= len(before.rstrip("、/,和及 ")) + l0 - 1
        )
        precedes_number = bool(PHONE.match(after) or _NUMBER_WORD.match(after))
        at_start = after[:1] in ("、", ",") and (
            not _LEAD.sub("", before).strip() or before.rstrip().endswith(":")
        )
        if listed or precedes_number or at_start or _CUE_PREFIX.search(before):
            out.append(_Person(m.start(), m.end(), name, last=m.end()))
    for m in _office_phones(view, l0, l1, v):  # 高新科5820679 农业科5820676: offices without names
        if not any(p.start <= m.end("dept") and m.start("dept") <= p.end for p in out):
            dept = _CUE_PREFIX.sub("", m.group("dept")) or None
            out.append(_Person(m.start("dept"), m.end("dept"), None, department=dept, last=m.end("dept")))
    return sorted(out, key=lambda p: p.start)


def _office_phones(view: str, l0: int, l1: int, v: ContactVocab) -> list[re.Match[str]]:
    """``list(v.office_phone.finditer(view, l0, l1))``, the pattern run only before the phones.

    Every office name ends with a suffix (室, 科…) right before what leads to a phone's first digits
    (``office_end``): the pattern runs in the stretch from the longest name before such an end to
    those digits, where its matches lie whole. (The engine would try a repeat and a list of suffixes
    at every Chinese character of the lines.)
    """
    hits = []  # (an office name's end, the end of what leads from it to the phone's digits)
    for end in (m.end() for m in v.office_end.finditer(view, l0, l1)):
        tail = v.office_tail.match(view, end, l1)
        hits.append((end, tail.end() if tail else l1))
    stretches = windows_at(hits, l0, l1, v.office_chars, 0)
    return [m for w0, w1 in stretches for m in v.office_phone.finditer(view, w0, w1)]


def _line_start(view: str, lo: int, pos: int) -> int:
    return max(lo, view.rfind("\n", lo, pos) + 1)


def _owner(people: list[_Person], pos: int) -> _Person:
    owner = people[0]
    for p in people:
        if p.start <= pos:
            owner = p
    return owner


def _share(people: list[_Person], view: str) -> list[_Person]:
    """张三、李四，电话：… — names listed with nothing between them are one entry with the next one's numbers."""
    out: list[_Person] = []
    for p in people:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.name
            and p.name
            and not prev.phones
            and not prev.emails
            and _LIST_GAP.fullmatch(view[prev.end : p.start])
        ):
            prev.name = f"{prev.name}、{p.name}"
            prev.end, prev.phones, prev.emails, prev.last = p.end, p.phones, p.emails, p.last
            continue
        out.append(p)
    return out


def _department(view: str, l0: int, pos: int, v: ContactVocab) -> str | None:
    before = view[l0:pos]
    before = _CUE_PREFIX.sub("", before).rstrip(" :,")
    before = _TRAILING_CUE.sub("", before)
    m = v.department.search(_LEAD.sub("", before))
    if not m:
        return None
    dept = _LEADING_CUE.sub("", m.group("dept")).strip("()")
    return dept or None


def _topic(view: str, l0: int, p: _Person, v: ContactVocab) -> str | None:
    found = list(v.topic.finditer(view, l0, p.last or p.end))
    m = found[-1] if found else None
    if m is None or not v.topic_words.search(m.group("topic")):
        return None
    return _LEAD.sub("", m.group("topic")).removeprefix("联系").strip() or None


def _verbatim(cleaned: str, view: str, text: str | None, lo: int, hi: int) -> str | None:
    """``text`` (read in the view) as the notice writes it: 林小华 → 林小華."""
    if not text:
        return text
    i = view.rfind(text, lo, hi)
    return cleaned[i : i + len(text)] if i >= 0 else text


def _contact(p: _Person, cleaned: str, view: str, r0: int, r1: int) -> Contact:
    q0 = line_bounds(view, p.start, r0, r1)[0]
    q1 = line_bounds(view, max(p.last, p.end) - 1, r0, r1)[1]
    name = None
    if p.name:
        name = re.sub(
            r"\s+", "", re.sub(r"[\s,/和及、]*[,/和及、][\s,/和及、]*", "、", cleaned[p.start : p.end])
        )
    return Contact(
        quote=quote(cleaned, q0, q1),
        span=(p.start, max(p.last, p.end)),
        name=name,
        department=_verbatim(cleaned, view, p.department, q0, max(p.start, p.end)),
        phones=tuple(dict.fromkeys(p.phones)),
        emails=tuple(dict.fromkeys(p.emails)),
        topic=_verbatim(cleaned, view, p.topic, q0, q1),
        rule="contact_lines" if "\n" in view[q0:q1] else "contact_line",
    )
