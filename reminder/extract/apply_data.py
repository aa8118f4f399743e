"""The vocabulary of how to apply, loaded from ``data/apply.yaml`` and compiled once.

Every key is checked when the file loads; a mistake raises :class:`DataFileError` naming the file and
the key (``apply.yaml: recommend: …``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reminder import tables
from reminder.extract._data import alternation, load_table
from reminder.extract.facts_text import compile_rx

__all__ = ["ApplyVocab", "apply_vocab", "URL"]

_FILE = "apply.yaml"
_LISTS = (
    "prefilter",
    "system_suffixes",
    "online_verbs",
    "online_cues",
    "send_verbs",
    "address_cues",
    "post_words",
    "document_suffixes",
    "fill_verbs",
    "recommend_ends",
)
_PATTERNS = (
    "not_online",
    "post_to",
    "office_to",
    "recommend",
    "materials_cue",
    "materials_heading",
    "copies",
)
_KEYS: dict[str, type] = {**dict.fromkeys(_LISTS, list), **dict.fromkeys(_PATTERNS, str)}

#: a web address as notices write it (http(s)://…, www.…, or a bare host with a path); no trailing punctuation
URL = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9._~:/?#\[\]@!$&'*+,;=%-]+[A-Za-z0-9/#=_~-]"
    r"|\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:gov|edu|org|com|net)\.cn(?::\d+)?(?:/[A-Za-z0-9._~/?#=&%-]*)?"
)


@dataclass(frozen=True)
class ApplyVocab:
    """Compiled patterns of ``apply.yaml``."""

    prefilter: re.Pattern[str]
    #: a system named after a verb (group ``name``), or quoted (group ``qname``)
    system: re.Pattern[str]
    #: a system suffix: the system pattern is tried only around these
    system_anchor: re.Pattern[str]
    #: the verbs that end a recommendation (推荐 / 审核…): the recommend pattern is tried only before these
    recommend_anchor: re.Pattern[str]
    online_cues: re.Pattern[str]
    not_online: re.Pattern[str]
    send_before: re.Pattern[str]
    #: an address after its cue word (groups ``cue`` and ``addr``)
    address: re.Pattern[str]
    post_words: re.Pattern[str]
    post_to: re.Pattern[str]
    office_to: re.Pattern[str]
    recommend: re.Pattern[str]
    materials_cue: re.Pattern[str]
    materials_heading: re.Pattern[str]
    #: 《…申请书》: a document to submit (group ``doc``)
    document: re.Pattern[str]
    fill_verbs: re.Pattern[str]
    copies: re.Pattern[str]


@tables.cached
def apply_vocab() -> ApplyVocab:
    """The compiled how-to-apply vocabulary (read once; :func:`reminder.tables.clear_caches` forgets it)."""
    t = load_table("apply", _KEYS)
    w = {k: tables.as_str_list(_FILE, k, t[k]) for k in _LISTS}
    rx = {k: compile_rx(_FILE, k, t[k]) for k in _PATTERNS}
    suffix = alternation(w["system_suffixes"])
    verbs = alternation(w["online_verbs"])
    return ApplyVocab(
        prefilter=re.compile(alternation(w["prefilter"])),
        system=re.compile(
            rf"[“\"「](?P<qname>[^”\"」,;。\n]{{2,40}}?(?:{suffix}))[”\"」]"
            rf"|(?:{verbs})(?P<name>[\u4e00-\u9fffA-Za-z0-9]{{2,30}}?(?:{suffix}))(?![\u4e00-\u9fff]{{0,2}}(?:{suffix}))"
        ),
        system_anchor=re.compile(suffix),
        recommend_anchor=re.compile(alternation(w["recommend_ends"])),
        online_cues=re.compile(alternation(w["online_cues"])),
        not_online=rx["not_online"],
        send_before=re.compile(rf"(?:{alternation(w['send_verbs'])})[^,;。]{{0,8}}$"),
        address=re.compile(
            rf"(?P<cue>{alternation(w['address_cues'])})\s*(?::|为)\s*"
            r"(?P<addr>(?:[^。;,\n()]|\([^()\n]{0,24}\)){4,80})"
        ),
        post_words=re.compile(alternation(w["post_words"])),
        post_to=rx["post_to"],
        office_to=rx["office_to"],
        recommend=rx["recommend"],
        materials_cue=rx["materials_cue"],
        materials_heading=re.compile(t["materials_heading"], re.M),
        document=re.compile(rf"《(?P<doc>[^《》\n]{{2,50}}?(?:{alternation(w['document_suffixes'])}))》"),
        fill_verbs=re.compile(alternation(w["fill_verbs"])),
        copies=rx["copies"],
    )
