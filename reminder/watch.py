"""Polling one stored source and taking in what it found: the layer between ``reminder.sources`` and storage.

    poll_one(engine, settings, source_id, now)
     ├─ the row → SourceSpec + SourceState ── reminder.sources.poll_source(…, Fetcher)
     │     the first list page fails ───────── record_failure (counted; flagged after 3 in a row)
     ├─ each new or changed DetailPage:
     │     attachments fetched (same Fetcher: robots, politeness, address guard, size limit) and read
     │     by the extraction loaders (PDF, DOCX, HTML, text; other formats are reported, not read);
     │     an attachment read by OCR gets OCR_MARK under its heading and is named in meta "ocr_attachments"
     │     one document per page: title, date, issuer and body, then each attachment under a
     │     "附件：name" heading (a paragraph of its own, so the cleaner's line re-joining leaves the
     │     name whole); its source is the page URL (so the notice links to the page, and a
     │     changed page updates the same notice: a new version, NoticeChange rows for moved deadlines)
     │     extraction → the source's issuer, level and region where the text does not tell; each
     │     notice's attachments linked to the page's files (attachment_links.with_links)
     │     → save_corrected → workflow.notice_stored (matching, reminder planning), committed per page
     │     trust "auto": notices stored published (as an operator's publish does); "review": drafts
     └─ record_success: state, health (last new item, items seen, 模板可能已变化 flag), next poll time;
           links refused for good (address guard, robots.txt) are logged and kept for REFUSED_KEPT in the
           state ("refused") and in last_error ("N 个链接被拒绝…"), without flagging the source

Nothing here decides *when*: the CLI (``reminder sources poll``) and the scheduler's source job call it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.attachment_links import with_links
from reminder.config import Settings
from reminder.corrections import save_corrected
from reminder.db.source_models import SourceRow
from reminder.db.source_store import (
    claim_source,
    record_failure,
    record_success,
    release_source,
    spec_of,
    state_of,
)
from reminder.errors import LoadError, ReminderError, UnsafeTarget
from reminder.extract import Document
from reminder.extract.loaders import load_bytes
from reminder.extract.pipeline import extract_text
from reminder.extract.scope import resolve_conditions, scope_of_region
from reminder.ingest import not_a_notice
from reminder.model import Notice, Scope
from reminder.rules.regions import COUNTRY_CODE, RegionError, resolve_region
from reminder.sources import (
    DetailPage,
    Fetcher,
    FetchError,
    FetchPolicy,
    FetchTooLarge,
    PageFetcher,
    PollResult,
    RobotsDisallowed,
    SourceSpec,
    SourceState,
    Validators,
    next_poll_at,
    poll_source,
)
from reminder.workflow import notice_stored

__all__ = [
    "MAX_ATTACHMENTS",
    "OCR_MARK",
    "POLL_LEASE",
    "REFUSED_KEPT",
    "WatchReport",
    "poll_one",
    "poll_claimed",
    "page_document",
    "default_scope",
    "make_fetcher",
]

log = logging.getLogger(__name__)

#: attachments read per page (a page linking dozens of files is a list, not a notice)
MAX_ATTACHMENTS = 10
#: how long a worker's claim on a source lasts: a crashed worker's source is free again after it
POLL_LEASE = dt.timedelta(minutes=30)
#: the line under an attachment's heading (附件：name) when its text was read by OCR: it may hold misread
#: characters. The admin notice page lists the attachments so marked (the stored document keeps no meta).
OCR_MARK = "（扫描件，以下文字经 OCR 识别：{name}）"
#: how long a refused link (address guard, robots) stays in the source's health after the poll that met it
REFUSED_KEPT = dt.timedelta(days=7)
#: refused links kept in a source's state (newest first)
MAX_REFUSED = 20


@dataclass(frozen=True)
class WatchReport:
    """What one poll of one source did."""

    source_id: int
    #: the poll itself failed (the first list page could not be read): why
    error: str | None = None
    new_items: int = 0
    changed_pages: int = 0
    #: documents stored (new pages and new versions of changed pages)
    documents: int = 0
    #: notices created or updated
    notices: int = 0
    #: deadline changes recorded on updated notices
    changes: int = 0
    #: (url, reason): items, attachments or pages that could not be read or hold no call
    problems: tuple[tuple[str, str], ...] = ()
    #: the source's flag after this poll (None: healthy)
    flagged: str | None = None
    notice_ids: tuple[int, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None


def make_fetcher(settings: Settings) -> Fetcher:
    """The fetcher a poll uses: the input size limit and fetch timeout from the settings."""
    return Fetcher(settings, FetchPolicy(timeout=settings.fetch_timeout, max_bytes=settings.max_input_bytes))


def default_scope(spec: SourceSpec) -> Scope | None:
    """The scope a source's notices get when their text names none: 全国 for a national source, else its region."""
    quote = f"来源栏目：{spec.name}"
    if spec.level == "national":
        return Scope("全国", "全国", COUNTRY_CODE, "national", quote)
    try:
        return scope_of_region(resolve_region(spec.region), "issuer", quote)
    except RegionError:
        log.warning(
            "source %s: region %r unknown, notices keep the scope their text gives", spec.name, spec.region
        )
        return None


