"""Scale-out: two ``reminder serve`` and two ``reminder worker`` processes on one PostgreSQL database.

The servers run without their own scheduler (``--no-scheduler``), in production mode (secret key,
data key and admin token set), on two loopback ports, as two backends of a reverse proxy would. Under
load (200 requests from 10 concurrent clients, spread over both servers) every answer is 200; a
company registered through server A is read through server B; an operator signed in on A is signed in
on B (sessions are in the database); each queued reminder reaches the loopback webhook receiver
exactly once though two workers dispatch; and the sweep, scheduled every second in both workers,
ran once per period: one ``job_runs`` row per period, and no period run by both workers.

The pieces, on SQLite and PostgreSQL: a periodic job claimed per period, admin sessions and abuse
counters (``REMINDER_RATELIMIT_STORAGE=database://``) that two app instances share through the database.

Skips with the reason when PostgreSQL is not reachable on 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from loopback import Loopback
from pg_utils import throwaway_database
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from reminder.companies.records import create_company
from reminder.config import Settings, get_settings
from reminder.db.crypto import new_data_key
from reminder.db.engine import make_engine, session_scope
from reminder.db.models import Channel, CompanyCreate, Delivery, JobRun, Reminder, utcnow
from reminder.errors import StorageError
from reminder.notify.planning import message_id
from reminder.scheduler.periodic import interval_period, once_per_period
from reminder.web.admin.sessions import AdminSessions
from reminder.web.app import create_app
from reminder.web.ratelimit_db import DatabaseStorage
from reminder.web.throttle import Throttle, limits_storage

REMINDER = Path(sys.executable).with_name("reminder")
ADMIN_TOKEN = "scale-out-admin-" + "k" * 32
SECRET_KEY = "scale-out-secret-" + "s" * 32
WEBHOOK_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
#: reminders queued for the two workers
N = 120
#: load: requests over concurrent clients, alternating between the two servers
REQUESTS, CLIENTS = 200, 10
#: seconds between sweeps in the workers (the period counted)
SWEEP_SECONDS = 1
COMPANY = {
    "name": "嘉兴横向扩展测试电子有限公司",
    "region": "浙江省嘉兴市南湖区",
    "industry": "电子信息",
    "headcount": 85,
    "legal_person": "是",
    "qualifications": "无",
}
_RAN = re.compile(r"periodic job sweep (\S+): ran in (\S+)")
_SKIPPED = re.compile(r"periodic job sweep (\S+): already run by another process")


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(condition: Callable[[], bool], timeout: float, what: str, procs: list[Proc]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for proc in procs:
            if proc.process.poll() is not None:
                pytest.fail(f"{proc.name} exited while waiting for {what}:\n{proc.output()[-3000:]}")
        if time.monotonic() > deadline:
            tails = "\n".join(f"── {p.name}\n{p.output()[-2000:]}" for p in procs)
            pytest.fail(f"timed out waiting for {what}:\n{tails}")
        time.sleep(0.1)


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL database, upgraded with ``reminder db upgrade``; this test's keys in the env."""
    monkeypatch.setenv("REMINDER_DATA_KEY", new_data_key())  # the test writes channels the workers read
    monkeypatch.setenv("REMINDER_SECRET_KEY", SECRET_KEY)
    get_settings.cache_clear()
    with throwaway_database("scaleout") as url:
        upgraded = subprocess.run(
            [str(REMINDER), "db", "upgrade"], env=_env(url), capture_output=True, timeout=120
        )
        assert upgraded.returncode == 0, upgraded.stderr.decode(errors="replace")
        yield url


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_") and k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=url,
        REMINDER_DATA_KEY=os.environ["REMINDER_DATA_KEY"],
        REMINDER_SECRET_KEY=SECRET_KEY,
        REMINDER_ADMIN_TOKEN=ADMIN_TOKEN,
        REMINDER_WEBHOOK_ALLOW_HOSTS='["127.0.0.1"]',
        REMINDER_WEBHOOK_ALLOW_HTTP="true",
        REMINDER_WEBHOOK_TIMEOUT="5",
        REMINDER_DISPATCH_INTERVAL="0.3",
        REMINDER_DISPATCH_BATCH="20",
        REMINDER_DISPATCH_CONCURRENCY="4",
        REMINDER_SWEEP_INTERVAL=str(SWEEP_SECONDS),
        **extra,
    )
    return env


def _start(name: str, args: list[str], env: dict[str, str], tmp: Path) -> Proc:
    log = tmp / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(REMINDER), *args], env=env, cwd=tmp, stdout=out, stderr=out)
    return Proc(name, process, log)


