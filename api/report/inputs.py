"""What a round report is made from: a solve's documents and tables.

The command line reads them from a results folder (:meth:`ReportInputs.from_folder`, the
files :func:`api.outcome_files.write_outcome` writes); the service builds them from a run's
stored ``result``, ``kpis`` and rows. Either way the same checks run on construction, so a
report never shows numbers that do not add up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from api.documents import KpisDocument, ResultDocument
from matcher.errors import RoundError
from matcher.models import SCORE_NAMES

MONEY_COLUMNS = ("retained", "host_fee", "subsidy", "topup")
"""The monthly cost split of a placement: ``host_fee + subsidy + topup == retained``."""
PLACEMENT_COLUMNS = ("talent", "package", "lender", "host", "score", *SCORE_NAMES, *MONEY_COLUMNS)
"""The columns of ``placements.csv`` a report needs (the names after them are optional)."""
PLACEMENT_NUMBERS = ("score", *SCORE_NAMES, *MONEY_COLUMNS, "fte")
UNPLACED_COLUMNS = ("talent", "reason", "explanation", "detail", "lender")
"""The columns of ``unplaced.csv`` a report needs; ``lender`` counts each lender's talents."""
NAME_COLUMNS = {
    "placements": ("package_title", "lender_name", "host_name", "start", "end"),
    "unplaced": ("lender_name", "package", "package_title", "host", "host_name"),
}
"""Optional text columns, empty when a table lacks them (the ids stand in for the names)."""
FOLDER_FILES = ("result.json", "kpis.json", "placements.csv", "unplaced.csv")


@dataclass(frozen=True)
class ReportInputs:
    """A solve's documents and tables, checked.

    Attributes
    ----------
    result
        ``result.json`` as a dict (:class:`api.documents.ResultDocument`).
    kpis
        ``kpis.json`` as a dict (:class:`api.documents.KpisDocument`); None when the solve
        found no assignment, and then the tables are empty.
    placements
        One row per placement, the columns of ``placements.csv``.
    unplaced
        One row per talent without a placement, the columns of ``unplaced.csv``.
    title
        What the report's heading names: the round's name, or its results folder.

    Raises
    ------
    RoundError
        If a document does not have its shape, a table lacks a column or holds a value that
        is not a number where one is due, or the tables do not account for every talent of
        ``kpis`` exactly once.
    """

    result: dict[str, Any]
    kpis: dict[str, Any] | None
    placements: pd.DataFrame
    unplaced: pd.DataFrame
    title: str = ""

    def __post_init__(self) -> None:
        _document(ResultDocument, self.result, "result.json")
        if self.kpis is None:
            if self.result.get("objective") is not None:
                raise RoundError(
                    "result.json has an assignment, but there is no kpis.json "
                    "(written by cosource solve beside it)"
                )
            if len(self.placements) or len(self.unplaced):
                raise RoundError("placements or unplaced rows without kpis.json")
            return
        _document(KpisDocument, self.kpis, "kpis.json")
        # frozen: the checked tables replace the given ones once, here
        object.__setattr__(self, "placements", _checked_placements(self.placements))
        object.__setattr__(self, "unplaced", _checked_unplaced(self.unplaced))
        _check_talents(self.placements, self.unplaced, int(self.kpis["kpis"]["talents"]))

    @property
    def solved(self) -> bool:
        """Whether the solve found an assignment (and so has KPIs and tables)."""
        return self.kpis is not None

    @classmethod
    def from_folder(cls, folder: Path) -> ReportInputs:
        """The inputs of the results folder ``folder`` (``cosource solve --out``).

        A folder with ``result.json`` alone is a solve without an assignment (infeasible,
        or stopped before a first one): its report says so. The title is the name in a
        ``round.json`` beside the results (``cosource demo`` writes one), else the folder.

        Raises
        ------
        RoundError
            If the folder or one of its files is missing or cannot be read.
        """
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise RoundError(f"results folder {folder} {what}")
        present = [name for name in FOLDER_FILES if (folder / name).is_file()]
        if "result.json" not in present:
            raise RoundError(f"{folder} has no result.json: not a results folder of cosource solve")
        result = _read_json(folder / "result.json")
        if present == ["result.json"] and result.get("objective") is None:
            return cls(result, None, pd.DataFrame(), pd.DataFrame(), _title(folder))
        missing = [name for name in FOLDER_FILES if name not in present]
        if missing:
            raise RoundError(
                f"{folder} lacks {', '.join(missing)}: cosource solve writes "
                f"{', '.join(FOLDER_FILES)} for a round it found an assignment for"
            )
        return cls(
            result,
            _read_json(folder / "kpis.json"),
            _read_csv(folder / "placements.csv"),
            _read_csv(folder / "unplaced.csv"),
            _title(folder),
        )


