"""The vocabulary of :mod:`reminder.extract.segment`, loaded from ``data/segment.yaml`` and compiled once.

Every key is checked when the file loads; a mistake raises :class:`DataFileError` naming the file and
the key (``segment.yaml: item_markers[2].style: …``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from reminder.errors import DataFileError
from reminder.extract._data import alternation, load_table, needed_words, word_guard
from reminder.extract.regex_shortcuts import (
    _split_group,
    after_newline,
    by_first_char,
    first_char_test,
    found_from,
    leading_char,
    split_leading,
)
from reminder.extract.word_lists import literal_words

__all__ = ["AnyCue", "Cue", "ItemMarker", "SegmentVocab", "any_cue", "holds_any", "literal_found", "vocab"]

_FILE = "segment"

_KEYS: dict[str, type] = {
    "item_markers": list,
    "tag": str,
    "body_tags": str,
    "policy_tags": str,
    "title_endings": dict,
    "policy_title_needs": str,
    "title_trailer": str,
    "body_starters": list,
    "title_reject_start": str,
    "loose_title_skip": str,
    "attachment_header": str,
    "title_min_chars": int,
    "title_max_chars": int,
    "weak_title": dict,
    "toc_line": str,
    "toc_header": str,
    "heading": dict,
    "region": dict,
    "issuer": dict,
    "national_addressee": str,
    "published_labels": str,
    "call_cues": list,
    "rolling_cues": str,
    "not_call_title": str,
    "call_title": str,
    "policy_text_title": str,
    "news": dict,
}
_ENDINGS_KEYS = {"notice": list, "policy": list, "tagged": list}
_WEAK_KEYS = {"min_chars": int, "max_chars": int, "reject_end": str, "words": str}
_HEADING_KEYS = {
    "level_words": dict,
    "call_words": list,
    "policy_words": list,
    "needs_level": list,
    "prefixes": str,
    "fillers": str,
    "standalone": str,
    "ordinal": str,
    "empty_markers": list,
    "max_chars": int,
}
_REGION_KEYS = {"provinces": list, "provincial_cities": list, "units": dict, "not_unit_after": str}
_ISSUER_KEYS = {
    "org_suffix": str,
    "aside": str,
    "title_split": str,
    "title_kind": str,
    "interpret": str,
    "national": str,
    "abbreviations": dict,
    "max_chars": int,
}
_NEWS_KEYS = {"threshold": int, "head_lines": int, "rules": list}
_MARKER_KEYS = {"name": str, "style": str, "pattern": str}
_CUE_KEYS = {"name": str, "pattern": str, "weak": bool}
_NEWS_RULE_KEYS = {"name": str, "pattern": str, "weight": int, "head": bool}
_LEVELS = ("national", "provincial", "municipal", "district")


@dataclass(frozen=True)
class ItemMarker:
    """One kind of item numbering (``1.``, ``14、``, ``(一)``, ``★``)."""

    name: str
    #: numbering sequences of different styles never continue each other
    style: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Cue:
    """A named pattern; ``weight`` and ``head`` matter only for news signals."""

    name: str
    regex: re.Pattern[str]
    weight: int = 1
    #: only searched in the first lines of the document
    head: bool = False
    #: a call cue that a policy text may also say (可申请, 组织…认定工作): not enough under a policy title
    weak: bool = False
    #: words one of which every match contains (:func:`needed_words`), tested before the regex
    needs: tuple[str, ...] | None = None
    #: for a pattern that starts at a line start (``^`` with re.M): the rest of it after a line break
    #: (:func:`after_newline`)
    after_newline: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        """``regex.search(text)``, skipped when ``text`` lacks every word a match needs."""
        return self.regex.search(text) if self._may_match(text) else None

    def found(self, text: str) -> bool:
        """Whether ``regex`` matches in ``text`` (what ``bool(search(text))`` says, found faster)."""
        parts = self._parts
        if parts is not None:
            # the parts are scanned for as fast as the needed words would be, unless those are single
            # characters (``in``, faster still)
            if self.needs is not None and _words_rx(self.needs) is None and not holds_any(text, self.needs):
                return False
            for part, lead in self._leads:  # (a loop: a generator costs more than the few parts)
                if found_from(part, lead, text):
                    return True
            return False
        if not self._may_match(text):
            return False
        if self.after_newline is None:
            return found_from(self.regex, self._lead, text)
        # the engine looks for a literal line break at C speed, where it tries ^ at every position
        return self.regex.match(text) is not None or self.after_newline.search(text) is not None

    @functools.cached_property
    def _parts(self) -> tuple[re.Pattern[str], ...] | None:
        """The pattern split by the first character of its leading words (:func:`split_leading`), for
        ``found``: one of them matches where the pattern does."""
        return split_leading(self.regex) if self.after_newline is None else None

    @functools.cached_property
    def _lead(self) -> str | None:
        """The character every match of ``regex`` starts with (None: unknown)."""
        return leading_char(self.regex)

    @functools.cached_property
    def _leads(self) -> tuple[tuple[re.Pattern[str], str | None], ...]:
        """Each of ``_parts`` with the character every match of it starts with (None: unknown)."""
        return tuple((part, leading_char(part)) for part in self._parts or ())

    def _may_match(self, text: str) -> bool:
        """Whether ``text`` holds one of the words every match holds."""
        return self.needs is None or holds_any(text, self.needs)


@dataclass(frozen=True)
class AnyCue:
    """Whether any of several cues matches a text, found by one scan of it (:func:`any_cue`)."""

    cues: tuple[Cue, ...]
    #: the alternation of the cues, each split by its first characters; None: the cues are tried in turn
    regex: re.Pattern[str] | None
    #: the patterns of cues that start at a line start, tried at the text's start (``regex`` holds
    #: them after a line break)
    at_start: tuple[re.Pattern[str], ...] = ()

    def found(self, text: str) -> bool:
        """``any(c.found(text) for c in cues)``."""
        if self.regex is None:
            return any(c.found(text) for c in self.cues)
        return self.regex.search(text) is not None or any(rx.match(text) is not None for rx in self.at_start)


def any_cue(cues: tuple[Cue, ...]) -> AnyCue:
    """The cues as one alternation. A text holds a match of one of them exactly when it holds a match
    of the alternation, which the engine finds in one pass: it skips to the characters some
    alternative starts with (each starts with a literal one: a cue's leading group is split by first
    character, :func:`split_leading`, and the alternatives of one character are grouped), where each
    alternative is dismissed by its first character unless it stands there. A scan per cue (per first
    character) costs more on a long body that calls for nothing. (Falls back to the cues in turn for
    patterns this cannot join: a back-reference or named group, other flags.)"""
    if not cues:
        return AnyCue(cues, None)
    flags = {c.regex.flags for c in cues}
    if len(flags) != 1 or flags.pop() & re.VERBOSE or any(_REFERS.search(c.regex.pattern) for c in cues):
        return AnyCue(cues, None)
    by_first: dict[str, list[str]] = {}
    others: list[str] = []
    at_start = []
    for c in cues:
        if c.after_newline is not None:
            at_start.append(c.regex)
            branches = [c.after_newline.pattern]
        else:
            branches = _top_branches(c.regex.pattern)
        for branch in branches:
            parts = split_leading(re.compile(branch, c.regex.flags), most=len(branch))
            for text in [p.pattern for p in parts] if parts else [branch]:
                first, tail = text[:1], text[1:]
                if first and first not in _SPECIAL and tail[:1] not in ("*", "+", "?", "{"):
                    by_first.setdefault(first, []).append(tail)
                else:
                    others.append(text)
    joined = [f"{re.escape(ch)}(?:{'|'.join(tails)})" for ch, tails in by_first.items()]
    try:
        regex = re.compile("|".join(joined + [f"(?:{o})" for o in others]), cues[0].regex.flags)
    except re.error:  # (a pattern with inline flags, say)
        return AnyCue(cues, None)
    return AnyCue(cues, regex, tuple(at_start))


_SPECIAL = set("\\[](){}|?*+.^$")
#: a back-reference or a named group: cues holding one are not joined (the numbers and names would clash)
_REFERS = re.compile(r"\\\d|\(\?P")


def _top_branches(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (``A|B`` → A, B)."""
    split = _split_group("(?:" + pattern + ")")
    return split[0] if split is not None and not split[1] else [pattern]


