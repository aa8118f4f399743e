"""Acceptance (issue 13): extracted benefits and contacts against hand annotations.

The annotations (``tests/extract/data/facts_gold.yaml``, conventions in its header) cover every notice
of ../shared/gold/seeds.json and 20 calls of dev.json. Each document is extracted in-process the way
``reminder extract`` does it (a file on disk, the gold's publication date), and its notices are lined
up with the gold's: a one-notice document pools all extracted notices; in a compilation, an extracted
notice belongs to the gold notice whose ``title_contains`` its title holds. Policy texts (gold
``policy_only``, or an extracted policy_only notice matching no gold notice) are not scored; the facts
of any other extracted notice without a gold counterpart count as false.

Benefits match when their kinds are of one family (subsidy/award/interest_subsidy/other are money) and
amount, amount_min and rate agree (tier too, when the annotation names one); only benefits with an
amount or a rate are scored. Contacts match when they share a phone (area code ignored when one side
lacks it, extension ignored) or an email. Recall is one-to-one (two annotated 10 万元 awards need two
extracted); precision counts an extracted fact right when it matches any annotated fact of its notice
(a benefit repeated in title and body is no error). ``pytest -s`` prints every mismatch and the summary
line ``benefits P=… R=… | contacts P=… R=…``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from reminder.extract import Document, extract
from reminder.model import BENEFIT_KINDS, Benefit, Contact

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FACTS = Path(__file__).resolve().parent / "data" / "facts_gold.yaml"
GOLD_FILES = {"seeds": SHARED / "gold" / "seeds.json", "dev": SHARED / "gold" / "dev.json"}
#: the acceptance targets of issue 13
TARGET_P = 0.90
TARGET_R = 0.90

#: benefit kind → family compared by the matcher
FAMILY = {"subsidy": "money", "award": "money", "interest_subsidy": "money", "other": "money"} | {
    "title": "title",
    "tax": "tax",
}
BENEFIT_KEYS = {"kind", "amount", "amount_min", "capped", "currency", "rate", "tier", "one_off"}
CONTACT_KEYS = {"name", "phones", "emails"}
NOTICE_KEYS = {"notice", "benefits", "contacts", "unquantified", "policy_only"}
CURRENCIES = {"CNY", "TWD", "HKD", "MOP"}
PHONE = re.compile(r"^(?:0\d{1,3}-)?\d{7,8}(?:-\d{1,6})?$|^1\d{10}$|^\+\d{2,3} \d{7,8}$")
EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+$")

needs_shared = pytest.mark.skipif(
    not all(p.exists() for p in GOLD_FILES.values()),
    reason="../shared/gold (seeds.json, dev.json) is not beside the project: the annotated texts live there",
)


# ---- the annotations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldNotice:
    """The annotated facts of one gold notice."""

    index: int
    benefits: tuple[Benefit, ...] = ()
    contacts: tuple[Contact, ...] = ()
    unquantified: tuple[str, ...] = ()
    policy_only: bool = False


@dataclass(frozen=True)
class GoldDocument:
    doc_id: str
    gold: str
    notices: tuple[GoldNotice, ...]


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: a number is expected, got {value!r}")
    return float(value)


def _benefit(data: Any, where: str) -> Benefit:
    if not isinstance(data, dict) or not set(data) <= BENEFIT_KEYS or "kind" not in data:
        raise ValueError(
            f"{where}: a benefit is a mapping of {sorted(BENEFIT_KEYS)} with a kind, got {data!r}"
        )
    if data["kind"] not in BENEFIT_KINDS:
        raise ValueError(f"{where}: unknown kind {data['kind']!r}")
    currency = data.get("currency", "CNY")
    if currency not in CURRENCIES:
        raise ValueError(f"{where}: unknown currency {currency!r}")
    amount, rate = _number(data.get("amount"), where), _number(data.get("rate"), where)
    amount_min = _number(data.get("amount_min"), where)
    if amount is None and rate is None:
        raise ValueError(
            f"{where}: a scored benefit has an amount or a rate (else list its kind in unquantified)"
        )
    if amount_min is not None and (amount is None or amount_min > amount):
        raise ValueError(f"{where}: amount_min needs a larger amount")
    for flag in ("capped", "one_off"):
        if not isinstance(data.get(flag, False), bool):
            raise ValueError(f"{where}: {flag} is true or false")
    tier = data.get("tier")
    if tier is not None and not isinstance(tier, str):
        raise ValueError(f"{where}: tier is a short label")
    return Benefit(
        kind=data["kind"],
        quote="",
        amount=amount,
        amount_min=amount_min,
        capped=data.get("capped", False),
        currency=currency,
        rate=rate,
        tier=tier,
        one_off=data.get("one_off", False),
    )


def _contact(data: Any, where: str) -> Contact:
    if not isinstance(data, dict) or set(data) != CONTACT_KEYS:
        raise ValueError(f"{where}: a contact is a mapping of exactly {sorted(CONTACT_KEYS)}, got {data!r}")
    name, phones, emails = data["name"], data["phones"], data["emails"]
    if name is not None and (not isinstance(name, str) or len(name) > 12):
        raise ValueError(f"{where}: name is a person's name (a short key) or null")
    if not isinstance(phones, list) or not all(isinstance(p, str) and PHONE.match(p) for p in phones):
        raise ValueError(f"{where}: phones must be normalised strings, got {phones!r}")
    if not isinstance(emails, list) or not all(isinstance(e, str) and EMAIL.match(e) for e in emails):
        raise ValueError(f"{where}: emails must be lower-case addresses, got {emails!r}")
    if not phones and not emails:
        raise ValueError(f"{where}: a contact has a phone or an email")
    return Contact(quote="", name=name, phones=tuple(phones), emails=tuple(emails))


def _notice(data: Any, where: str) -> GoldNotice:
    if not isinstance(data, dict) or not set(data) <= NOTICE_KEYS or not isinstance(data.get("notice"), int):
        raise ValueError(f"{where}: a notice is a mapping of {sorted(NOTICE_KEYS)} with an index `notice`")
    where = f"{where} notice {data['notice']}"
    if data.get("policy_only"):
        if set(data) != {"notice", "policy_only"}:
            raise ValueError(f"{where}: a policy text is not annotated")
        return GoldNotice(index=data["notice"], policy_only=True)
    if not isinstance(data.get("benefits"), list) or not isinstance(data.get("contacts"), list):
        raise ValueError(f"{where}: benefits and contacts are lists (empty when the notice has none)")
    unquantified = data.get("unquantified", [])
    if not isinstance(unquantified, list) or not set(unquantified) <= set(BENEFIT_KINDS):
        raise ValueError(f"{where}: unquantified lists benefit kinds")
    return GoldNotice(
        index=data["notice"],
        benefits=tuple(_benefit(b, f"{where} benefit {i}") for i, b in enumerate(data["benefits"])),
        contacts=tuple(_contact(c, f"{where} contact {i}") for i, c in enumerate(data["contacts"])),
        unquantified=tuple(unquantified),
    )


def load_annotations(path: Path = FACTS) -> dict[str, GoldDocument]:
    """The annotated documents by id, checked on load (ValueError names the document and the field)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("version") != 1 or not isinstance(raw.get("documents"), dict):
        raise ValueError(f"{path}: expected version 1 and a documents mapping")
    out: dict[str, GoldDocument] = {}
    for doc_id, data in raw["documents"].items():
        if not isinstance(data, dict) or set(data) != {"gold", "notices"} or data["gold"] not in GOLD_FILES:
            raise ValueError(f"{doc_id}: a document has `gold` (seeds or dev) and `notices`")
        notices = tuple(_notice(n, str(doc_id)) for n in data["notices"])
        if len({n.index for n in notices}) != len(notices):
            raise ValueError(f"{doc_id}: a gold notice is annotated twice")
        out[str(doc_id)] = GoldDocument(str(doc_id), data["gold"], notices)
    return out


