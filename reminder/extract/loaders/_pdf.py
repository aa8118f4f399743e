"""PDF → raw text with pdfplumber, page after page; PDFium (pypdfium2) as the fallback.

Page texts are joined with newlines; the page numbers the PDF prints stay in (``normalize.clean``
drops them). pdfminer cannot map the glyphs of some CJK fonts (it yields ``(cid:123)``, e.g. in
permission-protected PDFs whose fonts have no ToUnicode table) and chokes on some files PDFium
reads, so PDFium (already installed with pdfplumber) gets a second try. Every failure becomes a
``LoadError`` with a reason a user can act on.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from reminder.errors import LoadError
from reminder.extract.loaders._text import MIN_PLAUSIBILITY, looks_binary, plausibility

__all__ = ["read_pdf"]

logger = logging.getLogger(__name__)

# Justified Chinese PDFs space characters apart; a gap under 0.4 em is not a word break.
_X_TOLERANCE_RATIO = 0.4
# A glyph pdfminer could not map to Unicode (a font without a ToUnicode table).
_CID = re.compile(r"\(cid:\d+\)")
# Above this share of unmapped glyphs the text is unusable.
_MAX_CID_SHARE = 0.3
# A PDF ends with %%EOF; readers look for it in the last kilobyte.
_EOF_WINDOW = 1024
#: PDF info key → our meta key
_META_KEYS = {"Title": "title", "Author": "author", "Subject": "subject", "CreationDate": "created"}

# PDFium is not thread-safe.
_PDFIUM_LOCK = threading.Lock()
PDFIUM_LOCK = _PDFIUM_LOCK

#: (PDF bytes, 0-based page numbers, source) → OCR text of the pages it could read (None: no OCR engine)
PageOcr = Callable[[bytes, Sequence[int], str], dict[int, str] | None]

_DAMAGED = "PDF 文件已损坏或加密 / PDF is damaged or encrypted"


def _damaged(source: str, detail: str) -> LoadError:
    return LoadError(source, f"{_DAMAGED}: {detail}")


def _is_password_error(exc: BaseException) -> bool:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    causes = [exc, exc.__cause__, exc.__context__, *exc.args]
    return any(isinstance(c, PDFPasswordIncorrect | PDFEncryptionError) for c in causes)


def _describe(exc: Exception) -> str:
    if _is_password_error(exc):
        return "需要打开密码，请提供未加密的版本 / a password is needed to open it: get an unencrypted copy"
    detail = str(exc) or type(exc).__name__
    return f"无法解析（{detail}），请重新下载或另存为 PDF / cannot be parsed ({detail}): download or export it again"


def _meta_value(value: Any) -> str | None:
    if isinstance(value, bytes):
        for codec in ("utf-16", "utf-8", "latin-1"):
            try:
                return value.decode(codec).strip("\x00 ") or None
            except UnicodeDecodeError:
                continue
    if isinstance(value, str):
        return value.strip() or None
    return None


def _meta(info: dict[str, Any], pages: int) -> dict[str, str]:
    meta = {"pages": str(pages)}
    for key, name in _META_KEYS.items():
        value = _meta_value(info.get(key))
        if value:
            meta[name] = value
    return meta


def _extract(data: bytes) -> tuple[list[str], dict[str, str]]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [page.extract_text(x_tolerance_ratio=_X_TOLERANCE_RATIO) or "" for page in pdf.pages]
        return pages, _meta(pdf.metadata, len(pages))


def _extract_pdfium(data: bytes) -> list[str]:
    import pypdfium2

    with _PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(data)
        try:
            return [_pdfium_page_text(page) for page in document]
        finally:
            document.close()


def _pdfium_page_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        return str(textpage.get_text_range()).replace("\r\n", "\n").replace("\r", "\n")
    finally:
        textpage.close()
        page.close()


def _unmapped(text: str) -> bool:
    """Whether most of the text is glyphs pdfminer could not map to characters."""
    visible = re.sub(r"\s", "", text)
    return sum(len(m) for m in _CID.findall(visible)) > len(visible) * _MAX_CID_SHARE


def _join(pages: list[str]) -> str:
    return "\n".join(page.rstrip("\n") for page in pages)


def _second_try(source: str, data: bytes, why: str) -> list[str] | None:
    """The page texts PDFium reads, or None when it fails too."""
    try:
        pages = _extract_pdfium(data)
    except Exception:  # PDFium errors carry no useful types; the caller reports pdfminer's reason
        logger.debug("PDFium failed on %s", source, exc_info=True)
        return None
    logger.info("%s: pdfminer %s; PDFium read it", source, why)
    return pages


def _readable(text: str) -> bool:
    """Whether PDFium's reading of unmapped glyphs is text: it maps glyph ids to code points
    blindly, which gives control characters and rare CJK characters."""
    return not looks_binary(text) and plausibility(text) >= MIN_PLAUSIBILITY


def _check_text_layer(source: str, text: str, ocr_tried: bool = False) -> None:
    if not re.sub(r"\s", "", text) and ocr_tried:
        raise LoadError(
            source,
            "PDF 没有文字层（可能是扫描件），OCR 文字识别也没有识别出文字 / the PDF has no text layer "
            "(probably scanned) and OCR recognised no text in it: 请提供更清晰的版本 / provide a clearer copy",
        )
    if not re.sub(r"\s", "", text):
        raise LoadError(
            source,
            "PDF 没有文字层（可能是扫描件），需要先做 OCR 文字识别 / the PDF has no text layer "
            "(probably scanned): run OCR on it first",
        )
    if _unmapped(text):
        raise LoadError(
            source,
            "PDF 的字体缺少字符映射，无法提取文字，需要先做 OCR 文字识别 / the PDF's fonts have no "
            "Unicode map, so its text cannot be extracted: run OCR on it first",
        )


def _fill_by_ocr(data: bytes, source: str, pages: list[str], meta: dict[str, str], ocr: PageOcr) -> list[str]:
    """Pages without text (all pages when the fonts are unmapped) replaced by what OCR reads."""
    blank = [i for i, page in enumerate(pages) if not re.sub(r"\s", "", page)]
    if _unmapped(_join(pages)):
        blank = list(range(len(pages)))
    found = ocr(data, blank, source) if blank else None
    if found is not None:
        meta["ocr_tried"] = "true"
    if not found:
        return pages
    meta["ocr"] = "true"
    meta["ocr_pages"] = ",".join(str(i + 1) for i in sorted(found))
    return [found.get(i, page) for i, page in enumerate(pages)]


def read_pdf(data: bytes, source: str, ocr: PageOcr | None = None) -> tuple[str, dict[str, str]]:
    """Text and metadata of a PDF.

    Args:
        data: the PDF bytes.
        source: the path or URL, for messages.
        ocr: reads pages without a text layer (or with unmapped fonts); its pages get meta
            "ocr" = "true" and "ocr_pages" (1-based numbers).

    Returns:
        The pages' text joined by newlines, and meta with "pages" and, when set, "title",
        "author", "subject", "created".

    Raises:
        LoadError: the PDF is truncated, damaged, password-protected, or has no usable text.
    """
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise _damaged(
            source,
            "文件不完整，缺少结尾标记 %%EOF（可能下载中断），请重新下载 / "
            "the file is truncated (no %%EOF end marker): download it again",
        )
    try:
        pages, meta = _extract(data)
    except Exception as exc:  # pdfminer raises many unrelated types on bad input; all mean "unreadable"
        logger.debug("pdfminer failed on %s", source, exc_info=True)
        retry = None if _is_password_error(exc) else _second_try(source, data, f"failed ({exc!r})")
        if retry is None:
            raise _damaged(source, _describe(exc)) from exc
        pages, meta = retry, {"pages": str(len(retry))}
    if not pages:
        raise _damaged(source, "没有任何页面 / it has no pages")
    if _unmapped(_join(pages)):
        retry = _second_try(source, data, "could not map the fonts")
        if retry is not None and _readable(_join(retry)):
            pages = retry
    if ocr is not None:
        pages = _fill_by_ocr(data, source, pages, meta, ocr)
    text = _join(pages)
    _check_text_layer(source, text, meta.pop("ocr_tried", "") == "true")
    return text, meta
