"""A round from a request body: a round's JSON document, a zip of its CSV folder, or its CSV
files as multipart form fields. Each is read by :mod:`matcher.roundio`, so that a round is
refused with the same message as by ``cosource check``."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from starlette.datastructures import UploadFile
from starlette.requests import Request

from api.service.errors import TooLargeError, UnsupportedTypeError
from matcher.costs import forced_over_budget
from matcher.errors import RoundError
from matcher.models import Round
from matcher.roundio import PAIR_FILES, RECORD_FILES, load_round, read_csv_folder, round_from_dict

ROUND_FILES = (*RECORD_FILES, *PAIR_FILES, "policy.json", "round.json")
"""The files a CSV round may have; the first three are required."""
JSON_TYPES = ("application/json",)
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
FORM_TYPES = ("multipart/form-data",)
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused (413) beyond ``limit`` bytes, declared or sent."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLargeError(f"the body of {int(declared):,} bytes is over the limit of {limit:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLargeError(f"the body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def checked(round_: Round) -> Round:
    """``round_``, refused when its pinned and accepted placements exceed seats, tours or
    budgets (as ``cosource check`` refuses it)."""
    over = round_.over_capacity() + forced_over_budget(round_)
    if over:
        raise RoundError("; ".join(over))
    return round_


def round_of_json(body: bytes) -> Round:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RoundError(f"round: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RoundError("round: expected a JSON object")
    return checked(round_from_dict(data, source="round"))


def _from_files(files: dict[str, bytes], source: str) -> Round:
    unknown = sorted(set(files) - set(ROUND_FILES))
    if unknown:
        raise RoundError(
            f"{source}: unexpected file(s) {', '.join(unknown)}; a round has "
            f"{', '.join(ROUND_FILES)}"
        )
    missing = [name for name in RECORD_FILES if name not in files]
    if missing:
        raise RoundError(f"{source}: missing file(s) {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="cosource-upload-") as folder:
        for name, content in files.items():
            (Path(folder) / name).write_bytes(content)
        try:
            round_ = read_csv_folder(Path(folder))
        except RoundError as exc:
            raise RoundError(str(exc).replace(folder, source)) from exc
        except UnicodeDecodeError as exc:
            raise RoundError(f"{source}: a file is not UTF-8 text ({exc.reason})") from exc
    return checked(round_)


def round_of_zip(body: bytes, limit: int) -> Round:
    """A round from a zip of its CSV folder (the files at the top, or in one folder)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise RoundError(f"zip: not a zip archive ({exc})") from exc
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = PurePosixPath(info.filename).name
            if name in files:
                raise RoundError(f"zip: file {name} appears twice")
            total += info.file_size
            # a small archive may unpack to a huge one: count what it says it holds
            if total > limit:
                raise TooLargeError(f"zip: unpacks to over the limit of {limit:,} bytes")
            files[name] = archive.read(info)
    return _from_files(files, "zip")


def round_of_workbook(body: bytes) -> Round:
    """A round from an Excel workbook (one sheet per table, as :mod:`matcher.round_workbook`
    reads it); messages name the sheet, row and column."""
    with tempfile.TemporaryDirectory(prefix="cosource-upload-") as folder:
        path = Path(folder) / "round.xlsx"
        path.write_bytes(body)
        try:
            round_ = load_round(path)
        except RoundError as exc:
            raise RoundError(str(exc).replace(str(path), "workbook")) from exc
    return checked(round_)


async def round_of_form(request: Request, limit: int) -> Round:
    """A round from multipart form fields, one file per field named as the file."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLargeError(f"the body of {int(declared):,} bytes is over the limit of {limit:,}")
    form = await request.form(max_files=len(ROUND_FILES) + 1, max_fields=len(ROUND_FILES) + 1)
    files: dict[str, bytes] = {}
    total = 0
    for key, value in form.multi_items():
        if not isinstance(value, UploadFile):
            raise RoundError(f"form: field {key!r} is not a file")
        name = value.filename or key
        name = name if name in ROUND_FILES else key
        if name in files:
            raise RoundError(f"form: file {name} appears twice")
        content = await value.read()
        total += len(content)
        if total > limit:
            raise TooLargeError(f"form: files over the limit of {limit:,} bytes")
        files[name] = content
    return _from_files(files, "form")


async def round_of_request(request: Request, limit: int) -> Round:
    """The round a request carries, by its content type."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in FORM_TYPES:
        return await round_of_form(request, limit)
    body = await read_body(request, limit)
    if kind in ZIP_TYPES:
        return round_of_zip(body, limit)
    if kind in XLSX_TYPES:
        return round_of_workbook(body)
    if kind in JSON_TYPES or not kind:
        return round_of_json(body)
    raise UnsupportedTypeError(
        f"content type {kind!r} not understood: send application/json (a round document), "
        "application/zip (a zip of the CSV folder), multipart/form-data (the CSV files) or "
        f"{XLSX_TYPES[0]} (a workbook, one sheet per table)"
    )
