"""Issue 15: the SQL statements one request issues do not grow with the data (no query per row).

Every page and list endpoint is requested on two databases, one small (5 extra open notices, 3 extra
companies matched against them) and one twelve times larger (60 notices, 36 companies); the count of
statements (SQLAlchemy ``before_cursor_execute``) must be the same on both and at most ``BOUND``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from icalendar import Timezone
from sqlalchemy.engine import Engine
from web_factories import HANGZHOU, NOW, bearer, register_api

from reminder.companies.profiles import register_company
from reminder.config import Settings
from reminder.db.engine import make_engine, session_scope
from reminder.db.source_store import add_source
from reminder.db.store import save_document
from reminder.model import Condition, Deadline, Document, Notice
from reminder.notify.links import view_url
from reminder.sources import SourceSpec
from reminder.web import ops
from reminder.web.app import create_app
from reminder.web.company import ical
from reminder.workflow import company_changed, notice_stored

#: the most statements any one request may issue
BOUND = 10
#: (extra open notices, extra companies) of the small and the large database
SMALL, LARGE = (5, 3), (60, 36)


def _notice(i: int) -> Notice:
    title = f"关于组织申报2025年度杭州市第{i}批创新券的通知"
    return Notice(
        title=title,
        level="municipal",
        issuer="杭州市科学技术局",
        published=dt.date(2025, 2, 1),
        deadlines=(
            Deadline(
                date=dt.date(2025, 4, 1 + i % 28), time=dt.time(17), kind="application", quote=f"第{i}批"
            ),
            Deadline(date=dt.date(2025, 5, 1 + i % 28), time=None, kind="recommendation", quote=f"推荐{i}"),
        ),
        conditions=(
            Condition(field="headcount", op="<=", value=500, unit="人", quote="职工总数不超过500人"),
            Condition(field="registered_region", op="==", value="杭州市", unit=None, quote="在杭州市注册"),
        ),
    )


def _grow(engine: Engine, notices: int, companies: int, settings: Settings) -> None:
    """Add open notices and companies (each with an email channel), matched and planned."""
    text = "\n".join(_notice(i).title for i in range(notices))
    doc = Document(
        source=f"bench-{notices}.txt", text=text, notices=tuple(_notice(i) for i in range(notices))
    )
    with session_scope(engine) as session:
        stored = save_document(session=session, doc=doc, now=NOW)
        for notice_id in stored.notice_ids:
            notice_stored(session=session, notice_id=notice_id, now=NOW, settings=settings)
        for i in range(companies):
            data = {"name": f"杭州第{i}号科技有限公司", "region": "浙江省杭州市西湖区", "headcount": 10 + i}
            company = register_company(session=session, data=data | {"contact_email": f"c{i}@example.com"})
            company_changed(session=session, company_id=company.id or 0, now=NOW, settings=settings)
        for i in range(notices // 5):  # watched sources (issue 17), a few of them flagged
            spec = SourceSpec(
                f"第{i}号科技局 通知公告",
                "科技局",
                "杭州市",
                "municipal",
                f"https://kj{i}.example.gov.cn/tzgg/",
            )
            row = add_source(session=session, spec=spec, now=NOW)
            row.flagged = "模板可能已变化" if i % 2 else None


@dataclass
class Site:
    client: TestClient
    engine: Engine
    company_id: int
    token: str
    view: str
    notice_id: int

    def statements(self, url: str, headers: dict[str, str] | None = None) -> int:
        """How many SQL statements answering ``url`` issued (the response must be a success)."""
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        sa.event.listen(self.engine, "before_cursor_execute", count)
        try:
            response = self.client.get(url, headers=headers or {})
        finally:
            sa.event.remove(self.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        return len(seen)


ADMIN = {"Authorization": "Bearer " + "admin-" + "x" * 40}


@pytest.fixture
def site(
    sample_sqlite: Path, tmp_path: Path, settings: Settings
) -> Iterator[Callable[[tuple[int, int]], Site]]:
    engines: list[Engine] = []
    clients: list[TestClient] = []

    def make(size: tuple[int, int]) -> Site:
        path = tmp_path / f"db-{size[0]}" / "reminder.db"
        path.parent.mkdir(parents=True)
        shutil.copyfile(sample_sqlite, path)
        engine = make_engine(f"sqlite:///{path}")
        engines.append(engine)
        _grow(engine, *size, settings)
        client = TestClient(
            create_app(settings, engine=engine, clock=lambda: NOW), base_url="http://testserver"
        )
        clients.append(client)
        company_id, token = register_api(client, HANGZHOU)
        assert client.get(f"/c/{company_id}?token={token}", follow_redirects=False).status_code == 303
        listed = client.get("/api/notices", params={"limit": 1}).json()
        with session_scope(engine) as session:
            from reminder.db.models import Company

            company = session.get(Company, company_id)
            assert company is not None
            view = view_url(company_id, company.view_salt, settings).removeprefix("http://testserver")
        return Site(client, engine, company_id, token, view, listed[0]["id"])

    yield make
    for client in clients:
        client.close()
    for engine in engines:
        engine.dispose()


def _requests(site: Site) -> dict[str, tuple[str, dict[str, str] | None]]:
    c, token = site.company_id, site.token
    return {
        "home": ("/", None),
        "company page (open and past notices)": (f"/c/{c}", None),
        "notification settings": (f"/c/{c}/notifications", None),
        "profile form": (f"/c/{c}/profile", None),
        "read-only view": (site.view, None),
        "notice page": (f"/notices/{site.notice_id}", None),
        "iCal feed": (f"/c/{c}/calendar.ics?token={token}", None),
        "/api/notices": ("/api/notices?limit=200", None),  # kept from the site's first request
        "/api/notices, rendered": ("/api/notices?limit=199", None),  # a page not yet kept
        "/api/notices/{id}": (f"/api/notices/{site.notice_id}", None),
        "/api/companies/{id}/matches": (f"/api/companies/{c}/matches?include_past=true", bearer(token)),
        "admin dashboard": ("/admin", ADMIN),
        "admin notices list": ("/admin/notices", ADMIN),
        "admin notice page": (f"/admin/notices/{site.notice_id}", ADMIN),
        "/api/admin/notices": ("/api/admin/notices", ADMIN),
        "/api/admin/companies": ("/api/admin/companies", ADMIN),
        "admin sources list": ("/admin/sources", ADMIN),
        "/api/admin/sources": ("/api/admin/sources", ADMIN),
        "/healthz": ("/healthz", None),
    }


def test_statements_per_request_do_not_grow_with_the_data(site: Callable[[tuple[int, int]], Site]) -> None:
    small, large = site(SMALL), site(LARGE)
    assert len(large.client.get("/api/notices?limit=200").json()) > len(
        small.client.get("/api/notices?limit=200").json()
    )
    counts = {}
    for name, (url, headers) in _requests(small).items():
        counts[name] = [small.statements(url, headers)]
    for name, (url, headers) in _requests(large).items():
        counts[name].append(large.statements(url, headers))
    grew = {name: n for name, n in counts.items() if n[1] > n[0]}
    over = {name: n for name, n in counts.items() if max(n) > BOUND}
    assert not grew, f"statements grow with the data (small, large): {grew}"
    assert not over, f"more than {BOUND} statements per request: {over}"


def test_healthz_and_the_ical_feed_build_their_fixed_parts_once(
    site: Callable[[tuple[int, int]], Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alembic's script directory (the code's head revision) and the Asia/Shanghai VTIMEZONE are built
    once per process, not on every /healthz call or feed request."""
    small = site(SMALL)
    ical.vtimezone.cache_clear()
    ops.code_head.cache_clear()
    built = {"scripts": 0, "zones": 0}
    scripts, zone = ScriptDirectory.from_config, Timezone.from_tzid

    def count_scripts(*args: Any, **kwargs: Any) -> Any:
        built["scripts"] += 1
        return scripts(*args, **kwargs)

    def count_zones(*args: Any, **kwargs: Any) -> Any:
        built["zones"] += 1
        return zone(*args, **kwargs)

    monkeypatch.setattr(ScriptDirectory, "from_config", count_scripts)
    monkeypatch.setattr(Timezone, "from_tzid", count_zones)
    for _ in range(3):
        assert small.client.get("/healthz").json()["status"] == "ok"
        feed = small.client.get(f"/c/{small.company_id}/calendar.ics?token={small.token}")
        assert b"BEGIN:VTIMEZONE" in feed.content and b"TZID:Asia/Shanghai" in feed.content
    assert built == {"scripts": 1, "zones": 1}
