"""The operator's daily digest of newly flagged watched sources (issue 17).

    flag_digest_once ─ the scheduler's "source_digest" job, once per local day across processes
     └ send_flag_digest(engine, settings, now)
         ├ no REMINDER_OPERATOR_EMAIL ─────────── nothing (no error)
         ├ newly_flagged: enabled sources whose flag was raised after its last report
         │   (flagged_at > flag_reported_at, or never reported); none ─ nothing
         ├ digest_message(flagged …) ──────────── one Chinese mail: name, URL, reason, since when,
         │                                         failures in a row (digest_text: plain text out)
         ├ sent through the email channel (reminder.notify.channels, the SMTP settings)
         └ sent: flag_reported_at = now on the sources reported (a flag raised meanwhile stays new);
           not sent: nothing marked, the next day's digest says it again

A source is flagged by ``reminder.db.source_store`` (3 failed polls in a row, or zero items where
there used to be some); ``flagged_at`` is when its current flag was raised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.models import utcnow
from reminder.db.source_models import SourceRow
from reminder.errors import DeliveryError
from reminder.notify.base import Message
from reminder.notify.channels import build_channel
from reminder.scheduler.periodic import day_period, once_per_period
from reminder.zone import TZ_NAME

__all__ = [
    "DIGEST_JOB",
    "FlaggedSource",
    "flagged_of",
    "newly_flagged",
    "digest_text",
    "digest_message",
    "send_flag_digest",
    "flag_digest_once",
]

log = logging.getLogger(__name__)

#: the job id (scheduler and job_runs)
DIGEST_JOB = "source_digest"


@dataclass(frozen=True)
class FlaggedSource:
    """What the digest says about one flagged source."""

    source_id: int
    name: str
    url: str
    #: why it is flagged (the Chinese part of the flag)
    reason: str
    #: when the flag was raised (None: not known)
    since: dt.datetime | None
    #: failed polls in a row
    failures: int
    #: the last poll's error, if it failed
    last_error: str | None = None
    last_success: dt.datetime | None = None


def flagged_of(row: SourceRow) -> FlaggedSource:
    """The digest's view of a flagged source row."""
    return FlaggedSource(
        source_id=row.id or 0,
        name=row.name,
        url=row.url,
        reason=(row.flagged or "").split(" / ")[0].strip(),
        since=row.flagged_at,
        failures=row.consecutive_failures,
        last_error=row.last_error,
        last_success=row.last_success_at,
    )


def _new_flag() -> sa.ColumnElement[bool]:
    return sa.and_(
        col(SourceRow.enabled),
        col(SourceRow.flagged).is_not(None),
        sa.or_(
            col(SourceRow.flag_reported_at).is_(None),
            col(SourceRow.flagged_at) > col(SourceRow.flag_reported_at),
        ),
    )


def newly_flagged(*, session: Session) -> list[SourceRow]:
    """Enabled sources whose current flag the operator has not been told about, by id."""
    return list(session.exec(select(SourceRow).where(_new_flag()).order_by(col(SourceRow.id))).all())


def _when(moment: dt.datetime | None, timezone: str) -> str:
    if moment is None:
        return "不详"
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _entries(flagged: Sequence[FlaggedSource], timezone: str) -> list[list[str]]:
    entries = []
    for f in flagged:
        lines = [
            f"来源：{f.name}",
            f"网址：{f.url}",
            f"原因：{f.reason}",
            f"异常开始时间：{_when(f.since, timezone)}",
            f"连续抓取失败次数：{f.failures}",
        ]
        if f.last_error:
            lines.append(f"最近一次错误：{f.last_error}")
        lines.append(f"上次成功抓取：{_when(f.last_success, timezone) if f.last_success else '从未成功'}")
        entries.append(lines)
    return entries


def _intro(n: int) -> str:
    return f"以下 {n} 个监测来源新出现异常，请检查（常见原因：网站改版、列表模板变化、网站无法访问）。"


def _outro(admin_url: str) -> str:
    return f"请在运营后台的“监测来源”页面查看、测试或暂停这些来源：{admin_url}\n同一异常只通知一次；来源恢复后再次出现异常时会重新通知。"


