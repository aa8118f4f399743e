"""The stored tables, as SQLModel families (``XBase`` → ``X(table=True)`` → ``XPublic``).

    documents ── notices ──┬── deadlines        (old versions kept, ``active`` = False)
                           ├── conditions       (replaced when a new version arrives)
                           └── notice_changes   (deadline added / removed / changed, old → new JSON)
    companies ── matches ── verdicts ── notices (one verdict per company and notice; distinct ones stored once)
    companies ── match_counts                   (eligible / possibly eligible matches, counted)

    companies ── channels ── reminders ── deliveries   (the outbox: one row per message, every attempt)
    corrections   (operator edits, keyed by notice key so they survive re-ingest)
    worker_leases (who runs the single SQLite dispatcher)
    job_runs (which process ran a periodic job for a period)   admin_sessions (operators signed in)
    ratelimit_hits (abuse-limit counters shared by processes, when configured)
Every datetime is stored in UTC and read back timezone-aware (:class:`UTCDateTime`), on SQLite too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import object_session
from sqlmodel import JSON, Field, SQLModel

from reminder.db.crypto import EncryptedText
from reminder.notify.channels import channel_kinds

__all__ = [
    "UTCDateTime",
    "utcnow",
    "NOTICE_STATUSES",
    "CHANGE_KINDS",
    "DocumentBase",
    "DocumentRow",
    "NoticeBase",
    "NoticeRow",
    "NoticePublic",
    "DeadlineBase",
    "DeadlineRow",
    "ConditionBase",
    "ConditionRow",
    "NoticeChange",
    "CompanyBase",
    "CompanyCreate",
    "CompanyUpdate",
    "Company",
    "CompanyPublic",
    "Verdict",
    "MatchBase",
    "Match",
    "MatchCount",
    "MatchCountPending",
    "DEFAULT_OFFSETS",
    "DIGEST_CHOICES",
    "CHANNEL_KINDS",
    "REMINDER_PURPOSES",
    "REMINDER_STATUSES",
    "ChannelBase",
    "Channel",
    "Reminder",
    "Delivery",
    "Correction",
    "WorkerLease",
]

# Named constraints, so Alembic can alter and drop them (SQLite batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: a notice is "draft" until an operator publishes it, when imported that way
NOTICE_STATUSES: tuple[str, ...] = ("published", "draft")
#: days before a deadline at which reminders go out (0 = on the day)
DEFAULT_OFFSETS: tuple[int, ...] = (14, 7, 3, 1, 0)
#: Company.digest
DIGEST_CHOICES: tuple[str, ...] = ("weekly", "daily", "off")
#: Channel.kind: the kinds of the channel registry (reminder.notify.channels.CHANNELS)
CHANNEL_KINDS: tuple[str, ...] = channel_kinds()
#: Reminder.purpose: before a deadline, a late-ingested new call, a moved deadline, a digest, a test message
REMINDER_PURPOSES: tuple[str, ...] = ("before", "new_call", "changed", "digest", "test")
#: Reminder.status ("pending" includes rows waiting for a retry: attempts > 0)
REMINDER_STATUSES: tuple[str, ...] = ("pending", "sent", "dead", "cancelled")
#: NoticeChange.what
CHANGE_KINDS: tuple[str, ...] = ("deadline_added", "deadline_removed", "deadline_changed")


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """``DateTime(timezone=True)`` that stores UTC and always returns aware datetimes.

    PostgreSQL keeps the zone itself; SQLite keeps none, so values are converted to UTC before they
    are written (which also makes SQLite's text comparison of instants correct) and tagged UTC when read.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone (every stored instant is absolute)")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current instant, UTC."""
    return dt.datetime.now(dt.UTC)


def _stamp() -> Any:
    """A timestamp column defaulting to now."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


# ── documents ──────────────────────────────────────────────────────────────────────────────


class DocumentBase(SQLModel):
    #: file path or URL as given
    source: str = Field(sa_type=sa.Text)
    #: sha256 of the raw bytes: the same bytes are stored once
    content_hash: str = Field(max_length=64, unique=True)
    #: "txt", "pdf", "html" or "docx"
    format: str = Field(max_length=8)
    #: "compilation", "notice" or "news"
    kind: str = Field(max_length=16)
    published: dt.date | None = None


class DocumentRow(DocumentBase, table=True):
    __tablename__ = "documents"

    id: int | None = Field(default=None, primary_key=True)
    #: the cleaned text every span points into
    text: str = Field(sa_type=sa.Text)
    ingested_at: dt.datetime = _stamp()


# ── notices ────────────────────────────────────────────────────────────────────────────────


class NoticeBase(SQLModel):
    title: str = Field(sa_type=sa.Text)
    #: "national", "provincial", "municipal", "district" or None
    level: str | None = Field(default=None, max_length=16)
    issuer: str | None = Field(default=None, sa_type=sa.Text)
    published: dt.date | None = None
    #: policy or news text without a call to apply
    policy_only: bool = False
    #: 常态化受理: applications taken all year
    rolling: bool = False
    #: the region whose enterprises may apply (Scope.to_json: name, path, code, source, quote), None if unknown
    scope: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    #: its region code (000000 for 全国), for finding the notices of a region
    scope_code: str | None = Field(default=None, max_length=12, index=True)
    #: one of NOTICE_STATUSES
    status: str = Field(default="published", max_length=16, index=True)


class NoticeRow(NoticeBase, table=True):
    __tablename__ = "notices"

    id: int | None = Field(default=None, primary_key=True)
    #: the latest version of the document this notice was read from
    document_id: int = Field(foreign_key="documents.id", index=True)
    #: identity across versions: sha256 of the normalised source and title (see store.notice_key)
    key: str = Field(max_length=64, unique=True)
    #: offsets of the notice in the document's text
    span_start: int = 0
    span_end: int = 0
    #: what an applicant gets: Benefit.to_json per benefit (None on rows stored before issue 13: none)
    benefits: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    #: where and how to apply, what to submit: ApplyStep.to_json per step
    how_to_apply: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    #: Contact.to_json per 联系人
    contacts: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    #: Attachment.to_json per 附件
    attachments: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    created_at: dt.datetime = _stamp()
    updated_at: dt.datetime = _stamp()


class NoticePublic(NoticeBase):
    id: int
    document_id: int
    key: str
    created_at: dt.datetime
    updated_at: dt.datetime


class DeadlineBase(SQLModel):
    date: dt.date | None = None
    #: stated time of day; None means the day ends at 23:59:59
    time: dt.time | None = None
    #: the instant it passes (None when to_be_announced)
    at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    #: "application", "recommendation", "materials", "window_open" or "other"
    kind: str = Field(max_length=16)
    grain: str = Field(default="day", max_length=8)
    batch: str | None = Field(default=None, max_length=64)
    approximate: bool = False
    conditional: bool = False
    to_be_announced: bool = False
    quote: str = Field(default="", sa_type=sa.Text)
    span_start: int = 0
    span_end: int = 0
    rule: str = Field(default="", max_length=64)


class DeadlineRow(DeadlineBase, table=True):
    __tablename__ = "deadlines"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notices.id", ondelete="CASCADE", index=True)
    #: False once a newer version of the notice changed or dropped this deadline
    active: bool = Field(default=True, index=True)


class ConditionBase(SQLModel):
    #: one of the field registry's CONDITION_FIELDS (reminder/data/fields.yaml)
    field: str = Field(max_length=32, index=True)
    #: one of extract CONDITION_OPS
    op: str = Field(max_length=8)
    #: number (万元, %), string, list of strings or bool
    value: Any = Field(default=None, sa_type=JSON)
    unit: str | None = Field(default=None, max_length=8)
    #: False for 原则上 / 优先 / 鼓励
    hard: bool = True
    #: conditions sharing a group form an any-of group
    group: str | None = Field(default=None, max_length=64)
    quote: str = Field(default="", sa_type=sa.Text)
    span_start: int = 0
    span_end: int = 0
    rule: str = Field(default="", max_length=64)


class ConditionRow(ConditionBase, table=True):
    __tablename__ = "conditions"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notices.id", ondelete="CASCADE", index=True)


class NoticeChange(SQLModel, table=True):
    """A deadline that a newer version of a notice added, removed or moved (for "changed" reminders)."""

    __tablename__ = "notice_changes"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notices.id", ondelete="CASCADE", index=True)
    changed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    #: one of CHANGE_KINDS
    what: str = Field(max_length=32)
    #: the deadline before (None when added) and after (None when removed), as store.deadline_json
    old: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    new: dict[str, Any] | None = Field(default=None, sa_type=JSON)


# ── companies and matches ──────────────────────────────────────────────────────────────────


class CompanyBase(SQLModel):
    name: str = Field(max_length=200)
    #: 统一社会信用代码, 18 characters
    credit_code: str | None = Field(default=None, max_length=18, unique=True)
    #: administrative division codes (GB/T 2260)
    province_code: str | None = Field(default=None, max_length=12, index=True)
    city_code: str | None = Field(default=None, max_length=12, index=True)
    district_code: str | None = Field(default=None, max_length=12, index=True)
    #: the region as written, e.g. 浙江省湖州市吴兴区
    region_name: str | None = Field(default=None, max_length=100)
    industry: str | None = Field(default=None, max_length=100)
    industry_tags: list[str] = Field(default_factory=list, sa_type=JSON)
    founded_on: dt.date | None = None
    headcount: int | None = Field(default=None, index=True)
    #: money in 万元
    annual_revenue: float | None = Field(default=None, index=True)
    total_assets: float | None = Field(default=None, index=True)
    registered_capital: float | None = Field(default=None, index=True)
    #: ratios in %
    rd_expense_ratio: float | None = Field(default=None, index=True)
    rd_staff_ratio: float | None = Field(default=None, index=True)
    #: [{"name": "高新技术企业", "valid_until": "2026-12-31" or None}]
    qualifications: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    #: 企业法人 / 事业单位法人 / …
    legal_person: str | None = Field(default=None, max_length=32)
    #: no serious dishonesty record (None: unknown)
    credit_ok: bool | None = None
    #: 企业 / 高校 / 科研院所 / …
    applicant_type: str | None = Field(default=None, max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)
    #: currency of the money fields (人民币, 新台币, 港币, 澳门元); None is 人民币
    currency: str | None = Field(default=None, max_length=8)
    #: reminder offsets in days before each deadline, e.g. [14, 7, 3, 1, 0]
    reminder_offsets: list[int] = Field(default_factory=lambda: list(DEFAULT_OFFSETS), sa_type=JSON)
    #: one of DIGEST_CHOICES
    digest: str = Field(default="weekly", max_length=8)
    #: the contact email clicked "unsubscribe" (RFC 8058 one-click)
    email_unsubscribed: bool = False


class CompanyCreate(CompanyBase):
    pass


class CompanyUpdate(SQLModel):
    """Every field optional: only the fields set are changed."""

    name: str | None = None
    credit_code: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    district_code: str | None = None
    region_name: str | None = None
    industry: str | None = None
    industry_tags: list[str] | None = None
    founded_on: dt.date | None = None
    headcount: int | None = None
    annual_revenue: float | None = None
    total_assets: float | None = None
    registered_capital: float | None = None
    rd_expense_ratio: float | None = None
    rd_staff_ratio: float | None = None
    qualifications: list[dict[str, Any]] | None = None
    legal_person: str | None = None
    credit_ok: bool | None = None
    applicant_type: str | None = None
    contact_email: str | None = None
    currency: str | None = None
    reminder_offsets: list[int] | None = None
    digest: str | None = None
    email_unsubscribed: bool | None = None


class Company(CompanyBase, table=True):
    __tablename__ = "companies"

    id: int | None = Field(default=None, primary_key=True)
    #: sha256 hex of the private management token (the token itself is shown once, never stored)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    #: salt of the read-only view link's token (notify.links.view_token); a new salt revokes old links
    view_salt: str | None = Field(default=None, max_length=32)
    created_at: dt.datetime = _stamp()
    updated_at: dt.datetime = _stamp()


class CompanyPublic(CompanyBase):
    id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class Verdict(SQLModel, table=True):
    """One distinct verdict on a notice, stored once however many companies share it (issue 15: a
    全国 notice gives 100,000 companies a few hundred verdicts). Never changed once written: a new
    verdict is a new row, and rows no match refers to are dropped after the notice is matched."""

    __tablename__ = "verdicts"
    __table_args__ = (
        sa.UniqueConstraint("notice_id", "digest"),
        {"sqlite_autoincrement": True},  # ids never reused: a loaded verdict is that verdict for good
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notices.id", ondelete="CASCADE")
    #: hash of status, missing, unmet and trace as stored (``reminder.matching._verdicts.digest``)
    digest: str = Field(max_length=32)
    #: the rules engine's verdict: "eligible", "possibly_eligible" or "not_eligible"
    status: str = Field(max_length=32)
    #: profile fields the verdict needed but the company has not given
    missing: list[Any] = Field(default_factory=list, sa_type=JSON)
    #: conditions not met, with reasons
    unmet: list[Any] = Field(default_factory=list, sa_type=JSON)
    #: the evaluation trace (rendered elsewhere)
    trace: Any = Field(default=None, sa_type=JSON)


class MatchBase(SQLModel):
    #: the rules engine's verdict: "eligible", "possibly_eligible" or "not_eligible" (its verdict's)
    status: str = Field(max_length=32)
    evaluated_at: dt.datetime = _stamp()


class Match(MatchBase, table=True):
    """A company's verdict on a notice: the status, and the shared :class:`Verdict` row holding what is
    missing, unmet and the trace. Rows are narrow because a notice writes one per company."""

    __tablename__ = "matches"
    __table_args__ = (
        # a notice's matches; and whether one of its verdicts is still used
        sa.Index("ix_matches_notice_id_verdict_id", "notice_id", "verdict_id"),
    )

    #: the pair is the key: no id of its own, whose sequence and index cost a quarter of writing a
    #: notice's 800,000 matches (migration 0019). No foreign keys: their check per row was most of the
    #: cost of writing 100,000 matches. Deleting a company or a notice deletes its matches all the same
    #: (triggers, migration 0016); matching writes only ids it has just read, and ``verdict_id`` names a
    #: row it has locked (``matching._verdicts``).
    company_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    notice_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    verdict_id: int

    @property
    def _pair(self) -> str:
        return f"(company {self.company_id}, notice {self.notice_id})"

    def _verdict(self) -> Verdict:
        session = object_session(self)
        if session is None:
            raise LookupError(f"verdict {self.verdict_id} of match {self._pair} not loaded")
        # The session's identity map holds rows weakly: without this strong reference a verdict read
        # for one match is read again for the next (planning 100,000 reminders read it per reminder).
        # Verdict rows never change, so keeping them for the session's life is safe.
        held: dict[int, Verdict] = session.info.setdefault("verdicts", {})
        found = held.get(self.verdict_id)
        if found is None:
            found = session.get(Verdict, self.verdict_id)
            if found is None:
                raise LookupError(f"verdict {self.verdict_id} of match {self._pair} not found")
            held[self.verdict_id] = found
        return found

    @property
    def missing(self) -> list[Any]:
        """Profile fields the verdict needed but the company has not given."""
        return self._verdict().missing

    @property
    def unmet(self) -> list[Any]:
        """Conditions not met, with reasons."""
        return self._verdict().unmet

    @property
    def trace(self) -> Any:
        """The evaluation trace (rendered elsewhere)."""
        return self._verdict().trace


class MatchCount(SQLModel, table=True):
    """A company's eligible and possibly eligible matches, counted: kept in step by matching
    (``reminder.matching._counts``) so the dashboard reads them instead of aggregating every match."""

    __tablename__ = "match_counts"
    #: half of each page free: a count's update stays on its page and touches no index (migration 0017)
    __table_args__ = ({"postgresql_with": {"fillfactor": 50}},)

    #: no foreign key, no index on total: their upkeep per row was most of matching's time; deleting a
    #: company deletes its counts by a trigger (migration 0017)
    company_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    eligible: int = 0
    #: possibly eligible (and the legacy "possible")
    possible: int = 0
    #: eligible + possible: what the dashboard ranks companies by
    total: int = 0


class MatchCountPending(SQLModel, table=True):
    """A notice whose counted verdicts are not in ``match_counts`` yet: matching a new notice with many
    (``match_counts.QUEUED_FROM``) writes its matches and this row; the worker's counts job adds them
    (``match_counts.fold_pending_counts``), off matching's path (a 全国 notice adds to 1,000,000 counts)."""

    __tablename__ = "match_counts_pending"

    notice_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    queued_at: dt.datetime = _stamp()


# ── delivery: channels, the reminder outbox, attempts ───────────────────────────────────────


class ChannelBase(SQLModel):
    #: one of CHANNEL_KINDS
    kind: str = Field(max_length=16)
    #: a label the company chose, e.g. 财务群
    name: str = Field(default="", max_length=100)
    #: webhook URL, or the email address for kind "email" (encrypted at rest: robot keys are in URLs)
    target: str = Field(sa_type=EncryptedText)
    enabled: bool = True


class Channel(ChannelBase, table=True):
    """Where a company's messages go. ``secret`` (signing secret) is never shown back in full."""

    __tablename__ = "channels"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="companies.id", ondelete="CASCADE", index=True)
    secret: str | None = Field(default=None, sa_type=EncryptedText)  # encrypted at rest (reminder.db.crypto)
    #: an email address typed on a form, not yet confirmed by its owner: it gets only the confirmation
    unconfirmed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: dt.datetime = _stamp()
    updated_at: dt.datetime = _stamp()


