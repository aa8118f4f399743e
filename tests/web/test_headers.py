"""Issue 16, items 5 and 6: security headers on every response; Secure cookies behind a TLS proxy.

The review's repros: no CSP, frame-ancestors/X-Frame-Options or X-Content-Type-Options anywhere and
Referrer-Policy only on token pages; behind a TLS-terminating proxy cookies were never ``Secure``
(``proxy_headers=False``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ADMIN_TOKEN
from fastapi.testclient import TestClient

from reminder.config import Settings
from reminder.web.headers import CSP

PATHS = [
    "/",
    "/register",
    "/api/notices",
    "/healthz",
    "/docs",
    "/static/style.css",
    "/no-such-page",
    "/admin/login",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    reply = client.get(path, follow_redirects=False)
    assert reply.headers["content-security-policy"] == CSP
    assert (
        "frame-ancestors 'none'" in CSP
        and "script-src 'self'" in CSP
        and "unsafe-inline" not in CSP.split("script-src")[1].split(";")[0]
    )
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] in ("same-origin", "no-referrer")


def test_token_pages_keep_their_stricter_referrer_policy(client: TestClient) -> None:
    assert client.get("/admin/login").headers["referrer-policy"] == "no-referrer"


def test_templates_hold_no_inline_script() -> None:
    templates = Path(__file__).parents[2] / "reminder" / "web" / "templates"
    for page in templates.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+\s*=", text), f"{page.name}: inline event handler"
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"{page.name}: inline <script>"


def _login(client: TestClient, **headers: str) -> str:
    reply = client.post(
        "/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin"},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert reply.status_code == 303, reply.text
    return str(reply.headers["set-cookie"])


def test_cookies_are_secure_behind_a_trusted_tls_proxy(
    make_client: Callable[..., TestClient], settings: Settings
) -> None:
    proxied = make_client(settings.model_copy(update={"forwarded_allow_ips": ["testclient", "127.0.0.1"]}))
    cookie = _login(proxied, **{"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7"})
    assert "secure" in cookie.lower()
    assert "strict-transport-security" in proxied.get("/", headers={"x-forwarded-proto": "https"}).headers


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(client: TestClient) -> None:
    cookie = _login(client, **{"x-forwarded-proto": "https"})
    assert "secure" not in cookie.lower()
