"""Dates next to list items: 2025-03-01, 2025/3/1, 2025.03.01, 2025年3月1日, and [03-01] whose year
comes from context (the item's URL, the page's other dates, else the day of the poll).

    >>> item_date("[03-01]", "https://x.gov.cn/art/2024/3/1/art_1_2.html", None, None)
    datetime.date(2024, 3, 1)
    >>> item_date("2025年3月1日", "https://x.gov.cn/a.html", None, None)
    datetime.date(2025, 3, 1)
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

__all__ = ["full_date", "item_date", "url_date", "page_year"]

_FULL = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_SHORT = re.compile(r"(?<![\d./-])(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?![\d./-])")
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # art/2025/3/1/art_…
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # TRS t20250301_123.html
    re.compile(r"/((?:19|20)\d{2})-?(\d{2})-?(\d{2})/"),  # /2025-03-01/ or /20250301/
)
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})(?:\d{2})?/")


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def full_date(text: str) -> dt.date | None:
    """The first date with a year in ``text``."""
    for m in _FULL.finditer(text):
        found = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found is not None:
            return found
    return None


def url_date(url: str) -> dt.date | None:
    """The date a CMS put in the item's path, if any."""
    for pattern in _URL_DATES:
        m = pattern.search(url)
        if m and (found := _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))) is not None:
            return found
    return None


def page_year(text: str) -> int | None:
    """The most common year among the full dates of a page's text (context for [03-01]).

    >>> page_year("2024-12-30 2025-01-02 2025-01-05")
    2025
    """
    years = Counter(
        d.year
        for m in _FULL.finditer(text)
        if (d := _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))) is not None
    )
    return years.most_common(1)[0][0] if years else None


def item_date(text: str, url: str, year: int | None, today: dt.date | None) -> dt.date | None:
    """The date in ``text`` (the item's own words, title left out), completed from context.

    Args:
        text: the text near the link (same block), without the title.
        url: the item's URL (its path may carry the year or the whole date).
        year: the page's usual year, if known.
        today: the poll's day: a bare month-day after it belongs to the year before.
    """
    found = full_date(text)
    if found is not None:
        return found
    m = _SHORT.search(text)
    if m is None:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    from_url = url_date(url)
    if from_url is not None:
        return _safe(from_url.year, month, day)
    url_year = _URL_YEAR.search(url)
    if url_year is not None:
        return _safe(int(url_year.group(1)), month, day)
    if year is not None:
        return _safe(year, month, day)
    if today is None:
        return None
    guess = _safe(today.year, month, day)
    if guess is not None and guess > today:
        return _safe(today.year - 1, month, day)
    return guess
