"""DOC, WPS and RTF attachments (issue 17, Formats): read through LibreOffice headless.

The .doc fixture is made at test time: a DOCX written with python-docx, converted by soffice (no binary
fixture in the repository). Tests that need LibreOffice skip, saying so, when it is not installed
(``make office`` installs it).
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import docx
import pytest

from reminder.errors import LoadError
from reminder.extract import extract_loaded
from reminder.extract.loaders import load_bytes, load_path
from reminder.extract.loaders._office import convert, soffice_path

needs_soffice = pytest.mark.skipif(
    soffice_path() is None, reason="LibreOffice (soffice) is not installed: run `make office`"
)

TITLE = "关于组织申报2026年度青禾区科技小巨人培育项目的通知"
BODY = "请各申报单位于2026年4月20日17:00前将申报材料报送区科技局。"
CONDITION = "申报单位上年度营业收入不低于800万元。"


@pytest.fixture(scope="module")
def doc_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A Word 97 .doc made by LibreOffice from a DOCX written here."""
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: run `make office`")
    folder = tmp_path_factory.mktemp("doc")
    document = docx.Document()
    for line in (TITLE, "各有关企业：", BODY, CONDITION):
        document.add_paragraph(line)
    document.save(str(folder / "notice.docx"))
    subprocess.run(
        [
            str(soffice_path()),
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(folder),
            str(folder / "notice.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (folder / "notice.doc").read_bytes()


def _rtf(lines: list[str]) -> bytes:
    """A minimal RTF document, Chinese as \\uN? escapes."""
    body = "\\par\n".join("".join(f"\\u{ord(ch)}?" if ord(ch) > 127 else ch for ch in line) for line in lines)
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0\n" + body + "\\par\n}").encode("ascii")


@needs_soffice
def test_doc_is_read_with_its_deadline(doc_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "附件1：申报通知.doc"
    path.write_bytes(doc_bytes)
    loaded = load_path(path)
    assert loaded.format == "doc"
    assert loaded.text.splitlines()[:2] == [TITLE, "各有关企业："]
    assert CONDITION in loaded.text
    doc = extract_loaded(loaded)
    assert [d.date.isoformat() for n in doc.notices for d in n.deadlines if d.date] == ["2026-04-20"]


@needs_soffice
def test_wps_and_unnamed_downloads_are_read_as_word(doc_bytes: bytes) -> None:
    # Kingsoft WPS saves Word 97 files; servers often send attachments without a usable name.
    assert load_bytes(doc_bytes, source="申报指南.wps").format == "wps"
    unnamed = load_bytes(
        doc_bytes, source="https://kjj.example.cn/download?id=7", content_type="application/msword"
    )
    assert unnamed.format == "doc"
    assert BODY in unnamed.text


@needs_soffice
def test_rtf_is_read() -> None:
    loaded = load_bytes(_rtf([TITLE, BODY]), source="notice.rtf")
    assert loaded.format == "rtf"
    assert loaded.text.splitlines() == [TITLE, BODY]


@needs_soffice
def test_parallel_conversions_do_not_clash(doc_bytes: bytes) -> None:
    texts: list[str] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            texts.append(load_bytes(doc_bytes, source="a.doc").text)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(texts) == 2 and all(TITLE in text for text in texts)


@needs_soffice
def test_a_conversion_past_the_timeout_is_killed(doc_bytes: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(LoadError, match="转换超时"):
        convert(doc_bytes, "slow.doc", "doc", timeout=0.05)
    assert time.monotonic() - started < 10


def test_a_doc_without_a_word_stream_is_damaged() -> None:
    with pytest.raises(LoadError, match="DOC is damaged"):
        load_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), source="通知.doc")


def test_a_doc_name_on_other_bytes_is_damaged() -> None:
    with pytest.raises(LoadError, match="DOC is damaged"):
        load_bytes(b"\x00\x01\x02 not a word file", source="通知.doc")


def test_without_libreoffice_the_message_says_what_to_install(
    doc_bytes: bytes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LoadError, match="LibreOffice"):
        load_bytes(doc_bytes, source="a.doc")
