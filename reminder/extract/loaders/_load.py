"""Loading bytes and files: check the size, pick the loader, log what was read."""

from __future__ import annotations

import logging
from pathlib import Path

from reminder.errors import InputTooLarge, LoadError
from reminder.extract.loaders._bombs import check_docx_expansion, check_pdf_expansion
from reminder.extract.loaders._detect import detect_format, parse_content_type
from reminder.extract.loaders._docx import read_docx
from reminder.extract.loaders._html import read_html
from reminder.extract.loaders._loaded import DEFAULT_MAX_BYTES, Format, Loaded, sha256
from reminder.extract.loaders._ocr import ocr_pdf_pages, read_image
from reminder.extract.loaders._ofd import read_ofd
from reminder.extract.loaders._office import LEGACY_FORMATS, read_legacy
from reminder.extract.loaders._pdf import read_pdf
from reminder.extract.loaders._text import decode_text
from reminder.extract.loaders._xlsx import read_xlsx

__all__ = ["load_bytes", "load_named", "load_path", "too_large"]

logger = logging.getLogger(__name__)


def too_large(source: str, size: int | str, max_bytes: int) -> InputTooLarge:
    """The error for an input over the limit (``size`` may be a bound such as "> 20971520")."""
    return InputTooLarge(
        source,
        f"文件过大（{size} 字节，上限 {max_bytes} 字节）/ input too large ({size} bytes, limit "
        f"{max_bytes}): 请只提供通知正文，或调高上限 / give the notice text only, or raise the limit",
    )


def _check_expansion(data: bytes, fmt: Format, source: str, max_bytes: int) -> None:
    """The size limit holds after decompression too (decompression bombs: issue 16, item 10)."""
    if fmt in ("docx", "xlsx", "ofd"):  # ZIP packages: declared member sizes bound what is read
        check_docx_expansion(data, source, max_bytes)
    elif fmt == "pdf":
        check_pdf_expansion(data, source, max_bytes)


def _read_binary(data: bytes, fmt: Format, source: str, max_bytes: int) -> tuple[str, dict[str, str]] | None:
    """(text, meta) of the formats read through a converter, an archive reader or OCR, else None."""
    if fmt in LEGACY_FORMATS:
        return read_legacy(data, fmt, source, max_bytes)
    if fmt == "xlsx":
        return read_xlsx(data, source)
    if fmt == "ofd":
        return read_ofd(data, source)
    if fmt == "image":
        return read_image(data, source, max_bytes)
    return None


def _read(
    data: bytes, fmt: Format, source: str, charset: str | None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, str | None, dict[str, str]]:
    """(text, encoding, meta) from the loader for ``fmt``."""
    if fmt == "pdf":
        text, meta = read_pdf(data, source, ocr_pdf_pages)
        return text, None, meta
    binary = _read_binary(data, fmt, source, max_bytes)
    if binary is not None:
        return binary[0], None, binary[1]
    if fmt == "docx":
        text, meta = read_docx(data, source)
        return text, None, meta
    if fmt == "html":
        return read_html(data, source, charset)
    text, encoding = decode_text(data, source, charset)
    return text, encoding, {}


def load_bytes(
    data: bytes, *, source: str, content_type: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Loaded:
    """Read a document from its bytes.

    Args:
        data: the raw bytes.
        source: the path or URL they came from (its extension is a format hint).
        content_type: the HTTP Content-Type, if any (format and charset hint).
        max_bytes: refuse inputs larger than this.

    Returns:
        The raw text with its format, hash, encoding and metadata.

    Raises:
        InputTooLarge: ``data`` exceeds ``max_bytes``.
        UnsupportedFormat: the format is none of txt, html, pdf, docx, doc, wps, rtf, xls, xlsx, ofd
            or a scanned image.
        EncodingError: text bytes in no supported encoding.
        LoadError: a damaged or encrypted document, one LibreOffice cannot convert, or a scan
            in which OCR finds no text.
    """
    return load_named(data, source=source, name=source, content_type=content_type, max_bytes=max_bytes)


def load_named(data: bytes, *, source: str, name: str, content_type: str | None, max_bytes: int) -> Loaded:
    """``load_bytes`` where the file name hinting the format differs from the source (a redirect)."""
    if len(data) > max_bytes:
        raise too_large(source, len(data), max_bytes)
    fmt = detect_format(data, source=name, content_type=content_type)
    _check_expansion(data, fmt, source, max_bytes)
    text, encoding, meta = _read(data, fmt, source, parse_content_type(content_type)[1], max_bytes)
    logger.info(
        "loaded %s: format=%s size=%d encoding=%s chars=%d", source, fmt, len(data), encoding, len(text)
    )
    return Loaded(
        source=source, text=text, format=fmt, content_hash=sha256(data), encoding=encoding, meta=meta
    )


def _read_file(path: Path, source: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise too_large(source, size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except FileNotFoundError as exc:
        raise LoadError(source, "文件不存在，请检查路径 / file not found: check the path") from exc
    except IsADirectoryError as exc:
        raise LoadError(source, "这是一个目录，不是文件 / this is a directory, not a file") from exc
    except PermissionError as exc:
        raise LoadError(source, "没有读取权限 / permission denied: check the file's permissions") from exc
    except OSError as exc:
        raise LoadError(source, f"无法读取文件 / cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise too_large(source, f"> {max_bytes}", max_bytes)
    return data


def load_path(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Read a document file (txt, html, pdf, docx, doc, wps, rtf, xls, xlsx, ofd, png, jpg, tif).

    Args:
        path: the file; ``Loaded.source`` is this path as given.
        max_bytes: refuse files larger than this (checked before reading).

    Returns:
        The raw text with its format, hash, encoding and metadata.

    Raises:
        LoadError: the file is missing or unreadable, or one of the errors of ``load_bytes``.
    """
    source = str(path)
    data = _read_file(Path(path), source, max_bytes)
    return load_bytes(data, source=source, max_bytes=max_bytes)
