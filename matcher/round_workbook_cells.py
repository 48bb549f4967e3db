"""Checking a round workbook's cells (:mod:`matcher.round_workbook`): what a column's cells
hold, and each cell as the text a CSV file would hold, or its refusal (a formula, an error
value, a number stored as text, a number in a date column)."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from matcher.compact import format_number
from matcher.errors import RoundError

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell


def empty(value: Any) -> bool:
    """Whether a cell holds nothing, as a CSV reader sees it: no value, or spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _base_types(annotation: Any) -> list[Any]:
    """The types an annotation allows, Optional, unions and Annotated unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _base_types(arg)]
    return [annotation]


def cell_type(model: type[BaseModel], name: str) -> str:
    """``number``, ``date``, ``bool`` or ``text``: what a cell of field ``name`` holds."""
    allowed = _base_types(model.model_fields[name].annotation)
    if bool in allowed:
        return "bool"
    if int in allowed or float in allowed:
        return "number"
    if dt.date in allowed:
        return "date"
    return "text"


def cell_text(cell: Cell | MergedCell, kind: str, where: Callable[[], str]) -> str:
    """The text a CSV file would hold for ``cell`` of a column of ``kind``, or the refusal
    of a formula, an error value, a number stored as text or a number as a date."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        formula = value if isinstance(value, str) else getattr(value, "text", "") or ""
        raise RoundError(
            f"{where()}: a formula ({formula}); enter its value instead (Paste Special > "
            "Values): a workbook keeps only the result Excel last computed, which may be "
            "stale or absent and which is not recomputed here"
        )
    if cell.data_type == "e":
        raise RoundError(f"{where()}: the error value {value}; enter a value")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, int | float):
        if kind == "date":
            raise RoundError(
                f"{where()}: the number {format_number(value)}, not a date; format the "
                "cell as a date, or write the date as YYYY-MM-DD"
            )
        return format_number(value)
    text = str(value)
    if kind == "number" and text.strip():
        raise RoundError(
            f"{where()}: a number stored as text ({text.strip()!r}); enter it as a number: "
            "text is not read as one, since its decimal and thousands marks depend on the "
            "locale that typed it ('1.500' is 1,500 in some and 1.5 in others)"
        )
    return text


__all__ = ["cell_text", "cell_type", "empty"]
