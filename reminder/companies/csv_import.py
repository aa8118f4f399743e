"""Importing companies from CSV text: every good row registered, every bad row reported by line number.

parse_profiles_csv (reminder.rules) ── bad rows: line + reasons (invalid values, repeats in the file)
registered_conflicts ───────────────── rows whose credit code or name is already registered: line +
                                       reason (a few set-based queries for the whole file)
insert_companies ───────────────────── the good rows in batched core inserts (100,000 rows in seconds)

Nothing is matched here: callers match the new companies in bulk (``matching.match_new_companies``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
from sqlmodel import Session

from reminder.companies.profiles import company_fields_from_profile, insert_companies, registered_conflicts
from reminder.db.models import CompanyCreate
from reminder.rules import parse_profiles_csv

__all__ = ["ImportReport", "ImportProgress", "import_profiles"]

#: told (stage, done, total) as the import goes: "校验" rows read, then "写入" rows stored
ImportProgress = Callable[[str, int, int], None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportReport:
    """What a CSV import did."""

    #: ids of the companies registered, in file order
    company_ids: tuple[int, ...]
    #: (line number, Chinese reason) for every row not imported, and for unusable header columns
    problems: tuple[tuple[int, str], ...]
    #: ids of the companies registered with a contact email (an email channel: reminders to plan)
    with_email: tuple[int, ...] = ()


def _data_lines(text: str) -> list[int]:
    """The line on which each non-blank data row starts, read as ``parse_profiles_csv`` reads them."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    if next(reader, None) is None:
        return []
    lines = []
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if any(c.strip() for c in cells):
            lines.append(line)
    return lines


def _company(row: dict[str, Any]) -> CompanyCreate | str:
    """The row as the database model takes it, or why the model refuses it (a name too long…)."""
    try:
        return CompanyCreate(**row)
    except pydantic.ValidationError as exc:
        return "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors())


def import_profiles(
    *,
    session: Session,
    text: str,
    now: dt.datetime | None = None,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Register the companies of a CSV file (flushed, not committed; nothing is matched here).

    Args:
        session: where to write.
        text: the whole file, header row first (English or Chinese headers, see ``parse_profiles_csv``).
        now: the registration instant.
        progress: told how far the import is (see ``ImportProgress``).

    Returns:
        The ids registered and every problem with its line number, sorted by line.
    """
    tell = progress or (lambda stage, done, total: None)
    profiles, problems = parse_profiles_csv(text)
    tell("校验", len(profiles), len(profiles))
    bad = {line for line, _ in problems}
    lines = [n for n in _data_lines(text) if n not in bad]
    if len(lines) != len(profiles):  # cannot happen while both read CSV alike; fall back to no line
        log.warning("CSV rows and profiles disagree (%d lines, %d profiles)", len(lines), len(profiles))
        lines = [0] * len(profiles)
    rows = [company_fields_from_profile(p) for p in profiles]
    del profiles  # 100,000 rows: keep one form of them at a time
    found = list(problems)
    good: list[CompanyCreate] = []
    for line, row, taken in zip(lines, rows, registered_conflicts(session=session, rows=rows), strict=True):
        company = _company(row) if not taken else "；".join(taken.values())
        if isinstance(company, str):
            found.append((line, company))
        else:
            good.append(company)
    del rows
    stored = 0

    def done(count: int) -> None:
        nonlocal stored
        stored += count
        tell("写入", stored, len(good))

    ids = insert_companies(session=session, rows=good, now=now, done=done)
    log.info("CSV import: %d companies registered, %d problems", len(ids), len(found))
    emails = tuple(i for i, c in zip(ids, good, strict=True) if c.contact_email)
    return ImportReport(tuple(ids), tuple(sorted(found, key=lambda p: p[0])), emails)
