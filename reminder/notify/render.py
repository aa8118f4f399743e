"""Render a reminder payload into a :class:`~reminder.notify.base.Message` (zh-CN, Jinja2 templates).

The payload is a plain dict built by planning and frozen in the outbox row, so a retry renders the
same words. Its schema (keys marked * are required for the purposes named)::

    {
      "company":  {"id": int, "name"*: str},                                   # every purpose
      "link"*:    str,                                                          # company page URL
      "notice":   {"id", "title"*: str, "issuer": str|None, "level": str|None,  # before/new_call/changed
                   "facts": {"benefit", "how_to_apply", "contact": str}},  # optional, each key too (issue 13)
      "deadline": {"id", "date": "YYYY-MM-DD"|None, "time": "HH:MM"|None, "kind"*: str,
                   "batch", "quote", "approximate", "conditional", "to_be_announced"} | None,
      "days_left": int | None,
      "verdict":  {"status": "eligible"|"possibly_eligible"|"not_eligible"|None,
                   "missing": [str], "unmet": [str], "manual": [str]} | None,   # None: not judged yet
      "change":   {"old": {deadline}, "new": {deadline}},                       # changed*
      "items":    [{"notice", "deadline", "days_left", "verdict", "link"}],    # digest*
    }

Purposes: ``before`` (N days before a deadline), ``new_call`` (a notice found late: one message
instead of the missed ones), ``changed`` (a deadline moved), ``digest`` (open notices by days left)
and ``test`` (a channel check). Templates live in ``templates/``: ``subject.txt.j2`` and
``{notice,digest,test}.{txt,md,html}.j2``; HTML is autoescaped.

A notice's facts (:mod:`reminder.notify.facts_lines`) are shown only when present: the top benefit
right after the title and issuer, how to apply and the contact as the notice's last lines (so a chat
message that must shrink drops the contact first, then how to apply; never the deadline or verdict).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jinja2
from markupsafe import Markup, escape

from reminder.config import Settings
from reminder.errors import RenderError
from reminder.notify._wording import LEVEL_ZH, deadline_view, verdict_view
from reminder.notify.base import Message
from reminder.notify.facts_lines import fact_lines

__all__ = [
    "PURPOSES",
    "SUBJECT_MAX",
    "render_message",
    "shorten_titles",
    "clip",
    "md_inline",
    "md_links",
    "html_links",
]

#: what a message can be for (same as reminder.db.models.REMINDER_PURPOSES)
PURPOSES: tuple[str, ...] = ("before", "new_call", "changed", "digest", "test")

_NOTICE_KEYS = ("company.name", "link", "notice.title")
#: payload keys each purpose needs, as dotted paths
_REQUIRED: dict[str, tuple[str, ...]] = {
    "before": (*_NOTICE_KEYS, "deadline.kind"),
    "new_call": _NOTICE_KEYS,
    "changed": (*_NOTICE_KEYS, "change.old", "change.new"),
    "digest": ("company.name", "link", "items"),
    "test": ("company.name", "link"),
}
_ITEM_KEYS = ("notice.title", "link")
#: longest subject, in characters: mail clients show about this much, and a 1,900-character title
#: would otherwise make a 4 KB header; the title is shortened, the prefix (days left) kept
SUBJECT_MAX = 78
#: a title is never shortened below this many characters (the rest of the message goes first)
TITLE_MIN = 12
#: characters that would start Markdown (or 企业微信 <font>) markup inside a value, and harmless look-alikes
_MD_SAFE = str.maketrans(
    {"*": "＊", "_": "＿", "[": "［", "]": "］", "`": "｀", "<": "＜", ">": "＞", "~": "～", "#": "＃"}
)


def clip(text: str, limit: int | None) -> str:
    """``text`` shortened to ``limit`` characters, ending with "…" when cut.

    >>> clip("关于组织申报2025年度高新技术企业认定的通知", 10)
    '关于组织申报202…'
    """
    if limit is None or len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def md_inline(value: object) -> str:
    """A value made safe inside a Markdown line: one line, no markup characters (full-width look-alikes).

    >>> md_inline("关于*重点*项目[2025]\\n通知")
    '关于＊重点＊项目［2025］ 通知'
    """
    return " ".join(str(value).split()).translate(_MD_SAFE)


#: a web address or an email address inside a fact line (an ASCII run)
_LINKISH = re.compile(r"https?://[!-~]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: a web or email address that Markdown leaves alone (no markup characters, no parentheses)
_MD_PLAIN = re.compile(r"[A-Za-z0-9\-._:/?#@!$&'+,;=%]+")
#: punctuation that ends a sentence rather than an address
_TRAILING = ".,;:!?'"


def _split_links(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_address) pairs, addresses without trailing punctuation."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for found in _LINKISH.finditer(text):
        token = found.group().rstrip(_TRAILING)
        end = found.start() + len(token)
        pieces += [(text[pos : found.start()], False), (token, True)]
        pos = end
    pieces.append((text[pos:], False))
    return [(piece, is_link) for piece, is_link in pieces if piece]


def md_links(value: object) -> str:
    """Like :func:`md_inline`, but web and email addresses stay as written (so they still work)
    unless they hold markup characters.

    >>> md_links("网上申报 https://kj.example.cn/a_b；推荐/受理单位：*区*科技局")
    '网上申报 https://kj.example.cn/a_b；推荐/受理单位：＊区＊科技局'
    """
    text = " ".join(str(value).split())
    return "".join(
        piece if is_link and _MD_PLAIN.fullmatch(piece) else piece.translate(_MD_SAFE)
        for piece, is_link in _split_links(text)
    )


def html_links(value: object) -> Markup:
    """``value`` escaped for HTML, with web addresses and email addresses as links.

    >>> str(html_links("邮箱 a@b.cn <x>"))
    '邮箱 <a href="mailto:a@b.cn">a@b.cn</a> &lt;x&gt;'
    """
    out = []
    for piece, is_link in _split_links(" ".join(str(value).split())):
        if not is_link:
            out.append(str(escape(piece)))
        else:
            href = piece if piece.startswith(("http://", "https://")) else f"mailto:{piece}"
            out.append(f'<a href="{escape(href)}">{escape(piece)}</a>')
    return Markup("".join(out))


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reminder.notify", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_inline
    env.filters["md_links"] = md_links
    env.filters["html_links"] = html_links
    return env


def render_message(
    purpose: str,
    payload: dict[str, Any],
    *,
    message_id: str,
    settings: Settings,
    unsubscribe_url: str | None = None,
) -> Message:
    """Render one message in every format a channel may need.

    Args:
        purpose: one of :data:`PURPOSES`.
        payload: the frozen reminder payload (schema in the module docstring).
        message_id: stable id reused by every retry (webhook-id, Message-ID).
        settings: service settings (reserved for base URL and time zone choices).
        unsubscribe_url: one-click unsubscribe link for email, if any.

    Returns:
        A :class:`Message` with subject, text, Markdown and HTML, ``data`` = the payload.

    Raises:
        RenderError: unknown purpose, or a required payload key is missing.
    """
    _check(purpose, payload)
    return _render(purpose, payload, message_id, unsubscribe_url, None)


def shorten_titles(message: Message, title_max: int) -> Message:
    """The same message rendered again with every notice title cut to ``title_max`` characters.

    Titles go first when a message must shrink: the deadline, days left, verdict and link stay.
    Markup stays balanced because the templates, not a byte cut, put it around the shorter title.
    """
    return _render(
        message.purpose, message.data, message.id, message.unsubscribe_url, max(title_max, TITLE_MIN)
    )


def _subject(context: dict[str, Any]) -> str:
    """The subject line within :data:`SUBJECT_MAX` characters, shortening the title (never the prefix)."""
    env = _env()
    subject = " ".join(env.get_template("subject.txt.j2").render(context).split())
    title = context.get("notice", {}).get("title")
    if len(subject) <= SUBJECT_MAX or not title:
        return clip(subject, SUBJECT_MAX)
    room = len(title) - (len(subject) - SUBJECT_MAX)
    shorter = {**context, "notice": {**context["notice"], "title": clip(title, max(room, TITLE_MIN))}}
    return clip(" ".join(env.get_template("subject.txt.j2").render(shorter).split()), SUBJECT_MAX)


def _render(
    purpose: str, payload: dict[str, Any], message_id: str, unsubscribe_url: str | None, title_max: int | None
) -> Message:
    context = _context(purpose, payload, unsubscribe_url, title_max)
    base = "test" if purpose == "test" else "digest" if purpose == "digest" else "notice"
    env = _env()
    subject = _subject(context)
    return Message(
        id=message_id,
        subject=subject,
        text=env.get_template(f"{base}.txt.j2").render(context).strip() + "\n",
        markdown=env.get_template(f"{base}.md.j2").render(context).strip() + "\n",
        html=env.get_template(f"{base}.html.j2").render(context),
        link=str(payload["link"]),
        unsubscribe_url=unsubscribe_url,
        data=payload,
        purpose=purpose,
    )


def _check(purpose: str, payload: dict[str, Any]) -> None:
    if purpose not in PURPOSES:
        raise RenderError(
            f"未知的消息用途 {purpose!r}，可选 {', '.join(PURPOSES)} / unknown message purpose {purpose!r}"
        )
    missing = [path for path in _REQUIRED[purpose] if _lookup(payload, path) is None]
    if purpose == "digest" and not missing:
        for i, item in enumerate(payload["items"]):
            missing += [f"items[{i}].{p}" for p in _ITEM_KEYS if _lookup(item, p) is None]
    if missing:
        raise RenderError(
            f"提醒内容缺少字段 {', '.join(missing)}（用途 {purpose}）/ "
            f"the {purpose!r} payload lacks {', '.join(missing)}: fix whoever built it (planning)"
        )


def _lookup(mapping: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(mapping, dict) or mapping.get(part) is None:
            return None
        mapping = mapping[part]
    return mapping


def _context(
    purpose: str, payload: dict[str, Any], unsubscribe_url: str | None, title_max: int | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "purpose": purpose,
        "company": payload["company"],
        "link": payload["link"],
        "unsubscribe_url": unsubscribe_url,
        "old": None,
        "new": None,
    }
    if purpose in ("before", "new_call", "changed"):
        context.update(_notice_view(payload, title_max))
    if purpose == "changed":
        context["old"] = deadline_view(payload["change"]["old"], None)
        context["new"] = deadline_view(payload["change"]["new"], payload.get("days_left"))
    if purpose == "digest":
        items = [_notice_view(item, title_max) for item in payload["items"]]
        items.sort(key=lambda v: (v["deadline"]["sort_key"], v["notice"]["title"]))
        context["items"] = items
    return context


def _notice_view(payload: dict[str, Any], title_max: int | None = None) -> dict[str, Any]:
    notice = payload["notice"]
    facts = fact_lines(notice.get("facts"))
    return {
        #: the top benefit, shown with the title (at most one line)
        "benefit_facts": [f for f in facts if f.key == "benefit"],
        #: how to apply and the contact, the notice's last lines (the first to go when a message shrinks)
        "apply_facts": [f for f in facts if f.key != "benefit"],
        "notice": {
            **notice,
            "title": clip(" ".join(str(notice["title"]).split()), title_max),
            "issuer": " ".join(str(notice.get("issuer") or "").split()),
            "level_zh": LEVEL_ZH.get(str(notice.get("level")), ""),
        },
        "deadline": deadline_view(payload.get("deadline"), payload.get("days_left")),
        "verdict": verdict_view(payload.get("verdict") or {}),
        "item_link": payload["link"],
    }
