"""How to apply, one case file per phenomenon (tests/extract/cases/apply_*.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
from facts_cases import check, load_cases, run

from reminder.extract.how_to_apply import find_how_to_apply, normalise_url
from reminder.extract.normalize import clean, match_view
from reminder.model import ApplyStep

POSITIVES, NEGATIVES = load_cases("apply")


def _find(cleaned: str, view: str, options: dict[str, Any]) -> list[ApplyStep]:
    return find_how_to_apply(cleaned, view, policy_only=bool(options.get("policy_only")))


def _show(s: ApplyStep) -> str:
    return f"{s.label()} [{s.rule}] {s.quote}"


@pytest.mark.parametrize(("text", "expect", "options"), POSITIVES)
def test_steps_found(text: str, expect: list[dict[str, Any]], options: dict[str, Any]) -> None:
    cleaned, found = run(_find, text, options)
    check(found, expect, cleaned, _show)


@pytest.mark.parametrize(("text", "options"), NEGATIVES)
def test_not_steps(text: str, options: dict[str, Any]) -> None:
    _, found = run(_find, text, options)
    assert found == [], "\n".join(_show(s) for s in found)


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("http://www.example.gov.cn/apply/。", "http://www.example.gov.cn/apply/"),
        ("WWW.Example.gov.cn", "http://www.example.gov.cn"),
        ("https://zjtx.example.gov.cn/),", "https://zjtx.example.gov.cn/"),
    ],
)
def test_urls_normalised(raw: str, url: str) -> None:
    assert normalise_url(raw) == url


def test_label_of_online_step() -> None:
    cleaned = clean("企业登录“临江市科技项目管理系统”（http://kjxm.example.gov.cn）在线填报。")
    (s,) = find_how_to_apply(cleaned, match_view(cleaned))
    assert s.label() == "网上申报：临江市科技项目管理系统 http://kjxm.example.gov.cn"
