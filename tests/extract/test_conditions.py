"""Eligibility conditions, one case file per phenomenon (tests/extract/cases/conditions_*.yaml), plus the
seed documents' gold annotations, the data files and the speed the extractor needs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from seed_forms import guide_form

from reminder.errors import DataFileError
from reminder.extract import conditions_data
from reminder.extract._data import load_table
from reminder.extract.conditions import RULES, find_conditions
from reminder.extract.normalize import clean, match_view, to_simplified
from reminder.model import CONDITION_FIELDS, CONDITION_OPS, Condition

CASES = Path(__file__).parent / "cases"
SHARED = Path(__file__).resolve().parents[3] / "shared"
GOLD = SHARED / "gold" / "seeds.json"
SEEDS = SHARED / "seeds"


def _load() -> tuple[list[Any], list[Any]]:
    positives, negatives = [], []
    for path in sorted(CASES.glob("conditions_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, ex in enumerate(data.get("examples") or []):
            for j, text in enumerate(ex["texts"]):
                positives.append(pytest.param(text, ex["expect"], id=f"{path.stem}-{i}-{j}"))
        for k, text in enumerate(data.get("negative") or []):
            negatives.append(pytest.param(text, id=f"{path.stem}-neg-{k}"))
    return positives, negatives


POSITIVES, NEGATIVES = _load()


def conditions_of(text: str) -> tuple[str, list[Condition]]:
    cleaned = clean(text)
    return cleaned, find_conditions(cleaned, match_view(cleaned))


def _show(found: list[Condition]) -> str:
    lines = [
        f"{c.field} {c.op} {c.value!r} {c.unit} hard={c.hard} group={c.group} [{c.rule}] {c.quote}"
        for c in found
    ]
    return "\n".join(lines) or "(none)"


def _plain(c: Condition) -> dict[str, Any]:
    return {"field": c.field, "op": c.op, "value": c.value, "unit": c.unit, "hard": c.hard}


@pytest.mark.parametrize(("text", "expect"), POSITIVES)
def test_conditions_found(text: str, expect: list[dict[str, Any]]) -> None:
    _, found = conditions_of(text)
    want = [{"unit": None, "hard": True, **{k: v for k, v in w.items() if k != "group"}} for w in expect]
    assert [_plain(c) for c in found] == want, _show(found)
    labels: dict[str, str] = {}
    for c, w in zip(found, expect, strict=True):
        if "group" not in w:
            assert c.group is None, _show(found)
        else:
            assert c.group is not None and labels.setdefault(w["group"], c.group) == c.group, _show(found)
    assert len(set(labels.values())) == len(labels), _show(found)


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_conditions(text: str) -> None:
    _, found = conditions_of(text)
    assert found == [], _show(found)


@pytest.mark.parametrize(("text", "expect"), POSITIVES[::7])
def test_quotes_are_cut_from_the_cleaned_text(text: str, expect: list[dict[str, Any]]) -> None:
    cleaned, found = conditions_of(text)
    names = {r.name for r in RULES}
    for c in found:
        assert c.quote == cleaned[c.span[0] : c.span[1]] and c.quote
        assert c.field in CONDITION_FIELDS and c.op in CONDITION_OPS and c.rule in names


def test_span_limits_the_notice() -> None:
    text = clean("申报条件:职工总数不超过500人。\n申报条件:注册资本不低于100万元。\n")
    second = text.index("申报条件:注册")
    found = find_conditions(text, match_view(text), second, len(text))
    assert [(c.field, c.span[0] >= second) for c in found] == [("registered_capital", True)]


# ---------------------------------------------------------------- the seed documents' gold


def _squash(value: Any) -> Any:
    if isinstance(value, list):
        return frozenset(_squash(x) for x in value)
    if isinstance(value, str):
        return re.sub(r"\s+", "", to_simplified(value)).rstrip("省市区县")
    return value


def _same_value(gold: Any, got: Any) -> bool:
    """The scorer's loose comparison: numbers equal, strings one inside the other, lists half shared."""
    g, p = _squash(gold), _squash(got)
    if isinstance(g, bool) or isinstance(p, bool):
        return g is p
    if isinstance(g, int | float) and isinstance(p, int | float):
        return abs(g - p) <= 1e-6 * max(1.0, abs(g))
    if isinstance(g, frozenset) and isinstance(p, frozenset):
        return sum(any(a in b or b in a for b in p) for a in g) / len(g) >= 0.5
    return isinstance(g, str) and isinstance(p, str) and bool(g and p) and (g in p or p in g)


def _matches(gold: dict[str, Any], c: Condition) -> bool:
    if gold["field"] == "credit" and gold["op"] == "==":
        # the seeds' old credit flag (see seed_forms): any credit exclusion the notice states
        return c.field == "credit" and c.op == "not_has"
    gold = guide_form(gold)
    op, value = gold["op"], gold["value"]
    return op == c.op and gold["field"] in ("other", c.field) and _same_value(value, c.value)


def _gold_documents() -> list[Any]:
    if not GOLD.exists():
        return [
            pytest.param(
                None, id="no-gold", marks=pytest.mark.skip(reason=f"{GOLD} is not beside the project")
            )
        ]
    docs = json.loads(GOLD.read_text(encoding="utf-8"))["documents"]
    return [pytest.param(d, id=d["file"]) for d in docs]


@pytest.mark.parametrize("doc", _gold_documents())
def test_seed_gold(doc: dict[str, Any]) -> None:
    """Every gold condition of a seed is found, and nothing is found that is neither gold nor optional."""
    _, found = conditions_of((SEEDS / doc["file"]).read_text(encoding="utf-8"))
    notices = doc.get("notices") or []
    gold = [g for n in notices for g in n.get("conditions", [])]
    allowed = gold + [g for n in notices for g in n.get("optional_conditions", [])]
    missed = [g["quote"] for g in gold if not any(_matches(g, c) for c in found)]
    extra = [c for c in found if not any(_matches(g, c) for g in allowed)]
    assert not missed and not extra, f"missed: {missed}\nextra:\n{_show(extra)}"


# ---------------------------------------------------------------- data files


@pytest.fixture
def patched_table(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Loads the vocabulary with one table changed, then restores the real one."""

    def load(name: str, change: dict[str, Any]) -> None:
        def fake(table: str, allowed: dict[str, type]) -> dict[str, Any]:
            data = load_table(table, allowed)
            return {**data, **change} if table == name else data

        monkeypatch.setattr(conditions_data, "load_table", fake)
        conditions_data.vocab.cache_clear()
        conditions_data.vocab()

    yield load
    conditions_data.vocab.cache_clear()


@pytest.mark.parametrize(
    ("table", "change", "names"),
    [
        (
            "conditions",
            {"fields": [{"field": "headcount", "units": ["apples"], "context": "any", "words": ["人数"]}]},
            "fields[0]",
        ),
        ("conditions", {"comparators": {"prefix": {}}}, "comparators"),
        ("conditions", {"credit": ["未列入("]}, "credit"),
        ("regions", {"after_region": "注册"}, "after_region"),
    ],
)
def test_malformed_data_names_file_and_key(
    patched_table: Any, table: str, change: dict[str, Any], names: str
) -> None:
    with pytest.raises(DataFileError, match=rf"{table}\.yaml.*{re.escape(names)}"):
        patched_table(table, change)
