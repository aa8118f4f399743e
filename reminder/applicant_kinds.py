"""Kinds of applicant a call is restricted to (工业企业, 商业企业, 文化企业, 孵化器运营机构, 集聚区).

One table (``reminder/data/applicant_kinds.yaml``) read by the extractor (the words notices use) and
the engine (how a profile's 所属行业 / 行业标签 decides it):

    kind_by_word("商贸企业")           → the 商业 kind (a condition ``industry in [商业]``)
    section_of("摩托车制造业")          → "C" (GB/T 4754 门类, by 大类 name or a word of the section)
    fits_kind(kind, industry, tags)    → "pass" | "fail" | "unknown"

>>> fits_kind(kind_by_value("工业"), "仪器仪表制造业", ())
'pass'
>>> fits_kind(kind_by_value("工业"), "软件和信息技术服务业", ())
'fail'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from reminder import tables

__all__ = ["Kind", "Fit", "KINDS_FILE", "kinds", "kind_by_word", "kind_by_value", "section_of", "fits_kind"]

KINDS_FILE = "applicant_kinds.yaml"
Fit = Literal["pass", "fail", "unknown"]
_FIELDS = ("industry", "applicant_type")
_KIND_KEYS = ("value", "field", "words", "sections", "divisions", "possible", "tags")


@dataclass(frozen=True)
class Kind:
    """One kind of applicant."""

    #: the condition value (工业)
    value: str
    #: the condition field: industry, or applicant_type for applicants that are not companies
    field: str
    #: how notices write it (工业企业, 制造业企业…)
    words: tuple[str, ...]
    #: GB/T 4754 门类 whose industries are of this kind
    sections: frozenset[str]
    #: 大类 names of this kind outside those sections (印刷和记录媒介复制业 for 文化)
    divisions: frozenset[str]
    #: sections where only some companies are of this kind: a person must check
    possible: frozenset[str]
    #: words in 所属行业 / 行业标签 that make a company one
    tags: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    kinds: tuple[Kind, ...]
    #: 大类 name → 门类
    divisions: Mapping[str, str]
    #: (word, 门类), longest first
    section_words: tuple[tuple[str, str], ...]


def _strs(key: str, value: object) -> tuple[str, ...]:
    return tuple(tables.as_str_list(KINDS_FILE, key, value))


@tables.cached
def _table() -> _Table:
    data = tables.load_table("reminder", KINDS_FILE, {"sections": dict, "kinds": list})
    divisions: dict[str, str] = {}
    words: list[tuple[str, str]] = []
    for code, item in data["sections"].items():
        tables.check_keys(
            KINDS_FILE, f"sections.{code}", item, ("divisions", "words"), required=("divisions",)
        )
        divisions.update((d, str(code)) for d in _strs(f"sections.{code}.divisions", item["divisions"]))
        words += [(w, str(code)) for w in _strs(f"sections.{code}.words", item.get("words"))]
    out = []
    for i, item in enumerate(data["kinds"]):
        where = f"kinds[{i}]"
        tables.check_keys(KINDS_FILE, where, item, _KIND_KEYS, required=("value", "field", "words"))
        if item["field"] not in _FIELDS:
            raise tables.table_error(
                KINDS_FILE, f"{where}.field", f"须为 {_FIELDS} 之一", f"must be one of {_FIELDS}"
            )
        codes = {k: frozenset(_strs(f"{where}.{k}", item.get(k))) for k in ("sections", "possible")}
        for key, listed in codes.items():
            if not listed <= data["sections"].keys():
                raise tables.table_error(KINDS_FILE, f"{where}.{key}", "未知门类", "unknown section")
        out.append(
            Kind(
                value=str(item["value"]),
                field=str(item["field"]),
                words=_strs(f"{where}.words", item["words"]),
                sections=codes["sections"],
                divisions=frozenset(_strs(f"{where}.divisions", item.get("divisions"))),
                possible=codes["possible"],
                tags=_strs(f"{where}.tags", item.get("tags")),
            )
        )
    return _Table(tuple(out), divisions, tuple(sorted(words, key=lambda p: -len(p[0]))))


def kinds() -> tuple[Kind, ...]:
    """Every kind of the table, in table order."""
    return _table().kinds


def kind_by_word(word: str) -> Kind | None:
    """The kind a notice's word names (商贸企业 → 商业), None for a word of no kind."""
    return next((k for k in kinds() if word in k.words), None)


def kind_by_value(value: str) -> Kind | None:
    """The kind a condition value stands for (工业), None when the value is no kind."""
    return next((k for k in kinds() if k.value == value), None)


def section_of(industry: str) -> str | None:
    """The GB/T 4754 门类 of an industry name: by 大类 name, else by a section word; None when unknown."""
    table = _table()
    if industry in table.divisions:
        return table.divisions[industry]
    return next((code for word, code in table.section_words if word in industry), None)


def fits_kind(kind: Kind | None, industry: str | None, tags: Iterable[str]) -> Fit:
    """Whether a company of that industry (and tags) is of the kind.

    A tag of the kind, or an industry of its sections or divisions, passes; an industry of a section
    where only some companies are of the kind, or of no known section, is unknown; any other known
    industry fails. Inputs are simplified text.
    """
    if kind is None:
        return "unknown"
    texts = [t for t in (industry or "", *tags) if t]
    if any(tag in text for tag in kind.tags for text in texts):
        return "pass"
    if not industry:
        return "unknown"
    section = section_of(industry)
    if industry in kind.divisions or section in kind.sections:
        return "pass"
    if section is None or section in kind.possible:
        return "unknown"
    return "fail"
