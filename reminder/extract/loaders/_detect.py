"""Which loader reads a file: leading bytes first, then what the name or content type claims.

magic bytes ── %PDF ─────────────────────────── pdf
            ├─ PK… with word/document.xml ───── docx (xl/workbook.xml: xlsx, OFD.xml: ofd)
            ├─ OLE compound file ────────────── doc / wps / xls (its streams, then the name)
            ├─ {\rtf ────────────────────────── rtf
            ├─ PNG / JPEG / TIFF ────────────── image (OCR), unless the name claims text
            ├─ <!doctype html / <html / <head ─ html
            └─ none of these ── claim (content type, else file extension)
                                  ├─ txt / html
                                  ├─ a binary format (pdf, docx, doc, xlsx, ofd, png…) → damaged
                                  ├─ nothing (no extension, octet-stream) → txt, decoded or refused
                                  └─ anything else (.exe, .pptx) → UnsupportedFormat
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
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-works": "wps",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "application/ofd": "ofd",
    "image/png": "image",
    "image/jpeg": "image",
    "image/tiff": "image",
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
    ".doc": "doc",
    ".wps": "wps",
    ".rtf": "rtf",
    ".xls": "xls",
    ".et": "xls",  # WPS spreadsheet: an Excel 97 file inside
    ".xlsx": "xlsx",
    ".ofd": "ofd",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
_ADVICE = {
    ".ppt": "PowerPoint 演示文稿，请导出为 PDF / PowerPoint file: export it as PDF",
    ".pptx": "PowerPoint 演示文稿，请导出为 PDF / PowerPoint file: export it as PDF",
}
_SUPPORTED = (
    "支持 txt、html、pdf、docx、doc、wps、rtf、xls、xlsx、ofd 及扫描图片（png、jpg、tif）/ "
    "supported: txt, html, pdf, docx, doc, wps, rtf, xls, xlsx, ofd and scanned images (png, jpg, tif)"
)
FORMAT_MIME_HINT = _SUPPORTED
# What an extension looks like: dots in Chinese file names often belong to dates instead.
_EXTENSION = re.compile(r"\.[a-z][a-z0-9]{0,5}")
_TEXTUAL: dict[str, Format] = {"txt": "txt", "html": "html"}
# Compound File header of .doc/.xls/.wps, whatever the file is named.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names in a compound file's directory (UTF-16LE) → the format they make it.
_OLE_STREAMS: tuple[tuple[bytes, Format], ...] = (
    ("WordDocument".encode("utf-16-le"), "doc"),
    ("Workbook".encode("utf-16-le"), "xls"),
    ("Book\0".encode("utf-16-le"), "xls"),  # Excel 95
)
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
# What a compound file with no known stream may still be, when the name says so (Works .wps).
_OLE_CLAIMS: dict[str, Format] = {".wps": "wps", ".et": "xls", ".xls": "xls"}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
# Formats read from binary bytes: a file claiming one of them without its magic is damaged.
_BINARY_NAMES: dict[str, str] = {
    "docx": "DOCX",
    "doc": "DOC",
    "wps": "WPS",
    "rtf": "RTF",
    "xls": "XLS",
    "xlsx": "XLSX",
    "ofd": "OFD",
    "image": "图片 / image",
}
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
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    kind = "PowerPoint" if "ppt/presentation.xml" in names else "ZIP"
    raise UnsupportedFormat(
        source, f"这是 {kind} 文件，不是 Word 文档 / this is a {kind} file, not a Word document; {_SUPPORTED}"
    )


def _ole_kind(data: bytes, source: str) -> Format:
    """doc, wps or xls from a compound file's stream names (and its name), or why it is none."""
    claim = _suffix(source)
    if _ENCRYPTED_OOXML in data:
        raise LoadError(
            source,
            "文档已加密，需要打开密码 / the document is encrypted: 请提供未加密的版本 / get an unencrypted copy",
        )
    for name, fmt in _OLE_STREAMS:
        if name in data:
            return "wps" if fmt == "doc" and claim == ".wps" else fmt
    if claim in _OLE_CLAIMS:
        return _OLE_CLAIMS[claim]
    if claim in (".doc", ".docx"):
        raise LoadError(
            source,
            "DOC 文件已损坏：缺少 Word 正文 / DOC is damaged: no Word text stream; "
            "请重新下载 / download it again",
        )
    raise _unsupported(source, claim or "OLE", data)


def _sniff(data: bytes, source: str, mime: str | None) -> Format | None:
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, source)
    if data.startswith(_OLE_MAGIC):
        return _ole_kind(data, source)
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(_IMAGE_MAGIC) and _claim(source, mime) not in _TEXTUAL:
        return "image"
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
        "pdf", "docx", "doc", "wps", "rtf", "xls", "xlsx", "ofd", "image", "html" or "txt" (txt also
        when nothing is known: decoding then decides).

    Raises:
        UnsupportedFormat: the bytes or the claim name a format we do not read.
        LoadError: the bytes contradict the claim (a .pdf without a PDF header, a broken ZIP).
    """
    mime = parse_content_type(content_type)[0]
    sniffed = _sniff(data, source, mime)
    if sniffed is not None:
        return sniffed
    claim = _claim(source, mime)
    if claim is None:
        return "txt"
    if claim in _TEXTUAL:
        return _TEXTUAL[claim]
    if claim == "pdf":
        raise LoadError(
            source,
            "PDF 文件已损坏：缺少 %PDF 文件头 / PDF is damaged: no %PDF header; 请重新下载 / download it again",
        )
    if claim == "docx":
        raise LoadError(
            source,
            "DOCX 文件已损坏：不是 ZIP 包 / DOCX is damaged: not a ZIP package; 请重新下载 / download it again",
        )
    if claim in _BINARY_NAMES:
        name = _BINARY_NAMES[claim]
        raise LoadError(
            source,
            f"{name} 文件已损坏：文件头不符 / {name} is damaged: its header is wrong; 请重新下载 / download it again",
        )
    raise _unsupported(source, claim, data)
