"""Create the extraction store (documents, notices, deadlines, conditions, notice changes),
companies and their matches.

Revision ID: 0001
Revises:
Create Date: 2025-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One index per (table, column), named ix_<table>_<column> as the models' naming convention does.
_INDEXES = (
    ("companies", "province_code"),
    ("companies", "city_code"),
    ("companies", "district_code"),
    ("companies", "headcount"),
    ("companies", "annual_revenue"),
    ("companies", "total_assets"),
    ("companies", "registered_capital"),
    ("companies", "rd_expense_ratio"),
    ("companies", "rd_staff_ratio"),
    ("notices", "document_id"),
    ("notices", "status"),
    ("deadlines", "notice_id"),
    ("deadlines", "at"),
    ("deadlines", "active"),
    ("conditions", "notice_id"),
    ("conditions", "field"),
    ("notice_changes", "notice_id"),
    ("notice_changes", "changed_at"),
    ("matches", "company_id"),
    ("matches", "notice_id"),
    ("matches", "status"),
)


def _stamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(table: str) -> tuple[SchemaItem, ...]:
    return (sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name=f"pk_{table}"))


def _fk(table: str, column: str, target: str, ondelete: str | None = "CASCADE") -> tuple[SchemaItem, ...]:
    return (
        sa.Column(column, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
        ),
    )


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=f"uq_{table}_{'_'.join(columns)}")


def _quote_span_rule() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
    )


def _documents() -> None:
    op.create_table(
        "documents",
        *_id("documents"),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        _unique("documents", "content_hash"),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _stamp("ingested_at"),
    )


def _notices() -> None:
    op.create_table(
        "notices",
        *_id("notices"),
        *_fk("notices", "document_id", "documents", ondelete=None),
        sa.Column("key", sa.String(length=64), nullable=False),
        _unique("notices", "key"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("policy_only", sa.Boolean(), nullable=False),
        sa.Column("rolling", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
    )


def _deadlines() -> None:
    op.create_table(
        "deadlines",
        *_id("deadlines"),
        *_fk("deadlines", "notice_id", "notices"),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("time", sa.Time(), nullable=True),
        _stamp("at", nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("conditional", sa.Boolean(), nullable=False),
        sa.Column("to_be_announced", sa.Boolean(), nullable=False),
        *_quote_span_rule(),
        sa.Column("active", sa.Boolean(), nullable=False),
    )


def _conditions() -> None:
    op.create_table(
        "conditions",
        *_id("conditions"),
        *_fk("conditions", "notice_id", "notices"),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.Column("hard", sa.Boolean(), nullable=False),
        sa.Column("group", sa.String(length=64), nullable=True),
        *_quote_span_rule(),
    )


def _notice_changes() -> None:
    op.create_table(
        "notice_changes",
        *_id("notice_changes"),
        *_fk("notice_changes", "notice_id", "notices"),
        _stamp("changed_at"),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
    )


def _companies() -> None:
    op.create_table(
        "companies",
        *_id("companies"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        _unique("companies", "credit_code"),
        sa.Column("province_code", sa.String(length=12), nullable=True),
        sa.Column("city_code", sa.String(length=12), nullable=True),
        sa.Column("district_code", sa.String(length=12), nullable=True),
        sa.Column("region_name", sa.String(length=100), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("industry_tags", sa.JSON(), nullable=False),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("annual_revenue", sa.Float(), nullable=True),
        sa.Column("total_assets", sa.Float(), nullable=True),
        sa.Column("registered_capital", sa.Float(), nullable=True),
        sa.Column("rd_expense_ratio", sa.Float(), nullable=True),
        sa.Column("rd_staff_ratio", sa.Float(), nullable=True),
        sa.Column("qualifications", sa.JSON(), nullable=False),
        sa.Column("legal_person", sa.String(length=32), nullable=True),
        sa.Column("credit_ok", sa.Boolean(), nullable=True),
        sa.Column("applicant_type", sa.String(length=32), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
    )


def _matches() -> None:
    op.create_table(
        "matches",
        *_id("matches"),
        *_fk("matches", "company_id", "companies"),
        *_fk("matches", "notice_id", "notices"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("unmet", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        _stamp("evaluated_at"),
        _unique("matches", "company_id", "notice_id"),
    )


def upgrade() -> None:
    for create in (_documents, _notices, _deadlines, _conditions, _notice_changes, _companies, _matches):
        create()
    for table, column in _INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(_INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in (
        "matches",
        "companies",
        "notice_changes",
        "conditions",
        "deadlines",
        "notices",
        "documents",
    ):
        op.drop_table(table)
