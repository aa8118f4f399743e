"""The enterprise pages (zh-CN, server-rendered): home, registration, the company page, its profile.

    GET  /                      what the service is, open notices (titles and deadlines only)
    GET  /register              the profile form;  POST: register → the management link, shown once
    GET  /c/{id}?token=…        stores the token in a cookie for /c/{id}, redirects to /c/{id}
    GET  /c/{id}                open notices by verdict, with deadlines, what is unmet or missing, quotes,
                                the top benefit and the first way to apply (``?sort=benefit|days``);
                                不符合 ones compact (first unmet condition), in full with ``?detail=all``
    GET  /notices/{id}          one published notice: benefits, how to apply, contacts, attachments
    GET  /c/{id}/profile        the profile form;  POST: save → re-match
    POST /c/{id}/token          a new management link (the old one stops working), shown once

Notification settings (notifications), the iCal feed (ical) and unsubscribe (unsubscribe) are
included here. Wrong or missing tokens give the same 401/403 whether or not the company exists.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from reminder.companies.profiles import company_warnings, register_company, update_company_profile
from reminder.config import Settings
from reminder.db.models import Company
from reminder.errors import DuplicateCompany, ProfileError
from reminder.notify.links import company_url, view_url
from reminder.web.company import account, ical, notice_page, notifications, unsubscribe, view
from reminder.web.company.common import (
    NO_STORE,
    FormDep,
    PageRoute,
    flash_messages,
    render,
    request_now,
    set_token_cookie,
)
from reminder.web.company.facts import by_benefit, page_links, page_number, sort_choice, sort_links
from reminder.web.company.forms import form_data, form_values, profile_inputs
from reminder.web.company.mail import mail_configured, send_management_link
from reminder.web.company.notice_list import open_notices, open_notices_page
from reminder.web.company.view import render_page, verdict_context
from reminder.web.deps import CompanyDep, SessionDep, SettingsDep, hash_token, new_token
from reminder.web.page_cache import cached_page
from reminder.workflow import company_changed

__all__ = ["router", "issue_token", "DUPLICATE_CREDIT_CODE", "public_errors"]

log = logging.getLogger(__name__)

router = APIRouter(route_class=PageRoute)

#: what the credit-code input says when another company registered that code: naming nobody (issue 16)
DUPLICATE_CREDIT_CODE = (
    "统一社会信用代码：该代码已登记。如果这是贵企业，请点击下方“这是我的企业”，"
    "我们会把管理链接发到登记时填写的邮箱"
)
DUPLICATE_NAME = "企业名称：该名称已登记。如果这是贵企业，请用统一社会信用代码找回管理链接"


def public_errors(exc: ProfileError) -> dict[str, str]:
    """Field messages fit for the public: a duplicate names no company (operators' messages do)."""
    if not isinstance(exc, DuplicateCompany):
        return exc.errors
    neutral = {"credit_code": DUPLICATE_CREDIT_CODE, "name": DUPLICATE_NAME}
    return {field: neutral.get(field, message) for field, message in exc.errors.items()}


def issue_token(session: Session, company: Company) -> str:
    """Give the company a new management token; only its hash is stored, the old one stops working."""
    token = new_token()
    company.token_hash = hash_token(token)
    session.add(company)
    session.flush()
    return token


def _management_link(company: Company, token: str, settings: Settings) -> str:
    return f"{company_url(company.id or 0, settings)}?token={token}"


def _show_token(
    request: Request,
    company: Company,
    token: str,
    settings: Settings,
    background: BackgroundTasks,
    heading: str,
    warnings: tuple[str, ...] = (),
) -> Response:
    """The page that shows the link once; the cookie is set, and the link is emailed after the response."""
    link = _management_link(company, token, settings)
    session = Session(request.app.state.engine)
    try:  # only a confirmed address gets the link; an unconfirmed one gets its confirmation only (issue 16)
        confirmed = bool(company.contact_email) and account.email_confirmed(session, company)
        if confirmed and company.contact_email:
            background.add_task(
                send_management_link,
                company_id=company.id or 0,
                company_name=company.name,
                email=company.contact_email,
                link=link,
                settings=settings,
            )
        else:
            account.send_confirmations(
                session=session, company=company, settings=settings, background=background
            )
    finally:
        session.close()
    pending = company.contact_email if company.contact_email and not confirmed else None
    mail_on = mail_configured(settings)  # without a mail server no page says a mail was sent
    context = {
        "company": company,
        "link": link,
        "heading": heading,
        "warnings": warnings,
        "emailed_to": company.contact_email if confirmed and mail_on else None,
        "confirm_to": pending if mail_on else None,
        "unmailed": company.contact_email if not mail_on else None,
    }
    response = render(request, "company/token.html", context, headers=NO_STORE)
    set_token_cookie(response, request, company.id or 0, token)
    return response


#: open notices per home page (with 1,000 open calls the whole list made the page slow and unreadable)
HOME_PAGE_SIZE = 50


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    """What the service is, a register button, and the open notices (``?sort=benefit``: largest benefit first)."""
    return cached_page(request, session, lambda: _home(request, session))


def _home(request: Request, session: Session) -> Response:
    now = request_now(request)
    sort = sort_choice(request.query_params.get("sort"))
    page = page_number(request.query_params.get("page"))
    offset = (page - 1) * HOME_PAGE_SIZE
    if sort == "benefit":  # the order needs every notice's benefits
        ranked = by_benefit(open_notices(session=session, now=now))
        total, notices = len(ranked), ranked[offset : offset + HOME_PAGE_SIZE]
    else:  # soonest deadline first: only this page's notices are loaded
        total, notices = open_notices_page(session=session, now=now, offset=offset, limit=HOME_PAGE_SIZE)
    context = {
        "notices": notices,
        "total": total,
        "sort_links": sort_links(request.query_params, sort),
        "pages": page_links(request.query_params, page, total, HOME_PAGE_SIZE),
    }
    return render(request, "company/index.html", context)


def _register_page(request: Request, values: dict[str, str], errors: dict[str, str], status: int) -> Response:
    retention = request.app.state.settings.delivery_retention_days
    context = {"fields": profile_inputs(), "values": values, "errors": errors, "retention_days": retention}
    return render(request, "company/register.html", context, status_code=status)


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request) -> Response:
    """The empty registration form."""
    return _register_page(request, {"applicant_type": "企业"}, {}, 200)


