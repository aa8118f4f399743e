"""A company's page, matches API and iCal feed end their read-only transaction in the route's worker thread
(``output_cache.cached_output`` commits), so the session dependency has nothing to commit and wakes no
second worker thread (issue 15); the company still sees the same answers, first visit or kept."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from web_factories import HANGZHOU, bearer, register_api

from reminder.web import deps

PATHS = ("/c/{c}", "/api/companies/{c}/matches", "/c/{c}/calendar.ics")


def test_outputs_leave_nothing_to_commit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    company_id, token = register_api(client, HANGZHOU)
    seen: list[bool] = []
    plain = deps._unfinished

    def unfinished(session: Session) -> Any:
        seen.append(plain(session))
        return seen[-1]

    monkeypatch.setattr(deps, "_unfinished", unfinished)
    bodies: dict[str, bytes] = {}
    for visit in ("first", "kept"):
        for path in PATHS:
            reply = client.get(path.format(c=company_id), headers=bearer(token))
            assert reply.status_code == 200, reply.text
            assert bodies.setdefault(path, reply.content) == reply.content, (visit, path)
    assert seen == [False] * 2 * len(PATHS)
