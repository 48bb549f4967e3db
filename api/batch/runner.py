"""The batch runner: prepare each scenario's task, run the tasks on a backend with one retry,
record each finished scenario, and write the table, the report and the summary.

The output folder holds ``comparison.csv`` (:mod:`api.batch.table`), ``report.html``
(:mod:`api.batch.report`), ``summary.txt`` (the table's main columns and the what-if view,
as printed), ``state.json`` (:mod:`api.batch.state`) and ``scenarios/NAME/``, each
scenario's outcome files as ``cosource solve`` writes them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.batch.backend import Backend
from api.batch.benchmark import BENCHMARK_FILE, BenchmarkCatalog, BenchmarkData
from api.batch.settings import Benchmark
from api.batch.spec import Batch, Scenario
from api.batch.state import BatchState
from api.batch.table import ERROR, INVALID, failed_row, solved, write_table
from api.batch.tasks import Task, TaskResult
from api.batch.texts import progress_line, summary_text
from api.batch.whatif import WhatIf, what_ifs
from api.pipeline import write_outcome_files
from matcher.errors import RoundError
from matcher.models import Round
from matcher.roundio import load_round

ATTEMPTS = 2
"""A failed task is run once more; a second failure is recorded as the scenario's error."""

Say = Callable[[str], None]


class BatchInterruptedError(Exception):
    """The batch was interrupted; the finished scenarios are recorded in the state file."""

    def __init__(self, finished: int, total: int) -> None:
        super().__init__(f"{finished} of {total} scenarios finished")
        self.finished, self.total = finished, total


@dataclass(frozen=True)
class BatchResult:
    """A batch's rows in file order, its what-if view and how many scenarios were resumed
    from the state file (not run again)."""

    rows: list[dict[str, Any]]
    what_ifs: list[WhatIf]
    resumed: int
    wall_seconds: float

    @property
    def all_solved(self) -> bool:
        return all(solved(row) for row in self.rows)


@dataclass(frozen=True)
class Prepared:
    """The tasks to run and the rows known before running: resumed and invalid ones."""

    tasks: list[Task]
    rows: dict[str, dict[str, Any]]
    resumed: int


def prepare(batch: Batch, state: BatchState) -> Prepared:
    """Each valid scenario's task, with its round file or benchmark instance read (once
    per file or instance); the rows of invalid scenarios and of those the state file has
    finished."""
    rows: dict[str, dict[str, Any]] = {}
    for invalid in batch.invalid():
        rows[invalid.name] = failed_row(invalid.name, None, INVALID, invalid.message)
    rounds: dict[Path, Round | str] = {}
    catalog = BenchmarkCatalog()
    benchmarks: dict[Benchmark, BenchmarkData | str] = {}
    tasks, resumed = [], 0
    for scenario in batch.valid():
        stored = state.row(scenario.name, scenario.fingerprint())
        if stored is not None:
            rows[scenario.name] = stored
            resumed += 1
            continue
        round_: Round | None = None
        if scenario.round is not None:
            if scenario.round not in rounds:
                rounds[scenario.round] = _read(scenario.round)
            read = rounds[scenario.round]
            if isinstance(read, str):
                message = f"scenario '{scenario.name}', field 'round': {read}"
                rows[scenario.name] = failed_row(scenario.name, scenario.base, INVALID, message)
                continue
            round_ = read
        data: BenchmarkData | None = None
        if scenario.benchmark is not None:
            if scenario.benchmark not in benchmarks:
                benchmarks[scenario.benchmark] = catalog.load(scenario.benchmark)
            loaded = benchmarks[scenario.benchmark]
            if isinstance(loaded, str):
                message = f"scenario '{scenario.name}', {loaded}"
                rows[scenario.name] = failed_row(scenario.name, scenario.base, INVALID, message)
                continue
            data = loaded
        tasks.append(Task.of(scenario, round_, data))
    return Prepared(tasks, rows, resumed)


def _read(path: Path) -> Round | str:
    try:
        return load_round(path)
    except RoundError as exc:
        return str(exc)


