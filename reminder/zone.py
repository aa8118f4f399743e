"""The one time zone of this project (Asia/Shanghai), apart from the calendar so settings can read it.

:mod:`reminder.calendar` re-exports both names; import them from there.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

__all__ = ["TZ", "TZ_NAME"]

#: every time in this project is Asia/Shanghai; a date without a time means the end of that day
TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
