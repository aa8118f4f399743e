"""The admin JSON API: who may call it, ingest in every format, review, correct, publish, dashboard data."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from typing import Any, get_args

import admin_fixtures as fx
import pytest
from admin_fixtures import (
    ADMIN_TOKEN,
    APPLICATION_QUOTE,
    NOTICE,
    NOW,
    TITLE,
    ingest_text,
    make_app,
    make_docx,
    make_html,
    make_pdf,
    outbox,
    register,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.db.models import Company, Match, Reminder
from reminder.model import CONDITION_FIELDS, CONDITION_OPS, DEADLINE_KINDS
from reminder.web.api.admin_schemas import DeadlineKind
from reminder.web.deps import hash_token

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template
admin_app, api, anonymous = fx.admin_app, fx.api, fx.anonymous


def company_with_token(engine: Engine, token: str, **fields: Any) -> Company:
    company = register(engine, **fields)
    with Session(engine) as session:
        row = session.get(Company, company.id)
        assert row is not None
        row.token_hash = hash_token(token)
        session.add(row)
        session.commit()
    return company


def admin_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every documented admin operation, with id 1 in the path."""
    paths = app.openapi()["paths"]
    return [
        (
            method.upper(),
            path.replace("{notice_id}", "1").replace("{reminder_id}", "1").replace("{source_id}", "1"),
        )
        for path, operations in paths.items()
        if path.startswith("/api/admin")
        for method in operations
    ]


# ── access ─────────────────────────────────────────────────────────────────────────────────


def test_every_admin_route_refuses_a_missing_a_wrong_and_a_company_token(
    admin_app: FastAPI, sqlite_engine: Engine, api: TestClient
) -> None:
    ingest_text(api)  # notice 1 exists: a refusal must not depend on (or reveal) that
    company_token = "company-" + "c" * 40
    company_with_token(sqlite_engine, company_token)
    routes = admin_routes(admin_app)
    assert len(routes) == 17  # 10 + the sources API (issue 17: list, add, get, patch, test ×2, discover)
    with TestClient(admin_app) as client:
        for method, path in routes:
            missing = client.request(method, path)
            assert missing.status_code == 401, (method, path)
            assert missing.headers["www-authenticate"] == "Bearer"
            for token in ("wrong-token", company_token, ADMIN_TOKEN + "x"):
                denied = client.request(method, path, headers={"Authorization": f"Bearer {token}"})
                assert denied.status_code == 403, (method, path, token)
                assert denied.json() == {"detail": "令牌无效 / invalid token"}
                assert TITLE not in denied.text


def test_without_a_configured_admin_token_nobody_is_admin(sqlite_engine: Engine, tmp_path: Any) -> None:
    app = make_app(sqlite_engine, tmp_path, admin_token=None)
    with TestClient(app) as client:
        assert client.get("/api/admin/notices", headers={"Authorization": "Bearer "}).status_code == 401
        assert (
            client.get("/api/admin/notices", headers={"Authorization": "Bearer anything"}).status_code == 403
        )


def test_the_token_is_also_taken_from_the_query_string(anonymous: TestClient) -> None:
    assert anonymous.get(f"/api/admin/notices?token={ADMIN_TOKEN}").status_code == 200


# ── ingest ─────────────────────────────────────────────────────────────────────────────────

FORMATS = {
    "txt-gb18030": ("notice.txt", NOTICE.encode("gb18030")),
    "html": ("notice.html", make_html()),
    "pdf": ("notice.pdf", make_pdf()),
    "docx": ("notice.docx", make_docx()),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_upload_each_format(api: TestClient, fmt: str) -> None:
    name, data = FORMATS[fmt]
    response = api.post("/api/admin/ingest", files=[("files", (name, data, "application/octet-stream"))])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["documents"], body["notices"], body["deadlines"], body["failures"]) == (1, 1, 2, [])
    [stored] = body["stored"]
    assert (stored["title"], stored["status"]) == (TITLE, "draft")
    notice = api.get(f"/api/admin/notices/{stored['id']}").json()
    application = [d for d in notice["deadlines"] if d["kind"] == "application"]
    assert [(d["date"], d["time"]) for d in application] == [("2025-04-10", "17:00:00")]
    assert {c["field"] for c in notice["conditions"]} >= {"headcount", "annual_revenue", "rd_expense_ratio"}


