"""The public surface of reminder.db and the packages above it: what other packages may import."""

from __future__ import annotations

import reminder.companies
import reminder.corrections
import reminder.db
import reminder.matching


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
    assert all(hasattr(reminder.db, name) for name in reminder.db.__all__)


def test_storage_exports_only_storage() -> None:
    assert "ingest_paths" not in reminder.db.__all__
    assert "create_company" not in reminder.db.__all__


def test_service_packages_export_what_they_name() -> None:
    for package in (reminder.companies, reminder.corrections, reminder.matching):
        assert all(hasattr(package, name) for name in package.__all__), package.__name__
    assert {"register_company", "import_profiles", "create_company"} <= set(reminder.companies.__all__)
    assert {"add_correction", "save_corrected"} <= set(reminder.corrections.__all__)
    assert {"match_notice", "match_company", "company_matches"} <= set(reminder.matching.__all__)
