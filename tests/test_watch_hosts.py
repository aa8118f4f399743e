"""One request at a time per host across worker processes (issue 17), on PostgreSQL.

Two worker processes, each running the scheduler's source job (``poll_due_sources``) in a loop against
one PostgreSQL database, share 20 sources on two loopback "government sites" (10 list pages each) that
fall due while the workers poll: seven of the first site at once (one worker is busy with them a while),
the others one after another every STAGGER seconds, so the other worker, soon idle, meets newly due
sources of the busy site (and must leave them to the worker that holds that site). Each site answers
slowly and counts the requests it has in flight: never more than one per site, though both workers poll
at the same time; every source is polled exactly once (each list page fetched once, each source polled
by one worker), and no claim is left behind.

The claim rules underneath (SQLite and PostgreSQL): a source is not claimed while another worker holds a
source on its host; its own claims and other hosts are no obstacle; an expired claim holds nothing. On
PostgreSQL two claims racing for one host are serialised: the second waits for the first to commit and
then sees it. Migration 0015 fills the host of sources already stored.

The process test skips with the reason when PostgreSQL is not reachable on 127.0.0.1:5432.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_utils import BACKENDS, throwaway_database
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
from fixture_web import FixtureWeb  # noqa: E402

from reminder.db.engine import make_engine  # noqa: E402
from reminder.db.migrate import downgrade, upgrade  # noqa: E402
from reminder.db.models import utcnow  # noqa: E402
from reminder.db.source_models import SourceRow, host_of  # noqa: E402
from reminder.db.source_store import (  # noqa: E402
    add_source,
    claim_source,
    claim_sources,
    due_source_ids,
    release_source,
)
from reminder.sources import SourceSpec  # noqa: E402

SOURCES = 20
#: seconds each fixture request takes: long enough for a second worker's request to overlap
LATENCY = 0.1
#: seconds between two sources of one site falling due (after the first site's burst)
STAGGER = 0.1
#: sources of the first site due at once
BURST = 7


def _due_after(i: int) -> float:
    """Seconds after the start when source i (site i % 2, its k-th) falls due."""
    k = i // 2
    if i % 2 == 0:
        return 0.0 if k < BURST else STAGGER * (k - BURST + 1)
    return STAGGER * (k + 0.5)  # the first site's late sources come first in the other worker's due list


#: one worker process: say it is ready (imported, connected), wait for the go, then run the source job
#: until every source was polled
WORKER = """
import json, os, sys, time
from pathlib import Path
from sqlmodel import Session, col, func, select
from reminder.config import Settings
from reminder.db.engine import make_engine
from reminder.db.source_models import SourceRow
from reminder.scheduler.source_jobs import poll_due_sources
from reminder.sources import Fetcher, FetchPolicy

name, here = sys.argv[1], Path(sys.argv[2])
engine = make_engine(os.environ["DATABASE_URL"])
settings = Settings(_env_file=None)
polled, errors = [], []
with Fetcher(settings, FetchPolicy(delay=0.01, timeout=10.0, retries=0)) as fetcher:
    engine.connect().close()
    (here / f"ready-{name}").touch()
    while not (here / "go").exists():
        time.sleep(0.005)
    deadline = time.time() + 90
    while time.time() < deadline:
        reports = poll_due_sources(engine=engine, settings=settings, worker=name, fetcher=fetcher)
        polled += [r.source_id for r in reports]
        errors += [r.error for r in reports if r.error]
        if not reports:
            with Session(engine) as session:
                waiting = select(func.count()).select_from(SourceRow).where(col(SourceRow.last_poll_at).is_(None))
                if not session.exec(waiting).one():
                    break
            time.sleep(0.02)
