"""The vocabulary of eligibility conditions, loaded and compiled from ``data/*.yaml``.

    conditions.yaml      fields, units, comparison words, section and sentence cues
    reminder/data/qualifications.yaml
                         enterprise qualifications and how notices write them (shared with matching)
    regions.yaml         country and "this city" words, words around a region
    (region names: the one region data set, reminder.rules.regions.region_names)

Everything is validated when it loads; a mistake raises :class:`DataFileError` naming file and key.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from reminder import tables
from reminder.errors import DataFileError
from reminder.extract._data import alternation, load_table
from reminder.fields import condition_fields
from reminder.rules.regions import region_names  # the one region data set

__all__ = ["FieldSpec", "Vocab", "vocab", "QUOTES"]

#: characters a notice may put inside a name (专精特新“小巨人”企业)
QUOTES = "“”\"'‘’「」『』 "

_CONDITIONS_KEYS: dict[str, type] = {
    "fields": list,
    "ratio_fields": list,
    "ratio_of": list,
    "units": dict,
    "unit_names": dict,
    "numeral_digits": dict,
    "numeral_units": dict,
    "comparators": dict,
    "currency_units": dict,
    "age_anchors": list,
    "prefilter_words": list,
    "sections": dict,
    "groups": dict,
    "cues": dict,
    "legal_person": list,
    "legal_person_value": str,
    "credit": dict,
    "applicant_types": dict,
    "applicant_type_cues": list,
    "industry": dict,
    "founding": dict,
}
_FIELD_KEYS = {"field", "units", "context", "words"}
_COMPARATOR_KEYS = {
    "prefix",
    "suffix",
    "weak_prefix",
    "inclusive",
    "exclusive",
    "range_joiners",
    "range_tail",
    "currency",
}
_SECTION_KEYS = {"eligibility", "blocking", "heading_max_chars"}
_GROUP_KEYS = {"all_of_intro", "any_of_intro", "alternative", "exclusion"}
_CUE_KEYS = {
    "requirement",
    "applicant",
    "benefit",
    "target",
    "term",
    "statistic",
    "consequence",
    "soft",
    "encouragement",
    "negation",
    "exclusion_after",
}
_INDUSTRY_KEYS = {"anchors", "heads", "modifiers", "reject"}
_FOUNDING_KEYS = {
    "subjects",
    "other_subjects",
    "verbs",
    "weak_verbs",
    "before",
    "after",
    "compare",
    "not_after",
    "not_between",
}
_REGION_KEYS: dict[str, type] = {
    "countries": dict,
    "local": dict,
    "blacklist": list,
    "stop_chars": str,
    "after_region": list,
    "before_region": list,
}
_OPS = {"<=", "<", ">=", ">", "=="}
_QUALIFICATION_KEYS = ("name", "synonyms", "variants", "typed", "implies")
_CONTEXTS = {"any", "eligibility"}


@dataclass(frozen=True)
class FieldSpec:
    """What a field word means: the canonical field, its allowed unit classes, where it counts."""

    field: str
    unit_classes: tuple[str, ...]
    context: str


@dataclass(frozen=True, eq=False)
class Vocab:
    """The compiled vocabulary (one instance per process, see :func:`vocab`); hashed by identity."""

    field_words: dict[str, FieldSpec]
    field_alt: str
    ratio_rx: re.Pattern[str]
    #: 研发费用不低于营业收入的3%: one alternation; alternative i (measure ``m{i}``, comparator ``c{i}``) is
    #: about ``ratio_of_fields[i]``
    ratio_of_rx: re.Pattern[str]
    ratio_of_fields: tuple[str, ...]
    units: dict[str, tuple[str, float]]
    unit_alt: str
    unit_names: dict[str, str]
    digits: dict[str, int]
    numeral_units: dict[str, int]
    prefix_ops: dict[str, str]
    suffix_ops: dict[str, str]
    weak_prefix: frozenset[str]
    inclusive: frozenset[str]
    exclusive: frozenset[str]
    comparators: dict[str, list[str]]
    #: a foreign currency word (match view) → how the unit names it: 新台币 → 新臺幣
    currency_units: dict[str, str]
    age_alt: str
    prefilter_words: tuple[str, ...]
    eligibility_rx: re.Pattern[str]
    blocking_rx: re.Pattern[str]
    heading_max: int
    #: one search per line for both kinds of list intro; the group named "all" is an all-of intro
    intro_rx: re.Pattern[str]
    any_of_rx: re.Pattern[str]
    alternative_rx: re.Pattern[str]
    #: after a list intro: the list names exclusions (不得申报)
    exclusion_rx: re.Pattern[str]
    cues: dict[str, re.Pattern[str]]
    legal_rx: re.Pattern[str]
    legal_value: str
    #: one alternation; alternative i is group ``c{i}`` (its phrase: group ``o{i}``), its op ``credit_ops[i]``
    credit_rx: re.Pattern[str]
    credit_ops: tuple[str, ...]
    applicant_types: dict[str, tuple[str, ...]]
    applicant_type_rx: re.Pattern[str]
    applicant_cue_rx: re.Pattern[str]
    industry: dict[str, list[str]]
    #: founding dates (须在2022年12月31日前注册成立): word lists, and ``compare`` word → operator
    founding: dict[str, Any]
    qualification_rx: re.Pattern[str]
    qualification_values: dict[str, str]
    region_names: frozenset[str]
    region_max: int
    countries: dict[str, str]
    local: dict[str, str]
    region_stop: frozenset[str]
    region_anchors: dict[str, re.Pattern[str]]
    #: two-character short names of counties and districts (黄岩 → 黄岩区), each meaning one division only:
    #: read only right before an area anchor (在黄岩行政区域内注册), being ordinary words elsewhere
    region_short: dict[str, str]


def _fail(file: str, key: str, why: str) -> DataFileError:
    return DataFileError(f"{file}.yaml: 键 {key!r} 有误 / bad key {key!r}: {why}")


def _strings(file: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
        raise _fail(file, key, "must be a list of non-empty strings")
    return list(value)


def _compile(file: str, key: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise _fail(file, key, f"bad regex {pattern!r}: {exc}") from exc


def _exact_keys(file: str, key: str, value: Any, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        got = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise _fail(file, key, f"must have exactly the keys {sorted(keys)}, got {got}")
    return value


def _fields(raw: list[Any], units: dict[str, Any]) -> dict[str, FieldSpec]:
    words: dict[str, FieldSpec] = {}
    for i, entry in enumerate(raw):
        key = f"fields[{i}]"
        entry = _exact_keys("conditions", key, entry, _FIELD_KEYS)
        classes = tuple(_strings("conditions", f"{key}.units", entry["units"]))
        if not set(classes) <= set(units) or entry["context"] not in _CONTEXTS:
            raise _fail(
                "conditions", key, f"units must be among {sorted(units)}, context among {sorted(_CONTEXTS)}"
            )
        if entry["field"] not in condition_fields():  # the field registry names every field
            raise _fail("conditions", f"{key}.field", f"{entry['field']!r} is not in the field registry")
        spec = FieldSpec(str(entry["field"]), classes, str(entry["context"]))
        for word in _strings("conditions", f"{key}.words", entry["words"]):
            if word in words:
                raise _fail("conditions", key, f"field word {word!r} is listed twice")
            words[word] = spec
    return words


def _ratio_rx(raw: list[Any]) -> re.Pattern[str]:
    parts = []
    for i, entry in enumerate(raw):
        entry = _exact_keys("conditions", f"ratio_fields[{i}]", entry, {"field", "patterns"})
        pats = _strings("conditions", f"ratio_fields[{i}].patterns", entry["patterns"])
        parts.append(f"(?P<{entry['field']}>{'|'.join(pats)})")
    return _compile("conditions", "ratio_fields", "|".join(parts))


def _ratio_of(raw: list[Any], prefix_ops: list[str]) -> dict[str, Any]:
    """ratio_of: [{field, measure, base}] → one pattern: measure, comparator, base 的, number %."""
    parts, fields = [], []
    comparator = alternation(prefix_ops)
    for i, entry in enumerate(raw):
        entry = _exact_keys("conditions", f"ratio_of[{i}]", entry, {"field", "measure", "base"})
        measure, base = str(entry["measure"]), str(entry["base"])
        parts.append(f"(?P<m{i}>{measure})(?:须|应|均|要)?\\s*(?P<c{i}>{comparator})\\s*(?:{base})")
        fields.append(str(entry["field"]))
    pattern = f"(?:{'|'.join(parts)})的?\\s*(?P<num>\\d+(?:\\.\\d+)?)\\s*(?P<unit>%)"
    return {"ratio_of_rx": _compile("conditions", "ratio_of", pattern), "ratio_of_fields": tuple(fields)}


def _units(raw: dict[str, Any]) -> dict[str, tuple[str, float]]:
    out: dict[str, tuple[str, float]] = {}
    for cls, table in raw.items():
        if not isinstance(table, dict):
            raise _fail("conditions", f"units.{cls}", "must map unit word → factor")
        for word, factor in table.items():
            if not isinstance(factor, int | float) or str(word) in out:
                raise _fail("conditions", f"units.{cls}.{word}", "factor must be a number, word unique")
            out[str(word)] = (str(cls), float(factor))
    return out


def _ops(key: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not set(raw.values()) <= _OPS:
        raise _fail("conditions", f"comparators.{key}", f"must map word → one of {sorted(_OPS)}")
    return {str(k): str(v) for k, v in raw.items()}


def _words_rx(file: str, key: str, words: Any) -> re.Pattern[str]:
    return _compile(file, key, alternation(_strings(file, key, words)))


def _qualifications() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every spelling a notice may use (no groups: that keeps the regex fast), and
    spelling → value (the canonical name; a variant stands for itself).

    The table is the one matching reads too (``reminder/data/qualifications.yaml``); spellings only
    users type (``typed``) are not searched for.
    """
    raw = tables.load_table("reminder", "qualifications.yaml", {"qualifications": list})["qualifications"]
    values: dict[str, str] = {}
    for i, entry in enumerate(raw):
        where = f"qualifications[{i}]"
        tables.check_keys("qualifications.yaml", where, entry, _QUALIFICATION_KEYS, required=("name",))
        name = str(entry["name"])
        for alias in [
            name,
            *_strings("qualifications", f"{where}.synonyms", entry.get("synonyms", []) or []),
        ]:
            values[_squeeze(alias)] = name
        variants = _strings("qualifications", f"{where}.variants", entry.get("variants", []) or [])
        for variant in variants:  # the first spelling names the narrower title
            values[_squeeze(variant)] = variants[0]
    aliases = sorted(values, key=len, reverse=True)
    quote = "[" + re.escape(QUOTES) + "]*"
    # 专精特新“小巨人”企业: quotes may stand between any two characters of an alias
    pattern = "|".join(quote.join(re.escape(ch) for ch in alias) for alias in aliases)
    return _compile("qualifications", "qualifications", pattern), values


