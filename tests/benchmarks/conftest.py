"""The GAP benchmark data: tests that read it skip, saying where it belongs, when it is
absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.gap import DATA_ENV, resolve_data_dir


@pytest.fixture(scope="module")
def data_dir() -> Path:
    """The GAP data folder (``$COSOURCE_GAP_DATA``, else ``shared/benchdata/gap`` beside the
    checkout); the test skips when it does not exist."""
    folder = resolve_data_dir()
    if not folder.is_dir():
        pytest.skip(
            f"GAP instances not found at {folder}; they live in the shared folder beside the "
            f"checkout (shared/benchdata/gap), or set {DATA_ENV} to their folder"
        )
    return folder
