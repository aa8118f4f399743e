"""Issue 16, item 18: GET /api/notices is paginated (it returned every open notice at once)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_notices_come_a_page_at_a_time(client: TestClient) -> None:
    everything = client.get("/api/notices", params={"limit": 200})
    total = int(everything.headers["x-total-count"])
    assert total == len(everything.json()) >= 3
    first = client.get("/api/notices", params={"limit": 2})
    assert [n["id"] for n in first.json()] == [n["id"] for n in everything.json()[:2]]
    assert first.headers["link"] == '</api/notices?limit=2&offset=2>; rel="next"'
    second = client.get("/api/notices", params={"limit": 2, "offset": 2})
    assert [n["id"] for n in second.json()] == [n["id"] for n in everything.json()[2:4]]


def test_page_sizes_are_bounded(client: TestClient) -> None:
    assert client.get("/api/notices", params={"limit": 100000}).status_code == 422
    assert client.get("/api/notices", params={"offset": -1}).status_code == 422
    assert len(client.get("/api/notices").json()) <= 50
