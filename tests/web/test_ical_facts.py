"""Issue 13 in the iCal feed: each event's description says the notice's top benefit, how to apply and
whom to call, one line each, only when the notice has them; read back as a calendar app would.

The facts are our own invented values, written into one sample notice's stored row.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlmodel import select
from web_factories import HANGZHOU, bearer, register_api

from reminder.db.engine import session_scope
from reminder.db.models import NoticeRow
from reminder.model import ApplyStep, Benefit, Contact
from reminder.notify.facts_lines import FACT_MAX

URL = "https://kj.example.cn/sbxt/login"
LABELS = ("可获支持：", "申报方式：", "联系人：")


def _facts(long: bool = False) -> dict[str, Any]:
    repeat = 60 if long else 1
    return {
        "benefits": [
            Benefit("title", "认定为市级研发中心").to_json(),
            Benefit("subsidy", "最高补助80万元", amount=80, capped=True).to_json(),
        ],
        "how_to_apply": [
            ApplyStep("online", "登录系统", name="科技项目管理系统" * repeat, url=URL).to_json(),
            ApplyStep("recommend", "经所在区县科技局推荐", via="所在区县科技局").to_json(),
        ],
        "contacts": [
            Contact(
                "联系人",
                name="王五",
                department="高新处",
                phones=tuple(f"0571-8712{i:04d}" for i in range(repeat)),
                emails=("wangwu@example.cn",),
            ).to_json()
        ],
    }


def _open_notices(client: TestClient, company_id: int, token: str) -> dict[int, set[int]]:
    """notice id → its dated deadline ids, for the notices the feed shows."""
    items = client.get(f"/api/companies/{company_id}/matches?include_past=true", headers=bearer(token)).json()
    out: dict[int, set[int]] = {}
    for m in items:
        if m["status"] in ("eligible", "possibly_eligible"):
            dated = {d["id"] for d in m["notice"]["deadlines"] if d["date"] and not d["to_be_announced"]}
            if dated:
                out[m["notice"]["id"]] = dated
    return out


def _store(engine: Engine, notice_id: int, facts: dict[str, Any]) -> None:
    """Give one notice ``facts`` and every other notice none."""
    with session_scope(engine) as session:
        for row in session.exec(select(NoticeRow)).all():
            chosen = facts if row.id == notice_id else {}
            row.benefits = chosen.get("benefits")
            row.how_to_apply = chosen.get("how_to_apply")
            row.contacts = chosen.get("contacts")
            session.add(row)


def _descriptions(client: TestClient, company_id: int, token: str) -> dict[int, str]:
    fresh = TestClient(client.app, base_url="http://testserver")
    with fresh:
        reply = fresh.get(f"/c/{company_id}/calendar.ics?token={token}")
    assert reply.status_code == 200, reply.text
    cal = Calendar.from_ical(reply.content)
    return {
        int(str(e["UID"]).split("-")[1]): str(e["DESCRIPTION"]) for e in cal.walk("VEVENT")
    }  # deadline id → description


@pytest.fixture
def setup(client: TestClient) -> tuple[int, str, int, dict[int, set[int]]]:
    company_id, token = register_api(client, HANGZHOU)
    notices = _open_notices(client, company_id, token)
    assert len(notices) >= 2, "the sample company sees several dated calls"
    return company_id, token, min(notices), notices


def test_an_event_shows_the_benefit_how_to_apply_and_contact(
    client: TestClient, engine: Engine, setup: tuple[int, str, int, dict[int, set[int]]]
) -> None:
    company_id, token, chosen, notices = setup
    _store(engine, chosen, _facts())
    descriptions = _descriptions(client, company_id, token)
    for deadline_id in notices[chosen]:
        lines = descriptions[deadline_id].splitlines()
        assert "可获支持：补助 最高 80 万元" in lines
        assert f"申报方式：网上申报 科技项目管理系统 {URL} ；推荐/受理单位：所在区县科技局" in lines
        assert "联系人：高新处 王五 0571-87120000 wangwu@example.cn" in lines
        assert lines[0].startswith("资格判断：") and lines[-1].startswith("详情：")
    for notice_id, deadline_ids in notices.items():
        if notice_id != chosen:  # a notice without facts: no empty labels
            for deadline_id in deadline_ids:
                assert not any(label in descriptions[deadline_id] for label in LABELS)


def test_long_facts_stay_one_short_line_each_with_the_link_whole(
    client: TestClient, engine: Engine, setup: tuple[int, str, int, dict[int, set[int]]]
) -> None:
    company_id, token, chosen, notices = setup
    _store(engine, chosen, _facts(long=True))
    for deadline_id in notices[chosen]:
        description = _descriptions(client, company_id, token)[deadline_id]
        facts = [line for line in description.splitlines() if line.startswith(LABELS)]
        assert len(facts) == 3
        assert all(len(line.split("：", 1)[1]) <= FACT_MAX for line in facts)
        assert f"网上申报 {URL} ；推荐/受理单位：所在区县科技局" in facts[1]  # the long system name went
        assert facts[2].endswith(" …") and all(
            len(p) == 13 for p in facts[2].split() if p.startswith("0571-")
        )
