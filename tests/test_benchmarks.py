"""Every benchmark runs to its figures at a tiny size, on both databases where it takes ``--pg``.

Benchmarks are not timed here (their targets are read from their output by a person); this only keeps
them working: ``bench_web.py --pg`` once failed on a sequence the matches table no longer has, and
nothing noticed until it was run by hand.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pg_utils import PG_ADMIN_DB, PG_HOST, PG_PORT, PG_USER

ROOT = Path(__file__).resolve().parent.parent

#: (script, tiny-size arguments, a line the run must print)
RUNS = {
    "extract": (
        "bench_extract.py",
        ["--mb", "0.1"],
        r"documents: \d+ \([\d,]+ chars\) in .* chars per CPU second",
    ),
    "match": (
        "bench_match.py",
        ["--profiles", "200", "--notices", "5"],
        r"one changed profile against \d+ open notices: median",
    ),
    "import": ("bench_import.py", ["--companies", "200"], r"import of 200 companies: .* companies/s"),
    "web": (
        "bench_web.py",
        [
            "--client",
            "httpx",
            "--notices",
            "5",
            "--companies",
            "30",
            "--matches",
            "2",
            "--requests",
            "3",
            "--seconds",
            "2",
            "--spread",
            "5",
        ],
        r"admin dashboard +3 +0 ",
    ),  # fmt: skip
    "dispatch": ("bench_dispatch.py", ["--webhooks", "20", "--emails", "5"], r"email: +5 of 5 delivered"),
    "sources": (
        "bench_sources.py",
        ["--lists", "4", "--details", "10", "--hosts", "2"],
        r"max concurrent requests per host: 1",
    ),
}
PG_CAPABLE = ("match", "import", "web")


def _pg_reachable() -> str | None:
    try:
        psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_ADMIN_DB, connect_timeout=2
        ).close()
    except psycopg.OperationalError as exc:
        return f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT} as {PG_USER}/{PG_ADMIN_DB}: {exc}"
    return None


CASES = [pytest.param(name, False, id=name) for name in RUNS] + [
    pytest.param(name, True, id=f"{name}-pg", marks=pytest.mark.postgres) for name in PG_CAPABLE
]


@pytest.mark.parametrize(("name", "pg"), CASES)
def test_benchmark_prints_its_figures(name: str, pg: bool) -> None:
    if pg and (reason := _pg_reachable()):
        pytest.skip(reason)
    script, args, expected = RUNS[name]
    command = [sys.executable, str(ROOT / "benchmarks" / script), *args, *(["--pg"] if pg else [])]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{output[-3000:]}"
    assert re.search(expected, output), f"{script} did not print /{expected}/:\n{output[-3000:]}"
    # no endpoint of bench_web answered with an error
    for row in re.findall(r"^(.+?) +(\d+) +(\d+) +[\d.]+ +[\d.]+ ", done.stdout, re.M):
        assert row[2] == "0", f"{script}: {row[0].strip()} had {row[2]} failed requests:\n{output[-3000:]}"
