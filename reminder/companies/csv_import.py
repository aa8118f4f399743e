"""Importing companies from CSV text: every good row registered, every bad row reported by line number.

parse_profiles_csv (reminder.rules) ── bad rows: line + reasons (invalid values, repeats in the file)
register_company per good row ──────── rows whose credit code or name is already registered:
                                       line + reason, the others still go in
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass

from sqlmodel import Session

from reminder.companies.profiles import register_company
from reminder.errors import ProfileError
from reminder.rules import parse_profiles_csv, profile_to_dict

__all__ = ["ImportReport", "import_profiles"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportReport:
    """What a CSV import did."""

    #: ids of the companies registered, in file order
    company_ids: tuple[int, ...]
    #: (line number, Chinese reason) for every row not imported, and for unusable header columns
    problems: tuple[tuple[int, str], ...]


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


def import_profiles(*, session: Session, text: str, now: dt.datetime | None = None) -> ImportReport:
    """Register the companies of a CSV file (flushed, not committed; nothing is matched here).

    Args:
        session: where to write.
        text: the whole file, header row first (English or Chinese headers, see ``parse_profiles_csv``).
        now: the registration instant.

    Returns:
        The ids registered and every problem with its line number, sorted by line.
    """
    profiles, problems = parse_profiles_csv(text)
    bad = {line for line, _ in problems}
    lines = [n for n in _data_lines(text) if n not in bad]
    if len(lines) != len(profiles):  # cannot happen while both read CSV alike; fall back to no line
        log.warning("CSV rows and profiles disagree (%d lines, %d profiles)", len(lines), len(profiles))
        lines = [0] * len(profiles)
    ids: list[int] = []
    found = list(problems)
    for line, profile in zip(lines, profiles, strict=True):
        try:
            company = register_company(session=session, data=profile_to_dict(profile), now=now)
        except ProfileError as exc:
            found.append((line, "；".join(exc.errors.values())))
            continue
        assert company.id is not None
        ids.append(company.id)
    log.info("CSV import: %d companies registered, %d problems", len(ids), len(found))
    return ImportReport(tuple(ids), tuple(sorted(found, key=lambda p: p[0])))
