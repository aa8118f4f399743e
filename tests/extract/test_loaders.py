"""Document loaders, on documents generated here from the real seed notices.

Every format is produced in-test (reportlab PDF, python-docx DOCX, HTML and text in several
encodings) from seed 003 (simplified, the 科技型中小企业 call) and seed 002 (traditional), then loaded
back; URL tests go through a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import io
import logging
import random
import re
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
import yaml
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

import reminder
from reminder.errors import EncodingError, InputTooLarge, LoadError, UnsupportedFormat
from reminder.extract.loaders import Loaded, load_bytes, load_path, load_url
from reminder.extract.normalize import clean

CASES = Path(__file__).parent / "cases"
SAMPLES = Path(reminder.__file__).parent / "samples" / "notices"
SIMPLIFIED = (SAMPLES / "003_ea2ee469bcb46e87.txt").read_text(encoding="utf-8").splitlines()
TRADITIONAL = (SAMPLES / "002_c74db4dc4724db3b.txt").read_text(encoding="utf-8").splitlines()
#: the 2023 科技型中小企业评价 call in seed 003, page numbers ("2", "3", "4") included
NOTICE = SIMPLIFIED[31:89]
#: the first paragraphs of seed 002, all encodable in Big5
TRAD_NOTICE = TRADITIONAL[0:3]
TITLE = "关于组织申报 2023 年度国家科技型中小企业评价的通知"
KEYS = ["职工总数不超过500人", "资产总额不超过2亿元", "为2023年9月15日", "【申报时间9月15日截止】"]
TRAD_KEYS = ["協議約定的總合作經費不低于300萬元"]
TABLE = [("申报条件", "职工总数不超过 500 人"), ("申报截止", "2023 年 9 月 15 日")]


def squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def body(lines: list[str]) -> str:
    """The notice text without page-number lines, whitespace removed."""
    return squash("".join(line for line in lines if not line.strip().isdigit()))


def assert_keys(loaded: Loaded, keys: list[str]) -> None:
    text = squash(loaded.text)
    for key in keys:
        assert key in text


# ── document factories ────────────────────────────────────────────────────────────────────────


def make_pdf(lines: list[str], *, title: str = TITLE, encrypt: StandardEncryption | None = None) -> bytes:
    """A PDF printing ``lines``; a line that is only a number ends a page as its page number."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=encrypt)
    pdf.setTitle(title)
    y = 800
    for line in lines:
        if line.strip().isdigit():
            pdf.setFont("STSong-Light", 10)
            pdf.drawCentredString(300, 30, line.strip())
            pdf.showPage()
            y = 800
            continue
        pdf.setFont("STSong-Light", 11)
        pdf.drawString(40, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_scanned_pdf() -> bytes:
    """A PDF with pages but no text layer, like a scan."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for _ in range(2):
        pdf.rect(50, 50, 400, 600, fill=1)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_subset_font_pdf(glyphs: range) -> bytes:
    """A one-page PDF drawn with an embedded-style subset font that has no ToUnicode map: its
    glyph ids mean nothing as characters (common in PDFs exported from some office suites)."""
    content = b"BT /F1 24 Tf 72 720 Td <" + b"".join(b"%04X" % g for g in glyphs) + b"> Tj ET"
    font = b"/BaseFont /ABCDEF+SimSun"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 %s /Encoding /Identity-H /DescendantFonts [6 0 R] >>" % font,
        b"<< /Type /Font /Subtype /CIDFontType2 %s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
        b"/Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>" % font,
        b"<< /Type /FontDescriptor /FontName /ABCDEF+SimSun /Flags 4 /FontBBox [0 -140 1000 860] /ItalicAngle 0 "
        b"/Ascent 860 /Descent -140 /CapHeight 700 /StemV 80 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_docx(lines: list[str], table: list[tuple[str, str]] = TABLE) -> bytes:
    """A DOCX: the first half of ``lines``, a table, the rest; page-number lines left out."""
    document = docx.Document()
    document.core_properties.title = TITLE
    text = [line for line in lines if not line.strip().isdigit()]
    half = len(text) // 2
    for line in text[:half]:
        document.add_paragraph(line)
    grid = document.add_table(rows=0, cols=2)
    for left, right in table:
        cells = grid.add_row().cells
        cells[0].text, cells[1].text = left, right
    for line in text[half:]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_html(lines: list[str], *, meta_charset: str | None = "utf-8") -> str:
    """A government-site page around the notice: furniture, script, style, a table, entities."""
    charset = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">'
        if meta_charset
        else ""
    )
    paragraphs = "\n".join(f"<p>{line}</p>" for line in lines if not line.strip().isdigit())
    rows = "".join(f"<tr><td>{a}</td><td> {b} </td></tr>" for a, b in TABLE)
    return f"""<!DOCTYPE html>
<html>
<head>{charset}
<title>{TITLE}</title>
<style>p {{ color: red }} .nav::before {{ content: "样式文字" }}</style>
<script>var notice = "脚本里的文字";</script>
</head>
<body>
<nav><a href="/">首页</a> &gt; <a href="/tzgg">通知公告</a></nav>
<header>网站头部导航</header>
<div class="article">
<h1>{TITLE}</h1>
{paragraphs}
<table>{rows}</table>
<div>联系人：王老师<br>电话：0572-2398765</div>
<p>本通知自发布之日起
施行。</p>
<p>申报&nbsp;&lt;网上&gt;&amp;&#x7EB8;质</p>
</div>
<footer>版权所有 湖州市科学技术局</footer>
</body>
</html>
"""


# ── txt ───────────────────────────────────────────────────────────────────────────────────────


def _encoding_cases() -> list[Any]:
    spec = yaml.safe_load((CASES / "loader_encodings.yaml").read_text(encoding="utf-8"))
    params = []
    for group in spec["examples"]:
        for codec, reported in group["expect"].items():
            for i, text in enumerate(group["texts"]):
                params.append(pytest.param(text, codec, reported, id=f"{group['name']}-{codec}-{i}"))
    return params


@pytest.mark.parametrize(("text", "codec", "reported"), _encoding_cases())
def test_txt_encodings(text: str, codec: str, reported: str) -> None:
    loaded = load_bytes(text.encode(codec), source="notice.txt")
    assert (loaded.text, loaded.encoding, loaded.format) == (text, reported, "txt")


@pytest.mark.parametrize(
    ("lines", "codec", "reported"),
    [
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "gb18030", "gb18030"),
    ],
    ids=["seed003-gbk", "seed003-gb18030", "seed002-big5", "seed002-gb18030"],
)
def test_txt_every_seed_line(lines: list[str], codec: str, reported: str) -> None:
    """Each line of a seed, alone, is detected right: short texts are where detectors fail."""
    wrong = []
    for line in lines:
        data = line.encode(codec)
        if sum(1 for ch in line if not ch.isascii()) < 2:
            continue  # one character cannot tell GBK from Big5
        loaded = load_bytes(data, source="line.txt")
        if (loaded.text, loaded.encoding) != (line, reported):
            wrong.append((line, loaded.encoding))
    assert wrong == []


def test_txt_whole_seed_in_big5_from_file(tmp_path: Path) -> None:
    path = tmp_path / "通知.txt"
    path.write_bytes("\n".join(TRADITIONAL).encode("big5"))
    loaded = load_path(path)
    assert (loaded.encoding, loaded.source) == ("big5", str(path))
    assert_keys(loaded, TRAD_KEYS)


def test_txt_file_name_with_dates_is_not_an_extension(tmp_path: Path) -> None:
    path = tmp_path / "关于申报的通知（2023.9.15）"
    path.write_bytes("\n".join(NOTICE).encode("gbk"))
    assert load_path(path).format == "txt"


def test_txt_hash_is_of_the_raw_bytes() -> None:
    import hashlib

    data = "\n".join(NOTICE).encode("gbk")
    assert load_bytes(data, source="a.txt").content_hash == hashlib.sha256(data).hexdigest()


def test_txt_declared_charset_outranks_detection() -> None:
    """These bytes read as GBK 申报通知 and as Big5 扠惆籵眭: the server's word decides."""
    data = "申报通知".encode("gbk")
    assert load_bytes(data, source="u").text == "申报通知"
    declared = load_bytes(data, source="u", content_type="text/plain; charset=big5")
    assert (declared.text, declared.encoding) == ("扠惆籵眭", "big5")


def test_txt_western_declared_charset_is_ignored() -> None:
    """Servers default to ISO-8859-1; trusting it would turn GBK into mojibake."""
    text = "\n".join(NOTICE)
    loaded = load_bytes(text.encode("gbk"), source="u", content_type="text/plain; charset=ISO-8859-1")
    assert (loaded.text, loaded.encoding) == (text, "gb18030")


def test_txt_western_utf8_stays_utf8() -> None:
    text = "Zürich café naïve"
    assert load_bytes(text.encode("utf-8"), source="a.txt").text == text


# ── pdf ───────────────────────────────────────────────────────────────────────────────────────


def test_pdf_text_of_every_page_in_order(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    path.write_bytes(make_pdf(NOTICE + TRAD_NOTICE))
    loaded = load_path(path)
    assert (loaded.format, loaded.encoding) == ("pdf", None)
    assert loaded.meta["pages"] == "4"
    assert loaded.meta["title"] == TITLE
    assert body(loaded.text.splitlines()) == body(NOTICE) + body(TRAD_NOTICE)
    assert_keys(loaded, KEYS + TRAD_KEYS)


def test_pdf_page_numbers_are_dropped_by_the_cleaner() -> None:
    cleaned = clean(load_bytes(make_pdf(NOTICE), source="n.pdf").text)
    assert "2.职工总数不超过 500 人、年销售收入不超过 2 亿元、资产总额不超过 2 亿元。" in cleaned
    assert "失信企业名单。" in cleaned and "\n2\n" not in cleaned


def test_pdf_with_owner_password_only_opens() -> None:
    """Government PDFs often forbid copying but open without a password."""
    data = make_pdf(NOTICE, encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    loaded = load_bytes(data, source="locked.pdf")
    assert body(loaded.text.splitlines()) == body(NOTICE)


def test_pdf_glyphs_pdfminer_cannot_map_are_read_by_pdfium() -> None:
    # An unknown character collection and Identity-H: pdfminer yields "(cid:22269)…" only.
    data = make_pdf(NOTICE).replace(b"/Ordering (GB1)", b"/Ordering (XX1)")
    data = data.replace(b"/Encoding /UniGB-UCS2-H", b"/Encoding /Identity-H  ")
    loaded = load_bytes(data, source="glyphs.pdf")
    assert body(loaded.text.splitlines()) == body(NOTICE)


def test_pdf_fonts_without_unicode_map_ask_for_ocr() -> None:
    with pytest.raises(LoadError, match="no Unicode map") as info:
        load_bytes(make_subset_font_pdf(range(3, 60)), source="glyphs.pdf")
    assert "OCR" in info.value.reason


def test_pdf_needing_a_password_is_a_load_error() -> None:
    data = make_pdf(NOTICE, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(LoadError, match="PDF is damaged or encrypted") as info:
        load_bytes(data, source="secret.pdf")
    assert "password" in info.value.reason and "密码" in info.value.reason


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_pdf_truncated_is_a_load_error(keep: float) -> None:
    data = make_pdf(NOTICE)
    with pytest.raises(LoadError, match="PDF 文件已损坏或加密 / PDF is damaged or encrypted") as info:
        load_bytes(data[: int(len(data) * keep)], source="cut.pdf")
    assert "truncated" in info.value.reason


def test_pdf_garbage_after_header_is_a_load_error() -> None:
    data = b"%PDF-1.7\n" + random.Random(3).randbytes(5000) + b"\n%%EOF\n"
    with pytest.raises(LoadError, match="cannot be parsed"):
        load_bytes(data, source="bad.pdf")


def test_pdf_without_text_layer_asks_for_ocr() -> None:
    with pytest.raises(LoadError, match="no text layer") as info:
        load_bytes(make_scanned_pdf(), source="scan.pdf")
    assert "OCR" in info.value.reason and "扫描件" in info.value.reason


def test_pdf_named_pdf_without_header_is_a_load_error() -> None:
    with pytest.raises(LoadError, match="no %PDF header"):
        load_bytes(b"\x00\x01\x02 not a pdf", source="x.pdf")


# ── html ──────────────────────────────────────────────────────────────────────────────────────


def _lines_of(loaded: Loaded) -> list[str]:
    return loaded.text.splitlines()


def test_html_utf8_visible_text_only() -> None:
    loaded = load_bytes(make_html(NOTICE).encode("utf-8"), source="notice.html")
    assert (loaded.format, loaded.encoding, loaded.meta["title"]) == ("html", "utf-8", TITLE)
    assert_keys(loaded, KEYS)
    for hidden in ("脚本里的文字", "样式文字", "首页", "网站头部导航", "版权所有", "color"):
        assert hidden not in loaded.text
    assert loaded.text.splitlines()[0] == TITLE  # the <h1>: nothing from <head>, <nav>, <header>


def test_html_blocks_become_lines_and_cells_tabs() -> None:
    lines = _lines_of(load_bytes(make_html(NOTICE).encode("utf-8"), source="notice.html"))
    assert "2.职工总数不超过 500 人、年销售收入不超过 2 亿元、" in lines
    assert "申报条件\t职工总数不超过 500 人" in lines
    assert "申报截止\t2023 年 9 月 15 日" in lines
    assert ["联系人：王老师", "电话：0572-2398765"] == lines[lines.index("联系人：王老师") :][:2]
    # A source line break between Chinese characters is not a space; entities are unescaped.
    assert "本通知自发布之日起施行。" in lines
    assert "申报\u00a0<网上>&纸质" in lines


def test_html_gbk_with_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "notice.htm"
    path.write_bytes(make_html(NOTICE, meta_charset="gb2312").encode("gbk"))
    loaded = load_path(path)
    assert (loaded.format, loaded.encoding) == ("html", "gb18030")
    assert loaded.meta["title"] == TITLE
    assert_keys(loaded, KEYS)


def test_html_big5_without_any_declaration() -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in TRAD_NOTICE)
    page = f"<!DOCTYPE html><html><head><title>科創合作通知</title></head><body>{paragraphs}</body></html>"
    loaded = load_bytes(page.encode("big5"), source="page.html")
    assert (loaded.encoding, loaded.meta["title"]) == ("big5", "科創合作通知")
    assert loaded.text.splitlines() == TRAD_NOTICE


def test_html_stale_meta_charset_loses_to_utf8() -> None:
    """A page re-saved as UTF-8 that still says gb2312 (common on old CMSs)."""
    loaded = load_bytes(make_html(NOTICE, meta_charset="gb2312").encode("utf-8"), source="p.html")
    assert loaded.encoding == "utf-8"
    assert_keys(loaded, KEYS)


def test_html_is_sniffed_whatever_the_name() -> None:
    loaded = load_bytes(make_html(NOTICE).encode("utf-8"), source="download")
    assert loaded.format == "html"


def test_html_gov_cms_meta_tags() -> None:
    page = make_html(NOTICE).replace(
        "<title>",
        '<meta name="ArticleTitle" content="科技型中小企业评价"><meta name="PubDate" content="2023-03-01 09:30"><title>',
    )
    meta = load_bytes(page.encode("utf-8"), source="p.html").meta
    assert (meta["article_title"], meta["published"]) == ("科技型中小企业评价", "2023-03-01 09:30")


def test_html_unclosed_header_does_not_swallow_the_page() -> None:
    page = "<html><body><header>站点名称<p>职工总数不超过 500 人</p></body></html>"
    assert_keys(load_bytes(page.encode("utf-8"), source="p.html"), ["职工总数不超过500人"])


def test_html_unclosed_head_ends_at_body() -> None:
    page = "<html><head><title>通知</title><body><p>职工总数不超过 500 人</p></body></html>"
    loaded = load_bytes(page.encode("utf-8"), source="p.html")
    assert (loaded.text, loaded.meta["title"]) == ("职工总数不超过 500 人", "通知")


# ── docx ──────────────────────────────────────────────────────────────────────────────────────


def test_docx_paragraphs_and_table_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "notice.docx"
    path.write_bytes(make_docx(NOTICE))
    loaded = load_path(path)
    assert (loaded.format, loaded.encoding, loaded.meta["title"]) == ("docx", None, TITLE)
    lines = loaded.text.splitlines()
    paragraphs = [line for line in NOTICE if not line.strip().isdigit()]
    half = len(paragraphs) // 2
    assert lines == paragraphs[:half] + ["\t".join(row) for row in TABLE] + paragraphs[half:]
    assert_keys(loaded, KEYS)


def test_docx_merged_cell_is_read_once() -> None:
    document = docx.Document()
    grid = document.add_table(rows=2, cols=3)
    grid.cell(0, 0).merge(grid.cell(0, 2)).text = "申报条件"
    for i, text in enumerate(["职工", "不超过", "500 人"]):
        grid.cell(1, i).text = text
    buf = io.BytesIO()
    document.save(buf)
    assert load_bytes(buf.getvalue(), source="t.docx").text == "申报条件\n职工\t不超过\t500 人"


def test_docx_detected_without_extension() -> None:
    assert load_bytes(make_docx(NOTICE), source="attachment").format == "docx"


@pytest.mark.parametrize("keep", [0.3, 0.8])
def test_docx_truncated_is_a_load_error(keep: float) -> None:
    data = make_docx(NOTICE)
    with pytest.raises(LoadError, match="damaged") as info:
        load_bytes(data[: int(len(data) * keep)], source="cut.docx")
    assert not isinstance(info.value, UnsupportedFormat)


def test_docx_with_broken_xml_is_a_load_error() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document>职工总数")
    with pytest.raises(LoadError, match="DOCX is damaged"):
        load_bytes(buf.getvalue(), source="broken.docx")


# ── refusals ──────────────────────────────────────────────────────────────────────────────────


def test_random_bytes_are_an_encoding_error() -> None:
    data = random.Random(7).randbytes(4096)
    with pytest.raises(EncodingError, match="blob.txt") as info:
        load_bytes(data, source="blob.txt")
    assert "UTF-8" in info.value.reason and "请另存为" in info.value.reason


def test_jpeg_as_text_is_an_encoding_error_naming_the_type() -> None:
    data = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + random.Random(1).randbytes(3000)
    with pytest.raises(EncodingError, match="JPEG"):
        load_bytes(data, source="notice.txt")


def test_exe_blob() -> None:
    data = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(60) + random.Random(2).randbytes(3000)
    with pytest.raises(UnsupportedFormat, match="setup.exe: 不支持的格式 .exe.*Windows executable"):
        load_bytes(data, source="setup.exe")
    with pytest.raises(EncodingError, match="Windows executable"):
        load_bytes(data, source="download")


@pytest.mark.parametrize(
    ("name", "message"),
    [("a.xlsx", ".xlsx"), ("a.png", ".png")],  # .doc/.wps are read now: test_formats_office.py
)
def test_unsupported_extensions(name: str, message: str) -> None:
    with pytest.raises(UnsupportedFormat, match=message):
        load_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), source=name)


def test_zip_that_is_not_a_word_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("ppt/presentation.xml", "<presentation/>")  # (Excel is read: test_formats_xlsx.py)
    with pytest.raises(UnsupportedFormat, match="PowerPoint"):
        load_bytes(buf.getvalue(), source="a.docx")


def test_oversize_bytes() -> None:
    with pytest.raises(InputTooLarge, match="limit 1000"):
        load_bytes(b"a" * 1001, source="big.txt", max_bytes=1000)


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 2**20)  # sparse: 50 MiB that would take time to read
    with pytest.raises(InputTooLarge, match="52428800"):
        load_path(path, max_bytes=2**20)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="file not found") as info:
        load_path(tmp_path / "无此文件.pdf")
    assert info.value.source.endswith("无此文件.pdf")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="directory"):
        load_path(tmp_path)


