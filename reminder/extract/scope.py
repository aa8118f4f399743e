"""A notice's scope: the region whose enterprises may apply (苍南县 · 浙江省温州市苍南县; 全国; 台南市).

In order:

1. **explicit** — a registered-region condition of the notice (在本市注册 → the issuer's city), unless
   it is wider than the issuer's own area (a city relaying 在中国境内注册 keeps the city);
2. **issuer** — the office that publishes the call: the place before an office word (苍南县科技局,
   东湖高新区管委会) in the title's prefix, the 发布机构/来源 lines, the signature, ``Notice.issuer``;
   where the office is named by its level only (区经信科技局, 市科技局) or not at all, the level comes
   from whom the notice is addressed to (各县(市、区) → a city), 本市/我区 words and the offices
   applications go to, and the place is the one of that level the text names most; a place only
   cited (《浙江省…办法》), an example's, an address's or a meeting's venue weighs little; offices
   whose name tells their place (创新科技署 → 香港) count as named with it;
3. **national** — a notice of a national ministry that no local office relays, or sent to 各省、自治区;
4. otherwise unknown (None).

Places are read over the notice's own text (title, metadata, body, signature) with the one region
data set (:func:`reminder.rules.regions.region_names`), so this does not depend on how well the
segmenter found the issuer. 本市/我县/本省 in region conditions are resolved to the place here too.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import ahocorasick_rs

from reminder.extract._data import alternation, load_table
from reminder.extract.facts_text import first_finditer, windows_at
from reminder.extract.normalize import to_simplified
from reminder.extract.regex_shortcuts import positions, split_finditer, split_first
from reminder.extract.word_lists import WordScan, leftmost_first, literal_words
from reminder.model import Condition, Notice, Scope, ScopeSource
from reminder.rules.regions import (
    COUNTRY_CODE,
    NOT_MAINLAND_CODES,
    Region,
    RegionError,
    ancestors,
    local_name,
    local_path,
    region_by_code,
    region_names,
    region_within,
    relative_level,
    resolve_region,
)

__all__ = ["attach_scopes", "find_scope", "resolve_conditions", "scope_of_region"]

_KEYS: dict[str, type] = {
    "organs": list,
    "meta_labels": list,
    "addressees": dict,
    "level_offices": dict,
    "own_area": dict,
    "national_issuers": list,
    "taiwan_cues": list,
    "taiwan_central": list,
    "national_addressees": list,
    "bare_zones": dict,
    "place_offices": dict,
    "prominent_cities": list,
    "departments": list,
    "ignore": list,
}
_LEVELS = ("national", "province", "city", "district")
_DEPTH = {"country": 0, "province": 1, "city": 2, "district": 3}
# Province-level divisions that are cities (本市 of a 重庆 notice is 重庆市) …
_MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
_TAIWAN = "710000"
# … and those whose 全区/我区 means the whole autonomous region.
_AUTONOMOUS_SUFFIX = "自治区"
#: pinyin glosses injected by mirror sites after characters: 區(qū) → 區
_GLOSS = re.compile(r"\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7} ?\)")
#: what follows an office in a signature: its date, or the end of the text
_SIGNED = re.compile(r"\s*(?:[(（]?\s*)?(?:(?:19|20)\d{2}\s*(?:年|[-/.])|[一二〇○零]{4}年|$)")
#: a reporter's dateline (记者某某/台北报导): the place is where the news was written
_DATELINE = ("报导", "报道", "讯")
#: what follows a place that is only where an event is held (在杭州召开年会): no sign of who may apply
_VENUE = ("召开", "举办", "举行")
#: words before a place in the same clause that make it an example's (例如:某公司注册于上海市…)
_EXAMPLE = ("例如", "比如", "举例", "示例", "范例", "样例")
_EXAMPLE_REACH = 16
#: labels before a place that make it an address (地址:南京市鼓楼区…): where an office or a meeting
#: is, which tells the scope only where the text also speaks as a local office (报区经信局)
_ADDRESS = ("地址", "地点", "住所")
_ADDRESS_REACH = 20
#: how far after a place its office's name may reach
_ORGAN_CHARS = 20
#: an office followed by 关于 past the notice's start is a cited document (河南省科学技术厅关于…的通知)
_CITED_AFTER = 60
_SIGNATURE_CHARS = 160
#: what follows a national office that issues the call itself
_NATIONAL_ACT = re.compile(r"(?:办公厅|办公室)?(?:发布|印发|关于|决定|组织|公布|启动)")
#: what may stand right before an office named by its level only (报市科技局, 由区经信局)
_BEFORE_LEVEL = "报至送到向由和、与及经将请的"
#: what follows a zone written without its city (高新区管委会)
_ZONE_OFFICES = ("管委会", "管理委员会")
_HEAD_CHARS = 400
_CLOSING = (")", "）")
#: a level word right before an office (市投资推广署) makes it a local office named by its level
_LEVEL_CHARS = "省市区县"
#: a long text is read in its head and tail only: the issuer, addressees and signature are there, and
#: scope stays cheap on a 2 MB compilation
_READ_HEAD, _READ_TAIL = 6000, 1500
_LONGEST = 24

# Evidence weights: an office named with its place outweighs any number of plain mentions.
_W_ISSUER = 10.0
_W_TITLE_LEAD = 9.0
_W_SIGNATURE = 8.0
_W_META = 8.0
_W_OFFICE = 3.0
_W_TITLE = 3.0
_W_PLAIN = 1.0
_W_SHORT = 0.5
_W_ADDRESS = 0.4
_W_QUOTED = 0.1
_CHILD_SHARE = 0.5
_CONTEXT_SHARE = 0.5
#: the segmenter's level of a notice, as a vote for the issuer's level
_SEGMENT_LEVELS = {
    "national": "national",
    "provincial": "province",
    "municipal": "city",
    "district": "district",
}
#: an issuer-grade score: above this a local office is known, so a national cue is only relayed
_LOCAL_ISSUER = 8.0


@dataclass(frozen=True)
class _Vocab:
    organ_rx: re.Pattern[str]
    meta_rx: re.Pattern[str]
    #: its parts per first character (:func:`~reminder.extract.regex_shortcuts.split_first`)
    meta_parts: tuple[re.Pattern[str], ...] | None
    addressees: tuple[tuple[str, re.Pattern[str]], ...]
    #: (level, pattern, its parts per first character: see :func:`~reminder.extract.regex_shortcuts.split_first`)
    level_office_rx: tuple[tuple[str, re.Pattern[str], tuple[re.Pattern[str], ...] | None], ...]
    own_area: dict[str, str]
    #: where 本市/我区… words stand (start, end)
    own_area_spans: _Finder
    #: where national offices stand (start, end)
    national_spans: _Finder
    national_addressee_rx: re.Pattern[str]
    bare_zone_rx: re.Pattern[str]
    #: the longest bare zone word
    bare_zone_chars: int
    #: bare zone word → zones whose names end as it may mean, each with the codes of the divisions
    #: containing it (innermost first)
    bare_zones: dict[str, tuple[tuple[Region, tuple[str, ...]], ...]]
    taiwan_rx: re.Pattern[str]
    taiwan_central_rx: re.Pattern[str]
    ignore: frozenset[str]
    names: dict[str, tuple[Region, ...]]
    #: every region name and two-character county name (黄岩, 萧山), found in one pass over a text;
    #: the own-area and national-office words too, when they are lists of words (see _scanned), and
    #: the zone offices' words (管委会); its words by index in ``scan.words``
    scan: WordScan
    #: per word of the automaton: (the regions it may mean, whether it is a short name of divisions
    #: only, whether it is a two-character county: read only right before a department, 黄岩经信局,
    #: as a bare two-character county is an ordinary word too often; the lists it is in: (which, its
    #: rank there) pairs, which one of _OWN_AREA, _NATIONAL, _ZONE_OFFICE); no regions for a word
    #: that is only a listed one
    words: tuple[tuple[tuple[Region, ...], bool, bool, tuple[tuple[int, int], ...]], ...]
    #: whether the own-area and the national-office words are in the automaton
    in_pass: tuple[bool, bool]
    department_rx: re.Pattern[str]
    #: offices whose name alone tells their place (创新科技署 → 香港): word → the place
    place_offices: dict[str, Region]
    #: codes of the cities whose districts a name shared with others' means, on a tie, after those of
    #: the municipalities (南山区 → 深圳市南山区)
    prominent_cities: frozenset[str]


def _strings(key: str, raw: object) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise RegionError(
            key,
            f"region_scope.yaml: {key} 应为字符串列表",
            f"region_scope.yaml: {key} must be a list of strings",
        )
    return list(raw)


@functools.cache
def _vocab() -> _Vocab:
    raw = load_table("region_scope", _KEYS)
    addressees = []
    for level, patterns in raw["addressees"].items():
        if level not in _LEVELS:
            raise RegionError(
                level, f"region_scope.yaml: 未知层级 {level}", f"region_scope.yaml: unknown level {level}"
            )
        addressees.append((level, re.compile("|".join(_strings(f"addressees.{level}", patterns)))))
    offices = []
    for level, pattern in raw["level_offices"].items():
        if level not in _LEVELS or not isinstance(pattern, str):
            raise RegionError(
                level, "region_scope.yaml: level_offices 有误", "region_scope.yaml: bad level_offices"
            )
        rx = re.compile(pattern)
        offices.append((level, rx, split_first(rx)))
    meta_rx = re.compile(
        r"(?:" + alternation(_strings("meta_labels", raw["meta_labels"])) + r")\s*[:|]\s*\|?\s*([^|\n]{2,40})"
    )
    own_area = {
        w: level for level, words in raw["own_area"].items() for w in _strings(f"own_area.{level}", words)
    }
    ignore = frozenset(_strings("ignore", raw["ignore"]))
    names = {k: v for k, v in region_names().items() if k not in ignore and len(k) >= 2}
    bare: dict[str, tuple[tuple[Region, tuple[str, ...]], ...]] = {}
    for word, endings in raw["bare_zones"].items():
        ends = tuple(_strings(f"bare_zones.{word}", endings))
        zones = {r.code: r for name, rs in names.items() if name.endswith(ends) for r in rs if r.zone}
        bare[str(word)] = tuple((z, tuple(a.code for a in ancestors(z)[1:])) for z in zones.values())
    counties2 = {
        k: rs for k, rs in region_names(2).items() if len(k) == 2 and k not in names and k not in ignore
    }
    words = [
        (rs, all(r.name != n for r in rs) and not any(r.zone for r in rs), False) for n, rs in names.items()
    ]
    words += [(rs, True, True) for rs in counties2.values()]
    own_patterns = [re.escape(w) for w in sorted(own_area, key=len, reverse=True)]
    national_patterns = _strings("national_issuers", raw["national_issuers"])
    # the own-area, office and zone office words join the region names' automaton: one pass over a
    # text finds all
    index = {w: i for i, w in enumerate([*names, *counties2])}
    ranks: dict[int, list[tuple[int, int]]] = defaultdict(list)
    place_offices = {
        w: resolve_region(str(place))
        for place, ws in raw["place_offices"].items()
        for w in _strings(f"place_offices.{place}", ws)
    }
    listed = (
        _listed_words(own_patterns),
        _listed_words(national_patterns),
        list(_ZONE_OFFICES),
        list(place_offices),
    )
    for which, listed_words in enumerate(listed):
        for rank, word in enumerate(listed_words or ()):
            ranks[index.setdefault(word, len(index))].append((which, rank))
    words += [((), False, False)] * (len(index) - len(words))
    return _Vocab(
        organ_rx=re.compile("(?:" + "|".join(_strings("organs", raw["organs"])) + ")"),
        meta_rx=meta_rx,
        meta_parts=split_first(meta_rx),
        addressees=tuple(addressees),
        level_office_rx=tuple(offices),
        own_area=own_area,
        own_area_spans=_finder(own_patterns),
        national_spans=_finder(national_patterns),
        national_addressee_rx=re.compile(
            "|".join(_strings("national_addressees", raw["national_addressees"]))
        ),
        bare_zone_rx=re.compile(f"(?:{alternation(list(bare))})(?=" + "|".join(_ZONE_OFFICES) + ")"),
        bare_zone_chars=max(map(len, bare), default=0),
        bare_zones=bare,
        taiwan_rx=re.compile("|".join(_strings("taiwan_cues", raw["taiwan_cues"]))),
        taiwan_central_rx=re.compile("|".join(_strings("taiwan_central", raw["taiwan_central"]))),
        ignore=ignore,
        names=names,
        # a DFA: twice as fast over a notice as the default automaton, the same matches in the same
        # order (built in ~90 ms, once)
        scan=WordScan(list(index), implementation=ahocorasick_rs.Implementation.DFA),
        words=tuple((*word, tuple(ranks.get(i, ()))) for i, word in enumerate(words)),
        in_pass=(listed[0] is not None, listed[1] is not None),
        department_rx=re.compile("|".join(_strings("departments", raw["departments"]))),
        place_offices=place_offices,
        prominent_cities=frozenset(
            resolve_region(c).code for c in _strings("prominent_cities", raw["prominent_cities"])
        ),
    )


_Finder = Callable[[str], list[tuple[int, int]]]


def _finder(patterns: list[str]) -> _Finder:
    """Where the alternation of ``patterns`` matches in a text, left to right without overlap (the
    spans ``re.finditer`` gives). When the patterns are only literal words and (?:…|…) groups, one
    Aho–Corasick pass over the words, the first listed winning at a position as in the regex; the
    regex otherwise."""
    words = _listed_words(patterns)
    if words is None:
        rx = re.compile("|".join(patterns))
        return lambda text: [m.span() for m in rx.finditer(text)]
    if not words:
        return lambda text: []
    scan = WordScan(words, leftmost_first=True)
    return lambda text: [(start, end) for _, start, end in scan.hits(text)]


#: at most this many words are looked for as words (a longer list is scanned by its regex)
_MAX_LISTED = 500


def _listed_words(patterns: list[str]) -> list[str] | None:
    """The words the alternation of ``patterns`` matches, in the order it tries them; None when a
    pattern is no list of words (or the list is too long)."""
    words: list[str] = []
    for pattern in patterns:
        expanded = literal_words(pattern)
        if expanded is None or len(words) + len(expanded) > _MAX_LISTED:
            return None
        words += expanded
    return words


#: the lists of words the automaton finds besides region names
_OWN_AREA, _NATIONAL, _ZONE_OFFICE, _PLACE_OFFICE = 0, 1, 2, 3


@dataclass
class _Found:
    """What the automaton's pass over a text found."""

    #: start → (length, regions, short) of the longest region name there
    names: dict[int, tuple[int, tuple[Region, ...], bool]]
    #: start → the regions of a two-character county name there
    counties: dict[int, tuple[Region, ...]]
    #: per list of words (own-area, national-office): start → (best rank, its end) of its words there
    firsts: tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]
    #: where the zone offices' words stand, every occurrence, in order
    zone_offices: list[tuple[int, int]]
    #: where the offices that tell their place stand (创新科技署), every occurrence
    place_offices: list[tuple[int, int]]


