"""HTML → raw text with the standard library's ``html.parser``.

Scripts, styles and page furniture (nav, header, footer) are dropped; block elements become line
breaks and table cells are separated by tabs, so the text keeps the page's structure.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reminder.extract.loaders._main import main_text
from reminder.extract.loaders._text import canonical_charset, decode_text

__all__ = ["read_html", "declared_charset"]

# Elements whose content is never notice text.
_ALWAYS_SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
# Page furniture; dropped unless that leaves nothing (a page with an unclosed <header>).
_FURNITURE = frozenset({"nav", "header", "footer"})
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELLS = frozenset({"td", "th"})
_PRESERVE = frozenset({"pre", "textarea"})
#: <meta name=…> used by Chinese government CMSs → our meta key
_NAMED_META = {"articletitle": "article_title", "pubdate": "published", "contentsource": "publisher"}
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# Source whitespace that held a line break is marked with \v while parsing: a line break between two
# CJK characters renders as nothing (CSS Text "segment break" rules), any other as one space.
_SOFT = "\v"
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_SOFT_CJK = re.compile(f"(?<=[{_CJK}]) ?{_SOFT}[ {_SOFT}]*(?=[{_CJK}])")
_CELL_GAP = re.compile(r" *\t[ \t]*")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` tag declares in the first 4 KiB, lower-case, or None.

    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb2312'
    """
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace").lower() if match else None


class _TextParser(HTMLParser):
    """Collects the visible text of a page, one line per block."""

    def __init__(self, skip: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self._skip = skip
        self._skipping: dict[str, int] = {}
        self._preserve = 0
        self._in_title = False
        self.parts: list[str] = []
        self.title: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag == "meta":
            self._read_meta(dict(attrs))
        if tag == "body":
            self._skipping["head"] = 0  # browsers end <head> at <body>, closed or not
        if tag in self._skip:
            self._skipping[tag] = self._skipping.get(tag, 0) + 1
        self._open_or_close(tag, +1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._skipping.get(tag):
            self._skipping[tag] -= 1
        self._open_or_close(tag, -1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        if any(self._skipping.values()):
            return
        if not self._preserve:
            data = _SPACES.sub(lambda m: _SOFT if "\n" in m.group() or "\r" in m.group() else " ", data)
        self.parts.append(data)

    def _open_or_close(self, tag: str, step: int) -> None:
        if tag in _PRESERVE:
            self._preserve = max(0, self._preserve + step)
        if tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in _CELLS and step > 0:
            self.parts.append("\t")

    def _read_meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("name") or "").lower()
        content = (attrs.get("content") or "").strip()
        if name in _NAMED_META and content:
            self.meta[_NAMED_META[name]] = content


def _lines(parts: list[str]) -> str:
    text = _SOFT_CJK.sub("", "".join(parts)).replace(_SOFT, " ")
    lines = (_CELL_GAP.sub("\t", re.sub(" {2,}", " ", line)).strip(" \t") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _parse(text: str, skip: frozenset[str]) -> _TextParser:
    parser = _TextParser(skip)
    parser.feed(text)
    parser.close()
    return parser


def read_html(data: bytes, source: str, declared: str | None = None) -> tuple[str, str, dict[str, str]]:
    """Visible text, encoding and metadata of an HTML page.

    Args:
        data: the page bytes.
        source: the path or URL, for messages.
        declared: the charset of the HTTP Content-Type, if any (it outranks ``<meta>``).

    Returns:
        The text (one line per block, cells tab-separated), the encoding, and meta with
        "title" and, when the page has them, "article_title", "published", "publisher".

    Raises:
        EncodingError: the bytes are not text in a supported encoding.
    """
    charset = declared if canonical_charset(declared) else declared_charset(data) or declared
    markup, encoding = decode_text(data, source, charset)
    parser = _parse(markup, _ALWAYS_SKIP | _FURNITURE)
    text = _lines(parser.parts)
    if not text:
        text = _lines(_parse(markup, _ALWAYS_SKIP).parts)
    meta = dict(parser.meta)
    title = _SPACES.sub(" ", "".join(parser.title)).strip()
    if title:
        meta["title"] = title
    return main_text(text, meta.get("article_title") or title or None), encoding, meta
