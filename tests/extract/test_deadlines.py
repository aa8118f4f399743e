"""Deadline rules, one case file per phenomenon (tests/extract/cases/deadlines_*.yaml)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder.extract.dates import find_dates
from reminder.extract.deadlines import NoticeContext, find_deadlines
from reminder.extract.normalize import clean, match_view
from reminder.model import Deadline

CASES = Path(__file__).parent / "cases"


def _load() -> tuple[list[Any], list[Any]]:
    positives, negatives = [], []
    for path in sorted(CASES.glob("deadlines_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        policy = bool(data.get("policy_only", False))
        for i, ex in enumerate(data.get("examples") or []):
            published = ex.get("published", data.get("published"))
            for j, text in enumerate(ex["texts"]):
                positives.append(
                    pytest.param(text, published, ex["expect"], policy, id=f"{path.stem}-{i}-{j}")
                )
        for k, text in enumerate(data.get("negative") or []):
            negatives.append(pytest.param(text, data.get("published"), policy, id=f"{path.stem}-neg-{k}"))
    return positives, negatives


POSITIVES, NEGATIVES = _load()


def deadlines_of(text: str, published: dt.date | None, policy_only: bool = False) -> list[Deadline]:
    cleaned = clean(text)
    view = match_view(cleaned)
    mentions, _ = find_dates(view)
    ctx = NoticeContext(0, len(view), published=published, policy_only=policy_only)
    return find_deadlines(cleaned, view, mentions, ctx)


def _matches(d: Deadline, want: dict[str, Any]) -> bool:
    for key, value in want.items():
        got = getattr(d, key)
        if key == "time":
            got = got.strftime("%H:%M") if got else None
        if got != value:
            return False
    return True


def _show(found: list[Deadline]) -> str:
    return "\n".join(f"{d.date} {d.time} {d.kind} {d.batch} [{d.rule}] {d.quote}" for d in found) or "(none)"


@pytest.mark.parametrize(("text", "published", "expect", "policy_only"), POSITIVES)
def test_deadlines_found(
    text: str, published: dt.date | None, expect: list[dict[str, Any]], policy_only: bool
) -> None:
    found = deadlines_of(text, published, policy_only)
    for want in expect:
        assert any(_matches(d, want) for d in found), f"missing {want} in:\n{_show(found)}"
    assert len(found) == len(expect), f"expected {len(expect)} deadlines, got:\n{_show(found)}"


@pytest.mark.parametrize(("text", "published", "policy_only"), NEGATIVES)
def test_not_deadlines(text: str, published: dt.date | None, policy_only: bool) -> None:
    found = deadlines_of(text, published, policy_only)
    assert found == [], f"no deadline expected in {text!r}, got:\n{_show(found)}"


def test_quote_is_verbatim_source_sentence() -> None:
    text = "一、申报条件\n請申報單位於3月10日16:00前通過系統提交申報材料。其他事項另見附件。"
    (d,) = deadlines_of(text, dt.date(2025, 2, 1))
    assert d.quote == "請申報單位於3月10日16:00前通過系統提交申報材料。"
    assert d.at() == dt.datetime(2025, 3, 10, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_day_without_time_ends_at_end_of_day() -> None:
    (d,) = deadlines_of("申报截止时间为2025年3月28日。", None)
    assert d.at() == dt.datetime(2025, 3, 28, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))


DEV_GOLD = Path(__file__).resolve().parents[2].parent / "shared" / "gold" / "dev.json"


def _same(gold: dict[str, Any], found: dict[str, Any]) -> bool:
    """The scorer's match: same date, and same time where the gold gives one."""
    return gold["date"] == found["date"] and (
        not gold.get("time") or (found["time"] or "")[:5] == gold["time"]
    )


@pytest.mark.skipif(not DEV_GOLD.exists(), reason="../shared/gold/dev.json is not beside the project")
def test_dev_gold_deadlines() -> None:
    """Deadlines on the 90 real notices of the development set (read at test time, never copied)."""
    from reminder.extract import extract_text

    documents = json.loads(DEV_GOLD.read_text(encoding="utf-8"))["documents"]
    hits = correct = gold_total = predicted = in_negatives = 0
    for doc in documents:
        published = dt.date.fromisoformat(doc["published"]) if doc.get("published") else None
        notices = extract_text(doc["text"], published=published).notices
        found = [d.to_json() for n in notices for d in n.deadlines if d.date]
        gold = [d for n in doc.get("notices") or [] for d in n.get("deadlines", [])]
        optional = [d for n in doc.get("notices") or [] for d in n.get("optional_deadlines", [])]
        left = list(found)
        for i, g in enumerate(gold + optional):
            match = next((f for f in left if _same(g, f)), None)
            if match is not None:
                left.remove(match)
                hits += i < len(gold)
                correct += 1
        gold_total += len(gold)
        predicted += len(found)
        in_negatives += 0 if doc.get("notices") else len(found)
    precision, recall = correct / predicted, hits / gold_total
    f1 = 2 * precision * recall / (precision + recall)
    assert in_negatives == 0
    assert f1 >= 0.92, f"deadlines P={precision:.3f} R={recall:.3f} F1={f1:.3f}"


def test_recurring_and_low_confidence_are_in_json() -> None:
    (compact,) = deadlines_of("申报截止时间2025311 17:00。", dt.date(2025, 2, 1))
    first, *_ = deadlines_of("本项目申报截止日期为每季度末月20日。", dt.date(2025, 2, 1))
    assert compact.to_json()["low_confidence"] is True and compact.to_json()["recurring"] is False
    assert first.to_json()["recurring"] is True and first.to_json()["low_confidence"] is False


def test_recurring_table_is_validated() -> None:
    from reminder.errors import DataFileError
    from reminder.extract.deadlines_recurring import _period

    with pytest.raises(DataFileError, match="months"):
        _period({"name": "bad", "pattern": "每月", "months": [13]})
    with pytest.raises(DataFileError, match="pattern"):
        _period({"name": "bad", "pattern": "季度末月", "months": [3]})
    with pytest.raises(DataFileError, match="periods"):
        _period({"name": "bad", "pattern": "每月"})
