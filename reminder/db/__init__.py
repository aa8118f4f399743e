"""Storage: the database of notices, deadlines, companies and matches, and ingesting documents into it.

    make_engine / session_scope ── engine.py   (SQLite by default, PostgreSQL via psycopg 3)
    upgrade / check_schema ─────── migrate.py  (Alembic scripts in migrations/)
    tables ─────────────────────── models.py
    save_document / list_open_notices … store.py
    companies and matches ──────── companies.py
    ingest_paths ───────────────── ingest.py   (files, directories, URLs → store)
    reminder db … / reminder ingest  cli.py    (``register(app)``)
"""

from reminder.db.companies import (
    create_company,
    get_company,
    get_match,
    list_companies,
    save_match,
    update_company,
)
from reminder.db.engine import make_engine, session_scope
from reminder.db.ingest import IngestSummary, ingest_paths
from reminder.db.migrate import check_schema, current_revision, downgrade, head_revision, upgrade
from reminder.db.models import (
    Company,
    CompanyCreate,
    CompanyPublic,
    CompanyUpdate,
    ConditionRow,
    DeadlineRow,
    DocumentRow,
    Match,
    NoticeChange,
    NoticePublic,
    NoticeRow,
)
from reminder.db.store import (
    IngestResult,
    get_notice,
    get_notice_by_key,
    list_changes,
    list_conditions,
    list_deadlines,
    list_open_notices,
    notice_key,
    save_document,
    to_notice,
)

__all__ = [
    "Company",
    "CompanyCreate",
    "CompanyPublic",
    "CompanyUpdate",
    "ConditionRow",
    "DeadlineRow",
    "DocumentRow",
    "IngestResult",
    "IngestSummary",
    "Match",
    "NoticeChange",
    "NoticePublic",
    "NoticeRow",
    "check_schema",
    "create_company",
    "current_revision",
    "downgrade",
    "get_company",
    "get_match",
    "get_notice",
    "get_notice_by_key",
    "head_revision",
    "ingest_paths",
    "list_changes",
    "list_companies",
    "list_conditions",
    "list_deadlines",
    "list_open_notices",
    "make_engine",
    "notice_key",
    "save_document",
    "save_match",
    "session_scope",
    "to_notice",
    "update_company",
    "upgrade",
]
