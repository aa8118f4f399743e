"""Account pages (issue 16): confirming an address, "this is my company", erasure and export.

    GET/POST /confirm/{channel}/{sig}          double opt-in: the address's owner confirms (POST: link
                                               scanners that fetch the GET confirm nothing)
    POST     /register/claim                   "this is my company": a one-time link to the address on file
    GET/POST /claim/{company}/{expires}/{sig}  that link: POST issues a new management link
    GET/POST /c/{id}/delete                    erase the company and everything about it
    GET      /c/{id}/export.json               everything held about the company, as JSON

Signed links use ``settings.signing_key()``. A confirmation link is bound to the address it confirms; a
claim link to the company's current token hash, so it works once and dies when the token changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from reminder.companies.data_rights import confirmed_addresses, erase_company, export_company
from reminder.config import Settings
from reminder.db.models import Channel, Company
from reminder.notify.links import company_url
from reminder.web.company.account_mail import (
    claim_message,
    confirmation_message,
    erased_message,
    send_account_mail,
)
from reminder.web.company.common import NO_STORE, FormDep, PageRoute, render, request_now, set_token_cookie
from reminder.web.company.mail import mail_configured
from reminder.web.deps import MAX_ID, CompanyDep, IdPath, SessionDep, SettingsDep, hash_token, new_token
from reminder.web.throttle import client_key, spend
from reminder.workflow import company_changed

__all__ = [
    "router",
    "send_confirmations",
    "email_confirmed",
    "spend_registration",
    "erase_and_notify",
    "confirm_url",
]

log = logging.getLogger(__name__)

router = APIRouter(route_class=PageRoute)

#: how long a "this is my company" link works
CLAIM_HOURS = 24
CLAIM_SENT = (
    "如果该企业登记时填写并确认了联系邮箱，我们已把找回管理链接的邮件发到该邮箱（24 小时内有效）。"
    "出于隐私保护，这里不显示该企业的名称和邮箱。"
)
#: the claim answer when no mail server is configured: nothing can be mailed, so none is promised
CLAIM_NO_MAIL = "本站尚未配置邮件服务器，无法通过邮件找回管理链接。请联系本站运营人员。"


def _sign(settings: Settings, *parts: object) -> str:
    message = ":".join(str(p) for p in parts).encode()
    return hmac.new(settings.signing_key(), message, hashlib.sha256).hexdigest()[:40]


def _page(request: Request, heading: str, paragraphs: list[str], **more: object) -> Response:
    context = {"heading": heading, "paragraphs": paragraphs, **more}
    return render(request, "company/account.html", context, headers=NO_STORE)


# ── double opt-in ──────────────────────────────────────────────────────────────────────────


def confirm_url(channel: Channel, settings: Settings) -> str:
    sig = _sign(settings, "confirm", channel.id, channel.target.lower())
    return f"{settings.base_url.rstrip('/')}/confirm/{channel.id}/{sig}"


def email_confirmed(session: Session, company: Company) -> bool:
    """Whether the company's contact address was confirmed (or vouched for by an operator)."""
    return bool(confirmed_addresses(session=session, company=company)) and company.contact_email is not None


def send_confirmations(
    *,
    session: Session,
    company: Company,
    settings: Settings,
    background: BackgroundTasks,
    request: Request | None = None,
) -> list[str]:
    """Queue a confirmation mail for each unconfirmed email channel of the company; the addresses.

    With ``request``, each address's registration budget is spent first (a used-up one gets nothing).
    """
    rows = session.exec(
        select(Channel).where(
            Channel.company_id == company.id, Channel.kind == "email", col(Channel.unconfirmed)
        )
    ).all()
    rows = [c for c in rows if request is None or throttle_ok(request, c.target)]
    for channel in rows:
        message = confirmation_message(company.name, confirm_url(channel, settings))
        background.add_task(
            send_account_mail, email=channel.target, message=message, settings=settings, what="confirmation"
        )
    return [c.target for c in rows]


def spend_registration(request: Request, email: str | None) -> None:
    """Registration budgets: per client address, and per contact address (429 when used up)."""
    spend(request, "register-ip", client_key(request))
    if email:
        spend(request, "register-address", email.strip().lower())


def _confirmable(session: Session, channel_id: int, sig: str, settings: Settings) -> Channel:
    channel = session.get(Channel, channel_id) if channel_id <= MAX_ID else None
    if channel is None or channel.kind != "email":
        raise HTTPException(404)
    if not hmac.compare_digest(sig, _sign(settings, "confirm", channel.id, channel.target.lower())):
        raise HTTPException(404)
    return channel