def gold_documents() -> dict[str, dict[str, Any]]:
    """Every document of the gold files by id (a seed's ``file``, a dev document's ``id``)."""
    out: dict[str, dict[str, Any]] = {}
    for name, path in GOLD_FILES.items():
        for doc in json.loads(path.read_text(encoding="utf-8"))["documents"]:
            out[doc.get("id") or doc["file"]] = dict(doc, _gold=name)
    return out


# ---- matching -------------------------------------------------------------------------------------


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-6 * max(1.0, abs(a))


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def benefit_match(gold: Benefit, got: Benefit) -> bool:
    """Same kind family, amount, amount_min and rate; the tier too when the annotation names one."""
    if FAMILY[gold.kind] != FAMILY.get(got.kind, "money"):
        return False
    if not (
        _same(gold.amount, got.amount)
        and _same(gold.amount_min, got.amount_min)
        and _same(gold.rate, got.rate)
    ):
        return False
    if gold.tier:
        want, have = _squash(gold.tier), _squash(got.tier)
        return bool(have) and (want in have or have in want)
    return True


def phone_key(phone: str) -> tuple[str, str]:
    """(area or country code, number): the line a phone rings, its extension dropped.

    >>> phone_key("0571-87654321-8001"), phone_key("13812345678"), phone_key("+86 13812345678")
    (('0571', '87654321'), ('', '13812345678'), ('', '13812345678'))
    """
    groups = re.findall(r"\d+", phone)
    if not groups:
        return ("", phone)
    if phone.lstrip().startswith("+"):
        if groups[0] == "86" and len(groups) > 1:
            groups = groups[1:]
        else:
            return ("+" + groups[0], "".join(groups[1:2]))
    if len(groups) >= 2 and groups[0].startswith("0"):
        return (groups[0], groups[1])
    return ("", groups[0])


