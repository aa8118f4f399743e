"""Bounds every API input obeys before any rule reads it: finite, modest numbers and clean text.

A huge integer overflowed SQLite and PostgreSQL's ``integer`` (2147483648), ``1e400`` became
infinity and a NUL byte broke PostgreSQL: each a 500 (issue 16, item 13). Every field of a model
deriving from :class:`BoundedInput` is checked, lists and objects inside it too, and a violation is
a 422 for that field with a Chinese message (``loc: ["body", field]``).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "MAX_NUMBER",
    "MAX_TEXT",
    "MAX_ITEMS",
    "BoundedInput",
    "bounded",
    "check_value",
    "has_control_characters",
    "validation_error_handler",
]

#: the largest magnitude of any number (万元 amounts up to 1万亿; headcounts are bounded lower by the rules)
MAX_NUMBER = 10**12
#: the longest text of any field without a tighter max_length
MAX_TEXT = 2000
#: the most items of any list
MAX_ITEMS = 100
#: the deepest nesting of lists and objects
_MAX_DEPTH = 4
#: allowed control characters (multi-line text); everything else of category Cc/Cs is refused
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds NUL, another control character or a lone surrogate.

    >>> has_control_characters("杭州\\x00"), has_control_characters("第一行\\n第二行")
    (True, False)
    """
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in _ALLOWED_CONTROLS for c in text)


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("out_of_bounds", message)


def check_value(value: Any, depth: int = 0) -> None:
    """Raise a Chinese ``PydanticCustomError`` when ``value`` (or anything inside it) is out of bounds."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) > MAX_NUMBER:
            raise _fail(f"数值过大（绝对值不能超过 {MAX_NUMBER:,}）")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _fail("不是有效数字（不能是无穷大或 NaN）")
        if abs(value) > MAX_NUMBER:
            raise _fail(f"数值过大（绝对值不能超过 {MAX_NUMBER:,}）")
    elif isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _fail(f"文字过长（最多 {MAX_TEXT} 个字符）")
        if has_control_characters(value):
            raise _fail("含有不允许的控制字符（如 NUL）")
    elif isinstance(value, list | tuple | dict):
        if depth >= _MAX_DEPTH:
            raise _fail("嵌套层级过深")
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        if len(items) > MAX_ITEMS:
            raise _fail(f"条目过多（最多 {MAX_ITEMS} 项）")
        for key, item in items:
            check_value(key, depth + 1)
            check_value(item, depth + 1)


def bounded(cls: type[BaseModel], value: Any) -> Any:
    """A before-validator body: ``value`` unchanged when within bounds (for models that list their fields)."""
    check_value(value)
    return value


class BoundedInput(BaseModel):
    """A request body whose every field is checked by :func:`check_value` before its own validation."""

    @field_validator("*", mode="before")
    @classmethod
    def _within_bounds(cls, value: Any, info: ValidationInfo) -> Any:
        check_value(value)
        return value


def _printable(value: Any) -> Any:
    """An echoed input JSON can carry: infinity and NaN as text (they made the 422 itself a 500)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    return value


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 body (``{"detail": [...]}``), with echoed inputs made JSON-safe."""
    assert isinstance(exc, RequestValidationError)
    errors = [{**e, "input": _printable(e["input"])} if "input" in e else e for e in exc.errors()]
    return JSONResponse(status_code=422, content={"detail": jsonable_encoder(errors)})
