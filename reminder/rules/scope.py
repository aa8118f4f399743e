"""A notice's scope (the region whose companies may apply) as a hard condition of the notice.

    Notice.scope {name: 苍南县, path: 浙江省温州市苍南县}  →  registered_region in [浙江省温州市苍南县]  (hard)
    Notice.scope None                                    →  registered_region with no value: 请确认适用地区

The scope goes through the same evaluator, SQL prefilter and renderer as a region written in the
text, so pages, API, reminders and matching agree on it. ``全国`` means the mainland: Hong Kong,
Macau and Taiwan companies are outside it (see ``outside_mainland``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from reminder.model import Condition, Notice, Scope

from .awarded import soften_awarded
from .existence import EXISTENCE, is_existence
from .regions import NOT_MAINLAND_CODES, Region, RegionError, ancestors, resolve_region

__all__ = [
    "ScopeLike",
    "SCOPE_RULE",
    "SCOPE_UNKNOWN_ZH",
    "scope_condition",
    "scope_of",
    "scope_region",
    "with_scope",
    "outside_mainland",
    "judged_conditions",
    "split_scope",
]

#: ``Condition.rule`` of the condition a scope becomes
SCOPE_RULE = "scope"
#: what a company is asked to check when the notice's scope is unknown
SCOPE_UNKNOWN_ZH = "请确认适用地区"
_PREFIX = "适用地区："
_NAME = re.compile(rf"^{_PREFIX}(?P<name>.+)$")


class ScopeLike(Protocol):
    """What the engine reads of ``Notice.scope``: a name and a full path (浙江省温州市苍南县)."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> str: ...


def _text(scope: Any, key: str) -> str:
    value = scope.get(key) if isinstance(scope, dict) else getattr(scope, key, None)
    return str(value).strip() if value else ""


def _alternatives(scope: Any) -> list[str]:
    """Wider areas a relaying office also accepts (``alt``), when the scope lists any."""
    alt = scope.get("alt") if isinstance(scope, dict) else getattr(scope, "alt", None)
    if not isinstance(alt, list | tuple):
        return []
    return [
        t for t in (_text(a, "path") or _text(a, "name") if not isinstance(a, str) else a for a in alt) if t
    ]


def scope_condition(scope: ScopeLike | dict[str, Any] | None) -> Condition:
    """The hard region condition a notice's scope stands for.

    Args:
        scope: ``Notice.scope`` (an object or a mapping with ``name`` and ``path``), None when unknown.

    Returns:
        ``registered_region in [path]``; with no value when the scope is unknown, which the engine
        reports as 请确认适用地区 (a manual check: the verdict is at best 可能符合).
    """
    if scope is None:
        return Condition("registered_region", "in", None, None, SCOPE_UNKNOWN_ZH, hard=True, rule=SCOPE_RULE)
    name = _text(scope, "name")
    path = _text(scope, "path") or name
    if not path:
        return scope_condition(None)
    places = [path, *(a for a in _alternatives(scope) if a != path)]
    return Condition("registered_region", "in", places, None, f"{_PREFIX}{name or path}", rule=SCOPE_RULE)


def scope_of(notice: Any) -> Any:
    """``notice.scope`` when the notice carries one (older objects may not have the attribute)."""
    return getattr(notice, "scope", None)


def with_scope(
    conditions: Sequence[Condition], scope: ScopeLike | dict[str, Any] | None
) -> tuple[Condition, ...]:
    """The conditions a notice is judged on: its scope first, then the conditions of its text."""
    return (scope_condition(scope), *conditions)


def scope_region(scope: ScopeLike | dict[str, Any] | None) -> Region | None:
    """The region a scope names (for 本市/本省 in the notice's conditions), None when unknown or unreadable."""
    if scope is None:
        return None
    path = _text(scope, "path") or _text(scope, "name")
    try:
        return resolve_region(path) if path else None
    except RegionError:
        return None


def outside_mainland(region: Region) -> bool:
    """Whether a region is in Taiwan, Hong Kong or Macau (outside a 全国 call)."""
    return any(r.code in NOT_MAINLAND_CODES for r in ancestors(region))


def judged_conditions(notice: Notice) -> tuple[Condition, ...]:
    """What a notice is judged on, and what storage keeps for matching: the scope condition first, then
    the text's conditions with ``has <the title the call awards>`` made soft (see ``awarded``), then
    the company's existence on the judging day (see ``existence``)."""
    return (*with_scope(soften_awarded(notice.conditions, notice.title), scope_of(notice)), EXISTENCE)


def split_scope(conditions: Sequence[Condition]) -> tuple[Scope | None, tuple[Condition, ...]]:
    """Stored conditions back into (Notice.scope, Notice.conditions): the inverse of ``judged_conditions``
    for the scope (a notice read back from storage and judged again gets the same scope condition)."""
    scope: Scope | None = None
    rest = []
    for cond in conditions:
        if is_existence(cond):
            continue
        if cond.rule != SCOPE_RULE:
            rest.append(cond)
            continue
        places = cond.value if isinstance(cond.value, list | tuple) else [cond.value] if cond.value else []
        match = _NAME.match(cond.quote)
        if places:
            scope = Scope(name=match.group("name") if match else str(places[0]), path=str(places[0]))
    return scope, tuple(rest)
