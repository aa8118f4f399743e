"""The vocabulary of contacts, loaded from ``data/contacts.yaml`` and compiled once.

Every key is checked when the file loads; a mistake raises :class:`DataFileError` naming the file and
the key (``contacts.yaml: surnames: …``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reminder import tables
from reminder.extract._data import alternation, load_table

__all__ = ["ContactVocab", "contact_vocab"]

_FILE = "contacts.yaml"
_KEYS: dict[str, type] = {
    "cues": list,
    "headings": list,
    "heading_reach": int,
    "not_phone_before": list,
    "surnames": str,
    "compound_surnames": list,
    "name_titles": list,
    "not_name_chars": str,
    "department_suffixes": list,
    "topic_words": list,
}


@dataclass(frozen=True)
class ContactVocab:
    """Compiled patterns of ``contacts.yaml``."""

    cue: re.Pattern[str]
    heading: re.Pattern[str]
    #: the characters the headings start with (see :func:`~reminder.extract.facts_text.literal_finditer`)
    heading_firsts: str
    heading_reach: int
    not_phone_before: re.Pattern[str]
    #: a personal name (group ``name``, title included) followed by a separator, a phone or a cue
    name: re.Pattern[str]
    not_name_chars: frozenset[str]
    #: an office name at the end of the text before a name
    department: re.Pattern[str]
    #: the topic before 电话 / 热线 (group ``topic``)
    topic: re.Pattern[str]
    topic_words: re.Pattern[str]
    #: an office name right before a phone (group ``dept``): 高新科5820679
    office_phone: re.Pattern[str]
    #: the last character of an office name right before a phone (a suffix's last one: 室, 科…)
    office_end: re.Pattern[str]
    #: what follows an office name up to the phone's first digits (the look-ahead of ``office_phone``)
    office_tail: re.Pattern[str]
    #: the longest office name of ``office_phone``
    office_chars: int


#: an office name before a phone: up to this many characters before its suffix (办公室, 科…) …
_OFFICE_HEAD = 14
#: … then spaces or a colon, and the phone's first digits (高新科：0571…)
_BEFORE_PHONE = r"\s*[:]?\s*"
_PHONE_START = r"\(?0?\d{3,4}"


def _last_chars(words: list[str]) -> str:
    """The characters an office name before a phone may end with, as class items: its suffixes' last
    ones (any Chinese character when a suffix is empty, or there is none)."""
    if not words or not all(words):
        return "\u4e00-\u9fff"
    return "".join(re.escape(ch) for ch in sorted({w[-1] for w in words}))


@tables.cached
def contact_vocab() -> ContactVocab:
    """The compiled contact vocabulary (read once; :func:`reminder.tables.clear_caches` forgets it)."""
    t = load_table("contacts", _KEYS)
    lists = {
        k: tables.as_str_list(_FILE, k, t[k])
        for k in ("cues", "headings", "not_phone_before", "compound_surnames", "name_titles")
    }
    lists.update({k: tables.as_str_list(_FILE, k, t[k]) for k in ("department_suffixes", "topic_words")})
    surnames = "".join(ch for ch in str(t["surnames"]) if not ch.isspace())
    if not surnames:
        raise tables.table_error(_FILE, "surnames", "不能为空", "must not be empty")
    surname = rf"(?:{alternation(lists['compound_surnames'])}|[{re.escape(surnames)}])"
    titles = alternation(lists["name_titles"])
    after = r"(?=\s*(?:[:,;、/()和及]|\s|电话|手机|座机|联系|办公|邮箱|固话|\d|\+|$))"
    return ContactVocab(
        cue=re.compile(alternation(lists["cues"])),
        heading=re.compile(alternation(lists["headings"])),
        heading_firsts="".join(sorted({w[0] for w in lists["headings"]})),
        heading_reach=int(t["heading_reach"]),
        not_phone_before=re.compile(rf"(?:{alternation(lists['not_phone_before'])})[^\d]{{0,4}}$"),
        name=re.compile(
            rf"(?P<name>{surname}(?:(?: ?[\u4e00-\u9fff]){{1,2}}?(?:{titles})?|(?:{titles}))){after}"
        ),
        not_name_chars=frozenset(str(t["not_name_chars"])),
        department=re.compile(
            rf"(?P<dept>[\u4e00-\u9fff()]{{1,24}}?(?:{alternation(lists['department_suffixes'])}))[\s:]*$"
        ),
        topic=re.compile(r"(?P<topic>[\u4e00-\u9fff]{2,14}?)(?:电话|热线|手机|邮箱)"),
        topic_words=re.compile(alternation(lists["topic_words"])),
        office_phone=re.compile(
            rf"(?P<dept>[\u4e00-\u9fff]{{1,{_OFFICE_HEAD}}}(?:{alternation(lists['department_suffixes'])}))"
            rf"{_BEFORE_PHONE}(?={_PHONE_START})"
        ),
        office_end=re.compile(
            f"[{_last_chars(lists['department_suffixes'])}](?={_BEFORE_PHONE}{_PHONE_START})"
        ),
        office_tail=re.compile(_BEFORE_PHONE + _PHONE_START),
        office_chars=_OFFICE_HEAD + max(map(len, lists["department_suffixes"]), default=0),
    )
