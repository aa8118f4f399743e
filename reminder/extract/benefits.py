"""Benefits: what an applicant gets — 最高补助50万元, 按研发投入的10%给予补助（最高200万元）, 认定称号.

An amount is a benefit only when it is handed to the applicant: a give word (给予 / 补助 / 奖励…) stands
right before it once fillers (最高 / 不超过 / 每家 / 一次性…) are removed, a kind word follows it
(20万元一次性奖补), it continues a list of such amounts, or it caps a sentence that gives something
(…予以补助，原则上单个项目不超过500万元). Thresholds (营业收入不低于500万元, 1000万元以上的项目) are
conditions, never benefits. Percentages work the same way and take the cap that follows them.

    find_benefits(cleaned, view, start, end) -> list[Benefit]

Vocabulary: ``data/benefits.yaml`` (see :mod:`reminder.extract.benefits_data`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from operator import itemgetter

from reminder.extract.benefits_data import BenefitVocab, benefit_vocab
from reminder.extract.benefits_extra import notice_currency, taxes, titles
from reminder.extract.facts_text import NUM, cn_number, quote, sentence_bounds, windows
from reminder.model import Benefit, BenefitKind

__all__ = ["find_benefits"]

# amounts and rates are looked for only around their units (a number pattern alone matches everywhere)
_MONEY_ANCHOR = ("万", "亿", "元")
_RATE_ANCHOR = ("%", "百分之")
_CLAUSE_BREAK = re.compile(r"[,;:。]")
_LIST_GAP = re.compile(r"\s*(?:、|和|及|以及|或)\s*[^,;:。\d%]{0,8}$")
_PURE_LIST = re.compile(r"\s*(?:、|和|及|以及|或)\s*")
_RATE_LIST = re.compile(rf"^(?:\s*(?:、|和|及|以及|或)[^,;。%]{{0,8}}?(?:{NUM})\s*%)+")
_RATE_AFTER = re.compile(r"^\s*(?:的)?(?:比例)?(?:的)?(?:给予|予以)?(?:一次性)?(?:的)?(?:资金)?")
_TOTAL = re.compile(r"(?:年度|每年)?(?:总额?|合计|累计)$")
# a clause after 补助标准： / 奖励金额： gives what it lists
_HEADED = re.compile(r"(?:补助|补贴|资助|奖励|奖补|支持|扶持|贴息)(?:标准|金额|额度|方式)?\s*:\s*$")
_BASE_AFTER = re.compile(r"\s*的(?P<base>[\u4e00-\u9fff]{1,6}?)(?:补助|补贴|资助|奖励|奖补)")
_REMARKS = re.compile(r"\([^()]*\)")
_BASE_TRIM = re.compile(
    r"^(?:额|不超过|不高于|最高|照|其|比例|计划)+|(?:给予|予以|的|最高|不超过|不高于|比例|\s)+$"
)
_QUOTED = re.compile(r"[“\"「]([^”\"」,;。]{1,20})[”\"」]")


@dataclass(slots=True)
class _Item:
    """An amount or a percentage in a sentence, and what the rules made of it."""

    start: int
    end: int
    rate: bool
    value: float
    value_min: float | None = None
    currency: str = "CNY"
    capped: bool = False
    span_start: int = 0
    tier: str | None = None
    base: str | None = None
    kind: BenefitKind = "other"
    one_off: bool = False
    #: for a percentage: the amount that caps it
    cap_amount: float | None = None
    rule: str = ""


def find_benefits(cleaned: str, view: str, start: int = 0, end: int | None = None) -> list[Benefit]:
    """The benefits stated in ``view[start:end]``, in text order.

    >>> from reminder.extract.normalize import clean, match_view
    >>> c = clean("对认定的企业，按研发投入的10%给予补助，最高不超过200万元。")
    >>> [b.label() for b in find_benefits(c, match_view(c))]
    ['补助 研发投入的 10%（最高 200 万元）']
    """
    end = len(view) if end is None else end
    v = benefit_vocab()
    if not v.prefilter.search(view, start, end):
        return []
    accepted = _amounts(view, start, end, v)
    # bare amounts are in the notice's own currency, read only when needed
    currency = notice_currency(view, start, end, v) if any(not it.currency for it, _ in accepted) else "CNY"
    found = [_benefit(it, quote(cleaned, *bounds), currency) for it, bounds in accepted]
    found += titles(cleaned, view, start, end, v)
    found += taxes(cleaned, view, start, end, v)
    seen: set[tuple[object, ...]] = set()
    unique = []
    for b in sorted(found, key=lambda b: b.span):
        key = (b.kind, b.amount, b.amount_min, b.rate, b.tier, b.span)
        if key not in seen:
            seen.add(key)
            unique.append(b)
    return unique


def _matches(view: str, start: int, end: int, v: BenefitVocab) -> list[tuple[int, re.Match[str], bool]]:
    """(start, match, is a rate) of every amount and percentage, in text order (amounts first on a tie)."""
    found = [
        (m.start(), m, False)
        for w0, w1 in windows(_MONEY_ANCHOR, view, start, end, 30, 6)
        for m in v.money.finditer(view, w0, w1)
    ]
    found += [
        (m.start(), m, True)
        for w0, w1 in windows(_RATE_ANCHOR, view, start, end, 12, 8)
        for m in v.percent.finditer(view, w0, w1)
    ]
    found.sort(key=itemgetter(0))
    return found


def _item(view: str, m: re.Match[str], rate: bool, v: BenefitVocab) -> _Item | None:
    """The amount or percentage a match reads, or None when it is none (50万人次, an unreadable number)."""
    if rate:
        value = cn_number(m.group("num") or m.group("cnum"))
        return None if value is None else _Item(m.start(), m.end(), True, value, span_start=m.start())
    unit = m.group("unit")
    if unit in ("万", "亿", "千万", "百万") and view[m.end() : m.end() + 1] in v.not_money_after:
        return None
    top = cn_number(m.group("num2") or m.group("num"))
    if top is None:
        return None
    factor = v.units[unit]
    low = None
    if m.group("num2"):
        low_n = cn_number(m.group("num"))
        low = None if low_n is None else low_n * v.units[m.group("unit1") or unit]
    cur = _currency(view, m.start(), m.end(), "", v)
    return _Item(m.start(), m.end(), False, round(top * factor, 6), low, cur, span_start=m.start())


def _currency(view: str, s: int, e: int, default: str, v: BenefitVocab) -> str:
    near = view[max(0, s - 5) : e + 6]
    if "币" not in near and "元" not in view[max(0, s - 5) : s] + view[e : e + 6]:
        return default  # every currency word ends with 币 or 元
    before = v.currency_before.search(view, max(0, s - 5), s)
    after = v.currency_after.match(view[e : e + 6])
    for m in (before, after):
        if m:
            word = m.group().strip(" (")
            return v.currencies.get(word, default)
    return default


def _amounts(view: str, start: int, end: int, v: BenefitVocab) -> list[tuple[_Item, tuple[int, int]]]:
    """The accepted amounts and rates, each with its sentence's bounds."""
    out: list[tuple[_Item, tuple[int, int]]] = []
    sentence: list[_Item] = []
    bounds = (start, start)
    gives = False
    # Sentences are told apart by where the matches start (any position in a sentence gives its
    # bounds), so the items are read only in sentences that give something: most amounts are not.
    for at, m, rate in _matches(view, start, end, v):
        if at >= bounds[1]:
            out += [(x, bounds) for x in _sentence(view, bounds, sentence, v)]
            bounds = sentence_bounds(view, at, start, end)
            gives = bool(v.give_any.search(view, bounds[0], bounds[1]))
            sentence = []
        if gives and (it := _item(view, m, rate, v)) is not None:
            sentence.append(it)
    out += [(x, bounds) for x in _sentence(view, bounds, sentence, v)]
    return out


