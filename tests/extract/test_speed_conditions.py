"""The threshold producers test the cheap things first (a comparison word, a plausible value) and only
then read the clause: each returns what the plain order of tests returns. The catch-all threshold
rule is retried one character on after each number it turns down, so most of its calls are such
retries."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import conditions, conditions_rules, conditions_shares
from reminder.extract.conditions_data import Vocab, vocab
from reminder.extract.conditions_kinds import names_kind
from reminder.extract.conditions_numbers import amount, comparison, tidy, unit_name
from reminder.extract.conditions_rules import Candidate, Rule, Sentence, run_rule

# clauses of a subject, a comparison, a number, a unit and what follows, and loose pieces between them
_SUBJECTS = [
    "经济贡献",
    "营业收入",
    "增长率",
    "分公司",
    "科技人员占比",
    "项目总投资",
    "认定为高企",
    "培育期满",
    "企业",
    "",
]
_PRE = ["不低于", "不超过", "达到", "超过", "低于", "均不低于", ""]
_NUMBERS = ["1,000", "2025", "300", "0", "150", "5", "三", "两千", "2 000", "0.5"]
_UNITS = ["万元", "亿元", "%", "家", "年", "人", "分", "个"]
_AFTER = ["以上", "以下", "(含)", "(不含)以上", "", "(即100人)以上"]
_ENDS = [
    ",",
    "。",
    ";",
    "、",
    "",
    "的",
    "或",
    "增速",
    "(",
    ")",
    "项目",
    "每区推荐",
    "2020年以来",
    "30%的在孵企业",
]
_CLAUSE = st.tuples(*(st.sampled_from(x) for x in (_SUBJECTS, _PRE, _NUMBERS, _UNITS, _AFTER, _ENDS)))
_TEXTS = st.lists(_CLAUSE.map("".join), min_size=1, max_size=4).map("".join)


def _plain_any_threshold(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """The catch-all producer with its tests in their first order (number read first, clause next)."""
    cs = conditions_shares
    op = comparison(m, v)
    got = amount(m.group("num"), m.group("unit"), v)
    if op is None or got is None or got[1] not in ("money", "percent", "count", "years"):
        return []
    value, cls = got
    if cs._in_remark(s.text, m.start()) or not cs._AFTER.match(s.text, m.end()):
        return []
    subject = cs._subject(s.text, m.start())
    if cs._SHARE_OF_APPLICANTS.search(subject):
        return []
    if (
        not 2 <= len(subject.strip()) <= cs._SUBJECT_MAX
        or cs._about_project(s.text, m.start(), subject)
        or value <= 0
    ):
        return []
    if cls == "count" and (cs._QUOTA.search(s.text) or not cs._OWN_UNITS.search(subject)):
        return []
    if cls == "percent" and value > 100:
        return []
    if cls == "years" and (value > 100 or cs._HELD.search(subject)):
        return []
    span = (m.start() - len(subject), m.end())
    key = (m.start("num"), m.end("unit"))
    return [Candidate("other", op, tidy(value), unit_name(m, cls, v), span, key, rule)]


def _plain_threshold(m: re.Match[str], v: Vocab) -> tuple[str, float, str] | None:
    op = comparison(m, v)
    got = amount(m.group("num"), m.group("unit"), v)
    if op is None or got is None:
        return None
    return op, got[0], got[1]


def _check(text: str) -> None:
    v = vocab()
    sentence = Sentence(text, 0, True)
    fast = next(r for r in conditions_shares.SHARE_RULES if r.name == "threshold")
    plain = Rule("threshold", fast.pattern, _plain_any_threshold)
    assert run_rule(fast, sentence, v) == run_rule(plain, sentence, v), text
    for m in fast.pattern(v).finditer(text):
        assert conditions_rules._threshold(m, v) == _plain_threshold(m, v), m.group()


@settings(max_examples=1000, deadline=None)
@given(_TEXTS)
def test_threshold_producers_answer_as_the_plain_order(text: str) -> None:
    _check(text)


@pytest.mark.parametrize(
    "text", ["经济贡献超过2025年,", "增长率超过0%,", "增长率超过150%,", "分公司三家以上,", "培育期满3年以上,"]
)
def test_threshold_producers_on_values_turned_down(text: str) -> None:
    _check(text)


def test_threshold_producers_on_the_samples() -> None:
    for view in sample_views():
        for sentence in re.findall(r"[^。;\n]+", view):
            _check(sentence)


_TARGET_PIECES = [
    "达到",
    "到",
    " ",
    "2025",
    "2030年",
    "年",
    "力争",
    "争取",
    "预计",
    "目标",
    "企业",
    "达",
    "20",
    "。",
]


#: the target cue as first written: the lookbehind before 到 (the engine then tries every position)
_WRITTEN_TARGET = r"(?<!达)到\s*20\d\d\s*年"


def _written_target(v: Vocab) -> re.Pattern[str]:
    pattern = v.cues["target"].pattern
    assert "到(?<!达到)" in pattern  # (else the check proves nothing)
    return re.compile(pattern.replace(r"到(?<!达到)\s*20\d\d\s*年", _WRITTEN_TARGET))


def _plain_may_hold(s: Sentence, v: Vocab, carried: bool = False) -> bool:
    """conditions._may_hold_conditions as first written: the target cue with its lookbehind first, the
    kind of applicant tested before the section and the applicant."""
    if v.cues["benefit"].search(s.text) or _written_target(v).search(s.text):
        return False
    if names_kind(s.text, v):
        return True
    if s.eligibility or carried or v.cues["applicant"].search(s.text):
        return True
    return v.cues["requirement"].search(s.text) is not None and v.cues["statistic"].search(s.text) is None


def _check_may_hold(text: str) -> None:
    v = vocab()
    for eligibility in (False, True):
        for carried in (False, True):
            s = Sentence(text, 0, eligibility)
            assert conditions._may_hold_conditions(s, v, carried) == _plain_may_hold(s, v, carried), text


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TARGET_PIECES + _SUBJECTS + _PRE), max_size=12).map("".join))
def test_target_cue_at_its_first_characters(text: str) -> None:
    _check_may_hold(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TARGET_PIECES), max_size=10).map("".join))
def test_target_cue_finds_what_it_found_as_written(text: str) -> None:
    v = vocab()
    found = v.cues["target"].search(text)
    written = _written_target(v).search(text)
    assert (found and found.span()) == (written and written.span())


def test_target_cue_on_the_samples() -> None:
    for view in sample_views():
        for sentence in re.findall(r"[^。;\n]+[。;]?", view):
            _check_may_hold(sentence)
