"""Verdicts recorded one at a time (``save_match``) show on the admin dashboard as matching's own do:
the kept counts follow every change, and agree with a fresh count of the matches."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlmodel import Session, select

from reminder.companies import create_company, save_match
from reminder.db import save_document
from reminder.db.match_counts import rebuild_counts
from reminder.db.models import CompanyCreate, MatchCount
from reminder.model import TZ, Deadline, Document, Notice
from reminder.web.admin.queries import companies_by_matches

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)


def _notices(session: Session, count: int) -> list[int]:
    ids: list[int] = []
    for n in range(count):
        notice = Notice(
            title=f"关于组织申报第{n + 1}批专项资金的通知",
            level="provincial",
            published=NOW.date(),
            deadlines=(Deadline(dt.date(2025, 4, 30), None, "application", "4月30日前提交"),),
        )
        doc = Document(
            source=f"https://example.gov.cn/{n}.html",
            text="正文" * 20,
            notices=(notice,),
            content_hash=secrets.token_hex(32),
        )
        ids += save_document(session=session, doc=doc, now=NOW).notice_ids
    return ids


def _shown(session: Session) -> dict[str, tuple[int, int]]:
    """What the dashboard lists: company name → (eligible, possibly eligible)."""
    return {c.name: (e, p) for c, e, p in companies_by_matches(session=session)}


def _kept(session: Session) -> dict[int, tuple[int, int, int]]:
    return {c.company_id: (c.eligible, c.possible, c.total) for c in session.exec(select(MatchCount)).all()}


def test_save_match_keeps_the_dashboard_counts(session: Session) -> None:
    first, second = _notices(session, 2)
    company = create_company(session=session, company_in=CompanyCreate(name="湖州青禾科技有限公司"), now=NOW)
    assert company.id is not None

    save_match(session=session, company_id=company.id, notice_id=first, status="eligible", evaluated_at=NOW)
    assert _shown(session) == {"湖州青禾科技有限公司": (1, 0)}

    save_match(
        session=session, company_id=company.id, notice_id=second, status="possibly_eligible",
        missing=["headcount"], evaluated_at=NOW,
    )  # fmt: skip
    assert _shown(session) == {"湖州青禾科技有限公司": (1, 1)}

    # the verdict on the first notice changes: the count moves, it is not added twice
    save_match(
        session=session, company_id=company.id, notice_id=first, status="not_eligible", evaluated_at=NOW
    )
    assert _shown(session) == {"湖州青禾科技有限公司": (0, 1)}

    kept = _kept(session)
    rebuild_counts(session)
    assert kept == _kept(session) == {company.id: (0, 1, 1)}
