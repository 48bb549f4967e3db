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
"""

from __future__ import annotations

import datetime as dt
import io
import re
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matcher.compact import format_list, format_map, format_number
from matcher.errors import RoundError, describe_round_errors
from matcher.models import Id, Policy, Round
from matcher.tables import PAIR_FILES, RECORD_FILES, ROUND_FIELD, Places, table_records

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

TABLE_SHEETS: dict[str, type[BaseModel]] = {
    name.removesuffix(".csv"): model for name, model in (RECORD_FILES | PAIR_FILES).items()
}
"""Sheet name -> the model of its rows, for the sheets of records and pairs."""
REQUIRED_SHEETS = tuple(name.removesuffix(".csv") for name in RECORD_FILES)
POLICY_SHEET = "policy"
ROUND_SHEET = "round"
KEY_VALUE_HEADER = ("key", "value")
"""The header of the ``policy`` and ``round`` sheets."""
SHEET_ORDER = (ROUND_SHEET, *TABLE_SHEETS, POLICY_SHEET)
"""The sheets :func:`write_round_workbook` writes, in order."""

MAX_CELL_TEXT = 32_767
"""The most characters Excel holds in one cell."""
MIN_WIDTH, MAX_WIDTH = 6, 60
"""Column widths, in characters: fitted to the longest value, within these bounds."""
HEADER_FREEZE = "A2"

_FORMATTED_TYPES = (int, float, np.integer, np.floating, dt.date)
"""Values that a column's number format applies to (text and None are left alone)."""
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
"""Text that openpyxl writes as an error value unless told it is text."""
# openpyxl's own test for characters an XML file cannot hold (control characters)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_RECORD_REF = re.compile(
    r"\b(organizations|talents|packages|pins|forbidden|previous)\[(\d+)\](\)?)"
    r"(?:, field '([^']+)')?"
)


class Styled(NamedTuple):
    """A value with its own number format, for sheets whose rows differ in kind (a column
    of indicators: counts, shares, amounts)."""

    value: Any
    number_format: str


class _RoundHeader(BaseModel):
    """The ``round`` sheet's fields, checked as :class:`~matcher.models.Round` checks them."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: Id = "round"
    name: str = Field(default="")


def column_letter(index: int) -> str:
    """Excel's letters of column ``index`` (from 0): ``A``, ..., ``Z``, ``AA``, ..."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class SheetPlaces(Places):
    """Names a sheet's places in messages: ``talents!G7 (column 'salary', id 'ann')``.

    Parameters
    ----------
    sheet
        The sheet's name as the workbook spells it.
    header_line
        Excel's row number of the header.
    columns
        The header's column names.
    indices
        Excel's column index (from 0) of each column, in header order: columns with neither
        header nor value are skipped, so they may differ from the positions.
    """

    def __init__(
        self, sheet: str, header_line: int, columns: Sequence[str], indices: Sequence[int]
    ) -> None:
        super().__init__(sheet)
        self.header_line = header_line
        self.columns = list(columns)
        self.indices = list(indices)

    def header(self, index: int) -> str:
        """The header cell of column ``index``: ``talents!E1``."""
        return f"{self.name}!{column_letter(self.indices[index])}{self.header_line}"

    def row(self, line: int, record_id: str | None) -> str:
        """A whole row: ``talents row 7 (id 'ann')``."""
        where = f"{self.name} row {line}"
        return f"{where} (id '{record_id}')" if record_id else where

    def cell(self, line: int, index: int | None, field: str, record_id: str | None) -> str:
        """One cell: ``talents!G7 (column 'salary', id 'ann')``; a row when the table has no
        such column."""
        ref = f"{self.name} row {line}"
        if index is not None:
            ref = f"{self.name}!{column_letter(self.indices[index])}{line}"
        named = f", id '{record_id}'" if record_id else ""
        return f"{ref} (column '{field}'{named})"


# ---------------------------------------------------------------------------- reading


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
        header = _key_value_record(sheets[ROUND_SHEET], _RoundHeader)
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
        if all(_empty(cell.value) for cell in cells):
            continue  # a blank row
        if table is None:
            table = _header(sheet.title, cells)
            continue
        line = cells[0].row
        assert line is not None  # cells of a loaded sheet have their row
        for j, cell in enumerate(cells):  # rows start at column A: j is the column's index
            if not _empty(cell.value) and j not in table.index_set:
                header_ref = f"{column_letter(j)}{table.header_line}"
                raise RoundError(
                    f"{sheet.title}!{cell.coordinate}: a value in a column without a header "
                    f"({header_ref} is empty)"
                )
        table.rows.append((line, cells))
    if table is None and required:
        raise RoundError(f"{sheet.title}: empty sheet, expected a header row")
    return table


