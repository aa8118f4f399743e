"""Contacts, one case file per phenomenon (tests/extract/cases/contacts_*.yaml), and phone formats."""

from __future__ import annotations

from typing import Any

import pytest
from facts_cases import check, load_cases, run

from reminder.extract.contacts import find_contacts
from reminder.extract.contacts_phones import phones_in
from reminder.extract.normalize import clean, match_view
from reminder.model import Contact

POSITIVES, NEGATIVES = load_cases("contacts")


def _find(cleaned: str, view: str, options: dict[str, Any]) -> list[Contact]:
    return find_contacts(cleaned, view)


def _show(c: Contact) -> str:
    return f"{c.label()} [topic {c.topic} {c.rule}] {c.quote}"


@pytest.mark.parametrize(("text", "expect", "options"), POSITIVES)
def test_contacts_found(text: str, expect: list[dict[str, Any]], options: dict[str, Any]) -> None:
    cleaned, found = run(_find, text, options)
    check(found, expect, cleaned, _show)


@pytest.mark.parametrize(("text", "options"), NEGATIVES)
def test_not_contacts(text: str, options: dict[str, Any]) -> None:
    _, found = run(_find, text, options)
    assert found == [], "\n".join(_show(c) for c in found)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("0571-87654321", "0571-87654321"),
        ("(0571)8765 4321", "0571-87654321"),
        ("010－6278 1234", "010-62781234"),
        ("138 1234 5678", "13812345678"),
        ("0571-87654321转8001", "0571-87654321-8001"),
        ("+852 2345 6789", "+852 23456789"),
        ("(02)2345-6789", "02-23456789"),
        ("400-123-4567", "400-123-4567"),
    ],
)
def test_phone_formats(written: str, normalised: str) -> None:
    view = match_view(clean(written))
    assert [p.text for p in phones_in(view, 0, len(view))] == [normalised]


def test_label_shows_office_name_phone_email() -> None:
    cleaned = clean("联系方式：\n高新处 韩小雪 0573-82015566，邮箱：hxx@example.gov.cn")
    (c,) = find_contacts(cleaned, match_view(cleaned))
    assert c.label() == "高新处 韩小雪 0573-82015566 hxx@example.gov.cn"
