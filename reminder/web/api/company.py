"""The enterprise JSON API under ``/api/`` (OpenAPI at ``/docs``), authenticated by the company token.

    POST   /api/companies                          register → company + token (shown once)
    GET    /api/companies/{id}  PATCH              the profile and reminder preferences
    POST   /api/companies/{id}/token               rotate the token
    GET    /api/companies/{id}/matches             verdicts, deadlines, what is missing, quotes (?limit&offset)
    GET    /api/companies/{id}/channels  POST      notification channels (masked)
    DELETE /api/companies/{id}/channels/{cid}
    POST   /api/companies/{id}/channels/{cid}/test queue the test message → 202 with its id
    GET    /api/companies/{id}/tests/{tid}         that test send: queued, sending, sent or failed (the answer)
    GET    /api/notices  /api/notices/{id}         public: open notices, titles and deadlines only

Token as ``Authorization: Bearer …``. Missing → 401, wrong → 403, the same whether or not the company
exists; another company's channel id is a 404 like a missing one. Bad input → 422 with one entry
per field (``loc: ["body", field]``), messages in Chinese.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlmodel import Session

from reminder.companies.data_rights import export_company
from reminder.companies.profiles import company_warnings, register_company, update_company_profile
from reminder.config import Settings
from reminder.db.models import Company, CompanyPublic
from reminder.db.store import get_notice, list_conditions
from reminder.errors import DeliveryError, ProfileError
from reminder.matching import company_verdicts
from reminder.matching.company_view import Shared
from reminder.notify.links import company_url
from reminder.notify.test_sends import TestSend
from reminder.web.api.company_schemas import (
    ChannelIn,
    ChannelOut,
    CompanyPatch,
    CompanyRegistered,
    MatchOut,
    NoticeDetail,
    NoticeOut,
    ProfileIn,
    TestOut,
    TokenOut,
)
from reminder.web.api.views import notice_detail, notices_json, verdicts_json
from reminder.web.company.account import erase_and_notify, send_confirmations, spend_registration
from reminder.web.company.channels import (
    ChannelNotFound,
    add_channel,
    channel_view,
    enterprise_error,
    get_channel,
    list_channels,
    queue_test_send,
    remove_channel,
    shown_test_send,
)
from reminder.web.company.common import request_now
from reminder.web.company.notice_list import notice_line, open_notices_page
from reminder.web.company.output_cache import cached_output, notice_parts, result_fragments
from reminder.web.company.pages import DUPLICATE_CREDIT_CODE, issue_token, public_errors
from reminder.web.company.prefs import save_preferences
from reminder.web.company.test_gate import admit_test_send, wake_test_sends
from reminder.web.deps import CompanyDep, IdPath, SessionDep, SettingsDep
from reminder.web.page_cache import cached_page
from reminder.workflow import company_changed

__all__ = ["router"]

log = logging.getLogger(__name__)

_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "没有令牌 / no token"},
    403: {"description": "令牌无效，或公司不存在（不区分）/ wrong token or no such company (not told apart)"},
}
router = APIRouter(prefix="/api", tags=["enterprise"])


def _invalid(errors: dict[str, str]) -> RequestValidationError:
    """ProfileError.errors as FastAPI's 422 body: one entry per field."""
    return RequestValidationError(
        [{"loc": ["body", field], "msg": msg, "type": "value_error"} for field, msg in errors.items()]
    )


def _links(company: Company, token: str, settings: Settings) -> dict[str, str]:
    page = company_url(company.id or 0, settings)
    return {
        "token": token,
        "management_url": f"{page}?token={token}",
        "calendar_url": f"{page}/calendar.ics?token={token}",
    }


