"""Shares, growth, tiers and other thresholds without a field word of their own.

    研究开发费用占营业收入的比例3%以上          → rd_expense_ratio >= 3 %
    从业人员中科技人员占10%以上                 → rd_staff_ratio >= 10 %
    主营业务收入占营业收入比重不低于70%          → other >= 70 %
    比重分别达到6%、4%、2.5%以上                 → three tiers, one any-of group
    同比增长5%以上 / 实现正增长                  → other >= 5 % / other > 0 %
    经济贡献400万元以上 / 分公司三家以上         → other >= 400 万元 / other >= 3 家

These rules run after the field rules (``conditions_rules``): a number an earlier rule read is not read
again. The catch-all reads a threshold only when the clause before it names what is measured, and
never a project's figure (项目总投资) or a quota of the authority (每区推荐不超过3家).
"""

from __future__ import annotations

import functools
import re

from reminder.extract._data import alternation
from reminder.extract.conditions_data import Vocab
from reminder.extract.conditions_numbers import amount, compare_tail, comparison, tidy, unit_name
from reminder.extract.conditions_rules import Candidate, Rule, Sentence

__all__ = ["SHARE_RULES"]

#: what a share is a share of: the field of its subject and denominator (first hit wins)
_SHARE_FIELDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "rd_expense_ratio",
        re.compile(r"(?:研发|研究开发|研究与开发|科研)[^,;。]{0,4}(?:费用|投入|经费|支出)"),
        re.compile(r"收入|营收|销售额|营业额"),
    ),
    (
        "rd_staff_ratio",
        re.compile(r"科技人员|研发人员|研究开发人员|科研人员|技术人员"),
        re.compile(r"职工|员工|从业人员|人数|^$"),
    ),
)
#: the clause start before a threshold (what it is about)
_CLAUSE_START = re.compile(r"[,;。:、]|(?<=以上|以下|以内)(?:或者|或|且|并且|并)")
#: a clause about a project, not the applicant (项目总投资不低于…)
_PROJECT = re.compile(r"项目|课题")
#: the applicant named in a clause
_APPLICANT = re.compile(r"企业|单位|公司|申报|申请")
#: what an applicant counts of its own (分公司三家以上); other counts are quotas or targets (联合单位不超过4家)
_OWN_UNITS = re.compile(r"公司|分支机构|门店|网点|基地|工厂|客户|专利|著作权|商标|标准|产品")
#: a quota or allotment the authority sets (每个区推荐不超过3家)
_QUOTA = re.compile(r"推荐|限报|名额|择优|每个|每家|每区|每县|每市|每年|每项|每户|支持")
#: a qualification held for some years (read by the qualification rule)
_HELD = re.compile(r"认定|培育期|评定|入库")
#: what may follow a threshold of the catch-all: the clause ends (至少1项核心业务… measures what follows)
_AFTER = re.compile(r"\s*(?:$|[,;。、)(的]|或|且|并|增速|增幅)")
#: a share of some applicants before the threshold (不少于30%的在孵企业…)
_SHARE_OF_APPLICANTS = re.compile(r"\d\s*%的")
#: how close to the clause start a subject must be for the catch-all (characters)
_SUBJECT_MAX = 40
_PERCENT = r"(?P<n{i}>\d+(?:\.\d+)?)\s*%"


@functools.cache
def _share_rx(v: Vocab) -> re.Pattern[str]:
    """…占…(的)(比例|比重) [均] COMPARISON N% / …占比 COMPARISON N% / …中X占N%以上."""
    return re.compile(
        r"(?P<den>占[^,;。:]{0,24}?(?:的)?(?:比例|比重|比率|之比)?|占比|比重|比例)"
        r"\s*(?:均|需|须|应|要|要求)?\s*" + compare_tail(v)
    )


def _about_project(text: str, pos: int, subject: str) -> bool:
    """对于新上项目,…比例不低于50%: the sentence is about a project, and the clause names no applicant."""
    return _PROJECT.search(text, 0, pos) is not None and _APPLICANT.search(subject) is None


def _in_remark(text: str, pos: int) -> bool:
    """Inside a bracketed remark (即…分公司2家以上): an explanation, not a condition of its own."""
    return text.rfind("(", 0, pos) > text.rfind(")", 0, pos)


def _subject(text: str, end: int) -> str:
    """The clause before ``end`` (back to the last , ; 。 : or 或/且 joining two thresholds)."""
    start = max((m.end() for m in _CLAUSE_START.finditer(text, 0, end)), default=0)
    return text[start:end]


def _share_field(subject: str, denominator: str) -> str:
    for field, subj_rx, den_rx in _SHARE_FIELDS:
        if subj_rx.search(subject) and den_rx.search(denominator.removeprefix("占")):
            return field
    return "other"


