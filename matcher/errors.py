"""Readable errors for bad input: every message names the record and the field."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from matcher.models import ID_PATTERN

_SINGULAR = {
    "organizations": "organization",
    "talents": "talent",
    "packages": "package",
    "pins": "pin",
    "forbidden": "forbidden pair",
    "previous": "previous placement",
}


class RoundError(ValueError):
    """A round (or one of its files) is invalid; the message says where and why."""


def _clean(item: ErrorDetails) -> str:
    ctx = item.get("ctx") or {}
    if item["type"] == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        return f"{item['input']!r} is not a valid id (no spaces, ';', ':' or ',')"
    return item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _record_name(data: Any, collection: str, index: int) -> str:
    kind = _SINGULAR.get(collection, collection)
    record = None
    if isinstance(data, Mapping):
        items = data.get(collection)
        if isinstance(items, Sequence) and 0 <= index < len(items):
            record = items[index]
    if isinstance(record, Mapping) and isinstance(record.get("id"), str):
        return f"{kind} '{record['id']}' ({collection}[{index}])"
    return f"{collection}[{index}]"


def describe_round_errors(error: ValidationError, data: Any = None) -> str:
    """Turn a pydantic error on a round document into lines naming record and field.

    Parameters
    ----------
    error
        The error raised by ``Round.model_validate``.
    data
        The raw document, used to name records by their id rather than their position.
    """
    lines = []
    for item in error.errors():
        loc = list(item["loc"])
        message = _clean(item)
        if not loc:
            lines.append(message)
            continue
        parts = []
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            parts.append(_record_name(data, loc[0], loc[1]))
            loc = loc[2:]
        elif isinstance(loc[0], str) and loc[0] == "policy":
            parts.append("policy")
            loc = loc[1:]
        if loc:
            parts.append(f"field '{'.'.join(str(p) for p in loc)}'")
        lines.append(f"{', '.join(parts)}: {message}")
    return "; ".join(lines)


def describe_record_errors(
    error: ValidationError, where: str, cell: Callable[[str], str] | None = None
) -> str:
    """Turn a pydantic error on one record into a message prefixed by ``where``.

    Parameters
    ----------
    error
        The error raised by the record's ``model_validate``.
    where
        The record's place: ``talents.csv line 7 (id 'ann')``.
    cell
        Names the place of one field (its dotted path, ``strengths.python``) when the
        record's fields have places of their own, as a sheet's cells do; by default
        ``{where}, column '{field}'``.
    """
    lines = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"])
        message = _clean(item)
        if not loc:
            lines.append(f"{where}: {message}")
        elif cell is not None:
            lines.append(f"{cell(loc)}: {message}")
        else:
            lines.append(f"{where}, column '{loc}': {message}")
    return "; ".join(lines)
