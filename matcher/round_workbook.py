"""A round as an Excel workbook: one sheet per file of the CSV folder, read and written.

Layout (:func:`write_round_workbook` writes it; :func:`read_workbook` reads it):

``organizations``, ``talents``, ``packages`` (required)
    A header row of field names, the columns of the CSV files (:mod:`matcher.roundio`),
    then one row per record.
``pins``, ``forbidden`` (optional)
    Columns ``talent,package``.
``previous`` (optional)
    Columns ``talent,package,status`` (``accepted`` or ``proposed``).
``policy`` (optional)
    Columns ``key,value``: one row per field of ``policy.json``; ``weights`` and ``rules`` in
    the compact map form (``strengths:3;learning:2``, ``age:false``). A field left out, or
    with an empty value, keeps its default.
``round`` (optional)
    Columns ``key,value``: rows ``id`` and ``name`` (``round.json``).

Sheets are found by name, ignoring case and surrounding spaces; other sheets (notes, a
pivot) are left alone. Blank rows are skipped, and so are columns with neither a header nor
a value. Numbers, dates and true/false are Excel's own; map and list cells hold the compact
text of :mod:`matcher.compact`; every other cell is read as the text a CSV file would
hold and goes through the CSV reader's checks, so that a workbook and a CSV folder give the
same round and the same messages, except for the place: a sheet, row and column,
``talents!G7 (column 'salary', id 'ann')``.

Refused, at the first offending place:

* a missing required sheet; a header with an unknown, repeated or missing required column;
  a value in a column without a header;
* merged cells: a merged range keeps its value in its first cell only, so the other
  cells of the range would read as empty, silently;
* formulas: a workbook keeps only the result that Excel last computed beside the formula,
  which nothing here can recompute, which is stale when the sheet changed in a program that
  does not recompute, and which files written by other programs do not hold at all. Paste
  the values instead (Paste Special > Values);
* error values (``#N/A``, ``#REF!``);
* a number stored as text in a numeric column: text has no single reading as a number, since
  its decimal and thousands marks depend on the locale that typed it (``1.500`` is 1,500 in
  some and 1.5 in others);
* a number in a date column (a date whose cell lost its date format), and a date as text
  that is not ``YYYY-MM-DD``.

Numbers keep 16 significant digits (openpyxl writes ``%.16g``), so a round written and read
back is equal to the original when its numbers have at most 16 significant digits.

The parts: :mod:`matcher.round_workbook_layout` (the sheets), :mod:`matcher.round_workbook_read`
(reading sheets), :mod:`matcher.round_workbook_cells` (checking cells),
:mod:`matcher.round_workbook_sheets` (writing sheets); this module writes a round and gathers
their public names.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from matcher.compact import format_list, format_map
from matcher.errors import RoundError
from matcher.models import Floor, Policy, Round
from matcher.round_workbook_layout import (
    KEY_VALUE_HEADER,
    POLICY_SHEET,
    REQUIRED_SHEETS,
    ROUND_SHEET,
    SHEET_ORDER,
    TABLE_SHEETS,
    RoundHeader,
    SheetPlaces,
    column_letter,
)
from matcher.round_workbook_read import read_workbook
from matcher.round_workbook_sheets import Styled, check_text, write_sheet
from matcher.tables import ROUND_FIELD


def _sheet_value(value: Any) -> Any:
    """A field's value as a round sheet's cell holds it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) for v in value.values()):
            # the policy's floors: name:share:mode:penalty
            return ";".join(f"{k}:{Floor.model_validate(v).compact()}" for k, v in value.items())
        if value and all(isinstance(v, bool) for v in value.values()):
            return ";".join(f"{k}:{'true' if v else 'false'}" for k, v in value.items())
        return format_map(value) or None
    if isinstance(value, list):
        return format_list(value) or None
    return value


def _table_columns(model: type[BaseModel], records: Iterable[BaseModel]) -> list[list[Any]]:
    names = list(model.model_fields)
    dumped = [record.model_dump() for record in records]
    return [[_sheet_value(row[name]) for row in dumped] for name in names]


def round_workbook_bytes(round_: Round) -> bytes:
    """The workbook of ``round_`` (see :func:`write_round_workbook`) as bytes."""
    from openpyxl import Workbook

    header = RoundHeader(id=round_.id, name=round_.name)
    policy = round_.policy.model_dump()
    keys = list(Policy.model_fields)
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    try:
        sheets.append(
            (ROUND_SHEET, list(KEY_VALUE_HEADER), [["id", "name"], [header.id, header.name]])
        )
        for table, model in TABLE_SHEETS.items():
            records = getattr(round_, ROUND_FIELD[f"{table}.csv"])
            sheets.append((table, list(model.model_fields), _table_columns(model, records)))
        sheets.append(
            (POLICY_SHEET, list(KEY_VALUE_HEADER), [keys, [_sheet_value(policy[k]) for k in keys]])
        )
        # every text checked before any sheet is begun: a write-only workbook left half
        # written cannot be dropped quietly
        for title, _, values in sheets:
            for j, column in enumerate(values):
                for i, value in enumerate(column):
                    if isinstance(value, str):
                        check_text(value, title, j, i)
    except ValueError as exc:  # a name the compact form or a cell cannot hold
        raise RoundError(f"the round cannot be written as a workbook: {exc}") from exc
    book = Workbook(write_only=True)
    for title, columns, values in sheets:
        key_value = title in (ROUND_SHEET, POLICY_SHEET)
        write_sheet(book, title, columns, values, autofilter=not key_value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_round_workbook(round_: Round, path: str | Path) -> None:
    """Write ``round_`` as a workbook that :func:`read_workbook` reads back equal (numbers
    of up to 16 significant digits): one sheet per table, empty optional tables as a
    header alone (a template to fill in), the whole policy with its defaults.

    The file is written whole or not at all.

    Raises
    ------
    RoundError
        If a value cannot be held by a cell or by the compact form; nothing is written.
    """
    path = Path(path)
    data = round_workbook_bytes(round_)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


__all__ = [
    "REQUIRED_SHEETS",
    "SHEET_ORDER",
    "TABLE_SHEETS",
    "SheetPlaces",
    "Styled",
    "column_letter",
    "read_workbook",
    "round_workbook_bytes",
    "write_round_workbook",
    "write_sheet",
]
