"""Reading and writing rounds: one JSON document, or a folder of CSV files (or a workbook with
one sheet per CSV file: :mod:`matcher.round_workbook`).

CSV folder layout (map and list cells use the compact form of :mod:`matcher.compact`):

``organizations.csv``, ``talents.csv``, ``packages.csv``
    One row per record; columns are the model fields.
``pins.csv``, ``forbidden.csv`` (optional)
    Columns ``talent,package``.
``previous.csv`` (optional)
    Columns ``talent,package,status`` (``accepted`` or ``proposed``).
``policy.json`` (optional)
    The policy as JSON.
``round.json`` (optional)
    ``{"id": ..., "name": ...}``.

Cells are separated by ``,``, or by ``;`` when the header line has more semicolons than
commas (a CSV file saved by Excel in a locale with decimal commas); a UTF-8 byte order mark
and CRLF line ends are accepted. Decimal commas are not: ``0,8`` is refused, not guessed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
from pydantic import BaseModel, ValidationError

from matcher.compact import format_list, format_map, format_number
from matcher.errors import RoundError, describe_round_errors
from matcher.models import Policy, Round
from matcher.tables import (
    PAIR_FILES,
    RECORD_FILES,
    ROUND_FIELD,
    Places,
    table_records,
)


def load_round(path: str | Path) -> Round:
    """Read a round from a ``.json`` file, a folder of CSV files or an Excel workbook
    (``.xlsx``, :mod:`matcher.round_workbook`).

    Raises
    ------
    RoundError
        If the files are missing or malformed, or the round is invalid; the message names
        the file, row or record, and field.
    """
    path = Path(path)
    if path.is_dir():
        return read_csv_folder(path)
    if not path.exists():
        raise RoundError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".xlsx":
        # openpyxl is loaded only for a workbook: reading JSON or CSV does not need it
        from matcher.round_workbook import read_workbook

        return read_workbook(path)
    return read_json(path)


def save_round(round_: Round, path: str | Path) -> None:
    """Write a round as JSON (``path`` ends in ``.json``) or as a CSV folder (otherwise)."""
    path = Path(path)
    if path.suffix == ".json":
        write_json(round_, path)
    else:
        write_csv_folder(round_, path)


def read_json(path: Path) -> Round:
    """Read a round from one JSON document."""
    return round_from_dict(_read_json_file(path, str(path)), source=str(path))


def _read_json_file(path: Path, name: str) -> Any:
    """The JSON document in ``path``; errors name the file as ``name``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RoundError(f"{name}: not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except OSError as exc:
        raise RoundError(f"{name}: cannot be read: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RoundError(f"{name}: not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise RoundError(f"{name}: not valid JSON: nested too deeply") from exc
    except ValueError as exc:  # an integer of thousands of digits
        raise RoundError(f"{name}: not valid JSON: {exc}") from exc


def round_from_dict(data: Any, source: str = "round") -> Round:
    """Validate a round document (a dict as parsed from JSON)."""
    try:
        return Round.model_validate(data)
    except ValidationError as exc:
        raise RoundError(f"{source}: {describe_round_errors(exc, data)}") from exc


def write_json(round_: Round, path: Path) -> None:
    """Write a round as one indented JSON document (atomically: no half-written file)."""
    _write_atomically(path, round_.model_dump_json(indent=1))


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _delimiter(file: TextIO) -> str:
    """The delimiter of a CSV file, from its header line: ``;`` when it has more semicolons
    than commas (Excel saves CSV so in locales whose decimal mark is a comma), else ``,``.

    Only the delimiter is guessed: a decimal comma in a cell stays an error of that cell, as
    a number that cannot be read, rather than a guess that could be wrong by a factor of
    1,000 (``1,500``). The file is left at its start.
    """
    line = file.readline()
    while line and not line.strip():
        line = file.readline()
    file.seek(0)
    return ";" if line.count(";") > line.count(",") else ","


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows of a CSV file, each row with the line it starts on.

    The csv module (not pandas) is used so that line numbers stay exact across blank lines
    and quoted cells that span lines, and so that a row with too few or too many cells is
    an error rather than silently padded. The delimiter is ``,`` or ``;`` (see
    :func:`_delimiter`).
    """
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file, delimiter=_delimiter(file), skipinitialspace=True)
            next_line = 1
            for cells in reader:
                line, next_line = next_line, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line
                if header is None:
                    header = [cell.strip() for cell in cells]
                    continue
                if len(cells) != len(header):
                    raise RoundError(
                        f"{path.name} line {line}: {len(cells)} cells, expected "
                        f"{len(header)} (one per column of the header)"
                    )
                rows.append((line, cells))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise RoundError(f"{path.name}: cannot be read as CSV: {exc}") from exc
    except OSError as exc:
        raise RoundError(f"{path.name}: cannot be read: {exc.strerror or exc}") from exc
    if header is None:
        raise RoundError(f"{path.name}: empty file, expected a header row")
    return header, rows


def _read_table(path: Path, model: type[BaseModel]) -> list[dict[str, Any]]:
    columns, rows = _read_rows(path)
    return table_records(Places(path.name), columns, rows, model)


def read_csv_folder(folder: Path) -> Round:
    """Read a round from a folder of CSV files (see the module docstring for the layout)."""
    document: dict[str, Any] = {}
    for name, model in (RECORD_FILES | PAIR_FILES).items():
        path = folder / name
        if not path.exists():
            if name in RECORD_FILES:
                raise RoundError(f"{folder}: missing file {name}")
            continue
        document[ROUND_FIELD[name]] = _read_table(path, model)
    for name in ("policy.json", "round.json"):
        path = folder / name
        if not path.exists():
            continue
        extra = _read_json_file(path, path.name)
        if not isinstance(extra, dict):
            raise RoundError(f"{path.name}: expected a JSON object")
        if name == "policy.json":
            document["policy"] = extra
        else:
            document.update({k: v for k, v in extra.items() if k in ("id", "name")})
    return round_from_dict(document, source=str(folder))


def _value_to_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return format_map(value)
    if isinstance(value, list):
        return format_list(value)
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def _table_text(model: type[BaseModel], records: list[BaseModel]) -> str:
    columns = list(model.model_fields)
    rows = [{c: _value_to_cell(v) for c, v in r.model_dump(mode="json").items()} for r in records]
    text: str = pd.DataFrame(rows, columns=columns, dtype=str).to_csv(index=False)
    return text


def write_csv_folder(round_: Round, folder: Path) -> None:
    """Write a round as a CSV folder; optional files are written only when not empty.

    Every file is rendered before any is written, so a round that cannot be written
    (a name the compact form cannot hold) leaves the folder as it was.
    """
    texts: dict[str, str | None] = {}
    for name, model in (RECORD_FILES | PAIR_FILES).items():
        records = getattr(round_, ROUND_FIELD[name])
        try:
            texts[name] = _table_text(model, records) if records or name in RECORD_FILES else None
        except ValueError as exc:
            raise RoundError(f"{folder / name}: cannot be written: {exc}") from exc
    texts["policy.json"] = round_.policy.model_dump_json(indent=1)
    texts["round.json"] = json.dumps({"id": round_.id, "name": round_.name}, indent=1)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        path = folder / name
        if text is not None:
            _write_atomically(path, text)
        elif path.exists():
            path.unlink()


__all__ = [
    "PAIR_FILES",
    "RECORD_FILES",
    "Policy",
    "RoundError",
    "load_round",
    "read_csv_folder",
    "read_json",
    "round_from_dict",
    "save_round",
    "write_csv_folder",
    "write_json",
]
