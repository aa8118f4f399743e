"""The admin JSON API under ``/api/admin/``: ingest, review, correct, publish; dashboard data.

Every route needs the admin token (``Authorization: Bearer …``): 401 without one, 403 with any other
(a company's token included), before anything else is read. Bad input is a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError

from reminder.corrections.service import describe_correction, fact_selector, selector_for
from reminder.corrections.values import (
    APPLY_STEP_KEYS,
    BENEFIT_KEYS,
    CONDITION_KEYS,
    CONTACT_KEYS,
    DEADLINE_KEYS,
    NOTICE_KEYS,
)
from reminder.db.models import (
    ConditionRow,
    Correction,
    DeadlineRow,
    NoticeRow,
    Reminder,
)
from reminder.db.rows import notice_facts
from reminder.errors import CorrectionError
from reminder.web.admin.actions import (
    IngestReport,
    Upload,
    correct,
    ingest_inputs,
    is_url,
    requeue_reminder,
    set_status,
)
from reminder.web.admin.common import PathId, request_now
from reminder.web.admin.queries import (
    companies_by_matches,
    failed_deliveries,
    list_notices,
    notice_detail,
)
from reminder.web.api.admin_schemas import (
    AdminNoticeOut,
    CompanyMatches,
    CorrectionIn,
    CorrectionOut,
    DeliveryOut,
    IngestedNoticeOut,
    IngestFailure,
    IngestOut,
    NextDeadline,
    NoticeListItem,
    ReminderOut,
)
from reminder.web.api.schemas import (
    ApplyStepOut,
    AttachmentOut,
    BenefitOut,
    ConditionOut,
    ContactOut,
    DeadlineOut,
)
from reminder.web.deps import SessionDep, SettingsDep, require_admin

__all__ = ["router", "correction_out", "ingest_out", "MAX_FILES"]

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])

#: files per ingest request
MAX_FILES = 20
_DENIED: dict[int | str, dict[str, Any]] = {
    401: {"description": "no admin token"},
    403: {"description": "wrong token"},
}


def correction_out(c: Correction) -> CorrectionOut:
    return CorrectionOut(
        id=c.id or 0,
        notice_key=c.notice_key,
        target=c.target,
        action=c.action,
        selector=c.selector,
        values=c.values,
        author=c.author,
        note=c.note,
        created_at=c.created_at,
        summary=describe_correction(c),
    )


def ingest_out(report: IngestReport) -> IngestOut:
    s = report.summary
    return IngestOut(
        documents=s.documents,
        notices=s.notices,
        deadlines=s.deadlines,
        duplicates=s.duplicates,
        changes=s.changes,
        failures=[IngestFailure(source=src, reason=why) for src, why in s.failures],
        skipped=[IngestFailure(source=src, reason=why) for src, why in s.skipped],
        stored=[
            IngestedNoticeOut(id=n.id, title=n.title, status=n.status, source=n.source)
            for n in report.notices
        ],
    )


def _notice(session: SessionDep, notice_id: PathId) -> NoticeRow:
    notice = session.get(NoticeRow, notice_id)
    if notice is None:
        raise HTTPException(404, "通知不存在 / notice not found")
    return notice


NoticeDep = Annotated[NoticeRow, Depends(_notice)]


def _invalid(loc: list[str | int], message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ["body", *loc], "msg": message, "type": "value_error"}])


def _read_uploads(files: list[UploadFile], max_bytes: int) -> list[Upload]:
    uploads = []
    for f in files:
        with f.file:  # one byte over the limit is enough to refuse a file
            uploads.append(Upload(name=f.filename or "upload", data=f.file.read(max_bytes + 1)))
    return uploads


# Starlette's 1 MB part limit refused pasted text in English; the request-size limit (reminder.web.bodylimit)
# bounds a part, and the endpoint refuses text over the document limit in Chinese, as the HTML form does
def _check_text_size(text: str | None, max_bytes: int) -> None:
    size = len(text.encode("utf-8")) if text else 0
    if size > max_bytes:
        raise HTTPException(
            413,
            f"粘贴的文本过大（{size} 字节，上限 {max_bytes} 字节，与上传文件相同）/ "
            f"pasted text too large ({size} bytes, limit {max_bytes})",
        )


@router.post("/ingest", response_model=IngestOut, responses=_DENIED, form_limits={"max_part_size": 2**62})
def ingest(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="txt, pdf, html or docx files")] = [],  # noqa: B006
    text: Annotated[str | None, Form(description="pasted notice text")] = None,
    text_name: Annotated[str | None, Form(max_length=120, description="name of the pasted text")] = None,
    urls: Annotated[list[str], Form(description="http(s) URLs, one per field")] = [],  # noqa: B006
    publish: Annotated[bool, Form(description="publish new notices now instead of as drafts")] = False,
) -> IngestOut:
    """Ingest uploaded files, pasted text and URLs; each input succeeds or fails on its own."""
    _check_text_size(text, settings.max_input_bytes)
    if len(files) > MAX_FILES:
        raise _invalid(["files"], f"一次最多上传 {MAX_FILES} 个文件 / at most {MAX_FILES} files per request")
    urls = [line.strip() for item in urls for line in item.splitlines() if line.strip()]
    for i, url in enumerate(urls):
        if not is_url(url):
            raise _invalid(["urls", i], f"不是 http(s) 网址 / not an http(s) URL: {url[:100]!r}")
    if not files and not (text and text.strip()) and not urls:
        raise _invalid(["files"], "请上传文件、粘贴文本或填写网址 / give files, text or URLs")
    uploads = _read_uploads(files, settings.max_input_bytes)
    report = ingest_inputs(
        session=session,
        settings=settings,
        uploads=uploads,
        text=text,
        text_name=text_name,
        urls=urls,
        publish=publish,
        now=request_now(request),
    )
    return ingest_out(report)


@router.get("/notices", response_model=list[NoticeListItem], responses=_DENIED)
def notices(
    request: Request,
    session: SessionDep,
    status: Literal["published", "draft"] | None = None,
    when: Literal["open", "past", "all"] = "all",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> list[NoticeListItem]:
    """Notices newest first, by status and by open (deadline ahead, or rolling) / past."""
    items = list_notices(
        session=session, now=request_now(request), status=status, when=when, limit=limit, offset=offset
    )
    out = []
    for s in items:
        d = s.next_deadline
        nxt = NextDeadline(date=d.date, time=d.time, at=d.at, kind=d.kind) if d else None
        n = s.notice
        out.append(
            NoticeListItem(
                id=n.id or 0,
                title=n.title,
                status=n.status,
                level=n.level,
                issuer=n.issuer,
                published=n.published,
                open=s.open,
                next_deadline=nxt,
                updated_at=n.updated_at,
            )
        )
    return out


def _notice_out(session: SessionDep, notice: NoticeRow) -> AdminNoticeOut:
    d = notice_detail(session=session, notice=notice)
    return AdminNoticeOut(
        **notice.model_dump(exclude={"benefits", "how_to_apply", "contacts", "attachments"}),
        benefits=[BenefitOut.model_validate(x.to_json()) for x in d.benefits],
        how_to_apply=[ApplyStepOut.model_validate(x.to_json()) for x in d.how_to_apply],
        contacts=[ContactOut.model_validate(x.to_json()) for x in d.contacts],
        attachments=[AttachmentOut.model_validate(x.to_json()) for x in d.attachments],
        source=d.document.source if d.document else None,
        deadlines=[DeadlineOut.model_validate(x) for x in d.deadlines],
        conditions=[ConditionOut.model_validate(x) for x in d.conditions],
        source_text=d.source_text,
        source_offset=d.source_offset,
        corrections=[correction_out(c) for c in d.corrections],
    )


@router.get(
    "/notices/{notice_id}",
    response_model=AdminNoticeOut,
    responses={**_DENIED, 404: {"description": "no such notice"}},
)
def notice(session: SessionDep, notice: NoticeDep) -> AdminNoticeOut:
    """One notice with its current deadlines, conditions, source text and corrections."""
    return _notice_out(session, notice)


@router.post("/notices/{notice_id}/publish", response_model=AdminNoticeOut, responses={**_DENIED, 404: {}})
def publish(
    request: Request, session: SessionDep, settings: SettingsDep, notice: NoticeDep
) -> AdminNoticeOut:
    """Publish: companies are matched against it and reminders planned."""
    set_status(
        session=session, notice=notice, status="published", now=request_now(request), settings=settings
    )
    return _notice_out(session, notice)


@router.post("/notices/{notice_id}/unpublish", response_model=AdminNoticeOut, responses={**_DENIED, 404: {}})
def unpublish(
    request: Request, session: SessionDep, settings: SettingsDep, notice: NoticeDep
) -> AdminNoticeOut:
    """Back to draft: no longer shown to companies nor reminded."""
    set_status(session=session, notice=notice, status="draft", now=request_now(request), settings=settings)
    return _notice_out(session, notice)


#: fact target → the NoticeDetail field listing those facts (issue 13)
_FACT_FIELDS: dict[str, str] = {"benefit": "benefits", "how_to_apply": "how_to_apply", "contact": "contacts"}
FACT_KEYS: tuple[str, ...] = (*BENEFIT_KEYS, *APPLY_STEP_KEYS, *CONTACT_KEYS)


def _fact_selector(notice: NoticeRow, body: Any) -> dict[str, Any]:
    items = notice_facts(notice)[_FACT_FIELDS[body.target]]
    if body.number is None or body.number > len(items):
        raise _invalid([body.target, "number"], "该通知没有这一项 / not in this notice")
    return fact_selector(body.target, items[body.number - 1])


def _selector(session: SessionDep, notice: NoticeRow, body: Any) -> dict[str, Any]:
    if body.target == "notice" or body.action == "add":
        return {}
    if body.target in _FACT_FIELDS:
        return _fact_selector(notice, body)
    name = "deadline_id" if body.target == "deadline" else "condition_id"
    row_id = getattr(body, name)
    row: DeadlineRow | ConditionRow | None = None
    if row_id is not None:
        row = (
            session.get(DeadlineRow, row_id)
            if body.target == "deadline"
            else session.get(ConditionRow, row_id)
        )
    if row is None or row.notice_id != notice.id or (isinstance(row, DeadlineRow) and not row.active):
        raise _invalid(
            [body.target, name],
            f"该通知没有这个{'截止日期' if body.target == 'deadline' else '条件'} / not in this notice",
        )
    return selector_for(row)


def _error_loc(target: str, field: str) -> list[str | int]:
    """Where a CorrectionError points in the request body."""
    if field == "selector":
        return [target, "number" if target in _FACT_FIELDS else f"{target}_id"]
    if field in (*DEADLINE_KEYS, *CONDITION_KEYS, *NOTICE_KEYS, *FACT_KEYS, "values"):
        return [target, "values", field] if field != "values" else [target, "values"]
    return [target, field]


@router.post(
    "/notices/{notice_id}/corrections",
    response_model=CorrectionOut,
    status_code=201,
    responses={**_DENIED, 404: {"description": "no such notice"}},
)
def correct_notice(
    request: Request, session: SessionDep, settings: SettingsDep, notice: NoticeDep, body: CorrectionIn
) -> CorrectionOut:
    """Correct, add or delete a deadline, condition, benefit, way to apply or contact, or correct the notice.

    The correction is kept (who/when) and re-applied whenever the document is ingested again;
    matching and reminder planning run again for the notice.
    """
    values = body.values.model_dump(exclude_unset=True, mode="json")
    try:
        correction = correct(
            session=session,
            notice=notice,
            target=body.target,
            action=body.action,
            selector=_selector(session, notice, body),
            values=values,
            author=body.author,
            note=body.note,
            now=request_now(request),
            settings=settings,
        )
    except CorrectionError as exc:
        raise _invalid(_error_loc(body.target, exc.field), exc.message) from None
    return correction_out(correction)


@router.get(
    "/notices/{notice_id}/corrections", response_model=list[CorrectionOut], responses={**_DENIED, 404: {}}
)
def corrections(session: SessionDep, notice: NoticeDep) -> list[CorrectionOut]:
    """Every correction of this notice, oldest first, with who made it and when."""
    return [correction_out(c) for c in notice_detail(session=session, notice=notice).corrections]


@router.get("/companies", response_model=list[CompanyMatches], responses=_DENIED)
def companies(session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[CompanyMatches]:
    """Companies by number of matches (eligible + possibly eligible), most first."""
    return [
        CompanyMatches(id=c.id or 0, name=c.name, region_name=c.region_name, eligible=e, possibly_eligible=p)
        for c, e, p in companies_by_matches(session=session, limit=limit)
    ]


@router.get("/deliveries", response_model=list[DeliveryOut], responses=_DENIED)
def deliveries(
    request: Request,
    session: SessionDep,
    failed: bool = False,
    hours: Annotated[int, Query(ge=1, le=24 * 90)] = 24,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[DeliveryOut]:
    """Delivery attempts of the last ``hours`` (24 by default), newest first; ``failed=1`` for failures only."""
    since = request_now(request) - dt.timedelta(hours=hours)
    rows = failed_deliveries(session=session, since=since, failed_only=failed, limit=limit)
    return [
        DeliveryOut(
            id=d.id or 0,
            reminder_id=d.reminder_id,
            at=d.at,
            ok=d.ok,
            attempt=d.attempt,
            status_code=d.status_code,
            latency_ms=d.latency_ms,
            error=d.error,
            channel_kind=ch.kind if ch else None,
            channel_name=ch.name if ch else None,
            company_id=co.id if co else None,
            company_name=co.name if co else None,
        )
        for d, _, ch, co in rows
    ]


@router.post(
    "/reminders/{reminder_id}/requeue", response_model=ReminderOut, responses={**_DENIED, 404: {}, 409: {}}
)
def requeue(request: Request, session: SessionDep, reminder_id: PathId) -> ReminderOut:
    """Send a dead reminder again (only dead ones: 409 otherwise)."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is None:
        raise HTTPException(404, "提醒不存在 / reminder not found")
    if reminder.status != "dead":
        raise HTTPException(
            409,
            f"只有失败的提醒可以重发 / only dead reminders can be re-queued (this one is {reminder.status})",
        )
    requeue_reminder(session=session, reminder=reminder, now=request_now(request))
    return ReminderOut.model_validate(reminder, from_attributes=True)
