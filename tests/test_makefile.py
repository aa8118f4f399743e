"""The Makefile's choice of interpreter for the venv (`make -n`: printed, not run)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _venv_command(tmp_path: Path, *args: str) -> str:
    """The command `make` would run to create a venv in an empty directory."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "MAKEFLAGS")}
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), f"VENV={venv}", f"{venv}/bin/python", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return next(line for line in done.stdout.splitlines() if "-m venv" in line)


def _system_python_can_make_venvs() -> bool:
    probe = "import ensurepip, sys, venv; sys.exit(sys.version_info < (3, 11))"
    try:
        return subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True).returncode == 0
    except OSError:
        return False


def test_the_venv_is_made_from_the_distributions_python_when_it_can(tmp_path: Path) -> None:
    expected = "/usr/bin/python3" if _system_python_can_make_venvs() else "python3"
    assert _venv_command(tmp_path).split()[0] == expected


def test_an_interpreter_named_on_the_command_line_wins(tmp_path: Path) -> None:
    assert _venv_command(tmp_path, "PYTHON=/opt/other/python3.12").split()[0] == "/opt/other/python3.12"
