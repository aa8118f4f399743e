"""One-click unsubscribe (RFC 8058) from the link every reminder email carries, and the management
link email sent at registration."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from web_factories import HANGZHOU, form_of, management_link, register_api
from web_smtp import Mailbox

from reminder.config import Settings
from reminder.db.models import Channel, Company
from reminder.notify.links import unsubscribe_url


def _email_channel(engine: Engine, company_id: int) -> Channel:
    with Session(engine) as session:
        channel = session.exec(
            select(Channel).where(Channel.company_id == company_id, Channel.kind == "email")
        ).one()
    return channel


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_get_shows_a_confirm_page_and_changes_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    company_id, _ = register_api(client, HANGZHOU)
    channel = _email_channel(engine, company_id)
    assert channel.id is not None
    page = client.get(_path(unsubscribe_url(channel.id, settings)))
    assert page.status_code == 200
    assert "确认退订" in page.text and 'method="post"' in page.text and "finance@hz-example.com" in page.text
    assert _email_channel(engine, company_id).enabled


def test_one_click_post_without_cookies_unsubscribes_the_contact_email(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    company_id, _ = register_api(client, HANGZHOU)
    channel = _email_channel(engine, company_id)
    assert channel.id is not None
    mail_client = TestClient(
        client.app, base_url="http://testserver"
    )  # what a mail client sends: no cookie, no token
    with mail_client:
        reply = mail_client.post(
            _path(unsubscribe_url(channel.id, settings)),
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert reply.status_code == 200 and "已退订" in reply.text
        again = mail_client.post(
            _path(unsubscribe_url(channel.id, settings)), content="List-Unsubscribe=One-Click"
        )
        assert again.status_code == 200, "idempotent"
    assert not _email_channel(engine, company_id).enabled
    with Session(engine) as session:
        company = session.get(Company, company_id)
        assert company is not None and company.email_unsubscribed
    assert "已退订" in client.get(_path(unsubscribe_url(channel.id, settings))).text


def test_a_bad_signature_or_channel_is_404(client: TestClient, engine: Engine, settings: Settings) -> None:
    company_id, _ = register_api(client, HANGZHOU)
    channel = _email_channel(engine, company_id)
    assert channel.id is not None
    good = _path(unsubscribe_url(channel.id, settings))
    forged = re.sub(r"/[0-9a-f]{32}$", "/" + "0" * 32, good)
    other = _path(unsubscribe_url(channel.id + 1000, settings))
    for path in (
        forged,
        other,
        good.replace(f"/unsubscribe/{channel.id}/", f"/unsubscribe/{channel.id + 1}/"),
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, content="List-Unsubscribe=One-Click").status_code == 404, path
    assert _email_channel(engine, company_id).enabled


def test_registration_emails_a_confirmation_then_the_link_once_confirmed(
    make_client: Callable[..., TestClient], smtp_settings: Settings, mailbox: Mailbox
) -> None:
    """Issue 16, item 3: double opt-in; no typed text in a subject."""
    client = make_client(smtp_settings)
    reply = client.post("/register", data=form_of(HANGZHOU))
    link = management_link(reply.text)
    assert "finance@hz-example.com" in reply.text and "确认" in reply.text
    assert mailbox.recipients == [["finance@hz-example.com"]]
    assert link not in mailbox.text() and HANGZHOU["name"] not in mailbox.messages[0]["Subject"]
    confirm = re.search(r"http://testserver(/confirm/\d+/\w+)", mailbox.text()).group(1)  # type: ignore[union-attr]
    assert client.post(confirm).status_code == 200
    rotated = management_link(
        client.post(link.split("?")[0].replace("http://testserver", "") + "/token").text
    )
    assert rotated in mailbox.text(1), "a confirmed address gets the management link"