def holds_any(text: str, words: tuple[str, ...]) -> bool:
    """``any(w in text for w in words)``, found faster in a long text (:func:`_words_rx`)."""
    parts = _words_rx(words)
    if parts is None:
        return any(w in text for w in words)
    for part, lead in parts:
        if found_from(part, lead, text):
            return True
    return False


@functools.lru_cache(maxsize=256)
def _words_rx(words: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str | None], ...] | None:
    """The words as patterns (:func:`by_first_char`), each with its leading character, when one of them
    is longer than a character; None for single characters, which ``in`` finds fastest."""
    if all(len(w) == 1 for w in words):
        return None
    return tuple((part, leading_char(part)) for part in by_first_char(words))


def literal_found(rx: re.Pattern[str], text: str) -> bool:
    """``rx.search(text) is not None``, for a pattern that is a list of words (:func:`_split_words`)."""
    known = _SPLITS.get(id(rx))
    if known is None or known[0] is not rx:  # (keyed by id: a pattern hashes its whole code)
        known = _SPLITS[id(rx)] = (rx, tuple((part, leading_char(part)) for part in _split_words(rx)))
    for part, lead in known[1]:
        if found_from(part, lead, text):
            return True
    return False


#: id of a pattern → (the pattern, its _split_words each with its leading character)
_SPLITS: dict[int, tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str | None], ...]]] = {}


