"""Matching: verdicts of companies against notices, kept up to date as either side changes.

    match_notice / match_company / match_new_companies ── service.py
    company_matches (a company's verdicts, judged afresh) ── company_verdicts.py, company_view.py
    SQL pre-filter and bulk judging of candidates ─── _bulk_judge.py, _notice_match.py
    one company against the open notices ──────────── _profile_judge.py
    what a notice's conditions and region need ────── _match_notices.py
    stored verdicts (bulk upsert, deletions) ──────── _match_rows.py
    each company's counted verdicts (dashboard) ───── reminder.db.match_counts
    distinct verdicts stored once ─────────────────── reminder.db.verdicts

Reads notices and profiles from storage (``reminder.db``, ``reminder.companies``), judges them with the
engine (``reminder.rules``) and stores the verdicts. Nothing here commits.
"""

from reminder.matching.company_verdicts import CompanyVerdicts, company_matches, company_verdicts
from reminder.matching.service import (
    VERDICT_ORDER,
    MatchStats,
    MatchView,
    match_company,
    match_new_companies,
    match_notice,
)

__all__ = [
    "MatchStats",
    "MatchView",
    "VERDICT_ORDER",
    "match_notice",
    "match_company",
    "match_new_companies",
    "company_matches",
    "company_verdicts",
    "CompanyVerdicts",
]
