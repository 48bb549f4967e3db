"""Floors suite: what the outcome floors cost on generated rounds, and whether they hold.

For each ``--sizes`` round (``generate_round(n, seed=--seed)``, default policy otherwise),
four solves with ``auto``: the default policy, a hard learning floor of 1 (every placement
teaches the talent something they want), a hard strengths floor of 0.8 (at least 80 % of
the placements use a strength) and both together. Each run records placements and the
most the solver's bound allows (when it is above them), the score (the secondary
objective, in points), the gap the solver reports (on the placements while they are short
of that bound, else on the score), each floor's share of the
placements, the evaluator's verdict and the seconds; the price of a floor is its run's
placements and score against the default run's of the same round.

The time limits (``--limits``, one per size) are short, sized for a shared two-core
machine: the gaps say how far from proven each run ended.

Usage::

    python -m benchmarks.floors --out results/floors

Writes ``runs.csv`` and ``results.json`` (the runs, commit and machine) into ``--out``. The
exit status is 1 when a run's assignment breaks a hard constraint (the evaluator's verdict)
or misses a hard floor.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from benchmarks.runinfo import run_main
from benchmarks.synthetic import finish_runs, run_header
from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Floor, Round
from matcher.objective import SCORE_RESOLUTION
from solvers.registry import solve
from solvers.result import SolveParams

CASES: Final[dict[str, dict[str, Floor]]] = {
    "default": {},
    "learning 1.0": {"learning": Floor(share=1.0)},
    "strengths 0.8": {"strengths": Floor(share=0.8)},
    "both": {"learning": Floor(share=1.0), "strengths": Floor(share=0.8)},
}
"""The policies compared on each round: its floors by name."""

CSV_COLUMNS: Final = (
    "talents",
    "case",
    "status",
    "placements",
    "placement_bound",
    "score",
    "gap",
    "learning_share",
    "strengths_share",
    "feasible",
    "placements_price",
    "score_price",
    "compile_seconds",
    "solve_seconds",
    "time_limit",
    "failed",
)


@dataclass(frozen=True)
class FloorRun:
    """One solve of one round under one case."""

    talents: int
    case: str
    status: str
    placements: int
    placement_bound: int | None
    score: float
    gap: float | None
    learning_share: float
    strengths_share: float
    feasible: bool
    placements_price: int
    score_price: float
    compile_seconds: float
    solve_seconds: float
    time_limit: float
    failed: bool


@dataclass(frozen=True)
class SuiteConfig:
    sizes: tuple[int, ...]
    limits: tuple[float, ...]
    seed: int
    workers: int


def _with_floors(round_: Round, floors: dict[str, Floor]) -> Round:
    policy = round_.policy.model_copy(update={"floors": floors})
    return round_.model_copy(update={"policy": policy})


def round_runs(talents: int, limit: float, config: SuiteConfig) -> list[FloorRun]:
    """The four cases on one generated round."""
    base = generate_round(talents, seed=config.seed)
    runs: list[FloorRun] = []
    for case, floors in CASES.items():
        round_ = _with_floors(base, floors)
        lap = time.perf_counter()
        compiled = compile_round(round_)
        compile_seconds = time.perf_counter() - lap
        params = SolveParams(time_limit=limit, workers=config.workers, seed=config.seed)
        lap = time.perf_counter()
        result = solve(compiled, round_, "auto", params)
        solve_seconds = time.perf_counter() - lap
        verdict = evaluate(round_, compiled, result.pairs(compiled))
        k = verdict.kpis
        score = verdict.objective.secondary / SCORE_RESOLUTION
        missed = any(
            getattr(k, f"{name}_placement_share") < floor.share for name, floor in floors.items()
        )
        default = runs[0] if runs else None
        run = FloorRun(
            talents=talents,
            case=case,
            status=str(result.status),
            placements=k.placements,
            placement_bound=result.placement_bound,
            score=round(score, 3),
            gap=None if result.gap is None else round(result.gap, 5),
            learning_share=round(k.learning_placement_share, 4),
            strengths_share=round(k.strengths_placement_share, 4),
            feasible=verdict.feasible,
            placements_price=0 if default is None else default.placements - k.placements,
            score_price=0.0 if default is None else round(default.score - score, 3),
            compile_seconds=round(compile_seconds, 2),
            solve_seconds=round(solve_seconds, 2),
            time_limit=limit,
            failed=not verdict.feasible or missed or not result.status.has_solution,
        )
        runs.append(run)
        print(
            f"{talents:>6} {case:<14} {run.status:<9} {run.placements:>5} placed "
            f"(bound {'-' if run.placement_bound is None else run.placement_bound}), score "
            f"{run.score:>9.3f}, gap {'-' if run.gap is None else f'{run.gap:.2%}':>7}, learning "
            f"{run.learning_share:6.1%}, strengths {run.strengths_share:6.1%}, evaluator "
            f"{'ok' if run.feasible else 'BROKEN'}, price {run.placements_price} placements "
            f"{run.score_price:.3f} points, {run.solve_seconds:.1f} s",
            flush=True,
        )
    return runs


def run_suite(config: SuiteConfig) -> list[FloorRun]:
    """Every round's four runs."""
    runs = []
    for talents, limit in zip(config.sizes, config.limits, strict=True):
        runs += round_runs(talents, limit, config)
    return runs


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of the floors suite."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.floors", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--sizes", default="2000,20000", help="talents of each round")
    parser.add_argument("--limits", default="20,60", help="seconds per solve, one per size")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv")
    parser.add_argument("--commit", default=None, help="commit to record (default: HEAD)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the floors suite; returns the exit status (1 if a run failed its check)."""
    args = parse_args(argv)

    def make_config() -> SuiteConfig:
        sizes = tuple(int(x) for x in args.sizes.split(","))
        limits = tuple(float(x) for x in args.limits.split(","))
        if len(sizes) != len(limits) or min(sizes) < 1 or min(limits) <= 0:
            raise ValueError("--sizes and --limits need one positive value each per round")
        return SuiteConfig(sizes, limits, args.seed, args.workers)

    def headline(config: SuiteConfig, commit: str) -> str:
        return (
            f"commit {commit}, seed {config.seed}, {config.workers} workers, sizes "
            f"{config.sizes} at {config.limits} s"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        return finish_runs(
            args.out,
            CSV_COLUMNS,
            run_suite(config),
            lambda: run_header(commit, seed=config.seed, limits=list(config.limits)),
        )

    return run_main(make_config, args.commit, headline, run)


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["CASES", "CSV_COLUMNS", "FloorRun", "main", "run_suite"]
