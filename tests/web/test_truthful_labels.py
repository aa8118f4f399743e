"""Issue 12, item 6: labels that say what the user knows — the uploaded file's name on the review page
(not the server's path), the channel's own name in a test result (not "渠道 #3")."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import admin_fixtures as fx
import pytest
from admin_fixtures import ADMIN_TOKEN, NOTICE
from fastapi import FastAPI
from fastapi.testclient import TestClient
from loopback import Loopback
from web_factories import bearer, register_api

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template
admin_app = fx.admin_app

UPLOAD_NAME = "数智工厂补助2025.txt"


@pytest.fixture
def operator(admin_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(admin_app, follow_redirects=False) as client:
        signed_in = client.post(
            "/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin"}
        )
        assert signed_in.status_code == 303
        yield client


def test_the_review_page_names_the_uploaded_file_not_the_server_path(operator: TestClient) -> None:
    files = [("files", (UPLOAD_NAME, NOTICE.encode(), "text/plain"))]
    report = operator.post("/admin/ingest", files=files)
    assert report.status_code == 200, report.text
    notice_id = re.findall(r'href="/admin/notices/(\d+)"', report.text)[0]
    page = html.unescape(operator.get(f"/admin/notices/{notice_id}").text)
    source = re.search(r'<span class="source">([^<]*)</span>', page)
    assert source is not None and source.group(1) == UPLOAD_NAME
    assert "uploads" not in page, "the server's folder is not shown"


def test_a_test_result_names_the_channel(client: TestClient) -> None:
    company_id, token = register_api(client, {"name": "杭州渠道名称有限公司", "region": "浙江省杭州市"})
    with Loopback() as rx:
        added = client.post(
            f"/api/companies/{company_id}/channels",
            json={"kind": "webhook", "target": rx.url(), "name": "财务群"},
            headers=bearer(token),
        )
        assert added.status_code in (200, 201), added.text
        client.get(f"/c/{company_id}", params={"token": token})  # the page link sets the cookie
        path = f"/c/{company_id}/channels/{added.json()['id']}/test"
        page = client.post(path, headers={"origin": "http://testserver"})  # → the queued send's page
    assert page.status_code == 200 and 'id="test-result"' in page.text
    name = re.search(r'class="channel-name">([^<]*)<', page.text)
    assert name is not None and name.group(1).startswith("财务群（"), name
    assert "渠道 #" not in page.text