def phones_match(a: str, b: str) -> bool:
    (area_a, num_a), (area_b, num_b) = phone_key(a), phone_key(b)
    return num_a == num_b and (area_a == area_b or not area_a or not area_b)


def contact_match(gold: Contact, got: Contact) -> bool:
    """Shares a phone line or an email."""
    if {e.lower() for e in gold.emails} & {e.strip().lower() for e in got.emails}:
        return True
    return any(phones_match(g, p) for g in gold.phones for p in got.phones)


def scored_benefit(b: Benefit) -> bool:
    return b.amount is not None or b.rate is not None


def scored_contact(c: Contact) -> bool:
    return bool(c.phones or c.emails)


# ---- scoring --------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts for one kind of fact: gold found (one-to-one), gold total, extracted right, extracted."""

    found: int = 0
    gold: int = 0
    right: int = 0
    extracted: int = 0
    unscored: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


@dataclass
class Report:
    benefits: Tally = field(default_factory=Tally)
    contacts: Tally = field(default_factory=Tally)
    phones: Tally = field(default_factory=Tally)
    lines: list[str] = field(default_factory=list)
    #: matched facts with a flaw the match ignores: wrong currency or cap, repeats, stray phones
    notes: Counter[str] = field(default_factory=Counter)

    def note(self, label: str, kind: str, text: str, count: int = 1) -> None:
        self.notes[kind] += count
        self.lines.append(f"{label}: note: {text}")

    def summary(self) -> str:
        b, c, p = self.benefits, self.contacts, self.phones
        notes = ", ".join(f"{kind} {n}" for kind, n in sorted(self.notes.items())) or "none"
        return (
            f"benefits P={b.precision:.3f} R={b.recall:.3f} | contacts P={c.precision:.3f} R={c.recall:.3f}"
            f" (annotated {b.gold} benefits, {c.gold} contacts; extracted {b.extracted} + {b.unscored} unscored,"
            f" {c.extracted} + {c.unscored} unscored; phone lines P={p.precision:.3f} R={p.recall:.3f};"
            f" notes: {notes})"
        )


