"""Web speed at the size of a province: pages and API under 20 concurrent clients (issue 15).

Builds a database (a temporary SQLite file, or a throwaway PostgreSQL database with ``--pg``) holding
the sample notices, ``--notices`` synthetic open notices (conditions copied from the samples,
1–3 deadlines in the coming six months) and ``--companies`` synthetic companies, each with
``--matches`` verdicts on random notices (pointing at one stored verdict per notice and status) and its
match counts, all written in bulk (executemany; COPY for the matches on PostgreSQL; INSERT … SELECT),
not through the per-company service; each synthetic company has a management token (its sha256
written with it, as registration stores it). One more company, registered and matched through the
service, is the probe. The company page, the matches API and the iCal feed are each loaded twice: "one
(cached)" requests the probe's every time (after the warm-up the per-company output cache answers),
"many (miss)" requests ``--spread`` random synthetic companies in turn (a different company each time, as
in a province: each request misses the cache as long as there are fewer requests than companies). Then
it starts ``reminder serve`` as a subprocess on loopback and, for each endpoint (``--only`` picks some),
drives ``--clients`` concurrent clients for ``--requests`` requests or ``--seconds`` seconds, whichever
ends first, after a warm-up of one request per client: httpx (keep-alive) in this process, or with
``--client wrk`` the ``wrk`` load generator (2 threads, a Lua script taking the paths in turn; only
``--seconds`` bounds it), which needs far less CPU per request than Python clients on the same cores.
It prints req/s, p50/p90/p95/p99 (wrk's own histogram with wrk), the server's CPU time per request
(all its processes with ``--workers N``; steadier than latency on a shared machine) and the clients' own (near 1000 / req/s: the clients limit
the rate) beside the targets:
p95 < 150 ms for enterprise pages and the API, < 300 ms for the admin dashboard, < 20 ms for /healthz,
and at least 100 req/s for the home page (/metrics has none). Figures are printed, not asserted; the
load average is printed with them.

    .venv/bin/python benchmarks/bench_web.py [--notices 1000] [--companies 100000] [--matches 10] [--pg]
    .venv/bin/python benchmarks/bench_web.py --notices 200 --companies 5000      # a quick run
    .venv/bin/python benchmarks/bench_web.py --only "home,/api/notices,/healthz"  # some endpoints
    .venv/bin/python benchmarks/bench_web.py --client wrk --seconds 15           # wrk as the client
    .venv/bin/python benchmarks/bench_web.py --keep /tmp/bench_web_db   # build once, reuse (SQLite)
    .venv/bin/python benchmarks/bench_web.py --workers 2                # reminder serve --workers 2

With ``--keep DIR`` (SQLite only) the database is built in DIR once and reused by later runs with the
same ``--notices``, ``--companies``, ``--matches`` and ``--spread`` (building it takes minutes); pages
only read it, apart from what the server's own start-up writes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import resource
import secrets
import shutil
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
#: (path, the p95 target in ms or None, the req/s target or None) per endpoint; {c} is a company: the
#: probe on the "one" rows (after the warm-up, the output cache answers), a different synthetic company
#: per request on the "many" rows (a cache miss each, as in a province)
TARGETS: dict[str, tuple[str, float | None, float | None]] = {
    "home": ("/", 150, 100),
    "company page: one (cached)": ("/c/{c}", 150, None),
    "company page: many (miss)": ("/c/{c}", 150, None),
    "/api/notices": ("/api/notices", 150, None),
    "matches API: one (cached)": ("/api/companies/{c}/matches", 150, None),
    "matches API: many (miss)": ("/api/companies/{c}/matches", 150, None),
    "iCal feed: one (cached)": ("/c/{c}/calendar.ics", 150, None),
    "iCal feed: many (miss)": ("/c/{c}/calendar.ics", 150, None),
    "/healthz": ("/healthz", 20, None),
    "admin dashboard": ("/admin", 300, None),
    "/metrics": ("/metrics", None, None),
}


def company_token(company_id: int) -> str:
    """A synthetic company's management token (its sha256 is stored, as for a registered company)."""
    return f"bench-company-{company_id}-" + "t" * 24


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
        "token_hash": hash_token(company_token(i)),
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
    # matches are keyed by their (company, notice) pair: no sequence of their own (migration 0019)
    for table in ("documents", "notices", "deadlines", "conditions", "companies", "verdicts"):
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