def execute(
    prepared: Prepared,
    batch: Batch,
    backend: Backend,
    out: Path,
    state: BatchState,
    *,
    parallel: int,
    say: Say = print,
) -> dict[str, dict[str, Any]]:
    """Run the prepared tasks on ``backend``, at most ``parallel`` at once, each failed one
    once more; write each finished scenario's files and record it in ``state``. Returns
    every row by scenario name.

    Raises
    ------
    BatchInterruptedError
        On an interrupt (Ctrl-C): the tasks still running are stopped.
    """
    rows = dict(prepared.rows)
    scenarios = {s.name: s for s in batch.valid()}
    queue = deque(prepared.tasks)
    attempts: dict[str, int] = {}
    running: dict[object, Task] = {}
    total, done = len(batch.scenarios), len(rows)
    try:
        while queue or running:
            while queue and len(running) < parallel:
                task = queue.popleft()
                attempts[task.scenario] = attempts.get(task.scenario, 0) + 1
                running[backend.submit(task)] = task
            for handle, outcome in backend.wait(list(running)):
                task = running.pop(handle)
                scenario = scenarios[task.scenario]
                tried = attempts[task.scenario]
                if isinstance(outcome, BaseException):
                    error = f"{type(outcome).__name__}: {outcome}".strip()
                    if tried < ATTEMPTS:
                        say(f"{task.scenario}: failed ({error}); trying once more")
                        queue.appendleft(task)
                        continue
                    row = failed_row(task.scenario, scenario.base, ERROR, error)
                    row["attempts"] = tried
                else:
                    row = _finished(outcome, scenario, tried, out, state)
                rows[task.scenario] = row
                done += 1
                say(progress_line(row, done, total))
    except KeyboardInterrupt:
        backend.close(cancel=True)
        raise BatchInterruptedError(len(state.finished), total) from None
    return rows


def _finished(
    result: TaskResult, scenario: Scenario, attempts: int, out: Path, state: BatchState
) -> dict[str, Any]:
    """The row of a task that came back after ``attempts`` runs; its files written and the
    scenario recorded, attempts included (a resumed row has them too)."""
    if result.invalid is not None:
        message = f"scenario '{scenario.name}', {result.invalid}"
        return failed_row(scenario.name, scenario.base, INVALID, message) | {"attempts": attempts}
    folder = out / "scenarios" / scenario.name
    write_outcome_files(result.files, folder)
    if BENCHMARK_FILE not in result.files:
        # a scenario that was a benchmark before: its old outcome goes
        (folder / BENCHMARK_FILE).unlink(missing_ok=True)
    row = {"scenario": scenario.name, "base": scenario.base} | result.row
    row["attempts"] = attempts
    state.record(scenario.name, scenario.fingerprint(), row)
    return row


def run_batch(
    batch: Batch,
    out: Path,
    backend_for: Callable[[list[Task]], tuple[Backend, int]],
    *,
    fresh: bool = False,
    say: Say = print,
) -> BatchResult:
    """Run ``batch`` into ``out`` and write its table, report and summary.

    Parameters
    ----------
    batch
        The read scenario file.
    out
        The output folder.
    backend_for
        Given the tasks to run, the backend to run them on and how many may run at once
        (called only when there are tasks: a batch whose scenarios all finished before
        starts no pool and no Ray).
    fresh
        Run every scenario again, ignoring the state file.
    say
        Where progress lines go.

    Raises
    ------
    BatchInterruptedError
        On an interrupt (Ctrl-C) at any point: the scenarios finished before are recorded.
    """
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    state = BatchState(out) if fresh else BatchState.load(out)
    try:
        return _run(batch, out, backend_for, state, started, say)
    except KeyboardInterrupt:
        # outside the tasks' run (reading rounds, starting the pool, writing the report):
        # no task is running, and the state file holds every scenario finished
        raise BatchInterruptedError(len(state.finished), len(batch.scenarios)) from None


def _run(
    batch: Batch,
    out: Path,
    backend_for: Callable[[list[Task]], tuple[Backend, int]],
    state: BatchState,
    started: float,
    say: Say,
) -> BatchResult:
    """:func:`run_batch` once the state file is read."""
    prepared = prepare(batch, state)
    if prepared.resumed:
        say(f"resuming: {prepared.resumed} scenario(s) finished before are not run again")
    rows = dict(prepared.rows)
    if prepared.tasks:
        backend, parallel = backend_for(prepared.tasks)
        say(
            f"running {len(prepared.tasks)} scenario(s) on the {backend.name}, {parallel} at a time"
        )
        try:
            rows = execute(prepared, batch, backend, out, state, parallel=parallel, say=say)
        finally:
            backend.close()
    ordered = [rows[s.name] for s in batch.scenarios]
    result = BatchResult(
        ordered,
        what_ifs(batch.valid(), rows),
        prepared.resumed,
        time.perf_counter() - started,
    )
    write_results(batch, result, out)
    return result


def write_results(batch: Batch, result: BatchResult, out: Path) -> None:
    """Write ``comparison.csv``, ``summary.txt`` and ``report.html`` into ``out``."""
    from api.batch.report import write_batch_report

    write_table(result.rows, out / "comparison.csv")
    summary = out / "summary.txt"
    partial = summary.with_name(".summary.txt.partial")
    partial.write_text(summary_text(result.rows, result.what_ifs) + "\n")
    partial.replace(summary)
    write_batch_report(batch, result.rows, result.what_ifs, out / "report.html")


__all__ = ["ATTEMPTS", "BatchInterruptedError", "BatchResult", "execute", "prepare", "run_batch"]
