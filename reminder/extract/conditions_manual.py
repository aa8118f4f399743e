"""Conditions a profile cannot answer, kept so the verdict asks a person (可能符合, 需人工确认):

    已承担市级项目且尚未验收的企业不得参与申报 → other not_has 已承担…尚未验收
    企业需已建立知识产权管理制度                                 → other has 已建立知识产权管理制度

Titles, credit and region exclusions have rules of their own (``conditions_entities``); a phrase one of
them reads is left to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from reminder.extract.conditions_data import Vocab
from reminder.extract.conditions_rules import Candidate, Rule, Sentence

__all__ = ["MANUAL_RULES"]

#: …的企业(一律)不得参与申报 / Taiwan's …者不得重複申請: those of that description are excluded (a list
#: number before it is not part of the description)
_EXCLUDED = re.compile(
    r"(?:^|(?<=[,;。:]))\s*(?:\d{1,2}[.、]|\(\s*[一二三四五六七八九十\d]{1,3}\s*\)|[一二三四五六七八九十]{1,3}、|[①-⑳])?\s*"
    r"(?:对于|凡是?|对)?(?P<obj>[^,;。:]{6,40}?)(?:的(?:企业|单位|申报单位|申报企业|项目单位)|者),?(?:一律|均)?"
    r"(?:不得|不予|不能|不再)再?(?:参与|参加|纳入|提出)?(?:本次|本年度)?(?:项目)?(?:重复)?(?:申报|推荐|申请|受理)"
)
#: 企业须已建立…制度: a standing the applicant must already have
_ALREADY = re.compile(
    r"(?:企业|申报单位|申报企业|申请单位|申请企业)(?:须|需|应|必须|应当)(?P<obj>已(?:建立|设立|完成|取得|获得|通过|制定|建成|开展)"
    r"[^,;。:]{2,20}?)(?=$|[,;。:]|并|且)"
)
#: an item of a list of exclusions (有下列情形之一的,不予受理:) describing a standing: 已获得过同类项目支持的
_EXCLUDED_ITEM = re.compile(
    r"^\s*(?:\d{1,2}[.、]|\(\s*[一二三四五六七八九十\d]{1,3}\s*\)|[一二三四五六七八九十]{1,3}、|[①-⑳])?\s*"
    r"(?P<obj>(?:已|曾|正在|尚未|存在|涉及|近[一二三两\d]年内?)[^,;。:]{3,40}?)的?\s*[;。]?\s*$"
)
#: a threshold: the numeric rules read it (营业收入低于500万元的企业不得申报 → at least 500万元)
_THRESHOLD = re.compile(
    r"(?:低于|高于|超过|不足|少于|多于|未满|不满|未达到?|不到|小于|大于)\s*[\d一二三四五六七八九十两]"
    r"|[\d一二三四五六七八九十两]\s*(?:万元|亿元|元|人|%|年|个月|家|项|件)\s*(?:以上|以下|以内)"
    r"|(?:19|20)\d{2}\s*年[^,;。]{0,10}?(?:以后|之后|以前|之前|前|后)"  # a founding date
)
#: words another rule reads (a title, a credit record, a region): not a manual condition of ours
_OTHERS = re.compile(
    r"下列|以下|如下|情形之一|失信|违法|违规|异常|黑名单|欠税|注册|高新技术|专精特新|科技型中小|小巨人|规模以上|规上"
    r"|(?:产业|行业)(?:$|的)"
)


def _excluded_rx(v: Vocab) -> re.Pattern[str]:
    return _EXCLUDED


def _already_rx(v: Vocab) -> re.Pattern[str]:
    return _ALREADY


def _excluded_item_rx(v: Vocab) -> re.Pattern[str]:
    return _EXCLUDED_ITEM


def _excluded_item(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """Only in a list of exclusions: the standing described is excluded (quoted without the item's
    number and closing mark)."""
    if not s.excluding:
        return []
    return [replace(c, span=c.key) for c in _manual("not_has")(m, s, v, rule)]


def _manual(op: str) -> Callable[[re.Match[str], Sentence, Vocab, str], list[Candidate]]:
    """The producer of a manual condition with this operator."""

    def prod(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
        obj = m.group("obj")
        if _OTHERS.search(obj) or v.qualification_rx.search(obj) or _THRESHOLD.search(obj):
            return []
        span, key = (m.start(), m.end()), m.span("obj")
        c = Candidate("other", op, None, None, span, key, rule, numeric=False, value_span=key)
        return [c]

    return prod


MANUAL_RULES: tuple[Rule, ...] = (
    Rule("excluded_standing", _excluded_rx, _manual("not_has")),
    Rule("required_standing", _already_rx, _manual("has")),
    Rule("excluded_item", _excluded_item_rx, _excluded_item),
)
