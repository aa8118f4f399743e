"""The iCal feed, read back with the icalendar package as a calendar app would."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from icalendar import Calendar, Event
from web_factories import HANGZHOU, NINGBO, SPARSE, TZ, bearer, register_api

from reminder.calendar import is_workday
from reminder.notify.planning import offset_times


def _feed(client: TestClient, company_id: int, token: str) -> Calendar:
    fresh = TestClient(
        client.app, base_url="http://testserver"
    )  # a calendar app: no cookie, token in the URL
    with fresh:
        reply = fresh.get(f"/c/{company_id}/calendar.ics?token={token}")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(reply.content)


def _events(cal: Calendar) -> dict[str, Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _expected_deadlines(client: TestClient, company_id: int, token: str) -> set[int]:
    items = client.get(f"/api/companies/{company_id}/matches?include_past=true", headers=bearer(token)).json()
    return {
        d["id"]
        for m in items
        if m["status"] in ("eligible", "possibly_eligible")
        for d in m["notice"]["deadlines"]
        if d["date"] is not None and not d["to_be_announced"]
    }


def test_one_event_per_deadline_of_eligible_and_possibly_eligible_notices(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    events = _events(_feed(client, company_id, token))
    expected = _expected_deadlines(client, company_id, token)
    assert expected, "the sample company has dated deadlines to show"
    assert set(events) == {f"deadline-{d}-company-{company_id}@testserver" for d in expected}


def test_not_eligible_notices_are_left_out(client: TestClient) -> None:
    company_id, token = register_api(client, NINGBO)
    summaries = [str(e["SUMMARY"]) for e in _feed(client, company_id, token).walk("VEVENT")]
    assert any("癌癥、心腦血管" in s for s in summaries)
    assert not any("數字化轉型" in s or "人工智能醫療器械" in s for s in summaries)


def test_calendar_properties_for_subscribers(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    cal = _feed(client, company_id, token)
    assert str(cal["VERSION"]) == "2.0" and str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == f"申报截止 · {HANGZHOU['name']}"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert cal["REFRESH-INTERVAL"].dt == dt.timedelta(hours=6)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal["X-PUBLISHED-TTL"].to_ical() == b"PT6H"


def test_date_only_deadlines_are_all_day_events_with_quote_and_link(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    events = list(_feed(client, company_id, token).walk("VEVENT"))
    pilot = next(
        e for e in events if "數字化轉型" in str(e["SUMMARY"]) and e.decoded("DTSTART") == dt.date(2025, 6, 6)
    )
    assert type(pilot.decoded("DTSTART")) is dt.date and pilot.decoded("DTEND") == dt.date(2025, 6, 7)
    assert str(pilot["SUMMARY"]).startswith("【截止】關于開展杭州市中小企業數字化轉型")
    description = str(pilot["DESCRIPTION"])
    assert "资格判断：符合申报条件" in description and "原文：" in description
    link = str(pilot["URL"])  # the read-only view link (issue 12), never the management token
    assert link.startswith(f"http://testserver/v/{company_id}?token=") and token not in link
    assert f"详情：{link}" in description


def test_a_deadline_with_a_time_is_a_timed_event_in_shanghai_with_its_timezone(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    cal = _feed(client, company_id, token)
    timed = [e for e in cal.walk("VEVENT") if isinstance(e.decoded("DTSTART"), dt.datetime)]
    assert timed, "the 2025-03-10 16:00 deadline of the 重大专项 call"
    event = timed[0]
    end = event.decoded("DTEND")
    assert end == dt.datetime(2025, 3, 10, 16, 0, tzinfo=TZ) and str(end.tzinfo) == "Asia/Shanghai"
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_alarms_are_at_the_pushed_reminders_instants(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    client.patch(f"/api/companies/{company_id}", headers=bearer(token), json={"reminder_offsets": [7, 1, 0]})
    events = list(_feed(client, company_id, token).walk("VEVENT"))
    assert events
    for event in events:
        start = event.decoded("DTSTART")
        if isinstance(start, dt.datetime):
            at = event.decoded("DTEND")
        else:  # a date-only deadline passes at the end of its day
            at = dt.datetime.combine(start, dt.time(23, 59, 59), tzinfo=TZ)
        planned = [due for _, due in offset_times(at, [7, 1, 0], hour=9)]
        triggers = [a.decoded("TRIGGER") for a in event.walk("VALARM")]
        assert triggers == planned, str(event["SUMMARY"])
        for trigger in triggers:
            local = trigger.astimezone(TZ)
            assert local.time() == dt.time(9) and is_workday(local.date())  # never on a Sunday or a holiday
        assert all(
            a["ACTION"] == "DISPLAY" and a["TRIGGER"].params["VALUE"] == "DATE-TIME"
            for a in event.walk("VALARM")
        )


def test_uids_are_stable_between_fetches(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    first, second = _feed(client, company_id, token), _feed(client, company_id, token)
    assert set(_events(first)) == set(_events(second))
    assert first.to_ical() == second.to_ical()


def test_the_feed_needs_the_token(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    fresh = TestClient(client.app, base_url="http://testserver")
    with fresh:
        assert fresh.get(f"/c/{company_id}/calendar.ics").status_code == 401
        assert fresh.get(f"/c/{company_id}/calendar.ics?token=wrong{token}").status_code == 403
