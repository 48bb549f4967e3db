"""A scenario's solve as a task that runs in another process or on another machine.

A :class:`Task` holds data and parameters only: the round itself (a validated
:class:`~matcher.models.Round`) or the seed and sizes to generate it, or a benchmark
instance's arrays (:class:`~api.batch.benchmark.BenchmarkData`), the policy overrides, the
method and limits. Everything a solve builds (the compiled arrays, the CP-SAT model,
which does not pickle) is built inside :func:`run_task`, and what comes back is plain data:
the comparison table's row and the outcome's files (:func:`api.pipeline.outcome_files`), so
that a task on a cluster's node writes nothing on its own disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from api.batch.benchmark import BenchmarkData, run_benchmark
from api.batch.settings import Generate
from api.batch.spec import Scenario
from api.batch.variants import generated_round, varied_round
from api.pipeline import (
    RoundOutcome,
    RoundParams,
    default_time_limit,
    outcome_files,
    run_round,
    time_limit_for_talents,
)
from matcher.errors import RoundError
from matcher.models import Round
from solvers.auto.options import HighsOptions
from solvers.result import SolveParams
from solvers.stop import Deadline

CPSAT_METHODS = frozenset({"auto", "cpsat", "stable"})
"""Methods whose search runs CP-SAT with the scenario's workers; the others use one core."""
COMPANION_METHODS = frozenset({"auto", "cpsat"})
"""Methods whose portfolio may run the HiGHS companion in a process of its own
(:class:`solvers.auto.phases.CompanionSlot`): with two workers or more and time enough."""


@dataclass(frozen=True)
class Task:
    """One scenario's solve, as data.

    Attributes
    ----------
    scenario
        The scenario's name.
    round
        The round as read from its file (None: ``generate`` it in the task).
    generate
        Sizes and seed of a synthetic round.
    policy, scale
        The scenario's policy overrides and money scale factors.
    method, time_limit, workers, seed, gap
        How to solve (``time_limit`` None: the pipeline's default for the round's size).
    benchmark
        A benchmark instance to solve instead of a round (``round`` and ``generate`` None).
    """

    scenario: str
    round: Round | None
    generate: Generate | None
    policy: dict[str, Any] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    method: str = "auto"
    time_limit: float | None = None
    workers: int = 1
    seed: int = 0
    gap: float = 0.0
    benchmark: BenchmarkData | None = None

    @classmethod
    def of(
        cls, scenario: Scenario, round_: Round | None, benchmark: BenchmarkData | None = None
    ) -> Task:
        """The task of ``scenario``, with its round file's round (or its benchmark
        instance) already read."""
        return cls(
            scenario=scenario.name,
            round=round_,
            generate=scenario.generate,
            policy=scenario.policy,
            scale=scenario.scale,
            method=scenario.method,
            time_limit=scenario.time_limit,
            workers=scenario.workers,
            seed=scenario.seed,
            gap=scenario.gap,
            benchmark=benchmark,
        )

    @property
    def cpus(self) -> int:
        """The cores the task asks for: its CP-SAT workers, and one more when the HiGHS
        companion may run beside them (two workers or more, and a limit that leaves it the
        companion's shortest run; an unknown limit may)."""
        if self.method not in CPSAT_METHODS:
            return 1
        companion = (
            self.method in COMPANION_METHODS
            and self.workers >= 2
            and (self.time_limit is None or self.time_limit > HighsOptions().companion_min_seconds)
        )
        return self.workers + int(companion)


@dataclass(frozen=True)
class TaskResult:
    """What a task sends back.

    Attributes
    ----------
    scenario
        The scenario's name.
    row
        The comparison table's numbers (:data:`api.batch.table.COLUMNS`), without the
        scenario's name, base and attempts, which the runner adds.
    files
        The outcome's files by name (:func:`api.pipeline.outcome_files`); none for bad input.
    invalid
        For bad input (a policy or budget the round cannot take): the message, which names
        the field. Such a task is not retried.
    """

    scenario: str
    row: dict[str, Any]
    files: dict[str, str | bytes]
    invalid: str | None = None


