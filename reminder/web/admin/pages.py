"""Operator pages under ``/admin``: sign in, ingest, review and correct notices, publish, dashboard.

/admin/login ─────────────── admin token (+ the operator's name) → HttpOnly cookie
/admin ───────────────────── dashboard: deadlines in 30 days, companies by matches,
                             deliveries failed in 24 h, dead reminders (re-queue)
/admin/ingest ────────────── upload files, paste text, give URLs → summary and failures
/admin/notices ───────────── list, by status and open/past
/admin/notices/{id} ──────── source with quotes marked, deadlines, conditions, benefits, how to
                             apply and contacts with correction forms, attachments,
                             publish/unpublish, correction history
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from reminder.corrections.service import FACT_TARGETS, describe_correction, fact_selector, selector_for
from reminder.db.models import ConditionRow, DeadlineRow, NoticeRow, Reminder
from reminder.db.rows import notice_facts
from reminder.errors import CorrectionError
from reminder.fields import field_defs, ops
from reminder.model import APPLY_STEP_LABELS, BENEFIT_KIND_LABELS, DEADLINE_KINDS
from reminder.notify.outbox import years_without_holidays
from reminder.web.admin.actions import Upload, correct, ingest_inputs, requeue_reminder, set_status
from reminder.web.admin.common import (
    AdminPage,
    PathId,
    clear_login_cookies,
    operator_name,
    render,
    request_now,
    set_login_cookies,
    templates,
    token_ok,
)
from reminder.web.admin.forms import condition_values, deadline_values, fact_values, value_text
from reminder.web.admin.queries import (
    companies_by_matches,
    dead_reminders,
    failed_deliveries,
    list_notices,
    notice_detail,
    queued_notices,
    upcoming_deadlines,
)
from reminder.web.admin.sources import flagged_sources
from reminder.web.company.output_cache import generation
from reminder.web.company.views import kind_label
from reminder.web.deps import SessionDep, SettingsDep
from reminder.web.page_cache import cached_part

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/admin", include_in_schema=False)

_DONE = {
    "published": "已发布，正在匹配企业并安排提醒 / published",
    "unpublished": "已撤回为草稿 / back to draft",
    "corrected": "已保存更正 / correction saved",
    "requeued": "已重新排队发送 / re-queued",
}


def _choices() -> dict[str, list[tuple[str, str]]]:
    """The correction dropdowns as (value, Chinese label), read from the registries at each request."""
    return {
        "kinds": [(k, kind_label(k)) for k in DEADLINE_KINDS],
        "fields": [(name, f.label) for name, f in field_defs().items()],
        "ops": [(op, label) for op, label in ops().items()],
        "benefit_kinds": list(BENEFIT_KIND_LABELS.items()),
        "currencies": list(CURRENCY_LABELS.items()),
        "step_kinds": list(APPLY_STEP_LABELS.items()),
    }


#: Benefit.currency → Chinese, for the correction form
CURRENCY_LABELS: dict[str, str] = {"CNY": "人民币", "TWD": "新台币", "HKD": "港元", "MOP": "澳门元"}
#: fact target → the NoticeDetail field listing those facts
_FACT_FIELDS: dict[str, str] = {"benefit": "benefits", "how_to_apply": "how_to_apply", "contact": "contacts"}


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, read before the (synchronous) route runs in the thread pool; its files closed after."""
    # pasted text may be as large as any document (Starlette's default part limit was 1 MB, in English);
    # the whole request is bounded while it streams (reminder.web.bodylimit)
    limit = request.app.state.settings.max_input_bytes
    form = await request.form(max_files=20, max_part_size=limit)
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(_form)]


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/admin") and "//" not in target else "/admin"


# ── signing in ─────────────────────────────────────────────────────────────────────────────


