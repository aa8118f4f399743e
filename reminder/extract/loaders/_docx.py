"""DOCX → raw text with python-docx, paragraphs and tables in document order.

The body XML is walked directly (``Document.paragraphs`` and ``Document.tables`` lose the order
between them): one line per paragraph, one line per table row with cells separated by tabs.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from reminder.errors import LoadError

__all__ = ["read_docx"]

logger = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: core property → our meta key
_META_KEYS = {"title": "title", "author": "author", "subject": "subject"}


def _cell_text(cell: Any) -> str:
    # A cell holds paragraphs (and maybe a nested table); on one row line they read as one.
    return " ".join(line for line in _block_lines(cell._tc, cell) if line).replace("\t", " ")


def _row_line(row: Any) -> str:
    cells: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:
        # A merged cell is returned once per grid column it spans: keep it once.
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        cells.append(_cell_text(cell))
    return "\t".join(cells).strip("\t")


def _block_lines(element: Any, parent: Any) -> Iterator[str]:
    """Lines of the paragraphs and tables directly under ``element``, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            yield Paragraph(child, parent).text
        elif child.tag == f"{_W}tbl":
            yield from (_row_line(row) for row in Table(child, parent).rows)
        elif child.tag == f"{_W}sdt":  # a content control wraps ordinary blocks
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _block_lines(content, parent)


def _meta(document: Any) -> dict[str, str]:
    props = document.core_properties
    meta = {
        key: str(getattr(props, attr)).strip() for attr, key in _META_KEYS.items() if getattr(props, attr)
    }
    if props.created is not None:
        meta["created"] = props.created.isoformat()
    return meta


def read_docx(data: bytes, source: str) -> tuple[str, dict[str, str]]:
    """Text and metadata of a Word (.docx) document.

    Args:
        data: the DOCX bytes.
        source: the path or URL, for messages.

    Returns:
        One line per paragraph or table row (cells tab-separated), and meta with "title",
        "author", "subject", "created" when the document sets them.

    Raises:
        LoadError: the package is damaged.
    """
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_block_lines(document.element.body, document._body))
        meta = _meta(document)
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own types on bad input
        logger.debug("python-docx failed on %s", source, exc_info=True)
        raise LoadError(
            source,
            f"DOCX 文件已损坏 / DOCX is damaged ({type(exc).__name__}: {exc}): "
            "请用 Word/WPS 打开后另存为 .docx 或 PDF / open it in Word or WPS and save it again",
        ) from exc
    return "\n".join(lines), meta
