"""Source polling throughput: a fixture "government web" on loopback read by the real Fetcher and poll_source.

The fixture web of the tests (tests/sources/fixture_web.py) runs in its own process, one server per
host (127.0.0.2, 127.0.0.3, …), each host holding several 通知公告 columns in a TRS-like GBK template
(``index.html``, ``index_1.html`` … paging, detail pages with ArticleTitle/PubDate meta). Every column
is one source; all sources are polled once (a first poll: every list page up to ``max_pages`` and every
detail page) by a pool of threads sharing one Fetcher, so several threads compete for each host and
the per-host politeness (one request in flight, then ``--delay``) is what bounds the speed. The servers
count the requests in flight per host; the measured maximum must be 1.

    .venv/bin/python benchmarks/bench_sources.py [--lists 1000] [--details 5000] [--hosts 5]
        [--pages-per-source 5] [--delay 0.01] [--latency 0.002] [--workers 20]

Prints pages/s, the poller's peak memory (ru_maxrss; the servers' process is reported apart) and the
maximum concurrent requests measured per host.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing as mp
import re
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sources"))

from fixture_templates import Notice, Rendered  # noqa: E402
from fixture_web import FixtureWeb  # noqa: E402

from reminder.config import Settings  # noqa: E402
from reminder.sources import Fetcher, FetchPolicy, PollResult, SourceSpec, SourceState, poll_source  # noqa: E402
from reminder.zone import TZ  # noqa: E402

_LIST = re.compile(r"^/c(\d+)/index(?:_(\d+))?\.html$")
_DETAIL = re.compile(r"^/c(\d+)/\d{6}/t\d{8}_(\d+)\.html$")


class ColumnsTemplate:
    """Many TRS-like columns on one host, pages computed from the path (no scan over all notices).

    Duck-typed as a fixture ``Template`` (the fixture web only calls ``render``).
    """

    name = "bench-columns"
    encoding = "gbk"
    html_type = "text/html"

    def __init__(self, columns: list[int], pages: int, per_page: int, today: dt.date) -> None:
        self.columns = frozenset(columns)
        self.pages = pages
        self.per_page = per_page
        self.today = today

    def notice(self, column: int, index: int) -> Notice:
        """The ``index``-th notice of a column (0: the newest), one day apart."""
        published = self.today - dt.timedelta(days=index)
        number = column * 10_000 + index
        return Notice(
            id=number,
            title=f"关于组织申报{published.year}年度第{number}号青松科创专项资金项目的通知",
            published=published,
            body=(
                f"各有关单位：现组织第{number}号青松科创专项资金项目申报，在本市注册的企业均可申报，"
                f"请于{published + dt.timedelta(days=30):%Y年%m月%d日}前通过系统提交材料。"
            ),
            issuer=f"青松市第{column}科学技术局",
        )

    def detail_path(self, n: Notice) -> str:
        return f"/c{n.id // 10_000}/{n.published:%Y%m}/t{n.published:%Y%m%d}_{n.id}.html"

    def list_path(self, k: int) -> str:  # of column 0; the bench uses column_list_path
        return column_list_path(0, k)

    def _html(self, html: str) -> Rendered:
        return Rendered(html.encode(self.encoding), self.html_type)

    def render(self, path: str, notices: list[Notice]) -> Rendered | None:
        if (m := _LIST.match(path)) and int(m.group(1)) in self.columns:
            k = int(m.group(2) or 0)
            if k < self.pages:
                return self._html(self._list(int(m.group(1)), k))
        elif (m := _DETAIL.match(path)) and int(m.group(1)) in self.columns:
            column, index = divmod(int(m.group(2)), 10_000)
            if index < self.pages * self.per_page:
                n = self.notice(column, index)
                if path == self.detail_path(n):
                    return self._html(self._detail(n))
        return None

    def _list(self, column: int, k: int) -> str:
        notices = [self.notice(column, k * self.per_page + i) for i in range(self.per_page)]
        rows = "".join(
            f'<li><a href=".{self.detail_path(n)[len(f"/c{column}") :]}" title="{n.title}" target="_blank">'
            f"{n.title[:14]}…</a><span>{n.published:%Y-%m-%d}</span></li>"
            for n in notices
        )
        pager = f'<script>createPageHTML({self.pages}, {k}, "index", "html");</script>'
        return _page("<title>通知公告</title>", f'<ul class="list">{rows}</ul>{pager}')

    def _detail(self, n: Notice) -> str:
        head = (
            f'<meta name="SiteName" content="青松市人民政府"><meta name="ColumnName" content="通知公告">'
            f'<meta name="ArticleTitle" content="{n.title}"><meta name="PubDate" content="{n.published} 09:30">'
            f'<meta name="ContentSource" content="{n.issuer}"><title>{n.title}_青松市人民政府</title>'
        )
        body = (
            f'<div class="article"><h2>{n.title}</h2><div class="TRS_Editor"><p>{n.body}</p>'
            f"<p>联系人：林老师，电话：0591-0000000。</p></div>"
            f'<div class="fj"><a href="./P0{n.id}.pdf">申报指南.pdf</a></div></div>'
        )
        return _page(head, body)


def _page(head: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f'{head}</head><body><div class="nav"><a href="/">首页</a></div>{body}'
        '<div class="footer">青松市人民政府 版权所有</div></body></html>'
    )


def column_list_path(column: int, k: int) -> str:
    return f"/c{column}/index.html" if k == 0 else f"/c{column}/index_{k}.html"


def _layout(args: argparse.Namespace) -> tuple[int, int, dict[int, list[int]]]:
    """(sources, details per list page, host number → its columns)."""
    sources = math.ceil(args.lists / args.pages_per_source)
    per_page = max(1, args.details // args.lists)
    hosts: dict[int, list[int]] = {h: [] for h in range(args.hosts)}
    for column in range(sources):
        hosts[column % args.hosts].append(column)
    return sources, per_page, hosts


def _serve(conn: Connection, args: argparse.Namespace, today: dt.date) -> None:
    """The fixture web's process: start the hosts, report their addresses, report the counts when told."""
    _, per_page, hosts = _layout(args)
    with FixtureWeb() as web:
        sites = []
        for columns in hosts.values():
            site = web.site(template=ColumnsTemplate(columns, args.pages_per_source, per_page, today))
            site.latency = args.latency
            sites.append(site)
        conn.send([(site.host, site.port) for site in sites])
        conn.recv()
        conn.send(
            {
                "hits": {site.host: len(site.hits) for site in sites},
                "max_in_flight": {site.host: site.max_in_flight for site in sites},
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists", type=int, default=1000, help="list pages in all (default 1000)")
    ap.add_argument("--details", type=int, default=5000, help="detail pages in all (default 5000)")
    ap.add_argument("--hosts", type=int, default=5, help="hosts 127.0.0.2… (default 5, at most 250)")
    ap.add_argument("--pages-per-source", type=int, default=5, help="list pages per column (default 5)")
    ap.add_argument(
        "--delay", type=float, default=0.01, help="seconds between requests to a host (default 0.01)"
    )
    ap.add_argument("--latency", type=float, default=0.002, help="seconds each answer takes (default 0.002)")
    ap.add_argument("--workers", type=int, default=0, help="polling threads (default 4 per host)")
    args = ap.parse_args()
    if not (1 <= args.hosts <= 250 and args.lists >= 1 and args.details >= args.lists and args.delay > 0):
        ap.error("need 1 ≤ hosts ≤ 250, lists ≥ 1, details ≥ lists and a positive delay")
    sources, per_page, hosts = _layout(args)
    now = dt.datetime.now(TZ)
    today = now.date()

    parent, child = mp.get_context("fork").Pipe()
    server = mp.get_context("fork").Process(target=_serve, args=(child, args, today), daemon=True)
    server.start()
    try:
        addresses = parent.recv()
        specs = [
            SourceSpec(
                f"青松市第{column}科学技术局通知公告",
                f"青松市第{column}科学技术局",
                "青松市",
                "municipal",
                f"http://{addresses[h][0]}:{addresses[h][1]}{column_list_path(column, 0)}",
                max_pages=args.pages_per_source,
            )  # fmt: skip
            for h, columns in hosts.items()
            for column in columns
        ]
        settings = Settings(_env_file=None, webhook_allow_hosts=[host for host, _ in addresses])  # type: ignore[call-arg]
        policy = FetchPolicy(delay=args.delay, timeout=10.0, retries=1, backoff=0.1)
        workers = args.workers or 4 * args.hosts
        started = time.perf_counter()
        with Fetcher(settings, policy) as fetcher, ThreadPoolExecutor(workers) as pool:
            results: list[PollResult] = list(
                pool.map(lambda spec: poll_source(spec, SourceState(), fetcher, now), specs)
            )
        took = time.perf_counter() - started
        parent.send("stop")
        counts = parent.recv()
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()

    lists_read = sum(r.pages_read for r in results)
    details_read = sum(len(r.details) for r in results)
    problems = sum(len(r.problems) for r in results)
    requests = sum(counts["hits"].values())
    peak = max(counts["max_in_flight"].values())
    poller_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"sources: {sources:,} columns on {args.hosts} hosts, {args.pages_per_source} list pages × {per_page} "
        f"items each; delay {args.delay:g} s, server latency {args.latency:g} s, {workers} polling threads",
        f"read: {lists_read:,} list pages + {details_read:,} detail pages in {took:.2f} s "
        f"({requests:,} requests served incl. robots.txt; {problems} problems) "
        f"→ {(lists_read + details_read) / took:,.1f} pages/s",
        f"peak memory: poller {poller_mb:,.0f} MB (ru_maxrss), servers {counts['maxrss_kb'] / 1024:,.0f} MB",
        f"max concurrent requests per host: {peak} "
        f"({', '.join(f'{h}={n}' for h, n in sorted(counts['max_in_flight'].items()))})",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if peak != 1:
        raise SystemExit(f"per-host politeness broken: {peak} requests in flight at once on one host")
    if (
        lists_read != sources * args.pages_per_source
        or details_read != sources * args.pages_per_source * per_page
    ):
        raise SystemExit("not every page was read (see problems above)")


if __name__ == "__main__":
    main()
