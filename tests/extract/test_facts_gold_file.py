"""The benefit and contact annotations (tests/extract/data/facts_gold.yaml) are well formed and point
at real gold documents and notices; their values follow reminder/model.py's conventions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_facts_gold import (
    FACTS,
    GOLD_FILES,
    Report,
    gold_documents,
    load_annotations,
    phone_key,
    score_benefits,
    score_contacts,
)

from reminder.model import Benefit, Contact


def test_annotations_load_with_the_right_types() -> None:
    annotations = load_annotations()
    assert annotations, "no annotated document"
    for doc in annotations.values():
        for notice in doc.notices:
            assert all(isinstance(b, Benefit) and (b.amount or b.rate) for b in notice.benefits)
            assert all(isinstance(c, Contact) and (c.phones or c.emails) for c in notice.contacts)
            # the label a card would show can be made from every annotation
            assert all(b.label() for b in notice.benefits)


def test_the_file_holds_values_not_sentences() -> None:
    text = FACTS.read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    values = "\n".join(line.split("#", 1)[0] for line in body)
    assert "quote" not in values and "。" not in values and "，" not in values


def test_a_bad_annotation_is_refused_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "facts.yaml"
    bad.write_text(
        "version: 1\ndocuments:\n  x:\n    gold: dev\n    notices:\n"
        "      - {notice: 0, benefits: [{kind: grant, amount: 5}], contacts: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="x notice 0 benefit 0: unknown kind"):
        load_annotations(bad)
    bad.write_text(
        "version: 1\ndocuments:\n  x:\n    gold: dev\n    notices:\n"
        "      - {notice: 0, benefits: [], contacts: [{name: 张三, phones: ['(0571)8765 4321'], emails: []}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="phones must be normalised"):
        load_annotations(bad)


def test_phone_lines_ignore_extensions_and_the_country_code() -> None:
    assert phone_key("0571-87654321-8001") == phone_key("0571-87654321") == ("0571", "87654321")
    assert phone_key("+86 13812345678") == phone_key("13812345678") == ("", "13812345678")
    assert phone_key("+852 21234567") == ("+852", "21234567")


@pytest.mark.skipif(
    not all(p.exists() for p in GOLD_FILES.values()), reason="../shared/gold (seeds.json, dev.json) is absent"
)
def test_every_annotation_points_at_a_gold_notice() -> None:
    annotations = load_annotations()
    documents = gold_documents()
    seeds = [d for d, g in documents.items() if g["_gold"] == "seeds"]
    assert set(seeds) <= set(annotations), "every seed document is annotated"
    assert sum(1 for a in annotations.values() if a.gold == "dev") == 20
    for doc_id, annotated in annotations.items():
        assert doc_id in documents, f"{doc_id} is in no gold file"
        gold = documents[doc_id]
        assert gold["_gold"] == annotated.gold, doc_id
        indices = {n.index for n in annotated.notices}
        assert indices <= set(range(len(gold["notices"]))), f"{doc_id}: notice index out of range"
        if annotated.gold == "seeds":
            assert indices == set(range(len(gold["notices"]))), f"{doc_id}: every seed notice is annotated"
        for notice in annotated.notices:
            assert notice.policy_only == bool(gold["notices"][notice.index].get("policy_only")), doc_id


@pytest.mark.skipif(
    not all(p.exists() for p in GOLD_FILES.values()), reason="../shared/gold (seeds.json, dev.json) is absent"
)
def test_annotated_phones_and_emails_are_in_the_texts() -> None:
    """Each annotated email, and each phone's digits, occur in its document (typos caught early)."""
    documents = gold_documents()
    for doc_id, annotated in load_annotations().items():
        gold = documents[doc_id]
        text = gold.get("text")
        if text is None:
            text = (GOLD_FILES["seeds"].parents[1] / "seeds" / gold["file"]).read_text(encoding="utf-8")
        flat = "".join(text.split()).lower()
        for notice in annotated.notices:
            for contact in notice.contacts:
                for email in contact.emails:
                    assert email in flat, f"{doc_id}: {email}"
                for phone in contact.phones:
                    assert phone_key(phone)[1] in flat, f"{doc_id}: {phone}"


def test_the_annotations_score_perfectly_against_themselves_and_errors_count() -> None:
    """The scorer itself: the annotations as the extraction give P = R = 1; changed values do not."""
    report = Report()
    for doc in load_annotations().values():
        for notice in doc.notices:
            score_benefits(report, doc.doc_id, list(notice.benefits), list(notice.benefits))
            score_contacts(report, doc.doc_id, list(notice.contacts), list(notice.contacts))
    assert report.summary().startswith("benefits P=1.000 R=1.000 | contacts P=1.000 R=1.000"), report.lines
    gold = [b for d in load_annotations().values() for n in d.notices for b in n.benefits][:2]
    contacts = [c for d in load_annotations().values() for n in d.notices for c in n.contacts][:2]
    worse = Report()
    score_benefits(worse, "x", gold, [replace(gold[0], amount=(gold[0].amount or 0) + 1), gold[1], gold[1]])
    # a local number without its area code still rings the same line; a wrong email does not
    local = replace(contacts[0], phones=tuple(p.split("-", 1)[-1] for p in contacts[0].phones))
    score_contacts(worse, "x", contacts, [local, replace(contacts[1], phones=(), emails=("a@b.cn",))])
    assert (worse.benefits.found, worse.benefits.right, worse.benefits.extracted) == (1, 2, 3)
    assert (worse.contacts.found, worse.contacts.right, worse.contacts.extracted) == (1, 1, 2)
