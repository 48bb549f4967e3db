"""The batch benchmark on two tiny rounds, on the process pool only: its table and files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from benchmarks.batch import main


def test_the_batch_benchmark_on_the_pool(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    argv = ["--scenarios", "2", "--talents", "200", "--packages", "60", "--time-limit", "2"]
    argv += ["--overhead-tasks", "2", "--parallel", "1", "--backends", "pool", "--out", str(out)]
    assert main(argv) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert list(runs["kind"]) == ["solve", "overhead"]
    assert list(runs["tasks"]) == [2, 2]
    assert (runs["failed"] == 0).all() and (runs["placements"] > 0).all()
    assert (runs["wall_s"] >= runs["task_s"]).all()
    document = json.loads((out / "results.json").read_text())
    assert document["problems"] == [] and document["machine"]["nproc"] >= 1
    # each scenario's outcome folder, judged by the evaluator in the run
    assert (out / "pool-p1" / "scenarios" / "seed1" / "placements.csv").exists()
    assert (out / "pool-p1" / "comparison.csv").exists()
