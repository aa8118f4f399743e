"""What operators do, shared by the admin pages and the admin API: ingest, publish, re-queue.

ingest_inputs ─ uploads saved under data_dir/uploads/<name> (same name ⇒ same notice identity,
              │  so a re-uploaded, changed file updates its notices and keeps their corrections)
              ├─ pasted text saved the same way (named by the operator, or by its hash)
              ├─ http(s) URLs as given
              └─ ingest_paths (which runs workflow.notice_stored for each notice it stores)
set_status ──── draft ↔ published → workflow.notice_stored (matching and reminder planning)
correct ─────── corrections.add_correction → workflow.notice_stored
requeue_reminder ─ a dead reminder back to pending (reminder.notify.outbox.requeue)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.corrections.service import add_correction
from reminder.db.models import Correction, NoticeRow, Reminder
from reminder.ingest import IngestSummary, ingest_paths
from reminder.notify.outbox import requeue
from reminder.workflow import notice_stored

__all__ = [
    "Upload",
    "IngestedNotice",
    "IngestReport",
    "safe_filename",
    "is_url",
    "ingest_inputs",
    "set_status",
    "correct",
    "requeue_reminder",
]

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.\-\u3400-\u9fff]+")


@dataclass(frozen=True)
class Upload:
    """A file an operator sent."""

    name: str
    data: bytes


@dataclass(frozen=True)
class IngestedNotice:
    id: int
    title: str
    status: str
    source: str


@dataclass(frozen=True)
class IngestReport:
    """An ingest summary plus the notices it stored, for the operator to review."""

    summary: IngestSummary
    notices: list[IngestedNotice] = field(default_factory=list)


def safe_filename(name: str, default: str = "upload") -> str:
    """A file name safe to write under the uploads directory (no path, no odd characters).

    >>> safe_filename("../../etc/通知 (1).docx")
    '通知_1_.docx'
    """
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._")[:120]
    return cleaned or default


def is_url(text: str) -> bool:
    """An absolute http(s) URL with a host."""
    return bool(re.match(r"^https?://[^\s/?#]+[^\s]*$", text.strip()))


def _save(directory: Path, name: str, data: bytes) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(data)
    return str(path)


def _too_large(size: int, limit: int) -> str:
    return f"文件过大（{size / 2**20:.1f} MB，上限 {limit / 2**20:g} MB）/ file too large ({size} > {limit} bytes)"


def _remove_refused(saved: Sequence[str], summary: IngestSummary) -> None:
    """Delete the saved uploads that were refused or skipped: only stored documents stay on disk."""
    refused = {source for source, _ in (*summary.failures, *summary.skipped)}
    for path in saved:
        if path in refused:
            Path(path).unlink(missing_ok=True)
            log.info("refused upload removed: %s", Path(path).name)


def _text_name(text: str, name: str | None) -> str:
    if name and name.strip():
        chosen = safe_filename(name.strip(), "pasted")
        return chosen if "." in chosen else f"{chosen}.txt"
    return f"pasted-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.txt"


def _stored_notices(session: Session, summary: IngestSummary) -> list[IngestedNotice]:
    found: list[IngestedNotice] = []
    for source, result in summary.results:
        rows = session.exec(
            select(NoticeRow).where(NoticeRow.document_id == result.document_id).order_by(col(NoticeRow.id))
        ).all()
        found += [IngestedNotice(id=r.id or 0, title=r.title, status=r.status, source=source) for r in rows]
    return found


def ingest_inputs(
    *,
    session: Session,
    settings: Settings,
    uploads: Sequence[Upload] = (),
    text: str | None = None,
    text_name: str | None = None,
    urls: Sequence[str] = (),
    publish: bool = False,
    now: dt.datetime,
) -> IngestReport:
    """Store what an operator sent, each input on its own (one failing input does not stop the rest).

    Args:
        session: where to store (each document is committed as it is stored).
        settings: data_dir (uploads), size limit and fetch timeout.
        uploads: files (txt, pdf, html, docx).
        text: pasted notice text.
        text_name: a name for the pasted text; the same name again updates the same notices.
        urls: http(s) URLs to fetch.
        publish: new notices go out published (matched and reminded) instead of as drafts.
        now: the ingest instant.

    Returns:
        The summary (counts, failures with reasons) and the notices stored.
    """
    directory = settings.data_dir.resolve() / "uploads"
    limit = settings.max_input_bytes
    # an oversized upload is refused before it is written (issue 16, item 11)
    bad = [(safe_filename(u.name), _too_large(len(u.data), limit)) for u in uploads if len(u.data) > limit]
    sources = [_save(directory, safe_filename(u.name), u.data) for u in uploads if len(u.data) <= limit]
    if text and text.strip():
        sources.append(_save(directory, _text_name(text, text_name), text.encode("utf-8")))
    saved = list(sources)
    bad += [(u, "不是 http(s) 网址 / not an http(s) URL") for u in urls if not is_url(u)]
    sources += [u.strip() for u in urls if is_url(u)]
    status = "published" if publish else "draft"
    summary = ingest_paths(sources, session=session, settings=settings, status=status, now=now)
    _remove_refused(saved, summary)
    if bad:
        summary = IngestSummary(**{**summary.__dict__, "failures": (*summary.failures, *bad)})
    notices = _stored_notices(session, summary)
    return IngestReport(summary=summary, notices=notices)


def set_status(
    *, session: Session, notice: NoticeRow, status: str, now: dt.datetime, settings: Settings | None = None
) -> NoticeRow:
    """Publish or unpublish a notice, then re-run matching and reminder planning for it."""
    assert notice.id is not None
    if status not in ("published", "draft"):
        raise ValueError(f"status must be 'published' or 'draft', got {status!r}")
    if notice.status != status:
        notice.status = status
        notice.updated_at = now
        session.add(notice)
        session.flush()
        log.info("notice %d is now %s", notice.id, status)
    notice_stored(session=session, notice_id=notice.id, now=now, settings=settings)
    return notice


def correct(
    *,
    session: Session,
    notice: NoticeRow,
    target: str,
    action: str,
    selector: dict[str, Any],
    values: dict[str, Any],
    author: str,
    note: str | None,
    now: dt.datetime,
    settings: Settings | None = None,
) -> Correction:
    """Record and apply a correction (see ``corrections.add_correction``), then re-match the notice.

    Raises:
        CorrectionError: invalid values or nothing to correct; names the field.
    """
    assert notice.id is not None
    correction = add_correction(
        session=session,
        notice=notice,
        target=target,
        action=action,
        selector=selector,
        values=values,
        author=author,
        note=note,
        now=now,
    )
    notice_stored(session=session, notice_id=notice.id, now=now, settings=settings)
    return correction


def requeue_reminder(*, session: Session, reminder: Reminder, now: dt.datetime) -> Reminder:
    """Send a dead reminder again: back to pending, due now, attempts reset (see ``outbox.requeue``)."""
    assert reminder.id is not None
    return requeue(session=session, reminder_id=reminder.id, now=now)