def _empty(value: Any) -> bool:
    """Whether a cell holds nothing, as a CSV reader sees it: no value, or spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _header(title: str, cells: tuple[Cell | MergedCell, ...]) -> _SheetTable:
    indices, columns = [], []
    line = cells[0].row
    assert line is not None
    for j, cell in enumerate(cells):
        ref = f"{title}!{cell.coordinate}"
        if cell.data_type == "f":
            raise RoundError(f"{ref}: a formula as a column name; write the name itself")
        if _empty(cell.value):
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
    kinds = [_cell_type(model, column) for column in columns]
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

            texts.append(_cell_text(cells[index], kind, where))
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
        texts.append(_cell_text(value_cell, _cell_type(model, key), where))
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


def _base_types(annotation: Any) -> list[Any]:
    """The types an annotation allows, Optional, unions and Annotated unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _base_types(arg)]
    return [annotation]


def _cell_type(model: type[BaseModel], name: str) -> str:
    """``number``, ``date``, ``bool`` or ``text``: what a cell of field ``name`` holds."""
    allowed = _base_types(model.model_fields[name].annotation)
    if bool in allowed:
        return "bool"
    if int in allowed or float in allowed:
        return "number"
    if dt.date in allowed:
        return "date"
    return "text"


def _cell_text(cell: Cell | MergedCell, kind: str, where: Callable[[], str]) -> str:
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


# ---------------------------------------------------------------------------- writing