def digest_text(flagged: Sequence[FlaggedSource], *, admin_url: str, timezone: str = TZ_NAME) -> str:
    """The digest's plain text: one numbered entry per source (name, URL, reason, since when, failures).

    >>> since = dt.datetime(2026, 12, 5, 1, 30, tzinfo=dt.UTC)
    >>> text = digest_text([FlaggedSource(1, "青松市科技局通知公告", "https://kjj.qingsong.example/tzgg/",
    ...     "连续 3 次抓取失败", since, 3)], admin_url="https://reminder.example/admin/sources")
    >>> "1. 来源：青松市科技局通知公告" in text and "异常开始时间：2026年12月5日 09:30" in text
    True
    """
    blocks = ["您好，", _intro(len(flagged))]
    for i, lines in enumerate(_entries(flagged, timezone), 1):
        blocks.append("\n".join([f"{i}. {lines[0]}", *(f"   {line}" for line in lines[1:])]))
    blocks.append(_outro(admin_url))
    return "\n\n".join(blocks) + "\n"


def digest_message(flagged: Sequence[FlaggedSource], *, admin_url: str, timezone: str = TZ_NAME) -> Message:
    """The digest as an email message (text and HTML); its id is the same for the same flags (Message-ID)."""
    text = digest_text(flagged, admin_url=admin_url, timezone=timezone)
    items = "".join(
        "<li>" + "<br>".join(html.escape(line) for line in lines) + "</li>"
        for lines in _entries(flagged, timezone)
    )
    link = html.escape(admin_url, quote=True)
    body = (
        f"<p>您好，</p><p>{html.escape(_intro(len(flagged)))}</p><ol>{items}</ol>"
        f'<p>请在运营后台的“监测来源”页面查看、测试或暂停这些来源：<a href="{link}">{link}</a></p>'
        "<p>同一异常只通知一次；来源恢复后再次出现异常时会重新通知。</p>"
    )
    key = "|".join(f"{f.source_id}@{f.since.isoformat() if f.since else ''}" for f in flagged)
    return Message(
        id=f"srcflag_{hashlib.sha256(key.encode()).hexdigest()[:20]}",
        subject=f"申报提醒：{len(flagged)} 个监测来源需要检查",
        text=text,
        markdown=text,
        html=body,
        purpose="digest",
    )


def _mark_reported(engine: Engine, flagged: Sequence[FlaggedSource], now: dt.datetime) -> None:
    """flag_reported_at = now where the flag is still the one reported (one raised meanwhile stays new)."""
    table: sa.Table = SourceRow.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for f in flagged:
            same = table.c.flagged_at.is_(None) if f.since is None else table.c.flagged_at == f.since
            conn.execute(sa.update(table).where(table.c.id == f.source_id, same).values(flag_reported_at=now))


def send_flag_digest(*, engine: Engine, settings: Settings, now: dt.datetime) -> int:
    """Mail the operator the sources flagged since the last digest; how many were reported (0: no mail).

    Never raises for a missing address, missing SMTP settings or a refused send: it logs, marks nothing,
    and the next digest says it again.
    """
    address = (settings.operator_email or "").strip()
    if not address:
        log.debug("source digest: no REMINDER_OPERATOR_EMAIL, nothing sent")
        return 0
    with Session(engine) as session:
        flagged = [flagged_of(row) for row in newly_flagged(session=session)]
    if not flagged:
        log.info("source digest: no newly flagged source")
        return 0
    admin_url = settings.base_url.rstrip("/") + "/admin/sources"
    message = digest_message(flagged, admin_url=admin_url, timezone=settings.timezone)
    try:
        result = build_channel("email", address, None, settings).send(message)
    except DeliveryError as exc:
        log.warning("source digest not sent (%d flagged sources): %s", len(flagged), exc)
        return 0
    if not result.ok:
        log.warning("source digest not sent (%d flagged sources): %s", len(flagged), result.error)
        return 0
    _mark_reported(engine, flagged, now)
    log.info("source digest sent: %d flagged sources", len(flagged))
    return len(flagged)


def flag_digest_once(*, engine: Engine, settings: Settings, worker: str) -> int | None:
    """The daily digest, once per local day across processes (None: another process ran it today)."""
    period = day_period(utcnow(), settings.timezone)
    return once_per_period(
        engine=engine,
        job=DIGEST_JOB,
        period=period,
        worker=worker,
        run=lambda: send_flag_digest(engine=engine, settings=settings, now=utcnow()),
    )
