"""Companies and their match verdicts: keyword-only CRUD over a session (flushed, not committed)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from reminder.db.match_counts import recount_company
from reminder.db.models import Company, CompanyCreate, CompanyUpdate, Match, utcnow
from reminder.db.verdicts import digest, verdict_ids, verdict_json

__all__ = ["create_company", "get_company", "list_companies", "update_company", "save_match", "get_match"]

log = logging.getLogger(__name__)


def create_company(*, session: Session, company_in: CompanyCreate, now: dt.datetime | None = None) -> Company:
    """Insert a company.

    Raises:
        sqlalchemy.exc.IntegrityError: another company has the same credit code.
    """
    now = now or utcnow()
    company = Company.model_validate(company_in, update={"created_at": now, "updated_at": now})
    session.add(company)
    session.flush()
    return company


def get_company(*, session: Session, company_id: int) -> Company | None:
    """The company with this id, or None."""
    return session.get(Company, company_id)


def list_companies(*, session: Session) -> Sequence[Company]:
    """Every company, oldest first."""
    return session.exec(select(Company).order_by(col(Company.id))).all()


def update_company(
    *, session: Session, company: Company, company_in: CompanyUpdate, now: dt.datetime | None = None
) -> Company:
    """Change the fields ``company_in`` sets (an explicit None clears a field)."""
    company.sqlmodel_update(company_in.model_dump(exclude_unset=True))
    company.updated_at = now or utcnow()
    session.add(company)
    session.flush()
    return company


def get_match(*, session: Session, company_id: int, notice_id: int) -> Match | None:
    """The latest verdict for this company and notice, or None."""
    query = select(Match).where(Match.company_id == company_id, Match.notice_id == notice_id)
    return session.exec(query).first()


def save_match(
    *,
    session: Session,
    company_id: int,
    notice_id: int,
    status: str,
    missing: list[Any] | None = None,
    unmet: list[Any] | None = None,
    trace: Any = None,
    evaluated_at: dt.datetime | None = None,
) -> Match:
    """Record a verdict, replacing the previous one for the same company and notice.

    Args:
        session: the session.
        company_id: the company evaluated.
        notice_id: the notice evaluated against.
        status: the verdict ("eligible", "possible", "ineligible", …).
        missing: profile fields the verdict needed but the company has not given.
        unmet: the conditions not met, JSON-ready.
        trace: the evaluation trace, JSON-ready.
        evaluated_at: when (default now).

    The company's eligible / possibly eligible counts (``match_counts``) are recounted with it.
    """
    match = get_match(session=session, company_id=company_id, notice_id=notice_id)
    verdict = (
        status,
        verdict_json(list(missing or [])),
        verdict_json(list(unmet or [])),
        verdict_json(trace),
    )
    verdict_id = verdict_ids(session.connection(), [(notice_id, verdict)])[notice_id, digest(verdict)]
    if match is None:
        match = Match(company_id=company_id, notice_id=notice_id, status=status, verdict_id=verdict_id)
    match.status = status
    match.verdict_id = verdict_id
    match.evaluated_at = evaluated_at or utcnow()
    session.add(match)
    session.flush()
    recount_company(session, company_id)  # the dashboard reads match_counts, not the matches
    return match
