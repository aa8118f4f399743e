"""Watching a source end to end (SQLite and PostgreSQL): a call on a loopback "government site" whose facts
are in its attachment is polled, stored with those facts, published and matched (trust auto) or held as a
draft (trust review); an unchanged site costs only 304s; an edited call moves its deadline through the
notice-change records; a failing list page is counted against the source's health."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
from fixture_templates import make_docx, make_pdf  # noqa: E402
from fixture_web import FixtureWeb, Site  # noqa: E402
from loopback import Loopback  # noqa: E402

from reminder.companies import create_company  # noqa: E402
from reminder.config import Settings  # noqa: E402
from reminder.db.models import Channel, CompanyCreate, DocumentRow, Match, NoticeRow, utcnow  # noqa: E402
from reminder.db.source_store import add_source, claim_source, get_source  # noqa: E402
from reminder.db.store import list_changes, list_conditions, list_deadlines  # noqa: E402
from reminder.notify.channels import new_webhook_secret  # noqa: E402
from reminder.notify.dispatcher import dispatch_due  # noqa: E402
from reminder.notify.ratelimit import default_limiter  # noqa: E402
from reminder.scheduler.source_jobs import poll_due_sources  # noqa: E402
from reminder.sources import Fetcher, FetchPolicy, FetchResult, SourceSpec, Validators  # noqa: E402
from reminder.watch import POLL_LEASE, poll_one  # noqa: E402
from reminder.zone import TZ  # noqa: E402

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
DAY = NOW.date()
TITLE = "关于组织申报2025年度杭州市企业研发中心的通知"
DETAIL = "/tzgg/202503/t20250301_7001.html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GUIDE = (
    "2025年度杭州市企业研发中心申报指南\n一、申报条件\n1.在本市注册成立一年以上的企业；\n"
    "2.职工总数不超过500人。\n二、申报时间\n申报截止时间为{deadline}17:00，逾期不予受理。"
)


@dataclass
class Recording:
    """The real fetcher, with each answer's status noted (what the site was asked and what it said)."""

    fetcher: Fetcher
    answers: list[tuple[str, int]] = field(default_factory=list)

    def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        result = self.fetcher.fetch(url, validators)
        self.answers.append((url, result.status))
        return result


def _list_html(*items: tuple[str, str, str]) -> bytes:
    rows = "".join(f'<li><a href="{href}">{title}</a><span>{day}</span></li>' for href, title, day in items)
    return f'<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul class="list">{rows}</ul></body></html>'.encode()


def _detail_html(body: str, attachment: tuple[str, str], day: dt.date = DAY) -> bytes:
    return (
        '<html><head><meta charset="utf-8">'
        f'<meta name="ArticleTitle" content="{TITLE}"><meta name="PubDate" content="{day} 09:30">'
        f'<meta name="ContentSource" content="杭州市科学技术局"><title>{TITLE}</title></head><body>'
        f'<div class="article"><h2>{TITLE}</h2><div class="TRS_Editor"><p>{body}</p></div>'
        f'<div class="fj"><a href="{attachment[0]}">{attachment[1]}</a></div></div></body></html>'
    ).encode()


BODY = "各有关单位：现将2025年度市级企业研发中心申报工作通知如下，申报条件和时间详见附件申报指南。"


def _publish_call(
    site: Site,
    *,
    attachment: str = "/tzgg/202503/P020250301_guide.docx",
    deadline: str = "2025年3月31日",
    day: dt.date = DAY,
) -> None:
    site.put("/tzgg/index.html", _list_html((DETAIL, TITLE, day.isoformat())))
    site.put(DETAIL, _detail_html(BODY, (attachment, "申报指南.docx"), day))
    site.put(attachment, make_docx(GUIDE.format(deadline=deadline)), DOCX)


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


@pytest.fixture
def site(web: FixtureWeb) -> Site:
    return web.site()


@pytest.fixture
def settings(web: FixtureWeb, site: Site) -> Settings:
    return Settings(_env_file=None, webhook_allow_hosts=web.allow_hosts())  # type: ignore[call-arg]


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Recording]:
    with Fetcher(settings, FetchPolicy(delay=0.005, timeout=2.0, backoff=0.05, retries=0)) as real:
        yield Recording(real)


def _source(db: Engine, site: Site, trust: str) -> int:
    spec = SourceSpec(
        "杭州市科技局通知公告", "杭州市科学技术局", "杭州市", "municipal", site.url("/tzgg/index.html"),
        trust=trust,  # type: ignore[arg-type]
    )  # fmt: skip
    with Session(db) as session:
        row = add_source(session=session, spec=spec, now=NOW)
        session.commit()
        assert row.id is not None
        return row.id


