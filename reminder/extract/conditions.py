"""Eligibility conditions of a notice: who may apply (职工总数不超过500人, 在杭州市注册, 须为高新技术企业).

The notice is read line by line (``conditions_context``: which section a line is in), and only lines
hit by one prefilter regex (field, region, qualification words…) are split into sentences and given
to the rules (``conditions_rules``: numbers; ``conditions_regions``: registered region;
``conditions_entities``: industry, qualification, legal person, credit, applicant type). A candidate
becomes a :class:`Condition` when the sentence is about the applicant's eligibility:

* inside an eligibility section (申报条件 / 申报对象 / 选树范围 / a 须同时满足以下条件 list): always,
  unless the sentence grants a benefit (给予…奖励);
* in an unlabelled part: a number only in a sentence stating a requirement (须/应/原则上…) that is not
  a plan target (力争/全省/到2027年); other conditions only when the sentence also names the applicant;
* inside 申报程序 / 奖励标准 / 评审 / 工作要求 sections: never.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from reminder.extract.conditions_context import Kind, LineContext, Sections, lone_routes_ungrouped
from reminder.extract.conditions_data import Vocab, vocab
from reminder.extract.conditions_entities import ENTITY_RULES
from reminder.extract.conditions_founding import FOUNDING_RULES
from reminder.extract.conditions_kinds import KIND_RULES, kind_words, names_kind
from reminder.extract.conditions_manual import MANUAL_RULES
from reminder.extract.conditions_numbers import compare_tail, comparison
from reminder.extract.conditions_rules import (
    NUMERIC_RULES,
    Candidate,
    Rule,
    Sentence,
    clause_end,
    required_words,
    run_rule,
)
from reminder.extract.conditions_shares import SHARE_RULES
from reminder.extract.facts_text import first_chars
from reminder.extract.word_lists import WordScan
from reminder.model import Condition

__all__ = ["RULES", "find_conditions"]

log = logging.getLogger(__name__)

#: every rule, in priority order
RULES: tuple[Rule, ...] = (
    SHARE_RULES[:1]
    + NUMERIC_RULES
    + FOUNDING_RULES
    + SHARE_RULES[1:]
    + KIND_RULES
    + ENTITY_RULES
    + MANUAL_RULES
)
#: rules that read a number: skipped in a sentence without one (most sentences: speed)
_NEEDS_NUMBER = frozenset(r for r in NUMERIC_RULES + SHARE_RULES if r.name != "positive_growth")
_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千]\s*(?:万|亿|千|百|年|周年|人|名|家|个|项|件|%)")

_SENTENCE = re.compile(r"[^。;!?]+[。;!?]?")
#: right before a tier's threshold: the class of applicant it is for (…5,000万元(含)的企业,)
_TIER_BEFORE = re.compile(
    r"(?:以上|以下|以内|之间|\(含\)|\(不含\)|[元人%])[^,;。\d]{0,8}的(?:企业|单位|公司)?,\s*$"
)
#: a line that may go on with tiers
_TIER_LINE = re.compile(r"的(?:企业|单位|公司)?,")
#: right after a condition: those meeting it are preferred (…企业优先 / …记录的优先)
_PRIORITY_AFTER = re.compile(
    r"[”\"’']?(?:称号|资格|认定|证书|资质|荣誉)?的?(?:企业|单位|申报单位|申报企业)?(?:予以|将|可|给予)?优先"
)
#: a sentence that is another route to the previous one
_OR_START = re.compile(r"\s*(?:或者|或)(?!是|为)")
#: right after a threshold: those past it are excluded (…低于500万元的企业不得申报)
_EXCLUDED_AFTER = re.compile(
    r"\s*的?(?:企业|单位|申报单位|申报企业|公司|项目单位)?[,，]?\s*(?:一律|均|将)?\s*"
    r"(?:不得|不予|不能|不再|不在|不属于|不列入|不纳入|取消)"
)
#: what every cue of a grant's cap or a term holds (data/conditions.yaml cues.term), looked for first
_TERM_NEEDLES = ("超过", "高于", "最多", "最长")
#: the requirement a numeric exclusion leaves
_INVERSE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
#: a pinyin gloss right after a character (业(yè), 区(qū)): mirror sites inject them
#: (the bracket first, then the look back at the character before it: the scan skips to brackets in C)
_GLOSS = re.compile(r"\((?<=[\u4e00-\u9fff]\()[a-zàáâǎèéêěìíǐòóǒùúǔüǘǚǜǖāēīōūńňǹ]{1,7}\)")
#: after a number: …的企业, (it may pick a subgroup: see _selects_subgroup)
#: (…在5000万元以下、5000万元(含)—2亿元、2亿元(含)以上的企业,: the other classes of a list may follow)
_SUBGROUP_END = re.compile(r"\s*(?:\([^()]{0,10}\))?(?:、[^,;。]{0,30}?)?[^,;。]{0,6}?的[^,;。]{0,6}?,")
#: at most this much text between two items of a 、 list (、省级)
_LIST_GAP_MAX = 4
#: between two numeric conditions of a sentence, these keep them both required despite a 或 nearby
_CONJUNCTION = re.compile(r"且|并|同时|和|以及")


@functools.cache
def _prefilter(v: Vocab) -> re.Pattern[str]:
    """One alternation of literal words every rule starts from; lines without a hit are skipped.

    Literal words only: an optional group at the start of any alternative would make the regex try
    every position and run several times slower.
    """
    words = [*v.field_words, *re.findall(r"[\u4e00-\u9fff]+", v.age_alt), *v.prefilter_words]
    # two characters of each qualification: quotes may follow (专精特新“小巨人”)
    words += [q[:2] for q in v.qualification_values] + v.industry["heads"] + list(kind_words())
    words += re.findall(r"[\u4e00-\u9fff]+", v.applicant_cue_rx.pattern)
    words += v.founding["subjects"] + v.founding["other_subjects"] + v.founding["verbs"]
    # a threshold without a field word of its own (经济贡献400万元以上, 占比不低于10%)
    words += [w for w in (*v.prefix_ops, *v.suffix_ops) if len(w) > 1] + ["正增长", "占"]
    return re.compile(_any_word(words))


def _any_word(words: list[str]) -> str:
    """A regex that finds whether any of ``words`` occurs (only whether: the prefilter's match is never
    read), as a trie: one branch per first character, so the engine tries a handful of branches where
    a flat alternation of several hundred words tries them all at every candidate position.

    >>> _any_word(["申报", "申请", "申报条件", "企业"])
    '申(?:报|请)|企业'
    """
    if "" in words:
        return ""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branches(node: dict[str, Any]) -> list[str]:
        if "" in node:  # a word ends here: whatever follows it, it is found
            return [""]
        return [re.escape(ch) + group(child) for ch, child in node.items()]

    def group(node: dict[str, Any]) -> str:
        alts = branches(node)
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return "|".join(branches(trie))


def find_conditions(cleaned: str, view: str, start: int = 0, end: int | None = None) -> list[Condition]:
    """Eligibility conditions stated in ``cleaned[start:end]`` (one notice's text).

    Args:
        cleaned: the cleaned document text; quotes are cut from it (verbatim, may be traditional).
        view: ``match_view(cleaned)``, same length; rules read it.
        start: offset of the notice in the document.
        end: end of the notice (default: end of the document).

    Returns:
        The conditions in text order, without repeats; spans are absolute offsets into ``cleaned``.

    >>> from reminder.extract.normalize import clean, match_view
    >>> text = clean("申报条件:\\n1.职工总数不超过 500 人、年销售收入不超过 2 亿元。")
    >>> [(c.field, c.op, c.value, c.unit) for c in find_conditions(text, match_view(text))]
    [('headcount', '<=', 500, '人'), ('annual_revenue', '<=', 20000, '万元')]
    """
    v = vocab()
    sections = Sections(v)
    prefilter = _prefilter(v)
    found: list[Condition] = []
    alternatives = itertools.count(1)
    #: the any-of group of the tier lines in progress (…5000万元以下的企业,比例不低于5%)
    tiers: str | None = None
    for line_start, line_end in _lines(view, start, len(view) if end is None else end):
        line, offsets = _compact(view[line_start:line_end], line_start)
        ctx = sections.enter(line)
        if ctx.kind is Kind.BLOCKING or prefilter.search(line) is None:
            continue
        carried = False
        tiers = tiers if _TIER_LINE.search(line) else None
        previous: list[int] = []  # where the line's previous sentence's conditions are in ``found``
        for m in _SENTENCE.finditer(line):
            if prefilter.search(m.group()) is None:
                # 要求申报企业至少1项…;资产负债率不高于70%: the requirement goes on after the semicolon
                carried = m.group().endswith(";") and _states_requirement(m.group(), v)
                continue
            sentence = Sentence(
                m.group(),
                line_start + m.start(),
                ctx.kind is Kind.ELIGIBILITY,
                offsets[m.start() : m.end() + 1] if offsets else None,
                ctx.excluding,
            )
            holds = _may_hold_conditions(sentence, v, carried)
            # 要求申报企业…;截至上年末,资产负债率不高于70%: a requirement goes on after a semicolon
            carried = holds and m.group().endswith(";")
            if not holds:
                continue
            accepted = [c for c in _candidates(sentence, v) if _admissible(c, sentence, v)]
            groups = _groups(accepted, sentence, ctx, m.start(), alternatives, v)
            tiers = _tiers(accepted, groups, sentence, tiers or f"or-{next(alternatives)}")
            if accepted and previous and _OR_START.match(sentence.text) and not any(groups):
                _join_alternative(found, previous, groups, alternatives)
            previous = list(range(len(found), len(found) + len(accepted))) or previous
            if ctx.route is not None:  # a route's conditions: all of them, any route (route-1/2[/or-5])
                groups = [f"{ctx.route}/{g}" if g else ctx.route for g in groups]
            found.extend(
                _condition(c, g, sentence, cleaned, v) for c, g in zip(accepted, groups, strict=True)
            )
    return _unique(lone_routes_ungrouped(found))


def _join_alternative(
    found: list[Condition], previous: list[int], groups: list[str | None], ids: Iterator[int]
) -> None:
    """营业收入500万元以上;或营业收入未达到500万元但…: a sentence opening with 或 is another route to
    the previous sentence's conditions, so all of them form one any-of group."""
    earlier = {found[i].group for i in previous}
    group = earlier.pop() if len(earlier) == 1 and None not in earlier else f"or-{next(ids)}"
    for i in previous:
        found[i] = replace(found[i], group=group)
    groups[:] = [group] * len(groups)


def _compact(line: str, line_start: int) -> tuple[str, tuple[int, ...] | None]:
    """The line without pinyin glosses (企业(yè) → 企业, as mirror sites inject them), and where each
    remaining character stands in the document (None when there was nothing to drop)."""
    if "(" not in line or _GLOSS.search(line) is None:
        return line, None
    keep: list[int] = []
    pos = 0
    for m in _GLOSS.finditer(line):
        keep.extend(range(pos, m.start()))
        pos = m.end()
    keep.extend(range(pos, len(line) + 1))
    text = "".join(line[i] for i in keep[:-1])
    return text, tuple(line_start + i for i in keep)


def _lines(view: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    while pos < end:
        nl = view.find("\n", pos, end)
        stop = end if nl < 0 else nl
        if stop > pos:
            yield pos, stop
        pos = stop + 1


def _candidates(sentence: Sentence, v: Vocab) -> list[Candidate]:
    """Every rule's candidates, in text order; a later rule's candidate on an earlier one's evidence is dropped."""
    out: list[Candidate] = []
    plan = _rule_words(v)
    runs = _rules_to_run(sentence.text, plan)
    while runs:  # (lowest bit first: the rules in priority order; most rules in most sentences are skipped)
        bit = runs & -runs
        runs ^= bit
        k = bit.bit_length() - 1
        earlier = list(out)
        for c in run_rule(RULES[k], sentence, v, plan.compiled[k]):
            if not any(
                c.field == o.field or c.numeric and o.numeric for o in earlier if _overlap(c.key, o.key)
            ):
                out.append(c)
    return sorted(out, key=lambda c: c.span)


def _rules_to_run(text: str, plan: _Plan) -> int:
    """The bits of the rules that may match in ``text`` (bit k: ``RULES[k]``): those without words,
    those of each word found, less those reading a number when the text has none."""
    runs = plan.always
    for i, _, _ in plan.scan.hits(text):
        runs |= plan.rules_of_word[i]
    if _NUMBER.search(text) is None:
        runs &= ~plan.numeric
    return runs


@dataclass(frozen=True)
class _Plan:
    """Which rules run in a sentence, worked out once per vocabulary (see :func:`_rule_words`)."""

    #: the words each rule's matches must contain (:func:`required_words`), and their automaton
    words: tuple[str, ...]
    scan: WordScan
    #: per word of the automaton, the bits of the rules (bit k: ``RULES[k]``) that need it
    rules_of_word: tuple[int, ...]
    #: the bits of the rules without such words: they always run
    always: int
    #: the bits of the rules that read a number: skipped in a sentence without one
    numeric: int
    #: per rule, its pattern with its first characters (for :func:`run_rule`: looked up once)
    compiled: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...]


@functools.cache
def _rule_words(v: Vocab) -> _Plan:
    """The :class:`_Plan` of ``RULES``: a rule runs in a sentence holding one of its required words.

    (Requiring a word of every mandatory part, per branch, skips three times as many rules but costs
    more to check than it saves.)
    """
    words: dict[str, int] = {}
    rules_of_word: list[int] = []
    always = 0
    for k, rule in enumerate(RULES):
        required = required_words(rule.pattern(v))
        if required is None:
            always |= 1 << k
            continue
        for w in required:
            if w not in words:
                words[w] = len(words)
                rules_of_word.append(0)
            rules_of_word[words[w]] |= 1 << k
    numeric = sum(1 << k for k, rule in enumerate(RULES) if rule in _NEEDS_NUMBER)
    compiled = tuple((rule.pattern(v), first_chars(rule.pattern(v))) for rule in RULES)
    return _Plan(
        tuple(words), WordScan(list(words) or ["\n"]), tuple(rules_of_word), always, numeric, compiled
    )


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _states_requirement(text: str, v: Vocab) -> bool:
    return v.cues["applicant"].search(text) is not None or v.cues["requirement"].search(text) is not None


def _may_hold_conditions(s: Sentence, v: Vocab, carried: bool = False) -> bool:
    """Sentence-level checks before any rule runs.

    Never a benefit, a plan target, a cap on a grant or a project's or funding's term. Outside a section:
    a sentence naming the applicant (申报企业须…), or one stating a requirement (原则上…) that reads like no
    statistic (全省/累计/新增), or one that goes on from such a sentence after a semicolon (``carried``).
    """
    if v.cues["benefit"].search(s.text) or v.cues["target"].search(s.text):
        return False
    if any(w in s.text for w in _TERM_NEEDLES) and v.cues["term"].search(s.text):
        return False
    # (the cheap tests first: a sentence in a section or naming the applicant holds them, whatever
    # kind it names)
    if s.eligibility or carried or v.cues["applicant"].search(s.text):
        return True
    if names_kind(s.text, v):  # 面向商贸企业 / 集聚区…应…: who may apply, by kind
        return True
    return v.cues["requirement"].search(s.text) is not None and v.cues["statistic"].search(s.text) is None


def _admissible(c: Candidate, s: Sentence, v: Vocab) -> bool:
    """Whether the candidate (in a sentence that may hold conditions) is about the applicant's eligibility."""
    clause = s.text[s.text.rfind(",", 0, c.span[0]) + 1 : c.span[0]]
    if v.cues["encouragement"].search(clause) or c.numeric and _selects_subgroup(c, s, v):
        return False
    if s.eligibility:
        return True
    if c.eligibility_only:
        return False
    return not c.needs_applicant or v.cues["applicant"].search(s.text) is not None


@functools.cache
def _compare_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(compare_tail(v))


def _selects_subgroup(c: Candidate, s: Sentence, v: Vocab) -> bool:
    """A threshold that picks some applicants for what follows, not one all must meet.

    销售收入小于5,000万元(含)的企业,比例不低于5% (a tier: another comparison follows);
    营业收入超过1亿元的,须提供审计报告 (a duty of those above it).
    """
    head = _SUBGROUP_END.match(s.text, c.span[1])
    if head is None:
        return False
    rest = s.text[head.end() :]
    return v.cues["consequence"].search(rest) is not None or any(
        comparison(m, v) for m in _compare_rx(v).finditer(rest)
    )


def _groups(
    accepted: list[Candidate], s: Sentence, ctx: LineContext, offset: int, ids: Iterator[int], v: Vocab
) -> list[str | None]:
    """Group ids: the any-of list the line is an item of, else alternatives joined by 或.

    或 joins two thresholds (营业收入不低于5000万元或研发投入不低于300万元) or a list of one field
    (须为专精特新“小巨人”企业、隐形冠军企业或单项冠军企业: the whole list).
    """
    groups = [ctx.group if ctx.group and offset + c.span[0] >= ctx.group_from else None for c in accepted]
    for i in range(1, len(accepted)):
        a, b = accepted[i - 1], accepted[i]
        between = s.text[a.span[1] : b.span[0]]
        alike = a.numeric and b.numeric or a.field == b.field
        if groups[i] or not alike or not v.alternative_rx.search(between) or _CONJUNCTION.search(between):
            continue
        group = groups[i - 1] or f"or-{next(ids)}"
        groups[i] = group
        j = i - 1
        while j >= 0 and groups[j] in (None, group):
            groups[j] = group
            if j == 0 or not _same_list(accepted[j - 1], accepted[j], s):
                break
            j -= 1
    _routes_with_more(accepted, groups, s, v)
    _one_of_lists(accepted, s, groups, ids)
    _tier_groups(accepted, groups, ids)
    return groups


#: between the second of two alternatives and a further threshold that goes with it
_AND_ALSO = re.compile(r"^[,，]?\s*但[须需应]?[^,;。或]{0,16}$")


def _routes_with_more(accepted: list[Candidate], groups: list[str | None], s: Sentence, v: Vocab) -> None:
    """营业收入在1000万元以上,或在1000万元以下,但股权融资达到2000万元以上: the threshold after 但 goes with
    the second alternative, the two forming one route (or-4/2) beside the first (or-4/1)."""
    for i in range(2, len(accepted)):
        first, second = groups[i - 2], groups[i - 1]
        if groups[i] is not None or first is None or first != second or "/" in first:
            continue
        if groups.count(first) != 2 or not accepted[i].numeric:
            continue
        if not _AND_ALSO.match(s.text[accepted[i - 1].span[1] : accepted[i].span[0]]):
            continue
        groups[i - 2] = f"{first}/1"
        groups[i - 1] = groups[i] = f"{first}/2"


def _tiers(accepted: list[Candidate], groups: list[str | None], s: Sentence, group: str) -> str | None:
    """Thresholds after a class of applicant (销售收入在2亿元以上的企业,比例不低于3%): one tier each, the
    tiers of consecutive lines one any-of group. Returns the group when the sentence had a tier."""
    hit = False
    for i, c in enumerate(accepted):
        if groups[i] is None and c.numeric and _TIER_BEFORE.search(s.text, 0, c.span[0]):
            groups[i], hit = group, True
    return group if hit else None


def _tier_groups(accepted: list[Candidate], groups: list[str | None], ids: Iterator[int]) -> None:
    """The tiers of one 分别… list: any one of them (each applies to its own class of applicant)."""
    by_span: dict[tuple[int, int], str] = {}
    for i, c in enumerate(accepted):
        if c.tier and groups[i] is None:
            groups[i] = by_span.setdefault(c.span, f"or-{next(ids)}")


# 拥有A、B和C资格证书之一: a list of one field followed by "one of them"
_ONE_OF = re.compile(r"^[^,;。]{0,8}?(?:之一|中的?任?一[项个种类]|其中一[项个种类]|任一[项个种类]?)")
_LIST_JOINERS = re.compile(r"^\s*(?:、|和|及|以及|与|或者|或)\s*$")


def _one_of_lists(
    accepted: list[Candidate], s: Sentence, groups: list[str | None], ids: Iterator[int]
) -> None:
    i = 0
    while i < len(accepted):
        j = i
        while (
            j + 1 < len(accepted)
            and accepted[j + 1].field == accepted[i].field
            and _LIST_JOINERS.match(s.text[accepted[j].span[1] : accepted[j + 1].span[0]])
        ):
            j += 1
        if (
            j > i
            and all(g is None for g in groups[i : j + 1])
            and _ONE_OF.match(s.text[accepted[j].span[1] :])
        ):
            group = f"or-{next(ids)}"
            for k in range(i, j + 1):
                groups[k] = group
        i = j + 1


def _same_list(a: Candidate, b: Candidate, s: Sentence) -> bool:
    """Two conditions of one field listed with 、 (the list a later 或 turns into alternatives)."""
    between = s.text[a.span[1] : b.span[0]]
    return a.field == b.field and "、" in between and len(between) <= _LIST_GAP_MAX


def _condition(c: Candidate, group: str | None, s: Sentence, cleaned: str, v: Vocab) -> Condition:
    start, end = s.absolute(c.span[0]), s.absolute(c.span[1] - 1) + 1
    # 原则上… before the condition, or …企业优先 right after it
    soft = (
        v.cues["soft"].search(s.text, 0, c.span[0]) is not None
        or _PRIORITY_AFTER.match(s.text, c.span[1]) is not None
    )
    value = c.value
    if c.value_span is not None:
        value = _phrase(cleaned[s.absolute(c.value_span[0]) : s.absolute(c.value_span[1] - 1) + 1])
    if c.value_spans is not None:
        value = [
            x if x is not None else _phrase(cleaned[s.absolute(a) : s.absolute(b - 1) + 1])
            for x, (a, b) in zip(c.value, c.value_spans, strict=True)
        ]
    op = c.op
    # 有下列情形之一的不得申报:营业收入低于500万元 / 营业收入低于500万元的企业不得申报 → at least 500万元
    excluded_after = _EXCLUDED_AFTER.match(s.text, c.span[1]) if c.numeric else None
    if c.numeric and (s.excluding or excluded_after):
        op = _INVERSE.get(op, op)
    if excluded_after is not None:  # the quote shows what turned the bound round
        end = s.absolute(clause_end(s.text, excluded_after.end()) - 1) + 1
    return Condition(
        field=c.field,
        op=op,  # type: ignore[arg-type]
        value=value,
        unit=c.unit,
        quote=cleaned[start:end],
        span=(start, end),
        hard=not soft,
        group=group,
        rule=c.rule,
    )


#: a bracketed remark, or a pinyin gloss, inside a phrase value
_REMARK = re.compile(
    r"[(（](?:含|包括|包含|不含|不包括|以下简称)[^()（）]*[)）]|\([a-zàáǎèéěìíǐòóǒùúǔüǘǚǜāēīōū]{1,7}\)|\s+"
)


def _phrase(text: str) -> str:
    """A phrase as a value: 重大安全(含网络安全)、质量事故 → 重大安全、质量事故."""
    return _REMARK.sub("", text).strip("、,，的")


def _key(c: Condition) -> tuple[Any, ...]:
    value = tuple(c.value) if isinstance(c.value, list) else c.value
    if isinstance(value, str):
        value = value.rstrip("省市区县")
    # two different measures may share a threshold (增长率5%以上或利润率5%以上): "other" keeps its quote
    return c.field, c.op, value, c.unit, c.group, c.quote if c.field == "other" else ""


def _unique(found: list[Condition]) -> list[Condition]:
    """The first of each condition stated more than once (a notice repeats its 选树范围 in 申报条件)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for c in found:
        key = _key(c)
        if key not in seen:
            seen.add(key)
            out.append(c)
    if len(out) < len(found):
        log.debug("dropped %d repeated conditions", len(found) - len(out))
    return out
