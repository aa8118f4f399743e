"""Rows and match views → the API's response schemas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from pydantic import TypeAdapter

from reminder.db.models import ConditionRow, DeadlineRow, NoticeRow
from reminder.matching import VERDICT_ORDER, CompanyVerdicts
from reminder.web.api.company_schemas import (
    MatchOut,
    NoticeDetail,
    NoticeOut,
    ResultOut,
)
from reminder.web.api.schemas import (
    ApplyStepOut,
    AttachmentOut,
    BenefitOut,
    ConditionOut,
    ContactOut,
    DeadlineOut,
)
from reminder.web.company.facts import facts_of
from reminder.web.company.notice_list import OpenNotice, days_until, next_deadline
from reminder.web.company.verdict_html import Fragments

__all__ = [
    "deadline_out",
    "notice_out",
    "notices_json",
    "facts_out",
    "notice_detail",
    "result_out",
    "match_out",
    "verdicts_json",
]


def deadline_out(row: DeadlineRow) -> DeadlineOut:
    return DeadlineOut.model_validate(row)


def notice_out(line: OpenNotice) -> NoticeOut:
    notice = line.notice
    return NoticeOut(
        id=notice.id or 0,
        title=notice.title,
        issuer=notice.issuer,
        level=notice.level,
        published=notice.published,
        rolling=notice.rolling,
        scope=notice.scope,
        next_deadline=deadline_out(line.next_deadline) if line.next_deadline is not None else None,
        days_left=line.days_left,
        deadlines=[deadline_out(d) for d in line.deadlines],
        **facts_out(notice),
    )


#: how FastAPI writes a ``list[NoticeOut]`` response (its dump_json path), for answers built ahead
_NOTICE_LIST = TypeAdapter(list[NoticeOut])


def notices_json(lines: Iterable[OpenNotice]) -> bytes:
    """The JSON body of ``GET /api/notices`` for these lines, byte for byte what the response model gives."""
    return _NOTICE_LIST.dump_json([notice_out(line) for line in lines], by_alias=True)


def facts_out(notice: NoticeRow) -> dict[str, Any]:
    """A notice's benefits, how to apply, contacts and attachments (columns of its row: no query)."""
    facts = facts_of(notice)
    return {
        "top_benefit": facts.top_label or None,
        "first_step": facts.first_step or None,
        "benefits": [BenefitOut.model_validate(b.to_json()) for b in facts.benefits],
        "how_to_apply": [ApplyStepOut.model_validate(a.to_json()) for a in facts.how_to_apply],
        "contacts": [ContactOut.model_validate(c.to_json()) for c in facts.contacts],
        "attachments": [AttachmentOut.model_validate(a.to_json()) for a in facts.attachments],
    }


def notice_detail(line: OpenNotice, conditions: Iterable[ConditionRow]) -> NoticeDetail:
    conds = [ConditionOut.model_validate(c) for c in conditions]
    return NoticeDetail(**notice_out(line).model_dump(), conditions=conds)


def result_out(result: Any) -> ResultOut:
    """A rules ConditionResult."""
    return ResultOut(
        field=result.condition.field,
        status=result.status,
        hard=result.condition.hard,
        manual=result.manual,
        reason_zh=result.reason_zh,
        quote=result.quote,
        missing=result.missing,
    )


def _line(item: Any, now: dt.datetime) -> OpenNotice:
    deadlines: Sequence[DeadlineRow] = tuple(item.deadlines)
    upcoming = item.next_deadline if item.next_deadline is not None else next_deadline(deadlines, now)
    days = item.days_left
    if days is None and upcoming is not None and upcoming.at is not None:
        days = days_until(upcoming.at, now)
    return OpenNotice(item.notice, tuple(deadlines), upcoming, days)


def match_out(item: Any, now: dt.datetime, notice: NoticeOut | None = None) -> MatchOut:
    """A MatchView (``reminder.matching``); ``notice``: its notice's part when already made."""
    return MatchOut(
        notice=notice if notice is not None else notice_out(_line(item, now)),
        status=item.status,
        missing=list(item.missing),
        unmet=[result_out(r) for r in item.unmet],
        manual=[result_out(r) for r in item.manual],
        results=[result_out(r) for r in item.results],
    )


_RESULT = TypeAdapter(ResultOut)
_NOTICE = TypeAdapter(NoticeOut)
_STRINGS = TypeAdapter(list[str])


def _notice_json(side: Mapping[str, Any], now: dt.datetime) -> bytes:
    """A MatchOut's start up to its notice's object, after a comma (the first one's dropped when joined)."""
    return b',{"notice":' + _NOTICE.dump_json(notice_out(_line(SimpleNamespace(**side), now)), by_alias=True)


def _tail_json(part: Mapping[str, Any], fragments: Fragments) -> bytes:
    """A MatchOut's rest after its notice, from its verdict's fields alone; each result's JSON kept in
    ``fragments`` (results are shared by notices and by companies that read the same)."""

    def result(r: Any) -> bytes:
        made = fragments.get(
            ("api-result", id(r)), r, lambda: (_RESULT.dump_json(result_out(r), by_alias=True),)
        )
        return made[0]

    return b"".join([
        b',"status":', _STATUS[part["status"]],
        b',"missing":', _STRINGS.dump_json(list(part["missing"])) if part["missing"] else b"[]",
        b',"unmet":[', b",".join([result(r) for r in part["unmet"]]),
        b'],"manual":[', b",".join([result(r) for r in part["manual"]]),
        b'],"results":[', b",".join([result(r) for r in part["results"]]), b"]}",
    ])  # fmt: skip


def _joined(head: bytes, out: list[bytes]) -> bytes:
    """``head`` then the JSON list of the MatchOuts whose pieces ``out`` holds (joined with it: a body of
    ~2 MB is not copied again)."""
    if out:
        out[0] = out[0][1:]
    return b"".join([head, b"[", *out, b"]"])


def verdicts_json(
    found: CompanyVerdicts,
    positions: Sequence[int],
    now: dt.datetime,
    parts: dict[Hashable, Any],
    fragments: Fragments,
    *,
    head: bytes = b"",
) -> bytes:
    """``head`` then the JSON body of ``list[MatchOut]`` for the notices at ``positions``, byte for byte what the
    response model gives, picked by columns in C rather than notice by
    notice in Python: every notice's object once per plan (``found.sides``, kept in ``parts`` by its
    identity), each class's tail once per call; a thousand notices' loops were ~10 % of a company's
    first answer (issue 15)."""
    sides = found.sides
    kept = parts.get(("api-json-plan", id(sides)))
    if kept is None or kept[0] is not sides:  # the tuple is kept with its pieces: its id is not reused
        kept = parts[("api-json-plan", id(sides))] = (sides, [_notice_json(side, now) for side in sides])
    notices: list[bytes] = kept[1]
    shown = list(map(found.classes.__getitem__, positions))
    by_part: dict[int, bytes] = {}  # classes may share one verdict's fields
    tails: dict[int, bytes] = {}
    for number in set(shown):
        part = found.class_fields(number)
        tail = by_part.get(id(part))
        if tail is None:
            tail = by_part[id(part)] = _tail_json(part, fragments)
        tails[number] = tail
    out: list[bytes] = [b""] * (2 * len(shown))
    out[0::2] = map(notices.__getitem__, positions)
    out[1::2] = map(tails.__getitem__, shown)
    return _joined(head, out)


_STATUS = {s: b'"' + s.encode() + b'"' for s in VERDICT_ORDER}
