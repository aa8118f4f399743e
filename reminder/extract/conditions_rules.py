"""The rule machinery (Sentence, Candidate, Rule), and the numeric rules: FIELD … COMPARISON NUMBER UNIT
(职工总数不超过 500 人, 成立满3年).

Each rule is a :class:`Rule` (``name``, ``pattern``, ``prod``) run over one sentence of the match view;
``prod`` turns a regex match into :class:`Candidate` conditions (or none: a rule's regex is loose,
its producer checks units and values). The orchestrator (``conditions.py``) decides which candidates
are eligibility conditions from where the sentence stands.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reminder.extract._data import alternation
from reminder.extract.conditions_data import Vocab
from reminder.extract.conditions_numbers import (
    NUM,
    amount,
    compare_tail,
    comparison,
    inclusion,
    tidy,
    unit_name,
)
from reminder.extract.facts_text import first_chars, first_search

__all__ = [
    "Sentence",
    "Candidate",
    "Rule",
    "NUMERIC_RULES",
    "run_rule",
    "entity",
    "negated",
    "clause_end",
    "excludes_after",
    "required_words",
    "gated_search",
]

#: words that may stand between a field word and its comparison (上年度, 须, 均, a bracketed remark)
_FILLER = r"(?:\([^()]{0,30}\)|[^\d,;。:()\n、]){0,12}?"
_SHORT_FILLER = r"[^\d,;。:()\n、]{0,6}?"
#: a list item names its field, then a colon: 营业收入:2000万元以上
_COLON = r"(?:\s*:)?"
#: fields joined by these share one comparison: 年销售收入、资产总额均不超过2亿元
_FIELD_JOINERS = r"(?:、|和|及|与|以及)"
#: largest plausible company age, in years (2020年 is a date, not an age)
_MAX_AGE = 100


@dataclass(frozen=True)
class Sentence:
    """One sentence of the match view, and whether it is inside an eligibility section."""

    text: str
    #: absolute offset of ``text`` in the document
    start: int
    eligibility: bool
    #: absolute offset of each character of ``text`` (and of its end) when the line was compacted
    #: (pinyin glosses 企业(yè) dropped); None when ``text`` is a verbatim slice
    offsets: tuple[int, ...] | None = None
    #: an item of a list of exclusions (有下列情形之一的,不得申报)
    excluding: bool = False

    def absolute(self, i: int) -> int:
        """The document offset of sentence position ``i``."""
        return self.start + i if self.offsets is None else self.offsets[i]


@dataclass(frozen=True)
class Candidate:
    """A condition read from a sentence, before the orchestrator accepts it. Spans are sentence-relative."""

    field: str
    op: str
    value: Any
    unit: str | None
    span: tuple[int, int]
    #: the evidence (the number, the region name): two candidates on one key are one condition
    key: tuple[int, int]
    rule: str
    #: a threshold (it may form 或 alternatives with another one, or pick a tier)
    numeric: bool = True
    #: only inside an eligibility section (self-evaluation scores)
    eligibility_only: bool = False
    #: outside an eligibility section, only in a sentence naming the applicant (申报单位须在本市注册)
    needs_applicant: bool = False
    #: one tier of 分别达到5%、4%、3%: the tiers of one match form an any-of group
    tier: bool = False
    #: the value is this phrase of the original text (verbatim script, bracketed remarks dropped)
    value_span: tuple[int, int] | None = None
    #: a list value: an item that is None is the phrase of the original text at the same position here
    value_spans: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class Rule:
    """A named rule: a regex built from the vocabulary, and a producer of candidates."""

    name: str
    pattern: Callable[[Vocab], re.Pattern[str]]
    prod: Callable[[re.Match[str], Sentence, Vocab, str], list[Candidate]]


def entity(
    field: str, op: str, value: Any, span: tuple[int, int], key: tuple[int, int], rule: str
) -> Candidate:
    """A non-numeric candidate (region, qualification…): outside a section it needs the applicant named."""
    return Candidate(field, op, value, None, span, key, rule, numeric=False, needs_applicant=True)


_CLAUSE_MARK = re.compile(r"[,;。]")


def clause_end(text: str, pos: int) -> int:
    """Where the clause holding ``pos`` ends (before its closing mark, or at the end of ``text``)."""
    found = _CLAUSE_MARK.search(text, pos)
    return found.start() if found else len(text)


def excludes_after(text: str, pos: int, v: Vocab) -> bool:
    """The rest of the clause from ``pos`` excludes (…的企业不得申报)."""
    return v.cues["exclusion_after"].search(text, pos, clause_end(text, pos)) is not None


def negated(text: str, pos: int, v: Vocab, window: int = 4) -> bool:
    """A negation word just before ``pos`` (不属于 / 非 / 未被…)."""
    return v.cues["negation"].search(text[max(0, pos - window) : pos]) is not None


def run_rule(
    rule: Rule,
    sentence: Sentence,
    v: Vocab,
    compiled: tuple[re.Pattern[str], re.Pattern[str] | None] | None = None,
) -> list[Candidate]:
    """Every candidate of ``rule`` in the sentence; a match its producer rejects is retried one character on.

    ``compiled``: the rule's pattern and its :func:`first_chars`, when the caller has looked them up once
    for many sentences.
    """
    if compiled is None:
        compiled = rule.pattern(v), first_chars(rule.pattern(v))
    (rx, first), text, pos, out = compiled, sentence.text, 0, []
    if first is not None:  # tried only where a match may start (found in one scan)
        return _run_at(rule, rx, first, sentence, v)
    while (m := rx.search(text, pos)) is not None:
        found = rule.prod(m, sentence, v, rule.name)
        out.extend(found)
        # a candidate may reach past its match (a list of titles): go on after it
        pos = max([m.end(), *(c.span[1] for c in found)]) if found else m.start() + 1
    return out


def _run_at(
    rule: Rule, rx: re.Pattern[str], first: re.Pattern[str], sentence: Sentence, v: Vocab
) -> list[Candidate]:
    """:func:`run_rule` for a pattern whose matches start only at a character of ``first``: the search
    from a position is the match at the first such character from there that has one. (The next such
    character is searched for from where the scan goes on: those inside a match taken are never read.)"""
    text, out = sentence.text, []
    spot = first.search(text)
    while spot is not None:
        at = spot.start()
        if (m := rx.match(text, at)) is None:
            spot = first.search(text, at + 1)
            continue
        found = rule.prod(m, sentence, v, rule.name)
        out.extend(found)
        pos = max([m.end(), *(c.span[1] for c in found)]) if found else m.start() + 1
        spot = first.search(text, max(pos, at + 1))
    return out


@functools.cache
def _field_list(v: Vocab) -> str:
    return rf"(?P<fields>(?:{v.field_alt})(?:{_FIELD_JOINERS}(?:{v.field_alt}))*)"


@functools.cache
def _amount_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(_field_list(v) + _COLON + _FILLER + compare_tail(v))


@functools.cache
def _ratio_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(rf"(?:{v.ratio_rx.pattern}){_COLON}{_SHORT_FILLER}" + compare_tail(v))


@functools.cache
def _age_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(rf"(?P<anchor>{v.age_alt}){_COLON}{_SHORT_FILLER}" + compare_tail(v))


@functools.cache
def _range_rx(v: Vocab) -> re.Pattern[str]:
    comp = v.comparators
    cur = rf"(?:{alternation(comp['currency'])})?"
    # 20人(含)至300人(不含): each bound may say whether it is included
    incl = inclusion(v)
    return re.compile(
        _field_list(v) + _FILLER + rf"(?:在|为)?\s*{cur}(?P<lo>{NUM})\s*(?P<lounit>{v.unit_alt})?\s*"
        rf"(?:\((?P<loinc>{incl})\)\s*)?"
        rf"(?:{alternation(comp['range_joiners'])})\s*{cur}(?P<num>{NUM})\s*(?P<unit>{v.unit_alt})"
        rf"(?:\s*\((?P<hiinc>{incl})\))?"
        rf"(?:\s*(?:{alternation(comp['range_tail'])}))?"
    )


def _threshold(m: re.Match[str], v: Vocab) -> tuple[str, float, str] | None:
    """(op, value in canonical unit, unit class) of a compare-tail match."""
    op = comparison(m, v)
    if op is None:  # (before the number is read: most retries one character on have no comparison)
        return None
    got = amount(m.group("num"), m.group("unit"), v)
    if got is None:
        return None
    return op, got[0], got[1]


def _candidate(
    field: str, op: str, value: float, cls: str, m: re.Match[str], v: Vocab, rule: str, **kw: Any
) -> Candidate:
    return Candidate(
        field,
        op,
        tidy(value),
        unit_name(m, cls, v),
        (m.start(), m.end()),
        (m.start("num"), m.end("unit")),
        rule,
        **kw,
    )


@functools.cache
def _second_bound_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(r"\s*(?:、|,|且|并且|而且|但|而)?\s*" + compare_tail(v))


def _second_bound(m: re.Match[str], op: str, cls: str, v: Vocab) -> tuple[re.Match[str], str, float] | None:
    """从业人员在100人以上500人以下: the other bound, right after the first, in the same unit class."""
    m2 = _second_bound_rx(v).match(m.string, m.end())
    got = _threshold(m2, v) if m2 is not None else None
    if m2 is None or got is None or got[2] != cls or got[0][0] == op[0]:
        return None
    return m2, got[0], got[1]


def _amount(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    got = _threshold(m, v)
    if got is None:
        return []
    op, value, cls = got
    second = _second_bound(m, op, cls, v)
    out = []
    for word in re.findall(v.field_alt, m.group("fields")):
        spec = v.field_words[word]
        if cls in spec.unit_classes and value > 0:
            only = spec.context == "eligibility"
            out.append(_candidate(spec.field, op, value, cls, m, v, rule, eligibility_only=only))
            if second is not None:
                m2, op2, value2 = second
                out.append(
                    Candidate(
                        spec.field,
                        op2,
                        tidy(value2),
                        unit_name(m, cls, v),
                        (m.start(), m2.end()),
                        (m2.start("num"), m2.end("unit")),
                        rule,
                        eligibility_only=only,
                    )
                )
    return out


def _ratio(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    got = _threshold(m, v)
    if got is None or got[2] != "percent" or not 0 < got[1] <= 100:
        return []
    field = next(name for name in v.ratio_rx.groupindex if m.group(name) is not None)
    return [_candidate(field, got[0], got[1], got[2], m, v, rule)]


def _ratio_of_rx(v: Vocab) -> re.Pattern[str]:
    return v.ratio_of_rx


def _ratio_of(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """研发费用不低于营业收入的3%: the comparison before the base."""
    i = next(k for k in range(len(v.ratio_of_fields)) if m.group(f"m{k}") is not None)
    op, value = v.prefix_ops[m.group(f"c{i}")], float(m.group("num"))
    if not 0 < value <= 100:
        return []
    return [_candidate(v.ratio_of_fields[i], op, value, "percent", m, v, rule)]


#: 至少拥有1项发明专利: the count before what is counted (the comparison first, then the verb)
_COUNT_FIRST = re.compile(
    rf"(?P<pre>至少|最少|不少于)(?:拥有|具有|获得|取得|持有)\s*(?P<num>{NUM})\s*(?P<unit>项|件|个)"
    r"(?:以上)?(?:有效的?|授权的?)?[^,;。:]{0,10}?(?:专利|知识产权|软件著作权|著作权|商标|标准)"
)


def _count_first_rx(v: Vocab) -> re.Pattern[str]:
    return _COUNT_FIRST


def _count_first(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    got = amount(m.group("num"), m.group("unit"), v)
    if got is None or got[1] != "count" or got[0] <= 0:
        return []
    return [_candidate("other", ">=", got[0], "count", m, v, rule)]


def _age(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    got = _threshold(m, v)
    if got is None or got[2] != "years" or not 0 < got[1] <= _MAX_AGE:
        return []
    return [_candidate("company_age_years", got[0], got[1], got[2], m, v, rule)]


def _range(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """营业收入在2000万元至2亿元之间 → >= 2000 and <= 20000."""
    hi = amount(m.group("num"), m.group("unit"), v)
    lo = amount(m.group("lo"), m.group("lounit") or m.group("unit"), v)
    if hi is None or lo is None or lo[1] != hi[1] or not 0 <= lo[0] < hi[0]:
        return []
    out = []
    for word in re.findall(v.field_alt, m.group("fields")):
        spec = v.field_words[word]
        if hi[1] in spec.unit_classes and spec.context == "any":
            span, key = (m.start(), m.end()), (m.start("lo"), m.end("unit"))
            unit = v.unit_names[hi[1]]
            lo_op = ">" if m.group("loinc") in v.exclusive else ">="
            hi_op = "<" if m.group("hiinc") in v.exclusive else "<="
            out.append(Candidate(spec.field, lo_op, tidy(lo[0]), unit, span, key, rule))
            out.append(Candidate(spec.field, hi_op, tidy(hi[0]), unit, span, key, rule))
    return out


#: numeric rules, most specific first (a ratio's number is not also read as a revenue)
NUMERIC_RULES: tuple[Rule, ...] = (
    Rule("ratio", _ratio_rx, _ratio),
    Rule("ratio_of", _ratio_of_rx, _ratio_of),
    Rule("count_first", _count_first_rx, _count_first),
    Rule("amount_range", _range_rx, _range),
    Rule("amount", _amount_rx, _amount),
    Rule("company_age", _age_rx, _age),
)


def gated_search(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``rx.search(text)``, after a cheap search for the words every match holds (:func:`required_words`):
    for a pattern that starts with a group or an assertion the engine tries at every position, the
    words' alternation is scanned in C, and most texts hold none of them; in the others the pattern
    is tried at its first characters only (:func:`~reminder.extract.facts_text.first_search`)."""
    known = _GATES.get(id(rx))
    if known is None or known[0] is not rx:
        words = required_words(rx)
        known = _GATES[id(rx)] = (rx, re.compile(alternation(list(words))) if words else None)
    gate = known[1]
    if gate is not None and gate.search(text) is None:
        return None
    return first_search(rx, text)


