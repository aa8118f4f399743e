"""What every loader returns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Format", "FORMATS", "Loaded", "DEFAULT_MAX_BYTES", "sha256"]

Format = Literal["txt", "pdf", "html", "docx", "doc", "wps", "rtf", "xls", "xlsx", "ofd", "image"]
FORMATS: tuple[Format, ...] = (
    "txt",
    "pdf",
    "html",
    "docx",
    "doc",
    "wps",
    "rtf",
    "xls",
    "xlsx",
    "ofd",
    "image",
)

#: inputs above this many bytes are refused (20 MiB)
DEFAULT_MAX_BYTES = 20 * 2**20


@dataclass(frozen=True)
class Loaded:
    """A document read as raw text, before ``normalize.clean``."""

    #: the path or URL as the user gave it
    source: str
    #: the raw text, not yet cleaned (PDF line breaks and page numbers still in)
    text: str
    #: "txt", "pdf", "html", "docx", "doc", "wps", "rtf", "xls", "xlsx", "ofd" or "image" (OCR'd)
    format: Format
    #: sha256 hex digest of the raw bytes
    content_hash: str
    #: the detected text encoding for txt and html ("utf-8", "gb18030", "big5", ...), else None
    encoding: str | None
    #: document metadata, e.g. {"title": ..., "pages": "12"}
    meta: dict[str, str] = field(default_factory=dict)


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