@router.post("/companies", status_code=201, response_model=CompanyRegistered)
def register(
    body: ProfileIn, request: Request, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> dict[str, Any]:
    """Register a company; the response holds its management token, which is never shown again.

    A contact email receives only a confirmation until its owner confirms it; registrations are limited
    per client and per address (429).
    """
    now = request_now(request)
    try:
        company = register_company(session=session, data=body.profile_data(), now=now, confirm_email=True)
    except ProfileError as exc:
        raise _invalid(public_errors(exc)) from None
    except sa.exc.IntegrityError:
        session.rollback()
        raise _invalid({"credit_code": DUPLICATE_CREDIT_CODE}) from None
    spend_registration(request, company.contact_email)  # 429 rolls the registration back
    token = issue_token(session, company)
    company_changed(session=session, company_id=company.id or 0, now=now, settings=settings)
    session.commit()
    send_confirmations(session=session, company=company, settings=settings, background=background)
    log.info("company %s registered through the API", company.id)
    links = _links(company, token, settings)
    return {
        "company": CompanyPublic.model_validate(company),
        **links,
        "warnings": list(company_warnings(company)),
    }


@router.get("/companies/{company_id}", response_model=CompanyPublic, responses=_AUTH)
def read_company(company: CompanyDep) -> Company:
    """The company's profile and reminder preferences."""
    return company


@router.patch("/companies/{company_id}", response_model=CompanyPublic, responses=_AUTH)
def patch_company(
    company: CompanyDep, body: CompanyPatch, request: Request, session: SessionDep, settings: SettingsDep,
    background: BackgroundTasks,
) -> Company:  # fmt: skip
    """Change some fields (``null`` clears one); re-matches and re-plans reminders."""
    now = request_now(request)
    data = body.profile_data()
    try:
        if data:
            update_company_profile(session=session, company=company, data=data, now=now, confirm_email=True)
            send_confirmations(
                session=session, company=company, settings=settings, background=background, request=request
            )
        if body.reminder_offsets is not None or body.digest is not None:
            save_preferences(
                session=session,
                company=company,
                now=now,
                settings=settings,
                offsets=body.reminder_offsets,
                digest=body.digest,
            )
        else:
            company_changed(session=session, company_id=company.id or 0, now=now, settings=settings)
    except ProfileError as exc:
        session.rollback()
        raise _invalid(public_errors(exc)) from None
    except sa.exc.IntegrityError:
        session.rollback()
        raise _invalid({"credit_code": DUPLICATE_CREDIT_CODE}) from None
    return company


@router.delete("/companies/{company_id}", status_code=204, responses=_AUTH)
def delete_company(
    company: CompanyDep, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> Response:
    """Erase the company: profile, channels and secrets, matches, reminders and delivery records, in one
    transaction; its confirmed addresses are told by email."""
    erase_and_notify(session=session, company=company, settings=settings, background=background)
    return Response(status_code=204)


@router.get("/companies/{company_id}/export", responses=_AUTH)
def export(company: CompanyDep, session: SessionDep) -> dict[str, Any]:
    """Everything held about the company (secrets masked; the token only as a hash, so not at all)."""
    return export_company(session=session, company=company)


@router.post("/companies/{company_id}/token", response_model=TokenOut, responses=_AUTH)
def rotate(company: CompanyDep, session: SessionDep, settings: SettingsDep) -> dict[str, str]:
    """A new token; the one used for this request stops working."""
    token = issue_token(session, company)
    session.commit()
    log.info("company %s rotated its token through the API", company.id)
    return _links(company, token, settings)


#: matches per page of GET /api/companies/{id}/matches when a page is asked for, at most
MAX_MATCHES_PAGE = 1000


@router.get("/companies/{company_id}/matches", response_model=list[MatchOut], responses=_AUTH)
def matches(
    company: CompanyDep,
    request: Request,
    session: SessionDep,
    include_past: bool = False,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_MATCHES_PAGE, description="每页条数（不填：全部）/ page size (none: all)"),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10**6, description="跳过条数 / items to skip")] = 0,
) -> Response:
    """The company's verdicts on open notices (``include_past``: also on closed ones): eligible, then
    possibly eligible, then not eligible, each by next deadline.

    Without ``limit`` every verdict, as before; with it a page. ``X-Total-Count`` gives the number of
    verdicts; ``Link: <…>; rel="next"`` the next page.
    """
    now = request_now(request)

    def fresh(shared: Shared) -> bytes:  # the JSON FastAPI writes for the response model, after the total
        found = company_verdicts(
            session=session, company_id=company.id or 0, now=now, include_past=include_past, shared=shared
        )
        listed = found.listed()
        shown = listed[offset:] if limit is None else listed[offset : offset + limit]
        parts = notice_parts(request, shared.version)
        return verdicts_json(found, shown, now, parts, result_fragments(request), head=b"%d\n" % len(listed))

    # kept until the company, the notices or the day change (web/company/output_cache.py)
    variant = ("api-matches", include_past, offset, limit)
    kept = cached_output(request, session, company, now, variant, fresh)
    cut = kept.index(b"\n")
    total = kept[:cut]
    body = memoryview(kept)[cut + 1 :]  # sent from the kept bytes: ~2 MB not copied per request
    headers = {"X-Total-Count": total.decode()}
    if limit is not None and offset + limit < int(total):
        query = urlencode(
            {"include_past": str(include_past).lower(), "limit": limit, "offset": offset + limit}
        )
        headers["Link"] = f'</api/companies/{company.id}/matches?{query}>; rel="next"'
    return Response(body, media_type="application/json", headers=headers)


def _channel(session: Session, company: Company, channel_id: int) -> Any:
    try:
        return get_channel(session=session, company=company, channel_id=channel_id)
    except ChannelNotFound:
        raise HTTPException(404, "没有这个通知渠道 / channel not found") from None


@router.get("/companies/{company_id}/channels", response_model=list[ChannelOut], responses=_AUTH)
def channels(company: CompanyDep, session: SessionDep) -> list[Any]:
    """The company's channels, keys and secrets masked."""
    return [channel_view(c) for c in list_channels(session=session, company=company)]