def _with_defaults(notice: Notice, spec: SourceSpec, page: DetailPage, scope: Scope | None) -> Notice:
    """The source's issuer, level and region where the notice's text does not tell."""
    issuer = notice.issuer or page.issuer or spec.issuer
    level = notice.level or spec.level
    if notice.scope is not None or scope is None:
        return dataclasses.replace(notice, issuer=issuer, level=level)
    return dataclasses.replace(
        notice,
        issuer=issuer,
        level=level,
        scope=scope,
        conditions=resolve_conditions(notice.conditions, scope),
    )


def page_document(
    page: DetailPage,
    attachments: list[tuple[str, str]],
    spec: SourceSpec,
    *,
    max_chars: int,
    ocr: Collection[str] = (),
) -> Document:
    """One document from a detail page and its attachments' texts, extracted, with the source's defaults.

    Args:
        page: the detail page as read.
        attachments: (name, text) of each attachment read.
        spec: the source (default issuer, level and region).
        max_chars: the extraction's input limit.
        ocr: names of the attachments whose text was read by OCR (scanned PDFs, images): OCR_MARK
            follows their heading in the stored text, and meta "ocr_attachments" lists them (issue 17).
    """
    head = [page.title]
    if page.published:
        head.append(f"发布日期：{page.published.isoformat()}")
    if page.issuer:
        head.append(f"来源：{page.issuer}")
    parts = ["\n".join(head), page.body_text.strip()]
    read = [(name, text.strip()) for name, text in attachments if text.strip()]
    scanned = [name for name, _ in read if name in ocr]
    # a blank line (paragraph break) after the heading and the OCR mark: the cleaner re-joins wrapped
    # lines, and would glue "附件：name" to the attachment's first line, garbling its name
    parts += [
        "\n\n".join([f"附件：{name}", *([OCR_MARK.format(name=name)] if name in scanned else []), text])
        for name, text in read
    ]
    raw = "\n\n".join(p for p in parts if p)
    doc = extract_text(
        raw,
        source=page.url,
        published=page.published,
        max_chars=max_chars,
        fmt="html",
        content_hash=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )
    scope = default_scope(spec)
    notices = tuple(with_links(_with_defaults(n, spec, page, scope), page.attachments) for n in doc.notices)
    meta: dict[str, Any] = {
        **doc.meta,
        "source_page": page.url,
        "attachments": [name for name, _ in attachments],
    }
    if scanned:
        meta |= {"ocr": True, "ocr_attachments": scanned}
    return dataclasses.replace(doc, notices=notices, meta=meta)


class _TryAgain(Exception):
    """A page to take in at the next poll: an attachment failed for a passing reason (network, 5xx, 429)."""


def _transient(exc: FetchError) -> bool:
    """A network error, timeout, 5xx or 429: worth another try; robots, 4xx and size limits are final."""
    if isinstance(exc, RobotsDisallowed | FetchTooLarge):
        return False
    return exc.status is None or exc.status >= 500 or exc.status == 429