def run_task(task: Task) -> TaskResult:
    """Build the task's round, solve it with the round pipeline and send back its row and
    files. Bad input comes back as an ``invalid`` result; any other error is raised (the
    runner records it and retries the task once)."""
    started = time.perf_counter()
    if task.benchmark is not None:
        return _benchmark_task(task, task.benchmark, started)
    try:
        base = task.round if task.round is not None else _generated(task)
        round_ = varied_round(base, task.policy, task.scale)
    except RoundError as exc:
        return TaskResult(task.scenario, {"status": "invalid"}, {}, invalid=str(exc))
    limit = task.time_limit if task.time_limit is not None else default_time_limit(round_)
    solve = _solve_params(task, limit, started)
    outcome = run_round(round_, RoundParams(task.method, solve))
    files = outcome_files(outcome)
    row = outcome_row(outcome, limit)
    row["wall_seconds"] = round(time.perf_counter() - started, 3)
    return TaskResult(task.scenario, row, files)


def _benchmark_task(task: Task, data: BenchmarkData, started: float) -> TaskResult:
    """A benchmark scenario's task: the instance solved, judged and compared with its best
    known value (:func:`api.batch.benchmark.run_benchmark`)."""
    limit = task.time_limit
    if limit is None:
        # the limit a round of as many talents (jobs) gets
        limit = time_limit_for_talents(data.instance.n)
    solve = _solve_params(task, limit, started)
    row, files = run_benchmark(data, task.method, solve)
    row["wall_seconds"] = round(time.perf_counter() - started, 3)
    return TaskResult(task.scenario, row, files)


def _generated(task: Task) -> Round:
    if task.generate is None:
        raise RoundError("field 'round': missing; give 'round' (a file) or 'generate'")
    return generated_round(task.generate)


def outcome_row(outcome: RoundOutcome, time_limit: float) -> dict[str, Any]:
    """The comparison table's numbers of ``outcome`` (solved or not)."""
    result = outcome.result
    document = outcome.result_document()
    row: dict[str, Any] = {
        "status": str(result.status),
        "method": outcome.method,
        "solver": result.solver,
        "time_limit": time_limit,
        "talents": len(outcome.round.talents),
        "packages": len(outcome.round.packages),
        "placements": result.placements,
        "score": None if document.objective is None else document.objective.score,
        "objective": None if document.objective is None else document.objective.value,
        "bound": document.bound,
        "gap": result.gap,
        "compile_seconds": round(outcome.compile_seconds, 3),
        "solve_seconds": round(result.wall_time, 3),
    }
    if outcome.evaluation is not None:
        kpis = outcome.evaluation.kpis
        row |= {
            "feasible": outcome.evaluation.feasible,
            "violations": len(outcome.evaluation.violations),
            "placed_talents": kpis.placed_talents,
            "placement_rate": kpis.placement_rate,
            "seat_fill_rate": kpis.seat_fill_rate,
            "learning_share": kpis.learning_share,
            "strengths_share": kpis.strengths_share,
            "cross_sector_share": kpis.cross_sector_share,
            "lender_rate_min": kpis.lender_rate_min,
            "lender_rate_max": kpis.lender_rate_max,
            "mean_score": kpis.mean_score,
            "host_fees": kpis.host_fees,
            "subsidy": kpis.subsidy,
            "topups": kpis.topups,
        }
    if outcome.stability is not None:
        row["blocking_pairs"] = outcome.stability.blocking_pairs
    return row


__all__ = ["COMPANION_METHODS", "CPSAT_METHODS", "Task", "TaskResult", "outcome_row", "run_task"]


def _solve_params(task: Task, limit: float, started: float) -> SolveParams:
    """The task's solve parameters, its limit counted from ``started``."""
    return SolveParams(
        time_limit=limit,
        workers=task.workers,
        seed=task.seed,
        relative_gap=task.gap,
        deadline=Deadline(limit, started),
    )
