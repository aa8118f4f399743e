"""Source catalogues: ``config/sources/*.yaml`` read into SourceSpecs, every entry validated on load.

    defaults:                      # optional, applied to every entry
      trust: review
      poll_interval_hours: 6
    sources:
      - name: 科学技术部通知通告     # required: name, issuer, region, level, url
        issuer: 中华人民共和国科学技术部
        region: 全国
        level: national            # national | provincial | municipal | district
        url: https://www.most.gov.cn/tztg/
        verified: false            # informational: the address was not checked online
        # optional: trust, poll_interval_hours, enabled, max_pages, lookback_days, note,
        #           hints: {items, title, date, next_page, body, attachments}

An error names the file, the entry and the key; a catalogue with any bad entry loads nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reminder.errors import DataFileError
from reminder.sources import Hints, SourceSpec
from reminder.sources.errors import SourceError
from reminder.tables import parse_mapping

__all__ = ["CatalogueError", "CATALOGUE_DIR", "load_catalogue", "load_catalogues", "catalogue_files"]

#: where ``reminder sources import`` looks without arguments (relative to the working directory)
CATALOGUE_DIR = Path("config/sources")
_REQUIRED = ("name", "issuer", "region", "level", "url")
_OPTIONAL = (
    "trust",
    "poll_interval_hours",
    "enabled",
    "max_pages",
    "lookback_days",
    "hints",
    "verified",
    "note",
)
_HINTS = tuple(f.name for f in dataclasses.fields(Hints))


class CatalogueError(SourceError):
    """A catalogue file is unreadable or one of its entries is invalid."""


def _entry(raw: object, defaults: Mapping[str, Any], where: str) -> SourceSpec:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}：应为键值表 / an entry must be a mapping")
    data = {**defaults, **raw}
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CatalogueError(f"{where}：未知的键 {', '.join(unknown)} / unknown keys")
    missing = [k for k in _REQUIRED if not str(data.get(k) or "").strip()]
    if missing:
        raise CatalogueError(f"{where}：缺少 {', '.join(missing)} / missing keys")
    hints = data.get("hints") or {}
    if not isinstance(hints, Mapping) or set(hints) - set(_HINTS):
        raise CatalogueError(f"{where}：hints 只能包含 {', '.join(_HINTS)} / bad hints")
    try:
        hours = float(data.get("poll_interval_hours", 6))
        return SourceSpec(
            name=str(data["name"]).strip(),
            issuer=str(data["issuer"]).strip(),
            region=str(data["region"]).strip(),
            level=data["level"],
            url=str(data["url"]).strip(),
            poll_interval=dt.timedelta(hours=hours),
            enabled=bool(data.get("enabled", True)),
            trust=data.get("trust", "review"),
            hints=Hints(**{k: str(v) for k, v in hints.items()}),
            max_pages=int(data.get("max_pages", 5)),
            lookback_days=int(data.get("lookback_days", 90)),
        )
    except (SourceError, TypeError, ValueError) as exc:
        raise CatalogueError(f"{where}：{exc}") from None


def load_catalogue(path: Path) -> list[SourceSpec]:
    """The sources of one catalogue file.

    Raises:
        CatalogueError: unreadable YAML, a bad entry, or one list page named twice.
    """
    try:
        data = parse_mapping(path.read_text(encoding="utf-8"), str(path))
    except (OSError, DataFileError) as exc:
        raise CatalogueError(f"无法读取来源目录 {path}：{exc} / cannot read the catalogue") from None
    if not isinstance(data.get("sources"), list):
        raise CatalogueError(f"{path}：需要顶层键 sources（列表）/ a top-level 'sources' list is required")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise CatalogueError(f"{path}：defaults 应为键值表 / defaults must be a mapping")
    specs = [_entry(raw, defaults, f"{path} 第 {i} 项") for i, raw in enumerate(data["sources"], start=1)]
    seen: set[str] = set()
    for spec in specs:
        if spec.url in seen:
            raise CatalogueError(f"{path}：列表页重复 {spec.url} / a list page is named twice")
        seen.add(spec.url)
    return specs


def catalogue_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, directories replaced by their ``*.yaml`` files (sorted)."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


def load_catalogues(paths: Iterable[Path]) -> list[SourceSpec]:
    """Every source of the files (directories: their ``*.yaml``); all are validated before any is returned."""
    return [spec for path in catalogue_files(paths) for spec in load_catalogue(path)]
