"""A company's feed from the template of another company with the same verdict pattern (``ical.calendar_of``)
must be byte for byte the feed written event by event for it: companies with the same and with other
profiles, links and UID hosts of other lengths (UIDs too long to stay on one line included)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session
from web_factories import HANGZHOU, NINGBO, NOW, SPARSE, register_api

from reminder.config import Settings
from reminder.db.models import Company
from reminder.matching import company_matches, company_verdicts
from reminder.matching.company_view import Shared, SharedNotices
from reminder.web.company import ical


def test_feeds_from_verdict_patterns_are_written_event_by_event(
    client: TestClient, settings: Settings
) -> None:
    profiles = [SPARSE, HANGZHOU, {**SPARSE, "name": "杭州另一家未填写科技有限公司"}, NINGBO]
    profiles += [{**SPARSE, "name": f"杭州第{n}家未填写科技有限公司"} for n in range(2)]
    # the same verdicts as the sparse ones, other fields to fill in (other lines in the descriptions)
    profiles += [{**SPARSE, "name": "杭州只填人数科技有限公司", "headcount": 120}]
    ids = [register_api(client, profile)[0] for profile in profiles]
    engine = client.app.state.engine  # type: ignore[attr-defined]
    shared = Shared(SharedNotices(), ("test",))  # one plan for every company, as a server's requests
    parts: dict[Any, Any] = {}
    written: list[bytes] = []
    hosts = ["testserver", "a-much-longer-host-name.example.com/with/a/path", "h" * 60 + ".cn"]
    with Session(engine) as session:
        for _ in range(2):  # written, then from the templates kept
            for host in hosts:
                config = settings.model_copy(update={"base_url": f"http://{host}"})
                for company_id in ids:
                    company = session.get(Company, company_id)
                    assert company is not None
                    found = company_verdicts(
                        session=session, company_id=company_id, now=NOW, include_past=True, shared=shared
                    )
                    fields = found.fields(found.listed(ical.CALENDAR_STATUSES))
                    plain = ical.calendar_fields(company, fields, config, {}, blocks=False)
                    assert ical.calendar_of(company, found, config, parts) == plain, (host, company_id)
                    views = company_matches(
                        session=session, company_id=company_id, now=NOW, include_past=True
                    )
                    assert ical.calendar_text(company, views, config) == plain
                    written.append(plain)
    assert any("需人工确认".encode() in feed for feed in written), "checks to make are in some feed"
    assert any("请补充企业信息".encode() in feed for feed in written), "fields to fill in too"
    feeds = [kept for key, kept in parts.items() if key[0] == "ical-feeds"]
    assert len(feeds) == 1 and 0 < len(feeds[0].made) < len(profiles), "the sparse companies share one"
    assert any(template is not None for _, template, _ in feeds[0].made.values()), "templates are used"