def _share(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    op = comparison(m, v)
    got = amount(m.group("num"), m.group("unit"), v)
    if (
        op is None
        or got is None
        or got[1] != "percent"
        or not 0 < got[0] <= 100
        or _in_remark(s.text, m.start())
    ):
        return []
    subject = _subject(s.text, m.start())
    if _about_project(s.text, m.start(), subject):
        return []
    field = _share_field(subject, m.group("den"))
    start = m.start() - len(subject)
    return [Candidate(field, op, tidy(got[0]), "%", (start, m.end()), (m.start("num"), m.end("unit")), rule)]


@functools.cache
def _tiers_rx(v: Vocab) -> re.Pattern[str]:
    pre = alternation([w for w in v.prefix_ops if "不" in w or w in ("达到", "达")] + ["在", "为"])
    return re.compile(
        rf"分别\s*(?P<pre>{pre})?\s*(?P<list>\d+(?:\.\d+)?\s*%(?:\s*[、,和及]\s*\d+(?:\.\d+)?\s*%)+)"
        r"\s*(?:\((?:均)?(?P<inc>含|不含)\))?\s*(?P<suf>以上|以下)?"
    )


def _tiers(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """比重分别达到6%、4%、2.5%以上: one threshold per tier (the tiers form an any-of group)."""
    pre, suf = m.group("pre"), m.group("suf")
    op = v.prefix_ops.get(pre) if pre and pre not in v.weak_prefix else None
    op = op or (v.suffix_ops[suf] if suf else None)
    if op is None:
        return []
    if m.group("inc") == "含":
        op = {">": ">=", "<": "<="}.get(op, op)
    subject = _subject(s.text, m.start())
    field = _share_field(subject, subject[subject.find("占") :] if "占" in subject else "")
    out = []
    for n in re.finditer(r"\d+(?:\.\d+)?", m.group("list")):
        key = (m.start("list") + n.start(), m.start("list") + n.end())
        out.append(
            Candidate(
                field,
                op,
                tidy(float(n.group())),
                "%",
                (m.start() - len(subject), m.end()),
                key,
                rule,
                tier=True,
            )
        )
    return out


@functools.cache
def _positive_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(r"(?:实现|保持|均实现|均为|为)?正增长")


def _positive(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """(营业收入)实现正增长 → other > 0 %."""
    if re.search(r"不|未|非", s.text[max(0, m.start() - 4) : m.start()]):
        return []
    return [Candidate("other", ">", 0, "%", m.span(), m.span(), rule)]


@functools.cache
def _any_rx(v: Vocab) -> re.Pattern[str]:
    return re.compile(compare_tail(v))


def _any_threshold(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """经济贡献400万元以上, 增长率5%以上, 分公司三家以上: a comparison whose clause names what is measured."""
    # (the cheap tests first: after a number is turned down, its rule is tried again at each of its
    # digits, and most of those tries have no comparison word or an implausible value)
    op = comparison(m, v)
    if op is None:
        return []
    got = amount(m.group("num"), m.group("unit"), v)
    if got is None or got[1] not in ("money", "percent", "count", "years"):
        return []
    value, cls = got
    if value <= 0 or value > 100 and cls in ("percent", "years"):
        return []
    if _in_remark(s.text, m.start()) or not _AFTER.match(s.text, m.end()):
        return []
    subject = _subject(s.text, m.start())
    if _SHARE_OF_APPLICANTS.search(subject):  # 不少于30%的在孵企业…增长超过20%: the 30% is the condition
        return []
    if not 2 <= len(subject.strip()) <= _SUBJECT_MAX or _about_project(s.text, m.start(), subject):
        return []
    if cls == "count" and (_QUOTA.search(s.text) or not _OWN_UNITS.search(subject)):
        return []
    # 2020年以来 is a date (over 100 years: turned down above); 认定为…2年以上 / 培育期满3年 is how
    # long a title is held, not an age
    if cls == "years" and _HELD.search(subject):
        return []
    span = (m.start() - len(subject), m.end())
    return [
        Candidate("other", op, tidy(value), unit_name(m, cls, v), span, (m.start("num"), m.end("unit")), rule)
    ]


#: the tiers run first (分别达到6%、4%: one rule reads the whole list), the others after the field rules
SHARE_RULES: tuple[Rule, ...] = (
    Rule("share_tiers", _tiers_rx, _tiers),
    Rule("share", _share_rx, _share),
    Rule("positive_growth", _positive_rx, _positive),
    Rule("threshold", _any_rx, _any_threshold),
)
