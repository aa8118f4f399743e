"""String types whose allowed values come from a registry, for request schemas.

A ``Literal["email", "wecom", …]`` repeats a registry and goes stale when the registry grows.
``Annotated[str, Choice(registry)]`` reads the registry when it validates and when the OpenAPI schema is built, so a field
added to ``fields.yaml`` or a channel added to ``CHANNELS`` is accepted and documented (``enum``)
without touching the schemas. Errors keep Pydantic's ``literal_error`` shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = ["Choice"]


class Choice:
    """Annotation metadata: the value must be one of ``values()``, read at validation time.

    >>> from typing import Annotated
    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(Annotated[str, Choice(lambda: ("a", "b"))]).validate_python("b")
    'b'
    """

    def __init__(self, values: Callable[[], Iterable[str]]) -> None:
        self.values = values

    def _check(self, value: str) -> str:
        allowed = tuple(self.values())
        if value not in allowed:
            expected = " or ".join(repr(v) for v in allowed)
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, core_schema.str_schema())

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": list(self.values())}