def test_several_inputs_succeed_or_fail_each_with_a_reason(api: TestClient) -> None:
    files = [
        ("files", ("notice.txt", NOTICE.encode(), "text/plain")),
        ("files", ("again.txt", NOTICE.encode(), "text/plain")),  # same bytes: a duplicate
        ("files", ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")),
        ("files", ("news.txt", "今天天气很好，市民纷纷外出踏青。".encode(), "text/plain")),
    ]
    body = api.post("/api/admin/ingest", files=files).json()
    assert (body["documents"], body["duplicates"]) == (1, 1)
    failed = {f["source"].rsplit("/", 1)[-1]: f["reason"] for f in body["failures"]}
    skipped = {f["source"].rsplit("/", 1)[-1]: f["reason"] for f in body["skipped"]}
    assert list(failed) == ["scan.png"] and "image is damaged" in failed["scan.png"]  # images are OCR'd
    assert list(skipped) == ["news.txt"] and "不是申报通知" in skipped["news.txt"]


@pytest.fixture
def site() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the notice as a web page, and a 404 elsewhere."""
    page = make_html()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/notice.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
            else:
                self.send_error(404)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_urls_are_fetched_and_failures_say_why(api: TestClient, site: str) -> None:
    settings = api.app.state.settings  # type: ignore[attr-defined]
    api.app.state.settings = settings.model_copy(update={"webhook_allow_hosts": ["127.0.0.1"]})  # type: ignore[attr-defined]
    body = api.post(
        "/api/admin/ingest", data={"urls": f"{site}/notice.html\n{site}/gone.html", "publish": "true"}
    ).json()
    assert [(n["title"], n["status"]) for n in body["stored"]] == [(TITLE, "published")]
    assert [(f["source"], "404" in f["reason"]) for f in body["failures"]] == [(f"{site}/gone.html", True)]


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"urls": "file:///etc/passwd"}, ["body", "urls", 0]),
        ({}, ["body", "files"]),
        ({"publish": "maybe"}, ["body", "publish"]),
    ],
    ids=["not-http", "nothing", "bad-flag"],
)
def test_bad_ingest_input_is_a_422_naming_the_field(
    api: TestClient, data: dict[str, str], loc: list[Any]
) -> None:
    response = api.post("/api/admin/ingest", data=data)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["detail"]]


# ── review, correct, publish ───────────────────────────────────────────────────────────────


def test_a_notice_comes_with_its_source_text_and_spans_into_it(api: TestClient) -> None:
    notice = api.get(f"/api/admin/notices/{ingest_text(api)}").json()
    text, offset = notice["source_text"], notice["source_offset"]
    for item in notice["deadlines"] + notice["conditions"]:
        assert text[item["span_start"] - offset : item["span_end"] - offset] in item["quote"]
    assert notice["source"].endswith("jishu-zhongxin.txt")
    assert api.get("/api/admin/notices/999").status_code == 404


def _application(api: TestClient, notice_id: int) -> dict[str, Any]:
    notice = api.get(f"/api/admin/notices/{notice_id}").json()
    return next(d for d in notice["deadlines"] if d["quote"] == APPLICATION_QUOTE)


def test_correct_a_deadline_and_read_the_history(api: TestClient) -> None:
    notice_id = ingest_text(api)
    deadline_id = _application(api, notice_id)["id"]
    body = {
        "target": "deadline",
        "action": "set",
        "deadline_id": deadline_id,
        "values": {"date": "2025-04-15", "time": "09:30"},
        "author": "王五",
        "note": "见补充通知",
    }
    created = api.post(f"/api/admin/notices/{notice_id}/corrections", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["author"] == "王五"
    assert dt.datetime.fromisoformat(created.json()["created_at"]) == NOW
    now = _application(api, notice_id)
    assert (now["date"], now["time"], now["at"]) == ("2025-04-15", "09:30:00", "2025-04-15T01:30:00Z")
    [kept] = api.get(f"/api/admin/notices/{notice_id}/corrections").json()
    assert (kept["author"], kept["note"], kept["values"]) == (
        "王五",
        "见补充通知",
        {"date": "2025-04-15", "time": "09:30"},
    )


def test_a_correction_survives_uploading_the_same_file_again_changed(api: TestClient) -> None:
    files = [("files", ("jishu.txt", NOTICE.encode(), "text/plain"))]
    notice_id = api.post("/api/admin/ingest", files=files).json()["stored"][0]["id"]
    deadline_id = _application(api, notice_id)["id"]
    body = {
        "target": "deadline",
        "action": "set",
        "deadline_id": deadline_id,
        "values": {"date": "2025-04-15"},
    }
    assert api.post(f"/api/admin/notices/{notice_id}/corrections", json=body).status_code == 201
    changed = [("files", ("jishu.txt", fx.changed_notice().encode(), "text/plain"))]
    again = api.post("/api/admin/ingest", files=changed).json()
    assert (again["documents"], again["stored"][0]["id"]) == (
        1,
        notice_id,
    )  # a new version of the same notice
    assert _application(api, notice_id)["date"] == "2025-04-15"
    dates = sorted(d["date"] for d in api.get(f"/api/admin/notices/{notice_id}").json()["deadlines"])
    assert dates == ["2025-04-15", "2025-04-25"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (
            {"target": "deadline", "action": "set", "values": {"date": "2025-13-40"}},
            ["body", "deadline", "values", "date"],
        ),
        (
            {"target": "deadline", "action": "set", "values": {"kind": "soonish"}},
            ["body", "deadline", "values", "kind"],
        ),
        (
            {
                "target": "condition",
                "action": "add",
                "values": {"field": "shoe_size", "op": ">=", "value": 1},
            },
            ["body", "condition", "values", "field"],
        ),
        (
            {"target": "condition", "action": "add", "values": {"field": "headcount", "op": "≥", "value": 1}},
            ["body", "condition", "values", "op"],
        ),
        (
            {"target": "condition", "action": "add", "values": {"field": "headcount", "op": ">="}},
            ["body", "condition", "values", "value"],
        ),
        (
            {
                "target": "condition",
                "action": "add",
                "values": {"field": "headcount", "op": ">=", "value": "多"},
            },
            ["body", "condition", "values", "value"],
        ),
        (
            {"target": "deadline", "action": "add", "values": {"kind": "application"}},
            ["body", "deadline", "values", "date"],
        ),
        (
            {"target": "deadline", "action": "set", "deadline_id": 9999, "values": {"date": "2025-04-15"}},
            ["body", "deadline", "deadline_id"],
        ),
        ({"target": "planet", "action": "set", "values": {}}, ["body"]),
    ],
    ids=[
        "impossible-date",
        "unknown-kind",
        "unknown-field",
        "unknown-op",
        "no-value",
        "text-for-number",
        "add-without-date",
        "deadline-of-another-notice",
        "unknown-target",
    ],
)
def test_bad_corrections_are_422_with_the_field(
    api: TestClient, body: dict[str, Any], loc: list[Any]
) -> None:
    notice_id = ingest_text(api)
    if body["action"] == "set" and "deadline_id" not in body and body["target"] == "deadline":
        body = body | {"deadline_id": _application(api, notice_id)["id"]}
    response = api.post(f"/api/admin/notices/{notice_id}/corrections", json=body)
    assert response.status_code == 422, response.text
    locs = [e["loc"][: len(loc)] for e in response.json()["detail"]]
    assert loc in locs, response.json()
    assert api.get(f"/api/admin/notices/{notice_id}/corrections").json() == []


def test_the_api_vocabulary_is_the_extractors(api: TestClient) -> None:
    assert get_args(DeadlineKind) == DEADLINE_KINDS
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    values = schemas["ConditionValues"]["properties"]
    assert [s.get("enum") for s in values["field"]["anyOf"] if "enum" in s] == [list(CONDITION_FIELDS)]
    assert [s.get("enum") for s in values["op"]["anyOf"] if "enum" in s] == [list(CONDITION_OPS)]


def test_publishing_matches_companies_and_unpublishing_returns_to_draft(
    api: TestClient, sqlite_engine: Engine
) -> None:
    fits = register(sqlite_engine)
    elsewhere = register(sqlite_engine, name="杭州另一家公司", region="浙江省杭州市西湖区")
    notice_id = ingest_text(api)
    with Session(sqlite_engine) as session:
        assert session.exec(select(Match)).all() == []  # a draft is matched with nobody
    assert api.post(f"/api/admin/notices/{notice_id}/publish").json()["status"] == "published"
    with Session(sqlite_engine) as session:
        verdicts = {
            m.company_id: m.status for m in session.exec(select(Match).where(Match.notice_id == notice_id))
        }
    assert verdicts.get(fits.id or 0) == "eligible" and verdicts.get(elsewhere.id or 0) != "eligible"
    listed = api.get("/api/admin/companies").json()
    assert listed[0]["name"] == fits.name and listed[0]["eligible"] == 1
    assert api.post(f"/api/admin/notices/{notice_id}/unpublish").json()["status"] == "draft"
    assert [n["id"] for n in api.get("/api/admin/notices?status=draft").json()] == [notice_id]
    assert api.get("/api/admin/notices?status=published").json() == []


def test_a_correction_re_matches_the_notice(api: TestClient, sqlite_engine: Engine) -> None:
    company = register(sqlite_engine, headcount=400)
    notice_id = ingest_text(api, publish=True)
    with Session(sqlite_engine) as session:
        assert session.exec(select(Match.status).where(Match.company_id == company.id)).all() == ["eligible"]
    notice = api.get(f"/api/admin/notices/{notice_id}").json()
    headcount = next(c for c in notice["conditions"] if c["field"] == "headcount")
    body = {"target": "condition", "action": "set", "condition_id": headcount["id"], "values": {"value": 300}}
    assert api.post(f"/api/admin/notices/{notice_id}/corrections", json=body).status_code == 201
    with Session(sqlite_engine) as session:  # 400 staff > 300: no longer a match
        assert (
            "eligible" not in session.exec(select(Match.status).where(Match.company_id == company.id)).all()
        )


def test_notice_list_filters_open_and_past(admin_app: FastAPI, sqlite_engine: Engine, tmp_path: Any) -> None:
    with TestClient(admin_app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        notice_id = ingest_text(api)
        assert [n["id"] for n in api.get("/api/admin/notices?when=open").json()] == [notice_id]
        assert api.get("/api/admin/notices?when=past").json() == []
        item = api.get("/api/admin/notices").json()[0]
        assert item["next_deadline"]["date"] == "2025-04-10" and item["open"] is True
    admin_app.state.clock = lambda: NOW.replace(month=5)
    with TestClient(admin_app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        assert api.get("/api/admin/notices?when=open").json() == []
        assert [n["id"] for n in api.get("/api/admin/notices?when=past").json()] == [notice_id]
        assert api.get("/api/admin/notices?when=someday").status_code == 422


# ── deliveries and reminders ───────────────────────────────────────────────────────────────


def test_failed_deliveries_of_the_last_day(api: TestClient, sqlite_engine: Engine) -> None:
    ids = outbox(sqlite_engine, register(sqlite_engine))
    failed = api.get("/api/admin/deliveries?failed=1").json()
    assert [(d["status_code"], d["error"], d["channel_name"]) for d in failed] == [
        (500, "HTTP 500: receiver down", "财务群")
    ]
    assert "SECRETKEY" not in str(failed)
    assert len(api.get("/api/admin/deliveries").json()) == 2
    assert len(api.get("/api/admin/deliveries?failed=1&hours=72").json()) == 2
    assert failed[0]["reminder_id"] == ids["dead"]


def test_requeue_a_dead_reminder(api: TestClient, sqlite_engine: Engine) -> None:
    ids = outbox(sqlite_engine, register(sqlite_engine))
    response = api.post(f"/api/admin/reminders/{ids['dead']}/requeue")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    with Session(sqlite_engine) as session:
        assert session.get(Reminder, ids["dead"]).status == "pending"  # type: ignore[union-attr]
    assert api.post(f"/api/admin/reminders/{ids['pending']}/requeue").status_code == 409
    assert api.post("/api/admin/reminders/9999/requeue").status_code == 404
