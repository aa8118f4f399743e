"""The case-file harness of issue 13's fact finders (benefits, how to apply, contacts, attachments).

A case file ``tests/extract/cases/<prefix>_*.yaml`` holds ``examples`` (``expect``: the facts, in order,
each a mapping of the fields to check; ``texts``: surface forms, simplified and traditional, that must
all give exactly those facts) and ``negative`` (texts that must give none). Every fact found must
quote a verbatim substring of the cleaned text that contains its span.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder.extract.normalize import clean, match_view, to_simplified

CASES = Path(__file__).parent / "cases"

Finder = Callable[[str, str, dict[str, Any]], Sequence[Any]]


def load_cases(prefix: str) -> tuple[list[Any], list[Any]]:
    """(positives, negatives) as pytest params: (text, expect, options) and (text, options)."""
    positives, negatives = [], []
    for path in sorted(CASES.glob(f"{prefix}_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        options = {k: v for k, v in data.items() if k not in ("examples", "negative")}
        for i, ex in enumerate(data.get("examples") or []):
            for j, text in enumerate(ex["texts"]):
                positives.append(pytest.param(text, ex["expect"], options, id=f"{path.stem}-{i}-{j}"))
        for k, text in enumerate(data.get("negative") or []):
            negatives.append(pytest.param(text, options, id=f"{path.stem}-neg-{k}"))
    return positives, negatives


def run(finder: Finder, text: str, options: dict[str, Any]) -> tuple[str, list[Any]]:
    """The cleaned text and the facts the finder gives on it."""
    cleaned = clean(text)
    return cleaned, list(finder(cleaned, match_view(cleaned), options))


def _value(fact: Any, key: str) -> Any:
    """A field as the case files write it: names and addresses are verbatim, compared in simplified form."""
    value = getattr(fact, key)
    if isinstance(value, tuple):
        return [to_simplified(v) if isinstance(v, str) else v for v in value]
    return to_simplified(value) if isinstance(value, str) else value


def check(
    found: Sequence[Any], expect: list[dict[str, Any]], cleaned: str, show: Callable[[Any], str]
) -> None:
    """Exactly ``expect``, in order (only the listed fields compared), each quote verbatim around its span."""
    listing = "\n".join(show(f) for f in found) or "(none)"
    assert len(found) == len(expect), f"expected {len(expect)} facts, got:\n{listing}"
    for fact, want in zip(found, expect, strict=True):
        got = {key: _value(fact, key) for key in want}
        assert got == want, f"want {want}, got {got}; all found:\n{listing}"
        check_quote(fact, cleaned)


def check_quote(fact: Any, cleaned: str) -> None:
    start, end = fact.span
    assert fact.quote and fact.quote in cleaned, f"quote is not verbatim: {fact.quote!r}"
    assert 0 <= start < end <= len(cleaned), f"bad span {fact.span}"
    assert cleaned[start:end].strip() in fact.quote, (
        f"span {cleaned[start:end]!r} outside its quote {fact.quote!r}"
    )
