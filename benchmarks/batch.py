"""Batch scenarios benchmark: one batch of generated rounds on the process pool and on a
local Ray, with 1 and 2 tasks at a time, and each backend's overhead per task.

``python -m benchmarks.batch`` (or ``python -m benchmarks batch``) runs, for each backend
and each number of parallel tasks, a batch of ``--scenarios`` rounds of ``--talents`` x
``--packages`` (seeds 0, 1, ...) at ``--time-limit`` seconds each with one CP-SAT worker,
through the real batch runner (:func:`api.batch.runner.run_batch`) into a fresh folder. It
reports the batch's wall time (the backend's start included), the time the backend took to
start, the sum of the tasks' own wall times and the share of the cores they kept busy.

The overhead per task is the time from handing a task to the backend to having its result
back, less the task's own wall time (shipping the task and its result, scheduling, and for
a worker's first task starting the worker): its median over the tasks of a batch, measured on
the timed batches and on a second batch of ``--overhead-tasks`` tiny rounds (20 talents,
greedy) run one at a time.

Every outcome of the timed batches is judged afterwards by the evaluator on the round its
scenario describes; a violation, or a scenario without an assignment, fails the suite (exit
status 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from api.batch.backend import Backend, Finished
from api.batch.pool import ProcessPool
from api.batch.runner import run_batch
from api.batch.spec import Batch, read_batch
from api.batch.tasks import Task, TaskResult
from api.batch.variants import generated_round, varied_round
from benchmarks.runinfo import commit_id, machine, run_main
from matcher.compile import compile_round
from matcher.evaluator import evaluate

BACKENDS = ("pool", "ray")


@dataclass(frozen=True)
class Config:
    scenarios: int
    talents: int
    packages: int
    time_limit: float
    parallel: tuple[int, ...]
    backends: tuple[str, ...]
    overhead_tasks: int
    out: Path


class TimedBackend:
    """A backend that notes, for each task, the seconds from its submission to its result
    less the task's own wall time."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name = inner.name
        self.submitted: dict[int, float] = {}
        self.overheads: list[float] = []

    def submit(self, task: Task) -> object:
        handle = self.inner.submit(task)
        self.submitted[id(handle)] = time.perf_counter()
        return handle

    def wait(self, handles: list[object]) -> list[Finished]:
        finished = self.inner.wait(handles)
        now = time.perf_counter()
        for handle, outcome in finished:
            if isinstance(outcome, TaskResult) and "wall_seconds" in outcome.row:
                latency = now - self.submitted[id(handle)]
                self.overheads.append(latency - float(outcome.row["wall_seconds"]))
        return finished

    def close(self, cancel: bool = False) -> None:
        self.inner.close(cancel)


@dataclass(frozen=True)
class Run:
    """One timed batch."""

    backend: str
    parallel: int
    kind: str  # "solve" or "overhead"
    tasks: int
    wall_s: float
    start_s: float
    task_s: float
    busy: float
    overhead_per_task_s: float
    overhead_max_s: float
    placements: int
    failed: int


def _parse(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__)
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--talents", type=int, default=2000)
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--parallel", default="1,2", help="tasks at a time, comma-separated")
    parser.add_argument("--backends", default="pool,ray", help="pool, ray or both")
    parser.add_argument("--overhead-tasks", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("results/batch"))
    args = parser.parse_args(argv)
    backends = tuple(b for b in args.backends.split(",") if b)
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        raise ValueError(f"--backends: unknown {unknown[0]!r}; known: {', '.join(BACKENDS)}")
    parallel = tuple(int(p) for p in args.parallel.split(","))
    if min(parallel) < 1 or min(args.scenarios, args.overhead_tasks) < 1:
        raise ValueError("--parallel, --scenarios and --overhead-tasks must be at least 1")
    return Config(
        args.scenarios,
        args.talents,
        args.packages,
        args.time_limit,
        parallel,
        backends,
        args.overhead_tasks,
        args.out,
    )


def scenario_file(folder: Path, count: int, talents: int, packages: int, limit: float) -> Path:
    """A scenario file of ``count`` generated rounds, seeds 0 to ``count - 1``."""
    folder.mkdir(parents=True, exist_ok=True)
    method = "auto" if talents > 100 else "greedy"
    document = {
        "name": f"{count} rounds of {talents:,} x {packages:,}",
        "defaults": {"time_limit": limit, "workers": 1, "method": method},
        "scenarios": [
            {
                "name": f"seed{seed}",
                "generate": {"talents": talents, "packages": packages, "seed": seed},
            }
            for seed in range(count)
        ],
    }
    path = folder / "scenarios.json"
    path.write_text(json.dumps(document, indent=1))
    return path