def test_load_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="reminder.extract.loaders"):
        load_bytes("职工总数不超过 500 人".encode("gbk"), source="n.txt")
    assert "loaded n.txt: format=txt size=21 encoding=gb18030" in caplog.text


# ── URLs, through a real HTTP server ──────────────────────────────────────────────────────────

Route = tuple[int, dict[str, str], bytes]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    #: bytes /endless managed to send before the client hung up
    endless_sent = 0
    endless_done = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up on purpose in these tests (timeouts, size limits)


def _routes() -> dict[str, Route]:
    html = make_html(NOTICE).encode("utf-8")
    gbk = make_html(NOTICE, meta_charset="gbk").encode("gbk")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return {
        "/notice.html": (200, {"Content-Type": "text/html; charset=utf-8"}, html),
        "/gbk.html": (200, {"Content-Type": "text/html"}, gbk),
        "/latin1.html": (200, {"Content-Type": "text/html; charset=ISO-8859-1"}, gbk),
        "/notice.txt": (200, {"Content-Type": "text/plain; charset=GBK"}, "\n".join(NOTICE).encode("gbk")),
        "/notice.pdf": (200, {"Content-Type": "application/pdf"}, make_pdf(NOTICE)),
        "/notice.docx": (
            200,
            {"Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
            make_docx(NOTICE),
        ),
        "/download.jsp?id=3": (
            200,
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": 'attachment; filename="notice.pdf"',
            },
            make_pdf(NOTICE),
        ),
        "/moved": (302, {"Location": "/notice.html"}, b""),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + bytes(100)),
        "/archive.zip": (200, {"Content-Type": "application/zip"}, zipped.getvalue()),
        "/error": (500, {"Content-Type": "text/html"}, b"<h1>error</h1>"),
        "/huge.txt": (200, {"Content-Type": "text/plain"}, b"x" * 200_000),
    }


