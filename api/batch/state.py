"""The batch's state file, ``state.json`` in the output folder: the finished scenarios.

After each scenario that ran to its end (solved, or ended without an assignment), the runner
rewrites the file whole (written beside, then renamed), so that a batch that is interrupted
at any moment leaves a state file that names every scenario finished before. A rerun of the
same batch into the same folder skips those whose settings (their fingerprint,
:meth:`api.batch.spec.Scenario.fingerprint`) have not changed and whose outcome folder is
still there; failed and invalid scenarios run again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
STATE_VERSION = 1
OUTCOME_DOCUMENTS = ("result.json", "benchmark.json")
"""A finished scenario's outcome folder holds one of these: a round's result, or a benchmark
instance's (:data:`api.batch.benchmark.BENCHMARK_FILE`)."""


class BatchState:
    """The finished scenarios of a batch's output folder, by name: fingerprint and row."""

    def __init__(self, folder: Path, finished: dict[str, dict[str, Any]] | None = None) -> None:
        self.folder = folder
        self.finished: dict[str, dict[str, Any]] = finished or {}

    @classmethod
    def load(cls, folder: Path) -> BatchState:
        """The state in ``folder``; empty when there is none, or it cannot be read (a batch
        then runs every scenario again)."""
        path = folder / STATE_FILE
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls(folder)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return cls(folder)
        finished = data.get("finished")
        return cls(folder, finished if isinstance(finished, dict) else {})

    def row(self, name: str, fingerprint: str) -> dict[str, Any] | None:
        """The stored row of scenario ``name`` when it finished with these settings and its
        outcome folder is still there."""
        entry = self.finished.get(name)
        if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint:
            return None
        outcome = self.folder / "scenarios" / name
        if not any((outcome / document).is_file() for document in OUTCOME_DOCUMENTS):
            return None
        row = entry.get("row")
        return row if isinstance(row, dict) else None

    def record(self, name: str, fingerprint: str, row: dict[str, Any]) -> None:
        """Add a finished scenario and rewrite the file, whole or not at all."""
        self.finished[name] = {"fingerprint": fingerprint, "row": row}
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / STATE_FILE
        partial = path.with_name(f".{STATE_FILE}.partial")
        with partial.open("w") as file:
            document = {"version": STATE_VERSION, "finished": self.finished}
            # numpy numbers of a row are written as the plain numbers they hold
            json.dump(document, file, indent=1, default=_plain)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(path)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


__all__ = ["STATE_FILE", "BatchState"]
