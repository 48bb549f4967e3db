"""Tables of records, one row per record and one column per field, whose cells are text: the
reading that CSV files (:mod:`matcher.roundio`) and workbook sheets
(:mod:`matcher.round_workbook`) share, so that both give the same records and the same
messages, each naming its own places (a file's line, a sheet's cell).
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from matcher.compact import parse_list, parse_map
from matcher.errors import RoundError, describe_record_errors
from matcher.models import Organization, Pair, PreviousPlacement, Talent, WorkPackage

RECORD_FILES: dict[str, type[BaseModel]] = {
    "organizations.csv": Organization,
    "talents.csv": Talent,
    "packages.csv": WorkPackage,
}
"""The files of records, one row per record, and their models; all three are required."""
PAIR_FILES: dict[str, type[BaseModel]] = {
    "pins.csv": Pair,
    "forbidden.csv": Pair,
    "previous.csv": PreviousPlacement,
}
"""The optional files of pairs and their models."""
ROUND_FIELD = {
    "organizations.csv": "organizations",
    "talents.csv": "talents",
    "packages.csv": "packages",
    "pins.csv": "pins",
    "forbidden.csv": "forbidden",
    "previous.csv": "previous",
}
"""The round's field that each file fills."""


def field_kind(model: type[BaseModel], name: str) -> str:
    """``list``, ``map`` or ``scalar``: how a field is written in one cell."""
    annotation = model.model_fields[name].annotation
    origin = typing.get_origin(annotation)
    if origin is list:
        return "list"
    if origin is dict:
        return "map"
    return "scalar"


def cell_value(kind: str, text: str) -> Any:
    """The value of a cell's text: a list or map parsed from the compact form, else the
    text itself, for the model to convert and check."""
    if kind == "list":
        return parse_list(text)
    if kind == "map":
        return parse_map(text)
    return text


class Places:
    """How messages name the places of a table's cells: a CSV file's lines (this class), a
    sheet's cells (:class:`matcher.round_workbook.SheetPlaces`).

    Parameters
    ----------
    name
        The table's name in messages: ``talents.csv``.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def header(self, index: int) -> str:
        """The place of the header of column ``index`` (from 0)."""
        return self.name

    def row(self, line: int, record_id: str | None) -> str:
        """The place of the record on ``line``, named by its id when it has one."""
        where = f"{self.name} line {line}"
        return f"{where} (id '{record_id}')" if record_id else where

    def cell(self, line: int, index: int | None, field: str, record_id: str | None) -> str:
        """The place of ``field`` (a column, or a dotted path into one) of the record on
        ``line``; ``index`` is the column's (from 0), None when the table has no such
        column."""
        return f"{self.row(line, record_id)}, column '{field}'"


def table_records(
    places: Places,
    columns: list[str],
    rows: Iterable[tuple[int, list[str]]],
    model: type[BaseModel],
) -> list[dict[str, Any]]:
    """The records of a table whose cells are text, each checked against ``model``.

    The one reading of a table's cells, shared by CSV files and workbook sheets (whose
    cells are turned into the text a CSV file would hold first), so that both give the
    same values and the same messages, named at their ``places``.

    Parameters
    ----------
    places
        Names the table's places in messages.
    columns
        The header: field names of ``model``.
    rows
        (line, cells) of each data row, one text cell per column.
    model
        The record's model.

    Raises
    ------
    RoundError
        At the first unknown or repeated column, cell that cannot be read, or record that
        does not validate.
    """
    unknown = [c for c in columns if c not in model.model_fields]
    if unknown:
        raise RoundError(
            f"{places.header(columns.index(unknown[0]))}: unknown column '{unknown[0]}'; "
            f"known: {', '.join(model.model_fields)}"
        )
    repeated = sorted(c for c, n in Counter(columns).items() if n > 1)
    if repeated:
        second = columns.index(repeated[0], columns.index(repeated[0]) + 1)
        raise RoundError(f"{places.header(second)}: column '{repeated[0]}' appears more than once")
    kinds = {c: field_kind(model, c) for c in columns}
    index = {c: i for i, c in enumerate(columns)}
    records = []
    for line, cells in rows:
        row = dict(zip(columns, (cell.strip() for cell in cells), strict=True))
        record_id = row.get("id") or None
        record: dict[str, Any] = {}
        for column, text in row.items():
            if text == "" and kinds[column] == "scalar":
                continue  # empty cell: the field's default (or a "required" error)
            try:
                record[column] = cell_value(kinds[column], text)
            except ValueError as exc:
                where = places.cell(line, index[column], column, record_id)
                raise RoundError(f"{where}: {exc}") from exc
        try:
            model.model_validate(record)
        except ValidationError as exc:

            def cell(field: str, line: int = line, record_id: str | None = record_id) -> str:
                column = field.split(".")[0]
                return places.cell(line, index.get(column), field, record_id)

            where = places.row(line, record_id)
            raise RoundError(describe_record_errors(exc, where, cell)) from exc
        records.append(record)
    return records


__all__ = [
    "PAIR_FILES",
    "RECORD_FILES",
    "ROUND_FIELD",
    "Places",
    "cell_value",
    "field_kind",
    "table_records",
]
