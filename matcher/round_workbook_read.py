"""Reading a round from a workbook's sheets (the layout and the refusals:
:mod:`matcher.round_workbook`), each message naming the sheet, row and column."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from matcher.errors import RoundError, describe_round_errors
from matcher.models import Policy, Round
from matcher.round_workbook_cells import cell_text, cell_type, empty
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
from matcher.tables import ROUND_FIELD, Places, table_records

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

_RECORD_REF = re.compile(
    r"\b(organizations|talents|packages|pins|forbidden|previous)\[(\d+)\](\)?)"
    r"(?:, field '([^']+)')?"
)


def read_workbook(source: str | Path | IO[bytes], name: str | None = None) -> Round:
    """Read a round from an Excel workbook (``.xlsx``) laid out as the module docstring says.

    Parameters
    ----------
    source
        The workbook's path, or a binary file holding it (an upload).
    name
        The workbook's name in messages about the whole file (default: the path).

    Raises
    ------
    RoundError
        If the file is no workbook, a required sheet is missing, a cell is refused (see the
        module docstring) or the round is invalid; the message names the sheet, the row and
        the column.
    """
    import openpyxl

    label = name or (str(source) if isinstance(source, str | Path) else "workbook")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it skips (data validation, conditional formats)
            warnings.simplefilter("ignore")
            # data_only=False: formulas are seen as formulas, to be refused, not replaced
            # by a cached result that may be stale or absent; not read_only: merged cells
            # are known only to a fully loaded sheet
            book = openpyxl.load_workbook(source, data_only=False)
    except Exception as exc:  # a damaged or foreign file fails in many ways, all bad input
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RoundError(f"{label}: cannot be read as an Excel workbook (.xlsx): {reason}") from exc
    try:
        return _read_book(book, label)
    finally:
        book.close()


def _read_book(book: Workbook, label: str) -> Round:
    sheets: dict[str, Worksheet] = {}
    for sheet in book.worksheets:
        key = sheet.title.strip().casefold()
        if key in sheets and key in SHEET_ORDER:
            raise RoundError(
                f"{label}: sheets '{sheets[key].title}' and '{sheet.title}' both name the "
                f"'{key}' table"
            )
        sheets.setdefault(key, sheet)
    for required in REQUIRED_SHEETS:
        if required not in sheets:
            found = ", ".join(f"'{s.title}'" for s in book.worksheets) or "none"
            raise RoundError(f"{label}: missing sheet '{required}' (sheets: {found})")

    document: dict[str, Any] = {}
    lines: dict[str, tuple[SheetPlaces, list[int]]] = {}
    if ROUND_SHEET in sheets:
        header = _key_value_record(sheets[ROUND_SHEET], RoundHeader)
        document.update(header)
    for table, model in TABLE_SHEETS.items():
        if table not in sheets:
            continue
        places, records, rows = _read_table(sheets[table], model, table in REQUIRED_SHEETS)
        document[ROUND_FIELD[f"{table}.csv"]] = records
        lines[ROUND_FIELD[f"{table}.csv"]] = (places, rows)
    if POLICY_SHEET in sheets:
        document["policy"] = _key_value_record(sheets[POLICY_SHEET], Policy)
    try:
        return Round.model_validate(document)
    except ValidationError as exc:
        message = describe_round_errors(exc, document)
        raise RoundError(f"{label}: {_sheet_references(message, lines)}") from exc


def _sheet_references(message: str, lines: Mapping[str, tuple[SheetPlaces, list[int]]]) -> str:
    """``message`` with the document's record references (``talents[3], field 'lender'``)
    as the sheet's places (``talents!B5, column 'lender'``)."""

    def place(match: re.Match[str]) -> str:
        table, index, close, field = match.groups()
        if table not in lines or int(index) >= len(lines[table][1]):
            return match.group(0)
        places, rows = lines[table]
        line = rows[int(index)]
        columns = places.columns
        if field is not None and field in columns:
            letter = column_letter(places.indices[columns.index(field)])
            return f"{places.name}!{letter}{line}, column '{field}'{close}"
        where = f"{places.name} row {line}{close}"
        return where if field is None else f"{where}, field '{field}'"

    return _RECORD_REF.sub(place, message)


class _SheetTable:
    """A sheet's header and data rows, blank rows and empty columns left out."""

    def __init__(self, header_line: int, indices: list[int], columns: list[str]) -> None:
        self.header_line = header_line
        self.indices = indices
        self.index_set = set(indices)
        self.columns = columns
        self.rows: list[tuple[int, tuple[Cell | MergedCell, ...]]] = []


def _refuse_merged(sheet: Worksheet) -> None:
    ranges = sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
    if ranges:
        raise RoundError(
            f"{sheet.title}!{ranges[0].coord}: merged cells; unmerge them: a merged range "
            "keeps its value in its first cell only, and its other cells would read as empty"
        )