@dataclass
class Built:
    #: the probe company (registered through the service) and its token
    probe: tuple[int, str]
    #: synthetic companies whose pages are requested on the "many" rows, in request order
    spread: list[int]


def build(url: str, args: argparse.Namespace) -> Built:
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
        return Built(probe, rng.sample(companies, min(args.spread, len(companies))))
    finally:
        engine.dispose()


def _kept_key(args: argparse.Namespace) -> dict[str, int]:
    return {
        "notices": args.notices,
        "companies": args.companies,
        "matches": args.matches,
        "spread": args.spread,
    }


def build_or_reuse(url: str, args: argparse.Namespace, kept: Path | None) -> Built:
    """``build``, or with ``--keep`` the database built there by an earlier run with the same sizes."""
    if kept is None:
        return build(url, args)
    about = kept / "bench_web.json"
    if about.exists() and (kept / "bench.db").exists():
        saved = json.loads(about.read_text())
        if saved.get("key") == _kept_key(args):
            say(f"  reusing the database in {kept}")
            engine = make_engine(url)
            try:
                with timed("schema upgrade (migrations added since)"):
                    upgrade(engine)
            finally:
                engine.dispose()
            return Built((saved["probe"][0], saved["probe"][1]), list(saved["spread"]))
    (kept / "bench.db").unlink(missing_ok=True)
    about.unlink(missing_ok=True)
    built = build(url, args)
    about.write_text(json.dumps({"key": _kept_key(args), "probe": list(built.probe), "spread": built.spread}))
    return built


# ── the server and the clients ──────────────────────────────────────────────────────────────


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(url: str, tmp: Path, workers: int = 1) -> Iterator[tuple[str, int]]:
    """``reminder serve --workers`` on a free loopback port until the block ends: its base URL and process
    id (with several workers, the supervisor's: :func:`cpu_seconds` adds its children's CPU)."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "REMINDER_DATA_DIR": str(tmp / "data"),
        "REMINDER_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    reminder = Path(sys.executable).with_name("reminder")
    command = [str(reminder), "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--as-of", AS_OF.isoformat(), "--workers", str(workers)]
    log = (tmp / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"reminder serve exited: {(tmp / 'serve.log').read_text()[-2000:]}")
            # every worker up: one still starting would add its start-up CPU to the first endpoint's
            started = (tmp / "serve.log").read_text(errors="replace").count("Application startup complete")
            with contextlib.suppress(httpx.HTTPError):
                if started >= workers and httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
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


#: one request: its path and headers
Request = tuple[str, dict[str, str]]
#: wrk's threads (its connections are ``--clients``)
WRK_THREADS = 2
#: wrk's Lua script: the requests round-robin (each thread starts at its own offset and steps by the
#: number of threads, so no two threads ask for the same company at once); ``done`` prints the totals
#: and wrk's own latency percentiles (µs) as one JSON line
WRK_LUA = """\
local paths = {%(paths)s}
local auths = {%(auths)s}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
local requests, i = {}, 0
function init(args)
  for k = 1, #paths do
    local headers = {}
    if auths[k] ~= "" then headers["Authorization"] = auths[k] end
    requests[k] = wrk.format("GET", paths[k], headers)
  end
  i = offset or 0
