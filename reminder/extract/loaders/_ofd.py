"""OFD (GB/T 33190 版式文档) → text: a ZIP of XML, read page after page.

    OFD.xml ── DocBody/DocRoot ── Doc_0/Document.xml ── Pages/Page[@BaseLoc] (in order)
                                                     └─ CommonData/TemplatePage (letterheads)
    page Content.xml ── TextObject[@Boundary] ── TextCode[@X, @Y] text

Each TextCode is placed at its absolute position (the object's boundary plus its own X/Y, in mm);
codes whose baselines lie within half a character height form one line, read left to right, and
lines go top to bottom. A page's template (the 红头 of a 公文 often lives there) is read with it.
The package's expansion is checked before (``check_docx_expansion``); the XML parser resolves no
entities and fetches nothing.
"""

from __future__ import annotations

import io
import logging
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

from reminder.errors import LoadError

__all__ = ["read_ofd"]

logger = logging.getLogger(__name__)

#: OFD.xml DocInfo element → our meta key
_META_KEYS = {"Title": "title", "Author": "author", "Subject": "subject", "CreationDate": "created"}


@dataclass(frozen=True)
class _Code:
    x: float
    y: float
    size: float
    text: str


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element.iter() if _local(child) == name]


def _parse(archive: zipfile.ZipFile, path: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(archive.read(path.lstrip("/")), parser)


def _numbers(value: str | None) -> list[float]:
    try:
        return [float(part) for part in (value or "").split()]
    except ValueError:
        return []


def _join(base: str, location: str) -> str:
    """An archive path: ``location`` relative to the directory of ``base`` unless absolute."""
    if location.startswith("/"):
        return location.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), location))


def _codes(content: Any) -> list[_Code]:
    codes: list[_Code] = []
    for text_object in _children(content, "TextObject"):
        box = _numbers(text_object.get("Boundary")) or [0.0, 0.0]
        size = (_numbers(text_object.get("Size")) or [3.5])[0]
        for code in _children(text_object, "TextCode"):
            if not code.text:
                continue
            x = (_numbers(code.get("X")) or [0.0])[0]
            y = (_numbers(code.get("Y")) or [0.0])[0]
            codes.append(_Code(box[0] + x, box[1] + y, size, code.text))
    return codes


def _lines(codes: list[_Code]) -> list[str]:
    rows: list[list[_Code]] = []
    for code in sorted(codes, key=lambda c: (c.y, c.x)):
        if rows and abs(code.y - rows[-1][0].y) <= max(code.size, rows[-1][0].size) / 2:
            rows[-1].append(code)
        else:
            rows.append([code])
    return ["".join(c.text for c in sorted(row, key=lambda c: c.x)).strip() for row in rows]


def _templates(archive: zipfile.ZipFile, doc_path: str, document: Any) -> dict[str, str]:
    return {
        tpl.get("ID", ""): _join(doc_path, tpl.get("BaseLoc", ""))
        for tpl in _children(document, "TemplatePage")
        if tpl.get("BaseLoc")
    }


def _page_text(archive: zipfile.ZipFile, page_path: str, templates: dict[str, str]) -> str:
    content = _parse(archive, page_path)
    codes = _codes(content)
    for use in _children(content, "Template"):
        path = templates.get(use.get("TemplateID", ""))
        if path and path in archive.namelist():
            codes.extend(_codes(_parse(archive, path)))
    return "\n".join(line for line in _lines(codes) if line)


def _meta(root: Any, pages: int) -> dict[str, str]:
    meta = {"pages": str(pages)}
    for info in _children(root, "DocInfo")[:1]:
        for child in info:
            key = _META_KEYS.get(_local(child))
            if key and child.text and child.text.strip():
                meta[key] = child.text.strip()
    return meta


def _read(archive: zipfile.ZipFile) -> tuple[list[str], dict[str, str]]:
    root = _parse(archive, "OFD.xml")
    doc_roots = [e.text.strip() for e in _children(root, "DocRoot") if e.text and e.text.strip()]
    if not doc_roots:
        raise ValueError("OFD.xml names no DocRoot")
    doc_path = doc_roots[0].lstrip("/")
    document = _parse(archive, doc_path)
    templates = _templates(archive, doc_path, document)
    pages = [
        _page_text(archive, _join(doc_path, page.get("BaseLoc", "")), templates)
        for page in _children(document, "Page")
        if page.get("BaseLoc")
    ]
    return pages, _meta(root, len(pages))


def read_ofd(data: bytes, source: str) -> tuple[str, dict[str, str]]:
    """Text and metadata of an OFD document (the first of its documents).

    Args:
        data: the OFD (ZIP) bytes.
        source: the path or URL, for messages.

    Returns:
        The pages' text, one line per line of type, and meta with "pages" and, when set,
        "title", "author", "subject", "created".

    Raises:
        LoadError: the package is damaged or has no text (a scanned OFD).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            pages, meta = _read(archive)
    except Exception as exc:  # zipfile, lxml and missing parts each raise their own types
        logger.debug("OFD reading failed on %s", source, exc_info=True)
        raise LoadError(
            source,
            f"OFD 文件已损坏 / OFD is damaged ({type(exc).__name__}: {exc}): "
            "请用 OFD 阅读器打开后导出为 PDF / open it in an OFD reader and export it as PDF",
        ) from exc
    text = "\n".join(page for page in pages if page)
    if not text.strip():
        raise LoadError(
            source,
            "OFD 文件没有文字（可能是扫描件）/ the OFD has no text (probably scanned): "
            "请导出为 PDF 或图片后再上传 / export it as PDF or images and upload those",
        )
    return text, meta
