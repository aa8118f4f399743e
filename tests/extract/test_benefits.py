"""Benefits, one case file per phenomenon (tests/extract/cases/benefits_*.yaml), and the data table."""

from __future__ import annotations

from typing import Any

import pytest
from facts_cases import check, load_cases, run

from reminder import tables
from reminder.errors import DataFileError
from reminder.extract.benefits import find_benefits
from reminder.extract.benefits_data import benefit_vocab
from reminder.extract.normalize import clean, match_view
from reminder.model import Benefit

POSITIVES, NEGATIVES = load_cases("benefits")


def _find(cleaned: str, view: str, options: dict[str, Any]) -> list[Benefit]:
    return find_benefits(cleaned, view)


def _show(b: Benefit) -> str:
    return f"{b.label()} [{b.kind} {b.rule}] {b.quote}"


@pytest.mark.parametrize(("text", "expect", "options"), POSITIVES)
def test_benefits_found(text: str, expect: list[dict[str, Any]], options: dict[str, Any]) -> None:
    cleaned, found = run(_find, text, options)
    check(found, expect, cleaned, _show)


@pytest.mark.parametrize(("text", "options"), NEGATIVES)
def test_not_benefits(text: str, options: dict[str, Any]) -> None:
    _, found = run(_find, text, options)
    assert found == [], "\n".join(_show(b) for b in found)


def test_label_reads_like_the_card() -> None:
    cleaned = clean("对认定的企业，按研发投入的10%给予补助，最高不超过200万元。")
    (b,) = find_benefits(cleaned, match_view(cleaned))
    assert b.label() == "补助 研发投入的 10%（最高 200 万元）"
    assert cleaned[b.span[0] : b.span[1]].startswith("10%")


def test_only_the_notice_span_is_read() -> None:
    text = "一、给予最高50万元补助。\n二、另一通知：给予最高80万元奖励。"
    cleaned = clean(text)
    cut = cleaned.index("二、")
    found = find_benefits(cleaned, match_view(cleaned), 0, cut)
    assert [b.amount for b in found] == [50]


def test_bad_table_names_file_and_key(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from reminder.config import get_settings

    target = tmp_path / "extract"
    target.mkdir()
    (target / "benefits.yaml").write_text("prefilter: [元]\n", encoding="utf-8")
    monkeypatch.setenv("REMINDER_TABLES_DIR", str(tmp_path))
    get_settings.cache_clear()
    tables.clear_caches()
    try:
        with pytest.raises(DataFileError, match="benefits.yaml"):
            benefit_vocab()
    finally:
        monkeypatch.delenv("REMINDER_TABLES_DIR")
        get_settings.cache_clear()
        tables.clear_caches()