@router.get("/confirm/{channel_id}/{sig}", response_class=HTMLResponse)
def confirm_form(
    channel_id: int, sig: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    channel = _confirmable(session, channel_id, sig, settings)
    if not channel.unconfirmed:
        return _page(request, "邮箱已确认", ["本邮箱已确认，会按设置接收申报截止提醒。"])
    form = {"action": f"/confirm/{channel_id}/{sig}", "button": "确认接收", "hidden": {}}
    return _page(request, "确认接收申报提醒", [f"确认后，{channel.target} 将接收申报截止提醒。"], form=form)


@router.post("/confirm/{channel_id}/{sig}", response_class=HTMLResponse)
def confirm_submit(
    channel_id: int, sig: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    channel = _confirmable(session, channel_id, sig, settings)
    if channel.unconfirmed:
        channel.unconfirmed = False
        channel.updated_at = request_now(request)
        session.add(channel)
        session.flush()
        company_changed(
            session=session, company_id=channel.company_id, now=request_now(request), settings=settings
        )
        log.info("channel %s confirmed by its owner", channel.id)
    return _page(request, "邮箱已确认", ["谢谢，本邮箱会按设置接收申报截止提醒。每封邮件都带退订链接。"])


# ── "this is my company" ───────────────────────────────────────────────────────────────────


def _claim_sig(settings: Settings, company: Company, expires: int) -> str:
    return _sign(settings, "claim", company.id, expires, company.token_hash or "")


@router.post("/register/claim", response_class=HTMLResponse)
def claim_request(
    request: Request, form: FormDep, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> Response:
    """Mail a one-time link to the address on file; the answer is the same whatever the code names."""
    spend(request, "register-ip", client_key(request))
    code = "".join(form.get("credit_code", "").split()).upper()[:18]
    company = session.exec(select(Company).where(Company.credit_code == code)).first() if code else None
    if company is not None and company.contact_email and email_confirmed(session, company):
        # a per-address budget: nobody can flood the owner with claim mails
        if throttle_ok(request, company.contact_email):
            expires = int((request_now(request) + dt.timedelta(hours=CLAIM_HOURS)).timestamp())
            link = f"{settings.base_url.rstrip('/')}/claim/{company.id}/{expires}/{_claim_sig(settings, company, expires)}"
            background.add_task(
                send_account_mail, email=company.contact_email, message=claim_message(company.name, link),
                settings=settings, what="claim",
            )  # fmt: skip
    if not mail_configured(settings):
        return _page(request, "无法发送邮件", [CLAIM_NO_MAIL], back="/register")
    return _page(request, "已受理", [CLAIM_SENT], back="/register")


def throttle_ok(request: Request, email: str) -> bool:
    try:
        spend(request, "register-address", email.strip().lower())
    except HTTPException:
        return False
    return True


def _claimable(
    session: Session, company_id: int, expires: int, sig: str, request: Request, settings: Settings
) -> Company:
    company = session.get(Company, company_id) if company_id <= MAX_ID else None
    if company is None or expires < request_now(request).timestamp():
        raise HTTPException(404)
    if not hmac.compare_digest(sig, _claim_sig(settings, company, expires)):
        raise HTTPException(404)
    return company


@router.get("/claim/{company_id}/{expires}/{sig}", response_class=HTMLResponse)
def claim_form(
    company_id: IdPath, expires: int, sig: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    _claimable(session, company_id, expires, sig, request, settings)
    form = {"action": f"/claim/{company_id}/{expires}/{sig}", "button": "生成新的管理链接", "hidden": {}}
    return _page(
        request, "找回管理链接", ["确认后会生成新的管理链接并只显示一次，原链接随即失效。"], form=form
    )


@router.post("/claim/{company_id}/{expires}/{sig}", response_class=HTMLResponse)
def claim_submit(
    company_id: IdPath, expires: int, sig: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    company = _claimable(session, company_id, expires, sig, request, settings)
    token = new_token()
    company.token_hash = hash_token(token)
    session.add(company)
    session.commit()
    log.info("company %s claimed its management link by email", company.id)
    link = f"{company_url(company.id or 0, settings)}?token={token}"
    context = {
        "company": company,
        "link": link,
        "heading": "已生成新的管理链接",
        "emailed_to": None,
        "warnings": (),
    }
    response = render(request, "company/token.html", context, headers=NO_STORE)
    set_token_cookie(response, request, company.id or 0, token)
    return response


# ── erasure and export ─────────────────────────────────────────────────────────────────────


@router.get("/c/{company_id}/delete", response_class=HTMLResponse)
def delete_form(company: CompanyDep, request: Request) -> Response:
    form = {
        "action": f"/c/{company.id}/delete", "button": "永久删除", "style": "danger", "hidden": {},
        "check": "我确认删除本企业在申报提醒的全部数据，且无法恢复",
    }  # fmt: skip
    paragraphs = [
        "删除后，企业信息、通知渠道及其密钥、匹配结果、待发送的提醒和发送记录将在同一操作中全部删除，管理链接随即失效。",
        f"删除前可先下载全部数据：/c/{company.id}/export.json",
    ]
    return _page(request, "删除企业数据", paragraphs, form=form, back=f"/c/{company.id}")


@router.post("/c/{company_id}/delete", response_class=HTMLResponse)
def delete_submit(
    company: CompanyDep, request: Request, form: FormDep, session: SessionDep, settings: SettingsDep,
    background: BackgroundTasks,
) -> Response:  # fmt: skip
    if form.get("confirm") != "yes":
        return delete_form(company, request)
    erase_and_notify(session=session, company=company, settings=settings, background=background)
    response = _page(request, "已删除", ["贵企业在申报提醒的全部数据已删除。"])
    response.delete_cookie("token", path=f"/c/{company.id}")
    return response


def erase_and_notify(
    *, session: Session, company: Company, settings: Settings, background: BackgroundTasks
) -> None:
    """Erase the company in one transaction (committed here), then tell its confirmed addresses."""
    addresses = confirmed_addresses(session=session, company=company)
    name = company.name
    erase_company(session=session, company=company)
    session.commit()
    for address in addresses:
        background.add_task(
            send_account_mail, email=address, message=erased_message(name), settings=settings, what="erasure"
        )


@router.get("/c/{company_id}/export.json")
def export_json(company: CompanyDep, session: SessionDep) -> Response:
    data = export_company(session=session, company=company)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="company-{company.id}.json"'}
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json; charset=utf-8", headers=headers)