def _found(text: str, v: _Vocab) -> _Found:
    """The automaton's overlapping pass over ``text``, read in one loop over its hits."""
    found = _Found({}, {}, ({}, {}), [], [])
    names, counties, words = found.names, found.counties, v.words
    for index, start, end in v.scan.hits(text):
        regions, short, county, listed = words[index]
        for which, rank in listed:
            if which == _ZONE_OFFICE:
                found.zone_offices.append((start, end))
                continue
            if which == _PLACE_OFFICE:
                found.place_offices.append((start, end))
                continue
            best = found.firsts[which].get(start)
            if best is None or rank < best[0]:
                found.firsts[which][start] = (rank, end)
        if not regions:
            continue
        if county:
            counties[start] = regions
        elif start not in names or names[start][0] < end - start:
            names[start] = (end - start, regions, short)
    found.zone_offices.sort()
    return found


def _scanned(found: _Found) -> tuple[list[tuple[int, int]], ...]:
    """The own-area and national-office spans the pass found, as their leftmost-first finders give
    them: at the leftmost start the first-listed word, then on after its end."""
    return leftmost_first(found.firsts[_OWN_AREA]), leftmost_first(found.firsts[_NATIONAL])


@dataclass
class _Mention:
    start: int
    end: int
    regions: tuple[Region, ...]
    short: bool