def timed_batch(batch: Batch, out: Path, backend: str, parallel: int, kind: str) -> Run:
    """Run ``batch`` into a fresh ``out`` on ``backend`` with ``parallel`` tasks at a time."""
    shutil.rmtree(out, ignore_errors=True)
    started: list[float] = []
    timed: list[TimedBackend] = []

    def backend_for(tasks: list[Task]) -> tuple[Backend, int]:
        lap = time.perf_counter()
        chosen: Backend
        if backend == "ray":
            from api.batch.ray_runner import RayBackend

            chosen = RayBackend("auto", cpus=parallel)
        else:
            chosen = ProcessPool(parallel)
        started.append(time.perf_counter() - lap)
        timed.append(TimedBackend(chosen))
        return timed[0], parallel

    lap = time.perf_counter()
    result = run_batch(batch, out, backend_for, fresh=True, say=lambda line: None)
    wall = time.perf_counter() - lap
    rows = result.rows
    task_s = sum(float(r.get("wall_seconds") or 0) for r in rows)
    start_s = started[0] if started else 0.0
    overheads = sorted(timed[0].overheads) if timed else [0.0]
    return Run(
        backend=backend,
        parallel=parallel,
        kind=kind,
        tasks=len(rows),
        wall_s=round(wall, 2),
        start_s=round(start_s, 2),
        task_s=round(task_s, 2),
        busy=round(task_s / (parallel * wall), 3) if wall else 0.0,
        # the tasks' own times are rounded to the millisecond: a few come out just below 0
        overhead_per_task_s=max(0.0, round(overheads[len(overheads) // 2], 3)),
        overhead_max_s=round(overheads[-1], 3),
        placements=sum(int(r.get("placements") or 0) for r in rows),
        failed=sum(1 for r in rows if r.get("feasible") is None),
    )


def check_outcomes(batch: Batch, out: Path) -> list[str]:
    """The evaluator's verdict on each scenario's placements: the problems found."""
    problems = []
    for scenario in batch.valid():
        folder = out / "scenarios" / scenario.name
        if not (folder / "placements.csv").exists():
            problems.append(f"{out.name}/{scenario.name}: no assignment")
            continue
        assert scenario.generate is not None
        round_ = varied_round(generated_round(scenario.generate), scenario.policy, scenario.scale)
        placed = pd.read_csv(folder / "placements.csv", dtype=str)
        pairs = list(zip(placed["talent"], placed["package"], strict=True))
        evaluation = evaluate(round_, compile_round(round_), pairs)
        kpis = json.loads((folder / "kpis.json").read_text())
        if not evaluation.feasible:
            problems.append(f"{out.name}/{scenario.name}: {evaluation.violations[0]}")
        elif kpis["objective"]["value"] != evaluation.objective.value:
            problems.append(f"{out.name}/{scenario.name}: objective not reproduced")
    return problems


def table(runs: list[Run]) -> str:
    """The runs as a Markdown table."""
    lines = [
        "| backend | parallel | batch | tasks | wall s | start s | task s | busy | "
        "overhead/task s | max s | placements | failed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.backend} | {r.parallel} | {r.kind} | {r.tasks} | {r.wall_s:.1f} | "
            f"{r.start_s:.1f} | {r.task_s:.1f} | {r.busy:.0%} | "
            f"{r.overhead_per_task_s:.2f} | {r.overhead_max_s:.2f} | "
            f"{r.placements:,} | {r.failed} |"
        )
    return "\n".join(lines)


def _run(config: Config, commit: str) -> int:
    config.out.mkdir(parents=True, exist_ok=True)
    solve_file = scenario_file(
        config.out / "files" / "solve",
        config.scenarios,
        config.talents,
        config.packages,
        config.time_limit,
    )
    tiny_file = scenario_file(config.out / "files" / "tiny", config.overhead_tasks, 20, 5, 5.0)
    solve_batch, tiny_batch = read_batch(solve_file), read_batch(tiny_file)
    runs: list[Run] = []
    problems: list[str] = []
    load = [os.getloadavg()[0]]
    for backend in config.backends:
        for parallel in config.parallel:
            out = config.out / f"{backend}-p{parallel}"
            runs.append(timed_batch(solve_batch, out, backend, parallel, "solve"))
            load.append(os.getloadavg()[0])
            print(table(runs[-1:]).splitlines()[-1], flush=True)
            problems += check_outcomes(solve_batch, out)
        out = config.out / f"{backend}-tiny"
        runs.append(timed_batch(tiny_batch, out, backend, 1, "overhead"))
        print(table(runs[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(runs))
    print(f"\nload average (1 min) before and after each solve batch: {load}")
    for problem in problems:
        print(f"FAILED: {problem}")
    frame = pd.DataFrame([asdict(r) for r in runs])
    frame.to_csv(config.out / "runs.csv", index=False)
    document: dict[str, Any] = {
        "commit": commit,
        "machine": machine(),
        "config": {k: str(v) for k, v in asdict(config).items()},
        "load": load,
        "runs": [asdict(r) for r in runs],
        "problems": problems,
    }
    (config.out / "results.json").write_text(json.dumps(document, indent=1))
    return 1 if problems or any(r.failed for r in runs) else 0


def _headline(config: Config, commit: str) -> str:
    return (
        f"batch: {config.scenarios} rounds of {config.talents:,} x {config.packages:,} at "
        f"{config.time_limit:g} s, {', '.join(config.backends)}, parallel "
        f"{', '.join(map(str, config.parallel))} (commit {commit[:7]})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns its exit status."""
    return run_main(lambda: _parse(argv), commit_id(), _headline, _run)


if __name__ == "__main__":
    raise SystemExit(main())
