"""Who may see and change what: one company's token opens nothing of another's, errors leak nothing,
and tokens never reach a log. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from loopback import Loopback
from pg_utils import BACKENDS
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from web_factories import HANGZHOU, NINGBO, bearer, form_of, management_link, register_api
from web_smtp import Mailbox

from reminder.config import Settings
from reminder.db.models import Channel, Company, Reminder

pytestmark = pytest.mark.parametrize("backend", BACKENDS)


def _two(client: TestClient, receiver: Loopback) -> tuple[int, str, int, str, int]:
    """Companies A and B, and a wecom channel of B; returns (a, a_token, b, b_token, b_channel)."""
    a, a_token = register_api(client, HANGZHOU)
    b, b_token = register_api(client, NINGBO)
    reply = client.post(
        f"/api/companies/{b}/channels",
        headers=bearer(b_token),
        json={"kind": "wecom", "target": receiver.url("/cgi-bin/webhook/send?key=bbbbbbbbbb")},
    )
    assert reply.status_code == 201
    return a, a_token, b, b_token, reply.json()["id"]


def test_a_token_opens_nothing_of_another_company(
    client: TestClient, engine: Engine, receiver: Loopback, backend: str
) -> None:
    a, a_token, b, b_token, b_channel = _two(client, receiver)
    as_a = bearer(a_token)
    attempts = [
        ("GET", f"/c/{b}", None),
        ("GET", f"/c/{b}/profile", None),
        ("GET", f"/c/{b}/notifications", None),
        ("POST", f"/c/{b}/profile", {"name": "改名", "region": "北京市"}),
        ("POST", f"/c/{b}/notifications", {"reminder_offsets": "1", "digest": "off"}),
        ("POST", f"/c/{b}/channels", {"kind": "email", "target": "spy@example.com"}),
        ("POST", f"/c/{b}/channels/{b_channel}/delete", None),
        ("POST", f"/c/{b}/channels/{b_channel}/test", None),
        ("POST", f"/c/{b}/token", None),
        ("GET", f"/c/{b}/calendar.ics", None),
        ("GET", f"/api/companies/{b}", None),
        ("GET", f"/api/companies/{b}/matches", None),
        ("GET", f"/api/companies/{b}/channels", None),
        ("POST", f"/api/companies/{b}/token", None),
        ("DELETE", f"/api/companies/{b}/channels/{b_channel}", None),
        ("POST", f"/api/companies/{b}/channels/{b_channel}/test", None),
    ]
    for method, path, form in attempts:
        reply = client.request(method, path, headers=as_a, data=form)
        assert reply.status_code == 403, (method, path, reply.status_code)
        assert NINGBO["name"] not in reply.text and "boss@nb-example.com" not in reply.text
    patched = client.patch(f"/api/companies/{b}", headers=as_a, json={"headcount": 1})
    assert patched.status_code == 403
    added = client.post(
        f"/api/companies/{b}/channels", headers=as_a, json={"kind": "email", "target": "spy@example.com"}
    )
    assert added.status_code == 403
    assert client.get(f"/c/{b}/calendar.ics?token={a_token}").status_code == 403
    assert receiver.received == [], "no test message was sent for B"
    with Session(engine) as session:
        queued = session.exec(select(Reminder).where(col(Reminder.test_send))).all()
        assert queued == [], "nor queued"
        company = session.get(Company, b)
        assert company is not None and company.name == NINGBO["name"] and company.headcount is None
        assert company.reminder_offsets == [14, 7, 3, 1, 0]
        targets = {c.target for c in session.exec(select(Channel).where(Channel.company_id == b))}
        assert "spy@example.com" not in targets and len(targets) == 2
    assert client.get(f"/api/companies/{b}", headers=bearer(b_token)).status_code == 200, (
        "B's token still works"
    )


def test_another_companys_channel_is_not_found_like_a_missing_one(
    client: TestClient, receiver: Loopback, backend: str
) -> None:
    a, a_token, b, b_token, b_channel = _two(client, receiver)
    as_a = bearer(a_token)
    for method, template in [
        ("POST", "/api/companies/{a}/channels/{c}/test"),
        ("DELETE", "/api/companies/{a}/channels/{c}"),
        ("POST", "/c/{a}/channels/{c}/test"),
        ("POST", "/c/{a}/channels/{c}/delete"),
    ]:
        theirs = client.request(method, template.format(a=a, c=b_channel), headers=as_a)
        missing = client.request(method, template.format(a=a, c=999999), headers=as_a)
        assert theirs.status_code == missing.status_code == 404, template
        assert theirs.text == missing.text
    assert receiver.received == []
    queued = client.post(f"/api/companies/{b}/channels/{b_channel}/test", headers=bearer(b_token))
    assert queued.status_code == 202, queued.text
    b_test = queued.json()["id"]  # B's test send: A reads it neither under A's id nor under B's
    for template in ("/api/companies/{a}/tests/{t}", "/c/{a}/tests/{t}"):
        theirs = client.get(template.format(a=a, t=b_test), headers=as_a)
        missing = client.get(template.format(a=a, t=999999), headers=as_a)
        assert theirs.status_code == missing.status_code == 404 and theirs.text == missing.text, template
    assert client.get(f"/api/companies/{b}/tests/{b_test}", headers=as_a).status_code == 403
    assert client.get(f"/c/{b}/tests/{b_test}", headers=as_a).status_code == 403


def test_missing_token_401_wrong_token_403_and_no_existence_leak(client: TestClient, backend: str) -> None:
    a, a_token = register_api(client, HANGZHOU)
    for path in (f"/api/companies/{a}", f"/api/companies/{a}/matches", f"/c/{a}", f"/c/{a}/calendar.ics"):
        reply = client.get(path)
        assert reply.status_code == 401, path
        assert "bearer" in reply.headers["www-authenticate"].lower()
    wrong = client.get(f"/api/companies/{a}", headers=bearer("x" * 43))
    absent = client.get("/api/companies/424242", headers=bearer("x" * 43))
    absent_with_real_token = client.get("/api/companies/424242", headers=bearer(a_token))
    assert wrong.status_code == absent.status_code == absent_with_real_token.status_code == 403
    assert wrong.json() == absent.json() == absent_with_real_token.json()
    page_wrong = client.get(f"/c/{a}?token={'x' * 43}")
    page_absent = client.get(f"/c/424242?token={'x' * 43}")
    assert page_wrong.status_code == page_absent.status_code == 403
    assert page_wrong.text == page_absent.text and HANGZHOU["name"] not in page_wrong.text


def test_tokens_never_reach_the_logs(
    make_client: Callable[..., TestClient],
    smtp_settings: Settings,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
    backend: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(smtp_settings)
    registered = client.post("/register", data=form_of(HANGZHOU))
    link = management_link(registered.text)
    company_id, token = re.fullmatch(r"http://testserver/c/(\d+)\?token=(.+)", link).groups()  # type: ignore[union-attr]
    tokens = {token}
    client.get(link)
    client.get(f"/c/{company_id}/profile")
    client.get(f"/c/{company_id}/notifications")
    client.get(f"/c/{company_id}/calendar.ics?token={token}")
    rotated = client.post(f"/c/{company_id}/token")
    tokens.add(management_link(rotated.text).split("token=", 1)[1])
    api = client.post("/api/companies", json=NINGBO).json()
    tokens.add(api["token"])
    client.get(f"/api/companies/{api['company']['id']}/matches", headers=bearer(api["token"]))
    client.get(f"/c/{company_id}?token={token}")  # the old token, refused
    # issue 16: an unconfirmed address gets its confirmation, not the link
    assert mailbox.messages and "/confirm/" in mailbox.text(0) and token not in mailbox.text(0)
    # The test's own tools log what they carry: the HTTP client (httpx) its URLs, the SMTP server
    # (aiosmtpd, logger "mail.log") the mail it receives. The service's records are what count.
    service = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "mail.log"))]
    assert any(r.name.startswith("reminder.web") for r in service), "the flow was logged"
    for record in service:
        text = record.getMessage() + repr(record.args)
        for secret in tokens:
            assert secret not in text, f"{record.name}: {text}"