def _companies(db: Engine) -> tuple[int, int]:
    with Session(db) as session:
        fits = create_company(
            session=session,
            company_in=CompanyCreate(
                name="杭州青禾智能科技有限公司", region_name="浙江省杭州市西湖区", province_code="330000",
                city_code="330100", district_code="330106", headcount=120, founded_on=dt.date(2019, 5, 1),
            ),
        )  # fmt: skip
        too_big = create_company(
            session=session,
            company_in=CompanyCreate(
                name="杭州远山重工有限公司", region_name="浙江省杭州市西湖区", province_code="330000",
                city_code="330100", district_code="330106", headcount=2600, founded_on=dt.date(2001, 5, 1),
            ),
        )  # fmt: skip
        session.commit()
        assert fits.id is not None and too_big.id is not None
        return fits.id, too_big.id


def _notice(session: Session) -> NoticeRow:
    (row,) = session.exec(select(NoticeRow)).all()
    return row


def _documents(db: Engine) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(DocumentRow)).one()


def test_a_new_call_is_stored_with_its_attachments_facts_published_and_matched(
    db: Engine, site: Site, settings: Settings, fetcher: Recording
) -> None:
    _publish_call(site)
    fits, too_big = _companies(db)
    source_id = _source(db, site, "auto")

    report = poll_one(db, settings, source_id, NOW, fetcher=fetcher)

    assert report.ok and report.new_items == 1 and report.documents == 1 and report.notices == 1
    assert report.problems == ()
    with Session(db) as session:
        notice = _notice(session)
        assert notice.title == TITLE and notice.status == "published"
        assert notice.issuer == "杭州市科学技术局" and (notice.scope or {}).get("name") == "杭州市"
        document = session.get(DocumentRow, notice.document_id)
        assert document is not None and document.source == site.url(DETAIL), "the notice links to its page"
        (deadline,) = list_deadlines(session=session, notice_id=notice.id or 0)
        assert (deadline.date, deadline.time) == (dt.date(2025, 3, 31), dt.time(17, 0))
        assert "2025年3月31日17:00" in deadline.quote
        conditions = {
            (c.field, c.op, str(c.value)) for c in list_conditions(session=session, notice_id=notice.id or 0)
        }
        assert ("headcount", "<=", "500") in conditions
        assert ("registered_region", "==", "杭州市") in conditions
        verdicts = dict(session.exec(select(Match.company_id, Match.status)).all())
        assert (
            verdicts[fits] in ("eligible", "possibly_eligible")
            and verdicts.get(too_big, "not_eligible") == "not_eligible"
        )
        source = get_source(session=session, source_id=source_id)
        assert source is not None and source.last_new_item_at == NOW and source.last_items == 1
        assert source.consecutive_failures == 0 and source.flagged is None


def test_an_unchanged_site_costs_only_304s_and_creates_nothing(
    db: Engine, site: Site, settings: Settings, fetcher: Recording
) -> None:
    _publish_call(site)
    source_id = _source(db, site, "auto")
    poll_one(db, settings, source_id, NOW, fetcher=fetcher)
    fetcher.answers.clear()

    again = poll_one(db, settings, source_id, NOW + dt.timedelta(hours=6), fetcher=fetcher)

    assert again.ok and again.new_items == 0 and again.documents == 0 and again.notices == 0
    assert fetcher.answers == [(site.url("/tzgg/index.html"), 304), (site.url(DETAIL), 304)]
    assert _documents(db) == 1


def test_an_edited_call_with_a_new_deadline_is_a_new_version_with_the_change_recorded(
    db: Engine, site: Site, settings: Settings, fetcher: Recording
) -> None:
    _publish_call(site)
    source_id = _source(db, site, "auto")
    poll_one(db, settings, source_id, NOW, fetcher=fetcher)
    # the office replaces the guide: the deadline moves to 15 April
    _publish_call(site, attachment="/tzgg/202503/P020250305_guide.docx", deadline="2025年4月15日")

    later = poll_one(db, settings, source_id, NOW + dt.timedelta(days=4), fetcher=fetcher)

    assert later.ok and later.new_items == 0 and later.changed_pages == 1
    assert later.documents == 1 and later.notices == 1 and later.changes >= 1
    with Session(db) as session:
        notice = _notice(session)
        (deadline,) = list_deadlines(session=session, notice_id=notice.id or 0)
        assert deadline.date == dt.date(2025, 4, 15)
        moved = [c for c in list_changes(session=session, notice_id=notice.id) if c.new is not None]
        assert moved and moved[-1].new is not None and moved[-1].new["date"] == "2025-04-15"
        assert session.exec(select(func.count()).select_from(DocumentRow)).one() == 2
    third = poll_one(db, settings, source_id, NOW + dt.timedelta(days=5), fetcher=fetcher)
    assert third.documents == 0 and third.changes == 0


