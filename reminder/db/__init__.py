"""Storage only: the database of documents, notices, deadlines, conditions, companies and matches.

    make_engine / session_scope ── engine.py   (SQLite by default, PostgreSQL via psycopg 3)
    upgrade / check_schema ─────── migrate.py  (Alembic scripts in migrations/)
    tables ─────────────────────── models.py
    save_document / list_open_notices … store.py
    Notice ⇄ rows, keys, deadline versions  rows.py, keys.py, versions.py

Nothing here imports the packages above it: companies, corrections, matching, ingest and
``workflow`` use storage, never the other way round.
"""

from reminder.db.engine import make_engine, session_scope
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
from reminder.db.source_models import SourceRow
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
    "Match",
    "NoticeChange",
    "NoticePublic",
    "NoticeRow",
    "SourceRow",
    "check_schema",
    "current_revision",
    "downgrade",
    "get_notice",
    "get_notice_by_key",
    "head_revision",
    "list_changes",
    "list_conditions",
    "list_deadlines",
    "list_open_notices",
    "make_engine",
    "notice_key",
    "save_document",
    "session_scope",
    "to_notice",
    "upgrade",
]