class Reminder(SQLModel, table=True):
    """One message to one channel, due at one instant: the outbox row the dispatcher claims."""

    __tablename__ = "reminders"

    id: int | None = Field(default=None, primary_key=True)
    #: unique identity, e.g. company:deadline:offset:channel; planning twice never makes two rows
    key: str = Field(max_length=200, unique=True)
    company_id: int = Field(foreign_key="companies.id", ondelete="CASCADE", index=True)
    channel_id: int = Field(foreign_key="channels.id", ondelete="CASCADE", index=True)
    notice_id: int | None = Field(default=None, foreign_key="notices.id", ondelete="CASCADE", index=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadlines.id", ondelete="CASCADE", index=True)
    #: one of REMINDER_PURPOSES
    purpose: str = Field(max_length=16)
    offset_days: int | None = None
    due_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    #: one of REMINDER_STATUSES, or "failed": a test send that failed (shown to its company, never retried)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    #: a test message its company asked for (issue 16, item 14): one attempt, a failure is "failed" (not
    #: "dead"), kept out of operators' lists and delivery statistics
    test_send: bool = False
    #: when the dispatcher may take it next (due_at, then later after each failure)
    next_attempt_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    #: the stable id every attempt carries (webhook-id, Message-ID), so receivers can drop repeats
    message_id: str = Field(max_length=100)
    #: what the message says, frozen at planning time (title, deadline, verdict, quote, link…)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    #: lease held by a dispatcher while it sends
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_reason: str | None = Field(default=None, max_length=200)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: dt.datetime = _stamp()
    updated_at: dt.datetime = _stamp()


class Delivery(SQLModel, table=True):
    """One attempt to send one reminder."""

    __tablename__ = "deliveries"

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminders.id", ondelete="CASCADE", index=True)
    channel_id: int | None = Field(default=None, foreign_key="channels.id", ondelete="SET NULL")
    attempt: int = 1
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    ok: bool = False
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = Field(default=None, sa_type=sa.Text)
    worker: str | None = Field(default=None, max_length=64)


# ── operators' corrections and worker leases ───────────────────────────────────────────────


class Correction(SQLModel, table=True):
    """An operator's edit of an extracted fact; re-applied whenever the notice is re-ingested."""

    __tablename__ = "corrections"

    id: int | None = Field(default=None, primary_key=True)
    #: NoticeRow.key: stable across versions of the same notice
    notice_key: str = Field(max_length=64, index=True)
    #: "deadline", "condition" or "notice"
    target: str = Field(max_length=16)
    #: "set", "add" or "delete"
    action: str = Field(max_length=16)
    #: how to find the extracted original (e.g. its quote and rule); empty for "add"
    selector: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    #: the corrected values
    values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    author: str = Field(default="admin", max_length=100)
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: dt.datetime = _stamp()


class WorkerLease(SQLModel, table=True):
    """A named lease (e.g. the one SQLite dispatcher): held by ``holder`` until ``expires_at``."""

    __tablename__ = "worker_leases"

    name: str = Field(max_length=64, primary_key=True)
    holder: str = Field(max_length=64)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)


