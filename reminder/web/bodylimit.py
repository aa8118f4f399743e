"""Request-size limits enforced while the body streams in, before anything is parsed or written.

    Content-Length over the limit ─────────────── 413 at once, the body never read
    chunked / lying Content-Length ─ count bytes ─ past the limit: the app is stopped, 413

Upload routes (``UPLOAD_PATHS``) may take ``settings.max_request_bytes`` (all files and text of one
request); every other route ``SMALL_BODY_BYTES`` (forms and JSON are small). A 400 MB body used to be
accepted whole before any check (issue 16, item 11). HTML routes get a Chinese page, the API JSON.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["UPLOAD_PATHS", "SMALL_BODY_BYTES", "BodyLimit", "too_large_message"]

#: routes that take uploads or pasted notices
UPLOAD_PATHS: frozenset[str] = frozenset({"/admin/ingest", "/api/admin/ingest"})
#: the largest body of any other route (profiles, channels, corrections)
SMALL_BODY_BYTES = 2 * 2**20


def too_large_message(limit: int) -> str:
    """The Chinese (and English) refusal for a body over ``limit`` bytes."""
    mb = limit / 2**20
    return f"提交的内容过大（上限 {mb:g} MB），请拆分后分批上传 / request body too large (limit {mb:g} MB)"


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over the route's limit, counting bytes as they arrive."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, small_bytes: int = SMALL_BODY_BYTES) -> None:
        self.app, self.upload_bytes, self.small_bytes = app, upload_bytes, small_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.upload_bytes if path.rstrip("/") in UPLOAD_PATHS else self.small_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        seen = 0
        over = replied = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            if over:  # the app keeps reading after the refusal: the client is gone as far as it knows
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal replied
            if not over:
                await send(message)
            elif not replied and message["type"] == "http.response.start":
                replied = True  # the app turned the refusal into its own error (FastAPI: 400): answer 413
                await _refuse(scope, send, limit)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        if over and not replied:
            await _refuse(scope, send, limit)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    message = too_large_message(limit)
    if str(scope.get("path", "")).startswith("/api/"):
        body = json.dumps({"detail": message}, ensure_ascii=False).encode()
        ctype = b"application/json"
    else:
        page = f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>内容过大</title><p role="alert">{message}</p></html>'
        body, ctype = page.encode(), b"text/html; charset=utf-8"
    headers = [
        (b"content-type", ctype),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
