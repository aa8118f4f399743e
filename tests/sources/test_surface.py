"""The package's public surface, its docstring examples, and the checks on what a source may be."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import reminder.sources
from reminder.config import get_settings
from reminder.errors import DataFileError
from reminder.sources import Hints, SourceError, SourceSpec
from reminder.sources.vocab import page_words
from reminder.tables import clear_caches

MODULES = [
    "reminder.sources.model",
    "reminder.sources.discover",
    "reminder.sources.fetch",
    "reminder.sources.html",
    "reminder.sources.itemdates",
    "reminder.sources.listpage",
    "reminder.sources.robots",
    "reminder.sources.poll",
]


def test_exported_members() -> None:
    assert sorted(reminder.sources.__all__) == [
        "AttachmentLink",
        "ColumnCandidate",
        "DetailPage",
        "FetchError",
        "FetchPolicy",
        "FetchResult",
        "FetchTooLarge",
        "Fetcher",
        "Hints",
        "ItemProblem",
        "KnownItem",
        "ListItem",
        "ListPage",
        "PageFetcher",
        "PollResult",
        "RetryLater",
        "RobotsDisallowed",
        "SourceError",
        "SourceSpec",
        "SourceState",
        "Validators",
        "content_hash",
        "discover",
        "next_poll_at",
        "poll_source",
        "preview",
        "read_detail",
        "read_list",
        "user_agent",
    ]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "ftp://kj.example.gov.cn/tzgg/"}, "http(s)"),
        ({"trust": "maybe"}, "auto 或 review"),
        ({"level": "village"}, "未知的层级"),
        ({"max_pages": 0}, "至少为 1"),
        ({"name": " "}, "名称不能为空"),
    ],
)
def test_an_invalid_source_is_refused_with_a_chinese_reason(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "name": "青松市科技局通知公告",
        "issuer": "青松市科学技术局",
        "region": "青松市",
        "level": "municipal",
        "url": "https://kj.example.gov.cn/tzgg/index.html",
        **changes,
    }
    with pytest.raises(SourceError) as caught:
        SourceSpec(**fields)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_a_source_waits_for_review_and_polls_every_six_hours_by_default() -> None:
    spec = SourceSpec(
        "青松市科技局通知公告", "青松市科学技术局", "青松市", "municipal", "https://kj.example.gov.cn/"
    )
    assert spec.trust == "review" and spec.enabled
    assert spec.poll_interval.total_seconds() == 6 * 3600
    assert spec.hints == Hints()


def test_an_operator_table_with_an_unknown_key_is_refused_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "pages.yaml").write_text("next_word: [下一页]\n", encoding="utf-8")
    monkeypatch.setenv("REMINDER_TABLES_DIR", str(tmp_path))
    get_settings.cache_clear()
    clear_caches()
    try:
        with pytest.raises(DataFileError) as caught:
            page_words()
        assert "pages.yaml" in str(caught.value) and "next_word" in str(caught.value)
    finally:
        monkeypatch.delenv("REMINDER_TABLES_DIR")
        get_settings.cache_clear()
        clear_caches()
