"""Reading a notice's detail page: title, publication date, issuer, body text and attachment links.

The page's own metadata comes first (``<meta name="ArticleTitle">``, ``PubDate``, ``ContentSource``,
``ColumnName``, ``SiteName``), read by the extraction's HTML loader (:func:`reminder.extract.loaders.load_bytes`)
and its date reader (:func:`reminder.extract.meta.meta_date`). Without them: the hint's selectors, the
page's 来源/发布时间 lines (:func:`reminder.extract.meta.read_page`), the first ``<h1>``, ``<title>``
without the site name. The body is the hint's container, else the first of the common CMS containers
(``#zoomcon``, ``.TRS_Editor``… in ``data/pages.yaml``), else the loader's main text. Attachments are
links whose address ends in a document extension or whose text starts with 附件.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import lxml.html

from reminder.extract.loaders import load_bytes
from reminder.extract.meta import PageMeta, meta_date, read_page
from reminder.extract.normalize import clean, match_view
from reminder.sources.html import decode_html, squash, text_of
from reminder.sources.model import AttachmentLink, DetailPage, Hints
from reminder.sources.vocab import PageWords, page_words, selector

__all__ = ["read_detail"]

_BODY_MIN_CHARS = 20
#: a 来源 value that names the site itself, not an issuer
_SELF_SOURCE = re.compile(r"^(本网|本站)\s*")


def read_detail(
    content: bytes,
    url: str,
    *,
    charset: str | None = None,
    hints: Hints | None = None,
    default_issuer: str | None = None,
) -> DetailPage:
    """Read a detail page from its bytes.

    Args:
        content: the page bytes (any charset, as :func:`decode_html` reads it).
        url: the page's address (attachment links are made absolute against it).
        charset: the charset of the HTTP Content-Type, if any.
        hints: per-site CSS selectors (title, date, body, attachments).
        default_issuer: the source's issuer, used when the page names none.

    Raises:
        LoadError: the bytes are not a readable HTML page.
    """
    hints = hints or Hints()
    words = page_words()
    markup, _ = decode_html(content, charset)
    loaded = load_bytes(markup.encode("utf-8"), source=url, content_type="text/html; charset=utf-8")
    root = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", markup) or "<html></html>")
    root.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    metas = _metas(root)
    body = _body(root, hints, words) or loaded.text.strip()
    head = _head(loaded.text)
    return DetailPage(
        url=url,
        title=_title(root, metas, loaded.meta, hints, words),
        published=_published(root, metas, hints) or head.published,
        issuer=_issuer(metas, loaded.meta) or head.issuer or default_issuer,
        body_text=body,
        attachments=_attachments(root, hints, words),
        column=metas.get("columnname") or None,
        site=metas.get("sitename") or None,
    )


def _head(text: str) -> PageMeta:
    """The 来源/发布时间 lines and 索引号 table at the top of the page, as the extraction reads them."""
    cleaned = clean(text)
    return read_page(cleaned, match_view(cleaned))


def _metas(root: Any) -> dict[str, str]:
    """``<meta name=… content=…>`` by lower-case name (first wins), values squashed."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        name, value = (meta.get("name") or "").strip().lower(), squash(meta.get("content") or "")
        if name and value:
            found.setdefault(name, value)
    return found


def _first_text(root: Any, css: str | None) -> str | None:
    if not css:
        return None
    for element in selector(css)(root):
        if text := text_of(element):
            return text
    return None


def _title(root: Any, metas: dict[str, str], loaded: dict[str, str], hints: Hints, words: PageWords) -> str:
    hinted = _first_text(root, hints.title)
    if hinted:
        return hinted
    if metas.get("articletitle"):
        return metas["articletitle"]
    if loaded.get("article_title"):
        return squash(loaded["article_title"])
    for h1 in root.iter("h1"):
        if len(text := text_of(h1)) >= words.min_title_chars:
            return text
    return _without_site(squash(loaded.get("title") or ""), words)


def _without_site(title: str, words: PageWords) -> str:
    """``关于…的通知_某某市科学技术局`` → ``关于…的通知`` (the longest part before a separator)."""
    for sep in words.title_separators:
        if sep in title:
            return max(title.split(sep), key=len).strip()
    return title


def _published(root: Any, metas: dict[str, str], hints: Hints) -> dt.date | None:
    hinted = _first_text(root, hints.date)
    for value in (hinted, metas.get("pubdate"), metas.get("firstpublishedtime"), metas.get("publishdate")):
        if value and (found := meta_date(value)) is not None:
            return found
    return None


def _issuer(metas: dict[str, str], loaded: dict[str, str]) -> str | None:
    value = metas.get("contentsource") or squash(loaded.get("publisher") or "")
    value = _SELF_SOURCE.sub("", value).strip()
    return value or None


def _body(root: Any, hints: Hints, words: PageWords) -> str | None:
    candidates = [selector(hints.body)] if hints.body else list(words.body_selectors)
    for find in candidates:
        for element in find(root):
            text = _block_text(element)
            if len(text) >= _BODY_MIN_CHARS:
                return text
    return None


def _block_text(element: Any) -> str:
    """The container's text through the extraction's HTML reader (blocks → lines, cells → tabs)."""
    fragment = lxml.html.tostring(element, encoding="unicode")
    page = f'<html><head><meta charset="utf-8"></head><body>{fragment}</body></html>'
    return load_bytes(page.encode("utf-8"), source="body.html", content_type="text/html").text.strip()


def _is_attachment(href: str, text: str, words: PageWords) -> bool:
    path = unquote(urlsplit(href).path).lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    named = text.rsplit(".", 1)[-1].lower() if "." in text else ""  # 申报表.pdf behind downfile.jsp?…
    return (
        ext in words.attachment_ends
        or named in words.attachment_ends
        or text.startswith(words.attachment_words)
    )


def _attachments(root: Any, hints: Hints, words: PageWords) -> tuple[AttachmentLink, ...]:
    links = selector(hints.attachments)(root) if hints.attachments else root.iter("a")
    found: dict[str, AttachmentLink] = {}
    for a in links:
        href = (a.get("href") or "").strip()
        if urlsplit(href).scheme not in ("http", "https"):
            continue
        text = text_of(a) or squash(a.get("title") or "")
        if hints.attachments or _is_attachment(href, text, words):
            url = urldefrag(href)[0]
            name = text or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            found.setdefault(url, AttachmentLink(name, url))
    return tuple(found.values())
