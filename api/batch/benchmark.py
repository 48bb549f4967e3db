"""Benchmark scenarios: a public instance solved instead of a round, its value compared with
the best known.

A scenario names ``benchmark: {suite: gap, instance: gap1-1}``
(:class:`api.batch.settings.Benchmark`). :class:`BenchmarkCatalog` checks the name when the
file is read (the suite's data folder is there, the instance is in its best-known table) and
reads the instance in the command (:meth:`BenchmarkCatalog.load`), so that a task carries the
instance's arrays (:class:`BenchmarkData`) and a cluster's node needs no data folder.
:func:`run_benchmark` solves it in the task with the scenario's method
(:data:`solvers.gap.solve.GAP_METHODS`) and limits, and sends back the comparison table's row
and :data:`BENCHMARK_FILE`. The assignment is judged by the GAP checker
(:func:`solvers.gap.instance.evaluate_assignment`), never by the engine's own account of it.

The data folder is the one the benchmark suite reads (:func:`solvers.gap.read.resolve_data_dir`):
``shared/benchdata/gap`` beside the checkout, or the folder ``$COSOURCE_GAP_DATA`` names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from api.batch.settings import Benchmark
from solvers.gap.instance import GapInstance, Sense, gap_percent
from solvers.gap.read import (
    DATA_ENV,
    BestKnown,
    instance_source,
    load_instance,
    read_best_known,
    resolve_data_dir,
)
from solvers.gap.solve import GAP_METHODS, GapAssignment, gap_assignment, solve_gap
from solvers.result import Result, SolveParams, Status, relative_gap

BENCHMARK_FILE = "benchmark.json"
"""A benchmark scenario's outcome file: the instance, the method's result, the GAP checker's
verdict, the best-known value and the agent of each job."""

BENCHMARK_COLUMNS = ("suite", "instance", "sense", "best_known", "gap_to_best_pct")
"""The comparison table's columns of benchmark scenarios alone; a round scenario leaves them
empty, as a benchmark scenario leaves the round's KPIs."""


@dataclass(frozen=True, eq=False)
class BenchmarkData:
    """What a benchmark task carries: plain data, the instance's arrays included.

    Attributes
    ----------
    suite
        The suite (:data:`api.batch.settings.SUITES`).
    instance
        The instance as read from the data folder.
    sense
        The sense it is solved in.
    best_known
        The best-known value in that sense, and whether it is proven optimal.
    """

    suite: str
    instance: GapInstance
    sense: Sense
    best_known: BestKnown


Table = dict[tuple[str, Sense], BestKnown]


class BenchmarkCatalog:
    """The benchmark data a batch reads: each suite's best-known table, read once."""

    def __init__(self) -> None:
        self._tables: dict[str, Table | str] = {}

    def problem(self, benchmark: Benchmark) -> str | None:
        """Why ``benchmark`` cannot run (``field 'benchmark...': why``), or None."""
        table = self._table(benchmark.suite)
        if isinstance(table, str):
            return table
        name, sense = benchmark.instance, benchmark.sense
        if (name, sense) in table:
            try:
                instance_source(name)
            except ValueError as exc:
                return f"field 'benchmark.instance': {exc}"
            return None
        if any(known == name for known, _ in table):
            return f"field 'benchmark.sense': {name} has no best-known value to {sense}imise"
        names = list(dict.fromkeys(known for known, _ in table))
        return (
            f"field 'benchmark.instance': no {benchmark.suite} instance {name!r} in "
            f"best_known.csv ({len(names)} instances: {names[0]} .. {names[-1]})"
        )

    def load(self, benchmark: Benchmark) -> BenchmarkData | str:
        """The instance's data, or why it cannot be read (``field '...': why``)."""
        problem = self.problem(benchmark)
        if problem is not None:
            return problem
        table = self._table(benchmark.suite)
        assert not isinstance(table, str)  # problem() said it was read
        try:
            instance = load_instance(benchmark.instance)
        except (OSError, ValueError) as exc:
            return f"field 'benchmark.instance': cannot read {benchmark.instance}: {exc}"
        best = table[(benchmark.instance, benchmark.sense)]
        return BenchmarkData(benchmark.suite, instance, benchmark.sense, best)

    def _table(self, suite: str) -> Table | str:
        if suite not in self._tables:
            self._tables[suite] = _read_table()
        return self._tables[suite]


