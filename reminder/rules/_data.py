"""Loading the bundled vocabulary files of ``reminder/rules/data/``, validated against allow-lists.

Reading, validating and operator overrides are :mod:`reminder.tables`' (one loader for every table):
an unknown or missing key raises ``DataFileError`` naming the file and the key, so a typo in a YAML
file fails loudly instead of silently matching nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reminder import tables
from reminder.tables import as_str_list, check_keys

__all__ = ["load_yaml", "read_text", "check_keys", "as_str_list"]

_PACKAGE = "reminder.rules"


def read_text(name: str) -> str:
    """The text of one data file, e.g. ``regions.csv`` (the operator's override when there is one)."""
    return tables.read_table_text(_PACKAGE, name)[0]


@tables.cached
def load_yaml(name: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    """Load a YAML mapping of ``reminder/rules/data/`` and check its top-level keys.

    Args:
        name: file name under ``reminder/rules/data/``.
        allowed: the keys the file may have (all of them must be present).

    Returns:
        The parsed mapping.

    Raises:
        DataFileError: the file is not a mapping, or has unknown or missing keys.
    """
    return tables.parse_table(read_text(name), tables.table_source(_PACKAGE, name), allowed)