end
function request()
  local r = requests[(i %% #requests) + 1]
  i = i + %(threads)d
  return r
end
function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%.0f, "us": %%.0f, "errors": %%.0f, "p50": %%.0f, "p90": %%.0f, "p95": %%.0f, "p99": %%.0f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Result:
    name: str
    count: int
    errors: int
    seconds: float
    #: latency in ms by percentile (50, 90, 95, 99)
    percentiles: dict[int, float]
    #: the server's CPU time (user + system, every worker process) per request, ms: steadier than latency on
    #: a shared machine
    cpu_ms: float
    #: the clients' CPU time per request, ms (this process's for httpx, wrk's for wrk): when it is near
    #: 1000 / req/s, the clients are what limits the rate, not the server
    client_ms: float


def quantiles(latencies: list[float]) -> dict[int, float]:
    if len(latencies) < 2:
        return dict.fromkeys((50, 90, 95, 99), latencies[0] if latencies else float("nan"))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {q: cuts[q - 1] for q in (50, 90, 95, 99)}


async def _drive(
    base: str, requests: list[Request], warm: list[Request], args: argparse.Namespace
) -> tuple[list[float], int, float]:
    """(latencies in ms, failed requests, seconds) of ``args.clients`` clients taking ``requests`` in
    turn (round-robin) after one ``warm`` request each: a failure (an error status, a timeout) counts
    with the time it took."""
    clients, limit, seconds = args.clients, args.requests, args.seconds
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=args.timeout) as client:

        async def worker(stop: float) -> None:
            nonlocal issued, errors
            while issued < limit and time.perf_counter() < stop:
                path, headers = requests[issued % len(requests)]
                issued += 1
                started = time.perf_counter()
                try:
                    ok = (await client.get(path, headers=headers)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += 0 if ok else 1

        await asyncio.gather(*(client.get(p, headers=h) for p, h in warm), return_exceptions=True)
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + seconds) for _ in range(clients)))
        return latencies, errors, time.perf_counter() - started


