"""Fixtures for the rules tests."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def on() -> dt.date:
    """A judging day used when the day itself does not matter."""
    return dt.date(2025, 6, 30)
