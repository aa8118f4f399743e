"""conditions._candidates runs only the rules that may match a sentence, chosen by the bits of a plan
worked out once per vocabulary (``_rule_words``), and hands run_rule each rule's pattern and first
characters from it: the candidates are those of every rule run on every sentence by the plain search
loop (see test_speed_first_chars for the loop itself), and the plan's bits are the rules' words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views
from test_speed_first_chars import _RULE_PIECES, _plain_run

from reminder.extract import conditions
from reminder.extract.conditions import _NUMBER, RULES, _overlap
from reminder.extract.conditions_data import vocab
from reminder.extract.conditions_rules import Candidate, Sentence, required_words, run_rule
from reminder.extract.facts_text import first_chars

#: pieces that bring in the rules a plain threshold text does not (regions, titles, kinds, credit)
_MORE_PIECES = [
    "在杭州市注册",
    "中国境内",
    "属于制造业",
    "面向商贸企业",
    "未被列入失信名单",
    "具有独立法人资格",
    "分别达到6%、4%",
    "实现正增长",
    "专精特新“小巨人”企业",
    "纳入科技型中小企业培育库",
    "集聚区",
]


def _plain_candidates(sentence: Sentence) -> list[Candidate]:
    """_candidates as if no rule were skipped: every rule, in priority order, by the plain loop."""
    out: list[Candidate] = []
    for rule in RULES:
        earlier = list(out)
        for c in _plain_run(rule, sentence):
            if not any(
                c.field == o.field or c.numeric and o.numeric for o in earlier if _overlap(c.key, o.key)
            ):
                out.append(c)
    return sorted(out, key=lambda c: c.span)


def test_plan_holds_each_rules_pattern_and_first_characters() -> None:
    v = vocab()
    compiled = conditions._rule_words(v).compiled
    assert [rx for rx, _ in compiled] == [rule.pattern(v) for rule in RULES]
    assert [first for _, first in compiled] == [first_chars(rx) for rx, _ in compiled]


def test_plan_bits_are_the_rules_words() -> None:
    """Bit k of a word's rules is set exactly when the word is one of RULES[k]'s required words."""
    v = vocab()
    plan = conditions._rule_words(v)
    assert len(plan.words) == len(plan.rules_of_word)
    for k, rule in enumerate(RULES):
        required = required_words(rule.pattern(v))
        assert bool(plan.always >> k & 1) == (required is None), rule.name
        assert bool(plan.numeric >> k & 1) == (rule in conditions._NEEDS_NUMBER), rule.name
        assert {w for i, w in enumerate(plan.words) if plan.rules_of_word[i] >> k & 1} == (required or set())


def _runs(text: str) -> set[str]:
    runs = conditions._rules_to_run(text, conditions._rule_words(vocab()))
    return {rule.name for k, rule in enumerate(RULES) if runs >> k & 1}


_TEXTS = st.lists(st.sampled_from(_RULE_PIECES + _MORE_PIECES), min_size=1, max_size=10).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_TEXTS)
def test_plan_runs_every_rule_holding_a_required_word(text: str) -> None:
    v = vocab()
    expected = set()
    for rule in RULES:
        words = required_words(rule.pattern(v))
        if rule in conditions._NEEDS_NUMBER and _NUMBER.search(text) is None:
            continue
        if words is None or any(w in text for w in words):
            expected.add(rule.name)
    assert _runs(text) == expected


@settings(max_examples=150, deadline=None)
@given(text=_TEXTS, eligibility=st.booleans())
def test_candidates_are_every_rules_by_the_plain_loop(text: str, eligibility: bool) -> None:
    sentence = Sentence(text, 0, eligibility)
    assert conditions._candidates(sentence, vocab()) == _plain_candidates(sentence)


def test_candidates_on_the_samples() -> None:
    found = 0
    for view in sample_views():
        for line in view.split("\n"):
            for text in conditions._SENTENCE.findall(line):
                sentence = Sentence(text, 0, True)
                got = conditions._candidates(sentence, vocab())
                assert got == _plain_candidates(sentence), text
                found += len(got)
    assert found, "no sample sentence had a candidate: the check proved nothing"


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.sampled_from(_RULE_PIECES), min_size=1, max_size=10).map("".join),
    eligibility=st.booleans(),
)
def test_run_rule_with_the_plan_is_the_plain_search_loop(text: str, eligibility: bool) -> None:
    v = vocab()
    sentence = Sentence(text, 0, eligibility)
    for rule, plan in zip(RULES, conditions._rule_words(v).compiled, strict=True):
        assert run_rule(rule, sentence, v, plan) == _plain_run(rule, sentence), rule.name
