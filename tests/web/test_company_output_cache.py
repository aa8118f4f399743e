"""A company's page, its matches API and its iCal feed are kept between requests
(``reminder/web/company/output_cache.py``), yet show every change at once: a notice published or
corrected, a profile edited, a deadline passing. The clock stands still unless a test moves it, so what
changes each time is the data alone (stamps such as ``updated_at`` do not move either).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import admin_fixtures as fx
import pytest
from admin_fixtures import NOW, TITLE, ingest_text
from fastapi.testclient import TestClient
from icalendar import Calendar
from web_factories import bearer, register_api

from reminder.matching.company_view import SharedNotices
from reminder.web.company import ical, view
from reminder.web.company.output_cache import OutputCache

migrated_template, migrated_postgres, any_engine = fx.migrated_template, fx.migrated_postgres, fx.any_engine
Clock, clock, clients = fx.Clock, fx.clock, fx.clients

#: a 湖州 company meeting the notice's conditions except its revenue (2,000 万元 asked)
PROFILE: dict[str, Any] = {
    "name": "湖州缓存测试科技有限公司",
    "region": "浙江省湖州市吴兴区",
    "headcount": 120,
    "annual_revenue": 800,
    "rd_expense_ratio": 5,
    "legal_person": "是",
}


class Shown:
    """What the company sees of one notice on its page, through the API and in its calendar."""

    def __init__(self, public: TestClient, company_id: int, token: str) -> None:
        self.public, self.company_id, self.token = public, company_id, token

    def page(self) -> str:
        reply = self.public.get(f"/c/{self.company_id}", headers=bearer(self.token))
        assert reply.status_code == 200, reply.text
        return str(reply.text)

    def section(self, notice_id: int, title: str = TITLE) -> str | None:
        """The verdict section the page lists the notice in; "past" in the history; None when absent."""
        html = self.page()
        for status in ("eligible", "possibly_eligible", "not_eligible"):
            found = re.search(
                rf'<section class="verdict verdict-{status}" id="{status}">(.*?)</section>', html, re.S
            )
            assert found is not None, status
            if f'id="notice-{notice_id}"' in found.group(1):
                return status
        history = html[html.index('<details class="history"') :]
        return "past" if title in history else None

    def api(self, notice_id: int) -> dict[str, Any] | None:
        url = f"/api/companies/{self.company_id}/matches?include_past=true"
        items = self.public.get(url, headers=bearer(self.token)).json()
        return next((m for m in items if m["notice"]["id"] == notice_id), None)

    def events(self) -> list[str]:
        feed = self.public.get(f"/c/{self.company_id}/calendar.ics", headers=bearer(self.token))
        assert feed.status_code == 200, feed.text
        return [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]


def test_a_published_notice_and_a_profile_edit_show_at_once(clients: tuple[TestClient, TestClient]) -> None:
    public, admin = clients
    company_id, token = register_api(public, PROFILE)
    shown = Shown(public, company_id, token)
    before = (shown.page(), shown.events())  # kept from here on
    assert TITLE not in before[0] and not [s for s in before[1] if TITLE in s]

    notice_id = ingest_text(admin, publish=True)
    assert shown.section(notice_id) == "not_eligible"
    match = shown.api(notice_id)
    assert match is not None and match["status"] == "not_eligible"
    assert [r["field"] for r in match["unmet"]] == ["annual_revenue"]
    assert not [s for s in shown.events() if TITLE in s], "not eligible: no event"

    patched = public.patch(
        f"/api/companies/{company_id}", headers=bearer(token), json={"annual_revenue": 2500}
    )
    assert patched.status_code == 200, patched.text
    assert shown.section(notice_id) == "eligible"
    match = shown.api(notice_id)
    assert match is not None and match["status"] == "eligible" and match["unmet"] == []
    assert len([s for s in shown.events() if TITLE in s]) == 2, "both deadlines, as events"


def test_a_corrected_deadline_and_the_passing_days_show_at_once(
    clients: tuple[TestClient, TestClient], clock: Clock
) -> None:
    public, admin = clients
    notice_id = ingest_text(admin, publish=True)  # applications close 2025-04-10 17:00, recommendations 4-20
    company_id, token = register_api(public, PROFILE | {"annual_revenue": 2500})
    shown = Shown(public, company_id, token)

    def next_deadline() -> tuple[str, int]:
        match = shown.api(notice_id)
        assert match is not None
        return match["notice"]["next_deadline"]["date"], match["notice"]["days_left"]

    assert next_deadline() == ("2025-04-10", 26) and "还剩 26 天" in shown.page()
    fx.move_application_deadline(admin, notice_id, "2025-04-15")
    assert next_deadline() == ("2025-04-15", 31) and "2025年4月15日" in shown.page()
    renamed = "关于组织申报2025年度湖州市企业技术中心（第二批）的通知"  # one column of the notice row
    body = {"target": "notice", "action": "set", "values": {"title": renamed}}
    assert admin.post(f"/api/admin/notices/{notice_id}/corrections", json=body).status_code == 201
    assert renamed in shown.page() and [s for s in shown.events() if renamed in s]

    clock.now = NOW + dt.timedelta(days=1)  # the next day: one day less
    assert next_deadline() == ("2025-04-15", 30) and "还剩 30 天" in shown.page()
    clock.now = dt.datetime(2025, 4, 15, 16, 59, tzinfo=NOW.tzinfo)  # the same day, either side of 17:00
    assert next_deadline() == ("2025-04-15", 0)
    clock.now = dt.datetime(2025, 4, 15, 17, 1, tzinfo=NOW.tzinfo)
    assert next_deadline() == ("2025-04-20", 5)
    clock.now = dt.datetime(2025, 4, 21, tzinfo=NOW.tzinfo)
    assert shown.section(notice_id, renamed) == "past"


def test_unchanged_outputs_are_not_rendered_again(
    clients: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    public, admin = clients
    ingest_text(admin, publish=True)
    company_id, token = register_api(public, PROFILE)
    judged: list[str] = []

    def counting(module: Any) -> None:
        real = module.company_verdicts

        def company_verdicts(**kwargs: Any) -> Any:
            judged.append(module.__name__)
            return real(**kwargs)

        monkeypatch.setattr(module, "company_verdicts", company_verdicts)

    counting(view)
    counting(ical)
    urls = [f"/c/{company_id}", f"/c/{company_id}/calendar.ics", f"/c/{company_id}?sort=benefit"]
    first = [public.get(u, headers=bearer(token)).content for u in urls]
    again = [public.get(u, headers=bearer(token)).content for u in urls]
    assert again == first
    assert judged == [view.__name__, ical.__name__, view.__name__], "each output rendered once"
    cache = public.app.state.company_output_cache  # type: ignore[attr-defined]
    assert isinstance(cache, OutputCache) and cache.hits == 3


def test_other_companies_reuse_the_notices_read_until_one_is_published(
    clients: tuple[TestClient, TestClient],
) -> None:
    public, admin = clients
    first = ingest_text(admin, publish=True)
    one = Shown(public, *register_api(public, PROFILE))
    other = Shown(public, *register_api(public, PROFILE | {"name": "湖州缓存测试二号科技有限公司"}))
    assert one.section(first) == "not_eligible"
    shared = public.app.state.company_shared_notices  # type: ignore[attr-defined]
    assert isinstance(shared, SharedNotices) and shared.loads == 1
    assert other.section(first) == "not_eligible"
    assert shared.loads == 1, "the second company's page judged the notices the first one read"

    title = TITLE.replace("湖州市", "吴兴区")
    second = ingest_text(admin, fx.NOTICE.replace(TITLE, title), name="wuxing", publish=True)
    assert second != first
    assert other.section(second, title) == "not_eligible", "a published notice shows at once"
    assert one.section(second, title) == "not_eligible"
    match = other.api(second)
    assert match is not None and match["notice"]["title"] == title and match["status"] == "not_eligible"
    assert shared.loads == 2, "the API (?include_past=true) judged the notices the pages read"

    patched = one.public.patch(
        f"/api/companies/{one.company_id}", headers=bearer(one.token), json={"annual_revenue": 2500}
    )
    assert patched.status_code == 200, patched.text
    assert one.section(second, title) == "eligible"
    assert other.section(second, title) == "not_eligible"
    assert shared.loads == 2, "a company's edit changes no notice: they are not read again"
