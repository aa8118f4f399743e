"""Ingest: files, directories and URLs → load → extract → store, one document at a time.

    inputs ─ expand (directories walked for .txt .pdf .html .htm .docx)
           └─ each source ─ load (load_path / load_url: size limit, timeout from settings)
                          ├─ content hash already stored ─────────── duplicate, skipped
                          ├─ extract ─ no notice, or news/policy only ─ a file: skipped (无申报通知)
                          │                                            a URL: failure "not a notice"
                          └─ save_corrected ─ workflow.notice_stored per new or changed notice
                                              (matching, reminder planning), commit ── counted

Ingest sits above ``workflow`` (as the CLI, the web app and the jobs do): it stores with the operators'
corrections re-applied (``reminder.corrections``), then tells the workflow what changed.

A failing source is reported with its reason and the others still go in; each stored document is
committed on its own, so an interrupted ingest keeps what it finished.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from reminder.config import Settings, get_settings
from reminder.corrections import save_corrected
from reminder.db.models import utcnow
from reminder.db.store import IngestResult, find_document
from reminder.errors import LoadError, ReminderError
from reminder.extract import Document, extract_loaded
from reminder.extract.loaders import Loaded, load_path, load_url
from reminder.notify.httpclient import make_fetch_client
from reminder.workflow import notice_stored

__all__ = ["SUFFIXES", "ProgressCallback", "IngestSummary", "expand_inputs", "ingest_paths", "not_a_notice"]

log = logging.getLogger(__name__)

#: file types taken from a directory (a file named explicitly is tried whatever its name)
# images are read when named (a scan), not when a folder is walked: folders of saved pages hold logos
SUFFIXES: tuple[str, ...] = (
    ".txt",
    ".pdf",
    ".html",
    ".htm",
    ".docx",
    ".doc",
    ".wps",
    ".rtf",
    ".xls",
    ".xlsx",
    ".et",
    ".ofd",
)

#: called after each source as ``progress(done, total, source)``
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class IngestSummary:
    """What an ingest run did."""

    #: new documents stored
    documents: int = 0
    #: notices in the new documents
    notices: int = 0
    #: deadlines in the new documents
    deadlines: int = 0
    #: inputs whose exact bytes were already stored
    duplicates: int = 0
    #: deadline changes recorded on notices that got a new version
    changes: int = 0
    #: (source, reason) of every input that could not be stored
    failures: tuple[tuple[str, str], ...] = ()
    #: (source, reason) of local files read fine but holding no call to apply (news, policy texts)
    skipped: tuple[tuple[str, str], ...] = ()
    #: (source, result) of every input stored or found duplicate
    results: tuple[tuple[str, IngestResult], ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return not self.failures


def _is_url(item: str) -> bool:
    return item.startswith(("http://", "https://"))


def _walk(directory: Path) -> list[str]:
    """Readable files under ``directory``, sorted; hidden files and Office lock files (~$x.docx) skipped."""
    files = [
        p
        for p in directory.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
        and not p.name.startswith("~$")
    ]
    return [str(p) for p in sorted(files)]


def expand_inputs(items: Iterable[str | Path]) -> tuple[list[str], list[tuple[str, str]]]:
    """The sources to ingest: URLs and files as given, directories replaced by their files.

    Returns:
        (sources without repeats, failures for directories with nothing to read).
    """
    sources: list[str] = []
    failures: list[tuple[str, str]] = []
    for item in map(str, items):
        if not _is_url(item) and Path(item).is_dir():
            found = _walk(Path(item))
            if not found:
                failures.append(
                    (item, f"目录中没有可读取的文件 / no {', '.join(SUFFIXES)} files in this directory")
                )
            sources += found
        else:
            sources.append(item)
    return list(dict.fromkeys(sources)), failures


def not_a_notice(doc: Document) -> str | None:
    """Why a document is not worth storing as a notice, or None when it is one."""
    if doc.kind == "news" or not doc.notices:
        return (
            "不是申报通知：没有找到通知（新闻、解读或目录页？）/ not a notice: no notice found "
            "(a news item, commentary or index page?)"
        )
    if all(n.policy_only for n in doc.notices):
        return (
            "不是申报通知：只有政策文件或新闻，没有申报事项 / not an application notice: policy or news text "
            "with no call to apply"
        )
    return None


class _Rejected(Exception):
    """A source read fine but holds nothing to store."""


class _Skipped(_Rejected):
    """A local file read fine but is news or a policy text: nothing to store, nothing wrong."""


def _load(source: str, settings: Settings) -> Loaded:
    if _is_url(source):  # the webhook address guard on every hop: no loopback, private or metadata hosts
        with make_fetch_client(settings) as client:
            return load_url(
                source, max_bytes=settings.max_input_bytes, timeout=settings.fetch_timeout, client=client
            )
    return load_path(source, max_bytes=settings.max_input_bytes)


def _ingest_one(
    source: str, session: Session, settings: Settings, status: str, now: dt.datetime | None
) -> IngestResult:
    loaded = _load(source, settings)
    known = find_document(session=session, content_hash=loaded.content_hash)
    if known is not None and known.id is not None:
        return IngestResult(document_id=known.id, duplicate=True)  # skip extraction: same bytes
    doc = extract_loaded(loaded, max_chars=settings.max_input_bytes)
    reason = not_a_notice(doc)
    if reason is not None:
        raise _Rejected(reason) if _is_url(source) else _Skipped(reason)
    result = save_corrected(session=session, doc=doc, status=status, now=now)
    for notice_id in result.notice_ids:
        notice_stored(session=session, notice_id=notice_id, now=now or utcnow())
    session.commit()
    return result


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, LoadError):
        return exc.reason
    if isinstance(exc, ReminderError | _Rejected):
        return str(exc)
    if isinstance(exc, sa.exc.SQLAlchemyError):
        return f"数据库错误 / database error: {type(exc).__name__}: {exc}"
    return f"内部错误 / internal error: {type(exc).__name__}: {exc}"


def _tally(
    results: list[tuple[str, IngestResult]], failures: list[tuple[str, str]], skipped: list[tuple[str, str]]
) -> IngestSummary:
    stored = [r for _, r in results if not r.duplicate]
    return IngestSummary(
        documents=len(stored),
        notices=sum(r.notices for r in stored),
        deadlines=sum(r.deadlines for r in stored),
        duplicates=len(results) - len(stored),
        changes=sum(r.changes for r in stored),
        failures=tuple(failures),
        skipped=tuple(skipped),
        results=tuple(results),
    )


def ingest_paths(
    paths_or_urls: Iterable[str | Path],
    *,
    session: Session,
    progress: ProgressCallback | None = None,
    settings: Settings | None = None,
    status: str = "published",
    now: dt.datetime | None = None,
) -> IngestSummary:
    """Load, extract and store every input; failures are collected, not raised.

    Args:
        paths_or_urls: files, directories (walked for SUFFIXES) and http(s) URLs.
        session: where to store; committed after each document.
        progress: called after each source with (done, total, source).
        settings: size limit and fetch timeout (default ``get_settings()``).
        status: status of notices seen for the first time ("draft": an operator publishes them).
        now: the ingest instant stamped on rows (default now).

    Returns:
        Counts of what was stored, duplicates, files skipped as holding no call to apply, and each
        failure with its reason. Every notice created or updated has been matched (workflow).
    """
    settings = settings or get_settings()
    sources, failures = expand_inputs(paths_or_urls)
    results: list[tuple[str, IngestResult]] = []
    skipped: list[tuple[str, str]] = []
    for done, source in enumerate(sources, start=1):
        try:
            results.append((source, _ingest_one(source, session, settings, status, now)))
        except _Skipped as exc:  # nothing was written
            skipped.append((source, str(exc)))
        except Exception as exc:  # one bad input must not stop the batch; the reason is reported
            session.rollback()
            if not isinstance(exc, ReminderError | _Rejected):
                log.warning("ingest of %s failed", source, exc_info=True)
            failures.append((source, _failure_reason(exc)))
        if progress is not None:
            progress(done, len(sources), source)
    summary = _tally(results, failures, skipped)
    log.info("ingest: %s", summary)
    return summary
