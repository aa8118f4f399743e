"""How to apply: the channel (an online system and its URL, an email, a postal or office address), who
recommends or receives (所在区县科技局), and what to submit (申报书、承诺书…, 一式N份).

    find_how_to_apply(cleaned, view, start, end, policy_only=False) -> list[ApplyStep]

A policy text (``policy_only``) keeps only steps that say clearly where to apply: a system with its
URL, an email to send to, an address. Vocabulary: ``data/apply.yaml``; materials:
:mod:`reminder.extract.how_to_apply_materials`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from reminder.extract.apply_data import URL, ApplyVocab, apply_vocab
from reminder.extract.contacts_phones import emails_in
from reminder.extract.facts_text import first_finditer, quote, sentence_bounds, windows, windows_at
from reminder.extract.how_to_apply_anchors import Hits, anchor_lists
from reminder.extract.how_to_apply_materials import find_materials
from reminder.model import ApplyStep

__all__ = ["find_how_to_apply", "normalise_url"]

_GENERIC_SYSTEM = re.compile(
    r"(?:账号登录|账号|用户|网络|网上|在线|线上|申报|信息|管理|相关|该|本|线)*(?:系统|平台|网站)"
)
_DOWNLOAD = re.compile(r"[^。;]{0,20}?(?:下载|查询|查阅|公布|公示|刊登)")
# words after which an office's name starts (后向长春新区科技局 → 长春新区科技局)
_VIA_CUT = re.compile(
    r"(?s).*(?:向|至|到|将|后|的|:|经由|交由|报送|送|联系|以|由|其|经(?![信济发])|\n|\d[.、])"
)
_ADDRESS_CUT = re.compile(r"(?:附件|联系人|联系电话|电话|邮箱).*$")
# every address cue ends with 址 or 点; 邮寄至/寄送至/快递至 hold 寄 or 递; 报送至… holds 至 or 到
_ADDRESS_ANCHOR = re.compile(r"地址|地点|邮寄|寄送|快递|送至|送到|交至|交到")
_MAIL_ANCHOR = ("@", "[at]", "(at)")
_URL_STOP = re.compile(r"[。;]")
_TRAILING = ".,;:!?)]}'\"、。，；：）】」”"


def normalise_url(raw: str) -> str:
    """A URL as a browser takes it: scheme added, scheme and host lower-cased, trailing punctuation dropped.

    >>> normalise_url("WWW.Example.gov.cn/Apply/。")
    'http://www.example.gov.cn/Apply/'
    """
    url = raw.strip().rstrip(_TRAILING)
    if not re.match(r"https?://", url, re.I):
        url = "http://" + url
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def find_how_to_apply(
    cleaned: str, view: str, start: int = 0, end: int | None = None, *, policy_only: bool = False
) -> list[ApplyStep]:
    """The how-to-apply steps of ``view[start:end]``, in text order (one per system, email, address, office)."""
    end = len(view) if end is None else end
    v = apply_vocab()
    if not v.prefilter.search(view, start, end):
        return []
    # the three finders' anchors, found in one pass (how_to_apply_anchors)
    systems, addresses, recommends = anchor_lists(
        (v.system_anchor, _ADDRESS_ANCHOR, v.recommend_anchor), view, start, end
    )
    steps = _online(cleaned, view, start, end, v, systems) + _emails(cleaned, view, start, end, v)
    steps += _addresses(cleaned, view, start, end, v, addresses)
    if not policy_only:
        steps += _recommend(cleaned, view, start, end, v, recommends)
        steps += find_materials(cleaned, view, start, end, v)
    return sorted(steps, key=lambda s: s.span)


def _online(cleaned: str, view: str, start: int, end: int, v: ApplyVocab, anchors: Hits) -> list[ApplyStep]:
    """Systems to apply on (登录…申报系统), tried around their suffixes ``anchors``."""
    steps: dict[str, ApplyStep] = {}
    found = _near(v.system, anchors, view, start, end, 45, 2)
    for m in found:
        group = "qname" if m.group("qname") else "name"
        name = cleaned[m.start(group) : m.end(group)]
        if view.startswith("线", m.start(group)):  # 在线申报系统 read as 在 + 线申报系统
            continue
        s0, s1 = sentence_bounds(view, m.start(), start, end)
        if not v.online_cues.search(view, s0, s1) or v.not_online.search(
            view, max(s0, m.start() - 8), m.end()
        ):
            continue
        if _DOWNLOAD.match(view, m.end(), min(end, m.end() + 30)):
            continue  # 可从…网站下载: where forms are, not where to apply
        url = _url_near(view, m.start(group), m.end(group), s0, s1)
        if url is None and _GENERIC_SYSTEM.fullmatch(view[m.start(group) : m.end(group)]):
            continue
        if url and any(s.url == url for s in steps.values()):
            continue
        key = re.sub(r"\s", "", name)
        if key in steps:
            if url and not steps[key].url:
                steps[key] = replace(steps[key], url=url)
            continue
        steps[key] = ApplyStep(
            kind="online",
            quote=quote(cleaned, s0, s1),
            span=m.span(group),
            name=name,
            url=url,
            rule="apply_online",
        )
    return list(steps.values())


def _near(
    rx: re.Pattern[str], anchors: Hits, view: str, start: int, end: int, before: int, after: int
) -> list[re.Match[str]]:
    """:func:`~reminder.extract.facts_text.near`, the anchors' hits found already."""
    return [
        m
        for w0, w1 in windows_at(anchors, start, end, before, after)
        for m in first_finditer(rx, view, w0, w1)
    ]


