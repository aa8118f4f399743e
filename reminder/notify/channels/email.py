"""Email over SMTP: multipart text + HTML, deterministic Message-ID, one-click unsubscribe (RFC 8058).

Settings (environment ``REMINDER_SMTP_*``): host, port, security ("starttls", "ssl" or "none"),
username/password (login only when a username is set; the password is never logged), ``mail_from``.
The Message-ID is ``<{message.id}@{domain of mail_from}>``, the same on every retry, so mail systems
and people can recognise repeats. SMTP reply codes go into ``SendResult.status_code``: 4xx and
connection failures are transient, 5xx permanent.

Headers fold at 76 characters with encoded-words of at most 75 (RFC 2047 §2); ``List-Unsubscribe``
is never encoded nor folded (RFC 8058 needs the bare ``<https://…>``; RFC 5322 allows 998 characters).
Parts go as 8-bit with ``BODY=8BITMIME`` when the server offers it (RFC 6152), else
quoted-printable.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import email.utils
import functools
import hashlib
import logging
import re
import smtplib
import ssl
import time
from dataclasses import replace
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any, ClassVar

from reminder.config import Settings
from reminder.errors import DeliveryError
from reminder.notify.base import Message, SendResult
from reminder.notify.ratelimit import Limit

__all__ = ["EmailChannel", "check_address", "SECURITY_MODES"]

log = logging.getLogger(__name__)

SECURITY_MODES: tuple[str, ...] = ("starttls", "ssl", "none")
#: an ASCII address (no SMTPUTF8): local part @ dotted domain
_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_MSGID_LEFT = re.compile(r"[A-Za-z0-9._+\-]{1,100}")
#: RFC 2047 §2: a line holding encoded-words is at most 76 characters
_FOLD_AT = 76


class _MailPolicy(email.policy.EmailPolicy):
    """``email.policy.SMTP`` folding at 76, with two headers folded by hand.

    ``Subject`` goes through :class:`email.header.Header`, which keeps the spaces the standard
    folder drops between encoded-words; ``List-Unsubscribe`` is ASCII and must stay a bare URL,
    which the standard folder would turn into encoded-words once it is longer than a line.
    """

    def fold(self, name: str, value: Any) -> str:
        lowered = name.lower()
        if lowered == "subject":
            return f"{name}: {Header(str(value), 'utf-8', _FOLD_AT, name).encode(linesep=self.linesep)}{self.linesep}"
        if lowered == "list-unsubscribe":  # one line (RFC 5322 allows 998): parsers keep a folded URL's space
            return f"{name}: {value}{self.linesep}"
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in ("subject", "list-unsubscribe"):
            return self.fold(name, value).encode("ascii")
        return bytes(super().fold_binary(name, value))


_POLICY = _MailPolicy(linesep="\r\n", max_line_length=_FOLD_AT)


def check_address(address: str) -> None:
    """Refuse anything but one plain ASCII email address.

    Raises:
        DeliveryError: with what is wrong, bilingual.
    """
    value = address.strip()
    if len(value) > 254 or not _ADDRESS.fullmatch(value) or ".." in value or value.startswith("."):
        raise DeliveryError(
            f"邮箱地址格式不正确：{value!r}，请填写一个地址，如 finance@example.com / "
            f"not a valid email address: {value!r} (one address, e.g. finance@example.com)"
        )


@functools.cache
def _default_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one loads the CA store (~150 ms)."""
    return ssl.create_default_context()


