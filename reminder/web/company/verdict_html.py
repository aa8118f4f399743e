"""The company page's verdict sections, put together from fragments instead of rendered per notice.

    符合 / 可能符合   each notice in full: its heading, what is unmet, missing or to confirm, and every
                     condition with its result and quote (``<details class="evidence">``)
    不符合           each notice compact: its heading and the first unmet condition with its quote, a
                     link to the rest (``?detail=all`` shows every notice in full)
    each section     its first ``SECTION_LIMIT`` notices, and a link to all of them (``?detail=all``)
    已截止           the history table (``company/_history.html``)

A thousand notices rendered by Jinja cost ~40 ms of CPU per company. Here each piece is made once and
joined as bytes: a notice's heading and deadline table once per notices' version (``notice_parts``, for
every company), a condition's lines once per result object (results are shared by the notices and the
companies that read the same, ``matching._profile_judge``), kept in ``Fragments`` (bounded).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from markupsafe import escape

from reminder.rules import ConditionResult, manual_item_zh
from reminder.web.company.common import templates
from reminder.web.company.forms import field_anchor
from reminder.web.company.views import Section

__all__ = ["Fragments", "sections_html", "COMPANY_SLOT", "DETAIL_ALL", "SECTION_LIMIT"]

#: the company id in a fragment's links, replaced when a page uses it (fragments serve every company)
COMPANY_SLOT = b"/c/\x00company\x00/"
#: ``?detail=all``: every notice of every section, not eligible ones in full too
DETAIL_ALL = "all"
#: notices listed per section without ``?detail=all`` (the soonest deadlines, or the order chosen)
SECTION_LIMIT = 50
_PARTS = "company/_notice_parts.html"
_RESULT = {"pass": "满足", "fail": "不满足", "unknown": "待确认"}


def _e(text: object) -> str:
    return str(escape(text))


class Fragments:
    """Lines made of one result (or one label), by its id; the object is kept with them, so its id is not
    reused while they are. Dropped all at once beyond ``keep`` entries (results are cheap to write; an
    entry is a few hundred bytes, ~250 new ones per company the process has not seen). Also used by the
    matches API (``api/views.verdicts_json``) for each result's JSON."""

    def __init__(self, keep: int = 50_000) -> None:
        self.keep = keep
        self._entries: dict[Hashable, tuple[object, tuple[bytes, ...]]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, owner: object, make: Callable[[], tuple[bytes, ...]]) -> tuple[bytes, ...]:
        found = self._entries.get(key)
        if found is not None and found[0] is owner:
            return found[1]
        made = make()
        with self._lock:
            if len(self._entries) >= self.keep:
                self._entries.clear()
            self._entries[key] = (owner, made)
        return made


def _result_lines(r: ConditionResult) -> tuple[bytes, ...]:
    """(its unmet item, its item to confirm, its row in the conditions table)."""
    quote = f'<blockquote class="quote">{_e(r.quote)}</blockquote>' if r.quote else ""
    unmet = f"<li>{_e(r.reason_zh)}{quote}</li>"
    manual = f'<li><blockquote class="quote">{_e(manual_item_zh(r))}</blockquote></li>' if r.manual else ""
    row = (
        f'<tr class="result-{r.status}"><td>{_e(r.reason_zh)}</td>\n'
        f"            <td>{_RESULT[r.status]}</td>\n"
        f'            <td class="quote">{_e(r.quote)}</td></tr>\n'
    )
    return unmet.encode(), manual.encode(), row.encode()


def _missing_line(label: str, read_only: bool) -> tuple[bytes, ...]:
    anchor = field_anchor(label)
    if anchor and not read_only:
        link = COMPANY_SLOT.decode() + f"profile#{_e(anchor)}"
        return (f'<li><a href="{link}">填写{_e(label)}</a></li>'.encode(),)
    return (f"<li>{_e(label)}</li>".encode(),)