def _url_near(view: str, n0: int, n1: int, s0: int, s1: int) -> str | None:
    """The URL right after a system's name (within its brackets or a few characters), else just before it."""
    stop = _URL_STOP.search(view, n1, n1 + 60)  # a URL may sit on the next line: (网址:\nhttps://…)
    after = URL.search(view, n1, stop.start() if stop else n1 + 60)
    if after and not re.search(r"[。;]|登录|登陆|或", view[n1 : after.start()]):
        return normalise_url(after.group())
    found = list(URL.finditer(view, max(s0, n0 - 60), n0))
    before = found[-1] if found else None
    if before and n0 - before.end() <= 12:
        return normalise_url(before.group())
    return None


def _emails(cleaned: str, view: str, start: int, end: int, v: ApplyVocab) -> list[ApplyStep]:
    steps = []
    seen = set()
    for email, (e0, e1) in (
        e for w0, w1 in windows(_MAIL_ANCHOR, view, start, end, 64, 64) for e in emails_in(view, w0, w1)
    ):
        if email in seen or not v.send_before.search(view, max(start, e0 - 14), e0):
            continue
        seen.add(email)
        s0, s1 = sentence_bounds(view, e0, start, end)
        steps.append(
            ApplyStep(
                kind="email", quote=quote(cleaned, s0, s1), span=(e0, e1), email=email, rule="apply_email"
            )
        )
    return steps


def _addresses(
    cleaned: str, view: str, start: int, end: int, v: ApplyVocab, anchors: Hits
) -> list[ApplyStep]:
    """Postal and office addresses, tried around their cues ``anchors``."""
    steps: list[ApplyStep] = []
    seen: set[str] = set()
    spans = windows_at(anchors, start, end, 10, 90)
    found = [(m, how) for w0, w1 in spans for rx, how in _address_rules(v) for m in rx.finditer(view, w0, w1)]
    for m, how in sorted(found, key=lambda f: f[0].start()):
        a0, a1 = m.span("addr")
        cut = _ADDRESS_CUT.search(view, a0, a1)
        a1 = cut.start() if cut else a1
        address = cleaned[a0:a1].strip(" :：")
        if (
            len(address) < 5
            or re.match(r"(?:https?:|www)", view[a0:a1].strip(" :"))
            or address in seen
            or any(a0 < s.span[1] and s.span[0] < a1 for s in steps)
        ):
            continue
        seen.add(address)
        s0, s1 = sentence_bounds(view, m.start(), start, end)
        cue = m.group("cue") if how == "cue" else ""
        post = how == "post" or bool(v.post_words.search(cue)) or bool(v.post_words.search(view, s0, s1))
        steps.append(
            ApplyStep(
                kind="post" if post else "office",
                quote=quote(cleaned, s0, s1),
                span=(a0, a1),
                address=address,
                rule=f"apply_address_{how}",
            )
        )
    return steps


def _address_rules(v: ApplyVocab) -> tuple[tuple[re.Pattern[str], str], ...]:
    return ((v.address, "cue"), (v.post_to, "post"), (v.office_to, "office"))


def _recommend(
    cleaned: str, view: str, start: int, end: int, v: ApplyVocab, anchors: Hits
) -> list[ApplyStep]:
    """Who recommends or receives (经所在区县科技局推荐), tried before the verbs ``anchors``."""
    steps = []
    seen = set()
    found = _near(v.recommend, anchors, view, start, end, 40, 2)
    for m in found:
        v0, v1 = m.span("via")
        cut = _VIA_CUT.match(view, v0, v1)
        v0 = cut.end() if cut else v0
        via = cleaned[v0:v1].strip()
        if len(via) < 3:
            continue
        key = view[v0:v1]
        if key in seen:
            continue
        seen.add(key)
        s0, s1 = sentence_bounds(view, m.start(), start, end)
        steps.append(
            ApplyStep(
                kind="recommend", quote=quote(cleaned, s0, s1), span=(v0, v1), via=via, rule="apply_recommend"
            )
        )
    return steps
