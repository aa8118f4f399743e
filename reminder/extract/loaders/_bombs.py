"""Decompression bombs: the size limit applies to what an input expands to, checked before parsing.

A 510 KB DOCX expanding to 500 MB peaked at 1.44 GB RSS, a 204 KB flate-bomb PDF at 577 MB
(issue 16, item 10). Before python-docx or pdfminer see the bytes:

- DOCX: every ZIP member's declared size (``zipfile`` never inflates past it) — an XML part at most
  ``max_bytes``, all members together at most ``EXPANSION × max_bytes``;
- PDF: every Flate stream is inflated incrementally (``zlib.decompressobj`` with ``max_length``, so
  memory stays at one chunk) and counted — one stream at most ``max_bytes``, all together at most
  ``EXPANSION × max_bytes``; a stream that inflates to another zlib stream (chained filters) is
  followed to the end with the same budget.

So extraction memory is bounded by a few times ``max_bytes`` (settings.max_input_bytes) whatever
the input.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator

from reminder.errors import InputTooLarge

__all__ = ["EXPANSION", "check_docx_expansion", "check_pdf_expansion"]

#: all members or streams of one input together may expand to this many times max_bytes
EXPANSION = 4
_CHUNK = 1 << 20
_STREAM = re.compile(rb"stream\r?\n")
_END = b"endstream"


def _bomb(source: str, what: str, limit: int) -> InputTooLarge:
    return InputTooLarge(
        source,
        f"解压后内容过大（{what}超过 {limit / 2**20:g} MB），可能是压缩炸弹 / expands too much "
        f"({what} over {limit} bytes): 请只提供通知正文 / give the notice text only",
    )


def check_docx_expansion(data: bytes, source: str, max_bytes: int) -> None:
    """Refuse a DOCX whose members would expand past the limits (declared sizes bound what is read).

    Raises:
        InputTooLarge: a part or the whole package expands too much.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the DOCX reader reports the damage with its own message
    total = 0
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and member.file_size > max_bytes:
            raise _bomb(source, f"部件 {member.filename[:80]} ", max_bytes)
        total += member.file_size
        if total > EXPANSION * max_bytes:
            raise _bomb(source, "全部部件合计", EXPANSION * max_bytes)


def _looks_zlib(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Inflate a zlib stream given in chunks, yielding at most ``_CHUNK`` bytes at a time."""
    inflater = zlib.decompressobj()
    for chunk in chunks:
        pending = chunk
        while pending and not inflater.eof:
            out = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if out:
                yield out
        if inflater.eof:
            return


def _layer_size(raw: bytes, depth: int, source: str, stream_limit: int, budget: int) -> tuple[int, bytes]:
    """(bytes the ``depth``-th Flate layer of ``raw`` inflates to, its first bytes); stops at the limits."""
    chunks: Iterator[bytes] = iter([raw])
    for _ in range(depth):
        chunks = _inflate(chunks)
    size, head = 0, b""
    try:
        for out in chunks:
            head = head or out[:2]
            size += len(out)
            if size > min(stream_limit, budget):
                what = "单个数据流" if size > stream_limit else "全部数据流合计"
                raise _bomb(source, what, min(stream_limit, budget))
    except zlib.error:
        pass  # not (or no longer) Flate data: pdfminer decides what it is
    return size, head


def _inflated_size(raw: bytes, source: str, stream_limit: int, budget: int) -> int:
    """The largest size any Flate layer of ``raw`` reaches (chained filters: up to three layers)."""
    largest = 0
    for depth in (1, 2, 3):
        size, head = _layer_size(raw, depth, source, stream_limit, budget)
        largest = max(largest, size)
        if not _looks_zlib(head):
            break
    return largest


def check_pdf_expansion(data: bytes, source: str, max_bytes: int) -> None:
    """Refuse a PDF whose Flate streams inflate past the limits.

    Raises:
        InputTooLarge: one stream or all streams together inflate too much.
    """
    budget = EXPANSION * max_bytes
    position = 0
    while True:
        match = _STREAM.search(data, position)
        if match is None:
            return
        end = data.find(_END, match.end())
        if end < 0:
            return
        raw = data[match.end() : end]
        if _looks_zlib(raw[:2]):
            budget -= _inflated_size(raw, source, max_bytes, budget)
        position = end + len(_END)