def _attachments(
    page: DetailPage, fetcher: PageFetcher, settings: Settings, problems: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, text) of the page's attachments that could be fetched and read, and the names of those read by OCR.

    Raises:
        _TryAgain: an attachment failed for a passing reason (the page waits for the next poll).
    """
    found, scanned = [], []
    for link in page.attachments[:MAX_ATTACHMENTS]:
        try:
            result = fetcher.fetch(link.url)
            loaded = load_bytes(
                result.content,
                source=link.url,
                content_type=result.content_type,
                max_bytes=settings.max_input_bytes,
            )
        except FetchError as exc:
            if _transient(exc):
                problems.append(
                    (link.url, f"附件 {link.name} 暂时无法获取，下次轮询重试 / retried next poll: {exc}")
                )
                raise _TryAgain from exc
            problems.append((link.url, f"附件 {link.name} 无法读取 / attachment not read: {exc}"))
            continue
        except (UnsafeTarget, LoadError) as exc:
            problems.append((link.url, f"附件 {link.name} 无法读取 / attachment not read: {exc}"))
            continue
        found.append((link.name, loaded.text))
        if loaded.meta.get("ocr"):
            scanned.append(link.name)
    if len(page.attachments) > MAX_ATTACHMENTS:
        problems.append(
            (
                page.url,
                f"附件超过 {MAX_ATTACHMENTS} 个，只读取了前 {MAX_ATTACHMENTS} 个 / too many attachments",
            )
        )
    return found, scanned


@dataclass
class _Tally:
    documents: int = 0
    notices: int = 0
    changes: int = 0
    notice_ids: list[int] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _take_page(
    engine: Engine,
    settings: Settings,
    spec: SourceSpec,
    page: DetailPage,
    fetcher: PageFetcher,
    now: dt.datetime,
    tally: _Tally,
) -> None:
    """Store one page (and its attachments) as a document, matched and planned; committed on its own."""
    texts, scanned = _attachments(page, fetcher, settings, tally.problems)
    try:
        doc = page_document(page, texts, spec, max_chars=settings.max_input_bytes, ocr=scanned)
    except ReminderError as exc:
        tally.problems.append((page.url, str(exc)))
        return
    reason = not_a_notice(doc)
    if reason is not None:
        tally.problems.append((page.url, reason))
        return
    status = "published" if spec.trust == "auto" else "draft"
    with Session(engine, expire_on_commit=False) as session:
        result = save_corrected(session=session, doc=doc, status=status, now=now)
        for notice_id in result.notice_ids:
            notice_stored(session=session, notice_id=notice_id, now=now, settings=settings)
        session.commit()
    if not result.duplicate:
        tally.documents += 1
        tally.notices += len(result.notice_ids)
        tally.changes += result.changes
        tally.notice_ids += result.notice_ids


def poll_one(
    engine: Engine,
    settings: Settings,
    source_id: int,
    now: dt.datetime,
    *,
    fetcher: PageFetcher | None = None,
) -> WatchReport:
    """Poll a stored source once and take in its new and changed notices.

    Args:
        engine: the database (at the head schema).
        settings: size limits, fetch timeout, the address allow-list, reminder planning.
        source_id: the source.
        now: the poll instant (aware).
        fetcher: the fetcher to use (share one across sources for per-host politeness); default
            :func:`make_fetcher`, closed afterwards.

    Raises:
        LookupError: no source with this id.
    """
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(SourceRow, source_id)
        if row is None:
            raise LookupError(f"没有编号为 {source_id} 的来源 / no source {source_id}")
        spec, state = spec_of(row), state_of(row)
    own = fetcher is None
    use = make_fetcher(settings) if fetcher is None else fetcher
    try:
        return _poll(engine, settings, source_id, spec, state, use, now)
    finally:
        if own and isinstance(use, Fetcher):
            use.close()


def _poll(
    engine: Engine,
    settings: Settings,
    source_id: int,
    spec: SourceSpec,
    state: SourceState,
    fetcher: PageFetcher,
    now: dt.datetime,
) -> WatchReport:
    try:
        result = poll_source(spec, state, fetcher, now)
    except (FetchError, UnsafeTarget) as exc:
        return _failed(engine, source_id, spec, str(exc), now)
    tally = _Tally(problems=[(p.url, p.reason) for p in result.problems])
    retry: list[str] = []
    for page in (*result.details, *result.changed):
        try:
            _take_page(engine, settings, spec, page, fetcher, now, tally)
        except _TryAgain:
            retry.append(page.url)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("source %d: storing %s failed", source_id, page.url, exc_info=True)
            tally.problems.append((page.url, f"数据库错误 / database error: {type(exc).__name__}"))
            retry.append(page.url)
    if retry:
        result = dataclasses.replace(result, state=_forget(result.state, state, retry))
    refused = _refused(result)
    if refused:
        log.warning(
            "source %d (%s): %d link(s) refused and not retried: %s", source_id, spec.name, len(refused),
            "; ".join(f"{_bare(url)}: {reason}" for url, reason in refused.items()),
        )  # fmt: skip
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(SourceRow, source_id)
        assert row is not None
        kept = _kept_refusals(row.state, refused, now)
        record_success(session=session, row=row, result=result, now=now, next_at=next_poll_at(spec, now))
        if kept:  # the poll succeeded, the source is not failing: noted in its health, not flagged
            row.state = {**row.state, "refused": kept}
            row.last_error = _refused_note(kept)
        session.commit()
        flagged = row.flagged
    log.info(
        "source %d (%s): %d new, %d changed, %d documents", source_id, spec.name, len(result.new_items),
        len(result.changed), tally.documents,
    )  # fmt: skip
    return WatchReport(
        source_id=source_id,
        new_items=len(result.new_items),
        changed_pages=len(result.changed),
        documents=tally.documents,
        notices=tally.notices,
        changes=tally.changes,
        problems=tuple(tally.problems),
        flagged=flagged,
        notice_ids=tuple(dict.fromkeys(tally.notice_ids)),
    )


def _refused(result: PollResult) -> dict[str, str]:
    """url → reason of the new items refused for good this poll (address guard, robots.txt).

    ``poll_source`` remembers such an item without a content hash (it is not fetched again), while an
    item that failed for a passing reason stays unknown and is tried again at the next poll.
    """
    new = {item.url for item in result.new_items}
    return {
        p.url: p.reason
        for p in result.problems
        if p.url in new and p.url in result.state.items and result.state.items[p.url].content_hash is None
    }


def _kept_refusals(state: dict[str, Any] | None, refused: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    """The refused links to keep in the source's state: this poll's and earlier ones younger than REFUSED_KEPT."""
    kept: dict[str, Any] = {url: {"at": now.isoformat(), "reason": reason} for url, reason in refused.items()}
    earlier = (state or {}).get("refused") or {}
    for url, entry in earlier.items():
        try:
            at = dt.datetime.fromisoformat(entry["at"])
        except (KeyError, TypeError, ValueError):
            continue  # a hand-edited or damaged entry is dropped
        if url not in kept and now - at < REFUSED_KEPT:
            kept[url] = entry
    newest = sorted(kept.items(), key=lambda pair: str(pair[1]["at"]), reverse=True)
    return dict(newest[:MAX_REFUSED])


def _refused_note(kept: dict[str, Any]) -> str:
    """The operator's line: how many links were refused, and which (the reasons mask URL secrets)."""
    details = "；".join(f"{_bare(url)}（{entry.get('reason', '')}）" for url, entry in kept.items())
    return f"{len(kept)} 个链接被拒绝（不会再抓取，近 {REFUSED_KEPT.days} 天内）/ {len(kept)} link(s) refused: {details}"


