"""The extraction pipeline: raw text → cleaned text → notices → deadlines and conditions.

Each stage is a plain function; this module only wires them together and applies the size limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from bisect import bisect_left
from dataclasses import replace
from pathlib import Path

from reminder.errors import InputTooLarge
from reminder.extract import years
from reminder.extract.conditions import find_conditions
from reminder.extract.dates import DateMention, find_dates
from reminder.extract.deadlines import NoticeContext, find_deadlines
from reminder.extract.facts import notice_facts
from reminder.extract.loaders import Loaded, load_path, load_url
from reminder.extract.meta import PageMeta, meta_date, read_page
from reminder.extract.normalize import clean, match_view
from reminder.extract.scope import attach_scopes
from reminder.extract.segment import Segment, segment
from reminder.extract.segment_data import vocab
from reminder.extract.segment_meta import issuer_level
from reminder.model import Document, Notice, ParseFailure

__all__ = ["DEFAULT_MAX_BYTES", "extract", "extract_text", "extract_loaded"]

log = logging.getLogger(__name__)

#: default size limit for one input (20 MB), overridable per call and in settings
DEFAULT_MAX_BYTES = 20 * 2**20


def _mentions_in(mentions: list[DateMention], starts: list[int], span: tuple[int, int]) -> list[DateMention]:
    lo = bisect_left(starts, span[0])
    hi = bisect_left(starts, span[1])
    return mentions[lo:hi]


def _notice(
    cleaned: str,
    view: str,
    seg: Segment,
    mentions: list[DateMention],
    published: dt.date | None,
    page: PageMeta,
    failures: tuple[ParseFailure, ...] = (),
) -> Notice:
    """One notice: its segment's metadata completed from the page's, then its deadlines, conditions
    and facts (made at once: dataclasses.replace after it would copy every field in Python).

    ``page`` is the page metadata for a document holding one notice, or an empty one.
    """
    # a loose title is only the start of a body sentence: its dates may be deadlines
    exclude = [*([] if seg.loose_title else [seg.title_span]), *page.spans]
    if seg.signature_span is not None:
        exclude.append(seg.signature_span)
    title_view = view[seg.title_span[0] : seg.title_span[1]]
    year, reference = years.reference(
        title_view, view[seg.span[0] : seg.span[1]], seg.published or published, page.doc_year
    )
    ctx = NoticeContext(
        start=seg.span[0],
        end=seg.span[1],
        published=reference,
        year=year,
        exclude=tuple(exclude),
        policy_only=seg.policy_only,
    )
    # a results list (公示, 名单) asks nobody to act: its dates are no deadlines
    results = seg.policy_only and bool(vocab().not_call_title.search(title_view))
    deadlines = [] if results else find_deadlines(cleaned, view, mentions, ctx)
    conditions = [] if seg.policy_only else find_conditions(cleaned, view, seg.span[0], seg.span[1])
    issuer = seg.issuer or page.issuer
    level = seg.level or page.level or (issuer_level(match_view(issuer), vocab()) if issuer else None)
    return Notice(
        title=page.title if seg.loose_title and page.title else seg.title,
        level=level,  # type: ignore[arg-type]
        published=seg.published or page.published,
        issuer=issuer,
        deadlines=tuple(deadlines),
        conditions=tuple(conditions),
        span=seg.span,
        policy_only=seg.policy_only,
        rolling=seg.rolling,
        undated=not seg.policy_only and not any(d.date for d in deadlines),
        failures=failures,
        **notice_facts(cleaned, view, seg.span, seg.policy_only),
    )


def extract_text(
    raw: str,
    *,
    source: str = "<text>",
    published: dt.date | None = None,
    max_chars: int = DEFAULT_MAX_BYTES,
    fmt: str = "txt",
    content_hash: str | None = None,
) -> Document:
    """Extract the notices of one document given as text.

    Args:
        raw: the text as loaded (any script, broken lines allowed).
        source: the path or URL it came from, echoed in the result.
        published: the document's publication date, used for dates written without a year.
        max_chars: refuse longer input with :class:`InputTooLarge` instead of working on it.

    Returns:
        The document with its notices, deadlines and conditions.
    """
    if len(raw) > max_chars:
        raise InputTooLarge(
            source,
            f"文本过长 ({len(raw)} 字符 > {max_chars}) / text too long ({len(raw)} chars > {max_chars}); "
            "split the file or raise REMINDER_MAX_INPUT_BYTES",
        )
    cleaned = clean(raw)
    view = match_view(cleaned)
    seg = segment(cleaned, view)
    page = read_page(cleaned, view)
    mentions, failures = find_dates(view)
    starts = [m.span[0] for m in mentions]
    doc_published = published or seg.published or page.published
    # the page's metadata describes its notice; a compilation's notices have their own titles and
    # issuers, but share the page's date
    notice_page = page if len(seg.segments) == 1 else PageMeta(published=page.published, spans=page.spans)
    notices = []
    for s in seg.segments:
        own = tuple(f for f in failures if s.span[0] <= f.span[0] < s.span[1])
        mentioned = _mentions_in(mentions, starts, s.span)
        notices.append(_notice(cleaned, view, s, mentioned, doc_published, notice_page, own))
    notices = list(attach_scopes(notices, view))
    log.info(
        "extracted %s: %d notices, %d deadlines", source, len(notices), sum(len(n.deadlines) for n in notices)
    )
    return Document(
        source=source,
        text=cleaned,
        notices=tuple(notices),
        kind=seg.kind,
        published=doc_published,
        content_hash=content_hash or hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        format=fmt,
    )


def extract_loaded(
    loaded: Loaded, *, published: dt.date | None = None, max_chars: int = DEFAULT_MAX_BYTES
) -> Document:
    """Extract from what a loader returned; an HTML page's own date (``<meta name="PubDate">``)
    stands in for ``published`` when none is given. Text read by OCR sets ``meta["ocr"]``."""
    doc = extract_text(
        loaded.text,
        source=loaded.source,
        published=published or meta_date(loaded.meta.get("published", "")),
        max_chars=max_chars,
        fmt=loaded.format,
        content_hash=loaded.content_hash,
    )
    if loaded.meta.get("ocr"):  # text read by OCR may hold misread characters: say so (issue 17)
        doc = replace(doc, meta={**doc.meta, "ocr": True, "ocr_pages": loaded.meta.get("ocr_pages", "")})
    return doc


def extract(
    source: str | Path, *, published: dt.date | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Extract the notices of a file path or http(s) URL.

    Raises:
        LoadError: the input cannot be read (the message names it and says why).
    """
    text = str(source)
    if text.startswith(("http://", "https://")):
        loaded = load_url(text, max_bytes=max_bytes)
    else:
        loaded = load_path(source, max_bytes=max_bytes)
    return extract_loaded(loaded, published=published, max_chars=max_bytes)