def _sentence(view: str, bounds: tuple[int, int], items: list[_Item], v: BenefitVocab) -> list[_Item]:
    """The accepted items of one sentence that gives something (its items, in order)."""
    s0, s1 = bounds
    if not items:
        return []
    accepted: list[_Item] = []
    for it in items:
        prev = accepted[-1] if accepted else None
        if _accept(view, s0, s1, it, prev, v):
            _describe(view, s0, s1, it, v)
            if (
                it.rate
                and prev
                and prev.rate
                and not it.base
                and _PURE_LIST.fullmatch(view[prev.end : it.start])
            ):
                it.base = prev.base  # 设备投资额12%、15%和20%
            accepted.append(it)
    _tiers(view, s0, accepted, v)
    return _merge_caps(accepted)


def _clause_start(view: str, s0: int, pos: int) -> int:
    last = -1
    for m in _CLAUSE_BREAK.finditer(view, s0, pos):
        last = m.end()
    return s0 if last < 0 else last


def _accept(view: str, s0: int, s1: int, it: _Item, prev: _Item | None, v: BenefitVocab) -> bool:
    tail = view[it.end : s1]
    if v.condition_after.match(tail):
        return False
    c0 = _clause_start(view, s0, it.start)
    lead = view[c0 : it.start].rstrip()
    cur = v.currency_before.search(lead)
    if cur:
        lead = lead[: cur.start()].rstrip()
    fill = _at_end(v.fillers_end, v.filler_chars, lead)
    core, filled = (lead[: fill.start()], fill.group()) if fill else (lead, "")
    cap = v.cap_before.search(filled)
    it.capped = bool(cap) or bool(v.cap_after.match(tail))
    if cap:
        it.span_start = c0 + len(core) + cap.start()
    give_m = _at_end(v.give_end, v.give_chars, core)
    give = bool(give_m)
    if give_m and not cap:  # 最高补助50万元: the cap word stands before the give word
        fill2 = _at_end(v.fillers_end, v.filler_chars, core[: give_m.start()])
        cap2 = v.cap_before.search(fill2.group()) if fill2 else None
        if fill2 and cap2:
            it.capped = True
            it.span_start = c0 + fill2.start() + cap2.start()
    if it.rate:
        tail = _RATE_LIST.sub("", tail)
        m = _RATE_AFTER.match(tail)
        kind_after = bool(m and v.kind_rx.match(tail, m.end()))
        if not kind_after and v.rate_base.search(lead):  # 按投资额的6%给予最高不超过800万元补助
            nxt = _CLAUSE_BREAK.search(tail)
            kind_after = bool(v.kind_rx.search(tail, 0, nxt.start() if nxt else len(tail)))
        if v.rate_threshold.search(lead):
            return False
        give = give or bool(v.rate_base_after_give.search(lead))  # 资助其合资格费用的百分之70
    else:
        kind_after = bool(v.kind_after.match(tail))
    cont = prev is not None and prev.rate == it.rate and bool(_LIST_GAP.fullmatch(view[prev.end : it.start]))
    it.rule = "give" if give else "kind_after" if kind_after else "list" if cont else "cap"
    if not give and it.capped:  # 年度补贴总额不超过100万元 (a total is a cap only when it is bounded)
        give = bool(_at_end(v.give_end, v.give_chars, _TOTAL.sub("", core)))
    if not give and (not core.strip() or v.tiers.fullmatch(core.strip())):
        give = bool(_HEADED.search(view, s0, c0))  # 补助标准：省级50万元、市级20万元
        it.rule = "headed" if give else it.rule
    per_unit = bool(v.per_unit.search(lead)) and not v.threshold_words.search(lead)
    if per_unit and not (give or kind_after or cont):
        it.rule = "per_unit"
    return give or kind_after or cont or (it.capped and not core.strip()) or per_unit