@router.post("/companies/{company_id}/channels", status_code=201, response_model=ChannelOut, responses=_AUTH)
def create_channel(
    company: CompanyDep, body: ChannelIn, request: Request, session: SessionDep, settings: SettingsDep,
    background: BackgroundTasks,
) -> Any:  # fmt: skip
    """Add a channel, validated now (unsafe webhook URLs are refused with 422)."""
    try:
        channel, generated = add_channel(
            session=session,
            company=company,
            kind=body.kind,
            target=body.target,
            secret=body.secret,
            name=body.name,
            settings=settings,
            now=request_now(request),
        )
    except DeliveryError as exc:
        session.rollback()
        raise _invalid({"target": enterprise_error(exc)}) from None
    send_confirmations(
        session=session, company=company, settings=settings, background=background, request=request
    )
    return ChannelOut(**vars(channel_view(channel)), new_secret=generated)


@router.delete("/companies/{company_id}/channels/{channel_id}", status_code=204, responses={**_AUTH, 404: {}})
def delete_channel(
    company: CompanyDep, channel_id: IdPath, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Remove a channel."""
    _channel(session, company, channel_id)
    remove_channel(
        session=session, company=company, channel_id=channel_id, settings=settings, now=request_now(request)
    )
    return Response(status_code=204)


_TEST_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"description": "没有这个通知渠道 / no such channel for this company"},
    409: {
        "description": "该渠道现在不能接收消息（邮箱未确认、已退订或已停用）/ the channel may receive nothing now"
    },
    429: {"description": "测试消息发送过于频繁 / too many test sends by this company (Retry-After)"},
}


def _test_out(test: TestSend) -> TestOut:
    return TestOut(
        id=test.id, channel_id=test.channel_id, status=test.state, queued_at=test.queued_at,
        finished_at=test.finished_at, ok=test.ok, status_code=test.status_code, latency_ms=test.latency_ms,
        error=test.error,
    )  # fmt: skip


@router.post(
    "/companies/{company_id}/channels/{channel_id}/test",
    status_code=202,
    response_model=TestOut,
    responses={**_AUTH, **_TEST_REFUSED},
)
def test_channel(
    company: CompanyDep,
    channel_id: IdPath,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Any:
    """Queue the test message (202); ``GET …/tests/{id}`` gives the receiver's answer once it arrives.

    The message goes through the outbox with one attempt, sent at once in the background; nothing is
    sent inside this request. Rate-limited per company (429).
    """
    channel = _channel(session, company, channel_id)
    admit_test_send(request, company.id or 0)
    try:
        test_id = queue_test_send(session=session, channel=channel, company=company, settings=settings)
    except DeliveryError as exc:
        raise HTTPException(409, str(exc)) from None
    session.commit()
    wake_test_sends(request.app)
    test = shown_test_send(session=session, company=company, test_id=test_id)
    assert test is not None
    response.headers["Location"] = f"/api/companies/{company.id}/tests/{test_id}"
    return _test_out(test)


@router.get(
    "/companies/{company_id}/tests/{test_id}",
    response_model=TestOut,
    responses={**_AUTH, 404: {"description": "没有这条测试消息 / no such test send"}},
)
def test_send(company: CompanyDep, test_id: IdPath, session: SessionDep) -> Any:
    """A test send: ``queued`` or ``sending`` until the receiver answered, then ``sent`` or ``failed``
    with its status code, latency and error (kept 7 days)."""
    test = shown_test_send(session=session, company=company, test_id=test_id)
    if test is None:
        raise HTTPException(404, "没有这条测试消息 / no such test send")
    return _test_out(test)


#: notices per page of GET /api/notices, by default and at most
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


@router.get("/notices", response_model=list[NoticeOut], tags=["notices"])
def notices(
    request: Request,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="每页条数 / page size")] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10**6, description="跳过条数 / items to skip")] = 0,
) -> Response:
    """Open notices: titles, issuers and deadlines (public, no company data), a page at a time.

    ``X-Total-Count`` gives the number of open notices; ``Link: <…>; rel="next"`` the next page.
    """

    def page() -> Response:
        total, lines = open_notices_page(
            session=session, now=request_now(request), offset=offset, limit=limit
        )
        headers = {"X-Total-Count": str(total)}
        if offset + limit < total:
            headers["Link"] = f'</api/notices?limit={limit}&offset={offset + limit}>; rel="next"'
        return Response(notices_json(lines), media_type="application/json", headers=headers)

    return cached_page(request, session, page)


@router.get("/notices/{notice_id}", response_model=NoticeDetail, responses={404: {}}, tags=["notices"])
def notice(notice_id: IdPath, request: Request, session: SessionDep) -> NoticeDetail:
    """One published notice with its deadlines and conditions (quotes included)."""
    row = get_notice(session=session, notice_id=notice_id)
    if row is None or row.status != "published":
        raise HTTPException(404, "没有这个通知 / notice not found")
    line = notice_line(session=session, notice=row, now=request_now(request))
    return notice_detail(line, list_conditions(session=session, notice_id=notice_id))