def _handler(routes: dict[str, Route]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server: _Server

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/loop/"):
                self._send(302, {"Location": f"/loop/{int(self.path[6:]) + 1}"}, b"")
            elif self.path == "/slow":
                time.sleep(1.0)
                self._send(200, {"Content-Type": "text/plain"}, b"late")
            elif self.path == "/endless":
                self._endless()
            else:
                self._send(*routes.get(self.path, (404, {"Content-Type": "text/html"}, b"<h1>404</h1>")))

        def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for key, value in {"Content-Length": str(len(payload)), **headers}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _endless(self) -> None:
            """A body with no Content-Length that goes on until the client hangs up (or 256 MiB)."""
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            chunk = b"y" * 65536
            try:
                for _ in range(4096):
                    self.wfile.write(chunk)
                    self.server.endless_sent += len(chunk)
            except OSError:
                pass
            finally:
                self.server.endless_done.set()

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _handler(_routes()))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def url(server: _Server) -> Callable[[str], str]:
    return lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"


@pytest.mark.parametrize(
    ("path", "fmt", "encoding"),
    [
        ("/notice.html", "html", "utf-8"),
        ("/gbk.html", "html", "gb18030"),
        ("/latin1.html", "html", "gb18030"),
        ("/notice.txt", "txt", "gb18030"),
        ("/notice.pdf", "pdf", None),
        ("/notice.docx", "docx", None),
        ("/download.jsp?id=3", "pdf", None),
    ],
)
def test_url_formats(url: Callable[[str], str], path: str, fmt: str, encoding: str | None) -> None:
    loaded = load_url(url(path))
    assert (loaded.source, loaded.format, loaded.encoding) == (url(path), fmt, encoding)
    assert_keys(loaded, KEYS)


