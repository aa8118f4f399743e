"""The watched sources' table (issue 17): one row per list page, its poll state and its health.

    sources ─ definition  name, issuer, region, level, url (unique), poll_interval_s, enabled, trust,
            │             hints (CSS selectors), max_pages, lookback_days
            ├ state       poll state as JSON: known detail URLs with their date, content hash and
            │             validators; the list page's validators; polls; items on the last list page
            ├ health      last_success_at, last_new_item_at, consecutive_failures, last_items,
            │             last_error, flagged (why an operator should look: 模板可能已变化 …) since
            │             flagged_at, reported to the operator at flag_reported_at
            └ claim       claimed_by / claimed_until: the worker polling it now (a lease that expires,
                          as reminders' claims do), next_poll_at: when it is due; host (the URL's
                          lower-cased netloc, kept from url on every insert and update): one worker
                          at a time holds the sources of a host, so a site sees one request at a time

The row ⇄ ``reminder.sources`` objects mapping lives in ``source_store``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from reminder.db.models import UTCDateTime, utcnow

__all__ = ["SourceRow", "SOURCE_LEVELS", "SOURCE_TRUSTS", "host_of"]

#: SourceRow.level
SOURCE_LEVELS: tuple[str, ...] = ("national", "provincial", "municipal", "district")
#: SourceRow.trust: "auto" publishes new notices, "review" keeps them as drafts for an operator
SOURCE_TRUSTS: tuple[str, ...] = ("auto", "review")


def host_of(url: str) -> str:
    """The host a source's requests go to: the URL's netloc, lower-cased (port included, user info not)."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()


class SourceRow(SQLModel, table=True):
    """A watched list page (通知公告 / 项目申报 column)."""

    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    #: default issuer of its notices (a page naming its own issuer wins)
    issuer: str = Field(sa_type=sa.Text)
    #: default region of its notices, e.g. 广州市天河区
    region: str = Field(max_length=64)
    #: one of SOURCE_LEVELS
    level: str = Field(max_length=16)
    url: str = Field(sa_type=sa.Text, unique=True)
    #: host_of(url), set on every insert and update: the claim lets one worker at a time poll a host
    host: str = Field(default="", max_length=255, index=True)
    poll_interval_s: int = 6 * 3600
    enabled: bool = Field(default=True, index=True)
    #: one of SOURCE_TRUSTS
    trust: str = Field(default="review", max_length=8)
    #: per-site CSS selectors (Hints fields), {} for the generic reader
    hints: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    max_pages: int = 5
    lookback_days: int = 90
    #: poll state (see source_store.state_json), {} before the first poll
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    #: when the source is due; None: at once
    next_poll_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    last_poll_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_new_item_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    consecutive_failures: int = 0
    #: items on the first list page at the last poll that read it
    last_items: int | None = None
    #: why the last poll failed (None after a success)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    #: why an operator should look at this source, None when it is healthy
    flagged: str | None = Field(default=None, sa_type=sa.Text)
    #: when the current flag was raised (None while healthy)
    flagged_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: when the operator's digest last reported this source's flag (reminder.sources_digest)
    flag_reported_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: the worker polling it now, until claimed_until (an expired claim is free again)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@sa.event.listens_for(SourceRow, "before_insert")
@sa.event.listens_for(SourceRow, "before_update")
def _keep_host(_mapper: Any, _connection: Any, row: SourceRow) -> None:
    row.host = host_of(row.url)