print(json.dumps({"polled": polled, "errors": errors}))
"""


@pytest.fixture
def database() -> Iterator[tuple[str, Engine]]:
    with throwaway_database("watchhosts") as url:
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield url, engine
        finally:
            engine.dispose()


def test_two_worker_processes_never_send_two_requests_at_once_to_one_host(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = database
    with FixtureWeb() as web:
        sites = [web.site(), web.site()]
        for site in sites:
            site.latency = LATENCY
        with Session(engine) as session:
            for i in range(SOURCES):
                site = sites[i % len(sites)]
                path = f"/col/{i}/index.html"
                site.put(
                    path,
                    '<html><head><meta charset="utf-8"><title>通知公告</title></head>'
                    '<body><ul class="list"></ul></body></html>'.encode(),
                )
                spec = SourceSpec(f"栏目{i}", "青松市科学技术局", "青松市", "municipal", site.url(path))
                row = add_source(session=session, spec=spec, now=utcnow())
                row.next_poll_at = utcnow() + dt.timedelta(days=1)  # due once both workers are ready
            session.commit()
            hosts = {row.host for row in session.exec(select(SourceRow)).all()}
        assert hosts == {f"{site.host}:{site.port}" for site in sites}, "each source knows its host"

        env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_") and k != "DATABASE_URL"}
        env |= {"DATABASE_URL": url, "REMINDER_WEBHOOK_ALLOW_HOSTS": json.dumps(web.allow_hosts())}
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, f"worker-{k}", str(tmp_path)],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            for k in range(2)
        ]
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"ready-worker-{k}").exists() for k in range(2)):
            assert all(w.poll() is None for w in workers), "a worker exited before it was ready"
            assert time.monotonic() < deadline, "the workers did not get ready"
            time.sleep(0.02)
        with Session(engine) as session:
            go = utcnow()
            for i, row in enumerate(session.exec(select(SourceRow).order_by(col(SourceRow.id))).all()):
                row.next_poll_at = go + dt.timedelta(seconds=_due_after(i))
                session.add(row)
            session.commit()
        (tmp_path / "go").touch()
        outputs = []
        for worker in workers:
            out, err = worker.communicate(timeout=150)
            assert worker.returncode == 0, err.decode(errors="replace")[-3000:]
            outputs.append(json.loads(out.decode().strip().splitlines()[-1]))

        assert [site.max_in_flight for site in sites] == [1, 1], "one request at a time per host"
        list_hits = [h for site in sites for h in site.hits if h.startswith("/col/")]
        assert len(list_hits) == SOURCES == len(set(list_hits)), "each list page fetched once"

    polled = [source_id for output in outputs for source_id in output["polled"]]
    assert not [e for output in outputs for e in output["errors"]]
    assert len(polled) == SOURCES == len(set(polled)), "every source polled once, by one worker"
    assert all(output["polled"] for output in outputs), "both workers took a share (a host each)"
    with Session(engine) as session:
        rows = session.exec(select(SourceRow)).all()
        assert all(row.last_success_at is not None and row.claimed_by is None for row in rows)


# ── the claim rules ────────────────────────────────────────────────────────────────────────

NOW = dt.datetime(2025, 3, 1, 4, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=5)


def _spec(url: str) -> SourceSpec:
    return SourceSpec("通知公告", "青松市科学技术局", "青松市", "municipal", url)


def _ids(db: Engine, *urls: str) -> list[int]:
    with Session(db) as session:
        rows = [add_source(session=session, spec=_spec(url), now=NOW) for url in urls]
        session.commit()
        return [row.id or 0 for row in rows]


def test_the_host_is_the_lower_cased_address_kept_on_every_change(db: Engine) -> None:
    assert host_of("HTTP://Admin:pw@KJJ.Qingsong.GOV.cn:8080/tzgg/") == "kjj.qingsong.gov.cn:8080"
    with Session(db) as session:
        row = add_source(session=session, spec=_spec("https://KJJ.qingsong.gov.cn/tzgg/"), now=NOW)
        session.commit()
        assert row.host == "kjj.qingsong.gov.cn"
        row.url = "https://gxj.qingsong.gov.cn/tzgg/"
        session.add(row)
        session.commit()
        assert session.get(SourceRow, row.id).host == "gxj.qingsong.gov.cn"  # type: ignore[union-attr]


def test_a_host_is_held_by_one_worker_at_a_time(db: Engine) -> None:
    a1, a2, b1 = _ids(
        db,
        "https://kjj.qingsong.gov.cn/tzgg/",
        "https://kjj.qingsong.gov.cn/xmsb/",
        "https://gxj.qingsong.gov.cn/tzgg/",
    )
    with Session(db) as s:
        assert claim_source(session=s, source_id=a1, worker="w1", now=NOW, lease=LEASE)
        s.commit()
        assert not claim_source(session=s, source_id=a2, worker="w2", now=NOW, lease=LEASE), (
            "another source of a host w1 is polling"
        )
        assert due_source_ids(session=s, now=NOW, worker="w2") == [b1], "w2 is not offered the busy host"
        assert claim_source(session=s, source_id=b1, worker="w2", now=NOW, lease=LEASE), "another host"
        assert claim_source(session=s, source_id=a2, worker="w1", now=NOW, lease=LEASE), "w1's own host"
        assert claim_source(session=s, source_id=a1, worker="w1", now=NOW, lease=LEASE), "renewed"
        s.commit()
        release_source(session=s, source_id=a1, worker="w1")
        s.commit()
        assert not claim_source(session=s, source_id=a1, worker="w2", now=NOW, lease=LEASE), (
            "w1 still holds a2 on that host"
        )
        release_source(session=s, source_id=a2, worker="w1")
        s.commit()
        assert claim_sources(session=s, source_ids=[a1, a2], worker="w2", now=NOW, lease=LEASE) == [a1, a2]
        s.commit()
        later = NOW + LEASE + dt.timedelta(seconds=1)
        assert claim_source(session=s, source_id=b1, worker="w3", now=later, lease=LEASE), (
            "an expired claim (a crashed worker) holds nothing"
        )


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_two_claims_racing_for_one_host_on_postgresql_are_serialised(db: Engine) -> None:
    a1, a2 = _ids(db, "https://kjj.qingsong.gov.cn/tzgg/", "https://kjj.qingsong.gov.cn/xmsb/")
    second: list[bool] = []
    with Session(db) as first:
        assert claim_source(session=first, source_id=a1, worker="w1", now=NOW, lease=LEASE)

        def race() -> None:
            with Session(db) as other:
                second.append(claim_source(session=other, source_id=a2, worker="w2", now=NOW, lease=LEASE))
                other.commit()

        racer = threading.Thread(target=race)
        racer.start()
        racer.join(timeout=1.0)
        assert racer.is_alive(), "the second claim waits while the first is not committed"
        first.commit()
    racer.join(timeout=10)
    assert second == [False], "then it sees w1's claim: one worker per host"


@pytest.fixture(params=BACKENDS)
def bare_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'bare.db'}")
        yield engine
        engine.dispose()
        return
    with throwaway_database("hostmig") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_migration_0015_fills_the_host_of_stored_sources(bare_engine: Engine) -> None:
    upgrade(bare_engine, "0014")
    with bare_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sources (name, issuer, region, level, url, poll_interval_s, enabled, trust, hints,"
                " max_pages, lookback_days, state, consecutive_failures, created_at, updated_at) VALUES"
                " ('通知公告', '青松市科学技术局', '青松市', 'municipal', 'https://KJJ.Qingsong.gov.cn/tzgg/',"
                " 3600, true, 'review', '{}', 5, 90, '{}', 0, :t, :t)"
            ),
            {"t": NOW},
        )
    upgrade(bare_engine, "0015")
    with bare_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT host FROM sources")).scalar_one() == "kjj.qingsong.gov.cn"
    downgrade(bare_engine, "0014")
    assert "host" not in {c["name"] for c in sa.inspect(bare_engine).get_columns("sources")}
