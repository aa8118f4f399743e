"""Watching sources end to end, the acceptance fixtures of issue 17: a call whose deadline stands only in its
attachment, in DOC, XLSX, OFD or a scanned-image PDF, is polled from a loopback "government site" and stored
with that deadline; hosts that answer 429 with Retry-After, time out, or redirect to a private address fail
alone: the failure is recorded, nothing of theirs is stored, and a healthy source polled with the same fetcher
still delivers its call. A detail link refused by the address guard is noted in its source's health (not
flagged), and an attachment read by OCR is marked as such in the stored text.

Each format skips with the reason when the tool making its fixture (soffice, the CJK font), the OCR engine,
or the extraction loader for it is not installed here."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
from fixture_templates import Rendered, make_docx  # noqa: E402
from fixture_web import (  # noqa: E402
    ATTACHMENT_FORMATS,
    ConverterMissing,
    FixtureWeb,
    Site,
    make_attachment,
)

from reminder.config import Settings  # noqa: E402
from reminder.db.models import DocumentRow, NoticeRow  # noqa: E402
from reminder.db.source_store import add_source, get_source  # noqa: E402
from reminder.db.store import list_deadlines  # noqa: E402
from reminder.errors import UnsupportedFormat  # noqa: E402
from reminder.extract.loaders import load_bytes  # noqa: E402
from reminder.sources import Fetcher, FetchPolicy, SourceSpec  # noqa: E402
from reminder.watch import poll_one  # noqa: E402
from reminder.zone import TZ  # noqa: E402

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
DAY = NOW.date()
LIST = "/tzgg/index.html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DETAIL = "/tzgg/202503/t20250301_8101.html"
TITLE = "关于组织申报2025年度杭州市企业研发中心的通知"
BODY = "各有关单位：现将2025年度市级企业研发中心申报工作通知如下，申报条件和时间详见附件。"
GUIDE = (
    "2025年度杭州市企业研发中心申报指南\n"
    "一、申报条件：在本市注册成立一年以上的企业。\n"
    "二、申报时间：申报截止时间为{deadline}17:00，逾期不予受理。"
)
#: a scanned page: short lines a scanner and OCR render faithfully
SCANNED = "2025年度杭州市企业研发中心申报指南\n申报截止时间为{deadline}17:00\n逾期不予受理"
#: each format its own deadline, so a deadline can only have come from that attachment
DEADLINES = {
    "doc": dt.date(2025, 4, 18),
    "xlsx": dt.date(2025, 4, 21),
    "ofd": dt.date(2025, 4, 22),
    "scanned_pdf": dt.date(2025, 4, 23),
}


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


def _settings(web: FixtureWeb) -> Settings:
    return Settings(_env_file=None, webhook_allow_hosts=web.allow_hosts())  # type: ignore[call-arg]


def _source(db: Engine, site: Site, name: str = "杭州市科技局通知公告") -> int:
    spec = SourceSpec(name, "杭州市科学技术局", "杭州市", "municipal", site.url(LIST), trust="auto")
    with Session(db) as session:
        row = add_source(session=session, spec=spec, now=NOW)
        session.commit()
        assert row.id is not None
        return row.id


def _attachment_or_skip(fmt: str) -> Rendered:
    """The format's attachment, or a skip naming what is missing (tool, OCR engine, or loader)."""
    text = (SCANNED if fmt == "scanned_pdf" else GUIDE).format(deadline=_cn(DEADLINES[fmt]))
    if fmt == "scanned_pdf" and importlib.util.find_spec("rapidocr_onnxruntime") is None:
        pytest.skip("OCR 引擎 rapidocr-onnxruntime 未安装 / no OCR engine: a scanned PDF cannot be read")
    try:
        attachment = make_attachment(fmt, text)
    except ConverterMissing as exc:
        pytest.skip(str(exc))
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"无法生成 {fmt} 附件 / the {fmt} fixture could not be made: {exc}")
    if fmt != "scanned_pdf":  # a PDF always has a loader; only its OCR path needs the engine (checked above)
        try:
            sample = make_attachment(fmt, "测试")
            suffix = ATTACHMENT_FORMATS[fmt][0]
            load_bytes(sample.body, source=f"sample{suffix}", content_type=sample.content_type)
        except UnsupportedFormat as exc:
            pytest.skip(f"尚无 {fmt} 读取器 / no loader for {fmt} yet: {exc}")
        except Exception:  # noqa: BLE001 - a tiny sample may hold no call; only "unsupported" skips
            pass
    return attachment


