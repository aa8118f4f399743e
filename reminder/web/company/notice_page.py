"""One published notice as an enterprise reads it: what it offers, how to apply, whom to ask (issue 13).

    GET /notices/{id}   deadlines, conditions (with quotes), every benefit, the ways to apply, the
                        materials to submit, contacts, attachments (linked when the source has a link),
                        and the original page when the notice was read from an http(s) address

Public like ``GET /api/notices/{id}``: nothing about any company; drafts are not found. The company page's
cards and the home page link here.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from reminder.db.models import DocumentRow
from reminder.db.store import get_notice, list_conditions
from reminder.web.company.common import PageRoute, render, request_now
from reminder.web.company.facts import facts_of, safe_url
from reminder.web.company.notice_list import notice_line
from reminder.web.deps import IdPath, SessionDep

__all__ = ["router"]

router = APIRouter(route_class=PageRoute)


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(notice_id: IdPath, request: Request, session: SessionDep) -> Response:
    """The notice with its deadlines, conditions, benefits, how to apply, contacts and attachments."""
    row = get_notice(session=session, notice_id=notice_id)
    if row is None or row.status != "published":
        raise HTTPException(404)
    context = {
        "line": notice_line(session=session, notice=row, now=request_now(request)),
        "conditions": list_conditions(session=session, notice_id=notice_id),
        "facts": facts_of(row),
        # the page it was read from (a watched source's detail page, or an ingested URL): linked when http(s)
        "source_url": safe_url(
            session.exec(select(DocumentRow.source).where(DocumentRow.id == row.document_id)).first()
        ),
    }
    return render(request, "company/notice.html", context)
