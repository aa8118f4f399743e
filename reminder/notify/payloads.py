"""What a message says, as plain JSON: built from rows when a reminder is planned, frozen into it.

    {"company": {id, name}, "notice": {id, title, issuer, level, facts}, "deadline": {...} | None,
     "days_left": int | None, "verdict": {status, missing, unmet, manual}, "link": company page,
     "change": {old, new}            ("changed" only)
     "items": [{notice, deadline, days_left, verdict}, …]   ("digest" only)}

``render_message(purpose, payload, …)`` turns it into text; the generic webhook sends it as-is.
A notice's ``facts`` are the lines :mod:`reminder.notify.facts_lines` chose, only those it has (no
``facts`` key when it has none): ``{"benefit": "补助 最高 50 万元", "how_to_apply": "网上申报 …",
"contact": "高新处 张三 0571-…"}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reminder.config import Settings
from reminder.db.models import Company, DeadlineRow, Match, NoticeRow
from reminder.notify.facts_lines import row_facts_json
from reminder.notify.links import view_url
from reminder.notify.planning import days_left

__all__ = [
    "company_json",
    "notice_json",
    "deadline_json",
    "verdict_json",
    "reminder_payload",
    "digest_item",
    "digest_payload",
]

#: older spellings of verdict statuses, as render_message expects them
_STATUS = {"possible": "possibly_eligible", "ineligible": "not_eligible"}


def company_json(company: Company) -> dict[str, Any]:
    return {"id": company.id, "name": company.name}


def notice_json(notice: NoticeRow) -> dict[str, Any]:
    """The notice as messages name it, with its top benefit, how to apply and first contact (issue 13:
    ``facts``, left out when the notice has none)."""
    data: dict[str, Any] = {
        "id": notice.id,
        "title": notice.title,
        "issuer": notice.issuer,
        "level": notice.level,
    }
    facts = row_facts_json(notice)
    if facts:
        data["facts"] = facts
    return data


def deadline_json(deadline: DeadlineRow | None) -> dict[str, Any] | None:
    """A deadline as messages show it (a "recommendation" kind reads as the local department's earlier cutoff)."""
    if deadline is None:
        return None
    return {
        "id": deadline.id,
        "date": deadline.date.isoformat() if deadline.date else None,
        "time": deadline.time.strftime("%H:%M") if deadline.time else None,
        "at": deadline.at.isoformat() if deadline.at else None,
        "kind": deadline.kind,
        "batch": deadline.batch,
        "quote": deadline.quote,
        "approximate": deadline.approximate,
        "conditional": deadline.conditional,
        "to_be_announced": deadline.to_be_announced,
    }


def _texts(items: Sequence[Any]) -> list[str]:
    """Strings as they are; a structured entry by its Chinese reason, or its JSON text."""
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            out.append(str(item.get("reason_zh") or item.get("quote") or item.get("field") or item))
        else:
            out.append(str(item))
    return out


def verdict_json(match: Match | None) -> dict[str, Any]:
    """The verdict, the profile fields still missing, the unmet and the by-hand conditions."""
    if match is None:
        return {"status": None, "missing": [], "unmet": [], "manual": []}
    trace = match.trace if isinstance(match.trace, dict) else {}
    return {
        "status": _STATUS.get(match.status, match.status),
        "missing": _texts(match.missing),
        "unmet": _texts(match.unmet),
        "manual": _texts(trace.get("manual") or []),
    }


def reminder_payload(
    *,
    company: Company,
    notice: NoticeRow,
    deadline: DeadlineRow | None,
    match: Match | None,
    now: dt.datetime,
    settings: Settings,
    change: tuple[DeadlineRow, DeadlineRow] | None = None,
    notice_part: dict[str, Any] | None = None,
    verdict_part: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload of a before / new_call / changed reminder.

    Args:
        company: who it is for.
        notice: the notice.
        deadline: the deadline it is about.
        match: the company's verdict on the notice.
        now: when it goes out (for ``days_left``): the due instant, or the planning instant if sooner.
        settings: for the company page link.
        change: (old, new) deadline rows, for "changed" (the pair a NoticeChange recorded).
        notice_part: ``notice_json(notice)`` when the caller already built it (bulk planning: once
            per notice, not once per reminder).
        verdict_part: ``verdict_json(match)``, likewise (companies with equal verdicts share it).
    """
    assert company.id is not None
    payload: dict[str, Any] = {
        "company": company_json(company),
        "notice": notice_json(notice) if notice_part is None else notice_part,
        "deadline": deadline_json(deadline),
        "days_left": days_left(deadline.at, now) if deadline is not None and deadline.at else None,
        "verdict": verdict_json(match) if verdict_part is None else verdict_part,
        "link": view_url(company.id, company.view_salt, settings),
    }
    if change is not None:
        payload["change"] = {"old": deadline_json(change[0]), "new": deadline_json(change[1])}
    return payload


def digest_item(
    *, notice: NoticeRow, deadline: DeadlineRow | None, match: Match | None, now: dt.datetime, link: str
) -> dict[str, Any]:
    """One line of a digest: a notice, its next deadline and days left, the verdict and what is missing."""
    return {
        "link": link,
        "notice": notice_json(notice),
        "deadline": deadline_json(deadline),
        "days_left": days_left(deadline.at, now) if deadline is not None and deadline.at else None,
        "verdict": verdict_json(match),
    }


def _by_days_left(item: dict[str, Any]) -> tuple[int, int, str]:
    left = item["days_left"]
    return (left is None, left if left is not None else 0, item["notice"]["title"])


def digest_payload(
    *, company: Company, items: Sequence[dict[str, Any]], settings: Settings
) -> dict[str, Any]:
    """A digest: the company's open matched notices, soonest deadline first (undated ones last)."""
    assert company.id is not None
    return {
        "company": company_json(company),
        "notice": None,
        "deadline": None,
        "days_left": None,
        "verdict": None,
        "link": view_url(company.id, company.view_salt, settings),
        "items": sorted(items, key=_by_days_left),
    }