def test_a_review_source_holds_its_calls_as_drafts_without_matches(
    db: Engine, site: Site, settings: Settings, fetcher: Recording
) -> None:
    _publish_call(site)
    _companies(db)
    source_id = _source(db, site, "review")

    report = poll_one(db, settings, source_id, NOW, fetcher=fetcher)

    assert report.ok and report.notices == 1
    with Session(db) as session:
        assert _notice(session).status == "draft"
        assert session.exec(select(Match).where(col(Match.status) != "not_eligible")).all() == []


def test_a_pdf_attachment_gives_the_deadline(
    db: Engine, site: Site, settings: Settings, fetcher: Recording
) -> None:
    site.put("/tzgg/index.html", _list_html((DETAIL, TITLE, "2025-03-01")))
    body = "各有关单位：在本市注册成立一年以上、职工总数不超过500人的企业可申报，申报时间见附件。"
    site.put(DETAIL, _detail_html(body, ("/tzgg/202503/P020250301_time.pdf", "申报时间.pdf")))
    site.put("/tzgg/202503/P020250301_time.pdf", make_pdf("申报截止时间为2025年3月28日。"), "application/pdf")
    source_id = _source(db, site, "auto")

    report = poll_one(db, settings, source_id, NOW, fetcher=fetcher)

    assert report.ok and report.notices == 1, report.problems
    with Session(db) as session:
        (deadline,) = list_deadlines(session=session, notice_id=_notice(session).id or 0)
        assert deadline.date == dt.date(2025, 3, 28) and "2025年3月28日" in deadline.quote


def test_a_failing_list_page_is_counted_and_stores_nothing(
    db: Engine, site: Site, settings: Settings, fetcher: Recording
) -> None:
    site.fail_path("/tzgg/index.html", 500)
    source_id = _source(db, site, "auto")

    report = poll_one(db, settings, source_id, NOW, fetcher=fetcher)

    assert not report.ok and "HTTP 500" in (report.error or "")
    with Session(db) as session:
        source = get_source(session=session, source_id=source_id)
        assert source is not None and source.consecutive_failures == 1 and source.last_success_at is None
        assert source.next_poll_at is not None and source.next_poll_at > NOW
    assert _documents(db) == 0


def test_the_scheduler_job_polls_each_due_source_once_and_skips_one_claimed_elsewhere(
    db: Engine, web: FixtureWeb, site: Site, settings: Settings
) -> None:
    _publish_call(site, day=utcnow().astimezone(TZ).date())
    mine = _source(db, site, "auto")
    elsewhere = web.site()  # another host: a source claimed on the same host would hold this one back too
    with Session(db) as session:
        other = add_source(
            session=session,
            spec=SourceSpec(
                "另一栏目", "杭州市科学技术局", "杭州市", "municipal", elsewhere.url("/other/index.html")
            ),
            now=NOW,
        )
        session.commit()
        assert other.id is not None
        assert claim_source(
            session=session, source_id=other.id, worker="w-other", now=utcnow(), lease=POLL_LEASE
        )
        session.commit()

    reports = poll_due_sources(engine=db, settings=settings, worker="w-mine")

    assert [(r.source_id, r.new_items, r.documents) for r in reports] == [(mine, 1, 1)]
    assert "/other/index.html" not in elsewhere.hits, "a source another live worker holds is not polled"
    assert poll_due_sources(engine=db, settings=settings, worker="w-second") == [], (
        "not due again before its interval"
    )
    with Session(db) as session:
        polled = get_source(session=session, source_id=mine)
        assert polled is not None and polled.claimed_by is None and polled.next_poll_at is not None
        assert polled.next_poll_at > utcnow() + dt.timedelta(hours=5)


