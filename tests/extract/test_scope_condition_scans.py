"""The shortcuts of the scope and condition scans find exactly what a plain scan finds.

Scope reads region names in one Aho–Corasick pass; conditions skip a rule whose required words a
sentence lacks; region chains are memoised. Each is checked against the plain way on the bundled
sample notices and on random texts built from the words involved.
"""

from __future__ import annotations

import random
import re

import pytest
from sample_notices import sample_views

from reminder.extract import conditions_context, conditions_kinds, scope
from reminder.extract._data import alternation, load_table
from reminder.extract.conditions import RULES
from reminder.extract.conditions_data import vocab
from reminder.extract.conditions_rules import gated_search, required_words
from reminder.extract.word_lists import literal_words
from reminder.rules.regions import Region, _table, ancestors, region_names, region_within

# ------------------------------------------------------------------ region names in one pass


def _counties(v: scope._Vocab) -> dict[str, tuple[Region, ...]]:
    """Two-character county names that are no other name (黄岩, 萧山)."""
    return {
        k: rs for k, rs in region_names(2).items() if len(k) == 2 and k not in v.names and k not in v.ignore
    }


def _plain_mentions(text: str, v: scope._Vocab) -> list[tuple[int, int, tuple[str, ...]]]:
    """Position by position: the longest name there, else a two-character county before a department."""
    counties = _counties(v)
    longest = max(map(len, v.names))
    out, i = [], 0
    while i < len(text):
        size = next((n for n in range(min(longest, len(text) - i), 1, -1) if text[i : i + n] in v.names), 0)
        if size:
            out.append((i, i + size, tuple(r.code for r in v.names[text[i : i + size]])))
            i += size
        elif text[i : i + 2] in counties and v.department_rx.match(text, i + 2):
            out.append((i, i + 2, tuple(r.code for r in counties[text[i : i + 2]])))
            i += 2
        else:
            i += 1
    return out


def _found(text: str, v: scope._Vocab) -> list[tuple[int, int, tuple[str, ...]]]:
    return [(m.start, m.end, tuple(r.code for r in m.regions)) for m in scope._mentions(text, v)]


def test_region_names_of_the_sample_notices_are_those_of_a_plain_scan() -> None:
    v = scope._vocab()
    for text in sample_views():
        assert _found(text, v) == _plain_mentions(text, v)


def test_region_names_of_random_texts_are_those_of_a_plain_scan() -> None:
    v = scope._vocab()
    words = [*v.names, *_counties(v)]
    rng = random.Random(15)
    pieces = [*rng.sample(words, 400), *"经信局 科技局 区政府 人民政府 管委会 的 和 市 省 区".split()]
    for _ in range(2000):
        parts = [rng.choice(pieces) for _ in range(rng.randint(1, 8))]
        text = "".join(p[: rng.randint(1, len(p))] if rng.random() < 0.3 else p for p in parts)
        assert _found(text, v) == _plain_mentions(text, v), text


def test_a_two_character_county_is_read_only_before_a_department() -> None:
    v = scope._vocab()
    text = "黄岩经信局发布通知"
    assert [text[start:end] for start, end, _ in _found(text, v)] == ["黄岩"]
    assert _found("黄岩的企业", v) == []


def test_office_and_own_area_words_are_found_where_their_regex_finds_them() -> None:
    raw = load_table("region_scope", scope._KEYS)
    v = scope._vocab()
    national = re.compile("|".join(raw["national_issuers"]))
    own = re.compile(alternation(list(v.own_area)))
    offices = literal_words("|".join(raw["national_issuers"]))
    assert offices is not None  # (else the regex scans them: nothing to compare)
    words = [*offices, *v.own_area, "部", "省", "国家"]
    rng = random.Random(21)
    texts = sample_views() + [
        "".join(rng.choice(words) for _ in range(rng.randint(1, 10))) for _ in range(2000)
    ]
    for text in texts:
        assert v.national_spans(text) == [m.span() for m in national.finditer(text)], text
        assert v.own_area_spans(text) == [m.span() for m in own.finditer(text)], text


def test_a_pattern_that_is_no_list_of_words_is_scanned_by_its_regex() -> None:
    find = scope._finder(["国务院", r"\d+号文"])
    assert find("国务院12号文") == [(0, 3), (3, 7)]


