"""Attachments, one case file per phenomenon (tests/extract/cases/attachments_*.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
from facts_cases import check, load_cases, run

from reminder.extract.attachments import find_attachments
from reminder.model import Attachment

POSITIVES, NEGATIVES = load_cases("attachments")


def _find(cleaned: str, view: str, options: dict[str, Any]) -> list[Attachment]:
    return find_attachments(cleaned, view)


def _show(a: Attachment) -> str:
    return f"{a.label} {a.name} | {a.quote}"


@pytest.mark.parametrize(("text", "expect", "options"), POSITIVES)
def test_attachments_found(text: str, expect: list[dict[str, Any]], options: dict[str, Any]) -> None:
    cleaned, found = run(_find, text, options)
    check(found, expect, cleaned, _show)


@pytest.mark.parametrize(("text", "options"), NEGATIVES)
def test_not_attachments(text: str, options: dict[str, Any]) -> None:
    _, found = run(_find, text, options)
    assert found == [], "\n".join(_show(a) for a in found)
