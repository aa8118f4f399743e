"""Segmentation, one case file per phenomenon (tests/extract/cases/segment_*.yaml), through the whole pipeline.

Each case gives a document (and optionally the publication date a caller passes) and what a reader
sees in it: its kind, the notice titles in order, their levels, issuers, publication dates, deadline
dates, flags (rolling, undated) and condition fields. News and policy texts must yield no deadline.
The same harness reads the web-page case files: years_*, webpage_*, metadata*, undated_*.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder.extract import extract_text

CASES = Path(__file__).parent / "cases"
# segmentation, and the web-page phenomena read the same way: years, chrome, metadata, undated calls
_PATTERNS = ("segment_*.yaml", "years_*.yaml", "webpage_*.yaml", "metadata*.yaml", "undated_*.yaml")


def _cases() -> list[Any]:
    params = []
    for pattern in _PATTERNS:
        for path in sorted(CASES.glob(pattern)):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
                params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


def _dates(values: list[Any]) -> list[dt.date]:
    return [v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in values]


@pytest.mark.parametrize("case", _cases())
def test_segmentation(case: dict[str, Any]) -> None:
    expect = case["expect"]
    doc = extract_text(case["text"], published=case.get("published"))
    if "kind" in expect:
        assert doc.kind == expect["kind"]
    if "titles" in expect:
        assert [n.title for n in doc.notices] == expect["titles"]
    if "levels" in expect:
        assert [n.level for n in doc.notices] == expect["levels"]
    if "policy_only" in expect:
        assert [n.policy_only for n in doc.notices] == expect["policy_only"]
    if "published" in expect:
        assert [n.published for n in doc.notices] == _dates(expect["published"])
    if "deadlines" in expect:
        got = [sorted({d.date for d in n.deadlines if d.date}) for n in doc.notices]
        assert got == [_dates(ds) for ds in expect["deadlines"]]
    for key in ("issuer", "rolling", "undated"):
        if key + "s" in expect:
            assert [getattr(n, key) for n in doc.notices] == expect[key + "s"]
    if "condition_fields" in expect:
        assert [sorted({c.field for c in n.conditions}) for n in doc.notices] == expect["condition_fields"]
    for bad in expect.get("not_in_titles", []):
        assert all(bad not in n.title for n in doc.notices), [n.title for n in doc.notices]
    if "deadlines_total" in expect:
        assert sum(len(n.deadlines) for n in doc.notices) == expect["deadlines_total"]
