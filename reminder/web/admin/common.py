"""What the operator pages share: templates, the clock, the admin cookie and the page guard.

The admin token travels in an HttpOnly, SameSite=Strict cookie scoped to ``/admin`` (so it is never
sent to enterprise pages, and never with a form posted from another site). Pages without a valid
token redirect to the login form; the JSON API answers 401/403 (see ``deps.require_admin``).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from reminder.calendar import TZ
from reminder.config import Settings
from reminder.db.models import utcnow
from reminder.fields import field_label, op_label
from reminder.notify.channels import channel_labels
from reminder.web.company.views import kind_label
from reminder.web.deps import MAX_ID, IdPath, SettingsDep, request_token

__all__ = [
    "TZ",
    "COOKIE",
    "OPERATOR_COOKIE",
    "templates",
    "request_now",
    "render",
    "token_ok",
    "set_login_cookies",
    "clear_login_cookies",
    "operator_name",
    "AdminPage",
    "local_time",
    "MAX_ID",
    "PathId",
]

#: the cookie that carries the admin token (the name deps.request_token reads)
COOKIE = "token"
#: who is at the keyboard, as typed at login: kept with every correction
OPERATOR_COOKIE = "operator"
_PATH = "/admin"
#: a row id in a URL path (≤ MAX_ID: a larger one is a 422, never a database error)
PathId = IdPath


def local_time(value: dt.datetime | dt.date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant shown in Asia/Shanghai; dates as they are; None as empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(TZ).strftime(fmt)
    return value.isoformat()


def channel_label(kind: str) -> str:
    """``dingtalk`` → 钉钉群机器人 (the channel class's own label)."""
    return channel_labels().get(kind, kind)


templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
# Chinese labels come from the registries: fields and operators from fields.yaml, channels from CHANNELS
templates.env.filters.update(
    local=local_time, field_label=field_label, op_label=op_label, kind_label=kind_label, channel_label=channel_label
)


def request_now(request: Request) -> dt.datetime:
    """Now for this request: ``app.state.clock()`` when a test or demo set one, else the real time."""
    clock: Callable[[], dt.datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    """Render ``templates/<name>`` with ``now`` and the operator's name in the context."""
    context.setdefault("now", request_now(request))
    context.setdefault("operator", operator_name(request))
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def token_ok(token: str | None, settings: Settings) -> bool:
    """Whether ``token`` is the configured admin token (constant-time; False when none is set)."""
    expected = settings.admin_token.get_secret_value() if settings.admin_token else ""
    return bool(token and expected) and hmac.compare_digest(str(token).encode(), expected.encode())


def set_login_cookies(response: Response, request: Request, token: str, operator: str) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, token, path=_PATH, httponly=True, samesite="strict", secure=secure)
    response.set_cookie(OPERATOR_COOKIE, quote(operator), path=_PATH, httponly=True, samesite="strict", secure=secure)


def clear_login_cookies(response: Response) -> None:
    response.delete_cookie(COOKIE, path=_PATH)
    response.delete_cookie(OPERATOR_COOKIE, path=_PATH)


def operator_name(request: Request) -> str:
    """Who is signed in, as typed at login ("admin" when not given)."""
    return unquote(request.cookies.get(OPERATOR_COOKIE, "")).strip()[:100] or "admin"


def require_admin_page(request: Request, settings: SettingsDep) -> None:
    """Pages: no token → the login form; a wrong one → the login form saying so (cookie dropped)."""
    token = request_token(request)
    if token_ok(token, settings):
        return
    target = quote(request.url.path, safe="/")
    location = f"/admin/login?next={target}" + ("&error=invalid" if token else "")
    headers = {"Location": location, "Cache-Control": "no-store"}
    if token:
        headers["Set-Cookie"] = f"{COOKIE}=; Max-Age=0; Path={_PATH}; HttpOnly; SameSite=strict"
    raise HTTPException(303, "需要登录 / sign in first", headers=headers)


AdminPage = Annotated[None, Depends(require_admin_page)]
