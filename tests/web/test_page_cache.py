"""Issue 15: the home page and ``GET /api/notices`` are rendered once a minute per data version, and a
stored page is never staler than a rendered one: what an operator publishes, withdraws or corrects shows
at once, and a deadline that passes leaves the list within the minute."""

from __future__ import annotations

import datetime as dt

import admin_fixtures as fx
import sqlalchemy as sa
from admin_fixtures import NOW, TITLE, ingest_text
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reminder.web.page_cache import memo_of

migrated_template, migrated_postgres, any_engine = fx.migrated_template, fx.migrated_postgres, fx.any_engine
Clock, clock, clients = fx.Clock, fx.clock, fx.clients


def _titles(public: TestClient) -> list[str]:
    return [n["title"] for n in public.get("/api/notices").json()]


def test_what_an_operator_publishes_withdraws_or_corrects_shows_at_once(
    clients: tuple[TestClient, TestClient],
) -> None:
    public, admin = clients
    assert TITLE not in public.get("/").text and TITLE not in _titles(public)
    notice_id = ingest_text(admin, publish=True)
    assert TITLE in public.get("/").text and TITLE in _titles(public)

    renamed = "关于组织申报2025年度湖州市企业技术中心（第二批）的通知"
    body = {"target": "notice", "action": "set", "values": {"title": renamed}}
    assert admin.post(f"/api/admin/notices/{notice_id}/corrections", json=body).status_code == 201
    assert renamed in public.get("/").text and renamed in _titles(public)  # the clock has not moved

    assert admin.post(f"/api/admin/notices/{notice_id}/unpublish").status_code == 200
    assert renamed not in public.get("/").text and renamed not in _titles(public)
    assert admin.post(f"/api/admin/notices/{notice_id}/publish").status_code == 200
    assert renamed in public.get("/").text


def test_a_corrected_deadline_shows_at_once(clients: tuple[TestClient, TestClient]) -> None:
    public, admin = clients
    notice_id = ingest_text(admin, publish=True)

    def shown() -> str:
        [notice] = [n for n in public.get("/api/notices").json() if n["id"] == notice_id]
        return str(notice["next_deadline"]["date"])

    assert shown() == "2025-04-10"
    fx.move_application_deadline(admin, notice_id, "2025-04-15")
    assert shown() == "2025-04-15"


def test_a_passed_deadline_leaves_the_list_within_the_minute(
    clients: tuple[TestClient, TestClient], clock: Clock
) -> None:
    public, admin = clients
    notice_id = ingest_text(admin, publish=True)  # applications close 2025-04-10 17:00, recommendations 4-20
    clock.now = dt.datetime(2025, 4, 10, 16, 59, 30, tzinfo=NOW.tzinfo)
    [before] = [n for n in public.get("/api/notices").json() if n["id"] == notice_id]
    assert (before["next_deadline"]["date"], before["days_left"]) == ("2025-04-10", 0)
    clock.now = dt.datetime(2025, 4, 10, 17, 0, 30, tzinfo=NOW.tzinfo)
    [after] = [n for n in public.get("/api/notices").json() if n["id"] == notice_id]
    assert (after["next_deadline"]["date"], after["days_left"]) == ("2025-04-20", 10)
    clock.now = dt.datetime(2025, 4, 21, tzinfo=NOW.tzinfo)
    assert notice_id not in [n["id"] for n in public.get("/api/notices").json()]
    assert f'id="notice-{notice_id}"' not in public.get("/").text


def test_a_stored_page_is_the_rendered_page_and_costs_one_statement(
    clients: tuple[TestClient, TestClient], any_engine: Engine
) -> None:
    public, admin = clients
    ingest_text(admin, publish=True)
    first, first_api = public.get("/?sort=days"), public.get("/api/notices?limit=1")
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(any_engine, "before_cursor_execute", count)
    try:
        again, again_api = public.get("/?sort=days"), public.get("/api/notices?limit=1")
    finally:
        sa.event.remove(any_engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements  # the data version, once per request
    assert again.content == first.content and again_api.content == first_api.content
    for name in ("content-type", "content-length", "x-total-count", "link", "content-security-policy"):
        assert again_api.headers.get(name) == first_api.headers.get(name), name
    assert again.headers["content-type"] == first.headers["content-type"] == "text/html; charset=utf-8"
    assert again_api.headers["x-total-count"] == "1"


def test_addresses_with_a_token_are_not_kept(clients: tuple[TestClient, TestClient]) -> None:
    public, _ = clients
    public.get("/?page=1")
    kept = len(memo_of(public.app))
    assert public.get("/?token=abc").status_code == 200
    assert len(memo_of(public.app)) == kept == 1