class _Writer:
    """One page's sections: the notices' parts (per version) and the result lines (``Fragments``)."""

    def __init__(
        self, parts: dict[Hashable, Any], fragments: Fragments, read_only: bool, detail: str, company_id: int
    ) -> None:
        self.detail = detail
        self.company = f"/c/{company_id}/".encode()
        self.parts = parts
        self.fragments = fragments
        self.read_only = read_only
        self.macros = templates.get_template(_PARTS).module
        #: this page's result lines by result id (its results live as long as the page is written: a
        #: page asks for ~500 lines of ~100 results)
        self._lines: dict[int, tuple[bytes, ...]] = {}

    def notice(self, part: str, m: Any) -> bytes:
        key = ("html-bytes", part, m.notice.id)
        found = self.parts.get(key)
        if found is None:
            macro = getattr(self.macros, "notice_head" if part == "head" else "deadline_table")
            found = self.parts[key] = str(macro(m)).encode()
        assert isinstance(found, bytes)
        return found

    def result(self, r: ConditionResult) -> tuple[bytes, ...]:
        found = self._lines.get(id(r))
        if found is None:
            found = self._lines[id(r)] = self.fragments.get(("result", id(r)), r, lambda: _result_lines(r))
        return found

    def missing(self, label: str) -> bytes:
        line = self.fragments.get(
            ("missing", label, self.read_only), label, lambda: _missing_line(label, self.read_only)
        )
        return line[0].replace(COMPANY_SLOT, self.company)

    def full(self, m: Any, out: list[bytes]) -> None:
        """The notice in full, as it reads for 符合 and 可能符合."""
        out += [
            f'  <article class="match" id="notice-{m.notice.id}">\n    '.encode(),
            self.notice("head", m),
            b"\n",
        ]
        if m.unmet:
            out.append('    <div class="unmet"><h4>不满足的条件</h4><ul>\n      '.encode())
            out += [self.result(r)[0] for r in m.unmet]
            out.append(b"\n    </ul></div>\n")
        if m.missing:
            out.append('    <div class="missing"><h4>需要补充的企业信息</h4><ul>\n      '.encode())
            out += [self.missing(label) for label in m.missing]
            out.append(b"\n    </ul></div>\n")
        if m.manual:
            out.append('    <div class="manual"><h4>请人工确认</h4><ul>\n      '.encode())
            out += [self.result(r)[1] for r in m.manual]
            out.append(b"\n    </ul></div>\n")
        out.append(
            '    <details class="evidence">\n      <summary>全部条件与时间（附原文）</summary>\n'.encode()
        )
        if m.results:
            out.append(_TABLE_HEAD)
            out += [self.result(r)[2] for r in m.results]
            out.append(b"        </tbody>\n      </table>\n")
        else:
            out.append("      <p>通知未列出申报条件。</p>\n".encode())
        out += [b"      ", self.notice("deadlines", m), b"\n    </details>\n  </article>\n"]

    def compact(self, m: Any, out: list[bytes]) -> None:
        """A not eligible notice: its heading and the first unmet condition, a link to the rest."""
        out += [
            f'  <article class="match compact" id="notice-{m.notice.id}">\n    '.encode(),
            self.notice("head", m),
            b"\n",
        ]
        if m.unmet:
            out.append('    <div class="unmet"><h4>不满足的条件</h4><ul>\n      '.encode())
            out.append(self.result(m.unmet[0])[0])
            out.append(b"\n    </ul>")
            more = len(m.unmet) - 1
            if more:
                out.append(f'<p class="hint">另有 {more} 项条件不满足。</p>'.encode())
            out.append(b"</div>\n")
        link = f"{self.detail}#notice-{m.notice.id}"
        out.append(
            f'    <p class="meta"><a href="{link}">查看全部条件与判断依据</a></p>\n  </article>\n'.encode()
        )


_TABLE_HEAD = (
    '      <table class="conditions">\n        <thead><tr><th>条件</th><th>判断</th><th>原文</th></tr></thead>\n'
    "        <tbody>\n"
).encode()


def sections_html(
    sections: Sequence[Section],
    past: Sequence[Any],
    *,
    company_id: int,
    read_only: bool,
    detail_all: bool,
    parts: dict[Hashable, Any],
    fragments: Fragments,
    detail_href: str = f"?detail={DETAIL_ALL}",
) -> bytes:
    """The verdict sections and the history, as page.html's ``verdicts``: at most ``SECTION_LIMIT``
    notices per section unless ``detail_all`` (a thousand notices in full made a 2 MB page).

    Args:
        sections: the open notices by verdict (``views.sections``).
        past: the notices whose deadlines have passed.
        company_id: whose page (the profile links).
        read_only: the view link's page (labels, not links, for what to fill in).
        detail_all: every notice, not eligible ones in full as well.
        parts: ``output_cache.notice_parts`` at the notices' version.
        fragments: the app's result lines.
        detail_href: this page with ``detail=all`` (its other query parameters kept), HTML-escaped.
    """
    writer = _Writer(parts, fragments, read_only, detail_href, company_id)
    out: list[bytes] = []
    for section in sections:
        status = section.status
        out.append(
            f'<section class="verdict verdict-{status}" id="{status}">\n'
            f'  <h2 class="{status}">{_e(section.title)}（{len(section.items)}）</h2>\n'.encode()
        )
        if not section.items:
            out.append('  <p class="empty">暂无。</p>\n'.encode())
        compact = status == "not_eligible" and not detail_all
        if compact and section.items:
            out.append(
                '  <p class="hint">不符合的通知只列出第一项不满足的条件；'
                f'<a href="{detail_href}#not_eligible">显示全部条件与判断依据</a>。</p>\n'.encode()
            )
        write = writer.compact if compact else writer.full
        shown = section.items if detail_all else section.items[:SECTION_LIMIT]
        for m in shown:
            write(m, out)
        if len(shown) < len(section.items):
            out.append(
                f'  <p class="more">共 {len(section.items)} 条，以上是前 {len(shown)} 条。'
                f'<a href="{detail_href}#{status}">显示全部 {len(section.items)} 条</a></p>\n'.encode()
            )
        out.append(b"</section>\n")
    history = templates.get_template("company/_history.html").render({"past": past})
    out.append(history.encode())
    return b"".join(out)
