"""The examples in the notify modules' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "reminder.notify._wording",
    "reminder.notify.fit",
    "reminder.notify.mask",
    "reminder.notify.ratelimit",
    "reminder.notify.render",
    "reminder.notify.safety",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
