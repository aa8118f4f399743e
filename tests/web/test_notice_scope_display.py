"""The notice's scope is shown on the admin review page, the company page and in the API (适用地区)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import admin_fixtures as fx
import pytest
from admin_fixtures import ADMIN_TOKEN, NOTICE
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_factories import HANGZHOU, register_api

sqlite_engine, migrated_template, admin_app = fx.sqlite_engine, fx.migrated_template, fx.admin_app


@pytest.fixture
def browser(admin_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(admin_app, follow_redirects=False) as client:
        response = client.post(
            "/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin"}
        )
        assert response.status_code == 303
        yield client


def test_review_page_shows_the_scope(browser: TestClient) -> None:
    page = browser.post("/admin/ingest", data={"text": NOTICE, "text_name": "scope", "publish": "on"})
    notice_id = re.findall(r'href="/admin/notices/(\d+)"', page.text)[0]
    review = browser.get(f"/admin/notices/{notice_id}").text
    assert "适用地区：浙江省湖州市" in review
    api = browser.get(f"/admin/api/notices/{notice_id}")
    if api.status_code == 200:
        assert api.json()["scope"]["path"] == "浙江省湖州市"


def test_company_page_shows_each_notice_scope(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    page = client.get(f"/c/{company_id}?token={token}").text
    assert "适用地区：" in page
