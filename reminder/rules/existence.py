"""A company must exist on the day a notice is judged: one founded after the deadline cannot apply.

Every notice is judged with :data:`EXISTENCE` (``company_age_years >= 0`` on the judging day), so the
engine, the SQL prefilter and bulk matching agree on it; ``combine`` keeps its result only when it
fails (成立日期 晚于 申报截止日), so it never clutters an explanation or asks for a 成立日期.
"""

from __future__ import annotations

import datetime as dt

from reminder.model import Condition

__all__ = ["EXISTS_RULE", "EXISTENCE", "is_existence", "exists_on", "shown"]

#: ``Condition.rule`` of the existence condition
EXISTS_RULE = "exists"
EXISTENCE = Condition(
    "company_age_years", ">=", 0, "年", "申报截止时企业须已成立", hard=True, rule=EXISTS_RULE
)


def is_existence(condition: Condition) -> bool:
    """Whether a condition is the existence check (storage may drop ``rule``: its quote tells too)."""
    return condition.rule == EXISTS_RULE or (
        condition.field == EXISTENCE.field and condition.quote == EXISTENCE.quote
    )


def exists_on(founded_on: dt.date, on: dt.date) -> bool:
    """Whether a company founded on ``founded_on`` passes the existence check judged on ``on``."""
    return founded_on <= on


def shown(status: str, condition: Condition) -> bool:
    """Whether a result is kept in a verdict: the existence check only when it fails."""
    return status == "fail" or not is_existence(condition)
