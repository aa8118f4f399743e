"""The qualification a notice's call awards (高新技术企业认定 → 高新技术企业), which is never its requirement.

A 高企认定 notice may say 往年认定的高企可再次申请 or list 高企 as a fast route; read as
``has 高新技术企业`` that would shut out every first-time applicant. Judging a notice, a ``has``
condition on the very title it awards is therefore soft: shown, never deciding. Only titles followed by
an award word (认定, 评价, 入库…) or in a call to apply (组织申报…小巨人企业) count, and never when a
benefit follows the title (高新技术企业培育奖励): a reward for 高企 still requires being one.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence

from reminder.model import Condition

from ._vocab import canonical_qualification, qualification_key, qualification_words

__all__ = ["awarded_qualifications", "soften_awarded"]

# Words after a title that make the notice a call to obtain it; a few characters may sit between
# (高新技术企业的认定, 科技型中小企业评价入库).
_AWARD = re.compile(r"^.{0,3}?(认定|评价|入库|评定|遴选|培育|复核)")
_AWARD_END = re.compile(r"(认定|评价|入库|评定|遴选|培育|复核)$")
# A call to apply (组织申报…小巨人企业): the title is awarded unless a benefit follows it.
_CALL = re.compile(r"申报|推荐|征集")
# …and the title ends right after the name: 更名申报 or 研发补助 after it are calls about holders
_CALL_END = re.compile(r"^(的)?(通知|工作|名单|$)")
# Pinyin glosses some pages put after characters: 技術(shù)
_RUBY = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,8}[)）]")
_BENEFIT = re.compile(r"^.{0,6}?(奖|补|资助|兑现|扶持|政策|项目|资金|贷|融资|专项)")


@functools.lru_cache(maxsize=2048)
def awarded_qualifications(title: str) -> frozenset[str]:
    """Canonical qualifications a title calls companies to obtain (longest names first, no overlaps)."""
    text = qualification_key(_RUBY.sub("", title))
    found: set[str] = set()
    taken = [False] * len(text)
    for word, name in qualification_words():
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(word)
                rest = text[end:]
                if _BENEFIT.match(rest):
                    pass  # 高新技术企业培育奖励: a benefit for holders, who must hold the title
                elif _AWARD_END.search(word) or _AWARD.match(rest):
                    found.add(name)
                elif _CALL.search(text[:start]) and _CALL_END.match(rest):
                    found.add(name)  # 组织申报…专精特新“小巨人”企业的通知
            start = text.find(word, end)
    return frozenset(found)


def _names(condition: Condition) -> list[str]:
    values = condition.value if isinstance(condition.value, list | tuple) else [condition.value]
    return [canonical_qualification(str(v)) for v in values if str(v or "").strip()]


def soften_awarded(conditions: Sequence[Condition], title: str) -> tuple[Condition, ...]:
    """The conditions with ``has <awarded title>`` made soft (see the module docstring)."""
    awarded = awarded_qualifications(title)
    if not awarded:
        return tuple(conditions)
    out = []
    for cond in conditions:
        names = _names(cond) if cond.field == "qualification" and cond.op == "has" else []
        if names and cond.hard and all(n in awarded for n in names):
            cond = dataclasses.replace(cond, hard=False)
        out.append(cond)
    return tuple(out)
