"""The floors benchmark on a small round: four runs, the floors met and checked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from benchmarks.floors import CASES, main


def test_the_floors_suite_writes_one_checked_run_per_case(tmp_path: Path) -> None:
    code = main(["--sizes", "150", "--limits", "3", "--out", str(tmp_path), "--commit", "x"])
    assert code == 0
    with (tmp_path / "runs.csv").open() as file:
        runs = list(csv.DictReader(file))
    assert [r["case"] for r in runs] == list(CASES)
    assert all(r["feasible"] == "True" and r["failed"] == "False" for r in runs)
    by_case = {r["case"]: r for r in runs}
    assert float(by_case["learning 1.0"]["learning_share"]) == 1.0
    assert float(by_case["both"]["learning_share"]) == 1.0
    assert float(by_case["both"]["strengths_share"]) >= 0.8
    assert float(by_case["strengths 0.8"]["strengths_share"]) >= 0.8
    # the price is against the default run of the same round
    default = int(by_case["default"]["placements"])
    learning = by_case["learning 1.0"]
    assert int(learning["placements_price"]) == default - int(learning["placements"])
    header = json.loads((tmp_path / "results.json").read_text())
    assert header["commit"] == "x" and header["limits"] == [3.0]


def test_sizes_and_limits_must_pair_up(tmp_path: Path) -> None:
    assert main(["--sizes", "150,300", "--limits", "3"]) == 2
