"""Benefits without an amount rule: titles granted (认定称号), tax benefits (税收优惠), and the notice's
currency (a Taiwan call in 新臺幣 states its other amounts without repeating it).

    titles(cleaned, view, start, end, v)  -> list[Benefit]   授予…称号, 纳入…库
    taxes(cleaned, view, start, end, v)   -> list[Benefit]   减按15%税率, 加计扣除, 税收优惠
    notice_currency(view, start, end, v)  -> str             CNY unless the notice names only one other
"""

from __future__ import annotations

from reminder.extract.benefits_data import BenefitVocab
from reminder.extract.facts_text import anchor_hits, literal_finditer, quote, sentence_bounds, windows
from reminder.model import Benefit

__all__ = ["titles", "taxes", "notice_currency"]

# every title pattern ends with one of these: the patterns are tried only around them
_TITLE_ANCHOR = ("称号", "库", "名录", "证书", "牌匾")
_QUOTES = "“”\"「」'‘’《》 "


def notice_currency(view: str, start: int, end: int, v: BenefitVocab) -> str:
    """The currency a notice's bare amounts are in: the one foreign currency it names, else CNY."""
    named: set[str] = set()
    if any(
        view.find(mark, start, end) >= 0 for mark in ("币", "港元", "澳")
    ):  # every currency word holds one
        named = {code for word, code in v.currencies.items() if view.find(word, start, end) >= 0}
    foreign = named - {"CNY"}
    if "CNY" in named:
        return "CNY"
    if len(foreign) == 1:
        return foreign.pop()
    # (a list of words: scanned by their automaton, see anchor_hits)
    places = {v.place_currency[view[s:e]] for s, e in anchor_hits(v.currency_places, view, start, end)}
    return places.pop() if len(places) == 1 and not foreign else "CNY"


def titles(cleaned: str, view: str, start: int, end: int, v: BenefitVocab) -> list[Benefit]:
    """授予“…”称号 / 纳入…库 / 颁发…证书, unless it describes the applicant already (已认定为…的企业)."""
    out: list[Benefit] = []
    spans = windows(_TITLE_ANCHOR, view, start, end, 40, 4)
    for rx in v.titles if spans else ():
        for m in (m for w0, w1 in spans for m in rx.finditer(view, w0, w1)):
            if v.title_guard.search(view, max(start, m.start() - 6), m.start()):
                continue
            if v.title_not_after.match(view[m.end() : m.end() + 10]):
                continue
            s0, s1 = sentence_bounds(view, m.start(), start, end)
            if v.title_guard.search(view[s0 : m.start()]):
                continue
            name = m.group("name").strip(_QUOTES)
            if not name:
                continue
            out.append(
                Benefit(kind="title", quote=quote(cleaned, s0, s1), span=m.span(), rule="benefit_title")
            )
    return out


def taxes(cleaned: str, view: str, start: int, end: int, v: BenefitVocab) -> list[Benefit]:
    """One tax benefit per sentence: 减按15%的税率征收企业所得税, 享受研发费用加计扣除."""
    out: list[Benefit] = []
    if view.find("税", start, end) < 0 and view.find("扣除", start, end) < 0:
        return out
    done: set[int] = set()
    # the engine would test the phrases' first characters at every position: str.find skips to them
    for m in literal_finditer(v.tax, v.tax_firsts, view, start, end):
        before = view[max(start, m.start() - 14) : m.start()]
        if not (m.group("rate") or v.tax_before.search(before)) or v.tax_guard.search(before):
            continue
        if v.tax_not_after.match(view[m.end() : m.end() + 12]):
            continue
        s0, s1 = sentence_bounds(view, m.start(), start, end)
        if s0 in done:
            continue
        done.add(s0)
        rate = float(m.group("rate")) if m.group("rate") else None
        out.append(
            Benefit(
                kind="tax",
                quote=quote(cleaned, s0, s1),
                span=m.span(),
                rate=rate,
                rate_base="企业所得税税率" if rate is not None else None,
                rule="benefit_tax",
            )
        )
    return out