def test_url_redirect_keeps_the_given_source(url: Callable[[str], str]) -> None:
    with httpx.Client() as client:
        loaded = load_url(url("/moved"), client=client)
    assert (loaded.source, loaded.meta["url"], loaded.meta["title"]) == (
        url("/moved"),
        url("/notice.html"),
        TITLE,
    )


def test_url_redirect_loop(url: Callable[[str], str]) -> None:
    with pytest.raises(LoadError, match="too many redirects"):
        load_url(url("/loop/0"))


@pytest.mark.parametrize(
    ("path", "message"),
    [("/nothing-here", "HTTP 404: 页面不存在 / page not found"), ("/error", "HTTP 500: 服务器出错")],
)
def test_url_http_errors(url: Callable[[str], str], path: str, message: str) -> None:
    with pytest.raises(LoadError, match=message) as info:
        load_url(url(path))
    assert info.value.source == url(path)


def test_url_timeout(url: Callable[[str], str]) -> None:
    started = time.monotonic()
    with pytest.raises(LoadError, match="timed out after 0.2 s"):
        load_url(url("/slow"), timeout=0.2)
    assert time.monotonic() - started < 0.9


@pytest.mark.parametrize("path", ["/archive.zip"])  # images are OCR'd now: test_formats_ocr.py
def test_url_unsupported_content(url: Callable[[str], str], path: str) -> None:
    with pytest.raises(UnsupportedFormat):
        load_url(url(path))


def test_url_announced_size_over_the_limit(url: Callable[[str], str]) -> None:
    with pytest.raises(InputTooLarge, match="200000 bytes"):
        load_url(url("/huge.txt"), max_bytes=100_000)


def test_url_stream_stops_at_the_limit(server: _Server, url: Callable[[str], str]) -> None:
    with pytest.raises(InputTooLarge, match="> 65536"):
        load_url(url("/endless"), max_bytes=65536)
    assert server.endless_done.wait(10)
    assert server.endless_sent < 32 * 2**20  # the server gave up long before its 256 MiB


def test_url_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(LoadError, match="cannot connect"):
        load_url(f"http://127.0.0.1:{port}/notice.html", timeout=2)


def test_url_scheme_must_be_http() -> None:
    with pytest.raises(LoadError, match="only http and https"):
        load_url("file:///etc/passwd")


def test_exported_members() -> None:
    import reminder.extract.loaders as loaders

    assert sorted(loaders.__all__) == sorted(
        ["DEFAULT_MAX_BYTES", "FORMATS", "Format", "Loaded", "load_bytes", "load_path", "load_url"]
    )
