"""Web speed at the size of a province: pages and API under 20 concurrent clients (issue 15).

Builds a database (a temporary SQLite file, or a throwaway PostgreSQL database with ``--pg``) holding
the sample notices, ``--notices`` synthetic open notices (conditions copied from the samples,
1–3 deadlines in the coming six months) and ``--companies`` synthetic companies, each with
``--matches`` verdicts on random notices (pointing at one stored verdict per notice and status) and its
match counts, all written in bulk (executemany; COPY for the matches on PostgreSQL; INSERT … SELECT),
not through the per-company service. One more company, registered and matched through the service, is
the one whose pages are requested. Then it starts ``reminder serve`` as a subprocess on loopback and,
for each endpoint (``--only`` picks some), drives ``--clients`` concurrent clients (httpx, keep-alive)
for ``--requests`` requests or ``--seconds`` seconds, whichever ends first, after a short warm-up, and
prints req/s, p50/p95/p99, the server's CPU time per request (steadier than latency on a shared
machine) and the clients' own (near 1000 / req/s: the clients limit the rate) beside the targets:
p95 < 150 ms for enterprise pages and the API, < 300 ms for the admin dashboard, < 20 ms for /healthz,
and at least 100 req/s for the home page (/metrics has none). Figures are printed, not asserted; the
load average is printed with them.

    .venv/bin/python benchmarks/bench_web.py [--notices 1000] [--companies 100000] [--matches 10] [--pg]
    .venv/bin/python benchmarks/bench_web.py --notices 200 --companies 5000      # a quick run
    .venv/bin/python benchmarks/bench_web.py --only "home,/api/notices,/healthz"  # some endpoints
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from _bench_db import database
from sqlmodel import Session, col, select

from reminder.companies.profiles import register_company
from reminder.db import make_engine, upgrade
from reminder.db.match_counts import rebuild_counts
from reminder.db.models import Company, ConditionRow, DeadlineRow, DocumentRow, NoticeRow, Verdict
from reminder.db.verdicts import digest
from reminder.ingest import ingest_paths
from reminder.model import TZ
from reminder.web.deps import hash_token
from reminder.workflow import company_changed

#: the day the pages are shown as on (``serve --as-of``): the 2025 sample calls are open
AS_OF = dt.date(2025, 3, 1)
NOW = dt.datetime.combine(AS_OF, dt.time(9), tzinfo=TZ)
SAMPLES = Path(__file__).resolve().parents[1] / "reminder" / "samples" / "notices"
ADMIN_TOKEN = "bench-admin-" + "a" * 40
#: ids per executemany batch
BATCH = 20_000
VERDICTS = ["eligible"] * 3 + ["possibly_eligible"] * 3 + ["not_eligible"] * 4
#: (path, the p95 target in ms or None, the req/s target or None) per endpoint; {c} is the probe company
TARGETS: dict[str, tuple[str, float | None, float | None]] = {
    "home": ("/", 150, 100),
    "company page": ("/c/{c}", 150, None),
    "/api/notices": ("/api/notices", 150, None),
    "/api/companies/{id}/matches": ("/api/companies/{c}/matches", 150, None),
    "iCal feed": ("/c/{c}/calendar.ics", 150, None),
    "/healthz": ("/healthz", 20, None),
    "admin dashboard": ("/admin", 300, None),
    "/metrics": ("/metrics", None, None),
}


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def timed(what: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    say(f"  {what}: {time.perf_counter() - started:.1f} s")


# ── the database ────────────────────────────────────────────────────────────────────────────


def _next_id(session: Session, table: type[Any]) -> int:
    return int(session.exec(select(sa.func.coalesce(sa.func.max(table.id), 0))).one()) + 1


def _seed_conditions(session: Session) -> list[list[dict[str, Any]]]:
    """The condition rows of each sample notice that has some (what synthetic notices copy)."""
    keys = ("field", "op", "value", "unit", "hard", "group", "quote", "span_start", "span_end", "rule")
    found: dict[int, list[dict[str, Any]]] = {}
    for row in session.exec(select(ConditionRow).order_by(col(ConditionRow.id))).all():
        found.setdefault(row.notice_id, []).append({k: getattr(row, k) for k in keys})
    return list(found.values())


def insert_notices(session: Session, n: int, rng: random.Random) -> list[int]:
    """``n`` published open notices in one synthetic document; their ids."""
    conn = session.connection()
    seeds = _seed_conditions(session)
    doc_id = _next_id(session, DocumentRow)
    conn.execute(sa.insert(DocumentRow), [{
        "id": doc_id, "source": "synthetic", "content_hash": secrets.token_hex(32), "format": "txt",
        "kind": "compilation", "text": "合成通知", "ingested_at": NOW,
    }])  # fmt: skip
    first = _next_id(session, NoticeRow)
    ids = list(range(first, first + n))
    notices, deadlines, conditions = [], [], []
    for i in ids:
        notices.append({
            "id": i, "title": f"关于组织申报2025年度第{i}批合成专项的通知", "level": "municipal",
            "issuer": rng.choice(["杭州市经济和信息化局", "浙江省科学技术厅", "宁波市科学技术局"]),
            "published": AS_OF - dt.timedelta(days=rng.randint(1, 60)), "status": "published",
            "policy_only": False, "rolling": False, "document_id": doc_id, "key": secrets.token_hex(32),
            "span_start": 0, "span_end": 0, "created_at": NOW, "updated_at": NOW,
        })  # fmt: skip
        for day in sorted(rng.sample(range(3, 181), rng.randint(1, 3))):
            date = AS_OF + dt.timedelta(days=day)
            deadlines.append({
                "notice_id": i, "date": date, "time": None, "kind": "application",
                "at": dt.datetime.combine(date, dt.time(23, 59, 59), tzinfo=TZ), "grain": "day",
                "approximate": False, "conditional": False, "to_be_announced": False,
                "quote": f"请于{date.month}月{date.day}日前提交申报材料。", "span_start": 0, "span_end": 0,
                "rule": "", "active": True,
            })  # fmt: skip
        conditions += [c | {"notice_id": i} for c in rng.choice(seeds)] if seeds else []
    conn.execute(sa.insert(NoticeRow), notices)
    conn.execute(sa.insert(DeadlineRow), deadlines)
    if conditions:
        conn.execute(sa.insert(ConditionRow), conditions)
    return ids


def _company(i: int, rng: random.Random) -> dict[str, Any]:
    district = rng.choice(["330106", "330110", "330212", "330502", "330602"])
    return {
        "id": i, "name": f"合成企业{i:06d}有限公司", "credit_code": None, "province_code": "330000",
        "city_code": district[:4] + "00", "district_code": district, "region_name": None,
        "industry": rng.choice(["生物医药", "新材料", "软件和信息技术服务业", None]), "industry_tags": [],
        "founded_on": dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 8000)),
        "headcount": int(rng.lognormvariate(4.5, 1.2)), "annual_revenue": round(rng.lognormvariate(7.5, 1.6), 2),
        "total_assets": None, "registered_capital": None, "rd_expense_ratio": round(rng.uniform(0, 15), 1),
        "rd_staff_ratio": None, "qualifications": [], "legal_person": "是", "credit_ok": True,
        "applicant_type": "企业", "contact_email": None, "currency": None, "reminder_offsets": [14, 7, 3, 1, 0],
        "digest": "weekly", "email_unsubscribed": False, "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def insert_companies(session: Session, n: int, rng: random.Random) -> list[int]:
    conn = session.connection()
    first = _next_id(session, Company)
    ids = list(range(first, first + n))
    for start in range(0, n, BATCH):
        conn.execute(sa.insert(Company), [_company(i, rng) for i in ids[start : start + BATCH]])
    return ids


def insert_verdicts(session: Session, notices: list[int]) -> dict[tuple[int, str], int]:
    """One stored verdict per notice and status (nothing missing or unmet): their ids."""
    first = _next_id(session, Verdict)
    ids: dict[tuple[int, str], int] = {}
    rows: list[dict[str, Any]] = []
    for notice_id in notices:
        for status in dict.fromkeys(VERDICTS):
            ids[(notice_id, status)] = first + len(rows)
            text = (status, "[]", "[]", "null")
            rows.append({
                "id": ids[(notice_id, status)], "notice_id": notice_id, "digest": digest(text), "status": status,
                "missing": [], "unmet": [], "trace": None,
            })  # fmt: skip
    session.connection().execute(sa.insert(Verdict), rows)
    return ids


def insert_matches(
    session: Session, companies: list[int], notices: list[int], per_company: int, rng: random.Random
) -> int:
    """``per_company`` verdicts on random notices for every company: PostgreSQL COPY, SQLite executemany."""
    conn = session.connection()
    verdicts = insert_verdicts(session, notices)
    pg = conn.dialect.name == "postgresql"
    stamp = NOW if pg else NOW.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    columns = "company_id, notice_id, status, verdict_id, evaluated_at"
    k = min(per_company, len(notices))

    def rows() -> Iterator[tuple[Any, ...]]:
        for company_id in companies:
            for notice_id in rng.sample(notices, k):
                status = rng.choice(VERDICTS)
                yield (company_id, notice_id, status, verdicts[(notice_id, status)], stamp)

    written = 0
    if pg:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY matches ({columns}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
                written += 1
        return written
    sql = f"INSERT INTO matches ({columns}) VALUES (?, ?, ?, ?, ?)"
    batch: list[tuple[Any, ...]] = []
    for row in rows():
        batch.append(row)
        if len(batch) >= BATCH * 5:
            conn.exec_driver_sql(sql, batch)
            written, batch = written + len(batch), []
    if batch:
        conn.exec_driver_sql(sql, batch)
    return written + len(batch)


def sync_sequences(session: Session) -> None:
    """PostgreSQL: move the id sequences past the ids written explicitly (SQLite needs nothing)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    for table in ("documents", "notices", "deadlines", "conditions", "companies", "verdicts", "matches"):
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def probe_company(session: Session) -> tuple[int, str]:
    """A 杭州 company registered and matched through the service: the one whose pages are requested."""
    data = {
        "name": "杭州基准测试生物科技有限公司", "region": "浙江省杭州市余杭区", "industry": "生物医药及健康",
        "headcount": 120, "annual_revenue": 3000, "legal_person": "是", "qualifications": ["高新技术企业:2026-12-31"],
        "contact_email": "bench@example.com",
    }  # fmt: skip
    company = register_company(session=session, data=data, now=NOW)
    token = secrets.token_urlsafe(32)
    company.token_hash = hash_token(token)
    session.add(company)
    session.flush()
    company_changed(session=session, company_id=company.id or 0, now=NOW)
    return company.id or 0, token


