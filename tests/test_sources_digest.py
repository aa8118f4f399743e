"""The operator's digest of flagged sources (issue 17), against a loopback "government site", a real SMTP
server (aiosmtpd on 127.0.0.1) and SQLite and PostgreSQL: a source whose list page fails three polls in a
row is mailed to the operator once; the next day, with nothing new, no mail; a source whose template
changed later is mailed alone; without an operator address (or without SMTP) nothing is sent and nothing
fails; the scheduler's job runs once per day however many processes run it."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from fixture_web import FixtureWeb, Site  # noqa: E402
from web_smtp import Mailbox, smtp_server  # noqa: E402

from reminder.config import Settings  # noqa: E402
from reminder.db.source_store import TEMPLATE_CHANGED, add_source, get_source  # noqa: E402
from reminder.sources import Fetcher, FetchPolicy, SourceSpec  # noqa: E402
from reminder.sources_digest import flag_digest_once, send_flag_digest  # noqa: E402
from reminder.watch import poll_one  # noqa: E402
from reminder.zone import TZ  # noqa: E402

NOW = dt.datetime(2025, 6, 2, 8, 0, tzinfo=TZ)
OPERATOR = "yunwei@qingsong-kj.example.cn"
FAILING = ("青松市科技局通知公告", "/kjj/tzgg/index.html")
CHANGING = ("青松市工信局项目申报", "/gxj/xmsb/index.html")
DETAIL = "/gxj/xmsb/202506/t20250601_301.html"


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


@pytest.fixture
def site(web: FixtureWeb) -> Site:
    return web.site()


@pytest.fixture
def box() -> Iterator[Mailbox]:
    with smtp_server() as mailbox:
        yield mailbox


def _settings(web: FixtureWeb, box: Mailbox | None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "webhook_allow_hosts": web.allow_hosts(),
        "base_url": "https://tixing.example.cn",
    }
    if box is not None:
        values |= {"smtp_host": "127.0.0.1", "smtp_port": box.port, "smtp_security": "none"}
        values |= {"mail_from": "申报提醒 <reminder@example.cn>"}
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg, arg-type]


def _source(db: Engine, site: Site, name: str, path: str) -> int:
    spec = SourceSpec(name, name[:-4], "青松市", "municipal", site.url(path))
    with Session(db) as session:
        row = add_source(session=session, spec=spec, now=NOW)
        session.commit()
        assert row.id is not None
        return row.id


def _poll(db: Engine, settings: Settings, source_id: int, at: dt.datetime) -> str | None:
    policy = FetchPolicy(delay=0.0, timeout=2.0, backoff=0.01, retries=0)
    with Fetcher(settings, policy) as fetcher:
        return poll_one(db, settings, source_id, at, fetcher=fetcher).flagged


def _fail_three_times(db: Engine, site: Site, settings: Settings) -> int:
    site.fail_path(FAILING[1], 503)
    source_id = _source(db, site, *FAILING)
    flags = [_poll(db, settings, source_id, NOW + dt.timedelta(hours=6 * i)) for i in range(3)]
    assert flags[:2] == [None, None] and (flags[2] or "").startswith("连续 3 次抓取失败")
    return source_id


def _list_page(*items: tuple[str, str]) -> bytes:
    rows = "".join(f'<li><a href="{href}">{title}</a><span>2025-06-01</span></li>' for href, title in items)
    return f'<html><head><meta charset="utf-8"><title>项目申报</title></head><body><ul class="list">{rows}</ul></body></html>'.encode()


def _change_template(db: Engine, site: Site, settings: Settings, at: dt.datetime) -> int:
    title = "关于征集2025年度青松市工业互联网标杆项目的通知"
    site.put(CHANGING[1], _list_page((DETAIL, title)))
    site.put(
        DETAIL,
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
        "<p>各有关企业：请关注后续通知。</p></body></html>".encode(),
    )
    source_id = _source(db, site, *CHANGING)
    assert _poll(db, settings, source_id, at) is None
    site.put(
        CHANGING[1], b'<html><head><meta charset="utf-8"></head><body><div id="app"></div></body></html>'
    )
    assert _poll(db, settings, source_id, at + dt.timedelta(hours=6)) == TEMPLATE_CHANGED
    return source_id


def test_a_flagged_source_is_mailed_to_the_operator_once_and_a_new_flag_alone(
    db: Engine, web: FixtureWeb, site: Site, box: Mailbox
) -> None:
    settings = _settings(web, box, operator_email=OPERATOR)
    failing = _fail_three_times(db, site, settings)
    first_day = NOW + dt.timedelta(days=1, hours=1)

    assert send_flag_digest(engine=db, settings=settings, now=first_day) == 1

    assert len(box.messages) == 1 and box.recipients == [[OPERATOR]]
    mail = box.messages[0]
    assert mail["Subject"] == "申报提醒：1 个监测来源需要检查"
    text = box.text()
    assert f"1. 来源：{FAILING[0]}" in text
    assert f"网址：{site.url(FAILING[1])}" in text
    assert "原因：连续 3 次抓取失败" in text and "连续抓取失败次数：3" in text
    assert "异常开始时间：2025年6月2日 20:00" in text, "the third failed poll raised the flag"
    assert "HTTP 503" in text and "上次成功抓取：从未成功" in text
    assert "https://tixing.example.cn/admin/sources" in text
    with Session(db) as session:
        row = get_source(session=session, source_id=failing)
        assert row is not None and row.flag_reported_at == first_day

    # the next day: one more failed poll, the same flag: nothing new to say
    assert _poll(db, settings, failing, first_day + dt.timedelta(hours=2)) is not None
    assert send_flag_digest(engine=db, settings=settings, now=first_day + dt.timedelta(days=1)) == 0
    assert len(box.messages) == 1

    # a second source's template changes: the next digest names it alone
    _change_template(db, site, settings, first_day + dt.timedelta(days=1, hours=3))
    assert send_flag_digest(engine=db, settings=settings, now=first_day + dt.timedelta(days=2)) == 1
    assert len(box.messages) == 2
    text = box.text()
    assert box.messages[1]["Subject"] == "申报提醒：1 个监测来源需要检查"
    assert f"1. 来源：{CHANGING[0]}" in text and "原因：模板可能已变化" in text
    assert FAILING[0] not in text and "连续抓取失败次数：0" in text


def test_a_source_flagged_again_after_recovering_is_mailed_again(
    db: Engine, web: FixtureWeb, site: Site, box: Mailbox
) -> None:
    settings = _settings(web, box, operator_email=OPERATOR)
    failing = _fail_three_times(db, site, settings)
    assert send_flag_digest(engine=db, settings=settings, now=NOW + dt.timedelta(days=1)) == 1
    site.heal_path(FAILING[1])
    site.put(
        FAILING[1],
        _list_page(("/kjj/tzgg/202506/t20250603_88.html", "关于青松市科技型中小企业评价工作的提示")),
    )
    assert _poll(db, settings, failing, NOW + dt.timedelta(days=1, hours=1)) is None, "recovered"
    site.fail_path(FAILING[1], 503)
    later = NOW + dt.timedelta(days=2)
    flags = [_poll(db, settings, failing, later + dt.timedelta(hours=6 * i)) for i in range(3)]
    assert flags[2] is not None

    assert send_flag_digest(engine=db, settings=settings, now=NOW + dt.timedelta(days=3)) == 1
    assert len(box.messages) == 2 and "异常开始时间：2025年6月4日 20:00" in box.text()


def test_without_an_operator_address_nothing_is_sent_and_nothing_fails(
    db: Engine, web: FixtureWeb, site: Site, box: Mailbox
) -> None:
    settings = _settings(web, box)
    failing = _fail_three_times(db, site, settings)

    assert send_flag_digest(engine=db, settings=settings, now=NOW + dt.timedelta(days=1)) == 0

    assert box.messages == []
    with Session(db) as session:
        row = get_source(session=session, source_id=failing)
        assert row is not None and row.flagged is not None and row.flag_reported_at is None


def test_without_smtp_settings_the_digest_waits_and_nothing_fails(
    db: Engine, web: FixtureWeb, site: Site, box: Mailbox
) -> None:
    failing = _fail_three_times(db, site, _settings(web, None))
    no_smtp = _settings(web, None, operator_email=OPERATOR)

    assert send_flag_digest(engine=db, settings=no_smtp, now=NOW + dt.timedelta(days=1)) == 0
    with Session(db) as session:
        row = get_source(session=session, source_id=failing)
        assert row is not None and row.flag_reported_at is None, "not reported: the next digest says it"

    with_smtp = _settings(web, box, operator_email=OPERATOR)
    assert send_flag_digest(engine=db, settings=with_smtp, now=NOW + dt.timedelta(days=2)) == 1
    assert len(box.messages) == 1


def test_the_daily_job_runs_once_per_day_across_processes(
    db: Engine, web: FixtureWeb, site: Site, box: Mailbox
) -> None:
    settings = _settings(web, box, operator_email=OPERATOR)
    _fail_three_times(db, site, settings)

    assert flag_digest_once(engine=db, settings=settings, worker="host-a:101") == 1
    assert flag_digest_once(engine=db, settings=settings, worker="host-b:202") is None
    assert len(box.messages) == 1
