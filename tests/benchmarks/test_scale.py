"""The national-scale benchmark on a small round: one row per solver, checked by the
evaluator, with the tree's peak memory and the time-limit overrun."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from benchmarks.scale import main


def test_scale_writes_one_checked_row_per_solver(tmp_path: Path) -> None:
    out = tmp_path / "scale"
    args = ["--sizes", "300x80", "--time-limit", "2", "--peers", "greedy", "--out", str(out)]
    assert main(args) == 0
    rows = list(csv.DictReader((out / "runs.csv").open()))
    assert [row["solver"] for row in rows] == ["decompose", "greedy"]
    for row in rows:
        assert row["feasible"] == "True"
        assert float(row["peak_mb"]) > 50
        assert float(row["solve_s"]) < 2 * 2 + 5
    header = json.loads((out / "results.json").read_text())
    assert header["time_limit"] == 2 and len(header["runs"]) == 2
