"""Issue 16, items 4 (brute force), 16 (CSRF) and 17 (admin sessions), each with the review's repro."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import admin_fixtures as fx
import pytest
from admin_fixtures import ADMIN_TOKEN, NOTICE, TITLE
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reminder.config import Settings
from reminder.web.admin.sessions import SESSION_COOKIE, AdminSessions

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template


@pytest.fixture
def admin_app(sqlite_engine: Engine, tmp_path: Path) -> FastAPI:
    """The app with the shipped failure limits (the shared fixtures raise them)."""
    return fx.make_app(sqlite_engine, tmp_path, auth_failure_limits=Settings().auth_failure_limits)


@pytest.fixture
def client(admin_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(admin_app, follow_redirects=False) as c:
        yield c


# ── item 4: brute force ────────────────────────────────────────────────────────────────────


def test_200_wrong_admin_logins_lock_the_client_out_even_for_the_right_token(client: TestClient) -> None:
    answers = [client.post("/admin/login", data={"token": f"guess-{i}"}).status_code for i in range(200)]
    assert answers[0] == 403 and answers[-1] == 429, "refused, then locked out"
    right = client.post("/admin/login", data={"token": ADMIN_TOKEN})
    assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in right.headers.get("set-cookie", "")


def test_guessing_company_tokens_is_locked_out(client: TestClient) -> None:
    codes = [
        client.get("/api/companies/1", headers={"Authorization": f"Bearer guess{i}"}).status_code
        for i in range(40)
    ]
    assert codes[0] in (401, 403) and codes[-1] == 429
    # also through ?token= on the iCal feed, and the admin API
    assert client.get("/c/1/calendar.ics?token=x").status_code == 429
    assert (
        client.get("/api/admin/notices", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code
        == 429
    )


def test_a_few_mistakes_do_not_lock_anyone_out(client: TestClient) -> None:
    for i in range(3):
        assert client.post("/admin/login", data={"token": f"typo-{i}"}).status_code == 403
    assert client.post("/admin/login", data={"token": ADMIN_TOKEN}).status_code == 303


def test_requests_without_a_credential_are_not_limited(client: TestClient) -> None:
    for i in range(40):
        client.post("/admin/login", data={"token": f"guess-{i}"})
    assert client.get("/").status_code == 200


# ── item 16: CSRF ──────────────────────────────────────────────────────────────────────────


def test_a_cross_origin_form_post_with_the_cookie_is_refused(client: TestClient) -> None:
    assert client.post("/admin/login", data={"token": ADMIN_TOKEN}).status_code == 303
    evil = {"Origin": "https://evil.example"}
    response = client.post("/admin/ingest", data={"text": NOTICE, "text_name": "x"}, headers=evil)
    assert response.status_code == 403 and "跨站" in response.json()["detail"]
    assert client.post("/admin/logout", headers={"Origin": "null"}).status_code == 403
    assert client.post("/admin/logout", headers={"Referer": "https://evil.example/x"}).status_code == 403
    same = client.post(
        "/admin/ingest", data={"text": NOTICE, "text_name": "x"}, headers={"Origin": "http://testserver"}
    )
    assert same.status_code == 200 and TITLE in same.text
    # what browsers send: Sec-Fetch-Site decides (a no-referrer page's own form has Origin: null)
    browser_cross = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    assert client.post("/admin/logout", headers=browser_cross).status_code == 403
    assert client.post("/admin/logout", headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    own_form = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
    assert (
        client.post("/admin/ingest", data={"text": NOTICE, "text_name": "y"}, headers=own_form).status_code
        == 200
    )


def test_cross_origin_posts_to_company_pages_are_refused(client: TestClient) -> None:
    form = {"kind": "email", "address": "x@example.com"}
    client.cookies.set("token", "t", path="/c/1")
    response = client.post("/c/1/channels", data=form, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    register = client.post(
        "/register", data={"name": "x"}, headers={"Origin": "http://127.0.0.1.evil.example"}
    )
    assert register.status_code == 403


# ── item 17: admin sessions ────────────────────────────────────────────────────────────────


def test_a_token_link_signs_in_then_strips_the_token(client: TestClient) -> None:
    response = client.get(f"/admin/notices?status=draft&token={ADMIN_TOKEN}")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/notices?status=draft", "token gone from the address bar"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and ADMIN_TOKEN not in cookie and "HttpOnly" in cookie
    assert client.get("/admin/notices?status=draft").status_code == 200, "the next click stays signed in"


def test_logout_ends_the_session_server_side(client: TestClient) -> None:
    client.post("/admin/login", data={"token": ADMIN_TOKEN})
    sid = client.cookies[SESSION_COOKIE]
    assert client.get("/admin").status_code == 200
    client.post("/admin/logout")
    replay = TestClient(client.app, follow_redirects=False, cookies={SESSION_COOKIE: sid})
    assert replay.get("/admin").status_code == 303, "a copied cookie is dead after logout"


def test_logout_everywhere_revokes_every_session(admin_app: FastAPI) -> None:
    first = TestClient(admin_app, follow_redirects=False)
    second = TestClient(admin_app, follow_redirects=False)
    for c in (first, second):
        assert c.post("/admin/login", data={"token": ADMIN_TOKEN}).status_code == 303
    first.post("/admin/logout", data={"everywhere": "1"})
    assert second.get("/admin").status_code == 303


def test_sessions_expire_and_die_with_the_token() -> None:
    t0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    store = AdminSessions(dt.timedelta(hours=12), dt.timedelta(minutes=60))
    sid = store.create("赵六", "tok", t0)
    assert store.get(sid, "tok", t0 + dt.timedelta(minutes=50)) is not None
    assert store.get(sid, "tok", t0 + dt.timedelta(minutes=100)) is not None  # used 50 minutes before
    assert store.get(sid, "tok", t0 + dt.timedelta(minutes=200)) is None, "idle too long"
    sid = store.create("赵六", "tok", t0)
    for minutes in range(0, 12 * 60, 50):
        assert store.get(sid, "tok", t0 + dt.timedelta(minutes=minutes)) is not None
    assert store.get(sid, "tok", t0 + dt.timedelta(hours=12, minutes=1)) is None, "absolute lifetime"
    sid = store.create("赵六", "tok", t0)
    assert store.get(sid, "rotated", t0) is None, "a new admin token ends old sessions"
