"""Bytes of a government page → an lxml tree with absolute links.

The charset is taken from the page's own ``<meta charset>`` first (government CMSs often send no
charset or a wrong one in the header), then the HTTP header, then ``charset-normalizer``; GBK and
GB2312 are read as GB18030 (their superset), so rare characters survive.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

import lxml.html
from charset_normalizer import from_bytes

__all__ = ["decode_html", "parse_html", "squash", "text_of"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_GB = frozenset({"gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "gb18030"})
_SPACE = re.compile(r"\s+")
#: whitespace of the page (nbsp and ideographic space included)
_PAGE_SPACE = re.compile(r"[\s\u00a0\u3000]+")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _GB:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(content: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding used.

    >>> decode_html('<meta charset="gbk"><p>通知公告</p>'.encode("gbk"))
    ('<meta charset="gbk"><p>通知公告</p>', 'gb18030')
    """
    match = _META_CHARSET.search(content[:4096])
    for label in (match.group(1).decode("ascii", "replace") if match else None, header_charset):
        codec = _codec(label)
        if codec is None:
            continue
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(content).best()
    codec = _codec(best.encoding) if best is not None else None
    codec = codec or "gb18030"
    return content.decode(codec, "replace"), codec


def parse_html(content: bytes, url: str, header_charset: str | None = None) -> Any:
    """The page as an lxml tree, every link made absolute against ``url`` (and ``<base href>``)."""
    text, _ = decode_html(content, header_charset)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses str input with an encoding declaration
    root = lxml.html.document_fromstring(text or "<html></html>")
    root.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    return root


def squash(text: str) -> str:
    """Whitespace runs as one space, trimmed (nbsp and 全角 spaces included)."""
    return _PAGE_SPACE.sub(" ", text).strip()


def text_of(element: Any) -> str:
    """An element's visible text, whitespace squashed (scripts and styles left out)."""
    parts = element.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")
    return squash("".join(str(p) for p in parts))