class EmailChannel:
    """Send one message as one email to one address."""

    kind: str = "email"
    service_name: ClassVar[str] = "电子邮件"
    service_url: ClassVar[str] = "https://www.rfc-editor.org/rfc/rfc8058"
    url_shape: ClassVar[str] = "name@example.com"
    help_text: ClassVar[str] = "邮箱地址，如 finance@example.com；不需要密钥"
    body_maxlen: ClassVar[int | None] = None
    rate_limits: ClassVar[tuple[Limit, ...]] = ()
    secret_use: ClassVar[str] = "unused"

    def __init__(
        self,
        target: str,
        secret: str | None,
        settings: Settings,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        check_address(target)
        if not settings.smtp_host:
            raise DeliveryError(
                "未配置邮件服务器（REMINDER_SMTP_HOST），无法发送邮件 / SMTP is not configured (REMINDER_SMTP_HOST)"
            )
        if settings.smtp_security not in SECURITY_MODES:
            raise DeliveryError(
                f"REMINDER_SMTP_SECURITY 应为 {', '.join(SECURITY_MODES)}，而不是 {settings.smtp_security!r} / "
                f"smtp_security must be one of {', '.join(SECURITY_MODES)}"
            )
        self.target = target.strip()
        self.settings = settings
        self._ssl_context = ssl_context
        self._sender_name, self._sender = email.utils.parseaddr(settings.mail_from)
        if "@" not in self._sender:
            raise DeliveryError(
                f"REMINDER_MAIL_FROM 不是有效的发件地址：{settings.mail_from!r} / invalid mail_from"
            )

    def __repr__(self) -> str:
        return f"<EmailChannel {self.target}>"

    @property
    def domain(self) -> str:
        """The sender's domain, used in Message-IDs and EHLO."""
        return self._sender.rsplit("@", 1)[1].lower()

    def message_id(self, message: Message) -> str:
        """``<{message.id}@{domain}>``; an id with unusual characters is replaced by its hash."""
        left = (
            message.id
            if _MSGID_LEFT.fullmatch(message.id)
            else hashlib.sha256(message.id.encode()).hexdigest()[:32]
        )
        return f"<{left}@{self.domain}>"

    def build_email(self, message: Message, *, eight_bit: bool = True) -> EmailMessage:
        """The email for ``message``: headers, a text part and (when present) an HTML part.

        Args:
            message: the rendered message.
            eight_bit: parts as 8-bit UTF-8 (the server offers 8BITMIME), else quoted-printable.
        """
        mail = EmailMessage(policy=_POLICY)
        mail["From"] = (
            Address(self._sender_name, addr_spec=self._sender) if self._sender_name else self._sender
        )
        mail["To"] = self.target
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.format_datetime(dt.datetime.now(dt.UTC))
        mail["Message-ID"] = self.message_id(message)
        mail["Auto-Submitted"] = "auto-generated"
        if message.unsubscribe_url:
            mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        cte = "8bit" if eight_bit else "quoted-printable"
        mail.set_content(message.text, subtype="plain", charset="utf-8", cte=cte)
        if message.html:
            mail.add_alternative(message.html, subtype="html", charset="utf-8", cte=cte)
        return mail

    def send(self, message: Message) -> SendResult:
        """Deliver ``message`` once; never raises for the server's failure."""
        started = time.perf_counter()
        result = self._attempt(message)
        result = replace(result, latency_ms=(time.perf_counter() - started) * 1000)
        log.info(
            "email %s → %s (%s, %.0f ms)%s",
            message.id,
            self.target,
            result.status_code,
            result.latency_ms,
            "" if result.ok else f": {result.error}",
        )
        return result

    def _attempt(self, message: Message) -> SendResult:
        try:
            with self._connect() as smtp:
                smtp.ehlo_or_helo_if_needed()
                eight_bit = smtp.has_extn("8bitmime")
                mail = self.build_email(message, eight_bit=eight_bit)
                options = ["BODY=8BITMIME"] if eight_bit else []
                smtp.send_message(mail, from_addr=self._sender, to_addrs=[self.target], mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (550, b""))
            return _coded(code, reply, "收件地址被拒绝 / recipient refused")
        except smtplib.SMTPAuthenticationError as exc:
            return _coded(
                exc.smtp_code,
                exc.smtp_error,
                "邮件服务器登录失败，请检查 SMTP 用户名和密码 / SMTP login failed",
            )
        except smtplib.SMTPResponseException as exc:
            return _coded(exc.smtp_code, exc.smtp_error, "邮件服务器拒绝 / SMTP server refused")
        except smtplib.SMTPNotSupportedError as exc:
            return SendResult(
                ok=False,
                permanent=True,
                error=f"邮件服务器不支持所需功能 / SMTP server lacks a feature: {exc}",
            )
        except (smtplib.SMTPException, OSError) as exc:  # connection refused, timeout, TLS failure
            return SendResult(
                ok=False,
                error=f"无法连接邮件服务器 / cannot reach the SMTP server: {type(exc).__name__}: {exc}",
            )
        return SendResult(ok=True, status_code=250)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host is not None
        smtp: smtplib.SMTP
        if s.smtp_security == "ssl":
            context = self._ssl_context or _default_context()
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, local_hostname=self.domain, timeout=s.smtp_timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, local_hostname=self.domain, timeout=s.smtp_timeout)
        try:
            if s.smtp_security == "starttls":
                smtp.starttls(context=self._ssl_context or _default_context())
            if s.smtp_username:
                _login(smtp, s.smtp_username, s.smtp_password.get_secret_value() if s.smtp_password else "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; UTF-8 credentials (which ``smtplib.login`` cannot encode) go as AUTH PLAIN (RFC 4616)."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError(
            "非 ASCII 的 SMTP 用户名或密码需要服务器支持 AUTH PLAIN / UTF-8 credentials need AUTH PLAIN"
        )
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _coded(code: int, reply: bytes | str, what: str) -> SendResult:
    text = reply.decode("utf-8", errors="replace") if isinstance(reply, bytes) else str(reply)
    return SendResult(
        ok=False,
        status_code=code,
        permanent=500 <= code < 600,
        error=f"{what}：SMTP {code} {' '.join(text.split())[:200]}",
    )
