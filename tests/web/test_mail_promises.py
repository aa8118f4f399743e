"""Issue 12, item 6: pages promise a mail only when a mail server is configured.

Without SMTP the registration result says nothing was mailed (and that the link must be saved now);
with SMTP it names the confirmation mail, and once the address is confirmed, the link mail.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from web_factories import HANGZHOU, SPARSE, form_of, management_link
from web_smtp import Mailbox

from reminder.config import Settings

#: every wording that says a mail went out
_SENT = ("发送到", "发送确认邮件", "已把找回管理链接的邮件发到")


def _claims_a_mail(html: str) -> bool:
    return any(words in html for words in _SENT)


def test_without_a_mail_server_registration_promises_no_mail(client: TestClient) -> None:
    reply = client.post("/register", data=form_of(HANGZHOU))
    assert reply.status_code == 200
    management_link(reply.text)  # the link is still shown
    assert not _claims_a_mail(reply.text), "no mail server: nothing is sent"
    assert "尚未配置邮件服务器" in reply.text and "finance@hz-example.com" in reply.text
    assert "请现在保存此链接" in reply.text


def test_without_a_mail_server_a_registration_without_email_says_nothing_of_mail(client: TestClient) -> None:
    reply = client.post("/register", data=form_of(SPARSE))
    assert reply.status_code == 200
    assert not _claims_a_mail(reply.text) and "尚未配置邮件服务器" not in reply.text


def test_without_a_mail_server_the_claim_answer_promises_no_mail(client: TestClient) -> None:
    client.post("/register", data=form_of(HANGZHOU))
    answer = client.post("/register/claim", data={"credit_code": HANGZHOU["credit_code"]})
    assert answer.status_code == 200
    assert not _claims_a_mail(answer.text) and "无法通过邮件找回管理链接" in answer.text


def test_with_a_mail_server_the_pages_name_the_mails_sent(
    make_client: Callable[..., TestClient], smtp_settings: Settings, mailbox: Mailbox
) -> None:
    client = make_client(smtp_settings)
    reply = client.post("/register", data=form_of(HANGZHOU))
    assert "我们已向 finance@hz-example.com 发送确认邮件" in reply.text
    assert "尚未配置邮件服务器" not in reply.text
    assert mailbox.recipients == [["finance@hz-example.com"]], "the page tells the truth: one mail went out"
    confirm = re.search(r"http://testserver(/confirm/\d+/\w+)", mailbox.text()).group(1)  # type: ignore[union-attr]
    assert client.post(confirm).status_code == 200
    link = management_link(reply.text)
    rotated = client.post(link.split("?")[0].removeprefix("http://testserver") + "/token")
    assert "我们也会把链接发送到 finance@hz-example.com" in rotated.text
    assert management_link(rotated.text) in mailbox.text(1)
    claim = client.post("/register/claim", data={"credit_code": HANGZHOU["credit_code"]})
    assert "已把找回管理链接的邮件发到" in claim.text