@router.get("/login")
def login_form(request: Request, next: str | None = None, error: str | None = None) -> Response:
    message = "令牌无效，请重新输入 / invalid token" if error else None
    return render(request, "admin/login.html", {"next": _safe_next(next), "error": message})


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str, Form()] = "",
    operator: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/admin",
) -> Response:
    if not token_ok(token.strip(), settings):
        context = {"next": _safe_next(next), "error": "令牌无效 / invalid token", "typed_operator": operator}
        return render(request, "admin/login.html", context, status_code=403)
    response = _redirect(_safe_next(next))
    set_login_cookies(response, request, token.strip(), operator.strip()[:100] or "admin")
    return response


@router.post("/logout")
def logout(request: Request, everywhere: Annotated[str, Form()] = "") -> Response:
    """Sign out: this session, or (``everywhere``) every admin session (revocation)."""
    response = _redirect("/admin/login")
    clear_login_cookies(response, request, everywhere=bool(everywhere))
    return response


# ── dashboard ──────────────────────────────────────────────────────────────────────────────


def _upcoming_section(session: Session, now: dt.datetime) -> Markup:
    """The dashboard's deadlines in the next 30 days (hundreds of rows at 1,000 open notices: most of
    the page's time, the same for every operator)."""
    upcoming = upcoming_deadlines(session=session, now=now, days=30)
    return Markup(templates.get_template("admin/upcoming.html").render(upcoming=upcoming))


def _companies_section(session: Session, queued: int) -> Markup:
    """The companies with the most matches (a bounded sort of every company's counts: ~10 ms at 100,000
    companies, the most of the dashboard's time, the same for every operator), and how many notices'
    verdicts the worker has still to add to them."""
    companies = companies_by_matches(session=session, limit=20)
    return Markup(templates.get_template("admin/companies.html").render(companies=companies, queued=queued))


@router.get("")
def dashboard(request: Request, session: SessionDep, _: AdminPage, done: str | None = None) -> Response:
    now = request_now(request)
    queued = queued_notices(session=session)
    context = {
        "upcoming_section": cached_part(
            request, session, "upcoming", lambda: _upcoming_section(session, now)
        ),
        # kept until the notices change, this process writes a company or a notice (matching follows
        # those), the worker adds a new notice's verdicts to the counts, or the minute turns: another
        # process's company edits show within a minute
        "companies_section": cached_part(
            request,
            session,
            f"companies-{generation()}-{queued}",
            lambda: _companies_section(session, queued),
        ),
        "failed": failed_deliveries(session=session, since=now - dt.timedelta(hours=24)),
        "dead": dead_reminders(session=session),
        "holiday_gaps": years_without_holidays(session=session, now=now),
        "flagged_sources": flagged_sources(session=session),
        "messages": [_DONE[done]] if done in _DONE else [],
    }
    return render(request, "admin/dashboard.html", context)


@router.post("/reminders/{reminder_id}/requeue")
def requeue(request: Request, session: SessionDep, _: AdminPage, reminder_id: PathId) -> Response:
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.status != "dead":
        raise HTTPException(404, "没有这条失败的提醒 / no such dead reminder")
    requeue_reminder(session=session, reminder=reminder, now=request_now(request))
    return _redirect("/admin?done=requeued")


# ── ingest ─────────────────────────────────────────────────────────────────────────────────


@router.get("/ingest")
def ingest_form(request: Request, _: AdminPage) -> Response:
    return render(request, "admin/ingest.html", {"report": None})


@router.post("/ingest")
def ingest(
    request: Request, session: SessionDep, settings: SettingsDep, _: AdminPage, form: FormDep
) -> Response:
    uploads = [
        Upload(
            name=item.filename, data=item.file.read(settings.max_input_bytes + 1)
        )  # one byte over: refused
        for item in form.getlist("files")
        if isinstance(item, UploadFile) and item.filename
    ]
    text = str(form.get("text") or "")
    urls = [line.strip() for line in str(form.get("urls") or "").splitlines() if line.strip()]
    if not uploads and not text.strip() and not urls:
        context = {"report": None, "error": "请上传文件、粘贴文本或填写网址 / give files, text or URLs"}
        return render(request, "admin/ingest.html", context, status_code=422)
    report = ingest_inputs(
        session=session,
        settings=settings,
        uploads=uploads,
        text=text,
        text_name=str(form.get("text_name") or "") or None,
        urls=urls,
        publish=form.get("publish") == "on",
        now=request_now(request),
    )
    return render(request, "admin/ingest.html", {"report": report})


