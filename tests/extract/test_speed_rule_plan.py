"""conditions._candidates hands run_rule each rule's pattern and first characters, looked up once per
vocabulary (``_rule_words``) instead of per sentence: the candidates are those of run_rule looking
them up itself, and of the plain search loop (see test_speed_first_chars for the loop itself)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_speed_first_chars import _RULE_PIECES, _plain_run

from reminder.extract import conditions
from reminder.extract.conditions_data import vocab
from reminder.extract.conditions_rules import Sentence, run_rule
from reminder.extract.facts_text import first_chars


def test_plan_holds_each_rules_pattern_and_first_characters() -> None:
    v = vocab()
    _, _, compiled = conditions._rule_words(v)
    assert [rx for rx, _ in compiled] == [rule.pattern(v) for rule, _ in conditions._RULE_PLAN]
    assert [first for _, first in compiled] == [first_chars(rx) for rx, _ in compiled]


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.sampled_from(_RULE_PIECES), min_size=1, max_size=10).map("".join),
    eligibility=st.booleans(),
)
def test_run_rule_with_the_plan_is_the_plain_search_loop(text: str, eligibility: bool) -> None:
    v = vocab()
    sentence = Sentence(text, 0, eligibility)
    _, _, compiled = conditions._rule_words(v)
    for (rule, _), plan in zip(conditions._RULE_PLAN, compiled, strict=True):
        assert run_rule(rule, sentence, v, plan) == _plain_run(rule, sentence), rule.name
