"""When a company is reminded: the offsets (days before each deadline) and the digest frequency.

Shared by the settings page and the API; saving re-plans the company's reminders.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlmodel import Session

from reminder.companies.records import update_company
from reminder.config import Settings
from reminder.db.models import DIGEST_CHOICES, Company, CompanyUpdate
from reminder.errors import ProfileError
from reminder.workflow import company_changed

__all__ = ["MAX_OFFSET", "MAX_OFFSETS", "DIGEST_LABELS", "parse_offsets", "check_offsets", "save_preferences"]

#: the furthest ahead a reminder may go, in days
MAX_OFFSET = 365
#: how many reminders per deadline at most
MAX_OFFSETS = 10
#: digest choice → Chinese
DIGEST_LABELS: dict[str, str] = {"weekly": "每周汇总", "daily": "每日汇总", "off": "不发送汇总"}

_SEP = re.compile(r"[\s,，、;；]+")


def check_offsets(values: Iterable[int]) -> list[int]:
    """The offsets without repeats, largest first.

    >>> check_offsets([1, 7, 7, 0])
    [7, 1, 0]

    Raises:
        ValueError: an offset outside 0–365, or more than ten of them (message in Chinese).
    """
    offsets = sorted(set(values), reverse=True)
    bad = [v for v in offsets if not 0 <= v <= MAX_OFFSET]
    if bad:
        raise ValueError(f"提前天数应在 0–{MAX_OFFSET} 之间（0 表示截止当天），而不是 {bad[0]}")
    if len(offsets) > MAX_OFFSETS:
        raise ValueError(f"最多设置 {MAX_OFFSETS} 个提醒时间")
    return offsets


def parse_offsets(text: str) -> list[int]:
    """``"14, 7，3、1 0"`` → ``[14, 7, 3, 1, 0]``; empty text means no reminders before deadlines.

    Raises:
        ValueError: a word that is not a whole number, or an offset out of range (Chinese).
    """
    words = [w for w in _SEP.split(text.strip()) if w]
    numbers: list[int] = []
    for word in words:
        if not re.fullmatch(r"-?\d+", word):
            raise ValueError(f"“{word}”不是整数天数（如 14, 7, 3, 1, 0）")
        numbers.append(int(word))
    return check_offsets(numbers)


def save_preferences(
    *,
    session: Session,
    company: Company,
    now: dt.datetime,
    settings: Settings,
    offsets: list[int] | None = None,
    digest: str | None = None,
) -> Company:
    """Change the reminder offsets and/or digest frequency, then re-plan the company's reminders.

    Raises:
        ProfileError: ``{"reminder_offsets" | "digest": Chinese message}``.
    """
    update = CompanyUpdate()
    if offsets is not None:
        try:
            update.reminder_offsets = check_offsets(offsets)
        except ValueError as exc:
            raise ProfileError({"reminder_offsets": f"提醒时间：{exc}"}) from None
    if digest is not None:
        if digest not in DIGEST_CHOICES:
            raise ProfileError(
                {"digest": f"汇总频率：应为 {'、'.join(DIGEST_CHOICES)} 之一，而不是“{digest}”"}
            )
        update.digest = digest
    update_company(session=session, company=company, company_in=update, now=now)
    company_changed(session=session, company_id=company.id or 0, now=now, settings=settings)
    return company
