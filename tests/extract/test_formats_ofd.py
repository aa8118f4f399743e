"""OFD attachments (issue 17, Formats): GB/T 33190 packages read page after page.

The real 公文 comes from ../shared/corpus (read at test time, skipped when absent); the small OFD
packages are written here with invented text.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from reminder.errors import InputTooLarge, LoadError
from reminder.extract import extract_loaded
from reminder.extract.loaders import load_bytes, load_path

CORPUS_OFD = (
    Path(__file__).resolve().parents[3] / "shared" / "corpus" / "files" / "f02_ofdrw_test_gongwen_pifu.ofd"
)
NS = "http://www.ofdspec.org/2016"
# 文号: 机关代字〔年份〕序号号
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,8}〔\d{4}〕\d+号")


@pytest.mark.skipif(not CORPUS_OFD.exists(), reason="../shared/corpus is absent (the real OFD 公文)")
def test_the_real_gongwen_reads_in_page_order() -> None:
    loaded = load_path(CORPUS_OFD)
    assert loaded.format == "ofd"
    assert loaded.meta["pages"] == "2"
    lines = loaded.text.splitlines()
    numbers = [i for i, line in enumerate(lines) if DOC_NUMBER.fullmatch(line)]
    assert numbers, "the 文号 stands on a line of its own"
    dates = [i for i, line in enumerate(lines) if re.fullmatch(r"[^\d]*\d{4}年\d{1,2}月\d{1,2}日", line)]
    assert dates and dates[0] > numbers[0], "page 2's signing date comes after page 1's 文号"
    assert "批复" in lines[numbers[0] + 1]


def _text_object(x: float, y: float, text: str, ident: int) -> str:
    return (
        f'<ofd:TextObject ID="{ident}" Font="1" Size="5.6" Boundary="{x} {y} 150 8">'
        f'<ofd:TextCode X="0" Y="5">{text}</ofd:TextCode></ofd:TextObject>'
    )


def _page(*objects: str) -> str:
    return f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="9">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'


def _ofd(
    pages: dict[str, str], order: list[str], *, template: str | None = None, extra: bytes = b""
) -> bytes:
    page_refs = "".join(
        f'<ofd:Page ID="{i}" BaseLoc="Pages/{name}/Content.xml"/>' for i, name in enumerate(order)
    )
    tpl = '<ofd:TemplatePage ID="50" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if template else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
            f"<ofd:Title>青禾区科技局通知</ofd:Title></ofd:DocInfo>"
            f"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>{tpl}</ofd:CommonData>'
            f"<ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>",
        )
        for name, content in pages.items():
            archive.writestr(f"Doc_0/Pages/{name}/Content.xml", content)
        if template:
            archive.writestr("Doc_0/Tpls/Tpl_0/Content.xml", template)
        if extra:
            archive.writestr("Doc_0/Res/big.xml", extra)
    return buffer.getvalue()


def test_lines_are_rebuilt_from_positions_and_pages_follow_the_document() -> None:
    first = _page(
        '<ofd:Template TemplateID="50"/>',
        _text_object(90, 60, "第一批）的通知", 11),  # the right half of the title, stored first
        _text_object(20, 60, "关于征集2026年度青禾区揭榜挂帅项目（", 12),
        _text_object(20, 80, "各有关单位：", 13),
    )
    second = _page(_text_object(20, 30, "项目需求请于2026年6月30日前报送。", 21))
    header = _page(_text_object(40, 20, "青禾区科学技术局", 31))
    data = _ofd({"Page_9": first, "Page_1": second}, ["Page_9", "Page_1"], template=header)
    loaded = load_bytes(data, source="https://kjj.example.cn/att/2026-17.ofd")
    assert loaded.format == "ofd"
    assert loaded.text.splitlines() == [
        "青禾区科学技术局",
        "关于征集2026年度青禾区揭榜挂帅项目（第一批）的通知",
        "各有关单位：",
        "项目需求请于2026年6月30日前报送。",
    ]
    assert loaded.meta["title"] == "青禾区科技局通知"
    doc = extract_loaded(loaded)
    assert "2026-06-30" in [d.date.isoformat() for n in doc.notices for d in n.deadlines if d.date]


def test_an_unnamed_ofd_download_is_recognised_by_its_content() -> None:
    data = _ofd({"Page_0": _page(_text_object(20, 20, "通知正文", 1))}, ["Page_0"])
    assert load_bytes(data, source="https://kjj.example.cn/download?id=9").format == "ofd"


def test_an_ofd_bomb_is_refused_before_parsing() -> None:
    data = _ofd({"Page_0": _page(_text_object(20, 20, "通知正文", 1))}, ["Page_0"], extra=b" " * 3_000_000)
    with pytest.raises(InputTooLarge, match="压缩炸弹"):
        load_bytes(data, source="bomb.ofd", max_bytes=1_000_000)


def test_a_scanned_ofd_without_text_says_so() -> None:
    data = _ofd({"Page_0": _page()}, ["Page_0"])
    with pytest.raises(LoadError, match="no text"):
        load_bytes(data, source="scan.ofd")


def test_a_damaged_ofd_says_so() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD")
    with pytest.raises(LoadError, match="OFD is damaged"):
        load_bytes(buffer.getvalue(), source="a.ofd")
