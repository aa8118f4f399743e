"""The notification settings page: when to remind, through which channels, and a test button.

GET  /c/{id}/notifications                  offsets, digest, channels (masked), calendar link
POST /c/{id}/notifications                  save offsets and digest → re-plan
POST /c/{id}/channels                       add a channel (validated now: unsafe URLs refused)
POST /c/{id}/channels/{cid}/delete          remove it
POST /c/{id}/channels/{cid}/test            queue the test message (outbox, one attempt) → its result page
GET  /c/{id}/tests/{tid}                    the test send: queued (the page refreshes itself) or the answer
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from reminder.config import Settings
from reminder.db.models import DIGEST_CHOICES, Company, utcnow
from reminder.errors import DeliveryError, ProfileError
from reminder.notify.channels import channel_help, channel_labels
from reminder.notify.links import view_calendar_url
from reminder.notify.test_sends import TestSend
from reminder.web.company.account import send_confirmations
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
from reminder.web.company.common import NO_STORE, FormDep, PageRoute, flash_messages, render, request_now
from reminder.web.company.prefs import DIGEST_LABELS, parse_offsets, save_preferences
from reminder.web.company.test_gate import admit_test_send, wake_test_sends
from reminder.web.deps import CompanyDep, IdPath, SessionDep, SettingsDep

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(route_class=PageRoute)


def _page(
    request: Request,
    company: Company,
    session: Session,
    settings: Settings,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    test: tuple[int, TestSend] | None = None,
    messages: list[str] | None = None,
) -> Response:
    feed = view_calendar_url(
        company.id or 0, company.view_salt, settings
    )  # read-only: safe to paste into apps
    context: dict[str, Any] = {
        "company": company,
        "channels": [channel_view(c) for c in list_channels(session=session, company=company)],
        # labels and help text are the channel classes' own (reminder.notify.channels)
        "kinds": list(channel_labels().items()),
        "hints": channel_help(),
        "digests": [(d, DIGEST_LABELS[d]) for d in DIGEST_CHOICES],
        "offsets_text": ", ".join(str(o) for o in company.reminder_offsets or []),
        "errors": errors or {},
        "entered": entered or {},
        "test": test,
        "feed_url": feed,
        "reminder_hour": settings.reminder_hour,
        "webcal_url": "webcal://" + feed.split("://", 1)[1],
        "messages": messages or ([] if errors or test else flash_messages(request)),
    }
    return render(request, "company/notifications.html", context, status_code=status, headers=NO_STORE)


@router.get("/c/{company_id}/notifications", response_class=HTMLResponse)
def notifications(
    company: CompanyDep, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The settings page."""
    return _page(request, company, session, settings)


