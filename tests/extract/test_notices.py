"""Whole notices through the pipeline (tests/extract/cases/notices_*.yaml): deadlines with kind, time
and batch, metadata, and which condition fields come out — no more, no fewer."""

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
    for path in sorted(CASES.glob("notices_*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


def _deadline(d: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"date": d.date, "kind": d.kind}
    if d.time is not None:
        out["time"] = d.time.strftime("%H:%M")
    if d.batch:
        out["batch"] = d.batch
    if d.conditional:
        out["conditional"] = True
    return out


@pytest.mark.parametrize("case", _cases())
def test_notice(case: dict[str, Any]) -> None:
    published = case.get("published")
    doc = extract_text(case["text"], published=published)
    assert len(doc.notices) == 1, [n.title for n in doc.notices]
    notice = doc.notices[0]
    expect = case["expect"]
    assert [_deadline(d) for d in notice.deadlines] == [
        {**e, "date": e["date"] if isinstance(e["date"], dt.date) else dt.date.fromisoformat(e["date"])}
        for e in expect["deadlines"]
    ]
    for d in notice.deadlines:
        assert d.quote and d.quote in doc.text.replace("\n", "")
    if "condition_fields" in expect:
        assert [c.field for c in notice.conditions] == expect["condition_fields"]
    for key in ("level", "published", "rolling"):
        if key in expect:
            assert getattr(notice, key) == expect[key]
