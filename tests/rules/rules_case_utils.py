"""Helpers for the rules tests: reading case files and building conditions (imported by test modules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reminder.model import Condition

CASES = Path(__file__).parent / "cases"


def load_cases(name: str) -> dict[str, Any]:
    """A case file of tests/rules/cases/."""
    data: dict[str, Any] = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    return data


def make_condition(spec: dict[str, Any]) -> Condition:
    """A Condition from a case-file mapping (unit, quote, hard and group optional)."""
    return Condition(
        field=spec["field"],
        op=spec["op"],
        value=spec.get("value"),
        unit=spec.get("unit"),
        quote=spec.get("quote", f"<{spec['field']} {spec['op']} {spec.get('value')}>"),
        hard=spec.get("hard", True),
        group=spec.get("group"),
    )