def _split_words(rx: re.Pattern[str]) -> tuple[re.Pattern[str], ...]:
    """A list of words split by first character (:func:`by_first_char`, 学(?:习|校)|工作). Only a few
    such patterns (the words' first characters) are worth it; ``(rx,)`` otherwise, and for any pattern
    that is not a list of words."""
    words = literal_words(rx.pattern) if rx.flags == re.UNICODE else None
    if not words or len({w[0] for w in words}) > _SPLIT_MAX:
        return (rx,)
    return by_first_char(words)


#: at most this many first characters: one scan each
_SPLIT_MAX = 8


@dataclass(frozen=True)
class SegmentVocab:
    """Compiled patterns and word tables of ``segment.yaml``."""

    item_markers: tuple[ItemMarker, ...]
    tag: re.Pattern[str]
    body_tag: re.Pattern[str]
    policy_tag: re.Pattern[str]
    #: notice / policy / tagged title endings, each followed by the allowed trailer, anchored at the end
    notice_end: re.Pattern[str]
    policy_end: re.Pattern[str]
    tagged_end: re.Pattern[str]
    #: every ending word (searched left to right to cut a title glued to its body)
    any_end: re.Pattern[str]
    #: the ending words alone (:func:`word_guard` of any_end): a text they are not in holds no title
    #: ending; None when they cannot be read from the pattern
    end_words: re.Pattern[str] | None
    policy_title_needs: re.Pattern[str]
    body_starter: re.Pattern[str]
    page_number: re.Pattern[str]
    title_reject_start: re.Pattern[str]
    #: lines never taken as the title of text without a title line
    loose_title_skip: re.Pattern[str]
    attachment_header: re.Pattern[str]
    title_min: int
    title_max: int
    weak_min: int
    weak_max: int
    weak_reject_end: re.Pattern[str]
    weak_words: re.Pattern[str]
    #: the words every match of weak_words holds (:func:`word_guard`), or None
    weak_guard: re.Pattern[str] | None
    toc_line: re.Pattern[str]
    toc_header: re.Pattern[str]
    heading: re.Pattern[str]
    heading_ordinal: re.Pattern[str]
    #: the characters heading_ordinal can start with (:func:`first_char_test`): a line holding none
    #: holds no ordinal; None when any may
    heading_ordinal_start: re.Pattern[str] | None
    heading_levels: dict[str, str]
    heading_calls: frozenset[str]
    heading_policies: frozenset[str]
    heading_needs_level: frozenset[str]
    heading_standalone: re.Pattern[str]
    heading_max: int
    empty_marker: re.Pattern[str]
    #: what a heading holds at least one of: 级 (after a level word) or a kind word (可申报项目, 政策篇)
    heading_words: re.Pattern[str]
    #: the unit words a region heading ends with (浙江省, 上城区)
    region_ends: tuple[str, ...]
    #: the lines that are a heading as a whole: provinces (浙江) and empty markers (暂无)
    heading_whole: frozenset[str]
    #: what every line that may be a heading matches (:func:`_heading_guard`), searched before the line
    #: is read
    heading_guard: re.Pattern[str]
    region_line: re.Pattern[str]
    #: one place name of an issuer's leading chain (浙江省 / 杭州市 / 临安区), matched at a position
    region_unit: re.Pattern[str]
    region_units: dict[str, str]
    provinces: re.Pattern[str]
    provincial_cities: frozenset[str]
    org_suffix: re.Pattern[str]
    aside: re.Pattern[str]
    title_issuer_split: re.Pattern[str]
    #: a title that is only issuer + document kind: 经济部公告
    title_issuer_kind: re.Pattern[str]
    interpret: re.Pattern[str]
    national_name: re.Pattern[str]
    abbreviations: dict[str, str]
    issuer_max: int
    national_addressee: re.Pattern[str]
    published_label: re.Pattern[str]
    call_cues: tuple[Cue, ...]
    #: whether any call cue matches (:func:`any_cue`); ``strong_calls``: any not ``weak`` one
    calls: AnyCue
    strong_calls: AnyCue
    rolling: re.Pattern[str]
    not_call_title: re.Pattern[str]
    #: a formal title naming a call (关于开展…认定工作的通知): a call whatever the body's cues
    call_title: re.Pattern[str]
    #: a title that issues a policy text (关于印发…办法的通知): weak call cues do not make it a call
    policy_text_title: re.Pattern[str]
    news_threshold: int
    news_head_lines: int
    news_rules: tuple[Cue, ...]
    #: every item marker in one alternation tried in order (group ``m<i>``: marker i matched, ``n<i>``:
    #: its number), so a line is matched once instead of once per marker; None when the patterns
    #: cannot be joined (back-references)
    item_marker_rx: re.Pattern[str] | None = None
    #: group ``m<i>`` of item_marker_rx → (marker i's style, its number's group ``n<i>`` or None)
    item_marker_groups: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: words one of which every national_addressee match holds (tested before the regex)
    national_needs: tuple[str, ...] | None = None
    #: words one of which every attachment_header match holds: only lines holding one can be a header
    attachment_needs: tuple[str, ...] | None = None
    #: an ending word followed by what a title may end before (nothing, body_starter, page_number):
    #: where segment_lines._title_end can end a title (it reads them one by one, with more tests)
    title_stop: re.Pattern[str] | None = None
    #: line text → its item marker (style, number, length), filled by ``segment_lines._marker``
    marker_memo: dict[str, tuple[str | None, int | None, int]] = field(
        default_factory=dict, compare=False, repr=False
    )


