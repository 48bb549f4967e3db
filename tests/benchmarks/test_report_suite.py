"""The report suite on one small round: a generated round solved and reported by the real
command line, its table and files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from benchmarks import report_suite


def test_report_suite_times_the_command_and_checks_its_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sizes", "200", "--time-limit", "2", "--workers", "1", "--repeat", "1"]
    out, work = tmp_path / "out", tmp_path / "work"
    assert (
        report_suite.main([*argv, "--work", str(work), "--out", str(out), "--commit", "abc"]) == 0
    )

    table = [line.split() for line in capsys.readouterr().out.splitlines()]
    row = next(line for line in table if line[:1] == ["200"])
    assert row[-1] == "ok"
    with (out / "runs.csv").open(newline="") as handle:
        (run,) = list(csv.DictReader(handle))
    assert list(run) == list(report_suite.CSV_COLUMNS)
    assert (run["talents"], run["packages"], run["check"]) == ("200", "50", "ok")
    placed, unplaced = int(run["placements"]), int(run["unplaced"])
    assert placed > 0 and unplaced > 0
    assert 0 < float(run["command_s"]) <= float(run["command_s_max"])
    assert float(run["read_s"]) + float(run["page_s"]) < float(run["command_s"])
    # the page of the run is kept in --work, of the size recorded
    page = work / "results-200" / "report.html"
    assert abs(page.stat().st_size / 1e6 - float(run["size_mb"])) < 0.01
    assert page.read_text(encoding="utf-8").count('class="cosource-figure"') == 7
    header = json.loads((out / "results.json").read_text())
    assert header["suite"] == "report" and header["commit"] == "abc"
    assert header["targets"] == {"seconds": 5.0, "mb": 10.0}


def test_a_missed_target_fails_the_suite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sizes", "100", "--time-limit", "1", "--workers", "1", "--repeat", "1"]
    # no page with Plotly's 4.8 MB of JavaScript fits in 1 MB
    assert report_suite.main([*argv, "--max-mb", "1", "--work", str(tmp_path)]) == 1
    assert "MB > 1 MB" in capsys.readouterr().out


def test_bad_sizes_are_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert report_suite.main(["--sizes", "0"]) == 2
    assert "error: --sizes" in capsys.readouterr().err
