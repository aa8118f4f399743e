"""The bundled demo: sample notices and sample companies in the configured database, with links.

    load_samples ── upgrade the schema
                 ├─ ingest reminder/samples/notices/      (same bytes twice → duplicates, nothing new)
                 ├─ register reminder/samples/companies.csv rows not yet registered (by credit code or name)
                 ├─ give each sample company a management token, kept in {data_dir}/demo-tokens.json
                 └─ match and plan (company_changed) for every sample company; with ``as_of``
                    (the demo day of ``serve --as-of``) match as of that day but plan on the real
                    clock, so the dashboard counts matches and nothing is sent for past deadlines

Tokens of the sample companies are kept in a file (mode 0600) next to the SQLite database so that a
second run prints the same links instead of invalidating the bookmarks of the first; a stored token
that no longer matches (rotated on the page) is replaced. Real companies' tokens are never stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.companies.profiles import find_company, register_company
from reminder.config import Settings
from reminder.db.engine import session_scope
from reminder.db.migrate import upgrade
from reminder.db.models import Company, utcnow
from reminder.errors import ProfileError
from reminder.ingest import IngestSummary, ingest_paths
from reminder.matching import match_company
from reminder.notify.outbox import replan_company
from reminder.rules import parse_profile
from reminder.web.deps import hash_token, new_token
from reminder.workflow import company_changed

__all__ = [
    "SAMPLES",
    "SAMPLE_NOTICES",
    "SAMPLE_COMPANIES",
    "DemoCompany",
    "DemoSummary",
    "load_samples",
    "dev_admin_token",
]

log = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_NOTICES = SAMPLES / "notices"
SAMPLE_COMPANIES = SAMPLES / "companies.csv"
_TOKENS_FILE = "demo-tokens.json"
_ADMIN_FILE = "dev-admin-token"


@dataclass(frozen=True)
class DemoCompany:
    """A sample company and its management token."""

    id: int
    name: str
    token: str
    #: registered by this run (False: it was there already)
    created: bool


@dataclass(frozen=True)
class DemoSummary:
    """What a demo load did."""

    notices: IngestSummary
    companies: tuple[DemoCompany, ...]
    #: CSV rows that could not be registered: (line, reason)
    rejected: tuple[tuple[int, str], ...]


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def dev_admin_token(settings: Settings) -> str:
    """The configured admin token, or a development one kept in ``{data_dir}/dev-admin-token``."""
    if settings.admin_token is not None and settings.admin_token.get_secret_value():
        return settings.admin_token.get_secret_value()
    path = settings.data_dir / _ADMIN_FILE
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    token = f"dev-{secrets.token_urlsafe(24)}"
    _write_private(path, token + "\n")
    return token


def _stored_tokens(settings: Settings) -> dict[str, str]:
    path = settings.data_dir / _TOKENS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        log.warning("%s is unreadable: fresh demo tokens will be issued", path)
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _token_for(session: Session, company: Company, stored: dict[str, str]) -> str:
    """The stored token if it still opens the company, else a fresh one (the stored copy is replaced)."""
    key = str(company.id)
    token = stored.get(key)
    if token is None or company.token_hash != hash_token(token):
        token = new_token()
        company.token_hash = hash_token(token)
        session.add(company)
        stored[key] = token
    return token


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [(i, {k: v for k, v in row.items() if k}) for i, row in enumerate(csv.DictReader(fh), start=2)]


def _register(session: Session, row: dict[str, str], now: dt.datetime) -> tuple[Company, bool]:
    """The company the row describes: the one already registered (same credit code or name), or a new one."""
    profile = parse_profile(row)
    for ref in (profile.credit_code, profile.name):
        found = find_company(session=session, ref=ref) if ref else None
        if found is not None:
            return found, False
    return register_company(session=session, data=row, now=now), True


def _match(
    session: Session, company_id: int, now: dt.datetime, as_of: dt.datetime | None, settings: Settings
) -> None:
    if as_of is None:
        company_changed(session=session, company_id=company_id, now=now, settings=settings)
        return
    match_company(session=session, company_id=company_id, now=as_of)
    replan_company(session=session, company_id=company_id, now=now, settings=settings)


def load_samples(
    *, engine: Engine, settings: Settings, now: dt.datetime | None = None, as_of: dt.datetime | None = None
) -> DemoSummary:
    """Load the bundled notices and companies (idempotent) and return each company's link token.

    Args:
        engine: the database (its schema is upgraded first).
        settings: data_dir (token file), limits for ingest.
        now: the instant used for storing and planning (default now).
        as_of: match the companies as on this instant instead (demo of past notices).
    """
    now = now or utcnow()
    upgrade(engine)
    with session_scope(engine) as session:
        notices = ingest_paths([SAMPLE_NOTICES], session=session, settings=settings, now=now)
    stored = _stored_tokens(settings)
    companies: list[DemoCompany] = []
    rejected: list[tuple[int, str]] = []
    for line, row in _rows(SAMPLE_COMPANIES) if SAMPLE_COMPANIES.exists() else []:
        with session_scope(engine) as session:
            try:
                company, created = _register(session, row, now)
            except ProfileError as exc:
                rejected.append((line, "; ".join(exc.errors.values())))
                continue
            token = _token_for(session, company, stored)
            session.flush()
            _match(session, company.id or 0, now, as_of, settings)
            companies.append(DemoCompany(company.id or 0, company.name, token, created))
    _write_private(settings.data_dir / _TOKENS_FILE, json.dumps(stored, ensure_ascii=False, indent=1) + "\n")
    log.info("demo: %d notices, %d companies", notices.notices, len(companies))
    return DemoSummary(notices, tuple(companies), tuple(rejected))
