"""Email against a real SMTP server (aiosmtpd on 127.0.0.1): plain, STARTTLS and SSL, with login."""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from notify_payloads import payload
from notify_tls import LocalCA, make_ca
from smtp_server import PASSWORD, USER, free_port, smtp_server

from reminder.config import Settings
from reminder.notify.base import Message
from reminder.notify.channels import build_channel
from reminder.notify.channels.email import EmailChannel
from reminder.notify.render import render_message

UNSUBSCRIBE = "https://reminder.example.cn/unsubscribe/3/0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return make_ca(tmp_path_factory.mktemp("tls"))


def mail_settings(
    port: int, security: str = "none", *, login: bool = False, password: str = PASSWORD
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=security,
        smtp_timeout=5.0,
        smtp_username=USER if login else None,
        smtp_password=password if login else None,
        mail_from="申报提醒 <reminder@example.cn>",
    )


def message(message_id: str = "rem_42", unsubscribe_url: str | None = UNSUBSCRIBE) -> Message:
    return render_message(
        "before",
        payload(),
        message_id=message_id,
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        unsubscribe_url=unsubscribe_url,
    )


def parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.fixture
def plain() -> Iterator[tuple[object, int]]:
    with smtp_server("none") as server:
        yield server


def test_email_headers_parts_and_unsubscribe(plain: tuple) -> None:  # type: ignore[type-arg]
    box, port = plain
    result = build_channel("email", "finance@example.com", None, mail_settings(port)).send(message())
    assert (result.ok, result.status_code, result.error) == (True, 250, None)

    (got,) = box.messages
    assert got.mail_from == "reminder@example.cn" and got.rcpt_tos == ["finance@example.com"]
    assert "BODY=8BITMIME" in got.mail_options  # 8-bit parts, announced (RFC 6152)
    mail = parse(got.content)
    assert mail["Message-ID"] == "<rem_42@example.cn>"
    assert mail["Subject"] == "【申报提醒】还剩 3 天：关于组织申报2025年度高新技术企业认定的通知"
    assert b"=?utf-8?" in got.content.split(b"\r\n\r\n", 1)[0].lower()  # encoded on the wire (RFC 2047)
    assert mail["From"].addresses[0].display_name == "申报提醒"
    assert mail["To"] == "finance@example.com"
    assert mail["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Date"]
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    assert "2025年3月10日（周一）16:00" in text.get_content() and UNSUBSCRIBE in text.get_content()
    assert "<strong>2025年3月10日（周一）16:00</strong>" in html.get_content()
    assert got.login is None and not got.tls


def test_a_retry_carries_the_same_message_id(plain: tuple) -> None:  # type: ignore[type-arg]
    box, port = plain
    channel = build_channel("email", "finance@example.com", None, mail_settings(port))
    assert channel.send(message("rem_7")).ok and channel.send(message("rem_7")).ok
    ids = [parse(m.content)["Message-ID"] for m in box.messages]
    assert ids == ["<rem_7@example.cn>", "<rem_7@example.cn>"]


def test_no_unsubscribe_headers_without_a_link(plain: tuple) -> None:  # type: ignore[type-arg]
    box, port = plain
    build_channel("email", "finance@example.com", None, mail_settings(port)).send(
        message(unsubscribe_url=None)
    )
    mail = parse(box.messages[0].content)
    assert mail["List-Unsubscribe"] is None and mail["List-Unsubscribe-Post"] is None


def test_text_only_message_is_a_single_part(plain: tuple) -> None:  # type: ignore[type-arg]
    box, port = plain
    msg = Message(id="rem_t", subject="测试", text="只有文本", markdown="只有文本")
    assert build_channel("email", "finance@example.com", None, mail_settings(port)).send(msg).ok
    mail = parse(box.messages[0].content)
    assert mail.get_content_type() == "text/plain" and mail.get_content().strip() == "只有文本"


