"""The company's read-only view link: what reminders, test messages and calendar events link to.

    GET  /v/{id}?token=…               verdicts, deadlines, reasons and quotes; changes nothing
    GET  /v/{id}/calendar.ics?token=…  the same iCalendar feed as the management one
    POST /c/{id}/view-link             a new view link (management token required); old ones stop working

The view token (``notify.links.view_token``) is derived from the company's ``view_salt`` and the signing
key, never from the management token. No cookie is set: a phone, a chat app's browser or a mail client
opens the link as it is. A wrong token and a missing company give the same 403.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from markupsafe import escape

from reminder.db.models import Company
from reminder.matching import company_verdicts
from reminder.matching.company_view import Shared
from reminder.notify.links import new_view_salt, verify_view_token, view_calendar_url
from reminder.web.company import ical
from reminder.web.company.common import NO_STORE, render, request_now
from reminder.web.company.facts import sort_choice, sort_links
from reminder.web.company.output_cache import cached_output, notice_parts, result_fragments
from reminder.web.company.verdict_html import DETAIL_ALL, sections_html
from reminder.web.company.views import sections
from reminder.web.deps import CompanyDep, IdPath, SessionDep, SettingsDep

__all__ = ["router", "VIEW_DENIED", "verdict_context", "render_page"]

log = logging.getLogger(__name__)


#: what the page says for a missing or a wrong view token
VIEW_DENIED: dict[int, str] = {
    401: "链接不完整：缺少查看令牌。请从提醒消息中重新打开完整链接。",
    403: "查看链接无效或已失效（企业可能已生成新的查看链接）。",
}


class ViewDenied(HTTPException):
    """A missing (401) or wrong (403) view token."""


def require_view(
    company_id: IdPath, session: SessionDep, settings: SettingsDep, token: Annotated[str, Query()] = ""
) -> Company:
    """The company whose current view token the query carries."""
    if not token:
        raise ViewDenied(401)
    company = session.get(Company, company_id)
    if company is None or not verify_view_token(company_id, company.view_salt, token, settings):
        raise ViewDenied(403)
    return company


ViewDep = Annotated[Company, Depends(require_view)]


def denied_page(request: Request, exc: ViewDenied) -> Response:
    """The Chinese page for a bad view link (same status, no data)."""
    context = {"message": VIEW_DENIED.get(exc.status_code, VIEW_DENIED[403]), "view_link": True}
    return render(request, "company/denied.html", context, status_code=exc.status_code, headers=NO_STORE)


class ViewRoute(APIRoute):
    """A view-link route: kept out of the OpenAPI schema; a bad token is a Chinese page."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["include_in_schema"] = False
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def view_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except ViewDenied as exc:
                return denied_page(request, exc)

        return view_handler


def verdict_context(
    company: Company, request: Request, session: SessionDep, *, read_only: bool = False
) -> dict[str, Any]:
    """What the management page and the read-only view both show: open notices grouped by verdict, and
    past ones (one reading, so the two pages never disagree), as ``verdicts`` (markup).

    ``?sort=benefit``: largest benefit first in each group; ``?detail=all``: not eligible notices with
    every condition too (by default only the first unmet one: they are most of a long list).
    """
    assert company.id is not None
    now = request_now(request)
    sort = sort_choice(request.query_params.get("sort"))
    detail_all = request.query_params.get("detail") == DETAIL_ALL
    # the link keeps the view link's token (the one valid for this company: the kept page may carry it)
    # and the order as chosen (what the cache keys), nothing else of the query
    kept = {"token": request.query_params["token"]} if "token" in request.query_params else {}
    if "sort" in request.query_params:
        kept["sort"] = sort
    detail_href = str(escape("?" + urlencode({**kept, "detail": DETAIL_ALL})))

    def fresh(shared: Shared) -> bytes:
        found = company_verdicts(
            session=session, company_id=company.id or 0, now=now, include_past=True, shared=shared
        )
        return sections_html(
            sections(found, benefit=sort == "benefit"),
            found.views(found.closed()),
            company_id=company.id or 0,
            read_only=read_only,
            detail_all=detail_all,
            parts=notice_parts(request, shared.version),
            fragments=result_fragments(request),
            detail_href=detail_href,
        )

    body = cached_output(request, session, company, now, ("page", sort, read_only, detail_all), fresh)
    return {
        "company": company,
        "verdicts": _Verdicts(body),
        "sort_links": sort_links(request.query_params, sort),
    }


#: where page.html's ``{{ verdicts }}`` renders: a comment, which escaped text never contains
_SLOT = b"<!--verdicts-->"


class _Verdicts:
    """The rendered sections as page.html's ``verdicts``: the page is rendered around a slot and the
    section bytes are put in it (decoding and re-encoding 2 MB of Chinese text cost 10 ms a page)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __html__(self) -> str:
        return _SLOT.decode()


def render_page(request: Request, context: dict[str, Any]) -> Response:
    """company/page.html with ``verdict_context``'s sections in place (not kept by browsers)."""
    page = render(request, "company/page.html", context, headers=NO_STORE)
    verdicts, shell = context["verdicts"], bytes(page.body)
    assert isinstance(verdicts, _Verdicts) and shell.count(_SLOT) == 1
    response = Response(shell.replace(_SLOT, verdicts.body), status_code=page.status_code)
    kept = [(k, v) for k, v in page.raw_headers if k != b"content-length"]
    response.raw_headers = [*kept, (b"content-length", str(len(response.body)).encode())]
    return response


router = APIRouter(route_class=ViewRoute)


@router.get("/v/{company_id}", response_class=HTMLResponse)
def view_page(company: ViewDep, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The company's open notices grouped by verdict and its past notices, read-only."""
    assert company.id is not None
    context = {
        **verdict_context(company, request, session, read_only=True),
        "read_only": True,
        "calendar_link": view_calendar_url(company.id, company.view_salt, settings),
    }
    return render_page(request, context)


@router.get("/v/{company_id}/calendar.ics", response_class=Response)
def view_calendar(company: ViewDep, session: SessionDep, settings: SettingsDep, request: Request) -> Response:
    """The iCalendar feed, opened with the view token."""
    return ical.calendar_feed(company, session, settings, request)


@router.post("/c/{company_id}/view-link")
def rotate_view_link(company: CompanyDep, session: SessionDep) -> Response:
    """A new view link: links in earlier messages and calendar events stop working."""
    company.view_salt = new_view_salt()
    session.add(company)
    session.commit()
    log.info("company %s rotated its view link", company.id)
    return RedirectResponse(f"/c/{company.id}?msg=view_rotated#view-link", status_code=303)
