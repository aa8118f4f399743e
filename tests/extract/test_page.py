"""Page metadata and its vocabulary (reminder/extract/meta.py, page_data.py, years.py).

The phenomena themselves are case files read through the pipeline (cases/years_*.yaml, webpage_*.yaml,
metadata.yaml, undated_notices.yaml, in test_segment.py); this module checks the vocabulary file and
the readers' edge cases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from reminder.errors import DataFileError
from reminder.extract import page_data
from reminder.extract._data import load_table
from reminder.extract.meta import read_page
from reminder.extract.normalize import clean, match_view
from reminder.extract.years import reference


def _table_with(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    real = load_table("page", page_data._KEYS)
    monkeypatch.setattr(page_data, "load_table", lambda name, allowed: {**real, **changes})


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"chrome": [{"name": "x"}]}, "chrome"),
        ({"chrome": [{"name": "x", "pattern": "("}]}, "chrome"),
        ({"labels": {"author": ["作者"]}}, "labels.author"),
        ({"level_words": {"市级": "city"}}, "level_words"),
        ({"footer": "("}, "footer"),
    ],
)
def test_malformed_vocabulary_names_the_key(
    monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any], key: str
) -> None:
    _table_with(monkeypatch, **changes)
    with pytest.raises(DataFileError, match=f"page.yaml.*{key}"):
        page_data.page_vocab.__wrapped__()


def _page(text: str) -> Any:
    cleaned = clean(text)
    return read_page(cleaned, match_view(cleaned))


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("关于申报的通知\n发布日期:2024年5月6日\n正文。", dt.date(2024, 5, 6)),
        ("關於申報的通知\n26/4/2024 17:06\n正文。", dt.date(2024, 4, 26)),
        ("關於申報的通知\n發文日期:中華民國113年3月1日\n正文。", dt.date(2024, 3, 1)),
        ("关于申报的通知\n请于2024年5月6日前提交申报材料。", None),  # a deadline, not a page date
    ],
)
def test_publication_date_forms(text: str, published: dt.date | None) -> None:
    assert _page(text).published == published


def test_metadata_dates_are_excluded_from_deadlines() -> None:
    meta = _page("索引号: | 123/2024-01 | 成文日期: | 2024-03-01 |\n关于申报的通知\n正文。")
    assert meta.spans and meta.spans[0][0] == 0


@pytest.mark.parametrize(
    ("title", "body", "published", "expect"),
    [
        ("关于组织申报2024年度项目的通知", "", None, (2024, None)),
        ("关于组织申报2024年度项目的通知", "", dt.date(2025, 2, 1), (None, dt.date(2025, 2, 1))),
        ("关于转发2019年项目申报通知的通知", "", dt.date(2020, 2, 1), (2019, None)),
        ("关于做好申报工作的通知", "现将《关于申报的通知》(某发〔2023〕5号)转发给你们", None, (2023, None)),
        ("关于做好申报工作的通知", "2021年度营业收入、2022年度研发投入,2022年底前", None, (2022, None)),
        ("关于做好申报工作的通知", "请于5月1日前申报", None, (None, None)),
    ],
)
def test_reference_year(title: str, body: str, published: dt.date | None, expect: tuple[Any, Any]) -> None:
    assert reference(title, body, published) == expect