def _squeeze(alias: str) -> str:
    """How a spelling is looked up: without spaces and quote marks (the text's quotes are skipped too)."""
    return "".join(ch for ch in alias if ch not in QUOTES)


def _inverse(file: str, key: str, raw: Any) -> dict[str, str]:
    """{value: [words]} → {word: value}."""
    if not isinstance(raw, dict):
        raise _fail(file, key, "must map value → list of words")
    return {w: str(v) for v, words in raw.items() for w in _strings(file, f"{key}.{v}", words)}


def _regions() -> dict[str, Any]:
    raw = load_table("regions", _REGION_KEYS)
    names = set(region_names())
    blacklist = set(_strings("regions", "blacklist", raw["blacklist"]))
    names -= blacklist
    short = {
        key: found[0].name
        for key, found in region_names(short_counties=2).items()
        if len(key) == 2 and len(found) == 1 and key not in names and key not in blacklist
    }
    anchors = {
        key: _compile("regions", key, "|".join(_strings("regions", key, raw[key])))
        for key in ("after_region", "before_region")
    }
    countries = _inverse("regions", "countries", raw["countries"])
    local = _inverse("regions", "local", raw["local"])
    return {
        "region_names": frozenset(names),
        "region_max": max(len(n) for n in names | set(countries) | set(local)),
        "countries": countries,
        "local": local,
        "region_stop": frozenset(raw["stop_chars"]),
        "region_anchors": anchors,
        "region_short": short,
    }


