"""The schema under Alembic on every backend: upgrade, round trip, models ⇔ migrations, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from reminder.db.engine import make_engine
from reminder.db.migrate import (
    OUT_OF_DATE,
    check_schema,
    current_revision,
    downgrade,
    head_revision,
    make_revision,
    upgrade,
)
from reminder.errors import StorageError

TABLES = {
    "documents",
    "notices",
    "deadlines",
    "conditions",
    "notice_changes",
    "companies",
    "matches",
    "match_counts",
    "match_counts_pending",
    "verdicts",
    "channels",
    "reminders",
    "deliveries",
    "corrections",
    "worker_leases",
    "job_runs",
    "admin_sessions",
    "ratelimit_hits",
    "sources",
}


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def _diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        return compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )


def test_empty_database_is_refused_then_upgraded_to_head(empty_engine) -> None:
    assert current_revision(empty_engine) is None
    with pytest.raises(StorageError, match=r"no schema yet .*run `reminder db upgrade`"):
        check_schema(empty_engine)

    assert upgrade(empty_engine) == head_revision()
    assert check_schema(empty_engine) == head_revision()
    assert _tables(empty_engine) == TABLES


def test_downgrade_and_upgrade_round_trip(empty_engine) -> None:
    db = empty_engine
    upgrade(db)
    assert downgrade(db, "base") is None
    assert _tables(db) == set()
    assert upgrade(db) == head_revision()
    assert _tables(db) == TABLES
    assert _diff(db) == []


def test_models_and_migrations_agree(empty_engine) -> None:
    upgrade(empty_engine)
    diff = _diff(empty_engine)
    assert diff == [], f"the models changed without a migration: run `reminder db revision -m '…'`\n{diff}"


def test_the_agreement_check_sees_a_missing_migration(empty_engine) -> None:
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_deadlines_at"))
    assert [d[0] for d in _diff(empty_engine)] == ["add_index"]


def test_database_behind_the_code_is_out_of_date(empty_engine, newer_code) -> None:
    shipped, newer = newer_code
    db = empty_engine
    upgrade(db, shipped)
    with pytest.raises(StorageError) as caught:
        check_schema(db)
    assert str(caught.value).startswith(OUT_OF_DATE)
    assert f"at {shipped}, this version of reminder needs {newer}" in str(caught.value)

    assert upgrade(db) == newer
    assert check_schema(db) == newer
    assert "probe" in _tables(db)


def test_database_ahead_of_the_code_is_named(empty_engine) -> None:
    db = empty_engine
    upgrade(db)
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StorageError, match="unknown to this version of reminder"):
        check_schema(db)


def test_a_postgresql_server_too_old_is_refused_before_any_migration(empty_engine) -> None:
    if empty_engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL server's version")
    with empty_engine.connect():
        pass  # the dialect reads the server's version on the first connection
    real = empty_engine.dialect.server_version_info
    assert real is not None and real >= (14,), "the test server itself is recent enough"
    empty_engine.dialect.server_version_info = (13, 9)  # what an older server reports
    try:
        with pytest.raises(StorageError, match=r"PostgreSQL 14 or later is required, this server is 13\.9"):
            upgrade(empty_engine)
    finally:
        empty_engine.dialect.server_version_info = real
    assert current_revision(empty_engine) is None, "nothing migrated"
    assert upgrade(empty_engine) == head_revision()


def test_unreachable_server_is_a_storage_error_without_the_password() -> None:
    engine = make_engine("postgresql://postgres:s3cret@127.0.0.1:1/reminder?connect_timeout=2")
    try:
        with pytest.raises(StorageError, match="cannot connect to the database") as caught:
            check_schema(engine)
    finally:
        engine.dispose()
    assert "s3cret" not in str(caught.value)
    assert "postgresql+psycopg://postgres:***@127.0.0.1:1/reminder" in str(caught.value)


def test_sqlite_file_gets_its_directory_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "reminder.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
    assert path.exists()


def test_default_database_is_sqlite_under_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_DATA_DIR", str(tmp_path / "var"))
    engine = make_engine()
    try:
        assert upgrade(engine) == head_revision()
    finally:
        engine.dispose()
    assert (tmp_path / "var" / "reminder.db").exists()


def test_make_revision_writes_the_next_numbered_script(scripts_copy: Path, tmp_path: Path) -> None:
    shipped = head_revision()
    path = make_revision("nothing changed")

    assert path.parent == scripts_copy / "versions"
    assert path.name == f"{int(shipped) + 1:04d}_nothing_changed.py"
    source = path.read_text(encoding="utf-8")
    assert f"down_revision: str | Sequence[str] | None = '{shipped}'" in source
    upgrade_body = source.split("def upgrade() -> None:")[1].split("def downgrade")[0]
    assert "op." not in upgrade_body and "pass" in upgrade_body, "models and migrations agree: nothing to do"
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert upgrade(engine) == head_revision() == path.name[:4]
    finally:
        engine.dispose()
