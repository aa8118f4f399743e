"""Legacy office files (DOC, WPS, RTF, XLS) → DOCX/XLSX with LibreOffice headless, then read as those.

    read_legacy ── convert (soffice --headless --convert-to docx|xlsx, private profile, timeout)
                   └─ the output's expansion is checked like any DOCX/XLSX input, then read_docx / read_xlsx

Every call gets its own temporary directory holding the input, the output and a private LibreOffice
user profile (``-env:UserInstallation``), so parallel conversions do not clash; a conversion that
outlives the timeout is killed with its whole process group. LibreOffice is installed from Debian's
packages by ``make office``; without it these formats are refused with a message saying so.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from reminder.errors import InputTooLarge, LoadError
from reminder.extract.loaders._bombs import EXPANSION, check_docx_expansion
from reminder.extract.loaders._docx import read_docx
from reminder.extract.loaders._xlsx import read_xlsx

__all__ = ["LEGACY_FORMATS", "convert_timeout", "read_legacy", "soffice_path"]

logger = logging.getLogger(__name__)

LegacyFormat = Literal["doc", "wps", "rtf", "xls"]
#: format → (input file suffix LibreOffice recognises, target format)
_CONVERSIONS: dict[str, tuple[str, str]] = {
    "doc": (".doc", "docx"),
    "wps": (".wps", "docx"),
    "rtf": (".rtf", "docx"),
    "xls": (".xls", "xlsx"),
}
LEGACY_FORMATS = frozenset(_CONVERSIONS)
_NAMES = {"doc": "DOC", "wps": "WPS", "rtf": "RTF", "xls": "XLS"}
#: seconds one conversion may take (environment REMINDER_OFFICE_TIMEOUT overrides)
DEFAULT_TIMEOUT = 120.0
# Kingsoft WPS documents are Word 97 files inside (a "WordDocument" stream): opened as .doc they
# bypass LibreOffice's Microsoft Works filter.
_WORD_STREAM = "WordDocument".encode("utf-16-le")
# The private profile starts with macros off and links to outside resources blocked: attachments
# come from anywhere, and a conversion must neither run their code nor fetch what they point at.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" \
oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def soffice_path() -> str | None:
    """The LibreOffice command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_timeout() -> float:
    """Seconds a conversion may take."""
    try:
        return float(os.environ.get("REMINDER_OFFICE_TIMEOUT", "") or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # soffice starts soffice.bin: the whole group goes
    except ProcessLookupError:
        pass
    process.communicate()  # reaps it and closes the pipes


def _run(command: list[str], source: str, what: str, timeout: float, home: Path) -> None:
    env = {**os.environ, "HOME": str(home), "SAL_USE_VCLPLUGIN": "svp"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill(process)
        raise LoadError(
            source,
            f"{what} 文件转换超时（{timeout:g} 秒）/ converting the {what} file timed out: "
            "请另存为 .docx 或 PDF / save it as .docx or PDF",
        ) from exc
    if process.returncode != 0:
        logger.debug("soffice failed on %s: %s", source, stderr.decode(errors="replace"))


def convert(data: bytes, source: str, fmt: str, *, timeout: float | None = None) -> bytes:
    """The DOCX (or XLSX for ``xls``) LibreOffice makes of a legacy office file.

    Raises:
        LoadError: LibreOffice is missing, timed out or could not read the file.
    """
    suffix, target = _CONVERSIONS[fmt]
    what = _NAMES[fmt]
    soffice = soffice_path()
    if soffice is None:
        raise LoadError(
            source,
            f"读取 {what} 文件需要 LibreOffice，本机未安装（make office）/ reading {what} files needs "
            "LibreOffice, which is not installed (run `make office`): 或另存为 .docx 或 PDF / or save it as .docx or PDF",
        )
    if fmt == "wps" and _WORD_STREAM in data:
        suffix = ".doc"
    with tempfile.TemporaryDirectory(prefix="reminder-office-") as tmp:
        work = Path(tmp)
        (work / "out").mkdir()
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(
            _PROFILE_SETTINGS, encoding="utf-8"
        )
        infile = work / f"input{suffix}"
        infile.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(infile),
        ]
        _run(command, source, what, timeout if timeout is not None else convert_timeout(), work)
        outputs = list((work / "out").glob(f"*.{target}"))
        if not outputs:
            raise LoadError(
                source,
                f"{what} 文件已损坏或无法识别 / the {what} file is damaged or unreadable: "
                "请用 Word/WPS 打开后另存为 .docx 或 PDF / open it in Word or WPS and save it as .docx or PDF",
            )
        return outputs[0].read_bytes()


def read_legacy(data: bytes, fmt: str, source: str, max_bytes: int) -> tuple[str, dict[str, str]]:
    """Text and metadata of a DOC, WPS, RTF or XLS file, through LibreOffice.

    The converted file is held to the same expansion limits as an uploaded DOCX/XLSX.

    Raises:
        LoadError: LibreOffice is missing or fails, or the file is damaged.
        InputTooLarge: the converted document expands past the limits.
    """
    converted = convert(data, source, fmt)
    if len(converted) > EXPANSION * max_bytes:
        raise InputTooLarge(
            source,
            f"转换后的文件过大（超过 {EXPANSION * max_bytes} 字节）/ the converted file is too large "
            f"(over {EXPANSION * max_bytes} bytes): 请只提供通知正文 / give the notice text only",
        )
    check_docx_expansion(converted, source, max_bytes)
    text, meta = read_xlsx(converted, source) if fmt == "xls" else read_docx(converted, source)
    return text, {**meta, "converted": "libreoffice"}
