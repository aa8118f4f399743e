"""Waiting for a queued test send (issue 16, item 14): the request answers at once, the lane sends it.

wait_for_result(client, "/api/companies/1/tests/7", headers)  → the JSON once sent or failed
wait_for_page(client, "/c/1/tests/7")                         → the page once it stops reloading
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

__all__ = ["wait_for_result", "wait_for_page", "api_test"]

#: how long a test send may take to be answered here (the receivers answer at once or after a set delay)
PATIENCE = 20.0


def wait_for_result(
    client: TestClient | httpx.Client, url: str, headers: dict[str, str], seconds: float = PATIENCE
) -> Any:
    """GET a test send until the receiver answered (or ``seconds`` passed); returns its JSON."""
    deadline = time.monotonic() + seconds
    while True:
        reply = client.get(url, headers=headers)
        assert reply.status_code == 200, reply.text
        if reply.json()["status"] in ("sent", "failed") or time.monotonic() > deadline:
            return reply.json()
        time.sleep(0.05)


def wait_for_page(client: TestClient, url: str, seconds: float = PATIENCE) -> str:
    """GET a test send's page until it stops reloading itself (the answer is there); returns its HTML."""
    deadline = time.monotonic() + seconds
    while True:
        reply = client.get(url)
        assert reply.status_code == 200, reply.text
        if 'http-equiv="refresh"' not in reply.text or time.monotonic() > deadline:
            return reply.text
        time.sleep(0.05)


def api_test(client: TestClient, company_id: int, channel_id: int, headers: dict[str, str]) -> Any:
    """Queue a test send through the API (202) and wait for the receiver's answer."""
    queued = client.post(f"/api/companies/{company_id}/channels/{channel_id}/test", headers=headers)
    assert queued.status_code == 202, queued.text
    return wait_for_result(client, queued.headers["location"], headers)
