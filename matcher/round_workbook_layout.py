"""The layout of a round's workbook (:mod:`matcher.round_workbook`): its sheets, the
``round`` sheet's fields, and the names of a sheet's places in messages."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from matcher.models import Id
from matcher.tables import PAIR_FILES, RECORD_FILES, Places

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


class RoundHeader(BaseModel):
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


__all__ = [
    "KEY_VALUE_HEADER",
    "POLICY_SHEET",
    "REQUIRED_SHEETS",
    "ROUND_SHEET",
    "SHEET_ORDER",
    "TABLE_SHEETS",
    "RoundHeader",
    "SheetPlaces",
    "column_letter",
]
