"""``reminder serve`` as a real process, and ``reminder demo-load`` (what ``make run`` does)."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from reminder.cli import app
from reminder.db.engine import make_engine
from reminder.db.models import Company, DocumentRow, Match, Reminder
from reminder.web.demo import SAMPLE_COMPANIES, SAMPLE_NOTICES

REMINDER = Path(sys.executable).parent / "reminder"
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_") and k != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{database}", REMINDER_DATA_DIR=str(tmp_path / "data"))
    env["REMINDER_SECRET_KEY"] = "serve-test-" + "k" * 40  # serve refuses to start without one
    env["REMINDER_DATA_KEY"] = "ZmFrZS1rZXktZm9yLXNlcnZlLXRlc3RzLTMyLWJ5dGU="  # and without a data key
    return env


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the server answers (the server's start-up time is not what is tested)."""
    for _ in range(600):
        if proc.poll() is not None:
            pytest.fail(f"reminder serve exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(base + "/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"reminder serve did not answer:\n{log.read_text(errors='replace')}")


def test_serve_answers_and_stops_cleanly_on_sigterm(tmp_path: Path, sample_sqlite: Path) -> None:
    database = tmp_path / "reminder.db"
    shutil.copyfile(sample_sqlite, database)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [str(REMINDER), "serve", "--port", str(port), "--as-of", "2025-03-01"],
            env=_env(tmp_path, database),
            stdout=stdout,
            stderr=stderr,
            cwd=tmp_path,
        )
        try:
            _wait_until_up(base, proc, err)
            home = httpx.get(base + "/", timeout=10.0)
            assert home.status_code == 200 and "申报提醒" in home.text
            notices = httpx.get(base + "/api/notices", timeout=10.0)
            assert notices.status_code == 200
            assert any("人工智能醫療器械" in n["title"] for n in notices.json())
            secret = "s3cret-" + "q" * 36
            assert httpx.get(f"{base}/c/1/calendar.ics?token={secret}", timeout=10.0).status_code == 403
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
    logs = err.read_text(errors="replace")
    printed = out.read_text(errors="replace")  # uvicorn writes its access log to stdout
    assert code == 0, logs
    assert "已停止 / stopped" in printed and f"http://127.0.0.1:{port}/" in printed
    assert "scheduler stopped" in logs and "Application shutdown complete" in logs
    assert '"GET /c/1/calendar.ics?token=*** HTTP/1.1" 403' in printed, "the access log line, redacted"
    assert secret not in logs + printed


def test_serve_refuses_a_database_without_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["serve", "--dev", "--port", str(_free_port())])
    assert result.exit_code != 0
    assert "reminder db upgrade" in result.output


def _demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("REMINDER_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, ["demo-load", "--dev", "--as-of", "2025-03-01"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_load_is_idempotent_and_prints_working_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert SAMPLE_COMPANIES.exists(), f"the sample companies are missing: {SAMPLE_COMPANIES}"
    first = _demo(tmp_path, monkeypatch)
    second = _demo(tmp_path, monkeypatch)
    files = len(list(SAMPLE_NOTICES.glob("*.txt")))
    found = re.search(r"(\d+) files: (\d+) new documents \(\d+ notices\), (\d+) without a call", first)
    assert found, first  # every sample file is accounted for, news bulletins said to be news (issue 12)
    assert (
        int(found.group(1)) == files == int(found.group(2)) + int(found.group(3)) and int(found.group(3)) > 0
    )
    with SAMPLE_COMPANIES.open(encoding="utf-8-sig") as fh:
        expected = len(list(csv.DictReader(fh)))
    assert expected >= 2
    links = re.findall(r"http://127\.0\.0\.1:8000/c/(\d+)\?token=(\S+)", second)
    assert len(links) == expected and "(existing)" in second and "(new)" not in second
    assert re.findall(r"/c/\d+\?token=\S+", first) == re.findall(r"/c/\d+\?token=\S+", second), (
        "the same links"
    )
    assert "http://127.0.0.1:8000/admin?token=dev-" in second and "/docs" in second
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with Session(engine) as session:
            companies = {c.id: c for c in session.exec(select(Company)).all()}
            documents = session.exec(select(DocumentRow)).all()
            matched = session.exec(select(Match)).all()
            planned = session.exec(select(Reminder)).all()
    finally:
        engine.dispose()
    assert len(companies) == expected and len(documents) >= 2
    assert {m.company_id for m in matched} == set(companies), "matched as on the demo day"
    assert planned == [], "reminders follow the real clock: the 2025 deadlines have passed"
    for company_id, token in links:
        assert companies[int(company_id)].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (tmp_path / "data" / "demo-tokens.json").stat().st_mode & 0o077 == 0, "kept private"
