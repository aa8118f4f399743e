"""Edge middleware: security headers on every response, and forwarded headers from trusted proxies.

    request ─ ProxyHeadersMiddleware (uvicorn's; only peers in settings.forwarded_allow_ips) ─┐
              scheme and client address as the proxy saw them, so cookies get ``Secure``      │
              behind a TLS proxy and rate limits count real clients                            │
            ─ BodyLimit (reminder.web.bodylimit): body sizes counted while they stream in      │
    response ◀ SecurityHeaders: CSP (no inline script), frame-ancestors + X-Frame-Options, ◀──┘
               X-Content-Type-Options, Referrer-Policy (a page's own stricter value is kept),
               HSTS when the original scheme was https

Pure ASGI (not ``BaseHTTPMiddleware``): streaming responses and context variables pass through
untouched. Issue 16, items 5 and 6.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from reminder.config import Settings
from reminder.web.bodylimit import BodyLimit

__all__ = ["CSP", "SECURITY_HEADERS", "SecurityHeaders", "with_edge_middleware"]

#: scripts only from this site (static files, the offline Swagger UI), never inline; no framing
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Swagger UI sets style attributes; scripts stay strict
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: added to every response unless the endpoint set its own value
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` (and HSTS over https) to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = (*SECURITY_HEADERS, _HSTS) if scope.get("scheme") == "https" else SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {bytes(name).lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_edge_middleware(app: Any, settings: Settings) -> None:
    """Install the edge middleware on a FastAPI app (call last: the proxy headers must be outermost)."""
    app.add_middleware(BodyLimit, upload_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)
    if settings.forwarded_allow_ips:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.forwarded_allow_ips))
