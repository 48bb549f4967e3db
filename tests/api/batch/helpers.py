"""Shared by the batch tests: a scenario file writer, task functions that fail once, and the
evaluator's check of every outcome a batch wrote."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from api.batch.spec import Scenario
from api.batch.tasks import Task, TaskResult, run_task
from api.batch.variants import generated_round, varied_round
from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.models import Round
from matcher.roundio import load_round

SMALL = {"talents": 200, "packages": 60}
"""A small generated round: solved to optimality well inside its limit."""


def write_file(folder: Path, document: dict[str, Any], name: str = "scenarios.json") -> Path:
    """Write a scenario file (JSON) into ``folder``."""
    path = folder / name
    path.write_text(json.dumps(document))
    return path


@dataclass(frozen=True)
class FailOnce:
    """A task function whose first run of each scenario in ``names`` raises, or kills its
    process with ``crash``, and every run with ``always``; a marker file in ``marks``
    remembers the first run across processes. Other runs are
    :func:`api.batch.tasks.run_task`'s."""

    marks: Path
    names: frozenset[str]
    crash: bool = False
    always: bool = False

    def __call__(self, task: Task) -> TaskResult:
        marker = self.marks / task.scenario
        if task.scenario in self.names and (self.always or not marker.exists()):
            marker.write_text("failed once")
            if self.crash:
                os._exit(3)  # the worker process dies, as one killed for its memory would
            raise RuntimeError(f"injected failure of {task.scenario}")
        return run_task(task)


@dataclass(frozen=True)
class Counting:
    """:func:`api.batch.tasks.run_task`, counting each scenario's runs in ``marks``."""

    marks: Path

    def __call__(self, task: Task) -> TaskResult:
        with (self.marks / f"{task.scenario}.runs").open("a") as file:
            file.write("run\n")
        return run_task(task)


def runs(marks: Path, scenario: str) -> int:
    path = marks / f"{scenario}.runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


def scenario_round(scenario: Scenario) -> Round:
    """The round a scenario solved, rebuilt here as its task built it."""
    base = load_round(scenario.round) if scenario.round else generated_round(scenario.generate)  # type: ignore[arg-type]
    return varied_round(base, scenario.policy, scenario.scale)


def check_outcomes(out: Path, scenarios: list[Scenario], table: pd.DataFrame) -> None:
    """Each scenario's placements.csv judged by the evaluator on the scenario's round:
    feasible, and the objective and KPIs of kpis.json and the table's row."""
    rows = table.set_index("scenario")
    for scenario in scenarios:
        folder = out / "scenarios" / scenario.name
        round_ = scenario_round(scenario)
        compiled = compile_round(round_)
        placed = pd.read_csv(folder / "placements.csv", dtype=str)
        pairs = list(zip(placed["talent"], placed["package"], strict=True))
        evaluation = evaluate(round_, compiled, pairs)
        assert evaluation.feasible, (scenario.name, evaluation.violations[:3])
        kpis = json.loads((folder / "kpis.json").read_text())
        assert kpis["objective"]["value"] == evaluation.objective.value
        row = rows.loc[scenario.name]
        assert row["placements"] == evaluation.objective.placements == len(pairs)
        assert row["objective"] == evaluation.objective.value
        assert abs(row["learning_share"] - evaluation.kpis.learning_share) < 1e-9
        assert abs(row["strengths_share"] - evaluation.kpis.strengths_share) < 1e-9