# ------------------------------------------------------------------ rules skipped without their words


#: sentences the rules read (from the modules' docstrings), so that every rule matches somewhere
_EXAMPLES = [
    "营业收入在2000万元至2亿元之间的企业",
    "比重分别达到6%、4%、2.5%以上",
    "研究开发费用占营业收入的比例3%以上,从业人员中科技人员占10%以上",
    "研发费用不低于营业收入的3%,研发人员不少于职工总数的10%",
    "企业至少拥有1项发明专利",
    "主营业务收入占营业收入比重不低于70%,同比增长5%以上,实现正增长",
    "经济贡献400万元以上,分公司三家以上,成立满3年,职工总数不超过500人",
    "申报主体为工业企业,面向商贸企业,申报单位须为注册在本市的文化企业",
    "在杭州市注册,注册地在浙江省,在中华人民共和国境内注册",
    "须为高新技术企业,已纳入规上企业统计范围,具有独立法人资格",
    "未被列入失信被执行人名单,所属行业须为制造业,属于软件和信息技术服务业企业",
    "须同时满足以下条件:,符合下列条件之一:",
    "凡近三年内发生过重大安全事故的企业,一律不得申报",
    "须在2022年12月31日前注册成立,成立时间不晚于2021年6月30日,开园时间在2020年至2021年之间",
]


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    v = vocab()
    out = [(rule.name, rule.pattern(v)) for rule in RULES]
    out += [("intro", v.intro_rx), ("kinds", conditions_kinds._kind_rx(v))]
    return out


@pytest.mark.parametrize(("name", "rx"), _patterns(), ids=[n for n, _ in _patterns()])
def test_every_match_of_a_rule_holds_one_of_its_required_words(name: str, rx: re.Pattern[str]) -> None:
    words = required_words(rx)
    texts = sample_views() + _EXAMPLES
    literal = [w for w in re.findall(r"[\u4e00-\u9fff]+", rx.pattern)]
    rng = random.Random(name)
    alphabet = [*literal, "5", "100", "万元", "%", "以上", ",", "。", "企业", "的", "(含)", " "]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(1500)]
    matched = 0
    for text in texts:
        for m in rx.finditer(text):
            matched += 1
            assert words is None or any(w in m.group() for w in words), (name, m.group())
        assert (gated_search(rx, text) is None) == (rx.search(text) is None)
    assert matched, f"{name}: no text matched, the check proved nothing"


def test_most_rules_have_required_words() -> None:
    """The skip only pays if the analysis finds words for the rules (a regression would be silent)."""
    assert sum(required_words(rx) is not None for _, rx in _patterns()) >= len(_patterns()) - 2


def test_required_words_of_literal_alternatives_and_repeats() -> None:
    assert required_words(re.compile(r"(?:营业收入|销售收入)\s*不低于\d+")) == frozenset(
        {"营业收入", "销售收入"}
    )
    assert required_words(re.compile(r"(?:申报)?单位")) == frozenset({"单位"})
    assert required_words(re.compile(r"(?:研发)+费用")) in (frozenset({"研发"}), frozenset({"费用"}))
    assert required_words(re.compile(r"\d+|万元")) is None  # a branch with no word: nothing required
    assert required_words(re.compile(r"(?i)abc")) is None


def test_sections_read_an_intro_sentence_through_the_gate() -> None:
    sections = conditions_context.Sections(vocab())
    assert sections.enter("申报条件:").kind is conditions_context.Kind.ELIGIBILITY
    ctx = sections.enter("须符合下列条件之一:")
    assert ctx.group is not None and ctx.group.startswith("anyof-")


# ------------------------------------------------------------------ memoised region chains


def _walk(region: Region) -> list[Region]:
    table = _table()
    chain = [region]
    while (parent := chain[-1].parent) is not None:
        chain.append(table.by_code[parent])
    return chain


def test_ancestors_and_containment_of_every_region_match_a_plain_walk() -> None:
    regions = list(_table().by_code.values())
    rng = random.Random(3)
    for region in regions:
        assert ancestors(region) == _walk(region)
        outer = rng.choice(regions)
        assert region_within(region, outer) == any(a.code == outer.code for a in _walk(region))
        for a in _walk(region):
            assert region_within(region, a)
