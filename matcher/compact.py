"""The compact text form of map and list fields, used in CSV files.

A map is ``key:value`` items joined by ``;`` (``python:4;sql:3``); a list is items joined by
``;`` (``nl;fr;en``). An empty cell is an empty map or list. Keys and items may not contain
``;`` or ``:``. Numbers are written in Python's shortest round-trip form, so a JSON -> CSV ->
JSON trip is lossless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ITEM_SEPARATOR = ";"
KEY_SEPARATOR = ":"


def format_number(value: float | int) -> str:
    """Shortest text that reads back to exactly ``value``."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return str(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _checked_item(item: str) -> str:
    # an item that would not read back as itself must fail here, not be silently altered
    if not item or item != item.strip():
        raise ValueError(f"item {item!r} is empty or has surrounding spaces")
    if ITEM_SEPARATOR in item or KEY_SEPARATOR in item:
        raise ValueError(
            f"item {item!r} contains {ITEM_SEPARATOR!r} or {KEY_SEPARATOR!r}, "
            "which the compact form cannot hold"
        )
    return item


def format_map(mapping: Mapping[str, float | int]) -> str:
    """``{"python": 4, "sql": 3}`` -> ``"python:4;sql:3"``."""
    return ITEM_SEPARATOR.join(
        f"{_checked_item(key)}{KEY_SEPARATOR}{format_number(v)}" for key, v in mapping.items()
    )


def format_list(items: Sequence[str]) -> str:
    """``["nl", "fr"]`` -> ``"nl;fr"``."""
    return ITEM_SEPARATOR.join(_checked_item(item) for item in items)


def parse_list(text: str) -> list[str]:
    """``"nl; fr"`` -> ``["nl", "fr"]``; empty items are an error."""
    text = text.strip()
    if not text:
        return []
    items = [item.strip() for item in text.split(ITEM_SEPARATOR)]
    if any(not item for item in items):
        raise ValueError(f"empty item in list {text!r}")
    return items


def parse_map(text: str) -> dict[str, str]:
    """``"python:4;sql:3"`` -> ``{"python": "4", "sql": "3"}``; values stay text for the model
    to convert and check."""
    result: dict[str, str] = {}
    for item in parse_list(text):
        key, sep, value = item.partition(KEY_SEPARATOR)
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ValueError(f"item {item!r} is not of the form key:value")
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result
