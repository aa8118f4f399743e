"""Registered-region rules: where the applicant must be registered (在杭州市注册, 注册地在萧山区, 中国境内).

Region names are read from a lexicon (the one region data set, ``reminder.rules.regions.region_names``:
divisions, development zones, aliases, Hong Kong/Macau/Taiwan) next to an anchor word: before 注册 /
行政区域内注册 / 居民企业 / 内企业, or after 注册地在 / 须为 / 设籍于 / 工商及税务关系属. 本市/我县 stay as
written here; ``reminder.extract.scope`` resolves them to the place once the notice's scope is known.
The lexicon fixes where a name starts (为杭州市 → 杭州市), which a character pattern cannot; a name
missing from it is still read when it ends in 省/市/区/县 and starts after a stop character (在钱塘新区注册).
"""

from __future__ import annotations

import functools
import re

from reminder.extract._data import alternation
from reminder.extract.conditions_data import Vocab
from reminder.extract.conditions_rules import Candidate, Rule, Sentence, entity, excludes_after, negated

__all__ = ["REGION_RULES", "region_before", "region_after"]

#: region chains scan at most this many names (浙江省杭州市萧山区)
_MAX_CHAIN = 3
#: anchors saying "within the area of": only they make a two-character short name a region (黄岩行政区域内)
_AREA_WORDS = ("行政区域", "行政区划", "辖区", "区域", "境内")
#: anchors that make a place the applicant's only after 在 (在香港成立的公司; 浙江省成立的服务中心 or
#: 本省根据《…》设立的专项资金 is no requirement)
_AFTER_AT_ONLY = ("成立的", "有实质", "按《", "依《", "依照《", "根据《")
#: a name found without the lexicon: at most this long, ending in one of these
_GENERIC_MAX = 8
_GENERIC_UNITS = "省市区县旗"
_NUMERALS = re.compile("[一二三四五六七八九十两0-9]")
#: between the places of a list (在浙江省、江苏省或上海市注册)
_LIST_SEPARATORS = ("或者", "以及", "、", "和", "及", "或", "与")


def _is_known(word: str, v: Vocab) -> bool:
    return word in v.region_names or word in v.local or word in v.countries


def _normal(word: str, v: Vocab) -> str:
    return v.local.get(word) or v.countries.get(word) or word


def _known_ending(text: str, end: int, v: Vocab) -> str | None:
    for size in range(min(v.region_max, end), 1, -1):
        if _is_known(text[end - size : end], v):
            return text[end - size : end]
    return None


def _known_starting(text: str, start: int, v: Vocab) -> str | None:
    for size in range(min(v.region_max, len(text) - start), 1, -1):
        if _is_known(text[start : start + size], v):
            return text[start : start + size]
    return None


def _generic_before(text: str, end: int, v: Vocab) -> int | None:
    """Start of an unlisted name ending at ``end`` (钱塘新区), scanning back to a stop character.

    Not a count of places (内地九市) nor an area of several (京津冀地区, 长三角地区): no unlisted
    division is named so."""
    i = end
    while (
        i > 0
        and end - i < _GENERIC_MAX
        and text[i - 1] not in v.region_stop
        and "\u4e00" <= text[i - 1] <= "\u9fff"
    ):
        i -= 1
    name = text[i:end]
    ok = len(name) >= 3 and name[-1] in _GENERIC_UNITS and not name.endswith("地区")
    return i if ok and not _NUMERALS.search(name) else None


def region_before(text: str, end: int, v: Vocab) -> tuple[int, str] | None:
    """(start, value) of the region name(s) ending at ``end``: 浙江省杭州市 before 行政区域内注册."""
    pos, found = end, 0
    while found < _MAX_CHAIN and (word := _known_ending(text, pos, v)) is not None:
        pos -= len(word)
        found += 1
        if word in v.local or word in v.countries:
            break
    if found == 0:
        start = _generic_before(text, end, v)
        return None if start is None else (start, text[start:end])
    word = text[pos:end]
    return pos, _normal(word, v)


