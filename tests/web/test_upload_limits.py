"""Issue 16, item 11: upload sizes are enforced while the body streams, and refused files are removed.

The review's repros: a 400 MB body was accepted whole before refusal; refused files stayed in
``var/uploads/``; pasted text over 1 MB failed with an English JSON error on the HTML form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import admin_fixtures as fx
import pytest
from admin_fixtures import ADMIN_TOKEN, NOTICE, make_app
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template

LIMIT = 1_000_000  # the request limit of these tests (the default is 64 MB)


@pytest.fixture
def app(sqlite_engine: Engine, tmp_path: Path) -> FastAPI:
    return make_app(sqlite_engine, tmp_path, max_request_bytes=LIMIT, max_input_bytes=400_000)


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        yield client


def _uploads(tmp_path: Path) -> list[str]:
    folder = tmp_path / "data" / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_body_over_the_limit_is_refused_before_it_is_read(api: TestClient, tmp_path: Path) -> None:
    big = b"x" * (LIMIT + 1)
    reply = api.post("/api/admin/ingest", files={"files": ("big.txt", big, "text/plain")})
    assert reply.status_code == 413 and "过大" in reply.json()["detail"]
    assert _uploads(tmp_path) == []


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(api: TestClient, tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--zzz\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
        for _ in range(400):  # 400 × 64 KB ≈ 26 MB offered; the limit is 1 MB
            yield b"y" * 65536

    headers = {"content-type": "multipart/form-data; boundary=zzz"}
    reply = api.post("/api/admin/ingest", content=chunks(), headers=headers)
    assert reply.status_code == 413
    assert _uploads(tmp_path) == []


def test_other_routes_take_small_bodies_only(api: TestClient) -> None:
    reply = api.post(
        "/api/companies",
        content=b"{" + b" " * (3 * 2**20) + b"}",
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 413


def test_refused_uploads_do_not_stay_on_disk(api: TestClient, tmp_path: Path) -> None:
    files = [
        ("files", ("too-big.txt", b"z" * 400_001, "text/plain")),
        ("files", ("news.txt", "本市召开企业座谈会，听取企业意见建议。".encode(), "text/plain")),
        ("files", ("notice.txt", NOTICE.encode(), "text/plain")),
    ]
    reply = api.post("/api/admin/ingest", files=files)
    assert reply.status_code == 200, reply.text
    assert _uploads(tmp_path) == ["notice.txt"], "only the stored document is kept"
    reasons = {Path(f["source"]).name: f["reason"] for f in reply.json()["failures"]}
    assert "过大" in reasons["too-big.txt"]


def test_pasted_text_over_1_mb_gets_a_chinese_page_on_the_html_form(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    app = make_app(
        sqlite_engine, tmp_path, max_request_bytes=8 * 2**20
    )  # form-encoded: 3 bytes per byte of CJK
    with TestClient(app, follow_redirects=False) as browser:
        assert (
            browser.post("/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六"}).status_code == 303
        )
        text = NOTICE + "\n附件说明。" * 100_000  # ≈ 1.5 MB of UTF-8
        assert len(text.encode()) > 2**20
        page = browser.post("/admin/ingest", data={"text": text, "text_name": "long"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        too_big = browser.post("/admin/ingest", data={"text": "长" * (3 * 2**20)})
        assert (
            too_big.status_code == 413
            and "过大" in too_big.text
            and too_big.headers["content-type"].startswith("text/html")
        )


def test_pasted_text_on_the_api_has_the_document_limit_and_a_chinese_refusal(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """The review's repro on the API: 1.5 MB of pasted text failed at Starlette's 1 MB part limit, in English."""
    app = make_app(sqlite_engine, tmp_path, max_request_bytes=8 * 2**20, max_input_bytes=2 * 2**20)
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        text = NOTICE + "\n附件说明。" * 100_000  # ≈ 1.5 MB of UTF-8: under the document limit
        assert 2**20 < len(text.encode()) < 2 * 2**20
        for form in ({"data": {"text": text}}, {"data": {"text": text}, "files": {"x": ("", b"")}}):
            reply = api.post("/api/admin/ingest", **form)
            assert reply.status_code == 200, reply.text[:300]
        over = "长" * (2**20)  # 3 MB of UTF-8: over the document limit, under the request limit
        for form in ({"data": {"text": over}}, {"data": {"text": over}, "files": {"x": ("", b"")}}):
            refused = api.post("/api/admin/ingest", **form)
            assert refused.status_code == 413, refused.text[:300]
            assert "过大" in refused.json()["detail"] and "exceeded" not in refused.text
