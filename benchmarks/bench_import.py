"""Company import speed: ``reminder company import`` of a CSV of 100,000 companies, matching included.

Builds a fresh database (a temporary SQLite file, or with ``--pg`` a throwaway PostgreSQL database
created through the ``test`` database on 127.0.0.1:5432 and dropped afterwards), loads the sample
notices, writes a CSV of synthetic companies (Chinese headers as Excel exports them; regions from the
real division table, skewed to Zhejiang; about one field in eight empty; qualifications with expiry
dates; a contact email for some; one row in a hundred bad: an unknown region, a wrong check character or
a repeated name) and runs the command as a user would, in its own process. Prints companies per second,
total seconds (wall, and the command's CPU time: steadier on a shared machine), the command's peak
memory (max RSS), and what the database holds afterwards (companies, matches, problems reported).

Target (issue 15): 100,000 companies in under 60 s on SQLite. Figures are printed, not asserted.

    .venv/bin/python benchmarks/bench_import.py [--companies 100000] [--emails 0.1] [--pg]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from _bench_db import database
from sqlmodel import Session
from stdnum.cn import uscc

from reminder.db import make_engine, upgrade
from reminder.db.models import Company, Match
from reminder.ingest import ingest_paths
from reminder.model import TZ

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "reminder" / "samples" / "notices"
HEADER = [
    "企业名称", "统一社会信用代码", "所在地区", "所属行业", "成立日期", "职工人数", "年销售收入", "资产总额",
    "注册资本", "研发费用占比", "研发人员占比", "资质", "独立法人资格", "信用状况良好", "联系邮箱",
]  # fmt: skip
INDUSTRIES = ["汽车零部件", "生物医药", "通信设备制造", "软件和信息技术服务业", "新材料", "高端装备", "化工"]
QUALIFICATIONS = ["高新技术企业", "科技型中小企业", "专精特新中小企业", "规上企业"]


def _districts() -> list[tuple[str, str]]:
    """(full name, province code) of every county-level division, Zhejiang's ten times over."""
    text = (resources.files("reminder.rules") / "data" / "regions.csv").read_text(encoding="utf-8")
    rows = list(
        csv.DictReader(io.StringIO("".join(ln for ln in text.splitlines(True) if not ln.startswith("#"))))
    )
    by_code = {r["code"]: r for r in rows}
    chosen: list[tuple[str, str]] = []
    for row in rows:
        if row["level"] != "district":
            continue
        names, code = [], row["code"]
        while code in by_code and by_code[code]["level"] != "country":
            names.append(by_code[code]["name"])
            code = by_code[code]["parent"]
        chosen += [("".join(reversed(names)), row["code"])] * (10 if row["code"].startswith("33") else 1)
    return chosen


def _maybe(rng: random.Random, value: object) -> str:
    return "" if rng.random() < 0.125 else str(value)


def _money(amount: float) -> str:
    return f"{amount / 10000:.2f}亿元" if amount >= 10000 else f"{amount:.0f}万元"


def _credit_code(i: int, district: str) -> str:
    body = f"91{district}{i:09d}"
    return body + uscc.calc_check_digit(body)


def _row(i: int, rng: random.Random, districts: list[tuple[str, str]], emails: float) -> list[str]:
    region, code = rng.choice(districts)
    revenue = rng.lognormvariate(7.5, 1.6)  # 万元, median ≈ 1800
    held = rng.sample(QUALIFICATIONS, rng.choice([0, 0, 1, 1, 2]))
    qualifications = ";".join(f"{q}:{rng.randint(2024, 2028)}-12-31" for q in held) or "无"
    row = [
        f"合成企业{i:06d}有限公司",
        _credit_code(i, code),
        region,
        _maybe(rng, rng.choice(INDUSTRIES)),
        _maybe(rng, dt.date(1995, 1, 1) + dt.timedelta(days=rng.randint(0, 10500))),
        _maybe(rng, int(rng.lognormvariate(4.5, 1.2))),
        _maybe(rng, _money(revenue)),
        _maybe(rng, _money(revenue * rng.uniform(0.4, 2.5))),
        _maybe(rng, _money(rng.choice([50, 100, 200, 500, 1000, 3000, 5000]))),
        _maybe(rng, round(rng.uniform(0, 15), 1)),
        _maybe(rng, round(rng.uniform(0, 40), 1)),
        "" if rng.random() < 0.2 else qualifications,
        _maybe(rng, "是" if rng.random() < 0.97 else "否"),
        _maybe(rng, "是" if rng.random() < 0.98 else "否"),
        f"contact{i}@example.cn" if rng.random() < emails else "",
    ]
    spoil = rng.random()
    if spoil < 0.004:
        row[2] = "火星市"  # an unknown region
    elif spoil < 0.008:
        row[1] = row[1][:-1] + ("0" if row[1][-1] != "0" else "1")  # a wrong check character
    elif spoil < 0.01 and i > 0:
        row[0] = f"合成企业{i - 1:06d}有限公司"  # repeats the row above
    return row


def write_csv(path: Path, n: int, emails: float) -> None:
    rng = random.Random(20250301)
    districts = _districts()
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(n):
            writer.writerow(_row(i, rng, districts, emails))


def prepare(url: str) -> int:
    """The schema and the sample notices; returns how many notices are stored."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        ingest_paths([SAMPLES], session=session, now=NOW)
        session.commit()
        count = session.connection().execute(sa.text("SELECT count(*) FROM notices")).scalar_one()
    engine.dispose()
    return int(count)


def held(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        companies = conn.execute(sa.select(sa.func.count()).select_from(Company)).scalar_one()
        matches = conn.execute(sa.select(sa.func.count()).select_from(Match)).scalar_one()
    engine.dispose()
    return int(companies), int(matches)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--companies", type=int, default=100_000, help="rows in the CSV (default 100000)")
    ap.add_argument(
        "--emails", type=float, default=0.1, help="share of rows with a contact email (default 0.1)"
    )
    ap.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    args = ap.parse_args()
    out = sys.stdout.write
    with (
        tempfile.TemporaryDirectory(prefix="bench-import-") as name,
        database(args.pg, name, "bench_import") as url,
    ):
        tmp = Path(name)
        notices = prepare(url)
        path = tmp / "companies.csv"
        started = time.perf_counter()
        write_csv(path, args.companies, args.emails)
        out(
            f"{'PostgreSQL' if args.pg else 'SQLite'}: {notices} sample notices; wrote {args.companies:,} rows "
            f"({path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - started:.1f} s\n"
        )
        env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "160"}
        command = [
            str(Path(sys.executable).parent / "reminder"),
            "company",
            "import",
            str(path),
            "--now",
            NOW.isoformat(),
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        summary = next((ln for ln in done.stdout.splitlines() if "已导入" in ln), done.stdout[-500:])
        if done.returncode not in (0, 1):
            out(f"import failed (exit {done.returncode}):\n{done.stderr[-3000:]}\n")
            raise SystemExit(1)
        companies, matches = held(url)
        out(f"  {summary.strip()}\n")
        out(f"  database: {companies:,} companies, {matches:,} matches\n")
        out(
            f"import of {args.companies:,} companies: {wall:.1f} s wall ({companies / wall:,.0f} companies/s), "
            f"cpu {cpu:.1f} s ({cpu / max(companies, 1) * 1000:.2f} ms per company); peak memory "
            f"{after.ru_maxrss / 1024:.0f} MB max RSS; load average {os.getloadavg()[0]:.1f} — target < 60 s\n"
        )


if __name__ == "__main__":
    main()
