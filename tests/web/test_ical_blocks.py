"""The iCal feed joins each notice's events from a template made for another company (``ical._Blocks``):
for any notices, verdicts and companies (links and UID tails of every length, texts with escapes, carets,
carriage returns, percent signs and characters of every width where lines fold), the feed must be byte
for byte the one written event by event; and its head the one icalendar writes."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminder.config import Settings
from reminder.db.models import Company, DeadlineRow, NoticeRow
from reminder.web.company import ical
from reminder.web.company.common import TZ

#: what moves a fold or is escaped: backslash, caret, separators, line breaks, %, wide characters
_TEXT = st.text(alphabet="a ;,\\^\r\n%()b中é😀0", max_size=90)
_STATUSES = st.sampled_from(["eligible", "possibly_eligible", "not_eligible"])


@st.composite
def _deadline(draw: st.DrawFn, number: int, notice_id: int) -> DeadlineRow:
    day = dt.date(2025, 3, 1) + dt.timedelta(days=draw(st.integers(0, 40)))
    time = draw(st.sampled_from([None, dt.time(9, 30), dt.time(17, 0)]))
    announced = draw(st.booleans()) and draw(st.booleans())
    at = dt.datetime.combine(day, time or dt.time(23, 59, 59), tzinfo=TZ)
    return DeadlineRow(
        id=number, notice_id=notice_id, date=None if announced else day, time=time,
        at=None if announced else at, kind=draw(st.sampled_from(["application", "window_open", "other"])),
        batch=draw(st.one_of(st.none(), _TEXT)), to_be_announced=announced, quote=draw(_TEXT),
    )  # fmt: skip


@st.composite
def _items(draw: st.DrawFn) -> list[Any]:
    items = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        notice = NoticeRow(
            id=number, document_id=1, key=str(number), title=draw(_TEXT), issuer=draw(st.one_of(st.none(), _TEXT)),
            updated_at=dt.datetime(2025, 2, 1, 8, tzinfo=dt.UTC),
        )  # fmt: skip
        deadlines = tuple(draw(_deadline(number * 10 + i, number)) for i in range(draw(st.integers(0, 3))))
        missing = tuple(draw(st.lists(_TEXT, max_size=2)))
        items.append(SimpleNamespace(
            notice=notice, deadlines=deadlines, status=draw(_STATUSES), verdict=object(), missing=missing,
            manual=(), results=(), unmet=(),
        ))  # fmt: skip
    return items


def _company(company_id: int, name: str, offsets: list[int], salt: str) -> Company:
    return Company(id=company_id, name=name, reminder_offsets=offsets, view_salt=salt)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=_items(),
    companies=st.lists(
        st.tuples(
            st.integers(1, 10**7), _TEXT.filter(lambda name: "\n" not in name),
            st.sampled_from([[], [3, 1], [7, 3, 1, 0]]), st.text(alphabet="ab", max_size=3),
        ),
        min_size=2, max_size=5,
    ),
    # UIDs longer and shorter than a line, links ending anywhere on one
    host=st.builds(lambda n, end: "h" * n + end, st.integers(1, 64), st.sampled_from(["", ".cn", "x.y"])),
    path=st.builds(lambda n, end: "p" * n + end, st.integers(0, 80), st.sampled_from(["", "/", "a%b"])),
)  # fmt: skip
def test_feeds_joined_from_blocks_are_written_event_by_event(
    items: list[Any], companies: list[tuple[int, str, list[int], str]], host: str, path: str
) -> None:
    shared: dict[Any, Any] = {}  # blocks made for one company, used for the next
    for company_id, name, offsets, salt in companies:
        company = _company(company_id, name, offsets, salt)
        config = Settings(database_url="sqlite://", base_url=f"http://{host}/{path}")
        plain = ical.calendar_fields(company, [(vars(i), vars(i)) for i in items], config, {}, blocks=False)
        assert ical.calendar_text(company, items, config, shared) == plain
        assert ical.calendar_text(company, items, config, shared) == plain  # the blocks kept


def test_blocks_beyond_their_budget_are_written_event_by_event(monkeypatch: pytest.MonkeyPatch) -> None:
    item = SimpleNamespace(
        notice=NoticeRow(id=1, document_id=1, key="1", title="通知", updated_at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC)),
        deadlines=(DeadlineRow(id=1, notice_id=1, date=dt.date(2025, 3, 3), at=dt.datetime(2025, 3, 3, tzinfo=TZ), kind="other"),),
        status="eligible", verdict=object(), missing=(), manual=(),
    )  # fmt: skip
    config = Settings(database_url="sqlite://", base_url="http://example.com")
    company = _company(5, "某公司", [3], "")
    plain = ical.calendar_fields(company, [(vars(item), vars(item))], config, {}, blocks=False)
    monkeypatch.setattr(ical, "_BLOCK_BYTES", 0)
    kept: dict[Any, Any] = {}
    assert ical.calendar_text(company, [item], config, kept) == plain
    assert ical.calendar_text(company, [item], config, kept) == plain
    assert [b.made for k, b in kept.items() if k[0] == "ical-blocks"] == [{}], "nothing kept"


@pytest.mark.parametrize("ending", ["\\", "^", "中", "a"])
def test_a_description_ending_in_an_escape_right_before_its_fold(ending: str) -> None:
    """The link's fold reads the end of the description before it when that ends at the line's last
    octet with a backslash or a caret: for every length of the issuer's line, so of the rest."""
    config = Settings(database_url="sqlite://", base_url="http://example.com")
    kept: dict[Any, Any] = {}
    for length in range(80):
        item = SimpleNamespace(
            notice=NoticeRow(
                id=length, document_id=1, key=str(length), title="通知", issuer="a" * length + ending,
                updated_at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
            ),
            deadlines=(DeadlineRow(id=length, notice_id=length, date=dt.date(2025, 3, 3), kind="other"),),
            status="eligible", verdict=object(), missing=(), manual=(),
        )  # fmt: skip
        for company_id in (7, 123456):  # the second reuses the first's block
            company = _company(company_id, "某公司", [], "")
            plain = ical.calendar_fields(company, [(vars(item), vars(item))], config, {}, blocks=False)
            assert ical.calendar_text(company, [item], config, kept) == plain, length


@settings(max_examples=300, deadline=None)
@given(name=st.text().filter(lambda name: "\n" not in name))
def test_the_head_is_the_one_icalendar_writes(name: str) -> None:
    company = Company(name=name)
    try:
        expected = ical._head(company).to_ical()
    except UnicodeEncodeError:  # lone surrogates: neither writes them
        with pytest.raises(UnicodeEncodeError):
            ical._head_text(company)
        return
    assert ical._head_text(company) + b"END:VCALENDAR\r\n" == expected
