"""A notice's scope (reminder.extract.scope) over the case files tests/extract/cases/scope_*.yaml, and
the dev set's notices when ../shared is present."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder.extract.pipeline import extract_text
from reminder.extract.scope import find_scope

CASES = Path(__file__).parent / "cases"
SHARED = Path(__file__).resolve().parents[3] / "shared"


def _cases() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("scope_*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            out.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return out


@pytest.mark.parametrize("case", _cases())
def test_scope_cases(case: dict[str, Any]) -> None:
    doc = extract_text(case["text"])
    assert len(doc.notices) == 1, [n.title for n in doc.notices]
    notice = doc.notices[0]
    if case["scope"] is None:  # a notice whose place cannot be told
        assert notice.scope is None, notice.scope
        return
    assert notice.scope is not None, "no scope"
    assert notice.scope.path == case["scope"], notice.scope
    if "source" in case:
        assert notice.scope.source == case["source"], notice.scope
    assert notice.to_json()["scope"]["path"] == case["scope"]
    if "region_values" in case:
        values = [c.value for c in notice.conditions if c.field == "registered_region"]
        assert values == case["region_values"]


def test_no_place_no_scope() -> None:
    assert find_scope("各有关单位:请于3月1日前报送材料。联系电话:12345678") is None


def test_pinyin_glosses_are_ignored() -> None:
    scope = find_scope("各轄市(區(qū))科技局:\n請於5月1日前報送。\n常州市科學(xué)技術(shù)局 2026年4月1日")
    assert scope is not None and scope.path == "江苏省常州市"


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location(
        "score_extraction", SHARED / "tools" / "score_extraction.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_set_scope_at_least_90_percent() -> None:
    gold_path = SHARED / "gold" / "dev.json"
    if not gold_path.is_file():
        pytest.skip("../shared/gold/dev.json is absent: the dev set is read at test time only")
    scorer = _scorer()
    ok = total = 0
    missed = []
    for doc in json.loads(gold_path.read_text(encoding="utf-8"))["documents"]:
        gold = [n for n in doc.get("notices") or [] if n.get("scope")]
        if not gold:
            continue
        published = dt.date.fromisoformat(doc["published"]) if doc.get("published") else None
        notices = [n.to_json() for n in extract_text(doc["text"], published=published).notices]
        for g in gold:
            total += 1
            if any(scorer.scope_match(g["scope"], n.get("scope")) for n in notices):
                ok += 1
            else:
                missed.append(doc["id"])
    assert ok >= 0.9 * total, f"scope {ok}/{total}, missed {missed}"
