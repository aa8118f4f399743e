"""The public surface of reminder.db: what other packages may import."""

from __future__ import annotations

import reminder.db


def test_exported_members() -> None:
    assert sorted(reminder.db.__all__) == [
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
    assert all(hasattr(reminder.db, name) for name in reminder.db.__all__)
