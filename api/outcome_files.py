"""An outcome's files: ``result.json``, ``kpis.json``, the placements, the unplaced, the
blocking pairs and the results workbook, as contents by file name and written into a
results folder, each whole or not at all.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from api.documents import to_json
from api.round_outcome import RoundOutcome
from matcher.errors import RoundError
from matcher.report import placements_frame

OUTCOME_FILES = (
    "result.json",
    "kpis.json",
    "placements.csv",
    "unplaced.csv",
    "blocking_pairs.csv",
    "results.xlsx",
)
"""Every file :func:`write_outcome` may write; those it does not write this time are removed,
so that no file of an earlier round in the same folder looks current."""


def write_outcome(outcome: RoundOutcome, folder: Path, xlsx: bool = False) -> list[Path]:
    """Write ``outcome`` into ``folder``: ``result.json`` always; with an assignment also
    ``kpis.json``, ``placements.csv``, ``unplaced.csv`` and, when kept,
    ``blocking_pairs.csv``; with ``xlsx``, ``results.xlsx``, the same results as one
    workbook (:mod:`api.workbook`). Files of an earlier outcome that this one does not have
    are removed. Returns the files written.

    Raises
    ------
    RoundError
        If ``folder`` names an existing file.
    """
    if folder.exists() and not folder.is_dir():
        raise RoundError(f"the results folder {folder} is an existing file")
    return write_outcome_files(outcome_files(outcome, xlsx), folder)


def outcome_files(outcome: RoundOutcome, xlsx: bool = False) -> dict[str, str | bytes]:
    """The contents of the files :func:`write_outcome` writes, by file name: what a batch
    task on another machine sends back for :func:`write_outcome_files` to write."""
    contents: dict[str, str | bytes] = {"result.json": to_json(outcome.result_document())}
    kpis = outcome.kpis_document()
    placements, unplaced = pd.DataFrame(), pd.DataFrame()
    if kpis is not None:
        placements, unplaced = outcome.placements(), outcome.unplaced()
        contents["kpis.json"] = to_json(kpis)
        contents["placements.csv"] = placements.to_csv(index=False)
        contents["unplaced.csv"] = unplaced.to_csv(index=False)
    if outcome.blocking_pairs is not None:
        frame = placements_frame(outcome.compiled, outcome.blocking_pairs)
        columns = ["talent", "package", "lender", "host", "score"]
        contents["blocking_pairs.csv"] = frame[columns].to_csv(index=False)
    if xlsx:
        # imported here: openpyxl is loaded only by a command that writes a workbook
        from api.workbook import results_workbook

        buffer = io.BytesIO()
        results_workbook(
            outcome.result_document().model_dump(mode="json"),
            None if kpis is None else kpis.model_dump(mode="json"),
            placements,
            unplaced,
            buffer,
            round_name=f"{outcome.round.id}: {outcome.round.name}".rstrip(": "),
        )
        contents["results.xlsx"] = buffer.getvalue()
    return contents


def write_outcome_files(contents: dict[str, str | bytes], folder: Path) -> list[Path]:
    """Write the files of :func:`outcome_files` into ``folder``, each whole or not at all,
    and remove the outcome files it does not hold. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in OUTCOME_FILES:
        if name not in contents:
            (folder / name).unlink(missing_ok=True)
    written = []
    for name, text in contents.items():
        path = folder / name
        # write beside, then rename: a reader never sees half a file
        partial = path.with_name(f".{name}.partial")
        if isinstance(text, bytes):
            partial.write_bytes(text)
        else:
            partial.write_text(text)
        partial.replace(path)
        written.append(path)
    return written


__all__ = ["OUTCOME_FILES", "outcome_files", "write_outcome", "write_outcome_files"]