#: id of a pattern → (the pattern, the alternation of its required words, if any)
_GATES: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}
#: at most this many characters in a class read as a set of required words
_MAX_CLASS_WORDS = 16


def required_words(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Words one of which every match of ``rx`` contains (a text holding none of them cannot match, so
    the rule need not run); None when the analysis finds no such set.

    Read from the re module's parse tree: literal runs, alternations of them and repeats of at least
    one; of the pattern's mandatory parts the most selective one (longest shortest word) is kept.

    >>> sorted(required_words(re.compile(r"(?:营业收入|销售收入)\\s*不低于\\d+")))
    ['营业收入', '销售收入']
    """
    if rx.flags & re.IGNORECASE:
        return None
    try:
        parser, k = importlib.import_module("re._parser"), importlib.import_module("re._constants")
        best = _best(_options(parser.parse(rx.pattern, rx.flags).data, k))
    except Exception:  # noqa: BLE001 - an analysis that fails only costs speed
        return None
    return frozenset(best) if best else None


def _selectivity(words: frozenset[str] | set[str]) -> tuple[int, int]:
    return min(map(len, words)), -len(words)


def _options(seq: Any, k: Any) -> list[set[str]]:
    """The word sets a parsed sequence requires: its literal runs, and those of its mandatory parts."""
    options: list[set[str]] = []
    run = ""
    for op, av in seq:
        if op is k.LITERAL:
            run += chr(av)
            continue
        if run:
            options.append({run})
            run = ""
        if op is k.SUBPATTERN:
            if not av[1] & re.IGNORECASE:
                options += _options(av[3].data, k)
        elif op is k.BRANCH:
            alts = [_best(_options(alt.data, k)) for alt in av[1]]
            if all(alts):
                options.append(set().union(*(a for a in alts if a)))
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
            if av[0] >= 1:
                options += _options(av[2].data, k)
        elif op is k.IN and len(av) <= _MAX_CLASS_WORDS and all(o is k.LITERAL for o, _ in av):
            options.append({chr(a) for _, a in av})
    if run:
        options.append({run})
    return options


def _best(options: list[set[str]]) -> set[str] | None:
    return max(options, key=_selectivity) if options else None
