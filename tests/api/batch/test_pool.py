"""The batch on the local process pool: every outcome judged by the evaluator, the table,
the report and the what-if view; a failed task retried once; a dead worker; resume."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import cast

import pandas as pd

from api.batch.backend import TaskFunction
from api.batch.pool import ProcessPool
from api.batch.runner import BatchResult, run_batch
from api.batch.state import STATE_FILE
from api.batch.tasks import Task
from tests.api.batch.helpers import Counting, FailOnce, check_outcomes, runs
from tests.api.batch.scenarios import SOLVED, study


def _run(folder: Path, out: Path, run: TaskFunction, fresh: bool = False) -> BatchResult:
    def backend(tasks: list[Task]) -> tuple[ProcessPool, int]:
        return ProcessPool(2, run), 2

    return run_batch(study(folder), out, backend, fresh=fresh, say=lambda line: None)


def test_a_batch_of_small_rounds_on_the_pool(tmp_path: Path) -> None:
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    result = _run(tmp_path, out, FailOnce(marks, frozenset({"fair"})))
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == [*SOLVED, "ages"]
    by_name = table.set_index("scenario")
    assert set(by_name.loc[list(SOLVED), "status"]) <= {"optimal", "feasible"}
    # the failed task ran once more and solved; the others ran once
    assert by_name.loc["fair", "attempts"] == 2
    assert list(by_name.loc[["base", "more-subsidy", "greedy"], "attempts"]) == [1, 1, 1]
    assert by_name.loc["ages", "status"] == "invalid"
    assert "scenario 'ages', field 'policy': max_age 40 is below min_age 50" in str(
        by_name.loc["ages", "error"]
    )
    check_outcomes(out, [s for s in study(tmp_path).valid() if s.name in SOLVED], table)
    assert not result.all_solved
    # more subsidy money buys at least the placements of the base
    assert by_name.loc["more-subsidy", "subsidy"] >= by_name.loc["base", "subsidy"]
    summary = (out / "summary.txt").read_text()
    assert "more-subsidy vs base (subsidy pool +100 %): " in summary
    assert "fair vs base (fairness hard, min_per_lender 1): " in summary
    page = (out / "report.html").read_text()
    for figure in ("fig-placements", "fig-learning-share", "fig-strengths-share"):
        assert f'id="{figure}"' in page
    assert "more-subsidy vs base (subsidy pool +100 %)" in page
    assert 'id="comparison-table"' in page


def test_a_scenario_that_fails_twice_is_recorded_and_the_others_run(tmp_path: Path) -> None:
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    _run(tmp_path, out, FailOnce(marks, frozenset({"greedy"}), always=True))
    table = pd.read_csv(out / "comparison.csv").set_index("scenario")
    assert table.loc["greedy", "status"] == "error"
    assert table.loc["greedy", "attempts"] == 2
    assert table.loc["greedy", "error"] == "RuntimeError: injected failure of greedy"
    assert set(table.loc[["base", "more-subsidy", "fair"], "status"]) <= {"optimal", "feasible"}
    assert "greedy" not in json.loads((out / STATE_FILE).read_text())["finished"]


def test_a_dead_worker_breaks_the_pool_and_its_task_runs_again(tmp_path: Path) -> None:
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    _run(tmp_path, out, FailOnce(marks, frozenset({"base"}), crash=True))
    table = pd.read_csv(out / "comparison.csv").set_index("scenario")
    assert set(table.loc[list(SOLVED), "status"]) <= {"optimal", "feasible"}
    assert table.loc["base", "attempts"] == 2
    check_outcomes(
        out, [s for s in study(tmp_path).valid() if s.name in SOLVED], table.reset_index()
    )


def test_a_rerun_skips_finished_scenarios(tmp_path: Path) -> None:
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    _run(tmp_path, out, Counting(marks))
    assert [runs(marks, name) for name in SOLVED] == [1, 1, 1, 1]
    # an interruption after two scenarios: the state file names only those
    state = json.loads((out / STATE_FILE).read_text())
    state["finished"] = {k: state["finished"][k] for k in ("base", "greedy")}
    (out / STATE_FILE).write_text(json.dumps(state))
    before = (out / "scenarios" / "base" / "result.json").stat().st_mtime_ns
    result = _run(tmp_path, out, Counting(marks))
    assert result.resumed == 2
    assert [runs(marks, name) for name in SOLVED] == [1, 2, 2, 1]
    assert (out / "scenarios" / "base" / "result.json").stat().st_mtime_ns == before
    assert len(pd.read_csv(out / "comparison.csv")) == 5
    # all finished now: nothing runs, not even a pool; --fresh runs them all again
    assert _run(tmp_path, out, Counting(marks)).resumed == 4
    assert [runs(marks, name) for name in SOLVED] == [1, 2, 2, 1]
    _run(tmp_path, out, Counting(marks), fresh=True)
    assert [runs(marks, name) for name in SOLVED] == [2, 3, 3, 2]


def test_a_task_asks_for_its_workers_and_the_companion() -> None:
    def task(**fields: object) -> Task:
        return Task("x", None, None, **fields)  # type: ignore[arg-type]

    assert task(workers=1).cpus == 1
    assert task(workers=2, time_limit=10).cpus == 2  # too short for the companion
    assert task(workers=2, time_limit=60).cpus == 3
    assert task(workers=2).cpus == 3  # the round's default limit may leave it time
    assert task(workers=4, method="greedy").cpus == 1
    assert task(workers=2, method="stable", time_limit=60).cpus == 2


def _crash_or_echo(task: Task) -> Task:
    """A task function: the worker dies on the scenario named ``crash``."""
    if task.scenario == "crash":
        os._exit(1)
    return task


def test_a_task_submitted_to_a_pool_that_just_broke_runs_on_a_new_one() -> None:
    # a worker dies while no one waits: the next submission finds the pool broken
    pool = ProcessPool(1, _crash_or_echo)  # type: ignore[arg-type]
    task = Task(scenario="fine", round=None, generate=None)
    doomed = pool.submit(Task(scenario="crash", round=None, generate=None))
    deadline = time.monotonic() + 60
    while not cast(Future[Task], doomed).done() and time.monotonic() < deadline:
        time.sleep(0.05)
    fine = pool.submit(task)
    finished = dict(pool.wait([doomed]))
    assert isinstance(finished[doomed], BrokenProcessPool)
    # the dead worker's pool was replaced at the submission; its failure replaces nothing
    answer = dict(pool.wait([fine]))
    assert answer[fine] == task
    pool.close()
