"""Workbook suite: one small instance of each task, its checks and its files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from benchmarks import workbook


def test_workbook_suite_times_each_task_and_checks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--size", "300x90", "--round-talents", "60", "--repeat", "1"]
    assert workbook.main([*argv, "--out", str(tmp_path), "--commit", "abc123"]) == 0
    out = capsys.readouterr().out
    assert "commit abc123, seed 1, best of 1, openpyxl" in out

    with (tmp_path / "runs.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(workbook.CSV_COLUMNS)
    assert [row["task"] for row in rows] == ["results", "round write", "round read"]
    results, written, read = rows
    assert (results["talents"], results["packages"]) == ("300", "90")
    assert int(results["placements"]) > 0 and results["check"] == "ok"
    assert int(results["cells"]) > int(results["placements"])
    assert written["talents"] == read["talents"] == "60"
    assert written["check"] == read["check"] == "ok"
    for row in rows:
        assert 0 < float(row["seconds"]) < workbook.TARGET_SECONDS
        assert float(row["megabytes"]) > 0
    header = json.loads((tmp_path / "results.json").read_text())
    assert header["commit"] == "abc123" and header["target_seconds"] == 5.0


def test_workbook_suite_refuses_a_bad_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert workbook.main(["--size", "big"]) == 2
    assert "size 'big' not understood" in capsys.readouterr().err
