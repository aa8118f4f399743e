"""Scanned images and image-only PDFs (issue 17, Formats): offline OCR, marked as such.

The scans are drawn here with Pillow in a CJK font (fonts-wqy-microhei, installed by ``make browser``)
from invented sentences. OCR takes seconds per page: one small image serves every test.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from reminder.cli import app
from reminder.errors import InputTooLarge
from reminder.extract import extract_loaded
from reminder.extract.loaders import load_bytes
from reminder.extract.loaders._ocr import ocr_available

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LINES = ("关于申报2026年度青禾区专精特新企业奖励的通知", "申报截止时间为2026年3月15日")

pytestmark = [
    pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime is not installed"),
    pytest.mark.skipif(
        not FONT.exists(), reason=f"no CJK font at {FONT} (make browser installs fonts-wqy-microhei)"
    ),
]


@pytest.fixture(scope="module")
def scan() -> Image.Image:
    font = ImageFont.truetype(str(FONT), 26)
    image = Image.new("RGB", (720, 130), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(LINES):
        draw.text((20, 20 + 50 * i), line, font=font, fill="black")
    return image


def _encoded(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def test_a_scanned_png_is_read_and_marked_as_ocr(scan: Image.Image) -> None:
    loaded = load_bytes(_encoded(scan, "PNG"), source="附件3：申报通知扫描件.png")
    assert loaded.format == "image"
    assert loaded.meta["ocr"] == "true"
    assert "2026年3月15日" in loaded.text
    doc = extract_loaded(loaded)
    assert doc.meta["ocr"] is True
    assert [d.date.isoformat() for n in doc.notices for d in n.deadlines if d.date] == ["2026-03-15"]


def _text_then_scan(scan: Image.Image) -> bytes:
    """Page 1 with a text layer (the covering letter), page 2 a scan without one (the notice)."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(60, 780, "青禾区科学技术局转发通知的函")
    pdf.showPage()
    pdf.drawImage(ImageReader(scan), 40, 600, width=scan.width * 0.75, height=scan.height * 0.75)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_only_the_pdf_page_without_text_is_ocrd_and_the_cli_says_so(
    scan: Image.Image, tmp_path: Path
) -> None:
    path = tmp_path / "转发件.pdf"
    path.write_bytes(_text_then_scan(scan))
    result = CliRunner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    assert "第 2 页文字由 OCR 识别" in result.output
    assert "2026-03-15" in result.output


def test_an_image_with_too_many_pixels_is_refused_before_decoding() -> None:
    data = _encoded(Image.new("L", (3000, 3000), "white"), "PNG")
    assert len(data) < 100_000
    with pytest.raises(InputTooLarge, match="too many pixels"):
        load_bytes(data, source="big.png", max_bytes=1_000_000)
