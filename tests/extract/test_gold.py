"""The extractor against the hand-annotated gold of the seed documents, through the shared scorer.

This is the figure the project tracks; the test fails when it drops below the acceptance targets.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT.parent / "shared" / "tools" / "score_extraction.py"


@pytest.mark.skipif(not SCORER.exists(), reason="../shared/tools/score_extraction.py is not beside the project")
def test_seed_gold_meets_targets() -> None:
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [sys.executable, str(SCORER), "--cmd", f"{bindir / 'reminder'} extract --json"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )
    last = run.stdout.strip().splitlines()[-1]
    figures = dict(re.findall(r"(deadlines|conditions) P=[\d.]+ R=[\d.]+ F1=([\d.]+)", last))
    titled = re.search(r"notices titled (\d+)/(\d+)", last)
    news = re.search(r"deadlines in no-notice docs (\d+)", last)
    assert figures and titled and news, run.stdout + run.stderr
    assert float(figures["deadlines"]) >= 0.95, last
    assert float(figures["conditions"]) >= 0.85, last
    assert int(titled.group(1)) >= 10, last
    assert int(news.group(1)) == 0, last
