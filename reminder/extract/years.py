"""The year a notice's year-less dates (9月23日前) belong to, when the notice does not say it next to them.

The deadline stage resolves a date without a year from :class:`NoticeContext`: ``year`` when set,
else ``published`` (a month earlier than the publication month rolls to the next year), else today.
This module picks ``year`` so that today's year is never used when the document gives one:

    published known     ``year`` only for a repost: a title's ``2016年…`` older than the page date
                        (a 2023年度 title published in 2024 is about last year's figures: not used)
    no publication      the title's year (2023年度…), else the notice's own document number
    date                (东科函〔2017〕181号), else the year of the call it forwards (〔2022〕54号),
                        else the year the text names most often
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from reminder.extract.meta import doc_number_year

__all__ = ["title_year", "notice_year", "reference"]

_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*(年度?)")
# 民国 years in Taiwanese titles: 111年度 (only with 年度, so that 建党100年 stays a count).
_ROC_TITLE_YEAR = re.compile(r"(?<!\d)(1[0-4]\d)\s*年度")
_ROC_OFFSET = 1911
# (?<!\d\d\d) after 19 or 20: no digit before it, as (?<!\d) in front would say, but with the pattern
# opening with a literal the engine skips to its candidates instead of trying every position
_TEXT_YEAR = re.compile(r"((?:19|20)(?<!\d\d\d)\d{2})\s*年")
_FORWARDED_YEAR = re.compile(r"[〔\[]\s*((?:19|20)\d{2})")


def title_year(title: str) -> tuple[int, bool] | None:
    """The year a title names, and whether it is a 年度 (a period, often the past one).

    >>> title_year("关于组织申报 2025 年度项目的通知"), title_year("关于转发2016年国家技术创新示范企业通知的通知")
    ((2025, True), (2016, False))
    >>> title_year("嘉义县111年度地方型SBIR补助")
    (2022, True)
    """
    squashed = re.sub(r"(?<=\d)\s+(?=\d)", "", title)
    m = _TITLE_YEAR.search(squashed)
    if m:
        return int(m.group(1)), m.group(2) == "年度"
    roc = _ROC_TITLE_YEAR.search(squashed)
    return (int(roc.group(1)) + _ROC_OFFSET, True) if roc else None


def reference(
    title: str, body: str, published: dt.date | None, doc_year: int | None = None
) -> tuple[int | None, dt.date | None]:
    """The (year, publication date) the deadline stage should resolve year-less dates from.

    A page date later than the year its title names is a repost's date: the title's year counts and
    the page date is not passed on (a cutoff before it would otherwise look like a past period).

    >>> import datetime as dt
    >>> reference("关于转发2016年示范企业通知的通知", "", dt.date(2017, 3, 22))
    (2016, None)
    >>> reference("关于组织申报2023年度奖励的通知", "", dt.date(2024, 3, 1))
    (None, datetime.date(2024, 3, 1))
    """
    year = notice_year(title, body, published, doc_year)
    return (year, None) if year is not None and published is not None else (year, published)


def notice_year(title: str, body: str, published: dt.date | None, doc_year: int | None = None) -> int | None:
    """The year for the notice's year-less dates, or None to let the publication date decide.

    Args:
        title: the notice's title (match view).
        body: the notice's text (match view).
        published: its publication or signature date, when known.
        doc_year: the year of the page's own document number (文号 field), when known.

    >>> import datetime as dt
    >>> notice_year("关于转发2016年示范企业通知的通知", "", dt.date(2017, 3, 22))
    2016
    >>> notice_year("关于组织申报2023年度奖励的通知", "", dt.date(2024, 3, 1)) is None
    True
    >>> notice_year("关于做好申报工作的通知", "东科函〔2017〕181号\\n各有关单位:", None)
    2017
    """
    found = title_year(title)
    if published is not None:
        if found and not found[1] and found[0] < published.year:
            return found[0]
        return None
    if found:
        return found[0]
    head = body[: body.find("\n", 1)] if "\n" in body[1:] else body[:80]
    own = doc_year or doc_number_year(head[:40])
    if own:
        return own
    forwarded = [int(y) for y in _FORWARDED_YEAR.findall(body)]
    if forwarded:
        return max(forwarded)
    named = Counter(int(y) for y in _TEXT_YEAR.findall(body))
    return named.most_common(1)[0][0] if named else None