@pytest.mark.parametrize("fmt", list(DEADLINES))
def test_the_deadline_in_an_attachment_reaches_the_stored_notice(
    db: Engine, web: FixtureWeb, fmt: str
) -> None:
    attachment = _attachment_or_skip(fmt)
    site = web.site()
    suffix = ATTACHMENT_FORMATS[fmt][0]
    name = f"申报指南{suffix}"
    site.publish_call(
        LIST, DETAIL, TITLE, DAY, BODY, [(f"/tzgg/202503/P020250301_guide{suffix}", name, attachment)],
        issuer="杭州市科学技术局",
    )  # fmt: skip
    settings = _settings(web)
    source_id = _source(db, site)

    with Fetcher(settings, FetchPolicy(delay=0.005, timeout=5.0, retries=0)) as fetcher:
        report = poll_one(db, settings, source_id, NOW, fetcher=fetcher)

    assert report.ok and report.new_items == 1 and report.notices == 1, report.problems
    assert report.problems == ()
    with Session(db) as session:
        (notice,) = session.exec(select(NoticeRow)).all()
        assert notice.title == TITLE and notice.status == "published"
        document = session.get(DocumentRow, notice.document_id)
        assert document is not None and document.source == site.url(DETAIL), "the notice links to its page"
        assert f"附件：{name}" in document.text, "the attachment's text is part of the notice"
        ocr_mark = f"（扫描件，以下文字经 OCR 识别：{name}）"
        assert (ocr_mark in document.text) == (fmt == "scanned_pdf"), "only the OCR'd attachment is marked"
        deadlines = list_deadlines(session=session, notice_id=notice.id or 0)
        assert [d.date for d in deadlines] == [DEADLINES[fmt]], (
            f"{fmt}: {[(d.date, d.quote) for d in deadlines]}"
        )
        (deadline,) = deadlines
        assert deadline.time == dt.time(17, 0)
        if fmt != "scanned_pdf":  # OCR may space the digits differently; the date itself is checked above
            assert _cn(DEADLINES[fmt]) in deadline.quote
        assert deadline.quote in document.text, "the quote points into the stored text"


# ── hosts that fail: each fails alone ──────────────────────────────────────────────────────────────────


def _good(site: Site) -> None:
    attachment = Rendered(make_docx(GUIDE.format(deadline="2025年3月31日")), DOCX)
    site.publish_call(
        LIST, DETAIL, TITLE, DAY, BODY, [("/tzgg/202503/P020250301_guide.docx", "申报指南.docx", attachment)]
    )


def test_hosts_that_rate_limit_time_out_or_redirect_to_private_addresses_fail_alone(
    db: Engine, web: FixtureWeb
) -> None:
    busy, slow, moved, sneaky, good = (web.site() for _ in range(5))
    busy.fail_next(1000, 429, {"Retry-After": "1"})  # every request: "too many, come back in 1 s"
    slow.latency = 3.0  # answers long after the fetcher's timeout
    slow.put(LIST, b"<html></html>")
    moved.redirect(LIST, "http://10.20.30.40/tzgg/index.html")  # the list page moved into a private network
    # the list is fine, but its item's link bounces to the cloud metadata address
    sneaky.publish_call(LIST, DETAIL, TITLE, DAY, BODY, [])
    sneaky.redirect(DETAIL, "http://169.254.169.254/latest/meta-data/")
    _good(good)
    settings = _settings(web)
    ids = {
        site.host: _source(db, site, f"来源{i}") for i, site in enumerate((busy, slow, moved, sneaky, good))
    }
    policy = FetchPolicy(delay=0.005, timeout=0.4, retries=1, backoff=0.05, max_retry_after=5.0)

    with Fetcher(settings, policy) as fetcher:
        started = time.monotonic()
        first = {busy.host: poll_one(db, settings, ids[busy.host], NOW, fetcher=fetcher)}
        busy_took, busy_hits = time.monotonic() - started, len(busy.hits)
        first |= {
            host: poll_one(db, settings, sid, NOW, fetcher=fetcher)
            for host, sid in ids.items()
            if host != busy.host
        }
        later = [
            {host: poll_one(db, settings, sid, NOW + dt.timedelta(hours=6 * k), fetcher=fetcher)
             for host, sid in ids.items()}
            for k in (1, 2)
        ]  # fmt: skip

    assert not first[busy.host].ok and "1 秒后再试" in (first[busy.host].error or "")
    assert busy_hits == 2 and busy_took >= 1.0, "one retry, after the Retry-After pause"
    assert len(busy.hits) == 6, "each later poll: two requests again, no hammering"
    assert not first[slow.host].ok and "超时" in (first[slow.host].error or "")
    assert not first[moved.host].ok, "a list page redirected to a private address is a failed poll"
    assert first[sneaky.host].ok and first[sneaky.host].documents == 0
    assert [url for url, _ in first[sneaky.host].problems] == [sneaky.url(DETAIL)]
    assert sneaky.hits.count(DETAIL) == 1, "a refused redirect is not followed up at later polls"
    assert first[good.host].ok and first[good.host].notices == 1 and first[good.host].problems == ()
    assert all(r[good.host].ok and r[good.host].documents == 0 for r in later), "the good source: 304s"

    with Session(db) as session:
        for site in (busy, slow, moved):
            source = get_source(session=session, source_id=ids[site.host])
            assert source is not None and source.last_success_at is None
            assert source.consecutive_failures == 3 and source.last_error
            assert source.flagged and "连续 3 次抓取失败" in source.flagged
        for site in (sneaky, good):
            source = get_source(session=session, source_id=ids[site.host])
            assert source is not None and source.consecutive_failures == 0 and source.flagged is None
        sneaky_source = get_source(session=session, source_id=ids[sneaky.host])
        assert sneaky_source is not None and sneaky_source.last_error, (
            "the refused link is in the source's health"
        )
        assert (
            sneaky_source.last_error.startswith("1 个链接被拒绝")
            and sneaky.url(DETAIL) in sneaky_source.last_error
        )
        good_source = get_source(session=session, source_id=ids[good.host])
        assert good_source is not None and good_source.last_error is None
        documents = session.exec(select(DocumentRow)).all()
        assert [d.source for d in documents] == [good.url(DETAIL)], "nothing stored from the bad hosts"
        (notice,) = session.exec(select(NoticeRow)).all()
        (deadline,) = list_deadlines(session=session, notice_id=notice.id or 0)
        assert deadline.date == dt.date(2025, 3, 31)