def _cues(raw: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    """Each cue list is an alternation of regexes (most entries are plain words), longest first."""
    raw = _exact_keys("conditions", "cues", raw, _CUE_KEYS)
    return {
        key: _compile(
            "conditions",
            f"cues.{key}",
            "|".join(sorted(_strings("conditions", f"cues.{key}", words), key=len, reverse=True)),
        )
        for key, words in raw.items()
    }


def _numerals(data: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    for key in ("numeral_digits", "numeral_units"):
        if not all(isinstance(v, int) for v in data[key].values()):
            raise _fail("conditions", key, "must map numeral → integer")
    return dict(data["numeral_digits"]), dict(data["numeral_units"])


def _comparators(raw: Any) -> dict[str, Any]:
    comp = _exact_keys("conditions", "comparators", raw, _COMPARATOR_KEYS)
    lists = {
        k: _strings("conditions", f"comparators.{k}", comp[k])
        for k in _COMPARATOR_KEYS - {"prefix", "suffix"}
    }
    return {
        "prefix_ops": _ops("prefix", comp["prefix"]),
        "suffix_ops": _ops("suffix", comp["suffix"]),
        "weak_prefix": frozenset(lists["weak_prefix"]),
        "inclusive": frozenset(lists["inclusive"]),
        "exclusive": frozenset(lists["exclusive"]),
        "comparators": lists,
    }


def _sections(data: dict[str, Any]) -> dict[str, Any]:
    sec = _exact_keys("conditions", "sections", data["sections"], _SECTION_KEYS)
    grp = _exact_keys("conditions", "groups", data["groups"], _GROUP_KEYS)
    if not isinstance(sec["heading_max_chars"], int):
        raise _fail("conditions", "sections.heading_max_chars", "must be an integer")
    return {
        "eligibility_rx": _words_rx("conditions", "sections.eligibility", sec["eligibility"]),
        "blocking_rx": _words_rx("conditions", "sections.blocking", sec["blocking"]),
        "heading_max": sec["heading_max_chars"],
        "intro_rx": _compile(
            "conditions", "groups", f"(?P<any>{grp['any_of_intro']})|(?P<all>{grp['all_of_intro']})"
        ),
        "any_of_rx": _compile("conditions", "groups.any_of_intro", str(grp["any_of_intro"])),
        "alternative_rx": _words_rx("conditions", "groups.alternative", grp["alternative"]),
        "exclusion_rx": _words_rx("conditions", "groups.exclusion", grp["exclusion"]),
    }


def _credit(raw: Any) -> dict[str, Any]:
    """credit: {not_has: [regex], has: [regex], listed: [regex]}; a regex names the phrase kept as value
    ``(?P<obj>…)``. ``listed`` ones only count in a list of exclusions (then as not_has)."""
    raw = _exact_keys("conditions", "credit", raw, {"not_has", "has", "listed"})
    parts: list[str] = []
    ops: list[str] = []
    for op in ("not_has", "has", "listed"):
        for pattern in _strings("conditions", f"credit.{op}", raw[op]):
            i = len(ops)
            if "(?P<obj>" not in pattern:
                pattern = f"(?P<obj>{pattern})"
            parts.append(f"(?P<c{i}>{pattern.replace('(?P<obj>', f'(?P<o{i}>')})")
            ops.append(op)
    return {"credit_rx": _compile("conditions", "credit", "|".join(parts)), "credit_ops": tuple(ops)}


def _entities(data: dict[str, Any]) -> dict[str, Any]:
    types = data["applicant_types"]
    type_words = _inverse("conditions", "applicant_types", types)
    industry = _exact_keys("conditions", "industry", data["industry"], _INDUSTRY_KEYS)
    return {
        "legal_value": str(data["legal_person_value"]),
        "legal_rx": _compile(
            "conditions",
            "legal_person",
            "|".join(_strings("conditions", "legal_person", data["legal_person"])),
        ),
        **_credit(data["credit"]),
        # 企业+事业单位: one word (企事业单位) standing for two kinds
        "applicant_types": {w: tuple(v.split("+")) for w, v in type_words.items()},
        "applicant_type_rx": _compile("conditions", "applicant_types", alternation(list(type_words))),
        "applicant_cue_rx": _words_rx("conditions", "applicant_type_cues", data["applicant_type_cues"]),
        "industry": {k: _strings("conditions", f"industry.{k}", v) for k, v in industry.items()},
        "founding": _founding(data["founding"]),
    }


def _founding(raw: Any) -> dict[str, Any]:
    raw = _exact_keys("conditions", "founding", raw, _FOUNDING_KEYS)
    out: dict[str, Any] = {
        k: _strings("conditions", f"founding.{k}", v) for k, v in raw.items() if k != "compare"
    }
    compare = raw["compare"]
    if not isinstance(compare, dict) or not compare or not set(compare.values()) <= _OPS - {"=="}:
        raise _fail("conditions", "founding.compare", f"must map words to one of {sorted(_OPS - {'=='})}")
    if not set(out["weak_verbs"]) <= set(out["verbs"]):
        raise _fail(
            "conditions", "founding.weak_verbs", "every weak verb must also be listed in founding.verbs"
        )
    out["compare"] = {str(k): str(v) for k, v in compare.items()}
    return out


@functools.cache
def vocab() -> Vocab:
    """The compiled vocabulary; loaded once per process.

    Raises:
        DataFileError: a data file is malformed (names file and key).
    """
    data = load_table("conditions", _CONDITIONS_KEYS)
    units = _units(data["units"])
    words = _fields(data["fields"], data["units"])
    digits, numeral_units = _numerals(data)
    qual_rx, qual_values = _qualifications()
    return Vocab(
        field_words=words,
        field_alt=alternation(list(words)),
        ratio_rx=_ratio_rx(data["ratio_fields"]),
        **_ratio_of(data["ratio_of"], list(data["comparators"]["prefix"])),
        units=units,
        unit_alt=alternation(list(units)),
        unit_names={str(k): str(v) for k, v in data["unit_names"].items()},
        currency_units={str(k): str(v) for k, v in data["currency_units"].items()},
        digits=digits,
        numeral_units=numeral_units,
        age_alt=alternation(_strings("conditions", "age_anchors", data["age_anchors"])),
        prefilter_words=tuple(_strings("conditions", "prefilter_words", data["prefilter_words"])),
        cues=_cues(data["cues"]),
        qualification_rx=qual_rx,
        qualification_values=qual_values,
        **_comparators(data["comparators"]),
        **_sections(data),
        **_entities(data),
        **_regions(),
    )