def _greedy(gold: list[Any], got: list[Any], match: Any) -> set[int]:
    used: set[int] = set()
    found: set[int] = set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(got):
            if pi not in used and match(g, p):
                used.add(pi)
                found.add(gi)
                break
    return found


def _benefit_text(b: Benefit) -> str:
    extra = " ".join(
        x for x in (b.currency, "capped" if b.capped else "", f"tier={b.tier}" if b.tier else "") if x
    )
    parts = [
        b.kind,
        f"amount={b.amount:g}" if b.amount is not None else "",
        f"rate={b.rate:g}%" if b.rate is not None else "",
    ]
    if b.amount_min is not None:
        parts.append(f"min={b.amount_min:g}")
    return " ".join(p for p in [*parts, extra] if p)


def _contact_text(c: Contact) -> str:
    return " ".join(x for x in (c.name or "-", *c.phones, *c.emails) if x)


def score_benefits(report: Report, label: str, gold: list[Benefit], got: list[Benefit]) -> None:
    scored = [b for b in got if scored_benefit(b)]
    report.benefits.unscored += len(got) - len(scored)
    found = _greedy(gold, scored, benefit_match)
    report.benefits.found += len(found)
    report.benefits.gold += len(gold)
    report.benefits.extracted += len(scored)
    for gi, g in enumerate(gold):
        if gi not in found:
            report.lines.append(f"{label}: missed benefit   {_benefit_text(g)}")
    for b in scored:
        hits = [g for g in gold if benefit_match(g, b)]
        if not hits:
            report.lines.append(f"{label}: extra benefit    {_benefit_text(b)} | {b.quote[:60]}")
            continue
        report.benefits.right += 1
        if all(g.currency != b.currency for g in hits):
            report.note(
                label, "currency", f"currency {b.currency}, annotated {hits[0].currency}: {_benefit_text(b)}"
            )
        if all(g.capped != b.capped for g in hits):
            report.note(label, "capped", f"capped={b.capped} differs from the annotation: {_benefit_text(b)}")
    repeats = sum(1 for b in scored if any(benefit_match(g, b) for g in gold)) - len(found)
    if repeats > 0:
        report.note(
            label, "repeated benefit", f"{repeats} extracted benefit(s) repeat an annotated one", repeats
        )


def score_contacts(report: Report, label: str, gold: list[Contact], got: list[Contact]) -> None:
    scored = [c for c in got if scored_contact(c)]
    report.contacts.unscored += len(got) - len(scored)
    report.contacts.gold += len(gold)
    report.contacts.extracted += len(scored)
    for g in gold:
        hits = [c for c in scored if contact_match(g, c)]
        if hits:
            report.contacts.found += 1
        else:
            report.lines.append(f"{label}: missed contact   {_contact_text(g)}")
        if len(hits) > 1:
            report.note(label, "split contact", f"{len(hits)} extracted contacts for {_contact_text(g)}")
    for c in scored:
        hits = [g for g in gold if contact_match(g, c)]
        if not hits:
            report.lines.append(f"{label}: extra contact    {_contact_text(c)} | {c.quote[:60]}")
            continue
        report.contacts.right += 1
        if len(hits) > 1:
            report.note(
                label, "merged contacts", f"one extracted contact merges {len(hits)}: {_contact_text(c)}"
            )
    _score_phones(report, label, gold, scored)


