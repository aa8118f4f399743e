"""Which loader reads a file: leading bytes first, then what the name or content type claims.

magic bytes ── %PDF ─────────────────────────── pdf
            ├─ PK… with word/document.xml ───── docx
            ├─ <!doctype html / <html / <head ─ html
            └─ none of these ── claim (content type, else file extension)
                                  ├─ txt / html / pdf / docx
                                  ├─ nothing (no extension, octet-stream) → txt, decoded or refused
                                  └─ anything else (.exe, image/png, .doc) → UnsupportedFormat
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath, PurePosixPath
from urllib.parse import urlsplit

from reminder.errors import LoadError, UnsupportedFormat
from reminder.extract.loaders._loaded import Format
from reminder.extract.loaders._text import describe_binary

__all__ = ["detect_format", "parse_content_type", "content_type_claim", "SUPPORTED_MIME", "FORMAT_MIME_HINT"]

#: media type → format
SUPPORTED_MIME: dict[str, Format] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
# Media types servers send for any download; the bytes and the file name decide instead.
GENERIC_MIME = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/download",
        "application/x-download",
        "application/force-download",
        "application/zip",
        "application/x-zip-compressed",
        "application/msword",  # many servers label .docx files with the old Word type
    }
)
_EXTENSIONS: dict[str, Format] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".jsp": "html",
    ".asp": "html",
    ".aspx": "html",
    ".php": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
_ADVICE = {
    ".doc": "旧版 Word 格式，请另存为 .docx 或 PDF / legacy Word: save it as .docx or PDF",
    ".wps": "WPS 格式，请另存为 .docx 或 PDF / WPS file: save it as .docx or PDF",
    ".ofd": "OFD 版式文件，请导出为 PDF / OFD file: export it as PDF",
}
_SUPPORTED = "支持 txt、html、pdf、docx / supported: txt, html, pdf, docx"
FORMAT_MIME_HINT = _SUPPORTED
# What an extension looks like: dots in Chinese file names often belong to dates instead.
_EXTENSION = re.compile(r"\.[a-z][a-z0-9]{0,5}")
_TEXTUAL: dict[str, Format] = {"txt": "txt", "html": "html"}
# Compound File header of .doc/.xls/.wps, whatever the file is named.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A PDF header may follow some junk; readers look in the first kilobyte.
_PDF_WINDOW = 1024
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)


def parse_content_type(content_type: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type header into (media type, charset), both lower-case.

    >>> parse_content_type('text/html; charset="GBK"')
    ('text/html', 'gbk')
    """
    if not content_type:
        return None, None
    mime, _, params = content_type.partition(";")
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.IGNORECASE)
    return mime.strip().lower() or None, match.group(1).lower() if match else None


def content_type_claim(mime: str | None) -> Format | str | None:
    """What a media type claims: a format, None (says nothing), or the unsupported type itself."""
    if mime is None or mime in GENERIC_MIME:
        return None
    return SUPPORTED_MIME.get(mime, mime)


def _suffix(source: str) -> str:
    """The file extension, or "" when the name has none ("通知（2023.9.15）" has none)."""
    parts = urlsplit(source)
    path = PurePosixPath(parts.path) if parts.scheme in ("http", "https") else PurePath(source)
    suffix = path.suffix.lower()
    return suffix if _EXTENSION.fullmatch(suffix) else ""


def _claim(source: str, mime: str | None) -> Format | str | None:
    claim = content_type_claim(mime)
    if claim is not None:
        return claim
    suffix = _suffix(source)
    if not suffix:
        return None
    return _EXTENSIONS.get(suffix, suffix)


def _zip_kind(data: bytes, source: str) -> Format:
    """docx, or the reason this ZIP file is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoadError(
            source,
            f"DOCX/ZIP 文件已损坏（可能下载不完整）/ DOCX/ZIP file is damaged or truncated ({exc}): 请重新下载 / download it again",
        ) from exc
    if "word/document.xml" in names:
        return "docx"
    kind = (
        "Excel" if "xl/workbook.xml" in names else "PowerPoint" if "ppt/presentation.xml" in names else "ZIP"
    )
    raise UnsupportedFormat(
        source, f"这是 {kind} 文件，不是 Word 文档 / this is a {kind} file, not a Word document; {_SUPPORTED}"
    )


def _sniff(data: bytes, source: str) -> Format | None:
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, source)
    if _HTML_START.match(data[:_PDF_WINDOW]):
        return "html"
    return None


def _unsupported(source: str, claim: str, data: bytes) -> UnsupportedFormat:
    advice = _ADVICE.get(claim)
    if advice is None:
        actual = describe_binary(data)
        seen = f"（内容是{actual[0]} / content is {actual[1]}）" if actual else ""
        advice = f"不支持的格式 {claim}{seen} / unsupported format {claim}; {_SUPPORTED}"
    return UnsupportedFormat(source, advice)


def detect_format(data: bytes, *, source: str, content_type: str | None = None) -> Format:
    """Decide which loader reads ``data``.

    Args:
        data: the raw bytes.
        source: the path or URL; its extension is a hint.
        content_type: a Content-Type header, if the bytes came over HTTP.

    Returns:
        "pdf", "docx", "html" or "txt" (txt also when nothing is known: decoding then decides).

    Raises:
        UnsupportedFormat: the bytes or the claim name a format we do not read.
        LoadError: the bytes contradict the claim (a .pdf without a PDF header, a broken ZIP).
    """
    sniffed = _sniff(data, source)
    if sniffed is not None:
        return sniffed
    claim = _claim(source, parse_content_type(content_type)[0])
    if claim is None:
        return "txt"
    if claim in _TEXTUAL:
        return _TEXTUAL[claim]
    if claim == "pdf":
        raise LoadError(
            source,
            "PDF 文件已损坏：缺少 %PDF 文件头 / PDF is damaged: no %PDF header; 请重新下载 / download it again",
        )
    if claim == "docx" and not data.startswith(_OLE_MAGIC):
        raise LoadError(
            source,
            "DOCX 文件已损坏：不是 ZIP 包 / DOCX is damaged: not a ZIP package; 请重新下载 / download it again",
        )
    raise _unsupported(source, ".doc" if claim == "docx" else claim, data)