def _wrk(
    base: str, requests: list[Request], warm: list[Request], args: argparse.Namespace, tmp: Path
) -> tuple[int, int, float, dict[int, float]]:
    """(requests, failed ones, seconds, latency ms by percentile) of ``wrk`` with ``args.clients``
    connections for ``args.seconds`` seconds (``--requests`` does not bound it), after the warm-up."""
    for path, headers in warm:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(base + path, headers=headers, timeout=args.timeout)
    script = tmp / "bench_web.lua"
    script.write_text(
        WRK_LUA
        % {
            "paths": ", ".join(json.dumps(path) for path, _ in requests),
            "auths": ", ".join(json.dumps(h.get("Authorization", "")) for _, h in requests),
            "threads": WRK_THREADS,
        }
    )
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{args.clients}", f"-d{max(1, round(args.seconds))}s"]
    command += ["--latency", f"--timeout={max(1, round(args.timeout))}s", "-s", str(script), base + "/"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    summary = json.loads(line[6:])
    latency = {q: summary[f"p{q}"] / 1000 for q in (50, 90, 95, 99)}
    return int(summary["requests"]), int(summary["errors"]), summary["us"] / 1e6, latency


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3, the state, is the first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _descendants(pid: int) -> list[int]:
    """The live processes below ``pid`` (``serve --workers N``: its workers), found by their parent ids."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process, of its live descendants (the worker processes of
    ``serve --workers N``) and of the children they reaped (a worker that died and was replaced)."""
    ticks = 0
    for each in [pid, *_descendants(pid)]:
        with contextlib.suppress(OSError):  # ended since it was listed: its parent counts it once reaped
            fields = _stat(each)
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def client_seconds() -> float:
    """CPU time of this process and of its finished children (wrk; the server is not reaped yet)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def loads(name: str, built: Built, args: argparse.Namespace) -> tuple[list[Request], list[Request]]:
    """(the requests in turn, the warm-up requests: none means the same ones) of an endpoint."""
    template = TARGETS[name][0]
    if name == "admin dashboard":
        return [(template, {"Authorization": f"Bearer {ADMIN_TOKEN}"})], []
    if "{c}" not in template:
        no_auth: dict[str, str] = {}
        return [(template, no_auth)], []
    if name.endswith("(miss)"):
        # warm up on companies that are not requested afterwards, so each measured request misses
        pages = [
            (template.format(c=c), {"Authorization": f"Bearer {company_token(c)}"}) for c in built.spread
        ]
        return pages[args.clients :] or pages, pages[: args.clients]
    company_id, token = built.probe
    return [(template.format(c=company_id), {"Authorization": f"Bearer {token}"})], []


def measure(base: str, pid: int, built: Built, args: argparse.Namespace, tmp: Path) -> list[Result]:
    results = []
    for name in TARGETS:
        if args.only and name not in args.only:
            continue
        requests, warm = loads(name, built, args)
        warm = ((warm or requests) * args.clients)[: args.clients]
        cpu, client = cpu_seconds(pid), client_seconds()
        if args.client == "wrk":
            count, errors, seconds, latency = _wrk(base, requests, warm, args, tmp)
        else:
            latencies, errors, seconds = asyncio.run(_drive(base, requests, warm, args))
            count, latency = len(latencies), quantiles(latencies)
        done = count + len(warm)
        cpu_ms = (cpu_seconds(pid) - cpu) * 1000 / done
        client_ms = (client_seconds() - client) * 1000 / done
        results.append(Result(name, count, errors, seconds, latency, cpu_ms, client_ms))
        distinct = len({path for path, _ in requests})
        say(f"  {name}: {count} requests in {seconds:.1f} s ({distinct} different paths)")
    return results


def report(results: list[Result]) -> None:
    say("")
    say(
        f"{'endpoint':<30}{'n':>6}{'err':>5}{'req/s':>8}{'p50 ms':>9}{'p90 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms':>8}{'client':>8}   target"
    )
    for r in results:
        _, p95_target, rate_target = TARGETS[r.name]
        rate = r.count / r.seconds if r.seconds else 0.0
        p = r.percentiles
        target = f"p95 < {p95_target:.0f} ms" if p95_target is not None else "—"
        target += f", ≥ {rate_target:.0f} req/s" if rate_target else ""
        met = (p95_target is None or p[95] < p95_target) and (rate_target is None or rate >= rate_target)
        say(
            f"{r.name:<30}{r.count:>6}{r.errors:>5}{rate:>8.1f}{p[50]:>9.1f}{p[90]:>9.1f}{p[95]:>9.1f}{p[99]:>9.1f}"
            f"{r.cpu_ms:>8.1f}{r.client_ms:>8.1f}   {target}{'' if p95_target is None else (' ok' if met else ' MISSED')}"
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
        "--spread", type=int, default=5000,
        help="synthetic companies the 'many (miss)' rows request in turn (default 5,000: more than the requests of a 20 s run, so each one misses)",
    )  # fmt: skip
    parser.add_argument(
        "--client", choices=("httpx", "wrk"), default="httpx",
        help="httpx clients in this process (default), or wrk -t2 (--seconds bounds it, not --requests)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, default=1,
        help="processes serving the port (reminder serve --workers, default 1)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds one request may take (default 120)"
    )
    parser.add_argument(
        "--keep", type=Path, default=None, metavar="DIR",
        help="SQLite: build the database in DIR once and reuse it while the sizes are the same",
    )  # fmt: skip
    parser.add_argument(
        "--only", type=lambda text: [n.strip() for n in text.split(",") if n.strip()], default=[],
        help=f"comma-separated endpoints to load (default all: {', '.join(TARGETS)})",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if unknown := [n for n in args.only if n not in TARGETS]:
        parser.error(f"unknown endpoints {unknown}: choose from {list(TARGETS)}")
    if args.client == "wrk" and shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    if args.keep is not None and args.pg:
        parser.error("--keep keeps a SQLite database only")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    say(f"bench_web: {args.notices:,} notices, {args.companies:,} companies × {args.matches} matches, "
        f"{'PostgreSQL' if args.pg else 'SQLite'}, {args.clients} clients ({args.client}), "
        f"{args.workers} server process{'es' if args.workers > 1 else ''}")  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="bench-web-") as name,
        database(args.pg, args.keep or name, "bench_web") as url,
    ):
        tmp = Path(name)
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
        say("building the data:")
        built = build_or_reuse(url, args, args.keep)
        say("load (after a warm-up of one request per client):")
        with server(url, tmp, args.workers) as (base, pid):
            results = measure(base, pid, built, args, tmp)
    report(results)
    say(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
