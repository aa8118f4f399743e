"""Point the data-table loader at a temporary copy of the tables (``REMINDER_TABLES_DIR``).

    with tables_override(tmp_path, monkeypatch) as root:
        write_table(root, "fields.yaml", data)   # config/data/fields.yaml replaces the packaged one

Caches of every table and the settings are cleared on entry and on exit, so the next test reads the
packaged tables again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder import tables
from reminder.config import get_settings

__all__ = ["tables_override", "write_table", "packaged_table"]


def _reset() -> None:
    get_settings.cache_clear()
    tables.clear_caches()


@contextmanager
def tables_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh ``REMINDER_TABLES_DIR`` for the block; every table cache is reset around it."""
    root = tmp_path / "operator-tables"
    root.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("REMINDER_TABLES_DIR", str(root))
    _reset()
    try:
        yield root
    finally:
        monkeypatch.delenv("REMINDER_TABLES_DIR")
        _reset()


def packaged_table(package: str, name: str) -> dict[str, Any]:
    """A packaged table as data, to copy and change."""
    text = resources.files(package).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def write_table(root: Path, relative: str, data: Any) -> Path:
    """Write an override table (``fields.yaml``, ``extract/dates.yaml``…) and forget cached tables."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tables.clear_caches()
    return path