def test_a_matching_companys_webhook_hears_of_the_new_call_once_and_of_its_new_deadline_once(
    db: Engine, site: Site
) -> None:
    found_at = dt.datetime(2025, 3, 21, 12, 0, tzinfo=TZ)  # ten days before the deadline: a late call
    _publish_call(site, day=found_at.date())
    default_limiter().reset()
    with Loopback() as sink:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, webhook_allow_hosts=[site.host, "127.0.0.1"], webhook_allow_http=True,
            base_url="https://reminder.example.cn",
        )  # fmt: skip
        fits, _ = _companies(db)
        with Session(db) as session:
            session.add(
                Channel(company_id=fits, kind="webhook", target=sink.url(), secret=new_webhook_secret())
            )
            session.commit()
        source_id = _source(db, site, "auto")
        with Fetcher(settings, FetchPolicy(delay=0.005, timeout=2.0, retries=0)) as fetcher:
            assert poll_one(db, settings, source_id, found_at, fetcher=fetcher).notices == 1
            dispatch_due(engine=db, settings=settings, worker="t", now=found_at)
            _publish_call(site, attachment="/tzgg/202503/P020250322_guide.docx", deadline="2025年4月15日",
                          day=found_at.date())  # fmt: skip
            edited_at = found_at + dt.timedelta(hours=6)
            assert poll_one(db, settings, source_id, edited_at, fetcher=fetcher).changes >= 1
            dispatch_due(engine=db, settings=settings, worker="t", now=edited_at)
            assert (
                poll_one(
                    db, settings, source_id, edited_at + dt.timedelta(hours=6), fetcher=fetcher
                ).documents
                == 0
            )
            dispatch_due(engine=db, settings=settings, worker="t", now=edited_at + dt.timedelta(hours=6))
        messages = [r.json() for r in sink.received]
    assert [m["type"] for m in messages] == ["new_call", "changed"], (
        "one new-call message, one change, nothing twice"
    )
    assert TITLE in messages[0]["text"] and "2025" in messages[0]["text"]
    assert len({m["id"] for m in messages}) == 2
    assert "2025年3月31日（周一）17:00 → 2025年4月15日（周二）17:00" in messages[1]["text"]


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_two_workers_share_200_sources_and_poll_each_once(db: Engine, web: FixtureWeb) -> None:
    sites = [web.site() for _ in range(4)]
    with Session(db) as session:
        for i in range(200):
            site = sites[i % len(sites)]
            site.put(f"/col/{i}/index.html", _list_html())
            spec = SourceSpec(
                f"栏目{i}", "杭州市科学技术局", "杭州市", "municipal", site.url(f"/col/{i}/index.html")
            )
            add_source(session=session, spec=spec, now=NOW)
        session.commit()
    settings = Settings(_env_file=None, webhook_allow_hosts=web.allow_hosts())  # type: ignore[call-arg]
    polled: dict[str, list[int]] = {}

    def work(name: str) -> None:
        with Fetcher(settings, FetchPolicy(delay=0.002, timeout=2.0, retries=0)) as fetcher:
            done: list[int] = []
            while reports := poll_due_sources(engine=db, settings=settings, worker=name, fetcher=fetcher):
                done += [r.source_id for r in reports]
            polled[name] = done

    workers = [threading.Thread(target=work, args=(f"w{k}",)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    everything = polled["w0"] + polled["w1"]
    assert sorted(everything) == sorted(set(everything)) and len(everything) == 200, "each source once"
    assert polled["w0"] and polled["w1"], "both workers took a share"
    hits = [h for site in sites for h in site.hits if h.startswith("/col/")]
    assert len(hits) == 200 == len(set(hits)), "each list page fetched once"


def test_an_attachment_that_fails_for_now_is_retried_at_the_next_poll(
    db: Engine, site: Site, settings: Settings, fetcher: Recording
) -> None:
    _publish_call(site)
    site.fail_path("/tzgg/202503/P020250301_guide.docx", 503)
    source_id = _source(db, site, "auto")

    first = poll_one(db, settings, source_id, NOW, fetcher=fetcher)

    assert first.ok and first.new_items == 1 and first.documents == 0
    assert any("下次轮询重试" in reason for _, reason in first.problems)
    assert _documents(db) == 0, "no notice stored without its attachment"
    site.heal_path("/tzgg/202503/P020250301_guide.docx")
    second = poll_one(db, settings, source_id, NOW + dt.timedelta(hours=6), fetcher=fetcher)
    assert second.new_items == 1 and second.documents == 1 and second.notices == 1
    with Session(db) as session:
        (deadline,) = list_deadlines(session=session, notice_id=_notice(session).id or 0)
        assert deadline.date == dt.date(2025, 3, 31)
