"""The price-of-rule suite on a small round: its table, its files and the cold check."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks.cli import SUITES
from benchmarks.prices import main


def test_the_suite_prices_a_small_round_and_writes_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sizes", "300", "--solve-seconds", "2", "--lp-seconds", "20"]
    argv += ["--resolve-seconds", "1", "--confirm", "1", "--cold", "1", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "300 talents" in printed and "priced" in printed
    with (tmp_path / "runs.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert rows and all(row["talents"] == "300" and row["check"] == "ok" for row in rows)
    assert any(row["cold_seconds"] for row in rows)
    assert (tmp_path / "results.json").exists()


def test_the_suite_is_registered() -> None:
    assert SUITES["prices"] is main
