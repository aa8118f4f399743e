"""The identity of a notice across versions of its document: normalised source + normalised title."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from reminder.extract.normalize import match_view
from reminder.model import Document

__all__ = ["normalize_source", "notice_key", "document_keys"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACE = re.compile(r"\s+")


def normalize_source(source: str) -> str:
    """The source as an identity: URLs without scheme, fragment and default port; paths absolute.

    >>> normalize_source("HTTPS://Kjt.Zj.gov.cn:443/art/2025/1.html#top")
    'kjt.zj.gov.cn/art/2025/1.html'
    """
    parts = urlsplit(source)
    if parts.scheme in ("http", "https"):
        host = (parts.hostname or "").lower()
        if parts.port is not None and parts.port != _DEFAULT_PORTS[parts.scheme]:
            host = f"{host}:{parts.port}"
        path = parts.path.rstrip("/") or ""
        return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")
    if source.startswith("<"):  # "<text>", "<stdin>": not a place
        return source
    return Path(source).expanduser().resolve(strict=False).as_posix()


def _normalize_title(title: str) -> str:
    """Simplified, half-width, without whitespace: 關於… and 关于… are one title."""
    return _SPACE.sub("", match_view(title))


def notice_key(source: str, title: str, occurrence: int = 1) -> str:
    """The identity of a notice across versions of its document.

    Args:
        source: the document's path or URL.
        title: the notice title.
        occurrence: 2, 3… for later notices with the same title in one document.

    Returns:
        A sha256 hex digest.
    """
    text = f"{normalize_source(source)}\x1f{_normalize_title(title)}"
    if occurrence > 1:
        text += f"\x1f{occurrence}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_keys(doc: Document) -> list[str]:
    """The key of each notice of ``doc``, in order; repeated titles get occurrence numbers."""
    seen: dict[str, int] = {}
    keys = []
    for notice in doc.notices:
        title = _normalize_title(notice.title)
        seen[title] = seen.get(title, 0) + 1
        keys.append(notice_key(doc.source, notice.title, seen[title]))
    return keys
