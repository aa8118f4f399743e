"""Where a line stands in a notice: inside 申报条件, inside 申报程序, or neither; and any-of lists.

A notice is read line by line. Numbered headings (一、 / (一) / 1. / (1) / ① / 【…】 / 第X条) open and
close sections; a short heading with an eligibility word (申报条件, 申报对象, 选树范围…) opens an
eligibility section, one with a blocking word (申报程序, 奖励标准, 工作要求…) a section whose numbers
are not eligibility conditions. A sentence such as 须同时满足以下条件 opens a list of conditions
(eligibility until the list ends); 符合下列条件之一 opens an any-of list whose items share a group id.
Sibling numbered sub-headings naming a class of applicant ((一)骨干企业 / (二)成长型企业) open
alternative routes: each route's conditions all hold, any one route will do (group route-N/k).

    Frame stack:  [一、申报条件 (level 1, eligibility)] → [(二)直通车条件 (2, eligibility)]
                   → [符合下列条件中的一项 (2.5, eligibility, group anyof-1)] → items 1. 2. 3.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace

from reminder.extract.conditions_data import Vocab
from reminder.extract.conditions_rules import gated_search
from reminder.model import Condition

__all__ = ["Kind", "LineContext", "Sections", "lone_routes_ungrouped"]

# A numbered heading at the start of a line; the group that matched gives the level.
_MARKER = re.compile(
    r"""^\s*(?:
        (?P<article>第[一二三四五六七八九十百零\d]{1,4}[章条节部分])
      | 【(?P<bracket>[^】]{1,24})】
      | (?P<cn>[一二三四五六七八九十]{1,3})\s*[、.]
      | \(\s*(?P<pcn>[一二三四五六七八九十]{1,3})\s*\)
      | (?P<ar>\d{1,2})\s*[.、](?!\d)
      | \(\s*(?P<par>\d{1,2})\s*\)
      | (?P<circ>[①-⑳])
    )\s*""",
    re.VERBOSE,
)
_LEVELS = {"article": 1.0, "bracket": 1.0, "cn": 1.0, "pcn": 2.0, "ar": 3.0, "par": 4.0, "circ": 5.0}
# A line with no number that is only a short heading (申报条件: / 申报对象) sits inside the current section.
_UNMARKED_LEVEL = 1.5
# Right before an any-of intro: what precedes it on the line is one more alternative.
_OR_BEFORE = re.compile(r"或者?\s*$")
# A remark inside a heading.
_BRACKETED = re.compile(r"\([^()]{0,8}\)")
# What ends a heading's text.
_HEAD_END = re.compile(r"[。:;,!?]")
# A sub-heading naming a class of applicant (“20强”企业申报条件 / 专精特新产品 / 小巨人企业): sibling
# ones are alternative routes, each with its own conditions. Generic headings (基本条件) are not.
_ROUTE_HEAD = re.compile(r"(?:企业|公司|产品|产物|机构|类)(?:申报|申请|认定)?(?:条件|标准|要求)?$")
_GENERIC_HEAD = re.compile(r"^(?:申报|申请|基本|具体|指标|其他|通用|共同|共性|资格|必备|主体|参评|推荐|认定)")


class Kind(enum.Enum):
    """What the current section says about the thresholds in it."""

    NEUTRAL = "neutral"
    ELIGIBILITY = "eligibility"
    BLOCKING = "blocking"


@dataclass
class _Frame:
    level: float
    kind: Kind | None
    group: str | None = None
    #: True for a list opened by a sentence (须同时满足以下条件); it ends with its items
    intro: bool = False
    #: level of the list's first item, once seen
    item_level: float | None = None
    #: a heading without a number (申请资格:): its level is only known from its first item
    unmarked: bool = False
    #: a list of exclusions (有下列情形之一的,不予受理)
    excluding: bool = False
    #: the alternative route a class-of-applicant sub-heading opens (route-1/2: set 1, route 2)
    route: str | None = None


@dataclass(frozen=True)
class LineContext:
    """The section a line is in."""

    kind: Kind
    #: any-of group id of the line's conditions, when the line is an item of an any-of list
    group: str | None = None
    #: conditions before this offset (in the line) are not part of ``group`` (the list opened mid-line)
    group_from: int = 0
    #: the line is an item of a list of exclusions (有下列情形之一的,不得申报): what it names must not hold
    excluding: bool = False
    #: the alternative route the line's conditions belong to (see ``_ROUTE_HEAD``), None outside one
    route: str | None = None


#: the context of a line in no list and no route, per kind (one shared instance: most lines)
_PLAIN = {kind: LineContext(kind) for kind in Kind}


class Sections:
    """Tracks the section stack over the lines of one notice."""

    def __init__(self, v: Vocab) -> None:
        self._v = v
        self._stack: list[_Frame] = []
        self._groups = 0
        #: open route sets: heading level → (set id, routes so far)
        self._route_sets: dict[float, tuple[int, int]] = {}
        self._route_count = 0

    def enter(self, line: str) -> LineContext:
        """Update the stack for ``line`` (the next line, in view text) and return its context."""
        marker = _MARKER.match(line)
        level = _LEVELS[marker.lastgroup or "ar"] if marker else None
        self._close_lists(level)
        heading = self._heading(line, marker)
        if heading is not None:
            self._pop(heading[0])
            route = self._route(line, marker, heading[0])
            if heading[1] is not None or route is not None:
                self._stack.append(_Frame(heading[0], heading[1], unmarked=marker is None, route=route))
        elif level is not None:
            self._adopt_items(level)
            self._pop(level)
        state = self._state()
        ctx = self._open_list(line, level, state)
        if marker is None and ctx.kind is Kind.NEUTRAL and self._inline_eligibility(line):
            return LineContext(Kind.ELIGIBILITY, ctx.group, ctx.group_from)
        route = state[3]  # (a list _open_list may push has no route)
        if route is not None and ctx.kind is Kind.ELIGIBILITY:
            return LineContext(ctx.kind, ctx.group, ctx.group_from, ctx.excluding, route)
        return ctx

    def _route(self, line: str, marker: re.Match[str] | None, level: float) -> str | None:
        """The route a numbered class-of-applicant heading opens inside an eligibility section.

        Sibling headings at one level share a set (route-1/1, route-1/2); a heading at that level or
        above that names no class ends the set.
        """
        for open_level in [lv for lv in self._route_sets if lv >= level]:
            if open_level > level:
                del self._route_sets[open_level]
        rest = line[marker.end() :] if marker else ""
        end = _HEAD_END.search(rest)
        head = _BRACKETED.sub("", (rest[: end.start()] if end else rest).strip()).strip('“”"')
        if marker is None or self._kind() is not Kind.ELIGIBILITY:
            self._route_sets.pop(level, None)
            return None
        if len(head) < 3 or _GENERIC_HEAD.search(head) or not _ROUTE_HEAD.search(head):
            self._route_sets.pop(level, None)
            return None
        if level not in self._route_sets:
            self._route_count += 1
        set_id, count = self._route_sets.get(level) or (self._route_count, 0)
        self._route_sets[level] = (set_id, count + 1)
        return f"route-{set_id}/{count + 1}"

    def _adopt_items(self, level: float) -> None:
        """申请资格: then 一、… 二、…: the first numbered item under an unmarked heading fixes its level."""
        top = self._stack[-1] if self._stack else None
        if top is not None and top.unmarked and top.item_level is None and level <= top.level:
            top.level, top.item_level = level - 0.5, level

    def _kind(self) -> Kind:
        for frame in reversed(self._stack):
            if frame.kind is not None:
                return frame.kind
        return Kind.NEUTRAL

    def _state(self) -> tuple[Kind, str | None, bool, str | None]:
        """(:meth:`_kind`, the innermost any-of group, whether a frame is a list of exclusions, the innermost
        route): read in one pass over the stack, as every line needs them all."""
        kind: Kind | None = None
        group = route = None
        excluding = False
        for frame in reversed(self._stack):
            kind = kind or frame.kind
            group = group or frame.group
            route = route or frame.route
            excluding = excluding or frame.excluding
        return kind or Kind.NEUTRAL, group or None, excluding, route or None

    def _pop(self, level: float) -> None:
        while self._stack and self._stack[-1].level >= level:
            self._stack.pop()

    def _close_lists(self, level: float | None) -> None:
        """End a list opened by a sentence: at an unnumbered line, or a number above its items'."""
        while self._stack and self._stack[-1].intro:
            top = self._stack[-1]
            if level is None or (top.item_level is not None and level < top.item_level):
                self._stack.pop()
                continue
            if top.item_level is None:
                top.item_level = level
            return

    def _heading(self, line: str, marker: re.Match[str] | None) -> tuple[float, Kind | None] | None:
        """(level, kind) when the line starts with a heading; kind None for a heading without a cue."""
        if marker is not None and marker.group("bracket"):
            return _LEVELS["bracket"], self._classify(marker.group("bracket"))
        rest = line[marker.end() :] if marker else line.strip()
        end = _HEAD_END.search(rest)
        head = rest[: end.start()] if end else rest.rstrip()
        if len(head) > self._v.heading_max or (end is not None and end.group() in "。,;!?"):
            return None
        kind = self._classify(head)
        if marker is None:
            return (_UNMARKED_LEVEL, kind) if kind is not None and not rest[len(head) + 1 :].strip() else None
        return _LEVELS[marker.lastgroup or "ar"], kind

    def _inline_eligibility(self, line: str) -> bool:
        """申报条件:企业须… — a heading word, a colon and the conditions on the same line."""
        head, colon, _ = line.partition(":")
        return (
            bool(colon)
            and len(head.strip()) <= self._v.heading_max
            and self._classify(head) is Kind.ELIGIBILITY
        )

    def _classify(self, head: str) -> Kind | None:
        head = _BRACKETED.sub("", head)  # 申报(复核)条件
        if self._v.eligibility_rx.search(head):
            return Kind.ELIGIBILITY
        if self._v.blocking_rx.search(head):
            return Kind.BLOCKING
        return None

    def _open_list(
        self, line: str, level: float | None, state: tuple[Kind, str | None, bool, str | None]
    ) -> LineContext:
        """A sentence opening a list of conditions pushes an eligibility frame (any-of: with a group).
        ``state``: :meth:`_state` before the line."""
        kind, group, excluding, _ = state
        if kind is Kind.BLOCKING:
            return _PLAIN[kind]
        group_from = 0
        intro = gated_search(self._v.intro_rx, line)
        if intro is not None and self._v.exclusion_rx.search(line, intro.start()):
            # 有下列情形之一的企业不得申报: its items are what an applicant must not be
            base = level if level is not None else (self._stack[-1].level if self._stack else 0.0)
            self._stack.append(_Frame(base + 0.5, Kind.ELIGIBILITY, intro=True, excluding=True))
            return _PLAIN[Kind.ELIGIBILITY]
        if intro is not None and intro.lastgroup == "all":
            # 同时符合下列条件中的一项 starts like an all-of list but is an any-of one
            intro = self._v.any_of_rx.search(line, intro.start()) or intro
        if intro is None:
            return (
                _PLAIN[kind]
                if group is None and not excluding
                else LineContext(kind, group, excluding=excluding)
            )
        new_group: str | None = None
        if intro.lastgroup != "all":  # an any-of intro (any_of_rx matches carry no group name)
            self._groups += 1
            new_group = f"anyof-{self._groups}"
            # 评价得分达到60分以上或满足下列条件之一: the score is one of the alternatives too
            or_before = _OR_BEFORE.search(line, 0, intro.start()) is not None
            group, group_from = new_group, 0 if or_before else intro.end()
        base = level if level is not None else (self._stack[-1].level if self._stack else 0.0)
        self._stack.append(_Frame(base + 0.5, Kind.ELIGIBILITY, new_group, intro=True))
        return LineContext(Kind.ELIGIBILITY, group, group_from)


def lone_routes_ungrouped(found: list[Condition]) -> list[Condition]:
    """A route set with a single route (one class heading, no sibling) is no alternative: ungrouped."""
    routes: dict[str, set[str]] = {}
    for c in found:
        if c.group and c.group.startswith("route-"):
            base, route, *_ = c.group.split("/")
            routes.setdefault(base, set()).add(route)
    lone = {base for base, seen in routes.items() if len(seen) < 2}
    if not lone:
        return found
    out = []
    for c in found:
        parts = c.group.split("/") if c.group else []
        out.append(replace(c, group="/".join(parts[2:]) or None) if parts and parts[0] in lone else c)
    return out
