"""The iCal feed writes each event's description from pieces kept across companies: what a calendar app
shows must be exactly the description written whole (verdict, time, benefits, what to fill in or confirm,
the quote, the issuer, the link), including for quotes that end in a carriage return."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from web_factories import HANGZHOU, NOW, SPARSE, register_api

from reminder.config import Settings
from reminder.db.models import Company
from reminder.matching import company_matches
from reminder.notify.links import view_url
from reminder.web.company import ical, ical_text


def _description(event: bytes) -> bytes:
    """The DESCRIPTION property of one VEVENT as written (folded lines joined back)."""
    lines = event.split(b"\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(b"DESCRIPTION:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(b" "))
    return b"\r\n".join(lines[start:end])


@pytest.mark.parametrize("profile", [HANGZHOU, SPARSE], ids=["full", "sparse"])
def test_each_description_reads_as_written_whole(
    client: TestClient, settings: Settings, profile: dict[str, Any]
) -> None:
    company_id, _ = register_api(client, profile)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        company = session.get(Company, company_id)
        assert company is not None
        items = company_matches(session=session, company_id=company_id, now=NOW, include_past=True)
        feed = ical._feed(company, settings)
        link = view_url(company.id or 0, company.view_salt, settings)
        parts: dict[Any, Any] = {}
        checked = 0
        for item in items:
            if item.status not in ical.CALENDAR_STATUSES:
                continue
            for deadline, dated in ical._deadlines(item, parts):
                whole = ical_text.escape(ical._description(item, deadline, link, ical._facts(item.notice)))
                for _ in range(2):  # written, then from the pieces kept
                    event = ical._event(item, deadline, dated, feed, parts, ical._checks(item))
                    assert _description(event) == ical_text.fold(f"DESCRIPTION:{whole}".encode())
                # a quote ending in \r: escaped whole, \r and the next line's \n are one line break
                raw = deadline.quote
                deadline.quote = (raw or "原文") + "\r"
                try:
                    expected = ical_text.escape(
                        ical._description(item, deadline, link, ical._facts(item.notice))
                    )
                    fresh = ical._dated(item, deadline)
                    assert fresh is not None
                    event = ical._event(item, deadline, fresh, feed, {}, ical._checks(item))
                    assert _description(event) == ical_text.fold(f"DESCRIPTION:{expected}".encode())
                finally:
                    deadline.quote = raw
                checked += 1
        assert checked, "the company has deadlines in its feed"
        asked = [ical._checks(i) or "" for i in items if i.status == "possibly_eligible"]
        assert any("请补充企业信息" in text for text in asked) or profile is HANGZHOU
