"""Operator pages for the watched sources (issue 17), under ``/admin/sources``.

/admin/sources ─────────────── every source with its health (flagged first); the add form
   POST action=test ────────── "测试": the list page read now, shown above the form (nothing saved)
   POST action=save ────────── added (errors under their fields)
/admin/sources/discover ────── "发现栏目": a home page's notice columns, each previewed, each with 添加
/admin/sources/{id} ────────── health, edit form (测试 / 保存), pause / resume, 测试 of the stored source

Every outgoing fetch goes through the Fetcher (robots.txt, one request per host, the address guard).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select
from starlette.datastructures import FormData
from starlette.responses import Response

from reminder.db.source_models import SourceRow
from reminder.db.source_store import SourceExists, add_source, get_source, list_sources, set_enabled, spec_of
from reminder.web.admin.common import AdminPage, PathId, render, request_now
from reminder.web.admin.source_forms import (
    HINT_LABELS,
    LEVEL_LABELS,
    TRUST_LABELS,
    PreviewView,
    apply_spec,
    check_source,
    row_values,
    run_discover,
    run_preview,
)
from reminder.web.deps import SessionDep

__all__ = ["router", "flagged_sources"]

router = APIRouter(prefix="/admin/sources", include_in_schema=False)

_DONE = {
    "added": "来源已添加，将在下一轮轮询时读取",
    "saved": "来源已保存",
    "paused": "已暂停轮询（状态与健康记录保留）",
    "resumed": "已恢复轮询，将尽快读取一次",
}
_BLANK: dict[str, Any] = {
    "level": "municipal",
    "trust": "review",
    "interval_hours": "6",
    "enabled": True,
    "hints": {},
}


async def _form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, read before the (synchronous) route runs in the thread pool."""
    form = await request.form(max_files=0, max_fields=50)
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(_form)]


def flagged_sources(*, session: Session) -> Sequence[SourceRow]:
    """Sources an operator should look at (template changed, failing), for the dashboard: one query."""
    return session.exec(
        select(SourceRow).where(col(SourceRow.flagged).is_not(None)).order_by(col(SourceRow.id))
    ).all()


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: str(form.get(k) or "") for k in ("name", "issuer", "region", "level", "url", "trust")
    }
    values["interval_hours"] = str(form.get("interval_hours") or "")
    values["enabled"] = form.get("enabled") in ("on", "1", "true")
    values["hints"] = {k: str(form.get(f"hint_{k}") or "") for k in HINT_LABELS}
    return values


def _labels() -> dict[str, Any]:
    return {"levels": LEVEL_LABELS, "trusts": TRUST_LABELS, "hint_labels": HINT_LABELS}


def _list_page(
    request: Request,
    session: Session,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    preview: PreviewView | None = None,
    discovered: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "rows": list_sources(session=session),
        "values": values or dict(_BLANK),
        "errors": errors or {},
        "preview": preview,
        "discovered": discovered,
        **_labels(),
    }
    return render(request, "admin/sources.html", context, status_code=status_code)


@router.get("")
def sources(request: Request, session: SessionDep, _: AdminPage) -> Response:
    return _list_page(request, session)


@router.post("")
def add(request: Request, session: SessionDep, _: AdminPage, form: FormDep) -> Response:
    values = _values(form)
    spec, errors = check_source(values)
    if spec is None:
        return _list_page(request, session, values=values, errors=errors, status_code=422)
    now = request_now(request)
    if form.get("action") == "test":
        preview = run_preview(spec, request.app, now)
        return _list_page(request, session, values=values, preview=preview)
    try:
        row = add_source(session=session, spec=spec, now=now)
    except SourceExists:
        errors = {"url": "该列表页已在监测中，请在列表中找到它编辑"}
        return _list_page(request, session, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/admin/sources/{row.id}?done=added", status_code=303)


@router.post("/discover")
def discover_columns(request: Request, session: SessionDep, _: AdminPage, form: FormDep) -> Response:
    home = str(form.get("home_url") or "").strip()
    defaults = {k: str(form.get(k) or "").strip() for k in ("issuer", "region", "level")}
    columns, problem = run_discover(home, request.app, request_now(request))
    if problem is None and not columns:
        problem = "首页上没有找到“通知公告”“项目申报”等栏目链接，请直接填写列表页网址"
    discovered = {"home_url": home, "columns": columns, "error": problem, **defaults}
    return _list_page(request, session, discovered=discovered, status_code=422 if problem else 200)


def _source(session: Session, source_id: int) -> SourceRow:
    row = get_source(session=session, source_id=source_id)
    if row is None:
        raise HTTPException(404, "来源不存在")
    return row


def _source_page(
    request: Request,
    row: SourceRow,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    preview: PreviewView | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "s": row,
        "values": values or row_values(row),
        "errors": errors or {},
        "preview": preview,
        "messages": [_DONE[done]] if done in _DONE else [],
        **_labels(),
    }
    return render(request, "admin/source.html", context, status_code=status_code)


@router.get("/{source_id}")
def source(
    request: Request, session: SessionDep, _: AdminPage, source_id: PathId, done: str | None = None
) -> Response:
    return _source_page(request, _source(session, source_id), done=done)


@router.post("/{source_id}")
def edit(request: Request, session: SessionDep, _: AdminPage, form: FormDep, source_id: PathId) -> Response:
    row = _source(session, source_id)
    values = _values(form)
    spec, errors = check_source(values)
    if spec is None:
        return _source_page(request, row, values=values, errors=errors, status_code=422)
    now = request_now(request)
    if form.get("action") == "test":
        return _source_page(request, row, values=values, preview=run_preview(spec, request.app, now))
    try:
        apply_spec(session=session, row=row, spec=spec, now=now)
    except SourceExists as exc:
        session.rollback()
        return _source_page(
            request, _source(session, source_id), values=values, errors={"url": exc.args[0]}, status_code=422
        )
    return RedirectResponse(f"/admin/sources/{source_id}?done=saved", status_code=303)


@router.post("/{source_id}/test")
def test_stored(request: Request, session: SessionDep, _: AdminPage, source_id: PathId) -> Response:
    row = _source(session, source_id)
    try:
        spec = spec_of(row)
    except ValueError as exc:  # a hand-edited row the checks refuse
        return _source_page(request, row, preview=PreviewView(row.url, error=str(exc)))
    return _source_page(request, row, preview=run_preview(spec, request.app, request_now(request)))


@router.post("/{source_id}/pause")
def pause(request: Request, session: SessionDep, _: AdminPage, source_id: PathId) -> Response:
    _source(session, source_id)
    set_enabled(session=session, source_id=source_id, enabled=False, now=request_now(request))
    return RedirectResponse(f"/admin/sources/{source_id}?done=paused", status_code=303)


@router.post("/{source_id}/resume")
def resume(request: Request, session: SessionDep, _: AdminPage, source_id: PathId) -> Response:
    _source(session, source_id)
    set_enabled(session=session, source_id=source_id, enabled=True, now=request_now(request))
    return RedirectResponse(f"/admin/sources/{source_id}?done=resumed", status_code=303)
