"""The command line as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

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
