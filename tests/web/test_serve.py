"""``reminder serve`` as a real process, and ``reminder demo-load`` (what ``make run`` does)."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


def _children(pid: int) -> set[int]:
    """The ids of the processes whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _gone(pids: set[int], seconds: float = 15.0) -> set[int]:
    """Those of ``pids`` still alive after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if Path(f"/proc/{p}").exists()}
        time.sleep(0.1)
    return alive


def _serve_workers(
    tmp_path: Path,
    sample_sqlite: Path,
    *args: str,
    stdout: Any,
    stderr: Any,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """``reminder serve --dev --workers 2`` on a copy of the sample database and a free port: the
    process, its port and the database."""
    database = tmp_path / "reminder.db"
    shutil.copyfile(sample_sqlite, database)
    port = _free_port()
    proc = subprocess.Popen(
        [str(REMINDER), "serve", "--dev", "--workers", "2", "--port", str(port), *args],
        env=_env(tmp_path, database) | (env or {}),
        stdout=stdout,
        stderr=stderr,
        cwd=tmp_path,
    )
    return proc, port, database


def test_serve_with_two_workers_answers_from_both_and_stops_them_all(
    tmp_path: Path, sample_sqlite: Path
) -> None:
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc, port, _ = _serve_workers(
            tmp_path, sample_sqlite, "--as-of", "2025-03-01", stdout=stdout, stderr=stderr
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, proc, err)
            # both workers up before asking for both: on a loaded machine the second one starts seconds
            # after the first, and until then the first takes every connection
            for _ in range(600):
                if err.read_text(errors="replace").count("Application startup complete") >= 2:
                    break
                time.sleep(0.1)
            token = re.search(r"development admin token: (\S+)", out.read_text())
            assert token, out.read_text()
            # SQLite: one worker holds the dispatcher lease, /healthz says which answered; on each worker's
            # own connection the pages show the --as-of day and take the --dev admin token
            seen: dict[str, int] = {}
            for _ in range(200):
                with httpx.Client(base_url=base, timeout=10.0) as client:  # one connection: one worker
                    health = client.get("/healthz")
                    assert health.status_code == 200 and health.json()["status"] == "ok", health.text
                    state = health.json()["scheduler"]["state"]
                    if state in seen:
                        continue
                    home = client.get("/")
                    assert home.status_code == 200 and "申报提醒" in home.text
                    notices = client.get("/api/notices").json()
                    assert any("人工智能醫療器械" in n["title"] for n in notices), "the --as-of day"
                    admin = client.get("/admin", headers={"Authorization": f"Bearer {token.group(1)}"})
                    assert admin.status_code == 200, "the --dev admin token"
                    seen[state] = seen.get(state, 0) + 1
                if len(seen) == 2:
                    break
            assert set(seen) == {"running", "not started"}, f"answered by one process only: {seen}"
            started = {int(p) for p in re.findall(r"Started server process \[(\d+)\]", err.read_text())}
            children = _children(proc.pid)
            assert len(started) == 2 and started <= children, (started, children)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
    logs = err.read_text(errors="replace")
    printed = out.read_text(errors="replace")
    assert code == 0, logs
    assert "2 个工作进程共用端口" in printed and "2 worker processes serve port" in printed
    assert "已停止 / stopped" in printed
    assert logs.count("Application shutdown complete") == 2 and logs.count("scheduler stopped") == 1, logs
    assert _gone(children) == set(), "no worker outlives SIGTERM to the supervisor"


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [(["--workers", "0"], {}, "--workers"), ([], {"REMINDER_WEB_WORKERS": "0"}, "REMINDER_WEB_WORKERS")],
)
def test_serve_refuses_fewer_than_one_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], named: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["serve", "--dev", "--port", str(_free_port()), *args])
    assert result.exit_code == 2, result.output
    assert f"工作进程数至少为 1 / {named} must be at least 1, got 0" in result.output


def test_serve_workers_stop_when_the_supervisor_is_killed(tmp_path: Path, sample_sqlite: Path) -> None:
    err = tmp_path / "stderr.txt"
    with err.open("wb") as stderr:
        proc, port, _ = _serve_workers(tmp_path, sample_sqlite, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            _wait_until_up(f"http://127.0.0.1:{port}", proc, err)
            for _ in range(300):  # both workers started (the first may answer before the second is up)
                if err.read_text().count("Application startup complete") == 2:
                    break
                time.sleep(0.05)
            children = _children(proc.pid)
            assert len(children) >= 2, children
        finally:
            proc.kill()  # SIGKILL: no chance to stop its workers
            proc.wait(timeout=10)
    alive = _gone(children)
    for pid in alive:  # do not leave them behind even when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert alive == set(), "a worker kept serving after its supervisor was killed"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2.0)


def _lease_holder(database: Path) -> int | None:
    """The process id in the SQLite dispatcher lease (``host:pid``), None when nobody holds it."""
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as db:
        row = db.execute("SELECT holder FROM worker_leases").fetchone()
    return int(row[0].rsplit(":", 1)[1]) if row else None


def test_serve_workers_on_sqlite_take_over_the_scheduler_of_a_dead_worker(
    tmp_path: Path, sample_sqlite: Path
) -> None:
    err = tmp_path / "stderr.txt"
    # a lease of 4 s: longer than uvicorn takes to replace a dead worker, so the replacement finds it held
    env = {"REMINDER_DISPATCH_INTERVAL": "0.5", "REMINDER_CLAIM_LEASE": "4"}
    with err.open("wb") as stderr:
        proc, port, database = _serve_workers(
            tmp_path, sample_sqlite, stdout=subprocess.DEVNULL, stderr=stderr, env=env
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, proc, err)
            for _ in range(300):
                holder = _lease_holder(database)
                if holder is not None and err.read_text().count("Application startup complete") == 2:
                    break
                time.sleep(0.05)
            assert holder in _children(proc.pid), (holder, err.read_text())
            os.kill(holder, signal.SIGKILL)  # its lease stays until it expires
            states: list[str] = []
            for _ in range(200):
                try:
                    health = httpx.get(base + "/healthz", timeout=5.0)  # a new connection each time
                except httpx.TransportError:
                    time.sleep(0.1)
                    continue
                assert health.status_code == 200, health.text
                states.append(health.json()["scheduler"]["state"])
                if states[-1] == "running":
                    break
                time.sleep(0.1)
            assert states and states[-1] == "running", f"no process took over: {len(states)} × {set(states)}"
            assert _lease_holder(database) not in (None, holder)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
    assert code == 0, err.read_text(errors="replace")
