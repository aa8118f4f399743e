"""OCR that runs offline (RapidOCR on ONNX Runtime, models shipped in the wheel): images and PDF pages
without a text layer.

    read_image ─── Pillow (pixel budget checked before decoding) ─┐
    ocr_pdf_pages ─ pypdfium2 renders the page (bounded size) ────┴─ RapidOCR → boxes → lines

Boxes whose vertical centres fall inside one another's height form a line, read left to right; a gap
wider than a character height becomes a space. OCR is slow (seconds per page on a busy machine), so at
most ``ocr_max_pages()`` pages of one document are read (environment REMINDER_OCR_MAX_PAGES).
Whatever the loaders read this way is marked: meta "ocr" = "true" (and "ocr_pages" for PDFs).
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import threading
from collections.abc import Sequence
from typing import Any

from reminder.errors import InputTooLarge, LoadError
from reminder.extract.loaders._bombs import EXPANSION
from reminder.extract.loaders._pdf import PDFIUM_LOCK

__all__ = ["DEFAULT_OCR_MAX_PAGES", "ocr_available", "ocr_max_pages", "ocr_pdf_pages", "read_image"]

logger = logging.getLogger(__name__)

#: pages (or image frames) of one document read by OCR at most
DEFAULT_OCR_MAX_PAGES = 20
# Longest side of what is recognised: a rendered A4 page at ~200 dpi; bigger scans are scaled down.
_MAX_SIDE = 2400
# An image narrower than this in either direction holds no line of text (icons, spacer GIFs).
_MIN_SIDE = 16
# PDF pages are rendered at twice 72 dpi unless that passes _MAX_SIDE.
_PDF_SCALE = 2.0
# Recognitions the model is less sure of are dropped.
_MIN_SCORE = 0.5
# Text is words: below this share of letters, digits and CJK among the visible characters a "reading"
# is noise (glyph shapes of a font without Unicode map, drawing strokes) and is dropped.
_MIN_WORD_SHARE = 0.5

# One recognition at a time: ONNX Runtime already uses every core, and memory stays bounded.
_OCR_LOCK = threading.Lock()


def ocr_max_pages() -> int:
    """Pages of one document read by OCR at most."""
    try:
        return max(0, int(os.environ.get("REMINDER_OCR_MAX_PAGES", "") or DEFAULT_OCR_MAX_PAGES))
    except ValueError:
        return DEFAULT_OCR_MAX_PAGES


def ocr_available() -> bool:
    """Whether the OCR engine can be imported."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def _box_lines(results: Sequence[Any]) -> list[str]:
    """Text lines from RapidOCR's [box, text, score] results."""
    boxes = []
    for box, text, score in results:
        if float(score) < _MIN_SCORE or not str(text).strip():
            continue
        ys = [float(p[1]) for p in box]
        xs = [float(p[0]) for p in box]
        boxes.append((min(ys), max(ys), min(xs), max(xs), str(text).strip()))
    lines: list[list[tuple[float, float, float, float, str]]] = []
    for item in sorted(boxes, key=lambda b: (b[0] + b[1]) / 2):
        centre = (item[0] + item[1]) / 2
        if lines and lines[-1][0][0] <= centre <= lines[-1][0][1]:
            lines[-1].append(item)
        else:
            lines.append([item])
    out = []
    for line in lines:
        parts: list[str] = []
        right = None
        for top, bottom, left, end, text in sorted(line, key=lambda b: b[2]):
            if right is not None and left - right > bottom - top:
                parts.append(" ")
            parts.append(text)
            right = end
        out.append("".join(parts))
    return out


def _wordy(text: str) -> bool:
    visible = re.sub(r"\s", "", text)
    return bool(visible) and len(re.findall(r"\w", visible)) >= _MIN_WORD_SHARE * len(visible)


def _recognise(image: Any) -> str:
    """The text of a Pillow image."""
    import numpy as np

    image = image.convert("RGB")
    if max(image.size) > _MAX_SIDE:
        image.thumbnail((_MAX_SIDE, _MAX_SIDE))
    with _OCR_LOCK:
        results, _ = _engine()(np.asarray(image))
    text = "\n".join(_box_lines(results or []))
    return text if _wordy(text) else ""


def _not_installed(source: str) -> LoadError:
    return LoadError(
        source,
        "文字识别（OCR）组件未安装 / the OCR engine (rapidocr-onnxruntime) is not installed: "
        "请提供带文字的版本 / provide a copy with a text layer",
    )


def read_image(data: bytes, source: str, max_bytes: int) -> tuple[str, dict[str, str]]:
    """Text of a scanned image (PNG, JPEG, TIFF; every frame of a multi-page TIFF up to the page limit).

    The pixel count is checked before decoding: at most ``EXPANSION × max_bytes / 4`` pixels
    (a decompression bomb is refused, not decoded).

    Raises:
        InputTooLarge: the image has too many pixels.
        LoadError: the image is damaged, has no readable text, or OCR is not installed.
    """
    from PIL import Image, ImageSequence, UnidentifiedImageError

    if not ocr_available():
        raise _not_installed(source)
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise LoadError(
            source,
            "图片已损坏或格式无法识别 / the image is damaged or of an unknown kind: 请重新下载 / download it again",
        ) from exc
    width, height = image.size
    if width * height > EXPANSION * max_bytes // 4:
        raise InputTooLarge(
            source,
            f"图片像素过多（{width}×{height}）/ the image has too many pixels ({width}×{height}): "
            "请缩小后再上传 / scale it down and upload it again",
        )
    if min(width, height) < _MIN_SIDE:
        raise LoadError(
            source,
            f"图片太小（{width}×{height}），不含可识别的文字 / the image ({width}×{height}) is too small "
            "to hold text: 是图标或装饰图片吗 / is it an icon or a decoration?",
        )
    texts = []
    try:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if index >= max(1, ocr_max_pages()):
                break
            texts.append(_recognise(frame))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LoadError(source, f"图片已损坏 / the image is damaged ({exc})") from exc
    text = "\n".join(t for t in texts if t)
    if not text.strip():
        raise LoadError(source, "图片中没有识别出文字 / no text was recognised in the image")
    return text, {"ocr": "true", "pages": str(len(texts))}


def ocr_pdf_pages(data: bytes, pages: Sequence[int], source: str) -> dict[int, str] | None:
    """OCR text of the PDF pages (0-based) ``pages``, the first ``ocr_max_pages()`` of them.

    Pages without any object or text are left out; an empty result means nothing was recognised,
    None that OCR is not installed.
    """
    if not ocr_available():
        logger.info("%s: pages without text, but OCR is not installed", source)
        return None
    import pypdfium2

    wanted = list(pages)[: ocr_max_pages()]
    if len(wanted) < len(pages):
        logger.info("%s: OCR of %d pages of %d (page limit)", source, len(wanted), len(pages))
    images = {}
    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(data)
        try:
            for index in wanted:
                page = document[index]
                try:
                    if not any(True for _ in page.get_objects()):
                        continue  # an empty page: nothing to recognise
                    width, height = page.get_size()
                    scale = min(_PDF_SCALE, _MAX_SIDE / max(width, height, 1.0))
                    images[index] = page.render(scale=scale).to_pil()
                finally:
                    page.close()
        finally:
            document.close()
    texts = {index: _recognise(image) for index, image in images.items()}
    return {index: text for index, text in texts.items() if text.strip()}