def _at_end(rx: re.Pattern[str], chars: str, text: str) -> re.Match[str] | None:
    """``rx.search(text)`` for a pattern of words written with ``chars`` that ends with ``$``.

    Its match lies in the trailing run of those characters (before a final line break, where ``$``
    also matches): ``str.rstrip`` finds that run in C, and the engine is tried only there instead
    of at every position (the words' first characters 的/为/可… are everywhere).
    """
    body = text[:-1] if text.endswith("\n") else text
    at = len(body.rstrip(chars))
    return rx.search(text, at) if at < len(body) else None


def _describe(view: str, s0: int, s1: int, it: _Item, v: BenefitVocab) -> None:
    """Kind, one-off, rate base and inline tier of an accepted item."""
    c0 = _clause_start(view, s0, it.start)
    nxt = _CLAUSE_BREAK.search(view, it.end, s1)
    c1 = nxt.start() if nxt else s1
    after = v.kind_rx.search(view, it.end, c1)
    before = list(v.kind_rx.finditer(view, c0, it.start))
    anywhere = after or (before[-1] if before else None) or v.kind_rx.search(view, s0, s1)
    if anywhere:
        it.kind = v.kinds[anywhere.group()]  # type: ignore[assignment]
    elif re.search("资金|经费", view[s0:s1]):
        it.kind = "subsidy"
    it.one_off = bool(v.one_off.search(view, c0, c1))
    lead = view[c0 : it.start]
    tiers = {m.group() for m in v.tiers.finditer(lead.rsplit("、", 1)[-1])}  # 省级50万元、市级20万元
    if len(tiers) == 1:
        it.tier = tiers.pop()
    if it.rate:
        own = _BASE_AFTER.match(view, it.end, c1)  # 80%的保费补助 → 保费
        m = v.rate_base.search(lead) or v.rate_base_after_give.search(lead)
        base = own.group("base") if own else m.group("base") if m else ""
        base = _BASE_TRIM.sub("", _REMARKS.sub("", base).strip()).strip()
        it.base = base if len(base) >= 2 else None