# ── notices ────────────────────────────────────────────────────────────────────────────────


@router.get("/notices")
def notices(
    request: Request, session: SessionDep, _: AdminPage, status: str | None = None, when: str = "all"
) -> Response:
    status = status if status in ("published", "draft") else None
    when = when if when in ("open", "past", "all") else "all"
    items = list_notices(session=session, now=request_now(request), status=status, when=when)
    return render(request, "admin/notices.html", {"items": items, "status": status or "", "when": when})


def _notice(session: SessionDep, notice_id: int) -> NoticeRow:
    notice = session.get(NoticeRow, notice_id)
    if notice is None:
        raise HTTPException(404, "通知不存在 / notice not found")
    return notice


def _review(
    request: Request,
    session: SessionDep,
    notice: NoticeRow,
    *,
    errors: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    detail = notice_detail(session=session, notice=notice)
    context: dict[str, Any] = {
        "d": detail,
        "errors": errors or {},
        "messages": [_DONE[done]] if done in _DONE else [],
        "value_text": value_text,
        "describe": describe_correction,
        **_choices(),
    }
    return render(request, "admin/notice.html", context, status_code=status_code)


@router.get("/notices/{notice_id}")
def review(
    request: Request, session: SessionDep, _: AdminPage, notice_id: PathId, done: str | None = None
) -> Response:
    return _review(request, session, _notice(session, notice_id), done=done)


@router.post("/notices/{notice_id}/publish")
def publish(
    request: Request, session: SessionDep, settings: SettingsDep, _: AdminPage, notice_id: PathId
) -> Response:
    notice = _notice(session, notice_id)
    set_status(
        session=session, notice=notice, status="published", now=request_now(request), settings=settings
    )
    return _redirect(f"/admin/notices/{notice_id}?done=published")


@router.post("/notices/{notice_id}/unpublish")
def unpublish(
    request: Request, session: SessionDep, settings: SettingsDep, _: AdminPage, notice_id: PathId
) -> Response:
    notice = _notice(session, notice_id)
    set_status(session=session, notice=notice, status="draft", now=request_now(request), settings=settings)
    return _redirect(f"/admin/notices/{notice_id}?done=unpublished")


def _apply_form(
    request: Request,
    session: SessionDep,
    form: FormData,
    notice_id: int,
    target: str,
    action: str,
    row_id: int | None,
) -> Response:
    notice = _notice(session, notice_id)
    row: DeadlineRow | ConditionRow | None = None
    if row_id is not None:
        row = session.get(DeadlineRow, row_id) if target == "deadline" else session.get(ConditionRow, row_id)
        if row is None or row.notice_id != notice_id:
            raise HTTPException(404, "该通知没有这一项 / not in this notice")
    form_id = f"{target[0]}{row_id}" if row_id is not None else f"add-{target}"
    values: dict[str, Any] = {}
    if action != "delete" and target == "deadline":
        values = deadline_values(form, row if isinstance(row, DeadlineRow) else None)
    elif action != "delete":
        values = condition_values(form, row if isinstance(row, ConditionRow) else None)
    selector = selector_for(row) if row is not None else {}
    return _correct(request, session, form, notice, (target, action, selector, values), form_id, form_id)


@router.post("/notices/{notice_id}/deadlines")
def add_deadline(
    request: Request, session: SessionDep, _: AdminPage, form: FormDep, notice_id: PathId
) -> Response:
    return _apply_form(request, session, form, notice_id, "deadline", "add", None)


@router.post("/notices/{notice_id}/deadlines/{row_id}")
def set_deadline(
    request: Request, session: SessionDep, _: AdminPage, form: FormDep, notice_id: PathId, row_id: PathId
) -> Response:
    return _apply_form(request, session, form, notice_id, "deadline", "set", row_id)


@router.post("/notices/{notice_id}/deadlines/{row_id}/delete")
def delete_deadline(
    request: Request, session: SessionDep, _: AdminPage, form: FormDep, notice_id: PathId, row_id: PathId
) -> Response:
    return _apply_form(request, session, form, notice_id, "deadline", "delete", row_id)


@router.post("/notices/{notice_id}/conditions")
def add_condition(
    request: Request, session: SessionDep, _: AdminPage, form: FormDep, notice_id: PathId
) -> Response:
    return _apply_form(request, session, form, notice_id, "condition", "add", None)


@router.post("/notices/{notice_id}/conditions/{row_id}")
def set_condition(
    request: Request, session: SessionDep, _: AdminPage, form: FormDep, notice_id: PathId, row_id: PathId
) -> Response:
    return _apply_form(request, session, form, notice_id, "condition", "set", row_id)


@router.post("/notices/{notice_id}/conditions/{row_id}/delete")
def delete_condition(
    request: Request, session: SessionDep, _: AdminPage, form: FormDep, notice_id: PathId, row_id: PathId
) -> Response:
    return _apply_form(request, session, form, notice_id, "condition", "delete", row_id)


# ── benefits, how to apply, contacts (issue 13) ────────────────────────────────────────────


def _apply_fact_form(
    request: Request,
    session: SessionDep,
    form: FormData,
    notice_id: int,
    target: str,
    action: str,
    number: int | None,
) -> Response:
    """A correction of the ``number``-th (1-based, as the page lists them) benefit, step or contact, or an added one."""
    if target not in FACT_TARGETS:
        raise HTTPException(404, "没有这一类信息 / no such kind of fact")
    notice = _notice(session, notice_id)
    items = notice_facts(notice)[_FACT_FIELDS[target]]
    current = None
    if number is not None:
        if number > len(items):
            raise HTTPException(404, "该通知没有这一项 / not in this notice")
        current = items[number - 1]
    form_id = f"{target}-{number}" if number is not None else f"add-{target}"
    values = fact_values(target, form, current) if action != "delete" else {}
    selector = fact_selector(target, current) if current is not None else {}
    anchor = form_id if number else target
    return _correct(request, session, form, notice, (target, action, selector, values), form_id, anchor)


@router.post("/notices/{notice_id}/facts/{target}")
def add_fact(
    request: Request, session: SessionDep, _: AdminPage, form: FormDep, notice_id: PathId, target: str
) -> Response:
    return _apply_fact_form(request, session, form, notice_id, target, "add", None)


@router.post("/notices/{notice_id}/facts/{target}/{number}")
def set_fact(
    request: Request,
    session: SessionDep,
    _: AdminPage,
    form: FormDep,
    notice_id: PathId,
    target: str,
    number: PathId,
) -> Response:
    return _apply_fact_form(request, session, form, notice_id, target, "set", number)


@router.post("/notices/{notice_id}/facts/{target}/{number}/delete")
def delete_fact(
    request: Request,
    session: SessionDep,
    _: AdminPage,
    form: FormDep,
    notice_id: PathId,
    target: str,
    number: PathId,
) -> Response:
    return _apply_fact_form(request, session, form, notice_id, target, "delete", number)


def _correct(
    request: Request,
    session: SessionDep,
    form: FormData,
    notice: NoticeRow,
    change: tuple[str, str, dict[str, Any], dict[str, Any]],
    form_id: str,
    anchor: str,
) -> Response:
    """Record one correction (target, action, selector, values); on a refused value show the review
    page again with the message under the form that sent it."""
    target, action, selector, values = change
    notice_id = notice.id or 0
    try:
        correct(
            session=session,
            notice=notice,
            target=target,
            action=action,
            selector=selector,
            values=values,
            author=operator_name(request),
            note=str(form.get("note") or "") or None,
            now=request_now(request),
            settings=request.app.state.settings,
        )
    except CorrectionError as exc:
        session.rollback()
        return _review(
            request, session, _notice(session, notice_id), errors={form_id: exc.message}, status_code=422
        )
    return _redirect(f"/admin/notices/{notice_id}?done=corrected#{anchor}")