def _scan(sheet: Worksheet, required: bool) -> _SheetTable | None:
    """The sheet's header and rows; None for an empty sheet that is not ``required``."""
    _refuse_merged(sheet)
    table: _SheetTable | None = None
    for cells in sheet.iter_rows():
        if all(empty(cell.value) for cell in cells):
            continue  # a blank row
        if table is None:
            table = _header(sheet.title, cells)
            continue
        line = cells[0].row
        assert line is not None  # cells of a loaded sheet have their row
        for j, cell in enumerate(cells):  # rows start at column A: j is the column's index
            if not empty(cell.value) and j not in table.index_set:
                header_ref = f"{column_letter(j)}{table.header_line}"
                raise RoundError(
                    f"{sheet.title}!{cell.coordinate}: a value in a column without a header "
                    f"({header_ref} is empty)"
                )
        table.rows.append((line, cells))
    if table is None and required:
        raise RoundError(f"{sheet.title}: empty sheet, expected a header row")
    return table


def _header(title: str, cells: tuple[Cell | MergedCell, ...]) -> _SheetTable:
    indices, columns = [], []
    line = cells[0].row
    assert line is not None
    for j, cell in enumerate(cells):
        ref = f"{title}!{cell.coordinate}"
        if cell.data_type == "f":
            raise RoundError(f"{ref}: a formula as a column name; write the name itself")
        if empty(cell.value):
            continue
        indices.append(j)
        columns.append(str(cell.value).strip())
    return _SheetTable(line, indices, columns)


def _read_table(
    sheet: Worksheet, model: type[BaseModel], required: bool
) -> tuple[SheetPlaces, list[dict[str, Any]], list[int]]:
    """The records of one sheet of records or pairs, the places that name its cells, and
    the Excel row of each record."""
    title = sheet.title
    table = _scan(sheet, required)
    if table is None:
        return SheetPlaces(title, 1, [], []), [], []
    columns = table.columns
    places = SheetPlaces(title, table.header_line, columns, table.indices)
    # unknown and repeated columns, named as for CSV files by the reading both share
    table_records(places, columns, [], model)
    required_columns = [name for name, field in model.model_fields.items() if field.is_required()]
    absent = [name for name in required_columns if name not in columns]
    if absent:
        raise RoundError(
            f"{title} row {table.header_line} (header): missing column '{absent[0]}', which "
            f"every row needs; required: {', '.join(required_columns)}"
        )
    kinds = [cell_type(model, column) for column in columns]
    id_index = table.indices[columns.index("id")] if "id" in columns else None
    text_rows: list[tuple[int, list[str]]] = []
    for line, cells in table.rows:
        record_id = None
        if id_index is not None and cells[id_index].data_type != "f":
            value = cells[id_index].value
            record_id = None if value is None else str(value).strip() or None
        texts = []
        for position, (index, kind) in enumerate(zip(table.indices, kinds, strict=True)):

            def where(line: int = line, position: int = position, rid: Any = record_id) -> str:
                return places.cell(line, position, columns[position], rid)

            texts.append(cell_text(cells[index], kind, where))
        text_rows.append((line, texts))
    records = table_records(places, columns, text_rows, model)
    return places, records, [line for line, _ in text_rows]


def _key_value_record(sheet: Worksheet, model: type[BaseModel]) -> dict[str, Any]:
    """The record of a ``key,value`` sheet (``policy``, ``round``), checked against
    ``model``, each error at its key's value cell."""
    title = sheet.title
    table = _scan(sheet, required=False)
    if table is None:
        return {}
    if tuple(c.casefold() for c in table.columns) != KEY_VALUE_HEADER:
        raise RoundError(
            f"{title}!{column_letter(table.indices[0])}{table.header_line}: expected the "
            f"columns {', '.join(KEY_VALUE_HEADER)}, found {', '.join(table.columns)}"
        )
    key_index, value_index = table.indices
    letter = column_letter(value_index)
    keys: list[str] = []
    texts: list[str] = []
    key_lines: list[int] = []
    for line, cells in table.rows:
        key_cell, value_cell = cells[key_index], cells[value_index]
        ref = f"{title}!{key_cell.coordinate}"
        if key_cell.data_type == "f":
            raise RoundError(f"{ref}: a formula as a key; write the key itself")
        key = "" if key_cell.value is None else str(key_cell.value).strip()
        if key not in model.model_fields:
            raise RoundError(f"{ref}: unknown key '{key}'; known: {', '.join(model.model_fields)}")
        if key in keys:
            first = key_lines[keys.index(key)]
            raise RoundError(f"{ref}: key '{key}' appears twice (first on row {first})")

        def where(line: int = line, key: str = key, letter: str = letter) -> str:
            return f"{title}!{letter}{line} (key '{key}')"

        keys.append(key)
        key_lines.append(line)
        texts.append(cell_text(value_cell, cell_type(model, key), where))
    places = _KeyValuePlaces(title, column_letter(value_index), key_lines)
    records = table_records(places, keys, [(table.header_line, texts)], model)
    return records[0]


class _KeyValuePlaces(Places):
    """Places of a ``key,value`` sheet read as one record: each field at its value cell."""

    def __init__(self, sheet: str, letter: str, lines: list[int]) -> None:
        super().__init__(sheet)
        self.letter = letter
        self.lines = lines

    def row(self, line: int, record_id: str | None) -> str:
        return f"{self.name} sheet"

    def cell(self, line: int, index: int | None, field: str, record_id: str | None) -> str:
        if index is None:
            return f"{self.name} sheet (key '{field}')"
        return f"{self.name}!{self.letter}{self.lines[index]} (key '{field}')"


__all__ = ["read_workbook"]