@router.post("/register", response_class=HTMLResponse)
def register_submit(
    request: Request, form: FormDep, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> Response:
    """Register the company and show its management link once; on errors, the form again with them."""
    entered, data = form_data(form)
    now = request_now(request)
    try:
        company = register_company(session=session, data=data, now=now, confirm_email=True)
    except ProfileError as exc:
        return _register_page(request, entered, public_errors(exc), 422)
    except sa.exc.IntegrityError:
        session.rollback()
        return _register_page(request, entered, {"credit_code": DUPLICATE_CREDIT_CODE}, 422)
    account.spend_registration(request, company.contact_email)  # 429 rolls the registration back
    token = issue_token(session, company)
    company_changed(session=session, company_id=company.id or 0, now=now, settings=settings)
    session.commit()
    log.info("company %s registered", company.id)
    return _show_token(request, company, token, settings, background, "登记成功", company_warnings(company))


@router.get("/c/{company_id}", response_class=HTMLResponse)
def company_page(
    company: CompanyDep, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The company's open notices grouped by verdict, and its past notices."""
    assert company.id is not None
    if "token" in request.query_params:  # from the management link: keep it in a cookie, clean the URL
        kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
        target = f"/c/{company.id}" + (f"?{kept}" if kept else "")  # ?detail=all, ?sort=… survive it
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        set_token_cookie(response, request, company.id, request.query_params["token"])
        return response
    context = {
        **verdict_context(company, request, session),
        "messages": flash_messages(request),
        "view_link": view_url(company.id, company.view_salt, settings),
    }
    return render_page(request, context)


def _profile_page(
    request: Request, company: Company, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    context = {
        "company": company, "fields": profile_inputs(), "values": values, "errors": errors,
        "messages": flash_messages(request), "warnings": company_warnings(company),
    }  # fmt: skip
    return render(request, "company/profile.html", context, status_code=status, headers=NO_STORE)


@router.get("/c/{company_id}/profile", response_class=HTMLResponse)
def profile_form(company: CompanyDep, request: Request) -> Response:
    """The profile form, filled in."""
    return _profile_page(request, company, form_values(company), {}, 200)


@router.post("/c/{company_id}/profile", response_class=HTMLResponse)
def profile_submit(
    company: CompanyDep, request: Request, form: FormDep, session: SessionDep, settings: SettingsDep,
    background: BackgroundTasks,
) -> Response:  # fmt: skip
    """Save the profile and re-match; on errors, the form again with them."""
    entered, data = form_data(form)
    now = request_now(request)
    try:
        update_company_profile(session=session, company=company, data=data, now=now, confirm_email=True)
    except ProfileError as exc:
        session.rollback()
        return _profile_page(request, company, entered, public_errors(exc), 422)
    except sa.exc.IntegrityError:
        session.rollback()
        return _profile_page(request, company, entered, {"credit_code": DUPLICATE_CREDIT_CODE}, 422)
    company_changed(session=session, company_id=company.id or 0, now=now, settings=settings)
    account.send_confirmations(
        session=session, company=company, settings=settings, background=background, request=request
    )
    log.info("company %s updated its profile", company.id)
    return RedirectResponse(f"/c/{company.id}/profile?msg=saved", status_code=303)


@router.post("/c/{company_id}/token", response_class=HTMLResponse)
def rotate_token(
    company: CompanyDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> Response:
    """A new management link; the old one stops working at once."""
    token = issue_token(session, company)
    session.commit()
    log.info("company %s rotated its management token", company.id)
    return _show_token(request, company, token, settings, background, "已生成新的管理链接，旧链接已失效")


router.include_router(notifications.router)
router.include_router(unsubscribe.router)
router.include_router(ical.router)
router.include_router(view.router)
router.include_router(account.router)
router.include_router(notice_page.router)