@router.post("/c/{company_id}/notifications", response_class=HTMLResponse)
def save_notifications(
    company: CompanyDep, request: Request, form: FormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Save offsets and digest frequency."""
    offsets_text, digest = str(form.get("reminder_offsets", "")), str(form.get("digest", ""))
    try:
        offsets = parse_offsets(offsets_text)
    except ValueError as exc:
        errors = {"reminder_offsets": f"提醒时间：{exc}"}
        return _page(
            request,
            company,
            session,
            settings,
            status=422,
            errors=errors,
            entered={"reminder_offsets": offsets_text},
        )
    try:
        save_preferences(
            session=session,
            company=company,
            now=request_now(request),
            settings=settings,
            offsets=offsets,
            digest=digest,
        )
    except ProfileError as exc:
        session.rollback()
        return _page(
            request,
            company,
            session,
            settings,
            status=422,
            errors=exc.errors,
            entered={"reminder_offsets": offsets_text},
        )
    return RedirectResponse(f"/c/{company.id}/notifications?msg=settings", status_code=303)


@router.post("/c/{company_id}/channels", response_class=HTMLResponse)
def create_channel(
    company: CompanyDep, request: Request, form: FormDep, session: SessionDep, settings: SettingsDep,
    background: BackgroundTasks,
) -> Response:  # fmt: skip
    """Add a channel; a bad address, an unsafe URL or a bad key shows the form again with the reason."""
    entered = {k: str(form.get(k, "")).strip() for k in ("kind", "name", "target")}
    try:
        _, generated = add_channel(
            session=session,
            company=company,
            kind=entered["kind"],
            target=entered["target"],
            secret=str(form.get("secret", "")),
            name=entered["name"],
            settings=settings,
            now=request_now(request),
        )
    except DeliveryError as exc:
        session.rollback()
        errors = {"channel": enterprise_error(exc)}
        return _page(request, company, session, settings, status=422, errors=errors, entered=entered)
    send_confirmations(
        session=session, company=company, settings=settings, background=background, request=request
    )
    if generated:  # the receiver needs it to check signatures: shown this once, masked afterwards
        note = f"通知渠道已添加。签名密钥只显示这一次，请复制到接收端：{generated}"
        return _page(request, company, session, settings, messages=[note])
    return RedirectResponse(f"/c/{company.id}/notifications?msg=added", status_code=303)


@router.post("/c/{company_id}/channels/{channel_id}/delete", response_class=HTMLResponse)
def delete_channel(
    company: CompanyDep, channel_id: IdPath, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Remove a channel."""
    try:
        remove_channel(
            session=session,
            company=company,
            channel_id=channel_id,
            settings=settings,
            now=request_now(request),
        )
    except ChannelNotFound:
        raise HTTPException(404, "没有这个通知渠道 / channel not found") from None
    return RedirectResponse(f"/c/{company.id}/notifications?msg=removed", status_code=303)


#: seconds between reloads of a test send's page while it waits for the receiver
TEST_REFRESH = 2


def _refused(channel_id: int, reason: str, retry_after: float | None = None) -> TestSend:
    """A test send refused before it was queued, shown like a receiver's refusal."""
    return TestSend(
        id=0, channel_id=channel_id, state="failed", queued_at=utcnow(), finished_at=None, ok=None,
        status_code=None, latency_ms=None, error=reason, retry_after=retry_after,
    )  # fmt: skip


@router.post("/c/{company_id}/channels/{channel_id}/test", response_class=HTMLResponse)
def test_channel(
    company: CompanyDep, channel_id: IdPath, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Queue the test message and go to its page, which shows the receiver's answer once it arrives.

    Nothing is sent inside the request (issue 16, item 14): the test-send lane sends it at once.
    """
    try:
        channel = get_channel(session=session, company=company, channel_id=channel_id)
    except ChannelNotFound:
        raise HTTPException(404, "没有这个通知渠道 / channel not found") from None
    try:
        admit_test_send(request, company.id or 0)  # per-company limit
        test_id = queue_test_send(session=session, channel=channel, company=company, settings=settings)
    except HTTPException as refused:  # shown on the page, in Chinese, like a receiver's refusal
        test = _refused(channel_id, str(refused.detail), 60.0)
        return _page(request, company, session, settings, status=refused.status_code, test=(channel_id, test))
    except DeliveryError as exc:
        test = _refused(channel_id, str(exc))
        return _page(request, company, session, settings, status=409, test=(channel_id, test))
    session.commit()
    wake_test_sends(request.app)
    return RedirectResponse(f"/c/{company.id}/tests/{test_id}", status_code=303)


@router.get("/c/{company_id}/tests/{test_id}", response_class=HTMLResponse)
def test_page(company: CompanyDep, test_id: IdPath, request: Request, session: SessionDep) -> Response:
    """A test send: "已排队，结果稍后显示" (the page reloads itself, no script) until the receiver answered."""
    test = shown_test_send(session=session, company=company, test_id=test_id)
    if test is None:
        raise HTTPException(404, "没有这条测试消息 / no such test send")
    channel = next(
        (channel_view(c) for c in list_channels(session=session, company=company) if c.id == test.channel_id),
        None,
    )
    headers = dict(NO_STORE)
    if not test.done:
        headers["Refresh"] = str(TEST_REFRESH)
    context = {"company": company, "test": test, "channel": channel, "refresh": TEST_REFRESH}
    return render(request, "company/test_result.html", context, headers=headers)
