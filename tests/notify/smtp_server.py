"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it accepts and can refuse on demand."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "reminder-bot", "s3cr3t-密码-Pa55"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    login: str | None
    tls: bool
    #: MAIL FROM parameters, e.g. ["BODY=8BITMIME"]
    mail_options: list[str] = field(default_factory=list)


@dataclass
class Mailbox:
    messages: list[Received] = field(default_factory=list)
    #: address → SMTP reply to RCPT TO (e.g. "550 5.1.1 no such user")
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or b"",
                login,
                tls,
                list(envelope.mail_options),
            )
        )
        return "250 2.0.0 accepted"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(
    mode: str = "none", *, auth: bool = False, tls: ssl.SSLContext | None = None
) -> Iterator[tuple[Mailbox, int]]:
    """Run a server: mode "none" (plain), "starttls" (STARTTLS required) or "ssl" (implicit TLS)."""
    box = Mailbox()
    kwargs: dict[str, Any] = {}
    if auth:
        kwargs.update(
            authenticator=_authenticate, auth_required=True, auth_require_tls=mode == "starttls"
        )  # aiosmtpd cannot see implicit TLS
    if mode == "starttls":
        kwargs.update(tls_context=tls, require_starttls=True)
    if mode == "ssl":
        kwargs.update(ssl_context=tls)
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, server_hostname="127.0.0.1", **kwargs)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