class JobRun(SQLModel, table=True):
    """One run of a periodic job for one period (scale-out: the first process to insert it runs the job)."""

    __tablename__ = "job_runs"

    #: the scheduler's job id ("sweep", "digests")
    job: str = Field(max_length=32, primary_key=True)
    #: the period's key, e.g. its start "2026-12-06T07:00:00Z" or a local day "2026-12-06"
    period: str = Field(max_length=32, primary_key=True)
    worker: str = Field(max_length=64)
    started_at: dt.datetime = Field(sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class AdminSessionRow(SQLModel, table=True):
    """A signed-in operator's session, shared by every ``reminder serve`` process (id kept as sha256)."""

    __tablename__ = "admin_sessions"

    id_hash: str = Field(max_length=64, primary_key=True)
    operator: str = Field(max_length=100)
    #: sha256 of the admin token at sign-in: a new token ends the session
    token_fingerprint: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    last_seen: dt.datetime = Field(sa_type=UTCDateTime, index=True)


class RateLimitHit(SQLModel, table=True):
    """One counted attempt of an abuse limit (``REMINDER_RATELIMIT_STORAGE=database://``), shared by processes."""

    __tablename__ = "ratelimit_hits"
    __table_args__ = (sa.Index("ix_ratelimit_hits_key_at", "key_hash", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    #: sha256 of the ``limits`` key (it may hold a contact address)
    key_hash: str = Field(max_length=64)
    #: when, in seconds since the epoch (the ``limits`` clock)
    at: float = Field(index=True)
