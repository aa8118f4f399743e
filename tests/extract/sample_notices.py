"""The bundled sample notices (reminder/samples/notices), as the fast-path tests compare on them."""

from __future__ import annotations

import json
from pathlib import Path

from reminder.extract.normalize import clean, match_view

#: the sample notices' folder (bundled with the package, so always present)
SAMPLES = Path(__file__).parents[2] / "reminder" / "samples" / "notices"


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*.txt"))


def sample_views() -> list[str]:
    """Each sample cleaned and in its matching view (simplified, half-width), as the finders read it."""
    return [match_view(clean(p.read_text(encoding="utf-8"))) for p in sample_paths()]


#: the shared gold set beside the project (read at run time, never copied here)
DEV_GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold" / "dev.json"


def sample_and_dev_views() -> list[str]:
    """The samples' views, and those of the real notices of the shared dev set when it is present
    (more layouts)."""
    views = sample_views()
    if DEV_GOLD.exists():
        docs = json.loads(DEV_GOLD.read_text(encoding="utf-8"))["documents"]
        views += [match_view(clean(d["text"])) for d in docs if "text" in d]
    return views