def _stop(procs: list[Proc]) -> None:
    for proc in procs:
        if proc.process.poll() is None:
            proc.process.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.process.kill()
            proc.process.wait()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _queue(engine: Engine, sink: Loopback) -> set[str]:
    """``N`` reminders due now to one webhook channel of one company (straight into the outbox)."""
    now = utcnow()
    with session_scope(engine) as session:
        owner = create_company(session=session, company_in=CompanyCreate(name="绍兴横向扩展测试纺织有限公司"))
        assert owner.id is not None
        channel = Channel(
            company_id=owner.id, kind="webhook", target=sink.url(), secret=WEBHOOK_SECRET, name="回环"
        )
        session.add(channel)
        session.flush()
        assert channel.id is not None
        rows = []
        for i in range(N):
            key = f"test:{owner.id}:{channel.id}:scale-out:{i}"
            payload = {
                "company": {"id": owner.id, "name": owner.name},
                "link": f"https://example.cn/c/{owner.id}",
            }
            rows.append(
                Reminder(
                    key=key, company_id=owner.id, channel_id=channel.id, purpose="test", due_at=now,
                    next_attempt_at=now, message_id=message_id(key), payload=payload,
                )
            )  # fmt: skip
        session.add_all(rows)
        return {r.message_id for r in rows}


def _sent(engine: Engine) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Reminder).where(Reminder.status == "sent")
        return int(session.exec(query).one())


async def _load(bases: list[str], paths: list[str], headers: dict[str, str]) -> Counter[int]:
    """``REQUESTS`` GETs from ``CLIENTS`` concurrent clients, request i to server i % 2; status counts."""
    statuses: Counter[int] = Counter()
    issued = 0
    clients = [httpx.AsyncClient(base_url=b, headers=headers, timeout=60) for b in bases]
    try:

        async def client_loop() -> None:
            nonlocal issued
            while issued < REQUESTS:
                i = issued
                issued += 1
                response = await clients[i % len(clients)].get(paths[i % len(paths)])
                statuses[response.status_code] += 1

        await asyncio.gather(*(client_loop() for _ in range(CLIENTS)))
    finally:
        for client in clients:
            await client.aclose()
    return statuses


