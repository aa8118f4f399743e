"""Segmentation, one case file per phenomenon (tests/extract/cases/segment_*.yaml), through the whole pipeline.

Each case gives a document and what a reader sees in it: its kind, the notice titles in order, their
levels, publication dates and deadline dates. News and policy texts must yield no deadline at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder.extract import extract_text

CASES = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("segment_*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            params.append(pytest.param(case["text"], case["expect"], id=f"{path.stem}: {case['name']}"))
    return params


def _dates(values: list[Any]) -> list[dt.date]:
    return [v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in values]


@pytest.mark.parametrize(("text", "expect"), _cases())
def test_segmentation(text: str, expect: dict[str, Any]) -> None:
    doc = extract_text(text)
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
    if "deadlines_total" in expect:
        assert sum(len(n.deadlines) for n in doc.notices) == expect["deadlines_total"]
