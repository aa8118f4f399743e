"""XLSX and XLS attachments (issue 17, Formats): table text, one line per row, cells tab-separated.

Workbooks are written here with openpyxl; the .xls one is made from it by LibreOffice (skipped, saying
so, when soffice is not installed). An XLSX is a ZIP: the decompression limits of issue 16 apply.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from reminder.errors import InputTooLarge, LoadError
from reminder.extract import extract_loaded
from reminder.extract.loaders import load_bytes, load_path
from reminder.extract.loaders._office import soffice_path

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "申报安排"
    sheet.append(["事项", "时间", "备注"])
    sheet.append(["网上申报截止", dt.date(2026, 5, 12), None])
    sheet.append([None, None, None])
    sheet.append(["资助金额（万元）", 50.0, "最高"])
    other = book.create_sheet("联系方式")
    other.append(["联系人", "林青禾", 13800001234])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_rows_become_tab_separated_lines_sheet_by_sheet() -> None:
    loaded = load_bytes(_workbook(), source="附件2：申报时间安排.xlsx")
    assert loaded.format == "xlsx"
    assert loaded.text.splitlines() == [
        "【申报安排】",
        "事项\t时间\t备注",
        "网上申报截止\t2026年5月12日",
        "资助金额（万元）\t50\t最高",
        "【联系方式】",
        "联系人\t林青禾\t13800001234",
    ]
    assert loaded.meta["sheets"] == "2"


def test_a_deadline_in_a_cell_is_found() -> None:
    text = "关于申报2026年度青禾区数字化车间项目的通知\n"
    loaded = load_bytes(_workbook(), source="https://gxj.example.cn/att/1", content_type=XLSX_TYPE)
    doc = extract_loaded(replace(loaded, text=text + loaded.text))
    assert "2026-05-12" in [d.date.isoformat() for n in doc.notices for d in n.deadlines if d.date]


def test_an_unnamed_xlsx_download_is_recognised_by_its_content() -> None:
    assert load_bytes(_workbook(), source="https://gxj.example.cn/download").format == "xlsx"


def test_a_zip_bomb_workbook_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 3_000_000)
    data = buffer.getvalue()
    assert len(data) < 100_000
    with pytest.raises(InputTooLarge, match="压缩炸弹"):
        load_bytes(data, source="bomb.xlsx", max_bytes=1_000_000)


def test_a_damaged_workbook_says_so() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook")
    with pytest.raises(LoadError, match="XLSX is damaged"):
        load_bytes(buffer.getvalue(), source="a.xlsx")


@pytest.mark.skipif(
    soffice_path() is None, reason="LibreOffice (soffice) is not installed: run `make office`"
)
def test_xls_is_read_through_libreoffice(tmp_path: Path) -> None:
    (tmp_path / "plan.xlsx").write_bytes(_workbook())
    subprocess.run(
        [
            str(soffice_path()),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "plan.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    loaded = load_path(tmp_path / "plan.xls")
    assert loaded.format == "xls"
    assert "网上申报截止\t2026年5月12日" in loaded.text.splitlines()
    assert "联系人\t林青禾\t13800001234" in loaded.text.splitlines()