def _marker_groups(
    markers: tuple[ItemMarker, ...], rx: re.Pattern[str] | None
) -> dict[str, tuple[str, str | None]]:
    if rx is None:
        return {}
    return {
        f"m{i}": (marker.style, f"n{i}" if f"n{i}" in rx.groupindex else None)
        for i, marker in enumerate(markers)
    }


def _markers_rx(markers: tuple[ItemMarker, ...]) -> re.Pattern[str] | None:
    parts = []
    for i, marker in enumerate(markers):
        pattern = marker.regex.pattern
        if "(?P=" in pattern or re.search(r"\\[1-9]", pattern) or re.search(r"\(\?P<(?!n>)", pattern):
            return None
        parts.append(f"(?P<m{i}>{pattern.replace('(?P<n>', f'(?P<n{i}>')})")
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None


def _title_stop(
    any_end: re.Pattern[str], starter: re.Pattern[str], page: re.Pattern[str]
) -> re.Pattern[str] | None:
    """SegmentVocab.title_stop; None (every line read) when the body starters look before or at their
    start (^, \\A, a lookbehind, a word boundary): _title_end matches them on the rest alone, where
    this pattern would see the ending word before them."""
    if re.search(r"\^|\\A|\(\?<[=!]|\\[bB]", starter.pattern):
        return None
    return _compile("title_endings", f"(?:{any_end.pattern})\\s*(?:$|{starter.pattern}|{page.pattern})")


