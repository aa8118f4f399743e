"""Issue 16, items 2 (enumeration, "this is my company"), 3 (the service mails anyone) and 20 (data rights),
each with the review's repro as input."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pg_utils import BACKENDS
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from web_factories import HANGZHOU, NINGBO, bearer, form_of, management_link, register_api
from web_smtp import Mailbox

from reminder.companies.data_rights import purge_deliveries
from reminder.config import Settings
from reminder.db.models import Channel, Company, Delivery, Match, Reminder
from reminder.notify._replan import channel_open
from reminder.web.company.account_mail import quoted

PHISH = "钓鱼测试 请立即访问 http://evil.example/login 领取补贴"


def _count(engine: Engine, model: type, **where: object) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.exec(query).one())


# ── item 2: no enumeration; "this is my company" ───────────────────────────────────────────


def test_a_duplicate_credit_code_names_nobody(client: TestClient) -> None:
    register_api(client, HANGZHOU)
    again = client.post(
        "/register", data=form_of({**HANGZHOU, "name": "另一家公司", "contact_email": "x@evil.example"})
    )
    assert again.status_code == 422
    assert HANGZHOU["name"] not in again.text and "编号" not in again.text
    assert 'action="/register/claim"' in again.text and "这是我的企业" in again.text
    api = client.post("/api/companies", json={**HANGZHOU, "name": "另一家公司"})
    assert api.status_code == 422 and HANGZHOU["name"] not in api.text and "编号" not in api.text


def test_this_is_my_company_mails_the_address_on_file_only_once_confirmed(
    make_client: Callable[..., TestClient], smtp_settings: Settings, mailbox: Mailbox, engine: Engine
) -> None:
    client = make_client(smtp_settings)
    client.post("/register", data=form_of(HANGZHOU))  # confirmation mail 0
    answer = client.post("/register/claim", data={"credit_code": HANGZHOU["credit_code"]})
    unknown = client.post("/register/claim", data={"credit_code": "91330110MA2B0X0X99"})
    assert answer.text.replace(HANGZHOU["credit_code"], "") == unknown.text.replace("91330110MA2B0X0X99", "")
    assert len(mailbox.messages) == 1, "an unconfirmed address gets nothing but its confirmation"
    client.post(re.search(r"http://testserver(/confirm/\d+/\w+)", mailbox.text(0)).group(1))  # type: ignore[union-attr]
    client.post("/register/claim", data={"credit_code": HANGZHOU["credit_code"]})
    assert (
        mailbox.recipients[-1] == ["finance@hz-example.com"]
        and HANGZHOU["name"] not in mailbox.messages[-1]["Subject"]
    )
    claim = re.search(
        r"http://testserver(/claim/\d+/\d+/\w+)", mailbox.text(len(mailbox.messages) - 1)
    ).group(1)  # type: ignore[union-attr]
    assert client.get(claim).status_code == 200
    page = client.post(claim)
    link = management_link(page.text)
    fresh = TestClient(client.app)
    assert fresh.get(link).status_code == 200, "the new management link works"
    assert client.post(claim).status_code == 404, "a claim link works once"


# ── item 3: confirmation first, safe subjects, limits ─────────────────────────────────────


def test_registration_sends_only_a_confirmation_with_no_attacker_text_in_the_subject(
    make_client: Callable[..., TestClient], smtp_settings: Settings, mailbox: Mailbox, engine: Engine
) -> None:
    client = make_client(smtp_settings)
    company_id, _ = register_api(client, {**NINGBO, "name": PHISH})
    assert len(mailbox.messages) == 1
    subject = str(mailbox.messages[0]["Subject"])
    assert "钓鱼" not in subject and "http" not in subject and subject == "申报提醒：请确认您的邮箱地址"
    body = mailbox.text(0)
    assert "http://evil.example" not in body and "evil.example" not in body, "typed text is never a link"
    with Session(engine) as session:
        channel = session.exec(select(Channel).where(Channel.company_id == company_id)).one()
        company = session.get(Company, company_id)
        assert channel.unconfirmed and company is not None and not channel_open(channel, company)
    assert _count(engine, Reminder, company_id=company_id) == 0, (
        "nothing is planned for an unconfirmed address"
    )


def test_quoted_text_is_truncated_and_defanged() -> None:
    text = quoted(PHISH + "x" * 100)
    assert text.startswith("「") and text.endswith("…」") and len(text) <= 32
    assert "http://" not in text and "evil.example" not in text


def test_twenty_registrations_in_one_second_are_limited(
    make_client: Callable[..., TestClient], settings: Settings, engine: Engine
) -> None:
    strict = settings.model_copy(update={"register_ip_limits": "5/hour", "register_address_limits": "2/day"})
    client = make_client(strict)
    codes = [
        client.post("/api/companies", json={"name": f"测试公司{i}", "region": "浙江省杭州市西湖区",
                                             "contact_email": f"victim{i % 2}@example.com"}).status_code
        for i in range(20)
    ]  # fmt: skip
    assert codes[:2] == [201, 201] and codes.count(201) <= 5 and codes[-1] == 429
    assert _count(engine, Company) == codes.count(201), "a refused registration stores nothing"
    page = client.post("/register", data=form_of({"name": "再来一家", "region": "浙江省杭州市西湖区"}))
    assert page.status_code == 429 and "频繁" in page.text


# ── item 20: data rights ───────────────────────────────────────────────────────────────────


def _with_history(engine: Engine, company_id: int, at: dt.datetime) -> None:
    with Session(engine) as session:
        channel = session.exec(select(Channel).where(Channel.company_id == company_id)).first()
        assert channel is not None and channel.id is not None
        reminder = Reminder(
            key=f"t:{company_id}:{at.isoformat()}", company_id=company_id, channel_id=channel.id, purpose="test",
            due_at=at, next_attempt_at=at, message_id=f"m{company_id}{at.timestamp()}", status="sent",
            created_at=at, updated_at=at,
        )  # fmt: skip
        session.add(reminder)
        session.flush()
        assert reminder.id is not None
        session.add(
            Delivery(
                reminder_id=reminder.id, channel_id=channel.id, at=at, ok=True, error="to boss@nb-example.com"
            )
        )
        session.commit()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("how", ["api", "page"])
def test_a_company_deletes_itself_and_everything_about_it(
    client: TestClient, engine: Engine, how: str, backend: str
) -> None:
    company_id, token = register_api(client, NINGBO)
    other_id, _ = register_api(client, HANGZHOU)
    _with_history(engine, company_id, dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
    if how == "api":
        assert client.delete(f"/api/companies/{company_id}", headers=bearer(token)).status_code == 204
    else:
        client.get(f"/c/{company_id}?token={token}")
        assert "永久删除" in client.get(f"/c/{company_id}/delete").text
        assert (
            client.post(f"/c/{company_id}/delete", data={}).status_code == 200
        )  # not ticked: nothing happens
        assert _count(engine, Company, id=company_id) == 1
        assert "已删除" in client.post(f"/c/{company_id}/delete", data={"confirm": "yes"}).text
    assert _count(engine, Company, id=company_id) == 0
    for child in (Channel, Match, Reminder):
        assert _count(engine, child, company_id=company_id) == 0
    assert _count(engine, Delivery) == 0
    assert _count(engine, Company, id=other_id) == 1, "nobody else is touched"
    assert client.get(f"/api/companies/{company_id}", headers=bearer(token)).status_code == 403


def test_export_holds_everything_about_the_company(client: TestClient, engine: Engine) -> None:
    company_id, token = register_api(client, {**NINGBO})
    _with_history(engine, company_id, dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
    data = client.get(f"/api/companies/{company_id}/export", headers=bearer(token)).json()
    assert (
        data["company"]["name"] == NINGBO["name"] and data["channels"][0]["target"] == "boss@nb-example.com"
    )
    assert data["reminders"] and data["deliveries"] and "matches" in data
    assert token not in str(data)
    client.get(f"/c/{company_id}?token={token}")
    page = client.get(f"/c/{company_id}/export.json")
    assert page.status_code == 200 and "attachment" in page.headers["content-disposition"]
    assert client.get(f"/api/companies/{company_id}/export").status_code == 401


@pytest.mark.parametrize("backend", BACKENDS)
def test_delivery_records_are_kept_180_days_by_default(
    client: TestClient, engine: Engine, settings: Settings, backend: str
) -> None:
    assert Settings().delivery_retention_days == 180
    company_id, _ = register_api(client, NINGBO)
    now = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    _with_history(engine, company_id, now - dt.timedelta(days=181))
    _with_history(engine, company_id, now - dt.timedelta(days=10))
    with Session(engine) as session:
        assert (
            purge_deliveries(session=session, now=now, retention_days=settings.delivery_retention_days) == 2
        )
        session.commit()
    assert _count(engine, Delivery) == 1 and _count(engine, Reminder, company_id=company_id) == 1


def test_the_registration_page_says_what_is_stored_and_why(client: TestClient) -> None:
    page = client.get("/register").text
    assert "个人信息保护说明" in page and "180 天" in page and "删除" in page and "导出" in page


def test_erasure_is_confirmed_by_email_to_a_confirmed_address_only(
    make_client: Callable[..., TestClient], smtp_settings: Settings, mailbox: Mailbox
) -> None:
    client = make_client(smtp_settings)
    unconfirmed_id, unconfirmed_token = register_api(client, NINGBO)
    company_id, token = register_api(client, HANGZHOU)
    confirm = re.search(r"http://testserver(/confirm/\d+/\w+)", mailbox.text(1)).group(1)  # type: ignore[union-attr]
    client.post(confirm)
    sent = len(mailbox.messages)
    assert (
        client.delete(f"/api/companies/{unconfirmed_id}", headers=bearer(unconfirmed_token)).status_code
        == 204
    )
    assert len(mailbox.messages) == sent, "nothing to an address nobody confirmed"
    assert client.delete(f"/api/companies/{company_id}", headers=bearer(token)).status_code == 204
    assert mailbox.recipients[-1] == ["finance@hz-example.com"] and "已删除" in str(
        mailbox.messages[-1]["Subject"]
    )
