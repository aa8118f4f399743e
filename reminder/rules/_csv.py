"""Importing company profiles from CSV (as exported by Excel or a registration system).

Headers may be English field names or Chinese (企业名称, 统一社会信用代码, 所在地区, 职工人数,
年销售收入…, see ``data/fields.yaml``); qualifications are written ``高新技术企业:2026-12-31;科技型中小企业``.
Good rows become profiles; every bad row is reported with its line number and all its problems, and
never stops the import.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator

from reminder.errors import ProfileError

from ._units import fold
from ._vocab import header_map, profile_label
from .profile import Profile, parse_profile

__all__ = ["parse_profiles_csv", "read_profiles_csv"]

log = logging.getLogger(__name__)

_REQUIRED = ("name", "region")


def _columns(header: list[str], line: int) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """Column index → field; unknown or repeated headers are reported and ignored."""
    known = header_map()
    columns: dict[int, str] = {}
    problems: list[tuple[int, str]] = []
    for index, title in enumerate(header):
        field = known.get(fold(title).lower())
        if not title.strip():
            continue
        if field is None:
            problems.append((line, f"未识别的列“{title}”，已忽略"))
        elif field in columns.values():
            problems.append((line, f"列“{title}”与前面的列重复（都表示{profile_label(field)}），已忽略"))
        else:
            columns[index] = field
    return columns, problems


def _missing_required(columns: dict[int, str]) -> list[str]:
    present = set(columns.values())
    if "region_code" in present:
        present.add("region")
    return [profile_label(f) for f in _REQUIRED if f not in present]


def _row(cells: list[str], columns: dict[int, str], width: int) -> dict[str, str]:
    extra = [c.strip() for c in cells[width:] if c.strip()]
    if extra:
        raise ValueError(f"多出 {len(extra)} 个未命名的单元格：{'、'.join(extra)}")
    return {field: cells[i].strip() for i, field in columns.items() if i < len(cells) and cells[i].strip()}


def _duplicate(profile: Profile, seen: dict[str, int]) -> str | None:
    """A reason when an earlier row has the same credit code or name, else None (and remember this row)."""
    keys = [("统一社会信用代码", profile.credit_code), ("企业名称", profile.name)]
    for label, value in keys:
        if value and f"{label}:{value}" in seen:
            return f"与第 {seen[f'{label}:{value}']} 行重复（{label}相同），已跳过"
    return None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if "\t" in first and "," not in first else ","


def read_profiles_csv(text: str) -> Iterator[tuple[int, Profile | str]]:
    """Read company profiles from CSV text one row at a time (a large import need not hold them all).

    Args:
        text: the whole file, header row first (a BOM is ignored; tab-separated works too).

    Yields:
        (line number, profile) for each good row and (line number, Chinese reason) for each bad row
        or bad header, in file order.
    """
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = next(reader, None)
    if header is None:
        yield 1, "文件为空"
        return
    columns, problems = _columns(header, reader.line_num)
    yield from problems
    missing = _missing_required(columns)
    if missing:
        yield reader.line_num, f"缺少必填列：{'、'.join(missing)}"
        return
    seen: dict[str, int] = {}
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        try:
            profile = parse_profile(_row(cells, columns, len(header)))
        except ProfileError as exc:
            yield line, "；".join(exc.errors.values())
            continue
        except ValueError as exc:
            yield line, str(exc)
            continue
        reason = _duplicate(profile, seen)
        if reason:
            yield line, reason
            continue
        seen.update({f"统一社会信用代码:{profile.credit_code}": line, f"企业名称:{profile.name}": line})
        yield line, profile


def parse_profiles_csv(text: str) -> tuple[list[Profile], list[tuple[int, str]]]:
    """Read company profiles from CSV text.

    Args:
        text: the whole file, header row first (a BOM is ignored; tab-separated works too).

    Returns:
        (profiles from the good rows, [(line number, Chinese reason)] for bad rows and bad headers).
    """
    profiles: list[Profile] = []
    problems: list[tuple[int, str]] = []
    for line, read in read_profiles_csv(text):
        if isinstance(read, str):
            problems.append((line, read))
        else:
            profiles.append(read)
    log.info("CSV import: %d profiles, %d problems", len(profiles), len(problems))
    return profiles, problems
