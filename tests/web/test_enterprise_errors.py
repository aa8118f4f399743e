"""Errors shown to enterprises are Chinese only and never name a setting (issue 12, item 5)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from web_factories import HANGZHOU, bearer, register_api

from reminder.config import Settings

REFUSED_URLS = [
    "https://127.0.0.1/hook",  # loopback
    "https://10.0.0.8/hook",  # private network
    "https://169.254.169.254/latest",  # cloud metadata
    "http://hooks.example.com/in",  # not https
]


@pytest.fixture
def strict(make_client: Callable[..., TestClient], settings: Settings) -> TestClient:
    """No loopback allowance, https only: what a real installation refuses."""
    return make_client(settings.model_copy(update={"webhook_allow_hosts": [], "webhook_allow_http": False}))


def _no_operator_words(message: str) -> None:
    assert "REMINDER_" not in message and " / " not in message, message
    assert not re.search(r"\b(refused|must|address|host|webhooks?)\b", message), message
    assert re.search(r"[\u4e00-\u9fff]", message), message


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_refused_webhook_on_the_settings_page_is_explained_in_chinese(strict: TestClient, url: str) -> None:
    company_id, token = register_api(strict, HANGZHOU)
    strict.get(f"/c/{company_id}?token={token}")
    reply = strict.post(
        f"/c/{company_id}/channels", data={"kind": "webhook", "name": "机器人", "target": url}
    )
    assert reply.status_code == 422
    errors = re.findall(r'<p class="error" role="alert">([^<]*)</p>', reply.text)
    assert errors, reply.text
    for message in errors:
        _no_operator_words(message)


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_refused_webhook_in_the_api_is_explained_in_chinese(strict: TestClient, url: str) -> None:
    company_id, token = register_api(strict, HANGZHOU)
    reply = strict.post(
        f"/api/companies/{company_id}/channels",
        json={"kind": "webhook", "target": url},
        headers=bearer(token),
    )
    assert reply.status_code == 422
    for item in reply.json()["detail"]:
        _no_operator_words(item["msg"])
