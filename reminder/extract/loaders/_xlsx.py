"""XLSX → table text with openpyxl: one line per row, cells separated by tabs, sheet after sheet.

Empty rows and trailing empty cells are dropped; a workbook with several sheets gets a 【sheet name】
line before each sheet. Dates read as 2026年3月15日 (what the date grammar reads), whole numbers without
".0". The package's expansion is checked before (``check_docx_expansion``), so openpyxl never
inflates a zip bomb.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from reminder.errors import LoadError

__all__ = ["read_xlsx"]

logger = logging.getLogger(__name__)

#: workbook property → our meta key
_META_KEYS = {"title": "title", "creator": "author", "subject": "subject"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        day = f"{value.year}年{value.month}月{value.day}日"
        return day if value.time() == dt.time() else f"{day}{value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    for row in rows:
        cells = [_cell(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            yield "\t".join(cells)


def _meta(workbook: Any, sheets: int) -> dict[str, str]:
    props = workbook.properties
    meta = {
        key: str(getattr(props, attr)).strip() for attr, key in _META_KEYS.items() if getattr(props, attr)
    }
    if props.created is not None:
        meta["created"] = props.created.isoformat()
    meta["sheets"] = str(sheets)
    return meta


def read_xlsx(data: bytes, source: str) -> tuple[str, dict[str, str]]:
    """Text and metadata of an Excel (.xlsx) workbook.

    Args:
        data: the XLSX bytes.
        source: the path or URL, for messages.

    Returns:
        One line per non-empty row (cells tab-separated), and meta with "sheets" and, when set,
        "title", "author", "subject", "created".

    Raises:
        LoadError: the workbook is damaged or encrypted.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = workbook.worksheets
            lines: list[str] = []
            for sheet in sheets:
                rows = list(_rows(sheet.iter_rows(values_only=True)))
                if rows and len(sheets) > 1:
                    lines.append(f"【{sheet.title}】")
                lines.extend(rows)
            meta = _meta(workbook, len(sheets))
        finally:
            workbook.close()
    except Exception as exc:  # zipfile, lxml and openpyxl each raise their own types on bad input
        logger.debug("openpyxl failed on %s", source, exc_info=True)
        raise LoadError(
            source,
            f"XLSX 文件已损坏 / XLSX is damaged ({type(exc).__name__}: {exc}): "
            "请用 Excel/WPS 打开后另存为 .xlsx / open it in Excel or WPS and save it again",
        ) from exc
    return "\n".join(lines), meta