def _read_table() -> Table | str:
    """The GAP suite's best-known table, or why it cannot be read."""
    folder = resolve_data_dir()
    if not folder.is_dir():
        return (
            f"field 'benchmark': the GAP data folder {folder} does not exist "
            f"(shared/benchdata/gap beside the checkout, or the folder ${DATA_ENV} names)"
        )
    try:
        return read_best_known(folder)
    except (OSError, ValueError) as exc:
        return f"field 'benchmark': cannot read {folder / 'best_known.csv'}: {exc}"


def run_benchmark(
    data: BenchmarkData, method: str, params: SolveParams
) -> tuple[dict[str, Any], dict[str, str | bytes]]:
    """Solve ``data``'s instance with ``method`` within ``params``.

    Returns
    -------
    tuple
        The comparison table's numbers (status, method, solver, the objective as the GAP
        checker computes it, the bound in the same units, the relative gap between them,
        the best-known value and the gap to it in per cent, the checker's verdict) and the
        outcome's files by name (:data:`BENCHMARK_FILE`).
    """
    mapped, result = solve_gap(data.instance, data.sense, params, method)
    read = gap_assignment(data.instance, mapped, result)
    evaluation = read.evaluation
    cost = None if evaluation is None else evaluation.cost
    best = data.best_known.best_known
    to_best = None
    if evaluation is not None and evaluation.feasible and best > 0:
        to_best = round(gap_percent(evaluation.cost, best, data.sense), 4)
    row: dict[str, Any] = {
        "status": _status(result, read),
        "method": method,
        "solver": result.solver,
        "time_limit": params.time_limit,
        "suite": data.suite,
        "instance": data.instance.name,
        "sense": str(data.sense),
        "objective": cost,
        "bound": read.bound,
        "gap": relative_gap(cost, read.bound),
        "best_known": best,
        "gap_to_best_pct": to_best,
        "feasible": None if evaluation is None else evaluation.feasible,
        "violations": None if evaluation is None else int((evaluation.overload > 0).sum()),
        "solve_seconds": round(result.wall_time, 3),
    }
    document = {
        **{k: row[k] for k in ("suite", "instance", "sense", "method", "solver", "status")},
        "m": data.instance.m,
        "n": data.instance.n,
        "objective": cost,
        "bound": read.bound,
        "best_known": best,
        "best_known_proven": data.best_known.proven_optimal,
        "gap_to_best_pct": to_best,
        "feasible": row["feasible"],
        "overload": None if evaluation is None else evaluation.overload.tolist(),
        "notes": list(result.notes),
        "agents": None if read.agents is None else read.agents.tolist(),
    }
    return row, {BENCHMARK_FILE: json.dumps(document, indent=1) + "\n"}


def _status(result: Result, read: GapAssignment) -> str:
    """The solve's status; ``unknown`` when its assignment leaves a job out (no GAP
    solution: every job must go to an agent)."""
    if result.status.has_solution and read.agents is None:
        return str(Status.UNKNOWN)
    return str(result.status)


def benchmark_method_problem(method: str) -> str | None:
    """Why ``method`` cannot solve a benchmark instance (``field 'method': why``), or None."""
    if method in GAP_METHODS:
        return None
    known = ", ".join(GAP_METHODS)
    return f"field 'method': {method!r} does not solve a benchmark instance; give one of {known}"


__all__ = [
    "BENCHMARK_COLUMNS",
    "BENCHMARK_FILE",
    "BenchmarkCatalog",
    "BenchmarkData",
    "benchmark_method_problem",
    "run_benchmark",
]