def _bare(url: str) -> str:
    """The URL without user info, query and fragment, for the log and the admin pages (they may carry secrets)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def _forget(new: SourceState, old: SourceState, urls: list[str]) -> SourceState:
    """``new`` with these pages known as before this poll: a new page is new again, a changed one changed again.

    The list page's validators are dropped too, so the next poll reads the list (not a 304) and meets
    the forgotten new items again.
    """
    items = dict(new.items)
    for url in urls:
        if url in old.items:
            items[url] = old.items[url]
        else:
            items.pop(url, None)
    return dataclasses.replace(new, items=items, list_validators=Validators())


def _failed(engine: Engine, source_id: int, spec: SourceSpec, reason: str, now: dt.datetime) -> WatchReport:
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(SourceRow, source_id)
        assert row is not None
        record_failure(session=session, row=row, reason=reason, now=now, next_at=next_poll_at(spec, now))
        session.commit()
        flagged = row.flagged
    log.warning("source %d (%s): poll failed: %s", source_id, spec.name, reason)
    return WatchReport(source_id=source_id, error=reason, flagged=flagged)


def poll_claimed(
    engine: Engine,
    settings: Settings,
    source_ids: Iterable[int],
    *,
    worker: str,
    now: Callable[[], dt.datetime],
    fetcher: PageFetcher | None = None,
    lease: dt.timedelta = POLL_LEASE,
    due_only: bool = False,
) -> list[WatchReport]:
    """Poll each source that ``worker`` can claim (a source another live worker holds is skipped).

    The claim is taken and committed before the poll and released after it, so no source is polled
    by two workers at once; a crashed worker's claim expires after ``lease``. With ``due_only`` a
    source another worker polled since the caller listed it (no longer due) is skipped too.
    """
    own = fetcher is None
    use = make_fetcher(settings) if fetcher is None else fetcher
    reports = []
    try:
        for source_id in source_ids:
            with Session(engine) as session:
                taken = claim_source(
                    session=session,
                    source_id=source_id,
                    worker=worker,
                    now=now(),
                    lease=lease,
                    due_only=due_only,
                )
                session.commit()
            if not taken:
                continue
            try:
                reports.append(poll_one(engine, settings, source_id, now(), fetcher=use))
            finally:
                with Session(engine) as session:
                    release_source(session=session, source_id=source_id, worker=worker)
                    session.commit()
    finally:
        if own and isinstance(use, Fetcher):
            use.close()
    return reports