def test_unusual_message_id_is_hashed_into_a_valid_one(plain: tuple) -> None:  # type: ignore[type-arg]
    _, port = plain
    channel = EmailChannel("finance@example.com", None, mail_settings(port))
    weird = channel.message_id(Message(id="rem 1/<x>", subject="s", text="t", markdown="t"))
    assert (
        weird.startswith("<")
        and weird.endswith("@example.cn>")
        and " " not in weird
        and weird.count("<") == 1
    )


@pytest.mark.parametrize(
    ("reply", "permanent"), [("550 5.1.1 no such user", True), ("450 4.2.1 mailbox busy", False)]
)
def test_refused_recipient(plain: tuple, reply: str, permanent: bool) -> None:  # type: ignore[type-arg]
    box, port = plain
    box.refuse["gone@example.com"] = reply
    result = build_channel("email", "gone@example.com", None, mail_settings(port)).send(message())
    assert (result.ok, result.status_code, result.permanent) == (False, int(reply[:3]), permanent)
    assert "收件地址被拒绝" in (result.error or "")
    assert box.messages == []


def test_unreachable_server_is_transient() -> None:
    result = build_channel("email", "finance@example.com", None, mail_settings(free_port())).send(message())
    assert (result.ok, result.status_code, result.permanent) == (False, None, False)
    assert "无法连接邮件服务器" in (result.error or "")


# ── TLS and login ──


def test_starttls_with_login(
    ca: LocalCA, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger="reminder")
    with smtp_server("starttls", auth=True, tls=ca.server_context()) as (box, port):
        channel = EmailChannel(
            "finance@example.com",
            None,
            mail_settings(port, "starttls", login=True),
            ssl_context=ca.client_context(),
        )
        result = channel.send(message())
    assert result.ok, result
    assert box.messages[0].tls and box.messages[0].login == USER
    assert parse(box.messages[0].content)["Subject"].startswith("【申报提醒】")
    reminder_logs = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("reminder"))
    assert "finance@example.com" in reminder_logs  # the send is logged…
    assert PASSWORD not in reminder_logs + capsys.readouterr().err  # …the password never


# aiosmtpd cannot tell that an implicit-TLS connection is encrypted, so it must be told not to insist
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_ssl_with_login(ca: LocalCA) -> None:
    with smtp_server("ssl", auth=True, tls=ca.server_context()) as (box, port):
        channel = EmailChannel(
            "finance@example.com",
            None,
            mail_settings(port, "ssl", login=True),
            ssl_context=ca.client_context(),
        )
        result = channel.send(message())
    assert result.ok, result
    assert box.messages[0].tls and box.messages[0].login == USER


def test_wrong_password_is_permanent_and_not_echoed(ca: LocalCA, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="reminder")
    with smtp_server("starttls", auth=True, tls=ca.server_context()) as (box, port):
        channel = EmailChannel(
            "finance@example.com",
            None,
            mail_settings(port, "starttls", login=True, password="wrong-password"),
            ssl_context=ca.client_context(),
        )
        result = channel.send(message())
    assert (result.ok, result.status_code, result.permanent) == (False, 535, True)
    assert "登录失败" in (result.error or "")
    assert "wrong-password" not in (result.error or "") + caplog.text
    assert box.messages == []


def test_untrusted_certificate_is_refused(ca: LocalCA) -> None:
    """The default context verifies the server certificate: a self-signed server is not trusted."""
    with smtp_server("starttls", tls=ca.server_context()) as (box, port):
        result = build_channel("email", "finance@example.com", None, mail_settings(port, "starttls")).send(
            message()
        )
    assert not result.ok and not result.permanent
    assert "CERTIFICATE_VERIFY_FAILED" in (result.error or "")
    assert box.messages == []


def test_server_requiring_starttls_refuses_plain_mail(ca: LocalCA) -> None:
    with smtp_server("starttls", tls=ca.server_context()) as (box, port):
        result = build_channel("email", "finance@example.com", None, mail_settings(port, "none")).send(
            message()
        )
    assert not result.ok and result.status_code == 530
    assert box.messages == []
