"""Start-up cost of ``reminder extract`` (issue 15): extraction never loads the database stack, and the
slow optional libraries (cn2an for Chinese numerals, httpx for URLs) load only when a document needs
them. Each check runs in a fresh interpreter, so what an earlier test imported does not count."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SAMPLE = Path(__file__).parents[2] / "reminder" / "samples" / "notices" / "000_29efa1d661e0c9cf.txt"


def _loaded_after(code: str, watched: tuple[str, ...]) -> list[str]:
    """The modules of ``watched`` that ``code`` leaves in sys.modules, run in a fresh interpreter."""
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import sys
        print(",".join(m for m in {watched!r} if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return [m for m in done.stdout.strip().splitlines()[-1].split(",") if m] if done.stdout.strip() else []


def test_importing_extraction_loads_no_database_and_no_optional_library() -> None:
    loaded = _loaded_after(
        "import reminder.extract, reminder.cli.extract",
        ("sqlalchemy", "sqlmodel", "alembic", "reminder.db", "cn2an", "httpx"),
    )
    assert loaded == [], f"import reminder.extract loaded {loaded}"


def test_extracting_a_file_from_the_command_line_loads_no_database() -> None:
    loaded = _loaded_after(
        f"""
        from typer.testing import CliRunner
        from reminder.cli import app
        result = CliRunner().invoke(app, ["extract", "--json", {str(SAMPLE)!r}])
        assert result.exit_code == 0, result.output
        assert '"notices"' in result.output
        """,
        ("sqlalchemy", "sqlmodel", "alembic", "reminder.db", "httpx"),
    )
    assert loaded == [], f"reminder extract loaded {loaded}"
