"""The bundled sample notices (reminder/samples/notices), as the fast-path tests compare on them."""

from __future__ import annotations

from pathlib import Path

from reminder.extract.normalize import clean, match_view

#: the sample notices' folder (bundled with the package, so always present)
SAMPLES = Path(__file__).parents[2] / "reminder" / "samples" / "notices"


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*.txt"))


def sample_views() -> list[str]:
    """Each sample cleaned and in its matching view (simplified, half-width), as the finders read it."""
    return [match_view(clean(p.read_text(encoding="utf-8"))) for p in sample_paths()]