@pytest.mark.postgres
def test_two_servers_and_two_workers_share_one_database(database: str, tmp_path: Path) -> None:
    engine = make_engine(database)
    ports = [_free_port(), _free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    procs: list[Proc] = []
    try:
        with Loopback(delay=0.005) as sink:
            for name in ("worker-a", "worker-b"):
                procs.append(_start(name, ["-v", "worker", "--name", name], _env(database), tmp_path))
            for name, port in zip(("serve-a", "serve-b"), ports, strict=True):
                args = ["serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port)]
                env = _env(database, REMINDER_RATELIMIT_STORAGE="database://")
                procs.append(_start(name, args, env, tmp_path))
            _wait(lambda: all(_healthy(b) for b in bases), 120, "both servers to answer /healthz", procs)
            _wait(lambda: all("started" in p.output() for p in procs[:2]), 60, "both workers", procs)
            expected = _queue(engine, sink)

            # a company registered through A is read through B
            registered = httpx.post(f"{bases[0]}/api/companies", json=COMPANY, timeout=30)
            assert registered.status_code == 201, registered.text
            company_id, token = registered.json()["company"]["id"], registered.json()["token"]
            bearer = {"Authorization": f"Bearer {token}"}
            seen = httpx.get(f"{bases[1]}/api/companies/{company_id}", headers=bearer, timeout=30)
            assert seen.status_code == 200 and seen.json()["name"] == COMPANY["name"]

            # an operator signed in on A is signed in on B
            login = httpx.post(f"{bases[0]}/admin/login", data={"token": ADMIN_TOKEN}, timeout=30)
            assert login.status_code == 303, login.text
            session_cookie = {"admin_session": login.cookies["admin_session"]}
            on_b = httpx.get(f"{bases[1]}/admin", cookies=session_cookie, timeout=30)
            assert on_b.status_code == 200, "signed in on A, signed in on B too"
            for base in bases:  # the servers run no scheduler: the workers do
                assert httpx.get(f"{base}/healthz", timeout=30).json()["scheduler"]["running"] is False

            # load on both servers while the workers send
            paths = ["/", "/api/notices", f"/api/companies/{company_id}", f"/c/{company_id}", "/healthz"]
            statuses = asyncio.run(_load(bases, paths, bearer))
            assert statuses == Counter({200: REQUESTS}), statuses

            _wait(lambda: _sent(engine) == N, 120, f"all {N} reminders to be sent", procs)
            time.sleep(3 * SWEEP_SECONDS)  # a few more sweep periods, with both workers firing
            counts = sink.counts()
            signed_out = httpx.post(f"{bases[1]}/admin/logout", cookies=session_cookie, timeout=30)
            assert signed_out.status_code == 303
            after = httpx.get(f"{bases[0]}/admin", cookies=session_cookie, timeout=30)
            assert after.status_code == 303, "signed out on B is signed out on A"
    finally:
        _stop(procs)
    assert set(counts) == expected, "every queued reminder arrived"
    assert set(counts.values()) == {1}, f"no reminder arrived twice: {counts.most_common(3)}"
    with Session(engine) as session:
        per_worker = dict(
            session.exec(select(Delivery.worker, func.count()).group_by(col(Delivery.worker))).all()
        )
        runs = session.exec(select(JobRun).where(JobRun.job == "sweep")).all()
    assert set(per_worker) <= {"worker-a", "worker-b"} and sum(per_worker.values()) == N, per_worker

    logs = {p.name: p.output() for p in procs}
    ran = [(period, worker) for text in logs.values() for period, worker in _RAN.findall(text)]
    skipped = [period for text in logs.values() for period in _SKIPPED.findall(text)]
    periods = Counter(period for period, _ in ran)
    twice = [p for p, n in periods.items() if n > 1]
    assert periods and not twice, [line for t in logs.values() for line in t.splitlines() if twice[0] in line]
    assert {(r.period, r.worker) for r in runs if r.finished_at is not None} == set(ran), (
        "a job_runs row per run"
    )
    assert skipped, "both workers fired the sweep, the second of each period skipped it"
    engine.dispose()


# ── the pieces, in one process standing for several (SQLite and PostgreSQL) ──────────────────


def test_a_periodic_job_runs_once_per_period_and_a_failed_run_is_retried(db: Engine) -> None:
    calls: list[str] = []
    for worker in ("worker-a", "worker-b", "worker-a"):
        once_per_period(
            engine=db, job="sweep", period="p1", worker=worker, run=lambda w=worker: calls.append(w)
        )
    assert calls == ["worker-a"], "the other process, and the same one again, skip period p1"

    def broken() -> None:
        raise RuntimeError("数据库连接中断")

    with pytest.raises(RuntimeError):
        once_per_period(engine=db, job="sweep", period="p2", worker="worker-a", run=broken)
    once_per_period(engine=db, job="sweep", period="p2", worker="worker-b", run=lambda: calls.append("b"))
    assert calls == ["worker-a", "b"], "a failed run gives its period back"
    with Session(db) as session:
        rows = {(r.period, r.worker) for r in session.exec(select(JobRun)).all()}
    assert rows == {("p1", "worker-a"), ("p2", "worker-b")}


def test_period_keys() -> None:
    now = dt.datetime(2026, 12, 6, 7, 42, 13, tzinfo=dt.UTC)
    assert interval_period(now, 3600) == "2026-12-06T07:00:00Z"
    assert interval_period(now, 2.5) == "2026-12-06T07:42:12.500Z"


def test_an_admin_session_started_in_one_process_is_known_to_another(db: Engine) -> None:
    now = dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC)
    first, second = (AdminSessions(dt.timedelta(hours=12), dt.timedelta(hours=1), db) for _ in range(2))
    sid = first.create("钱七", "token", now)
    found = second.get(sid, "token", now + dt.timedelta(minutes=5))
    assert found is not None and found.operator == "钱七"
    second.revoke(sid)
    assert first.get(sid, "token", now + dt.timedelta(minutes=6)) is None, "signed out everywhere"


def test_abuse_counters_in_the_database_are_shared(db: Engine) -> None:
    first, second = (Throttle("3/minute", {"register-ip": "2/hour"}, DatabaseStorage(db)) for _ in range(2))
    assert first.spend("register-ip", "10.1.2.3") == 0
    assert second.spend("register-ip", "10.1.2.3") == 0
    assert first.spend("register-ip", "10.1.2.3") > 0, "the budget is spent across both"
    assert second.spend("register-ip", "10.9.9.9") == 0, "another client has its own budget"
    for throttle in (first, second, first):
        throttle.failed("10.1.2.3")
    assert second.locked_for("10.1.2.3") > 0 and first.locked_for("10.7.7.7") == 0


def test_an_unusable_counter_storage_is_named(db: Engine) -> None:
    with pytest.raises(StorageError, match="REMINDER_RATELIMIT_STORAGE"):
        limits_storage("bogus://somewhere", db)


def test_two_apps_on_one_database_share_lockouts_and_sessions(db: Engine, tmp_path: Path) -> None:
    settings = Settings(
        admin_token=ADMIN_TOKEN,
        secret_key=SECRET_KEY,
        data_dir=tmp_path,
        auth_failure_limits="3/minute",
        ratelimit_storage="database://",
    )
    first, second = (TestClient(create_app(settings, engine=db), follow_redirects=False) for _ in range(2))
    with first, second:
        login = first.post("/admin/login", data={"token": ADMIN_TOKEN})
        assert login.status_code == 303
        cookie = {"Cookie": f"admin_session={login.cookies['admin_session']}"}
        assert second.get("/admin", headers=cookie).status_code == 200, "signed in on the other process too"
        answers = [first.post("/admin/login", data={"token": f"猜测-{i}"}).status_code for i in range(3)]
        assert answers == [403, 403, 403]
        locked = second.post("/admin/login", data={"token": ADMIN_TOKEN})
        assert locked.status_code == 429, "the other process counts the same failures"