def _document(model: type[BaseModel], data: dict[str, Any], name: str) -> None:
    """Check ``data`` against the document ``model`` of the file ``name``."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        field = f", field '{where}'" if where else ""
        raise RoundError(f"{name}{field}: {first['msg']}") from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RoundError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RoundError(f"{path}: not a JSON object")
    return data


def _read_csv(path: Path) -> pd.DataFrame:
    # as text, so that ids such as 007 stay ids; the numbers are converted when checked
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RoundError(f"{path}: not a CSV table ({exc})") from None


def _title(folder: Path) -> str:
    """The round's name from a ``round.json`` in ``folder``, else the folder's name."""
    path = folder / "round.json"
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if isinstance(data, dict) and (data.get("name") or data.get("id")):
            return str(data.get("name") or data.get("id"))
    return folder.resolve().name


def _checked_placements(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _with_columns(frame, PLACEMENT_COLUMNS, "placements")
    frame = _with_text(frame, ("talent", "package", "lender", "host"), NAME_COLUMNS["placements"])
    numbers = [c for c in PLACEMENT_NUMBERS if c in frame.columns]
    return _with_numbers(frame, numbers, "placements")


def _checked_unplaced(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _with_columns(frame, UNPLACED_COLUMNS, "unplaced")
    return _with_text(frame, UNPLACED_COLUMNS, NAME_COLUMNS["unplaced"])


def _with_columns(frame: pd.DataFrame, needed: tuple[str, ...], table: str) -> pd.DataFrame:
    missing = [c for c in needed if c not in frame.columns]
    if len(frame.columns) == 0 and len(frame) == 0:
        # no rows and no header (an empty table from the service): the columns, no rows
        return pd.DataFrame({c: pd.Series(dtype=object) for c in needed})
    if missing:
        raise RoundError(f"{table}: no column {', '.join(repr(c) for c in missing)}")
    return frame.reset_index(drop=True)


def _with_text(frame: pd.DataFrame, ids: tuple[str, ...], names: tuple[str, ...]) -> pd.DataFrame:
    """Ids and names as text, a missing value or name column as empty text."""
    frame = frame.copy()
    for column in (*ids, *names):
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str)
    return frame


def _with_numbers(frame: pd.DataFrame, columns: list[str], table: str) -> pd.DataFrame:
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna() & (frame[column].astype(str) != "")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise RoundError(
                f"{table}, row {row + 1}, column '{column}': "
                f"{frame[column].iloc[row]!r} is not a number"
            )
        frame[column] = values.astype("float64")
    return frame


def _check_talents(placements: pd.DataFrame, unplaced: pd.DataFrame, talents: int) -> None:
    """Every talent of the round is placed (once or, with several tours, more) or unplaced,
    never both: the per-lender placement rates count on it."""
    placed = set(placements["talent"])
    duplicated = unplaced["talent"].duplicated()
    if duplicated.any():
        raise RoundError(f"unplaced: talent {unplaced['talent'][duplicated].iloc[0]!r} twice")
    both = placed.intersection(unplaced["talent"])
    if both:
        raise RoundError(f"talent {min(both)!r} is both placed and unplaced")
    counted = len(placed) + len(unplaced)
    if counted != talents:
        raise RoundError(
            f"placements and unplaced hold {counted:,} talents, kpis.json counts {talents:,}: "
            "the files are not of one solve"
        )


__all__ = ["ReportInputs"]