def region_after(text: str, start: int, v: Vocab) -> tuple[int, str] | None:
    """(end, value) of the region name(s) starting at ``start``: 杭州市 after 须为."""
    pos, found = start, 0
    while found < _MAX_CHAIN and (word := _known_starting(text, pos, v)) is not None:
        pos += len(word)
        found += 1
        if word in v.local or word in v.countries:
            break
    if found == 0:
        return None
    return pos, _normal(text[start:pos], v)


def _region(start: int, end: int, value: str, key: tuple[int, int], rule: str) -> Candidate:
    return entity("registered_region", "==", value, (start, end), key, rule)


@functools.cache
def _country_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(
        rf"在?(?P<c>{alternation(list(v.countries))})(?:大陆)?(?:境内|国内|内)?(?:\([^()]{{0,30}}\))?"
        r"(?:依法)?(?:工商)?(?:注册|登记|设立|成立)(?:成立|注册|登记)?"
    )


def _country(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    value = v.countries[m.group("c")]
    return [_region(m.start(), m.end(), value, m.span("c"), rule)]


def _after_region_rx(v: Vocab) -> re.Pattern[str]:
    return v.region_anchors["after_region"]


def _before_region_rx(v: Vocab) -> re.Pattern[str]:
    return v.region_anchors["before_region"]


def _short_before(text: str, end: int, anchor: str, v: Vocab) -> tuple[int, str] | None:
    """(start, full name) of a two-character short name before an area anchor: 黄岩 | 行政区域内注册
    (the name stands alone: 在 or a stop character before it)."""
    start = end - 2
    if start < 0 or not anchor.startswith(_AREA_WORDS) or text[start:end] not in v.region_short:
        return None
    if start > 0 and text[start - 1] not in v.region_stop:
        return None
    return start, v.region_short[text[start:end]]


def _listed_before(text: str, start: int, v: Vocab) -> list[tuple[int, str]]:
    """The places listed before the one starting at ``start`` (浙江省、江苏省或 | 上海市), nearest last."""
    out: list[tuple[int, str]] = []
    while (
        sep := next((w for w in _LIST_SEPARATORS if text.startswith(w, start - len(w))), None)
    ) is not None:
        end = start - len(sep)
        word = _known_ending(text, end, v)
        if word is None or word in v.local:
            break
        got = region_before(text, end, v)
        if got is None:
            break
        start = got[0]
        out.insert(0, got)
    return out


def _region_before_anchor(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """The region right before the anchor: 杭州市 | 行政区域内注册; a list of them (在广州、深圳注册) is one
    condition whose places are alternatives."""
    got = region_before(s.text, m.start(), v) or _short_before(s.text, m.start(), m.group(), v)
    # 非本市注册企业不得申报: those not registered there are excluded, so the applicant must be
    if got is None or (negated(s.text, got[0], v) and not excludes_after(s.text, m.end(), v)):
        return []
    listed = _listed_before(s.text, got[0], v) if got[1] not in v.local.values() else []
    first = listed[0][0] if listed else got[0]
    at = first > 0 and s.text[first - 1] == "在"
    if not at and m.group().startswith(_AFTER_AT_ONLY):
        return []
    start = first - 1 if at else first
    if listed:
        values = [value for _, value in listed] + [got[1]]
        return [entity("registered_region", "in", values, (start, m.end()), (first, m.start()), rule)]
    return [_region(start, m.end(), got[1], (got[0], m.start()), rule)]


def _region_after_anchor(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """The region right after the anchor: 注册地在 | 萧山区."""
    got = region_after(s.text, m.end(), v)
    if got is None or negated(s.text, m.start(), v):
        return []
    return [_region(m.start(), got[0], got[1], (m.end(), got[0]), rule)]


#: region rules, in priority order (two rules reading one region name give one condition)
REGION_RULES: tuple[Rule, ...] = (
    Rule("region_country", _country_rx, _country),
    Rule("region_before_anchor", _after_region_rx, _region_before_anchor),
    Rule("region_after_anchor", _before_region_rx, _region_after_anchor),
)
