"""Issue 15: the dashboard's match counts are kept by matching, not aggregated from every match per view.

Through publishing, a correction that changes verdicts, a profile change, unpublishing and erasing a
company, ``/api/admin/companies`` and the dashboard show what a fresh count of the stored matches
gives, on SQLite and PostgreSQL; and neither request reads the matches table. A new notice's verdicts
with as many verdicts as a 全国 call reach the counts through the worker's counts job: until it ran, the
dashboard says how many notices wait.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import admin_fixtures as fx
import pytest
import sqlalchemy as sa
from admin_fixtures import ADMIN_TOKEN, NOW, ingest_text, make_app, register
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from reminder.companies.data_rights import erase_company
from reminder.db import match_counts
from reminder.db.engine import session_scope
from reminder.db.models import Company, Match
from reminder.scheduler import jobs
from reminder.workflow import company_changed

any_engine, migrated_template, migrated_postgres = fx.any_engine, fx.migrated_template, fx.migrated_postgres


@pytest.fixture
def api(any_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    app = make_app(any_engine, tmp_path)
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        yield client


def fresh_counts(engine: Engine) -> dict[str, tuple[int, int]]:
    """(eligible, possibly eligible) per company name, counted from the matches now."""
    eligible = func.sum(sa.case((col(Match.status) == "eligible", 1), else_=0))
    possible = func.sum(sa.case((col(Match.status).in_(["possibly_eligible", "possible"]), 1), else_=0))
    query = (
        select(Company.name, eligible, possible)
        .join(Match, col(Match.company_id) == col(Company.id))  # no foreign key since migration 0016
        .group_by(col(Company.name))
    )
    with Session(engine) as session:
        return {name: (int(e), int(p)) for name, e, p in session.exec(query).all() if e or p}


def listed(api: TestClient) -> dict[str, tuple[int, int]]:
    """What /api/admin/companies shows (companies with matches)."""
    body = api.get("/api/admin/companies").json()
    return {
        c["name"]: (c["eligible"], c["possibly_eligible"])
        for c in body
        if c["eligible"] or c["possibly_eligible"]
    }


def dashboard(api: TestClient) -> dict[str, tuple[int, int]]:
    page = api.get("/admin").text
    section = re.search(r'<section id="companies">(.*?)</section>', page, re.S)
    assert section is not None
    rows = re.findall(
        r'<tr><td>([^<]+)</td><td>[^<]*</td><td class="eligible">(\d+)</td><td class="possibly_eligible">(\d+)</td>',
        section.group(1),
    )
    return {name: (int(e), int(p)) for name, e, p in rows if int(e) or int(p)}


def agree(api: TestClient, engine: Engine) -> dict[str, tuple[int, int]]:
    """The API and the dashboard show a fresh count (these notices are counted at once)."""
    counts = fresh_counts(engine)
    assert listed(api) == counts
    assert dashboard(api) == counts
    return counts


def test_counts_follow_every_change_of_the_matches(api: TestClient, any_engine: Engine) -> None:
    fits = register(any_engine, headcount=400)
    small = register(any_engine, name="湖州小型科技有限公司", headcount=50)
    register(any_engine, name="杭州外地科技有限公司", region="浙江省杭州市西湖区")
    assert agree(api, any_engine) == {}
    notice_id = ingest_text(api, publish=True)
    counts = agree(api, any_engine)
    assert counts[fits.name] == (1, 0) and counts[small.name] == (1, 0)
    assert list(listed(api))[:2] == [fits.name, small.name]  # most matches first, then by id

    notice = api.get(f"/api/admin/notices/{notice_id}").json()
    headcount = next(c for c in notice["conditions"] if c["field"] == "headcount")
    body = {"target": "condition", "action": "set", "condition_id": headcount["id"], "values": {"value": 300}}
    assert api.post(f"/api/admin/notices/{notice_id}/corrections", json=body).status_code == 201
    assert fits.name not in agree(api, any_engine)  # 400 staff > 300

    with session_scope(any_engine) as session:
        company = session.get(Company, fits.id)
        assert company is not None
        company.headcount = 200
        session.add(company)
        session.flush()
        company_changed(session=session, company_id=fits.id or 0, now=NOW)
    assert agree(api, any_engine)[fits.name] == (1, 0)

    with session_scope(any_engine) as session:
        company = session.get(Company, small.id)
        assert company is not None
        erase_company(session=session, company=company)
    assert small.name not in agree(api, any_engine)

    assert api.post(f"/api/admin/notices/{notice_id}/unpublish").status_code == 200
    assert agree(api, any_engine) == {}


def test_the_dashboard_does_not_read_the_matches(api: TestClient, any_engine: Engine) -> None:
    register(any_engine)
    ingest_text(api, publish=True)
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(any_engine, "before_cursor_execute", record)
    try:
        assert api.get("/admin").status_code == 200
        assert api.get("/api/admin/companies").status_code == 200
    finally:
        sa.event.remove(any_engine, "before_cursor_execute", record)
    assert seen and not [s for s in seen if re.search(r"\bmatches\b", s)]


def test_the_dashboard_says_when_a_new_notices_verdicts_are_not_counted_yet(
    api: TestClient, any_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(match_counts, "QUEUED_FROM", 1)  # as a 全国 notice: its counts wait for the worker
    fits = register(any_engine, headcount=400)
    assert "正在计入统计" not in api.get("/admin").text
    ingest_text(api, publish=True)
    page = api.get("/admin").text
    assert "另有 1 条通知的匹配结果正在计入统计" in page
    assert dashboard(api) == listed(api) == {}, "not in the counts yet"
    assert 'reminder_matches{status="eligible"} 1\n' in api.get("/metrics").text, (
        "/metrics counts it meanwhile"
    )
    assert jobs.fold_counts(engine=any_engine) == 1  # the worker's job, within a minute
    assert 'reminder_matches{status="eligible"} 1\n' in api.get("/metrics").text, "and once, after"
    assert "正在计入统计" not in api.get("/admin").text
    assert dashboard(api) == listed(api) == fresh_counts(any_engine) == {fits.name: (1, 0)}
    assert jobs.fold_counts(engine=any_engine) == 0
    assert dashboard(api) == {fits.name: (1, 0)}, "added once"
