"""The sources API under ``/api/admin/sources`` (issue 17): list, add, change, pause, test, discover.

Admin token required (401 without, 403 with another). A field that breaks a rule is a 422 at that field
with a Chinese message, the same checks as the admin pages. Tests and discovery fetch through the
Fetcher (robots.txt, politeness, the address guard); a page that cannot be read is reported in the
answer's ``error``, not as a server error.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from reminder.db.source_models import SourceRow
from reminder.db.source_store import SourceExists, add_source, get_source, list_sources, spec_of
from reminder.sources import SourceSpec
from reminder.web.admin.common import PathId, request_now
from reminder.web.admin.source_forms import (
    PreviewView,
    apply_spec,
    check_source,
    row_values,
    run_discover,
    run_preview,
)
from reminder.web.api.source_schemas import (
    ColumnOut,
    DiscoverIn,
    PreviewItemOut,
    PreviewOut,
    SourceIn,
    SourceOut,
    SourcePatch,
    SourceTestIn,
)
from reminder.web.deps import SessionDep, require_admin

__all__ = ["router", "source_out", "preview_out"]

router = APIRouter(prefix="/api/admin/sources", tags=["admin"], dependencies=[Depends(require_admin)])

_DENIED: dict[int | str, dict[str, Any]] = {
    401: {"description": "no admin token"},
    403: {"description": "wrong token"},
}
_MISSING: dict[int | str, dict[str, Any]] = {**_DENIED, 404: {"description": "no such source"}}


def source_out(row: SourceRow) -> SourceOut:
    return SourceOut(
        id=row.id or 0,
        name=row.name,
        issuer=row.issuer,
        region=row.region,
        level=row.level,
        url=row.url,
        interval_hours=row.poll_interval_s / 3600,
        enabled=row.enabled,
        trust=row.trust,
        hints={str(k): str(v) for k, v in (row.hints or {}).items()},
        last_poll_at=row.last_poll_at,
        last_success_at=row.last_success_at,
        last_new_item_at=row.last_new_item_at,
        next_poll_at=row.next_poll_at,
        consecutive_failures=row.consecutive_failures,
        last_items=row.last_items,
        last_error=row.last_error,
        flagged=row.flagged,
    )


def preview_out(view: PreviewView) -> PreviewOut:
    return PreviewOut(
        url=view.url,
        ok=view.error is None,
        error=view.error,
        items=[PreviewItemOut(title=i.title, published=i.published, url=i.url) for i in view.items],
        next_url=view.next_url,
    )


def _invalid(errors: dict[str, str]) -> RequestValidationError:
    """check_source's messages at their places in the body (hint_items → body.hints.items)."""
    return RequestValidationError(
        [
            {
                "loc": ["body", "hints", key[5:]] if key.startswith("hint_") else ["body", key],
                "msg": message,
                "type": "value_error",
            }
            for key, message in errors.items()
        ]
    )


def _checked(values: dict[str, Any]) -> SourceSpec:
    spec, errors = check_source(values)
    if spec is None:
        raise _invalid(errors)
    return spec


def _row(session: SessionDep, source_id: int) -> SourceRow:
    row = get_source(session=session, source_id=source_id)
    if row is None:
        raise HTTPException(404, "来源不存在 / source not found")
    return row


@router.get("", response_model=list[SourceOut], responses=_DENIED)
def sources(session: SessionDep) -> list[SourceOut]:
    """Every source with its health, flagged ones first."""
    return [source_out(row) for row in list_sources(session=session)]


@router.post("", response_model=SourceOut, status_code=201, responses=_DENIED)
def add(request: Request, session: SessionDep, body: SourceIn) -> SourceOut:
    """Watch a new list page (due at once). A URL already watched is a 422 at ``url``."""
    values = body.model_dump()
    values["hints"] = body.hints.model_dump() if body.hints else {}
    spec = _checked(values)
    try:
        row = add_source(session=session, spec=spec, now=request_now(request))
    except SourceExists:
        raise _invalid({"url": "该列表页已在监测中 / this list page is already watched"}) from None
    return source_out(row)


@router.post("/test", response_model=PreviewOut, responses=_DENIED)
def test_url(request: Request, body: SourceTestIn) -> PreviewOut:
    """Read a list page now and say what a source would find: titles, dates, links, next page."""
    hints = body.hints.model_dump() if body.hints else {}
    values = {"name": "试读", "issuer": "试读", "region": "试读", "url": body.url, "hints": hints}
    spec = _checked(values)
    return preview_out(run_preview(spec, request.app, request_now(request)))


@router.post("/discover", response_model=list[ColumnOut], responses=_DENIED)
def discover(request: Request, body: DiscoverIn) -> list[ColumnOut]:
    """A department's notice columns, proposed from its home page, each previewed (dated lists first)."""
    columns, problem = run_discover(body.url.strip(), request.app, request_now(request))
    if problem is not None:
        raise _invalid({"url": problem})
    return [
        ColumnOut(name=c.name, url=c.url, looks_like_list=c.looks_like_list, preview=preview_out(c.preview))
        for c in columns
    ]


@router.get("/{source_id}", response_model=SourceOut, responses=_MISSING)
def source(session: SessionDep, source_id: PathId) -> SourceOut:
    return source_out(_row(session, source_id))


@router.patch("/{source_id}", response_model=SourceOut, responses=_MISSING)
def change(request: Request, session: SessionDep, source_id: PathId, body: SourcePatch) -> SourceOut:
    """Change the fields given (poll state and health kept); ``enabled`` pauses or resumes."""
    row = _row(session, source_id)
    values = row_values(row)
    given = body.model_dump(exclude_unset=True)
    if "hints" in given:
        given["hints"] = body.hints.model_dump() if body.hints else {}
    values.update({k: v for k, v in given.items() if v is not None or k == "hints"})
    spec = _checked(values)
    try:
        apply_spec(session=session, row=row, spec=spec, now=request_now(request))
    except SourceExists:
        raise _invalid({"url": "该列表页已在监测中 / this list page is already watched"}) from None
    return source_out(row)


@router.post("/{source_id}/test", response_model=PreviewOut, responses=_MISSING)
def test_source(request: Request, session: SessionDep, source_id: PathId) -> PreviewOut:
    """Read the stored source's list page now, with its hints (nothing stored)."""
    row = _row(session, source_id)
    try:
        spec = spec_of(row)
    except ValueError as exc:  # a hand-edited row
        raise HTTPException(409, f"来源定义无效 / invalid source: {exc}") from None
    return preview_out(run_preview(spec, request.app, request_now(request)))
