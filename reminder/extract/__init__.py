"""Extraction: from raw 申报通知 documents to notices with deadlines and eligibility conditions."""

from reminder.extract.pipeline import extract, extract_loaded, extract_text
from reminder.model import Condition, Deadline, Document, Notice, ParseFailure

__all__ = [
    "Condition",
    "Deadline",
    "Document",
    "Notice",
    "ParseFailure",
    "extract",
    "extract_loaded",
    "extract_text",
]
