"""What the enterprise pages share: templates, the clock, the token cookie, forms, HTML error pages.

The token cookie is scoped to ``/c/{company_id}`` (HttpOnly, SameSite=Lax, Secure over https), so a
browser sends it only to that company's pages, never to other companies or to the public pages.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from reminder.calendar import TZ
from reminder.db.models import utcnow
from reminder.rules import manual_item_zh
from reminder.web.company.facts import facts_of, safe_url
from reminder.web.company.forms import field_anchor
from reminder.web.company.views import (
    days_left_text,
    deadline_text,
    kind_label,
    simplified_title,
    status_label,
)
from reminder.web.dates import zh_local

__all__ = [
    "TZ",
    "templates",
    "request_now",
    "render",
    "set_token_cookie",
    "local_time",
    "NO_STORE",
    "PageRoute",
    "FLASH",
    "flash_messages",
    "read_form",
    "FormDep",
]

log = logging.getLogger(__name__)

#: headers for pages that show a token: never cached, never sent on as a referrer
NO_STORE: dict[str, str] = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def local_time(value: dt.datetime | dt.date | None) -> str:
    """An instant or a day in Chinese form (2025年3月11日 周二 17:00, Beijing time); None as empty."""
    return zh_local(value)


def _demo_day(request: Request) -> dict[str, Any]:
    """``as_of``: the day a demo server pretends it is (``reminder serve --as-of``), else None."""
    return {"as_of": getattr(request.app.state, "as_of", None)}


templates = Jinja2Templates(
    directory=Path(__file__).parent.parent / "templates", context_processors=[_demo_day]
)
# the templates ship with the package: no stat of each template file on every render (a restart
# picks up an edited template)
templates.env.auto_reload = False
templates.env.filters.update(
    local=local_time,
    status_label=status_label,
    kind_label=kind_label,
    deadline_text=deadline_text,
    days_left_text=days_left_text,
    field_anchor=field_anchor,
    manual_item=manual_item_zh,
    simplified=simplified_title,
    facts=facts_of,
    safe_url=safe_url,
)


def request_now(request: Request) -> dt.datetime:
    """The current instant for this request: ``app.state.clock()`` when set (tests, demos), else now."""
    clock: Callable[[], dt.datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render one of ``templates/*.html`` with ``now`` in the context."""
    context.setdefault("now", request_now(request))
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def set_token_cookie(response: Response, request: Request, company_id: int, token: str) -> None:
    """Keep the company's token in an HttpOnly cookie valid only under ``/c/{company_id}``."""
    response.set_cookie(
        "token",
        token,
        max_age=400 * 24 * 3600,
        path=f"/c/{company_id}",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


#: ?msg= key → the message shown on top of a page after a redirect
FLASH: dict[str, str] = {
    "saved": "已保存，匹配结果已更新。",
    "settings": "提醒设置已保存。",
    "added": "通知渠道已添加。",
    "removed": "通知渠道已删除。",
    "view_rotated": "已生成新的查看链接，旧的查看链接已失效。",
}


def flash_messages(request: Request) -> list[str]:
    """The message a redirect asked for with ``?msg=``."""
    key = request.query_params.get("msg")
    return [FLASH[key]] if key in FLASH else []


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's text fields (files are ignored); lets routes that use the database stay sync."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(read_form)]


_DENIED = {
    401: "缺少管理链接中的令牌。",
    403: "管理链接无效或已失效（可能已生成新链接）。",
    404: "页面不存在。",
    429: "操作过于频繁，请稍后再试。",
}


class PageRoute(APIRoute):
    """An HTML page route: kept out of the OpenAPI schema, and its 401/403/404 are pages in Chinese
    instead of JSON (same status, no data)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["include_in_schema"] = False
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as exc:
                if exc.status_code not in _DENIED:
                    raise
                context = {"message": _DENIED[exc.status_code]}
                return render(
                    request, "company/denied.html", context, status_code=exc.status_code, headers=exc.headers
                )

        return page_handler
