"""Issue 13's facts of one notice, found over its span: benefits, how to apply, contacts, attachments.

    notice_facts(cleaned, view, span, policy_only) -> NoticeFacts   (keyword arguments for Notice)

Each fact carries a verbatim quote (its sentence or line in the cleaned text) and the span of its
core expression in ``Document.text``.
"""

from __future__ import annotations

from typing import TypedDict

from reminder.extract.attachments import find_attachments
from reminder.extract.benefits import find_benefits
from reminder.extract.contacts import find_contacts
from reminder.extract.how_to_apply import find_how_to_apply
from reminder.model import ApplyStep, Attachment, Benefit, Contact

__all__ = ["NoticeFacts", "notice_facts"]


class NoticeFacts(TypedDict):
    """The fields of :class:`~reminder.model.Notice` the facts fill."""

    benefits: tuple[Benefit, ...]
    how_to_apply: tuple[ApplyStep, ...]
    contacts: tuple[Contact, ...]
    attachments: tuple[Attachment, ...]


def notice_facts(cleaned: str, view: str, span: tuple[int, int], policy_only: bool = False) -> NoticeFacts:
    """The facts of the notice at ``span``; a policy text keeps only clearly stated ways to apply."""
    start, end = span
    return NoticeFacts(
        benefits=tuple(find_benefits(cleaned, view, start, end)),
        how_to_apply=tuple(find_how_to_apply(cleaned, view, start, end, policy_only=policy_only)),
        contacts=tuple(find_contacts(cleaned, view, start, end)),
        attachments=tuple(find_attachments(cleaned, view, start, end)),
    )
