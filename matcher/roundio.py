"""Reading and writing rounds: one JSON document, or a folder of CSV files.

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
"""

from __future__ import annotations

import csv
import json
import typing
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from matcher.compact import format_list, format_map, format_number, parse_list, parse_map
from matcher.errors import RoundError, describe_record_errors, describe_round_errors
from matcher.models import (
    Organization,
    Pair,
    Policy,
    PreviousPlacement,
    Round,
    Talent,
    WorkPackage,
)

RECORD_FILES: dict[str, type[BaseModel]] = {
    "organizations.csv": Organization,
    "talents.csv": Talent,
    "packages.csv": WorkPackage,
}
PAIR_FILES: dict[str, type[BaseModel]] = {
    "pins.csv": Pair,
    "forbidden.csv": Pair,
    "previous.csv": PreviousPlacement,
}
_ROUND_FIELD = {
    "organizations.csv": "organizations",
    "talents.csv": "talents",
    "packages.csv": "packages",
    "pins.csv": "pins",
    "forbidden.csv": "forbidden",
    "previous.csv": "previous",
}


def _field_kind(model: type[BaseModel], name: str) -> str:
    annotation = model.model_fields[name].annotation
    origin = typing.get_origin(annotation)
    if origin is list:
        return "list"
    if origin is dict:
        return "map"
    return "scalar"


def load_round(path: str | Path) -> Round:
    """Read a round from a ``.json`` file or a folder of CSV files.

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


def _cell_to_value(kind: str, text: str) -> Any:
    if kind == "list":
        return parse_list(text)
    if kind == "map":
        return parse_map(text)
    return text


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows of a CSV file, each row with the line it starts on.

    The csv module (not pandas) is used so that line numbers stay exact across blank lines
    and quoted cells that span lines, and so that a row with too few or too many cells is
    an error rather than silently padded.
    """
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file, skipinitialspace=True)
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
    unknown = [c for c in columns if c not in model.model_fields]
    if unknown:
        raise RoundError(
            f"{path.name}: unknown column '{unknown[0]}'; known: {', '.join(model.model_fields)}"
        )
    repeated = sorted(c for c, n in Counter(columns).items() if n > 1)
    if repeated:
        raise RoundError(f"{path.name}: column '{repeated[0]}' appears more than once")
    kinds = {c: _field_kind(model, c) for c in columns}
    records = []
    for line, cells in rows:
        row = dict(zip(columns, (cell.strip() for cell in cells), strict=True))
        where = f"{path.name} line {line}"
        if row.get("id"):
            where += f" (id '{row['id']}')"
        record: dict[str, Any] = {}
        for column, text in row.items():
            if text == "" and kinds[column] == "scalar":
                continue  # empty cell: the field's default (or a "required" error)
            try:
                record[column] = _cell_to_value(kinds[column], text)
            except ValueError as exc:
                raise RoundError(f"{where}, column '{column}': {exc}") from exc
        try:
            model.model_validate(record)
        except ValidationError as exc:
            raise RoundError(describe_record_errors(exc, where)) from exc
        records.append(record)
    return records


def read_csv_folder(folder: Path) -> Round:
    """Read a round from a folder of CSV files (see the module docstring for the layout)."""
    document: dict[str, Any] = {}
    for name, model in (RECORD_FILES | PAIR_FILES).items():
        path = folder / name
        if not path.exists():
            if name in RECORD_FILES:
                raise RoundError(f"{folder}: missing file {name}")
            continue
        document[_ROUND_FIELD[name]] = _read_table(path, model)
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
        records = getattr(round_, _ROUND_FIELD[name])
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
