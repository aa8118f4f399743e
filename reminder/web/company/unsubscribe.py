"""One-click unsubscribe (RFC 8058): the link in every reminder email, no login.

    GET  /unsubscribe/{channel_id}/{sig}   a confirm page with one button (link scanners only GET)
    POST /unsubscribe/{channel_id}/{sig}   unsubscribes: what the button and mail clients send
                                           (body ``List-Unsubscribe=One-Click``, no cookies)

The signature (``reminder.notify.links``) proves the link was made for that channel; a wrong one is a
404, like a missing channel. Unsubscribing disables the email channel and, when it is the contact
address, marks the company ``email_unsubscribed``; pending reminders to it are cancelled by re-planning.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from reminder.config import Settings
from reminder.db.models import Channel, Company, utcnow
from reminder.notify.channels import mask_target
from reminder.notify.links import verify_unsubscribe
from reminder.web.company.common import NO_STORE, PageRoute, render, request_now
from reminder.web.deps import IdPath, SessionDep, SettingsDep
from reminder.workflow import company_changed

__all__ = ["router", "unsubscribe_channel"]

log = logging.getLogger(__name__)

router = APIRouter(route_class=PageRoute)


def _channel(session: Session, channel_id: int, sig: str, settings: Settings) -> tuple[Channel, Company]:
    if not verify_unsubscribe(channel_id, sig, settings):
        raise HTTPException(404, "链接无效 / invalid unsubscribe link")
    channel = session.get(Channel, channel_id)
    company = session.get(Company, channel.company_id) if channel is not None else None
    if channel is None or company is None:
        raise HTTPException(404, "链接无效 / invalid unsubscribe link")
    return channel, company


def _masked(channel: Channel) -> str:
    return mask_target(channel.kind, channel.target)


def unsubscribe_channel(*, session: Session, channel: Channel, company: Company, settings: Settings) -> None:
    """Disable the channel; for the contact address, also mark the company unsubscribed; re-plan."""
    now = utcnow()
    channel.enabled = False
    channel.updated_at = now
    session.add(channel)
    contact = (company.contact_email or "").strip().lower()
    if channel.kind == "email" and contact and channel.target.strip().lower() == contact:
        company.email_unsubscribed = True
        company.updated_at = now
        session.add(company)
    session.flush()
    company_changed(session=session, company_id=company.id or 0, now=now, settings=settings)
    log.info("channel %s of company %s unsubscribed", channel.id, company.id)


@router.get("/unsubscribe/{channel_id}/{sig}", response_class=HTMLResponse)
def confirm_page(
    channel_id: IdPath, sig: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Ask before unsubscribing (so a mail scanner following links changes nothing)."""
    channel, company = _channel(session, channel_id, sig, settings)
    context = {
        "done": not channel.enabled,
        "target": _masked(channel),
        "company_name": company.name,
        "action": f"/unsubscribe/{channel_id}/{sig}",
        "now": request_now(request),
    }
    return render(request, "company/unsubscribe.html", context, headers=NO_STORE)


@router.post("/unsubscribe/{channel_id}/{sig}", response_class=HTMLResponse)
def unsubscribe(
    channel_id: IdPath, sig: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Unsubscribe; idempotent, needs no cookie, token or particular body."""
    channel, company = _channel(session, channel_id, sig, settings)
    if channel.enabled:
        unsubscribe_channel(session=session, channel=channel, company=company, settings=settings)
    context = {"done": True, "target": _masked(channel), "company_name": company.name}
    return render(request, "company/unsubscribe.html", context, headers=NO_STORE)
