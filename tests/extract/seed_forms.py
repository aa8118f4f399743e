"""The seeds' gold was annotated before GUIDE.md fixed three condition forms; this maps them.

- ``registered_region in X`` is now ``registered_region == X`` (GUIDE: ``registered_region`` (== the place));
- ``legal_person == True`` is now ``legal_person has 独立法人资格``;
- ``credit == no_serious_violation`` is now ``credit not_has <what must not be listed or done>``.

The dev set and the notices scored outside the repository use the GUIDE forms, so the extractor writes
those; the seed figures are compared after this mapping (the raw scorer line on seeds is lower).
"""

from __future__ import annotations

from typing import Any

__all__ = ["guide_form", "guide_gold"]

#: (field, old op) → (new op, new value or None to keep the old value)
_FORMS: dict[tuple[str, str], tuple[str, Any]] = {
    ("registered_region", "in"): ("==", None),
    ("legal_person", "=="): ("has", "独立法人资格"),
}


def guide_form(cond: dict[str, Any]) -> dict[str, Any]:
    """One gold condition in the GUIDE's form (a copy; others unchanged)."""
    new = _FORMS.get((cond["field"], cond["op"]))
    if new is None:
        return cond
    op, value = new
    return {**cond, "op": op, "value": cond["value"] if value is None else value}


def _is_old_credit(cond: dict[str, Any]) -> bool:
    return cond["field"] == "credit" and cond["op"] == "=="


def guide_gold(gold: dict[str, Any]) -> dict[str, Any]:
    """A whole gold file in the GUIDE's forms. The old credit flag names no phrase the scorer could
    compare, so it is dropped from the optional items (it never counted towards recall)."""
    docs = []
    for doc in gold["documents"]:
        notices = []
        for n in doc.get("notices", []):
            n = dict(n)
            for key in ("conditions", "optional_conditions"):
                if key in n:
                    n[key] = [guide_form(c) for c in n[key] if not _is_old_credit(c)]
            notices.append(n)
        docs.append({**doc, "notices": notices})
    return {**gold, "documents": docs}
