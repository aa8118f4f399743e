"""The read-only view link: what messages and calendar events link to (issue 12, item 1).

It opens without a cookie, shows the verdicts and reasons, offers nothing that changes data, never
carries the management token, and a new view link revokes the old one.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar
from loopback import Loopback
from queued_sends import api_test
from web_factories import HANGZHOU, bearer, register_api

from reminder.notify.links import view_url


def _fresh(client: TestClient) -> TestClient:
    """A phone or a mail client: no cookie."""
    return TestClient(client.app, base_url="http://testserver")


def _view_link(client: TestClient, company_id: int, token: str) -> str:
    html = client.get(f"/c/{company_id}", headers=bearer(token)).text
    found = re.search(r'value="(http://testserver/v/\d+\?token=[0-9a-f]+)"', html)
    assert found, "the management page shows the view link"
    return found.group(1)


def test_view_link_opens_without_cookie_and_shows_verdicts_read_only(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    link = _view_link(client, company_id, token)
    assert token not in link
    reply = _fresh(client).get(link.removeprefix("http://testserver"))
    assert reply.status_code == 200
    assert "只读查看页" in reply.text and HANGZHOU["name"] in reply.text
    assert "符合申报条件" in reply.text or "可能符合申报条件" in reply.text
    assert "<form" not in reply.text  # nothing to change
    assert f"/c/{company_id}/profile" not in reply.text and f"/c/{company_id}/notifications" not in reply.text
    assert "set-cookie" not in reply.headers


def test_wrong_or_missing_view_token_is_a_chinese_page_without_data(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    fresh = _fresh(client)
    missing = fresh.get(f"/v/{company_id}")
    assert missing.status_code == 401 and "缺少查看令牌" in missing.text
    wrong = fresh.get(f"/v/{company_id}?token={'0' * 32}")
    assert wrong.status_code == 403 and HANGZHOU["name"] not in wrong.text
    unknown = fresh.get(f"/v/999999?token={'0' * 32}")
    assert unknown.status_code == 403
    assert (
        fresh.get(f"/v/{company_id}?token={token}").status_code == 403
    )  # the management token is not a view token


def test_rotating_the_view_link_revokes_the_old_one(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    old = _view_link(client, company_id, token)
    reply = client.post(f"/c/{company_id}/view-link", headers=bearer(token), follow_redirects=False)
    assert reply.status_code == 303
    new = _view_link(client, company_id, token)
    assert new != old
    fresh = _fresh(client)
    assert fresh.get(old.removeprefix("http://testserver")).status_code == 403
    assert fresh.get(new.removeprefix("http://testserver")).status_code == 200
    assert _fresh(client).post(f"/c/{company_id}/view-link").status_code == 401  # needs the management token


def test_calendar_events_link_to_the_view_page_and_the_view_feed_works(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    link = _view_link(client, company_id, token)
    feed = client.get(f"/c/{company_id}/calendar.ics?token={token}")
    cal = Calendar.from_ical(feed.content)
    urls = {str(event["url"]) for event in cal.walk("VEVENT")}
    assert urls == {link}
    assert all(token not in str(event["description"]) for event in cal.walk("VEVENT"))
    query = parse_qs(urlsplit(link).query)
    view_feed = _fresh(client).get(f"/v/{company_id}/calendar.ics", params={"token": query["token"][0]})
    assert view_feed.status_code == 200 and view_feed.content.startswith(b"BEGIN:VCALENDAR")


def test_test_message_carries_the_view_link(client: TestClient, receiver: Loopback) -> None:
    company_id, token = register_api(client, HANGZHOU)
    added = client.post(
        f"/api/companies/{company_id}/channels",
        json={"kind": "webhook", "target": receiver.url(), "name": "接收端"},
        headers=bearer(token),
    )
    assert added.status_code == 201, added.text
    channel_id = added.json()["id"]
    assert api_test(client, company_id, channel_id, bearer(token))["status"] == "sent"
    body = receiver.received[-1].body.decode()
    assert f"/v/{company_id}?token=" in body and token not in body
    assert _view_link(client, company_id, token) in body.replace("\\/", "/")


def test_view_url_is_stable_and_salt_dependent(settings: object) -> None:
    from reminder.config import Settings

    assert isinstance(settings, Settings)
    assert view_url(1, None, settings) == view_url(1, None, settings)
    assert view_url(1, None, settings) != view_url(1, "abc", settings)
    assert view_url(1, None, settings) != view_url(2, None, settings)
