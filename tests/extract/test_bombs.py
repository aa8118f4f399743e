"""Issue 16, item 10: decompression bombs are refused before parsing, within a small memory bound.

The review's repros: a 510 KB DOCX expanding to 500 MB (1.44 GB RSS) and a 204 KB flate-bomb PDF
(577 MB). Here: the same shapes, built in the test (a few hundred KB each).
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable

import docx
import pytest

from reminder.errors import InputTooLarge
from reminder.extract.loaders import load_bytes

EXPANDED = 300 * 2**20  # what each bomb expands to
MEMORY_BOUND = 40 * 2**20  # Python allocations while refusing it


def _deflate(size: int, fill: bytes = b"0", *, layers: int = 1) -> bytes:
    packer = zlib.compressobj(9)
    block = fill * 2**20
    out = b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()
    for _ in range(layers - 1):
        out = zlib.compress(out, 9)
    return out


def _docx_bomb() -> bytes:
    plain = io.BytesIO()
    docx.Document().save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        bomb = zipfile.ZipInfo("customXml/bomb1.xml")
        bomb.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(bomb, "w", force_zip64=True) as member:
            block = b"<a>" + b" " * (2**20 - 3)
            for _ in range(EXPANDED // len(block)):
                member.write(block)
    return out.getvalue()


def _pdf(stream: bytes, filters: str) -> bytes:
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
        b"<</Length %d/Filter%s>>stream\n" % (len(stream), filters.encode()) + stream + b"\nendstream",
    ]
    body = b"%PDF-1.4\n" + b"".join(
        b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n" for i, o in enumerate(objects)
    )
    return body + b"trailer\n<</Root 1 0 R/Size 5>>\n%%EOF\n"


BOMBS: dict[str, Callable[[], tuple[bytes, str]]] = {
    "docx": lambda: (_docx_bomb(), "bomb.docx"),
    "pdf-flate": lambda: (_pdf(_deflate(EXPANDED, b" "), "/FlateDecode"), "bomb.pdf"),
    "pdf-chained-flate": lambda: (
        _pdf(_deflate(EXPANDED, b" ", layers=2), "[/FlateDecode/FlateDecode]"),
        "bomb2.pdf",
    ),
}


@pytest.mark.parametrize("kind", list(BOMBS))
def test_a_bomb_is_refused_within_the_memory_bound(kind: str) -> None:
    data, name = BOMBS[kind]()
    assert len(data) < 2 * 2**20, "small on disk"
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLarge) as refused:
            load_bytes(data, source=name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "解压后内容过大" in refused.value.reason
    assert peak < MEMORY_BOUND + len(data), f"peak {peak / 2**20:.0f} MB"


def test_ordinary_documents_still_load() -> None:
    document = docx.Document()
    document.add_paragraph("关于组织申报2025年度项目的通知")
    plain = io.BytesIO()
    document.save(plain)
    assert "申报" in load_bytes(plain.getvalue(), source="ok.docx").text