def _mentions(text: str, v: _Vocab, found: _Found | None = None) -> list[_Mention]:
    """Region names in ``text``, longest first at each position, left to right without overlap
    (``found``: the automaton's pass over ``text``, when done already)."""
    found = found or _found(text, v)
    names, counties = found.names, found.counties
    out: list[_Mention] = []
    i = 0  # the scan resumes here: a name found is not read again inside
    for j in sorted(names.keys() | counties.keys()):
        if j < i:
            continue
        if j in names:
            size, regions, short = names[j]
            out.append(_Mention(j, j + size, regions, short))
            i = j + size
        elif v.department_rx.match(text, j + 2):
            out.append(_Mention(j, j + 2, counties[j], True))
            i = j + 2
    return out


def _chains(mentions: list[_Mention]) -> list[_Mention]:
    """Adjacent names read as one chain (浙江省|温州市|苍南县 → 苍南县 in 温州市), outer names kept apart."""
    out: list[_Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev is not None and prev.end == m.start:
            inner = tuple(
                r for r in m.regions if any(region_within(r, p) and r.code != p.code for p in prev.regions)
            )
            if inner:
                out[-1] = _Mention(prev.start, m.end, inner, m.short and prev.short)
                continue
        out.append(m)
    return out


@dataclass
class _Evidence:
    #: region code → score
    scores: dict[str, float]
    #: region code → (weight, quote) of its best evidence
    quotes: dict[str, tuple[float, str]]
    #: level → votes
    levels: dict[str, float]
    regions: dict[str, Region]

    def copy(self) -> _Evidence:
        return _Evidence(
            dict(self.scores), dict(self.quotes), defaultdict(float, self.levels), dict(self.regions)
        )

    def add(self, region: Region, weight: float, quote: str) -> None:
        self.regions[region.code] = region
        self.scores[region.code] = self.scores.get(region.code, 0.0) + weight
        if weight > self.quotes.get(region.code, (0.0, ""))[0]:
            self.quotes[region.code] = (weight, quote)


def _quoted(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside 《…》 (a cited document's title names its own issuer, not this one's)."""
    opened = text.rfind("《", max(0, pos - _QUOTE_REACH), pos)
    return opened != -1 and text.rfind("》", opened, pos) == -1


#: how far after its 《 a position may be and still count as inside it
_QUOTE_REACH = 80
_Quoted = tuple[list[int], list[int]]


def _quoted_spans(text: str) -> _Quoted | None:
    """Where :func:`_quoted` holds in ``text``, found once for a text read at many positions: the
    stretches (start, end] after each 《 up to its 》, the next 《 or its reach. None without a 《."""
    opens = positions(text, "《")
    if not opens:
        return None
    closes = positions(text, "》")
    starts, ends = [], []
    for k, o in enumerate(opens):
        c = bisect_right(closes, o)
        end = min(o + _QUOTE_REACH, closes[c]) if c < len(closes) else o + _QUOTE_REACH
        starts.append(o)
        ends.append(min(end, opens[k + 1]) if k + 1 < len(opens) else end)
    return starts, ends


def _in_quotes(quoted: _Quoted, pos: int) -> bool:
    """:func:`_quoted` of the text ``quoted`` was read from (a stretch (start, end] holds ``pos``)."""
    starts, ends = quoted
    i = bisect_left(ends, pos)
    return i < len(ends) and starts[i] < pos


def _region_level(region: Region) -> str:
    if region.level == "province" and region.code in _MUNICIPALITIES:
        return "city"
    return region.level


def _level_of_office(word: str) -> str | None:
    return {"省": "province", "市": "city", "区": "district", "县": "district"}.get(word[:1])


def _read(text: str, title: str, issuer: str | None, v: _Vocab, levels: bool = True) -> _Evidence:
    """The evidence ``text`` gives. Without ``levels`` the votes of addressees, 本市 words and offices
    named by level are not read: :func:`find_scope` takes only the places of a context read."""
    ev = _Evidence({}, {}, defaultdict(float), {})
    found = _found(text, v)
    mentions = _chains(_mentions(text, v, found))
    sig_start = max(0, len(text) - _SIGNATURE_CHARS)
    quoted = _quoted_spans(text)  # (None in most texts: nothing is inside a cited title)
    # (most texts hold no example word and no address label: their places are not looked at for them)
    examples = any(w in text for w in _EXAMPLE)
    addresses = any(w in text for w in _ADDRESS)
    for m in mentions:
        if text.startswith(_DATELINE, m.end):
            continue
        organ = v.organ_rx.match(text, m.end, m.end + _ORGAN_CHARS)
        if organ is None and text.startswith(_CLOSING, m.end):
            # 常州国家高新区(新北区)管委会: the zone's office is the district's too
            organ = v.organ_rx.match(text, m.end + 1, m.end + 1 + _ORGAN_CHARS)
        follows = organ.end() if organ else m.end
        quote = text[m.start : follows]
        if (
            (quoted and _in_quotes(quoted, m.start))
            or (organ and m.start > _CITED_AFTER and text.startswith("关于", follows))
            or (not organ and text.startswith(_VENUE, m.end))
            or (examples and _labelled(text, m.start, _EXAMPLE, _EXAMPLE_REACH))
        ):
            weight = _W_QUOTED
        elif organ and m.start >= sig_start and _SIGNED.match(text, follows):
            weight = _W_SIGNATURE
        elif organ:
            weight = _W_OFFICE
        elif m.start < _HEAD_CHARS and text[m.end : m.end + 2] == "关于":
            weight = _W_TITLE_LEAD
        elif addresses and _labelled(text, m.start, _ADDRESS, _ADDRESS_REACH):
            weight = _W_ADDRESS
        else:
            weight = _W_SHORT if m.short else _W_PLAIN
        for region in m.regions:
            ev.add(region, weight / len(m.regions), quote)
    _read_bare_zones(text, mentions, ev, v, found.zone_offices)
    if found.place_offices:
        _read_place_offices(text, mentions, ev, v, found.place_offices, quoted)
    _read_title(title, ev, v)
    for place in _places(issuer or "", v):
        ev.add(place, _W_ISSUER, issuer or "")
    for hit in split_finditer(v.meta_rx, v.meta_parts, text[:_HEAD_CHARS] + "\n" + text[-_HEAD_CHARS:]):
        value = hit.group(1)
        places = _places(value, v)
        for place in places:
            ev.add(place, _W_META, hit.group(0))
        if not places and (level := _level_of_office(value.strip())) and v.organ_rx.match(value.strip()[1:]):
            ev.levels[level] += 3.0
    if levels:
        _read_levels(text, ev, v, _scanned(found), quoted)
    return ev


def _labelled(text: str, pos: int, words: tuple[str, ...], reach: int) -> bool:
    """Whether one of ``words`` stands shortly before ``pos`` in the same sentence (例如:企业注册于
    上海市浦东新区 is an example's place; 地址:南京市… an address)."""
    before = text[max(0, pos - reach) : pos]
    for word in words:
        at = before.rfind(word)
        if at >= 0 and "。" not in before[at:] and "\n" not in before[at:]:
            return True
    return False


def _read_bare_zones(
    text: str, named: list[_Mention], ev: _Evidence, v: _Vocab, offices: list[tuple[int, int]]
) -> None:
    """高新区管委会 with no city: the zone of that kind inside the place the text names most
    (``offices``: where 管委会/管理委员会 stand, from the automaton's pass)."""
    if not ev.scores:
        return
    for hit in _bare_zone_hits(text, v, offices):
        if any(m.start <= hit.start() < m.end for m in named):
            continue  # part of a full name (东湖高新区管委会), read already
        scored = ev.scores.keys()
        zones = [(z, outer) for z, outer in v.bare_zones[hit.group(0)] if not scored.isdisjoint(outer)]
        if not zones:
            continue
        best = max(zones, key=lambda z: sum(ev.scores.get(code, 0.0) for code in z[1]))[0]
        ev.add(best, _W_SIGNATURE if hit.start() >= len(text) - _SIGNATURE_CHARS else _W_OFFICE, hit.group(0))


def _read_place_offices(
    text: str,
    named: list[_Mention],
    ev: _Evidence,
    v: _Vocab,
    offices: list[tuple[int, int]],
    quoted: _Quoted | None,
) -> None:
    """Offices named without their place whose name tells it (创新科技署 → 香港): the place, as an
    office's at the head or the signature; one right after a place name (深圳市投资推广署) is that
    place's, read already, and one after a level word (报市投资推广署) a mainland office's."""
    after_name = {m.end for m in named}
    for start, end in offices:
        if start in after_name or (start and text[start - 1] in _LEVEL_CHARS):
            continue  # 深圳市投资推广署, 报市投资推广署: a mainland office of that name
        if quoted and _in_quotes(quoted, start):
            weight = _W_QUOTED
        elif start < _HEAD_CHARS or start >= len(text) - _SIGNATURE_CHARS:
            weight = _W_META
        else:
            weight = _W_OFFICE
        ev.add(v.place_offices[text[start:end]], weight, text[start:end])


def _bare_zone_hits(text: str, v: _Vocab, offices: list[tuple[int, int]]) -> list[re.Match[str]]:
    """``list(v.bare_zone_rx.finditer(text))``: every match ends right before 管委会/管理委员会
    (``offices``, where they stand), so the regex runs only just before those words."""
    windows = windows_at(offices, 0, len(text), v.bare_zone_chars, 0)
    return [m for w0, w1 in windows for m in first_finditer(v.bare_zone_rx, text, w0, w1)]


def _read_title(title: str, ev: _Evidence, v: _Vocab) -> None:
    mentions = _chains(_mentions(title, v))
    for m in mentions:
        if title[m.end : m.end + 2] in _DATELINE or _quoted(title, m.start):
            continue
        lead = title[: m.start].strip(" 　:：-[]【】") in ("", "关于")
        weight = _W_TITLE_LEAD if lead else _W_TITLE
        for region in m.regions:
            ev.add(region, weight / len(m.regions), title)


def _places(text: str, v: _Vocab) -> list[Region]:
    """The innermost region of each chain of names in a short text (an issuer's name)."""
    out = []
    for m in _chains(_mentions(text, v)):
        if len(m.regions) == 1:
            out.append(m.regions[0])
    return out


def _read_levels(
    text: str, ev: _Evidence, v: _Vocab, scanned: tuple[list[tuple[int, int]], ...], quoted: _Quoted | None
) -> None:
    """Votes for the issuer's level: addressees, 本市/我区 words, offices named by level only
    (``scanned``: the own-area and office spans :func:`_scanned` read from the automaton's pass;
    ``quoted``: where the text is inside 《…》, from :func:`_quoted_spans`)."""
    head = text[:_HEAD_CHARS]
    for line in head.replace("。", "\n").split("\n"):  # (the head's lines and sentences)
        colon = _first_colon(line)
        if colon < 0:
            continue
        addressee = line[:colon]
        for level, rx in v.addressees:
            if rx.search(addressee):
                ev.levels[level] += 4.0
                break
    for _ in v.national_addressee_rx.finditer(text):
        ev.levels["national"] += 3.0
    for start, end in scanned[1] if v.in_pass[1] else v.national_spans(text):
        if start >= len(text) - _SIGNATURE_CHARS and _SIGNED.match(text, end):
            ev.levels["national"] += 3.0  # signed by a national office
        elif not (quoted and _in_quotes(quoted, start)) and _NATIONAL_ACT.match(text, end):
            ev.levels["national"] += 2.0
    for start, end in scanned[0] if v.in_pass[0] else v.own_area_spans(text):
        ev.levels[v.own_area[text[start:end]]] += 1.0
    for level, rx, parts in v.level_office_rx:
        count = 0  # (every vote is a multiple of 0.5: adding them at once gives the same sum)
        for hit in split_finditer(rx, parts, text):
            start = hit.start()
            # 市 of 杭州市科技局 belongs to the place name; only a bare 市科技局 names a level
            # (tested first: it turns most hits down, and costs least)
            if start and "\u4e00" <= text[start - 1] <= "\u9fff" and text[start - 1] not in _BEFORE_LEVEL:
                continue
            if text.startswith("关于", hit.end()) or (quoted and _in_quotes(quoted, start)):
                continue  # a cited document's issuer (省工信委关于…的通知)
            count += 1
        if count:
            ev.levels[level] += 1.5 * count


def _first_colon(line: str) -> int:
    """Where the line's first colon (: or ：) stands, -1 without one (two finds at C speed: the engine
    would test a class at every position)."""
    half, full = line.find(":"), line.find("：")
    return full if half < 0 or 0 <= full < half else half


def _combined(ev: _Evidence) -> dict[str, float]:
    """Each region's score plus a share of the regions inside it (天元区 supports 株洲市)."""
    total = dict(ev.scores)
    for code, score in ev.scores.items():
        for outer in ancestors(ev.regions[code])[1:]:
            if outer.code == COUNTRY_CODE:
                break
            ev.regions.setdefault(outer.code, outer)
            total[outer.code] = total.get(outer.code, 0.0) + _CHILD_SHARE * score
    return total


def _fits(region: Region, level: str) -> bool:
    if level == "city" and region.level == "district" and region.name.endswith("市"):
        return True  # a county-level city (昆山市) speaks of 本市 too
    if level == "district":
        return region.level == "district" or (
            region.level == "province" and region.name.endswith(_AUTONOMOUS_SUFFIX)
        )
    return _region_level(region) == level


@functools.cache
def _prominence(region: Region) -> int:
    """How often notices come from the region's city, as a tie-break between places of one name
    (南山区 of 深圳市 or of 鹤岗市, read equally): a municipality's district first, then a listed city's
    (深圳, 宁波…), then a provincial capital's (its code ends in 0100); 0 for any other, and for a
    place whose name is its own (a tie between two places of different names keeps the text's order)."""
    if len(_vocab().names.get(region.name, ())) < 2:
        return 0
    for outer in ancestors(region):
        if outer.code in _MUNICIPALITIES:
            return 3
        if outer.level == "city":
            return 2 if outer.code in _vocab().prominent_cities else int(outer.code.endswith("0100"))
    return 0


def _issuer_region(ev: _Evidence) -> tuple[Region, float] | None:
    total = _combined(ev)
    if not total:
        return None
    local = {lv: w for lv, w in ev.levels.items() if lv != "national"}
    # on a tie the lower level: a city sends applications up to 省工信厅 and down to 区县
    want = max(local, key=lambda lv: (local[lv], _LEVELS.index(lv))) if local else None
    strongest = max(ev.scores.values(), default=0.0)

    def best(pool: Iterable[str]) -> str | None:
        codes = list(pool)
        if not codes:
            return None
        return max(codes, key=lambda c: (total[c], _DEPTH[ev.regions[c].level], _prominence(ev.regions[c])))

    # An office named with its place decides, whatever the level words say.
    issuers = [c for c, s in ev.scores.items() if s >= _LOCAL_ISSUER]
    if issuers:
        top = max(
            issuers, key=lambda c: (ev.scores[c], _DEPTH[ev.regions[c].level], _prominence(ev.regions[c]))
        )
        if want is None or _fits(ev.regions[top], want):
            return ev.regions[top], ev.scores[top]
        # a place inside it named as an issuing office, of the level the text speaks as: the narrower issuer
        # (常州国家高新区(新北区)管委会 … 各镇、街道 → 新北区)
        fitting = [
            c
            for c, s in ev.scores.items()
            if s >= _LOCAL_ISSUER
            and c != top
            and _fits(ev.regions[c], want)
            and region_within(ev.regions[c], ev.regions[top])
        ]
        if not fitting:
            if ev.scores[top] >= 2 * _LOCAL_ISSUER:
                return ev.regions[top], ev.scores[top]
            fitting = [c for c in issuers if _fits(ev.regions[c], want)]
        if fitting:
            top = max(
                fitting, key=lambda c: (ev.scores[c], _DEPTH[ev.regions[c].level], _prominence(ev.regions[c]))
            )
        return ev.regions[top], ev.scores[top]
    if want is not None:
        chosen = best(c for c in total if _fits(ev.regions[c], want))
        # 全区 of a 自治区 notice is the region, but only where the text is about that region
        if chosen is not None and (
            _DEPTH[ev.regions[chosen].level] >= 2 or total[chosen] >= 0.5 * max(total.values())
        ):
            return ev.regions[chosen], total[chosen]
        # the text speaks as a city (我市, 报市工信委) but names none: the wider area it names is
        # the best known (a company outside it cannot apply); the caller shows it as the scope
    chosen = best(total)
    if chosen is None or strongest < _W_SHORT:
        return None
    return ev.regions[chosen], total[chosen]


def scope_of_region(region: Region, source: ScopeSource, quote: str = "") -> Scope:
    """The scope for a region: its name, full path and code."""
    if region.code == COUNTRY_CODE:
        return Scope("全国", "全国", COUNTRY_CODE, "national" if source != "explicit" else source, quote)
    return Scope(local_name(region), local_path(region), region.code, source, quote)


def _resolve_value(value: object, issuer: Region | None, ev: _Evidence | None) -> Region | None:
    """A region condition's value as a region: 本市 climbs from the issuer; a name picks the reading the text supports."""
    if not isinstance(value, str) or not value.strip():
        return None
    if relative_level(value) is not None:
        if issuer is None:
            return None
        if relative_level(value) == "city" and _fits(issuer, "city") and issuer.level == "district":
            return issuer  # 我市 of a county-level city (乐清市) is that city
        try:
            return resolve_region(value, relative_to=issuer)
        except RegionError:
            return None
    try:
        return resolve_region(value)
    except RegionError as exc:
        candidates = exc.candidates
    if issuer is not None:
        inside = [c for c in candidates if region_within(c, issuer) or region_within(issuer, c)]
        if len(inside) == 1:
            return inside[0]
    if ev is not None:
        scored = [c for c in candidates if c.code in ev.scores]
        if len(scored) == 1:
            return scored[0]
    return None


def _explicit(
    conditions: Sequence[Condition], issuer: Region | None, ev: _Evidence
) -> tuple[Region, str] | None:
    found: list[tuple[Region, str]] = []
    for cond in conditions:
        if cond.field != "registered_region" or not cond.hard or cond.group is not None:
            continue
        values = cond.value if isinstance(cond.value, list | tuple) else [cond.value]
        regions = [r for r in (_resolve_value(x, issuer, ev) for x in values) if r is not None]
        if len(regions) == 1:
            found.append((regions[0], cond.quote))
    if not found:
        return None
    # the narrowest stated area: 在浙江省注册 and 在杭州市注册 in one notice → 杭州市
    return max(found, key=lambda f: _DEPTH[f[0].level])


def _taiwan(text: str, ev: _Evidence, v: _Vocab) -> Scope | None:
    """Taiwan notices: a county's or city's call, or a central office's (台湾 as a whole)."""
    taiwan = region_by_code(_TAIWAN)
    local = {c: s for c, s in _combined(ev).items() if c != _TAIWAN and region_within(ev.regions[c], taiwan)}
    central = v.taiwan_central_rx.search(text)
    if local:
        code = max(local, key=lambda c: local[c])
        # a county's own call names the county again and again; 经济部 there is the programme's funder
        if central is None or local[code] >= 2 * _W_PLAIN:
            return scope_of_region(ev.regions[code], "issuer", ev.quotes.get(code, (0, ""))[1])
    if central is not None or _TAIWAN in ev.scores:
        return scope_of_region(taiwan, "issuer", central.group(0) if central else "台湾")
    return None


def find_scope(
    text: str,
    *,
    title: str = "",
    issuer: str | None = None,
    level: str | None = None,
    conditions: Sequence[Condition] = (),
    context: str | None = None,
    _context_evidence: _Evidence | None = None,
    _own: _Reading | None = None,
) -> Scope | None:
    """The region whose enterprises may apply to a notice.

    Args:
        text: the notice's text in its simplified match view (title, metadata, body, signature).
        title: the notice's title.
        issuer: the issuer the segmenter found, if any.
        level: the segmenter's level ("national" … "district"), if any.
        conditions: the notice's conditions (its registered-region conditions are explicit scopes).
        context: more text whose places count at half weight but whose level words do not (the
            whole compilation a notice that names no place belongs to).

    Returns:
        The scope, or None when the text does not tell.

    >>> find_scope("各镇(街道)：为做好我县申报工作…\\n苍南县科学技术局 2025年3月1日").path
    '浙江省温州市苍南县'
    """
    v = _vocab()
    own = _own or _reading(text, title, issuer)
    text, title, ev = own.text, own.title, own.evidence.copy()
    if level in _SEGMENT_LEVELS:
        ev.levels[_SEGMENT_LEVELS[level]] += 2.0
    if context is not None or _context_evidence is not None:
        around = _context_evidence or _read(_GLOSS.sub("", _window(context or "")), "", None, v, levels=False)
        # the context's places say where, never who issued: kept below an issuer's weight
        share = min(_CONTEXT_SHARE, 0.9 * _LOCAL_ISSUER / max(around.scores.values(), default=1.0))
        for code, score in around.scores.items():
            if around.regions[code].level != "district":  # a compilation's districts are its other notices'
                ev.add(around.regions[code], share * score, around.quotes.get(code, (0.0, ""))[1])
    # (the cheap test on the evidence first: the cue search runs over the whole text)
    if _taiwan_heavier(ev) and v.taiwan_rx.search(text):
        tw = _taiwan(text, ev, v)
        if tw is not None:
            tw_region = region_by_code(tw.code or _TAIWAN)
            explicit = _explicit(conditions, tw_region, ev)
            if explicit is not None and region_within(explicit[0], tw_region):
                return scope_of_region(explicit[0], "explicit", explicit[1])
            return tw
    _drop_outside_mainland(ev)
    picked = _issuer_region(ev)
    issuer_region = picked[0] if picked else None
    national = level == "national" or ev.levels.get("national", 0.0) > 0
    if national and (picked is None or picked[1] < _LOCAL_ISSUER) and not _local_levels(ev):
        issuer_region = region_by_code(COUNTRY_CODE)
    explicit = _explicit(conditions, issuer_region, ev)
    if (
        explicit is not None
        and explicit[0].code == COUNTRY_CODE
        and issuer_region is not None
        and issuer_region.code == COUNTRY_CODE
    ):
        return scope_of_region(explicit[0], "explicit", explicit[1])
    if explicit is not None:
        region, quote = explicit
        if issuer_region is None or region_within(region, issuer_region):
            return scope_of_region(region, "explicit", quote)
        if not region_within(issuer_region, region):
            return scope_of_region(region, "explicit", quote)
    if issuer_region is None:
        return None
    source: ScopeSource = "national" if issuer_region.code == COUNTRY_CODE else "issuer"
    return scope_of_region(issuer_region, source, ev.quotes.get(issuer_region.code, (0.0, title))[1])


@dataclass(frozen=True)
class _Reading:
    """A notice's text and title as scope reads them, and the evidence they give (left unchanged:
    :func:`find_scope` works on a copy, so a second look with more context need not read again)."""

    text: str
    title: str
    evidence: _Evidence


def _reading(text: str, title: str, issuer: str | None) -> _Reading:
    text = _GLOSS.sub("", _window(text))
    title = _GLOSS.sub("", to_simplified(title))
    return _Reading(text, title, _read(text, title, to_simplified(issuer) if issuer else None, _vocab()))


def _window(text: str) -> str:
    if len(text) <= _READ_HEAD + _READ_TAIL:
        return text
    return text[:_READ_HEAD] + "\n" + text[-_READ_TAIL:]


@functools.cache  # one answer per division: every place of every notice is asked (twice)
def _outside_mainland(region: Region) -> bool:
    return any(a.code in NOT_MAINLAND_CODES for a in ancestors(region))


@functools.cache
def _in_taiwan(region: Region) -> bool:
    return any(a.code == _TAIWAN for a in ancestors(region))


def _taiwan_heavier(ev: _Evidence) -> bool:
    """Whether Taiwan's places weigh more in the text than the mainland's."""
    taiwan = sum(s for c, s in ev.scores.items() if _in_taiwan(ev.regions[c]))
    mainland = sum(s for c, s in ev.scores.items() if not _outside_mainland(ev.regions[c]))
    return taiwan >= mainland


def _drop_outside_mainland(ev: _Evidence) -> None:
    """A mainland notice's districts named like Taiwan's or Hong Kong's (新兴区, 中西区) are not those."""
    outside = {c for c, r in ev.regions.items() if _outside_mainland(r)}
    inside = sum(s for c, s in ev.scores.items() if c not in outside)
    if sum(s for c, s in ev.scores.items() if c in outside) < inside:
        for code in outside:
            ev.scores.pop(code, None)


def _local_levels(ev: _Evidence) -> bool:
    """Whether the text speaks as a local office (本市, 各县(市、区) …) more than as a national one."""
    local = sum(w for lv, w in ev.levels.items() if lv != "national")
    return local > ev.levels.get("national", 0.0)


def resolve_conditions(conditions: Sequence[Condition], scope: Scope | None) -> tuple[Condition, ...]:
    """Region conditions with 本市/我县/本省 replaced by the place they mean (the scope's area climbed to
    that level); places in Taiwan, Hong Kong and Macau named as they write them (嘉義縣, not 嘉义县)."""
    own: Region | None = None
    if scope is not None and scope.code is not None:
        try:
            own = region_by_code(scope.code)
        except RegionError:
            own = None
    out = []
    for cond in conditions:
        if cond.field != "registered_region" or not isinstance(cond.value, str):
            out.append(cond)
        elif relative_level(cond.value):
            if own is None:
                out.append(cond)
                continue
            try:
                county_city = relative_level(cond.value) == "city" and own.name.endswith("市")
                place = own if county_city else resolve_region(cond.value, relative_to=own)
            except RegionError:
                out.append(cond)
                continue
            out.append(replace(cond, value=_written(place)))
        else:
            out.append(replace(cond, value=_local_value(cond.value)))
    return tuple(out)


def _written(place: Region) -> str:
    """A place as a condition names it: the table's name, or outside the mainland the local one."""
    return local_name(place) if _outside_mainland(place) else place.name


@functools.cache
def _local_value(value: str) -> str:
    """An explicit place name, in local script when it is in Taiwan, Hong Kong or Macau (嘉义县 → 嘉義縣)."""
    try:
        place = resolve_region(value)
    except RegionError:
        return value
    return local_name(place) if _outside_mainland(place) and place.code != COUNTRY_CODE else value


def attach_scopes(notices: Sequence[Notice], view: str) -> tuple[Notice, ...]:
    """The notices with their scope, and 本市/我县 in their region conditions resolved.

    A document with one notice is read whole (its metadata table and signature may lie outside the
    notice's span); a compilation's notices are read one by one.
    """
    out = []
    document: _Evidence | None = None
    for notice in notices:
        text = view if len(notices) == 1 else view[notice.span[0] : notice.span[1]]
        # the notice's own reading, made once for both looks
        own = _reading(text, notice.title, notice.issuer)
        judge = functools.partial(
            find_scope, text, title=notice.title, issuer=notice.issuer, level=notice.level,
            conditions=notice.conditions, _own=own,
        )  # fmt: skip
        scope = judge()
        if scope is None and len(notices) > 1:
            # a notice of a compilation that names no place: the document's own metadata and signature
            if document is None:
                document = _read(_GLOSS.sub("", _window(view)), "", None, _vocab(), levels=False)
            scope = judge(_context_evidence=document)
        if scope is None and notice.scope is None:
            out.append(notice)  # (resolve_conditions leaves the conditions as they are: nothing to copy)
        else:
            out.append(replace(notice, scope=scope, conditions=resolve_conditions(notice.conditions, scope)))
    return tuple(out)