def _tiers(view: str, s0: int, items: list[_Item], v: BenefitVocab) -> None:
    """国家级、省级、市级…分别给予100万元、50万元、20万元: one tier per amount, in order."""
    if len(items) < 2:
        return
    resp = view.rfind(v.respectively, s0, items[-1].start)
    if resp < 0:
        return
    group = [it for it in items if it.start > resp]
    for i in range(1, len(group)):  # the amounts listed right after 分别, joined by 、/和
        if not _PURE_LIST.fullmatch(view[group[i - 1].end : group[i].start]):
            group = group[:i]
            break
    items = group
    if len(items) < 2:
        return
    names = list(dict.fromkeys(m.group() for m in v.tiers.finditer(view, s0, resp)))
    if len(names) != len(items):
        names = list(dict.fromkeys(m.group(1) for m in _QUOTED.finditer(view, s0, resp)))
    if len(names) == len(items):
        for it, name in zip(items, names, strict=True):
            it.tier = name


def _merge_caps(items: list[_Item]) -> list[_Item]:
    """A capped amount after percentages is their cap: 按研发投入的10%给予补助，最高不超过200万元."""
    out: list[_Item] = []
    pending: list[_Item] = []
    capped: list[_Item] = []  # the rate just capped: a further 每… amount gives it another cap
    for it in items:
        if it.rate:
            pending.append(it)
            out.append(it)
            capped = []
        elif pending and (it.capped or it.rule == "per_unit"):
            for r in pending:
                r.currency, r.capped, r.cap_amount, r.end = it.currency, True, it.value, it.end
            capped, pending = pending, []
        elif len(capped) == 1 and it.rule == "per_unit":
            clone = replace(
                capped[0], currency=it.currency, cap_amount=it.value, span_start=it.span_start, end=it.end
            )
            out.append(clone)
        else:
            pending, capped = [], []
            out.append(it)
    return out


def _benefit(it: _Item, text: str, currency: str) -> Benefit:
    if it.rate:  # capped tells about the amount: a rate alone (不高于3%) has none
        amount, amount_min, rate = it.cap_amount, None, it.value
        capped = it.capped and it.cap_amount is not None
    else:
        amount, amount_min, rate, capped = it.value, it.value_min, None, it.capped
    return Benefit(
        kind=it.kind,
        quote=text,
        span=(it.span_start, it.end),
        amount=amount,
        amount_min=amount_min,
        capped=capped,
        currency=it.currency or currency,
        rate=rate,
        rate_base=it.base if it.rate else None,
        tier=it.tier,
        one_off=it.one_off,
        rule=f"benefit_{it.rule}",
    )
