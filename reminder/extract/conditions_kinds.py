"""Kind-of-applicant rules: 申报主体为工业企业 / 面向商贸企业 / 申报单位须为…的文化企业 / 仅限…企业申报 /
参加申报的孵化器运营机构 / 集聚区…应… .

The kinds and their words are ``reminder/data/applicant_kinds.yaml`` (the engine reads the same table
to judge them from a profile's 所属行业). A kind becomes ``industry in [工业]`` (a company's sector
answers it) or ``applicant_type in [集聚区]`` (an applicant that is no company).
"""

from __future__ import annotations

import functools
import re

from reminder.applicant_kinds import Kind, kind_by_word, kinds
from reminder.extract._data import alternation
from reminder.extract.conditions_data import Vocab
from reminder.extract.conditions_rules import Candidate, Rule, Sentence, gated_search, negated

__all__ = ["KIND_RULES", "kind_words", "names_kind"]

#: who applies is named by these: no further applicant word is needed
_STRONG = r"申报主体|申请主体|申报单位|申请单位|申报企业|申请企业|申报对象|申请对象|支持对象|扶持对象|参评对象|申报范围"
_ANCHOR = (
    rf"(?P<strong>(?:{_STRONG})(?:须|应|必须|应当)?(?:为|是|限于?|:)|面向|仅限|限于|只限|参加[^,;。:]{{0,6}}?(?:申报|认定|评选|评价)的)"
    r"|(?P<weak>属于|须为|应为|必须为|必须是|须是|应是|(?:设立|注册|成立|登记|落户|入驻)的)"
)
#: what may follow a kind word for it to be the applicant (工业企业技术改造项目 is a project)
_AFTER = r"(?=$|[,;。:、()]|等|和|及|或|申报|申请|可|须|应|均|,)"
#: 规模以上工业企业: a statistics class, read as a qualification (规上企业) by the qualification rules
_STAT_CLASS = re.compile(r"(?:规模以上|规上|限额以上|限上)$")
#: an applicant that is no company, as the subject of a requirement (集聚区建成营业时间应不晚于…)
_SUBJECT_TAIL = r"(?![内中里的]|企业|单位|管理|运营|所在)[^,;。:]{0,10}?(?:应|须|必须|需)"


@functools.cache
def kind_words() -> tuple[str, ...]:
    """Every kind word, longest first (what the prefilter and the rules look for)."""
    return tuple(sorted({w for k in kinds() for w in k.words}, key=len, reverse=True))


@functools.cache
def _kind_rx(v: Vocab) -> re.Pattern[str]:
    words = alternation(list(kind_words()))
    return re.compile(
        rf"(?:{_ANCHOR})(?P<fill>[^,;。:、非不]{{0,24}}?)(?P<kinds>(?:{words})(?:(?:、|和|及|与|或|以及)(?:{words}))*){_AFTER}"
    )


@functools.cache
def subject_rx(v: Vocab) -> re.Pattern[str]:
    """A sentence whose subject is an applicant that is no company, bound by a requirement."""
    words = alternation([w for k in kinds() if k.field == "applicant_type" for w in k.words])
    return re.compile(rf"^\s*(?P<kinds>{words}){_SUBJECT_TAIL}")


def names_kind(text: str, v: Vocab) -> bool:
    """Whether a sentence says who applies by kind (面向商贸企业 / 集聚区…应…): it may hold conditions."""
    if subject_rx(v).match(text):
        return True
    m = gated_search(_kind_rx(v), text)
    return m is not None and m.group("strong") is not None


def _named(text: str) -> list[Kind]:
    found = [kind_by_word(w) for w in re.findall(alternation(list(kind_words())), text)]
    return list(dict.fromkeys(k for k in found if k is not None))


def _candidates(m: re.Match[str], strong: bool, rule: str) -> list[Candidate]:
    named = _named(m.group("kinds"))
    out = []
    for field in ("industry", "applicant_type"):
        values = [k.value for k in named if k.field == field]
        if values:
            span, key = (m.start(), m.end()), m.span("kinds")
            out.append(
                Candidate(
                    field, "in", values, None, span, key, rule, numeric=False, needs_applicant=not strong
                )
            )
    return out


def _kind(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    if negated(s.text, m.start("kinds"), v, window=2) or _STAT_CLASS.search(m.group("fill")):
        return []
    return _candidates(m, m.group("strong") is not None, rule)


def _subject(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    return _candidates(m, True, rule)


KIND_RULES: tuple[Rule, ...] = (
    Rule("applicant_kind", _kind_rx, _kind),
    Rule("applicant_kind_subject", subject_rx, _subject),
)
