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
from urllib.parse import quote, urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from reminder.calendar import TZ
from reminder.config import Settings
from reminder.db.models import utcnow
from reminder.fields import field_label, op_label
from reminder.notify.channels import channel_labels
from reminder.web.admin.sessions import SESSION_COOKIE, sessions_of
from reminder.web.company.views import kind_label
from reminder.web.dates import zh_local
from reminder.web.deps import MAX_ID, IdPath, SettingsDep
from reminder.web.throttle import record_failure

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


def local_time(value: dt.datetime | dt.date | None) -> str:
    """An instant or a day in Chinese form (2025年3月11日 周二 17:00, Beijing time); None as empty."""
    return zh_local(value)


def channel_label(kind: str) -> str:
    """``dingtalk`` → 钉钉群机器人 (the channel class's own label)."""
    return channel_labels().get(kind, kind)


templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
# the templates ship with the package: no stat of each template file on every render (a restart
# picks up an edited template)
templates.env.auto_reload = False
# Chinese labels come from the registries: fields and operators from fields.yaml, channels from CHANNELS
templates.env.filters.update(
    local=local_time,
    field_label=field_label,
    op_label=op_label,
    kind_label=kind_label,
    channel_label=channel_label,
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
    """Start a server-side session for ``operator``: the cookie holds its id, never the admin token."""
    sid = sessions_of(request.app).create(operator, token, request_now(request))
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, sid, path=_PATH, httponly=True, samesite="strict", secure=secure)
    response.delete_cookie(COOKIE, path=_PATH)  # the raw-token cookie of older versions


def clear_login_cookies(response: Response, request: Request, *, everywhere: bool = False) -> None:
    """End this session (or every session), and drop the cookies."""
    store = sessions_of(request.app)
    if everywhere:
        store.revoke_all()
    else:
        store.revoke(request.cookies.get(SESSION_COOKIE))
    for name in (SESSION_COOKIE, COOKIE, OPERATOR_COOKIE):
        response.delete_cookie(name, path=_PATH)


def operator_name(request: Request) -> str:
    """Who is signed in, as typed at login ("admin" when not given or not known)."""
    name: str = getattr(request.state, "admin_operator", "") or ""
    return name.strip()[:100] or "admin"


def _login_redirect(request: Request, *, error: bool) -> HTTPException:
    target = quote(request.url.path, safe="/")
    location = f"/admin/login?next={target}" + ("&error=invalid" if error else "")
    headers = {"Location": location, "Cache-Control": "no-store"}
    if error:
        headers["Set-Cookie"] = f"{SESSION_COOKIE}=; Max-Age=0; Path={_PATH}; HttpOnly; SameSite=strict"
    return HTTPException(303, "需要登录 / sign in first", headers=headers)


def require_admin_page(request: Request, settings: SettingsDep) -> None:
    """Pages: a live session cookie, or a Bearer admin token. A ``?token=`` link signs in and redirects to
    the same address without the token; a wrong token → the login form saying so (counted as a failure)."""
    expected = settings.admin_token.get_secret_value() if settings.admin_token else ""
    linked = request.query_params.get("token")
    if linked is not None:
        if not token_ok(linked, settings):
            record_failure(request)
            raise _login_redirect(request, error=True)
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
        location = request.url.path + (f"?{query}" if query else "")
        redirect = RedirectResponse(location, status_code=303)
        set_login_cookies(redirect, request, linked, "admin")
        cookie = next(v for v in redirect.headers.getlist("set-cookie") if v.startswith(SESSION_COOKIE + "="))
        raise HTTPException(
            303,
            "已登录 / signed in",
            headers={"Location": location, "Set-Cookie": cookie, "Cache-Control": "no-store"},
        )
    session = sessions_of(request.app).get(
        request.cookies.get(SESSION_COOKIE), expected, request_now(request)
    )
    if session is not None and expected:
        request.state.admin_operator = session.operator
        return
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        if token_ok(auth[7:].strip(), settings):
            return
        record_failure(request)
        raise _login_redirect(request, error=True)
    raise _login_redirect(request, error=False)


AdminPage = Annotated[None, Depends(require_admin_page)]
