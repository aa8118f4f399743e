"""What ``company_matches`` reads: the company's judge and the notices it is shown, in four queries.

    notices    one query: every open notice (with ``include_past`` every published call to apply,
               each flagged open or not at ``now``)
    deadlines  one query per 500 notices: their active deadlines, which also give each notice's
               judging day (its last dated deadline), so no query of its own is needed for that
    conditions one query per 500 notices (``judgings``)
    company    its row → its ProfileJudge (condition results shared across calls)

The notices' side (everything but the company) is the same for every company: with ``shared`` (the web
pages, the API and the iCal feed pass one, keyed by ``web/company/output_cache.data_version``) it is read
once per data version and kept in the app's ``SharedNotices`` for the next company: reading ~1,000 notices
with their deadlines and conditions cost ~100 ms of CPU a request, judging them for a company ~40 ms
(``company_verdicts`` makes that ~2 ms, keeping what it makes of the notices alone in ``Notices.memo``).

Why not the stored verdicts (table ``matches``): a stored row keeps the status, the missing labels, the
unmet reasons and the statuses of the shown results, but not the results themselves (each condition's
reason, the value used, the quote, what to fill in) that the company page, the API and the iCal feed
show; and bulk matching words a region's unmet reason at the notice's depth (杭州市, not 杭州市萧山区).
Judging again is the cheap part (repeated conditions' results are cached); reading the notices was not.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import sqlalchemy as sa
from sqlmodel import Session, col, select

from reminder.companies.profiles import profile_from_company
from reminder.db.models import Company, DeadlineRow, NoticeRow
from reminder.db.store import open_notice_filter
from reminder.errors import NotFoundError
from reminder.matching._match_notices import NoticeHead, judge_day, local_day
from reminder.matching._profile_judge import Judging, ProfileJudge, judgings

__all__ = ["CompanyView", "Notices", "Shared", "SharedNotices", "load_company_view"]

#: ids per IN (...) list
_CHUNK = 500


@dataclass(frozen=True)
class Notices:
    """The notices a company is shown and how each is judged: the same for every company.

    Kept across requests, so read-only: the rows are detached (no session loads, expires or flushes
    them) and the mappings are proxies; nothing changes a shown row (an edit is a new data version).
    """

    #: by id, in id order
    notices: Mapping[int, NoticeRow]
    #: the notices open at ``now``
    open_ids: frozenset[int]
    #: each notice's active deadlines, by id
    deadlines: Mapping[int, tuple[DeadlineRow, ...]]
    #: each notice's conditions and judging day, in id order
    judgings: tuple[Judging, ...]
    #: what callers make of these notices alone, kept with them (e.g. the web's per-notice order and
    #: next deadline: the key a ``Shared`` store holds them under fixes ``now``'s day and next deadline)
    memo: dict[Hashable, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class CompanyView:
    """A company's judge and the notices it is shown, in notice id order."""

    judge: ProfileJudge
    notices: Mapping[int, NoticeRow]
    #: the notices open at ``now``
    open_ids: frozenset[int]
    #: each notice's active deadlines, by id
    deadlines: Mapping[int, tuple[DeadlineRow, ...]]
    #: each notice's conditions and judging day
    judgings: tuple[Judging, ...]
    #: ``Notices.memo`` of the notices shown
    memo: dict[Hashable, object] = field(default_factory=dict, compare=False, repr=False)


class SharedNotices:
    """``Notices`` by key, the last ``keep`` kept (one app's; thread-safe: one request loads a key while
    the others wait for it, rather than all twenty loading the same notices at once)."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._entries: OrderedDict[Hashable, Notices] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0

    def get(self, key: Hashable, session: Session, now: dt.datetime, include_past: bool) -> Notices:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                found = self._entries[key] = _load(session, now, include_past)
                self.loads += 1
                while len(self._entries) > self.keep:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(key)
            return found


@dataclass(frozen=True)
class Shared:
    """Where the notices' side may be kept, and the key it holds under for every company: it must change
    whenever a notice, deadline or condition row changes, the local day changes or ``now`` passes an
    active deadline (which notices are open and their judging days depend on nothing else)."""

    store: SharedNotices
    version: Hashable


def _notices(session: Session, now: dt.datetime, include_past: bool) -> list[tuple[NoticeRow, bool]]:
    is_open = open_notice_filter(now=now)
    if not include_past:
        query = select(NoticeRow).where(is_open).order_by(col(NoticeRow.id))
        return [(n, True) for n in session.exec(query).all()]
    # the past list used to load every published notice a second time to subtract the open ones
    called = sa.and_(col(NoticeRow.status) == "published", sa.not_(col(NoticeRow.policy_only)))
    flag = sa.case((is_open, sa.true()), else_=sa.false())
    rows = session.exec(select(NoticeRow, flag).where(called).order_by(col(NoticeRow.id))).all()
    return [(n, bool(o)) for n, o in rows]


def _deadlines(session: Session, notice_ids: Sequence[int]) -> dict[int, tuple[DeadlineRow, ...]]:
    found: dict[int, list[DeadlineRow]] = {i: [] for i in notice_ids}
    for start in range(0, len(notice_ids), _CHUNK):
        chunk = notice_ids[start : start + _CHUNK]
        query = select(DeadlineRow).where(col(DeadlineRow.notice_id).in_(chunk), col(DeadlineRow.active))
        for row in session.exec(query.order_by(col(DeadlineRow.id))).all():
            found[row.notice_id].append(row)
    return {i: tuple(rows) for i, rows in found.items()}


def _read(session: Session, now: dt.datetime, include_past: bool) -> Notices:
    listed = _notices(session, now, include_past)
    notices = {n.id: n for n, _ in listed if n.id is not None}
    deadlines = _deadlines(session, list(notices))
    today = local_day(now)
    heads = []
    for i, n in notices.items():
        # the last active dated deadline, as ``_match_notices.judge_days`` finds it with a query
        last = max((d.date for d in deadlines[i] if d.date is not None), default=None)
        heads.append(NoticeHead(i, n.issuer, n.title, n.level, judge_day(last, n.rolling, today)))
    open_ids = frozenset(n.id for n, is_open in listed if is_open and n.id is not None)
    judged = tuple(judgings(session=session, heads=heads))
    return Notices(MappingProxyType(notices), open_ids, MappingProxyType(deadlines), judged)


def _load(session: Session, now: dt.datetime, include_past: bool) -> Notices:
    """What ``_read`` gives, read in a session of its own on the request's connection (its transaction):
    closing it detaches every row, so no session holds, expires or flushes the rows other requests read."""
    with Session(bind=session.connection()) as own:
        return _read(own, now, include_past)


def load_company_view(
    *, session: Session, company_id: int, now: dt.datetime, include_past: bool, shared: Shared | None = None
) -> CompanyView:
    """The company's judge and its open notices (and past ones with ``include_past``).

    Args:
        shared: where the notices' side is kept for other companies, and its key (else read afresh).

    Raises:
        NotFoundError: no company with this id.
        ProfileError: the stored profile is invalid.
    """
    company = session.get(Company, company_id)
    if company is None:
        raise NotFoundError(f"没有编号为 {company_id} 的企业 / no company with id {company_id}")
    judge = ProfileJudge(profile_from_company(company))
    if shared is None:
        seen = _read(session, now, include_past)
    else:
        seen = shared.store.get((shared.version, include_past), session, now, include_past)
    return CompanyView(judge, seen.notices, seen.open_ids, seen.deadlines, seen.judgings, seen.memo)