def write_sheet(
    book: Workbook,
    title: str,
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    formats: Sequence[str | None] | None = None,
    *,
    freeze: str | None = HEADER_FREEZE,
    autofilter: bool = True,
    clean_text: bool = False,
) -> None:
    """Append a sheet to a write-only workbook: a bold header, then the rows, with the
    header frozen, an autofilter over the table and columns as wide as their values
    (within :data:`MIN_WIDTH` and :data:`MAX_WIDTH`).

    Parameters
    ----------
    book
        A workbook made with ``Workbook(write_only=True)``.
    title
        The sheet's name.
    columns
        The header.
    values
        The table column by column: ``values[j][i]`` is row ``i`` of column ``j``; None for
        an empty cell. Dates are written as dates (``yyyy-mm-dd``), numbers as numbers, a
        :class:`Styled` value in its own format.
    formats
        An Excel number format per column (``#,##0.00``, ``0.000``, ``0.0%``), None for the
        default.
    freeze
        The top left cell that scrolls (``A2``: the header stays), None for none.
    autofilter
        Whether the header gets filter buttons.
    clean_text
        Text with characters a workbook cannot hold (control characters) or longer than a
        cell holds is cleaned (replaced by U+FFFD, cut) when True, refused (``ValueError``
        naming the cell) when False.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    formats = formats or [None] * len(columns)
    # Any: the stubs' WriteOnlyWorksheet lacks the column_dimensions and auto_filter it has
    sheet: Any = book.create_sheet(title)
    n_rows = max((len(column) for column in values), default=0)
    for j, (name, column, number_format) in enumerate(zip(columns, values, formats, strict=True)):
        width = max(len(name) + 2, _column_width(column, number_format))
        sheet.column_dimensions[column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 1))
    if freeze:
        sheet.freeze_panes = freeze
    if autofilter and columns:
        sheet.auto_filter.ref = f"A1:{column_letter(len(columns) - 1)}{n_rows + 1}"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, name)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    prepared = [
        _prepared_column(sheet, column, clean_text, title, j) for j, column in enumerate(values)
    ]
    # One cell per formatted column, reused row after row: a write-only sheet writes each
    # appended row at once, so the cell is free again for the next row. This halves the
    # time of a table of numbers (making a styled cell costs more than writing it).
    formatted: list[tuple[int, Any]] = []
    for j, number_format in enumerate(formats):
        if number_format is not None:
            cell = WriteOnlyCell(sheet)
            cell.number_format = number_format
            formatted.append((j, cell))
    for i in range(n_rows):
        row = [column[i] for column in prepared]
        for j, cell in formatted:
            value = row[j]
            if isinstance(value, _FORMATTED_TYPES):
                cell.value = value
                row[j] = cell
        sheet.append(row)


def _prepared_column(
    sheet: Any, column: Sequence[Any], clean: bool, title: str, j: int
) -> list[Any]:
    """A column's values as cells take them: text checked (:func:`_text_cell`), a
    :class:`Styled` value as a cell in its format. A column of plain text is checked at
    once, with no call per cell (the common case, and the slow part of a large table)."""
    from openpyxl.cell import WriteOnlyCell

    texts = [v for v in column if isinstance(v, str)]
    if len(texts) == len(column) or all(v is None or isinstance(v, str) for v in column):
        joined = "\n".join(texts)
        longest = max(map(len, texts), default=0)
        if (
            longest <= MAX_CELL_TEXT
            and not _ILLEGAL.search(joined)
            and joined[:1] not in ("=", "#")
            and "\n=" not in joined
            and "\n#" not in joined
        ):
            return list(column)
    out: list[Any] = []
    for i, value in enumerate(column):
        if isinstance(value, str):
            out.append(_text_cell(sheet, value, clean, title, j, i))
        elif isinstance(value, Styled):
            cell = WriteOnlyCell(sheet, value.value)
            cell.number_format = value.number_format
            out.append(cell)
        else:
            out.append(value)
    return out


def _column_width(column: Sequence[Any], number_format: str | None) -> int:
    """About how many characters the widest value of ``column`` takes on screen."""
    texts = [v for v in column if isinstance(v, str)]
    numbers = [v for v in column if isinstance(v, int | float) and not isinstance(v, bool)]
    width = 0
    if texts:
        width = max(map(len, texts))
        if width > MAX_WIDTH or any("\n" in text for text in texts):
            width = max(_shown_width(text, None) for text in texts)
    if numbers:
        if number_format is None:
            # the default format shows up to 11 digits; the extremes are the widest
            width = max(width, *(_shown_width(v, None) for v in (max(numbers), min(numbers))))
        else:
            # in a fixed format, the widest is the largest or the most negative
            width = max(
                width, *(_shown_width(v, number_format) for v in (max(numbers), min(numbers)))
            )
    if len(texts) + len(numbers) < len(column):
        others = (v for v in column if v is not None and not isinstance(v, str | int | float))
        width = max(width, *(_shown_width(v, number_format) for v in others), 0)
    return width


def _text_cell(sheet: Any, text: str, clean: bool, title: str, j: int, i: int) -> Any:
    """``text`` as a cell value: plain text as it is, text that would be taken for a formula
    or an error value as text, text a cell cannot hold cleaned or refused."""
    from openpyxl.cell import WriteOnlyCell

    if len(text) > MAX_CELL_TEXT or _ILLEGAL.search(text):
        if not clean:
            _check_text(text, title, j, i)
        text = _ILLEGAL.sub("\ufffd", text)[:MAX_CELL_TEXT]
    if text.startswith("=") or text in _ERROR_CODES:
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"  # text, not a formula or an error value
        return cell
    return text


def _check_text(text: str, title: str, j: int, i: int) -> None:
    """Refuse text that a cell cannot hold, naming its cell (row ``i`` of column ``j``)."""
    where = f"{title}!{column_letter(j)}{i + 2}"
    if len(text) > MAX_CELL_TEXT:
        raise ValueError(
            f"{where}: {len(text):,} characters, more than a cell holds ({MAX_CELL_TEXT:,})"
        )
    if _ILLEGAL.search(text):
        raise ValueError(f"{where}: a control character, which a workbook cannot hold")


def _shown_width(value: Any, number_format: str | None) -> int:
    """About how many characters ``value`` takes on screen in ``number_format``."""
    if isinstance(value, Styled):
        return _shown_width(value.value, value.number_format)
    if value is None:
        return 0
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n")) if value else 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        if number_format == "#,##0.00":
            return len(f"{value:,.2f}")
        if number_format == "#,##0":
            return len(f"{value:,.0f}")
        if number_format and number_format.endswith("%"):
            return len(f"{value:.1%}") + 1
        if number_format == "0.000":
            return len(f"{value:.3f}")
        return min(len(format_number(value)), 12)
    return len(str(value))


def _sheet_value(value: Any) -> Any:
    """A field's value as a round sheet's cell holds it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
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

    header = _RoundHeader(id=round_.id, name=round_.name)
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
                        _check_text(value, title, j, i)
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