def build(url: str, args: argparse.Namespace) -> tuple[int, str]:
    engine = make_engine(url)
    rng = random.Random(15)
    try:
        with timed("schema and sample notices"):
            upgrade(engine)
            with Session(engine) as session:
                ingest_paths([SAMPLES], session=session, now=NOW)
                session.commit()
        with Session(engine) as session:
            with timed(f"{args.notices:,} notices"):
                notices = insert_notices(session, args.notices, rng)
            with timed(f"{args.companies:,} companies"):
                companies = insert_companies(session, args.companies, rng)
            with timed("matches"):
                matches = insert_matches(session, companies, notices, args.matches, rng)
            with timed("match counts"):
                rebuild_counts(session)
            sync_sequences(session)
            session.commit()
        say(f"  {matches:,} matches")
        with Session(engine) as session, timed("probe company (registered and matched by the service)"):
            probe = probe_company(session)
            session.commit()
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn, timed("ANALYZE"):
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        return probe
    finally:
        engine.dispose()


# ── the server and the clients ──────────────────────────────────────────────────────────────


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(url: str, tmp: Path) -> Iterator[tuple[str, int]]:
    """``reminder serve`` on a free loopback port until the block ends: its base URL and process id."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "REMINDER_DATA_DIR": str(tmp / "data"),
        "REMINDER_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    reminder = Path(sys.executable).with_name("reminder")
    command = [str(reminder), "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--as-of", AS_OF.isoformat()]
    log = (tmp / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"reminder serve exited: {(tmp / 'serve.log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.3)
        else:
            raise SystemExit("reminder serve did not become healthy in 90 s")
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@dataclass
class Result:
    name: str
    latencies: list[float]
    errors: int
    seconds: float
    #: the server process's CPU time (user + system) per request, ms: steadier than latency on a shared machine
    cpu_ms: float
    #: this process's (the clients') CPU time per request, ms: when it is near 1000 / req/s, the clients
    #: are what limits the rate, not the server
    client_ms: float

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q * 100) - 1]


async def _drive(
    base: str, path: str, headers: dict[str, str], args: argparse.Namespace
) -> tuple[list[float], int, float]:
    """(latencies in ms, failed requests, seconds) of ``args.clients`` clients requesting ``path``: a
    failure (an error status, a timeout) counts with the time it took."""
    clients, requests, seconds = args.clients, args.requests, args.seconds
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=args.timeout
    ) as client:

        async def worker(stop: float) -> None:
            nonlocal issued, errors
            while issued < requests and time.perf_counter() < stop:
                issued += 1
                started = time.perf_counter()
                try:
                    ok = (await client.get(path)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += 0 if ok else 1

        warm_up = [client.get(path) for _ in range(clients)]  # connections, caches
        await asyncio.gather(*warm_up, return_exceptions=True)
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + seconds) for _ in range(clients)))
        return latencies, errors, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(base: str, pid: int, probe: tuple[int, str], args: argparse.Namespace) -> list[Result]:
    company_id, token = probe
    results = []
    for name, (template, _, _) in TARGETS.items():
        if args.only and name not in args.only:
            continue
        path = template.format(c=company_id)
        if name == "admin dashboard":
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        elif "{c}" in template:
            headers = {"Authorization": f"Bearer {token}"}
        else:
            headers = {}
        cpu, client = cpu_seconds(pid), time.process_time()
        latencies, errors, seconds = asyncio.run(_drive(base, path, headers, args))
        done = len(latencies) + args.clients  # warm-up included
        cpu_ms = (cpu_seconds(pid) - cpu) * 1000 / done
        client_ms = (time.process_time() - client) * 1000 / done
        results.append(Result(name, latencies, errors, seconds, cpu_ms, client_ms))
        say(f"  {name}: {len(latencies)} requests in {seconds:.1f} s")
    return results


def report(results: list[Result]) -> None:
    say("")
    say(
        f"{'endpoint':<30}{'n':>6}{'err':>5}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms':>8}{'client':>8}   target"
    )
    for r in results:
        _, p95_target, rate_target = TARGETS[r.name]
        rate = len(r.latencies) / r.seconds if r.seconds else 0.0
        p50, p95, p99 = (r.quantile(q) for q in (0.5, 0.95, 0.99))
        target = f"p95 < {p95_target:.0f} ms" if p95_target is not None else "—"
        target += f", ≥ {rate_target:.0f} req/s" if rate_target else ""
        met = (p95_target is None or p95 < p95_target) and (rate_target is None or rate >= rate_target)
        say(
            f"{r.name:<30}{len(r.latencies):>6}{r.errors:>5}{rate:>8.1f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{r.cpu_ms:>8.1f}{r.client_ms:>8.1f}"
            f"   {target}{'' if p95_target is None else (' ok' if met else ' MISSED')}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--notices", type=int, default=1000, help="synthetic open notices (default 1,000)")
    parser.add_argument(
        "--companies", type=int, default=100_000, help="synthetic companies (default 100,000)"
    )
    parser.add_argument("--matches", type=int, default=10, help="verdicts per synthetic company (default 10)")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument(
        "--requests", type=int, default=400, help="requests per endpoint at most (default 400)"
    )
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="seconds per endpoint at most (default 20)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds one request may take (default 120)"
    )
    parser.add_argument(
        "--only", type=lambda text: [n.strip() for n in text.split(",") if n.strip()], default=[],
        help=f"comma-separated endpoints to load (default all: {', '.join(TARGETS)})",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if unknown := [n for n in args.only if n not in TARGETS]:
        parser.error(f"unknown endpoints {unknown}: choose from {list(TARGETS)}")
    say(f"bench_web: {args.notices:,} notices, {args.companies:,} companies × {args.matches} matches, "
        f"{'PostgreSQL' if args.pg else 'SQLite'}, {args.clients} clients")  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="bench-web-") as name,
        database(args.pg, name, "bench_web") as url,
    ):
        tmp = Path(name)
        say("building the data:")
        probe = build(url, args)
        say("load (after a warm-up of one request per client):")
        with server(url, tmp) as (base, pid):
            results = measure(base, pid, probe, args)
    report(results)
    say(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
