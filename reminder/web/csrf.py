"""Cross-site request forgery: strict Origin checks on every state-changing request (issue 16, item 16).

SameSite cookies alone let a form posted from another site through in some browsers and set-ups. A
POST/PUT/PATCH/DELETE from a browser carries ``Sec-Fetch-Site`` (current browsers): only ``same-origin``
(or ``none``, typed by the user) passes. Without it, ``Origin`` (or at least ``Referer``) must name this
site: the request's own origin or ``base_url``'s; ``Origin: null`` is refused (a page under
``Referrer-Policy: no-referrer`` makes browsers send ``null`` even for its own forms, which is why
``Sec-Fetch-Site`` comes first). Requests with neither header come from programs, not browsers, and carry no
ambient cookie of a victim, so they pass; so do ``Authorization`` bearers (never sent automatically)
and RFC 8058 one-click unsubscribes, which mail providers post from their own servers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

__all__ = ["OriginCheckMiddleware", "CSRF_MESSAGE"]

CSRF_MESSAGE = "请求来源无效（跨站提交已拒绝），请从本站页面重新提交 / cross-site request refused"
_SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
_EXEMPT_PREFIXES = ("/unsubscribe/",)

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port and port != default else "")


def _own_origins(scope: Scope, headers: dict[str, str], base_url: str) -> set[str]:
    own = {_origin_of(base_url)}
    host = headers.get("host")
    if host:
        own.add(_origin_of(f"{scope.get('scheme', 'http')}://{host}"))
    return {o for o in own if o}


class OriginCheckMiddleware:
    """403 for a state-changing browser request whose Origin (or Referer) is not this site."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") in _SAFE
            or str(scope.get("path", "")).startswith(_EXEMPT_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if headers.get("authorization"):
            await self.app(scope, receive, send)
            return
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None:  # the browser says where the request comes from: believe only same-origin
            if fetch_site.strip().lower() in ("same-origin", "none"):
                await self.app(scope, receive, send)
            else:
                await _refuse(send)
            return
        claimed = headers.get("origin")
        if claimed is None and headers.get("referer"):
            claimed = _origin_of(headers["referer"]) or "null"
        if claimed is not None:
            base_url = str(getattr(scope["app"].state.settings, "base_url", ""))
            if claimed.strip().lower() == "null" or _origin_of(claimed) not in _own_origins(
                scope, headers, base_url
            ):
                await _refuse(send)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Callable[[Any], Awaitable[None]]) -> None:
    body = json.dumps({"detail": CSRF_MESSAGE}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
