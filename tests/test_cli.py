"""The command line as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reminder.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "reminder" / "samples" / "notices"
COMPILATION = SAMPLES / "003_ea2ee469bcb46e87.txt"
runner = CliRunner()


def test_extract_json_prints_one_object_per_file_with_the_path_as_given() -> None:
    result = runner.invoke(
        app, ["extract", "--json", str(COMPILATION), str(SAMPLES / "000_29efa1d661e0c9cf.txt")]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [o["file"] for o in lines] == [str(COMPILATION), str(SAMPLES / "000_29efa1d661e0c9cf.txt")]
    dates = {d["date"] for n in lines[0]["notices"] for d in n["deadlines"]}
    assert "2023-09-15" in dates
    assert all(not n["deadlines"] for n in lines[1]["notices"]), "a news bulletin has no deadlines"


def test_extract_table_is_readable() -> None:
    result = runner.invoke(app, ["extract", str(COMPILATION)])
    assert result.exit_code == 0, result.output
    assert "科技型中小企业评价" in result.stdout
    assert "2023-09-15" in result.stdout


def test_unreadable_input_is_named_and_the_others_still_processed(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    missing = tmp_path / "missing.txt"
    result = runner.invoke(app, ["extract", "--json", str(bad), str(COMPILATION), str(missing)])
    assert result.exit_code == 1
    assert "broken.pdf" in result.stderr and "missing.txt" in result.stderr
    assert "Traceback" not in result.stderr
    good = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [o["file"] for o in good] == [str(COMPILATION)]


def test_bad_published_date_is_a_usage_error() -> None:
    result = runner.invoke(app, ["extract", "--published", "2025-13-40", str(COMPILATION)])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_help_imports_neither_the_database_nor_the_web_stack() -> None:
    code = textwrap.dedent(
        """
        import sys
        from typer.testing import CliRunner
        from reminder.cli import app
        result = CliRunner().invoke(app, ["--help"])
        assert result.exit_code == 0, result.output
        assert "ingest" in result.output and "serve" in result.output
        heavy = sorted(m for m in ("sqlalchemy", "sqlmodel", "fastapi", "uvicorn", "reminder.db", "reminder.web")
                       if m in sys.modules)
        print(",".join(heavy))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"reminder --help imported {done.stdout.strip()}"


def test_db_recount_rebuilds_the_match_counts_from_the_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    import sqlalchemy as sa
    from sqlmodel import Session, select

    from reminder.companies.profiles import register_company
    from reminder.db.engine import make_engine
    from reminder.db.migrate import upgrade
    from reminder.db.models import Match, MatchCount
    from reminder.ingest import ingest_paths
    from reminder.model import TZ
    from reminder.workflow import company_changed

    url = f"sqlite:///{tmp_path / 'recount.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    now = dt.datetime(2025, 3, 1, 9, tzinfo=TZ)
    engine = make_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            ingest_paths([SAMPLES], session=session, now=now)
            for name, region in (
                ("杭州甲科技有限公司", "浙江省杭州市西湖区"),
                ("宁波乙科技有限公司", "浙江省宁波市鄞州区"),
            ):
                data = {"name": name, "region": region, "headcount": 50, "annual_revenue": 3000}
                company = register_company(session=session, data=data, now=now)
                company_changed(session=session, company_id=company.id or 0, now=now)
            session.commit()
            kept = {c.company_id: (c.eligible, c.possible, c.total) for c in session.exec(select(MatchCount))}
            assert kept and any(total for _, _, total in kept.values())
            session.execute(
                sa.update(MatchCount).values(eligible=0, possible=0, total=0)
            )  # counts gone astray
            session.commit()

        result = runner.invoke(app, ["db", "recount"])
        assert result.exit_code == 0, result.output
        assert f"{len(kept)} companies" in result.stdout

        with Session(engine) as session:
            counted = {
                c.company_id: (c.eligible, c.possible, c.total) for c in session.exec(select(MatchCount))
            }
            statuses = [(m.company_id, m.status) for m in session.exec(select(Match))]
        assert counted == kept
        for company_id, (eligible, possible, total) in counted.items():
            mine = [s for c, s in statuses if c == company_id]
            assert eligible == mine.count("eligible") and total == eligible + possible
            assert possible == sum(1 for s in mine if s in ("possibly_eligible", "possible"))
    finally:
        engine.dispose()
