"""Test settings: in CI, property tests draw the same examples on every run, so that a
result does not depend on the draw (a failure found by a random draw locally is kept in
``.hypothesis`` and replayed there). Tests that read the GAP benchmark data take the
``data_dir`` fixture, which skips them, saying where the data lives, when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from solvers.gap.read import DATA_ENV, resolve_data_dir

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture(scope="session")
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
