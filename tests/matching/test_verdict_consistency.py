"""One (notice, company) pair reads the same everywhere: the company page, the JSON API, a rendered
reminder and the iCal feed show the same verdict label and the same reasons.

One 萧山 software company against four notices open on 2025-03-01: eligible (浙江省), possibly
eligible (杭州市: 年销售收入 not filled in, 服务收入占比 to confirm by hand), possibly eligible (scope
unknown: 请确认适用地区) and not eligible by scope (苍南县). Each surface is read back from what it
renders (HTML, JSON, message text, VEVENT description), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.config import Settings
from reminder.db import save_document
from reminder.db.models import Company, DeadlineRow, Match, NoticeRow
from reminder.matching import match_notice
from reminder.model import TZ, Condition, Deadline, Document, Notice, Scope
from reminder.notify.payloads import reminder_payload
from reminder.notify.render import render_message
from reminder.rules import VERDICT_LABELS_ZH, manual_text_zh
from reminder.web.app import create_app

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
COMPANY = {
    "name": "杭州萧然软件有限公司",
    "region": "浙江省杭州市萧山区",
    "headcount": 320,
    "qualifications": ["高新技术企业:2026-12-31"],
    "legal_person": "是",
}
HEADCOUNT = Condition("headcount", "<=", 500, "人", "职工总数不超过500人")
#: title → (scope, conditions, expected status)
NOTICES: dict[str, tuple[Scope | None, tuple[Condition, ...], str]] = {
    "浙江省软件企业培育申报": (Scope("浙江省", "浙江省", "330000"), (HEADCOUNT,), "eligible"),
    "杭州市数字服务企业认定": (
        Scope("杭州市", "浙江省杭州市", "330100"),
        (
            HEADCOUNT,
            Condition("annual_revenue", ">=", 2000, "万元", "上年度营业收入不低于2000万元"),
            Condition("other", ">=", 30, "%", "服务收入占比不低于30%。"),
            Condition("rd_expense_ratio", ">=", 5, "%", "原则上研发费用占比不低于5%", hard=False),
        ),
        "possibly_eligible",
    ),
    "中小企业数字化改造试点": (None, (HEADCOUNT,), "possibly_eligible"),
    "苍南县专精特新培育": (Scope("苍南县", "浙江省温州市苍南县", "330327"), (HEADCOUNT,), "not_eligible"),
}

#: (Chinese verdict label, unmet reasons, fields to fill in, items to confirm by hand)
Reading = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@pytest.fixture
def client(db: Engine, tmp_path: Any) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data",
        base_url="http://testserver",
        admin_token=SecretStr("admin-" + "x" * 40),
        secret_key=SecretStr("k" * 40),
    )
    app = create_app(settings, engine=db, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def _store_notices(engine: Engine) -> dict[str, int]:
    ids: dict[str, int] = {}
    with Session(engine) as session:
        for title, (scope, conditions, _) in NOTICES.items():
            notice = Notice(
                title=title,
                deadlines=(Deadline(dt.date(2025, 4, 30), None, "application", "请于2025年4月30日前提交"),),
                conditions=conditions,
                scope=scope,
            )
            doc = Document(
                source=f"https://example.gov.cn/{secrets.token_hex(4)}.html",
                text="正文" * 20,
                notices=(notice,),
                content_hash=secrets.token_hex(32),
            )
            (ids[title],) = save_document(session=session, doc=doc, now=NOW).notice_ids
        session.commit()
    return ids


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _block(article: str, css: str) -> str:
    found = re.search(rf'<div class="{css}">(.*?)</div>', article, re.S)
    return found.group(1) if found else ""


def _page(page: str, notice_id: int) -> Reading:
    for section in re.finditer(
        r'<section class="verdict[^"]*"[^>]*>\s*<h2[^>]*>(.*?)（\d+）</h2>(.*?)</section>', page, re.S
    ):
        article = re.search(
            rf'<article class="match" id="notice-{notice_id}">(.*?)</article>', section.group(2), re.S
        )
        if article is None:
            continue
        body = article.group(1)
        unmet = [
            _text(re.split(r"<blockquote", li)[0])
            for li in re.findall(r"<li>(.*?)</li>", _block(body, "unmet"), re.S)
        ]
        missing = [
            _text(li).removeprefix("填写")
            for li in re.findall(r"<li>(.*?)</li>", _block(body, "missing"), re.S)
        ]
        manual = [
            _text(q) for q in re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", _block(body, "manual"), re.S)
        ]
        return _text(section.group(1)), tuple(unmet), tuple(missing), tuple(manual)
    raise AssertionError(f"notice {notice_id} is not on the company page")


def _api(match: dict[str, Any]) -> Reading:
    return (
        VERDICT_LABELS_ZH[match["status"]],
        tuple(r["reason_zh"] for r in match["unmet"]),
        tuple(match["missing"]),
        tuple(manual_text_zh(r["quote"]) for r in match["manual"]),
    )


def _lines(text: str, prefix: str) -> list[str]:
    return [line.removeprefix(prefix).strip() for line in text.splitlines() if line.startswith(prefix)]


def _message(text: str) -> Reading:
    [label] = _lines(text, "资格判断：")
    missing = [m for line in _lines(text, "请补充企业信息：") for m in line.split("、")]
    return label, tuple(_lines(text, "不满足：")), tuple(missing), tuple(_lines(text, "需人工确认："))


def _reminder(engine: Engine, company_id: int, notice_id: int, settings: Settings) -> Reading:
    with Session(engine) as session:
        company = session.get(Company, company_id)
        notice = session.get(NoticeRow, notice_id)
        deadline = session.exec(select(DeadlineRow).where(DeadlineRow.notice_id == notice_id)).first()
        match = session.exec(
            select(Match).where(Match.company_id == company_id, Match.notice_id == notice_id)
        ).first()
        assert company is not None and notice is not None
        payload = reminder_payload(
            company=company, notice=notice, deadline=deadline, match=match, now=NOW, settings=settings
        )
    return _message(render_message("before", payload, message_id="m1", settings=settings).text)


def _calendar(feed: bytes) -> dict[str, Reading]:
    """Notice title → what its event says (only eligible and possibly eligible notices have one)."""
    out = {}
    for event in Calendar.from_ical(feed).walk("VEVENT"):
        title = re.sub(r"^【\w+】|（[^）]*）$", "", str(event["SUMMARY"]))
        out[title] = _message(str(event["DESCRIPTION"]))
    return out


def test_pages_api_reminders_and_ical_say_the_same(client: TestClient, db: Engine) -> None:
    ids = _store_notices(db)
    reply = client.post("/api/companies", json=COMPANY)
    assert reply.status_code == 201, reply.text
    company_id, token = reply.json()["company"]["id"], reply.json()["token"]
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]

    # via the management link; ``detail=all`` lists 不符合 notices with every unmet condition too (the
    # default page shows their first one only)
    page = client.get(f"/c/{company_id}", params={"token": token, "detail": "all"}).text
    compact = client.get(f"/c/{company_id}", params={"token": token}).text
    api = {
        m["notice"]["title"]: m
        for m in client.get(
            f"/api/companies/{company_id}/matches", headers={"Authorization": f"Bearer {token}"}
        ).json()
    }
    feed = client.get(f"/c/{company_id}/calendar.ics", params={"token": token})
    assert feed.status_code == 200, feed.text
    calendar = _calendar(feed.content)

    for title, notice_id in ids.items():
        expected = NOTICES[title][2]
        seen = _api(api[title])
        assert api[title]["status"] == expected, (title, seen)
        assert seen[0] == VERDICT_LABELS_ZH[expected]
        assert _page(page, notice_id) == seen, title
        assert f'id="notice-{notice_id}"' in compact, title
        assert _reminder(db, company_id, notice_id, settings) == seen, title
        if expected == "not_eligible":
            assert title not in calendar
        else:
            assert calendar[title] == seen, title

    # the stored verdicts the reminders read are the bulk judge's too, after the notices are matched again
    with Session(db) as session:
        for notice_id in ids.values():
            match_notice(session=session, notice_id=notice_id, now=NOW)
        session.commit()
    for title, notice_id in ids.items():
        if NOTICES[title][2] != "not_eligible":  # the prefilter leaves no row for a company outside the scope
            assert _reminder(db, company_id, notice_id, settings) == _api(api[title]), title


def test_possibly_eligible_reasons_are_listed(client: TestClient, db: Engine) -> None:
    ids = _store_notices(db)
    reply = client.post("/api/companies", json=COMPANY)
    company_id, token = reply.json()["company"]["id"], reply.json()["token"]
    matches = client.get(
        f"/api/companies/{company_id}/matches", headers={"Authorization": f"Bearer {token}"}
    ).json()
    by_title = {m["notice"]["title"]: _api(m) for m in matches}
    assert by_title["杭州市数字服务企业认定"] == (
        VERDICT_LABELS_ZH["possibly_eligible"],
        (),
        ("年销售收入",),
        ("服务收入占比不低于30%",),
    )
    assert by_title["中小企业数字化改造试点"][3] == ("请确认适用地区",)
    assert by_title["苍南县专精特新培育"][1] == ("注册地 杭州市萧山区 不在 浙江省温州市苍南县 ✗",)
    assert ids
