"""Importing companies from CSV text: every good row registered, every bad row reported by line number.

The file is read a batch of rows at a time (100,000 rows never sit in memory as objects at once):

read_profiles_csv (reminder.rules) ──── bad rows: line + reasons (invalid values, repeats in the file)
registered_conflicts ───────────────── rows whose credit code or name is already registered: line +
                                       reason (a few set-based queries per batch)
insert_companies ───────────────────── the batch's good rows in core inserts

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
import sqlalchemy as sa
from sqlmodel import Session, col

from reminder.companies.profiles import company_fields_from_profile, insert_companies, registered_conflicts
from reminder.db.models import Company, CompanyCreate, utcnow
from reminder.rules import Profile, read_profiles_csv

__all__ = ["ImportReport", "ImportProgress", "import_profiles"]

#: told (stage, done, total) as the import goes: "导入" data rows read and stored, of all data rows
ImportProgress = Callable[[str, int, int], None]

log = logging.getLogger(__name__)

#: rows validated, checked and stored together: large enough for few statements, small enough to
#: keep memory flat (each row is a few kB as Python objects)
BATCH = 2000


@dataclass(frozen=True)
class ImportReport:
    """What a CSV import did."""

    #: ids of the companies registered, in file order
    company_ids: tuple[int, ...]
    #: (line number, Chinese reason) for every row not imported, and for unusable header columns
    problems: tuple[tuple[int, str], ...]
    #: ids of the companies registered with a contact email (an email channel: reminders to plan)
    with_email: tuple[int, ...] = ()


def _data_rows(text: str) -> int:
    """How many non-blank data rows ``read_profiles_csv`` will read (for the progress bar's total)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    return sum(1 for cells in reader if any(c.strip() for c in cells))


def _company(row: dict[str, Any]) -> CompanyCreate | str:
    """The row as the database model takes it, or why the model refuses it (a name too long…)."""
    try:
        return CompanyCreate(**row)
    except pydantic.ValidationError as exc:
        return "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors())


@dataclass
class _Batches:
    """The import so far: rows waiting to be stored, what was stored, every problem."""

    session: Session
    now: dt.datetime
    #: the highest company id before the import (its own rows never repeat a name: see read_profiles_csv)
    registered: int
    lines: list[int]
    profiles: list[Profile]
    problems: list[tuple[int, str]]
    ids: list[int]
    emails: list[int]

    def store(self) -> None:
        """Check the waiting rows against the database and store the good ones."""
        rows = [company_fields_from_profile(p) for p in self.profiles]
        good: list[CompanyCreate] = []
        taken_by = registered_conflicts(session=self.session, rows=rows, names_up_to=self.registered)
        for line, row, taken in zip(self.lines, rows, taken_by, strict=True):
            company = _company(row) if not taken else "；".join(taken.values())
            if isinstance(company, str):
                self.problems.append((line, company))
            else:
                good.append(company)
        new = insert_companies(session=self.session, rows=good, now=self.now)
        self.ids += new
        self.emails += [i for i, c in zip(new, good, strict=True) if c.contact_email]
        self.lines, self.profiles = [], []


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
    total = _data_rows(text)
    tell("导入", 0, total)
    registered = session.connection().execute(sa.select(sa.func.max(col(Company.id)))).scalar_one()
    state = _Batches(session, now or utcnow(), int(registered or 0), [], [], [], [], [])
    read = 0
    for line, found in read_profiles_csv(text):
        if isinstance(found, str):
            state.problems.append((line, found))
            read += line > 1  # header problems are not data rows
        else:
            state.lines.append(line)
            state.profiles.append(found)
            read += 1
        if len(state.profiles) >= BATCH:
            state.store()
            tell("导入", min(read, total), total)
    state.store()
    tell("导入", total, total)
    log.info("CSV import: %d companies registered, %d problems", len(state.ids), len(state.problems))
    problems = tuple(sorted(state.problems, key=lambda p: p[0]))
    return ImportReport(tuple(state.ids), problems, tuple(state.emails))
