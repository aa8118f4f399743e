"""Operators' corrections of extracted notices: recorded, re-applied to the stored rows and to every new version.

add_correction / apply_corrections / save_corrected ── service.py
applying corrections to a Notice (selectors) ───────── _corrected.py
checking and normalising corrected values ──────────── values.py
"""

from reminder.corrections.service import (
    ACTIONS,
    FACT_TARGETS,
    TARGETS,
    add_correction,
    apply_corrections,
    condition_selector,
    deadline_selector,
    describe_correction,
    fact_selector,
    list_corrections,
    save_corrected,
    selector_for,
)

__all__ = [
    "ACTIONS",
    "FACT_TARGETS",
    "TARGETS",
    "add_correction",
    "apply_corrections",
    "condition_selector",
    "deadline_selector",
    "describe_correction",
    "fact_selector",
    "list_corrections",
    "save_corrected",
    "selector_for",
]
