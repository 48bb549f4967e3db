"""Writing a workbook's sheets: a bold frozen header, number formats, column widths fitted to
the values, and text that a cell cannot hold (or would take for a formula) handled; for a
round's workbook (:mod:`matcher.round_workbook`) and a run's results (:mod:`api.workbook`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from matcher.compact import format_number
from matcher.round_workbook_layout import column_letter

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

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


class Styled(NamedTuple):
    """A value with its own number format, for sheets whose rows differ in kind (a column
    of indicators: counts, shares, amounts)."""

    value: Any
    number_format: str


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
            check_text(text, title, j, i)
        text = _ILLEGAL.sub("\ufffd", text)[:MAX_CELL_TEXT]
    if text.startswith("=") or text in _ERROR_CODES:
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"  # text, not a formula or an error value
        return cell
    return text


def check_text(text: str, title: str, j: int, i: int) -> None:
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


__all__ = ["HEADER_FREEZE", "MAX_CELL_TEXT", "Styled", "check_text", "write_sheet"]
