"""Extraction: from raw 申报通知 documents to notices with deadlines and eligibility conditions."""

from typing import Any

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


def __getattr__(name: str) -> Any:
    # The pipeline pulls in every stage (OpenCC, pdfplumber…); import it only when used, so that
    # importing one stage (e.g. reminder.extract.dates) stays light.
    if name in ("extract", "extract_loaded", "extract_text"):
        from reminder.extract import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