def _score_phones(report: Report, label: str, gold: list[Contact], got: list[Contact]) -> None:
    """Phone lines: a finer view (a wrong or missing number inside a matched contact shows here)."""
    gold_phones = [phone for contact in gold for phone in contact.phones]
    got_phones = [phone for contact in got for phone in contact.phones]
    report.phones.gold += len(gold_phones)
    report.phones.found += len(_greedy(gold_phones, got_phones, phones_match))
    report.phones.extracted += len(got_phones)
    matched_got = {id(c) for c in got if any(contact_match(g, c) for g in gold)}
    matched_gold = {id(g) for g in gold if any(contact_match(g, c) for c in got)}
    for contact in got:
        for phone in contact.phones:
            if any(phones_match(want, phone) for want in gold_phones):
                report.phones.right += 1
            elif id(contact) in matched_got:
                report.note(label, "stray phone", f"phone {phone} not annotated (in a matched contact)")
    for contact in gold:
        for want in contact.phones:
            if id(contact) in matched_gold and not any(phones_match(want, phone) for phone in got_phones):
                report.note(label, "missing phone", f"phone {want} missing from a matched contact")


def _groups(
    annotated: GoldDocument, gold_doc: dict[str, Any], doc: Document
) -> Iterable[tuple[str, GoldNotice | None, list[Any]]]:
    """(label, annotated notice or None, extracted notices) for each scored group of the document."""
    gold_notices = gold_doc.get("notices") or []
    by_index = {n.index: n for n in annotated.notices}
    if len(gold_notices) == 1:
        note = by_index.get(0)
        if note is not None and not note.policy_only:
            yield annotated.doc_id, note, list(doc.notices)
        return
    assigned: dict[int, list[Any]] = {i: [] for i in range(len(gold_notices))}
    stray = []
    for notice in doc.notices:
        title = _squash(notice.title)
        hit = next(
            (
                i
                for i, g in enumerate(gold_notices)
                if g.get("title_contains") and _squash(g["title_contains"]) in title
            ),
            None,
        )
        if hit is not None:
            assigned[hit].append(notice)
        elif not notice.policy_only:
            stray.append(notice)
    for i, gold_notice in enumerate(gold_notices):
        note = by_index.get(i)
        if note is None or note.policy_only:
            continue
        yield f"{annotated.doc_id}#{i} {gold_notice.get('title_contains') or ''}", note, assigned[i]
    for notice in stray:
        yield f"{annotated.doc_id} (extracted notice {notice.title[:24]!r}, not in the gold)", None, [notice]


def _extract(doc_id: str, gold_doc: dict[str, Any], workdir: Path) -> Document:
    published = dt.date.fromisoformat(gold_doc["published"]) if gold_doc.get("published") else None
    if gold_doc.get("text") is not None:
        path = workdir / f"{doc_id}.txt"
        path.write_text(gold_doc["text"], encoding="utf-8")
    else:
        path = SHARED / "seeds" / gold_doc["file"]
    return extract(path, published=published)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    annotations = load_annotations()
    documents = gold_documents()
    workdir = tmp_path_factory.mktemp("facts_gold")
    out = Report()
    for doc_id, annotated in annotations.items():
        gold_doc = documents[doc_id]
        doc = _extract(doc_id, gold_doc, workdir)
        for label, note, notices in _groups(annotated, gold_doc, doc):
            benefits = [b for n in notices for b in n.benefits]
            contacts = [c for n in notices for c in n.contacts]
            score_benefits(out, label, list(note.benefits) if note else [], benefits)
            score_contacts(out, label, list(note.contacts) if note else [], contacts)
    print("\n".join(["", *out.lines, out.summary()]))  # noqa: T201 - mismatches and the figures (pytest -s)
    return out


@needs_shared
def test_benefits_meet_targets(report: Report) -> None:
    b = report.benefits
    assert b.precision >= TARGET_P and b.recall >= TARGET_R, "\n".join(
        [report.summary(), *[line for line in report.lines if "benefit" in line]]
    )


@needs_shared
def test_contacts_meet_targets(report: Report) -> None:
    c = report.contacts
    assert c.precision >= TARGET_P and c.recall >= TARGET_R, "\n".join(
        [report.summary(), *[line for line in report.lines if "contact" in line or "phone" in line]]
    )