def _compile(key: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise DataFileError(f"{_FILE}.yaml: {key}: 无效的正则 / invalid regex {pattern!r}: {exc}") from exc


def _section(data: dict[str, Any], key: str, allowed: Mapping[str, type]) -> dict[str, Any]:
    """A nested mapping checked like the top level: no unknown, missing or mistyped key."""
    section = data[key]
    for sub, value in section.items():
        if sub not in allowed:
            raise DataFileError(
                f"{_FILE}.yaml: {key}.{sub}: 未知的键 / unknown key; allowed: {', '.join(allowed)}"
            )
        if not isinstance(value, allowed[sub]):
            raise DataFileError(f"{_FILE}.yaml: {key}.{sub}: 应为 / must be {allowed[sub].__name__}")
    missing = [k for k in allowed if k not in section]
    if missing:
        raise DataFileError(f"{_FILE}.yaml: {key}: 缺少键 / missing keys {', '.join(missing)}")
    return cast(dict[str, Any], section)


def _entries(
    data: dict[str, Any], key: str, allowed: Mapping[str, type], required: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The rule list under ``key``; each entry is a mapping with known keys and a ``name``."""
    out = []
    for i, entry in enumerate(data[key]):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            raise DataFileError(f"{_FILE}.yaml: {where}: 应为映射 / must be a mapping")
        for sub, value in entry.items():
            if sub not in allowed:
                raise DataFileError(
                    f"{_FILE}.yaml: {where}.{sub}: 未知的键 / unknown key; allowed: {', '.join(allowed)}"
                )
            if not isinstance(value, allowed[sub]):
                raise DataFileError(f"{_FILE}.yaml: {where}.{sub}: 应为 / must be {allowed[sub].__name__}")
        for sub in required:
            if sub not in entry:
                raise DataFileError(f"{_FILE}.yaml: {where}: 缺少键 / missing key {sub!r}")
        out.append(entry)
    return out


def _levels(key: str, table: dict[str, Any]) -> dict[str, str]:
    for word, level in table.items():
        if level not in _LEVELS:
            raise DataFileError(
                f"{_FILE}.yaml: {key}.{word}: 级别应为 / level must be one of {', '.join(_LEVELS)}"
            )
    return {str(k): str(v) for k, v in table.items()}


def _ending(words: list[str], trailer: str, key: str) -> re.Pattern[str]:
    return _compile(key, f"(?:{alternation(words)}){trailer}$")


# 国家级, 省级: the character after a level word in a heading
_LEVEL_SUFFIX = "级"


def _heading_regex(h: dict[str, Any], levels: dict[str, str]) -> re.Pattern[str]:
    kinds = alternation(h["call_words"] + h["policy_words"])
    pattern = (
        f"^{h['prefixes']}?(?P<region>[\\u4e00-\\u9fff]{{0,8}}?)"
        f"(?:(?P<level>{alternation(list(levels))}){_LEVEL_SUFFIX})?{h['fillers']}?"
        f"(?P<kind>{kinds})?{h['fillers']}?$"
    )
    return _compile("heading", pattern)


def _heading_guard(words: list[str], ends: list[str]) -> re.Pattern[str]:
    """A pattern that every line holding a heading matches: one of the heading ``words`` (级, 政策篇) or,
    at its end, one of ``ends`` (浙江省, 暂无). The words of a heading are the line's without its
    numbering and ordinal, its spaces and its closing brackets (segment_lines.read_heading): here the
    spaces may stand between the characters and the brackets after them."""
    rests: dict[str, list[str]] = {}
    for w in (*words, *ends):
        rest = "".join(r"\s*" + re.escape(c) for c in w[1:])
        rests.setdefault(w[0], []).append(rest if w in words else rest + r"[\s【】\[\]]*$")
    # (grouped by first character: the engine only tries the positions holding one, and there only
    # the words starting with it)
    return re.compile("|".join(f"{re.escape(c)}(?:{'|'.join(r)})" for c, r in rests.items()))


def _region_regexes(r: dict[str, Any]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    units = alternation(list(r["units"]))
    line = _compile(
        "region",
        f"^(?:(?P<name>[\\u4e00-\\u9fff]{{1,8}}?)(?P<unit>{units})|(?P<province>{alternation(r['provinces'])}))$",
    )
    unit = _compile("region.units", f"[\\u4e00-\\u9fff]{{1,8}}?(?P<unit>{units})(?!{r['not_unit_after']})")
    return line, unit


def _cues(data: dict[str, Any]) -> tuple[Cue, ...]:
    entries = _entries(data, "call_cues", _CUE_KEYS, ("name", "pattern"))
    out = []
    for e in entries:
        regex = _compile(f"call_cues.{e['name']}", e["pattern"], re.M)
        needs = needed_words(regex)
        out.append(
            Cue(
                e["name"],
                regex,
                weak=e.get("weak", False),
                needs=needs,
                after_newline=after_newline(regex),
            )
        )
    return tuple(out)


def _news(data: dict[str, Any]) -> tuple[int, int, tuple[Cue, ...]]:
    news = _section(data, "news", _NEWS_KEYS)
    rules = _entries(news, "rules", _NEWS_RULE_KEYS, ("name", "pattern", "weight"))
    cues = []
    for e in rules:
        regex = _compile(f"news.rules.{e['name']}", e["pattern"], re.M)
        # (a rule runs over the whole text: up to five scans for words are cheaper than the regex's)
        needs = needed_words(regex, most=5)
        cues.append(
            Cue(
                e["name"],
                regex,
                e["weight"],
                e.get("head", False),
                needs=needs,
                after_newline=after_newline(regex),
            )
        )
    return news["threshold"], news["head_lines"], tuple(cues)


@functools.cache
def vocab() -> SegmentVocab:
    """The compiled vocabulary (loaded once per process).

    Raises:
        DataFileError: ``segment.yaml`` has an unknown, missing or mistyped key, or a bad regex.
    """
    data = load_table(_FILE, _KEYS)
    markers = tuple(
        ItemMarker(
            e["name"], e["style"], _compile(f"item_markers.{e['name']}", r"^\s*(?:" + e["pattern"] + r")\s*")
        )
        for e in _entries(data, "item_markers", _MARKER_KEYS, ("name", "style", "pattern"))
    )
    endings = _section(data, "title_endings", _ENDINGS_KEYS)
    trailer = data["title_trailer"]
    weak = _section(data, "weak_title", _WEAK_KEYS)
    h = _section(data, "heading", _HEADING_KEYS)
    levels = _levels("heading.level_words", h["level_words"])
    r = _section(data, "region", _REGION_KEYS)
    region_line, region_unit = _region_regexes(r)
    iss = _section(data, "issuer", _ISSUER_KEYS)
    threshold, head_lines, news_rules = _news(data)
    return SegmentVocab(
        item_markers=markers,
        tag=_compile("tag", data["tag"] + r"\s*"),
        body_tag=_compile("body_tags", data["body_tags"]),
        policy_tag=_compile("policy_tags", data["policy_tags"]),
        notice_end=_ending(endings["notice"], trailer, "title_endings.notice"),
        policy_end=_ending(endings["policy"], trailer, "title_endings.policy"),
        tagged_end=_ending(endings["notice"] + endings["tagged"], trailer, "title_endings.tagged"),
        any_end=(
            any_end := _compile(
                "title_endings", f"(?:{alternation(endings['notice'] + endings['policy'])}){trailer}"
            )
        ),
        end_words=word_guard(any_end),
        policy_title_needs=_compile("policy_title_needs", data["policy_title_needs"]),
        body_starter=(
            starter := _compile("body_starters", "|".join(f"(?:{p})" for p in data["body_starters"]))
        ),
        page_number=(page := re.compile(r"\d{1,3}\s*(?:$|(?=[^\d\s个家项名天人次万元%年月日号.、]))")),
        title_stop=_title_stop(any_end, starter, page),
        title_reject_start=_compile("title_reject_start", data["title_reject_start"]),
        loose_title_skip=_compile("loose_title_skip", data["loose_title_skip"]),
        attachment_header=(attachment := _compile("attachment_header", data["attachment_header"])),
        attachment_needs=needed_words(attachment),
        title_min=data["title_min_chars"],
        title_max=data["title_max_chars"],
        weak_min=weak["min_chars"],
        weak_max=weak["max_chars"],
        weak_reject_end=_compile("weak_title.reject_end", weak["reject_end"]),
        weak_words=(weak_words := _compile("weak_title.words", weak["words"])),
        weak_guard=word_guard(weak_words),
        toc_line=_compile("toc_line", data["toc_line"]),
        toc_header=_compile("toc_header", data["toc_header"]),
        heading=_heading_regex(h, levels),
        heading_ordinal=(ordinal := _compile("heading.ordinal", h["ordinal"])),
        heading_ordinal_start=first_char_test(ordinal),
        heading_levels=levels,
        heading_calls=frozenset(h["call_words"]),
        heading_policies=frozenset(h["policy_words"]),
        heading_needs_level=frozenset(h["needs_level"]),
        heading_standalone=_compile("heading.standalone", h["standalone"]),
        heading_max=h["max_chars"],
        empty_marker=_compile("heading.empty_markers", f"^(?:{alternation(h['empty_markers'])})$"),
        heading_words=re.compile(
            alternation(head_words := [_LEVEL_SUFFIX, *h["call_words"], *h["policy_words"]])
        ),
        region_ends=tuple(r["units"]),
        heading_whole=frozenset(whole := [*r["provinces"], *h["empty_markers"]]),
        heading_guard=_heading_guard(head_words, [*r["units"], *whole]),
        region_line=region_line,
        region_unit=region_unit,
        region_units=_levels("region.units", r["units"]),
        provinces=_compile("region.provinces", alternation(r["provinces"])),
        provincial_cities=frozenset(r["provincial_cities"]),
        org_suffix=_compile("issuer.org_suffix", iss["org_suffix"]),
        aside=_compile("issuer.aside", iss["aside"]),
        title_issuer_split=_compile("issuer.title_split", iss["title_split"]),
        title_issuer_kind=_compile("issuer.title_kind", iss["title_kind"]),
        interpret=_compile("issuer.interpret", iss["interpret"]),
        national_name=_compile("issuer.national", iss["national"]),
        abbreviations=_levels("issuer.abbreviations", iss["abbreviations"]),
        issuer_max=iss["max_chars"],
        national_addressee=(national := _compile("national_addressee", data["national_addressee"])),
        national_needs=needed_words(national),
        published_label=_compile("published_labels", data["published_labels"]),
        call_cues=(cues := _cues(data)),
        calls=any_cue(cues),
        strong_calls=any_cue(tuple(c for c in cues if not c.weak)),
        rolling=_compile("rolling_cues", data["rolling_cues"]),
        not_call_title=_compile("not_call_title", data["not_call_title"]),
        call_title=_compile("call_title", data["call_title"]),
        policy_text_title=_compile("policy_text_title", data["policy_text_title"]),
        news_threshold=threshold,
        news_head_lines=head_lines,
        news_rules=news_rules,
        item_marker_rx=(marker_rx := _markers_rx(markers)),
        item_marker_groups=_marker_groups(markers, marker_rx),
    )
