"""Synthetic suite: seeded talent-sharing rounds with every constraint on, ours against peers.

For every size and seed, one fresh process generates the round
(:func:`matcher.generator.generate_round`, budgets as generated) under :func:`suite_policy`
(a subsidy pool, soft ``min_per_lender`` and ``max_host_share``), compiles it, solves it with
the default path (``auto``) and with the peers, each at the time limit (greedy has none):
``greedy``, ``highs`` (HiGHS's MIP solver on the same model, :mod:`solvers.backends.highs`)
and, when asked for, ``cpsat`` (the CP-SAT model alone, CP-SAT's defaults). Every assignment
is checked with the independent evaluator (:func:`matcher.evaluator.evaluate`). A process
per size keeps each peak memory its own: it is the peak resident set of that process, which
generated, compiled, solved (every solver) and evaluated the round.

Reported per size, seed and solver: objective (the evaluator's), bound and gap (the
solver's), placements, KPIs, compile and solve time, peak memory, and on each peer's row the
ratios ours / that peer of the objective value and of the placements. A peer that finds no
assignment in time is reported with ``no solution`` (HiGHS on the large sizes, whose LP alone
takes most of a minute); ours without one is a failure.

The suite runs the weighted objective by default (1,000 units per placement plus the scores
minus penalties, see :mod:`matcher.objective`), so that the objective, gap and ratio are each
one plain number. With ``--objective lexicographic`` the value is the score term only and the
gap is on that term given the placements found (see :attr:`solvers.result.Result.gap`): it
stays large until the number of placements is proven, and a solver that places more talents
can show a ratio below 1.

Usage::

    python -m benchmarks.synthetic --sizes 500x150,2000x500 --time-limit 10 --seeds 1,2 \\
        --out results/synthetic

Writes ``runs.csv`` (one row per run) and ``results.json`` (the runs with the commit, time
limit, policy and machine) into ``--out``. The exit status is 1 if an assignment breaks a hard
constraint, or the evaluator's objective differs from the solver's.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import multiprocessing as mp
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, Literal, TextIO

from benchmarks.runinfo import machine, run_main
from matcher.compile import CompiledRound, compile_round
from matcher.evaluator import Evaluation, evaluate
from matcher.generator import generate_round
from matcher.models import Policy, Round
from solvers.registry import solve
from solvers.result import Result, SolveParams

SIZES: Final[dict[str, tuple[int, int]]] = {
    "500x150": (500, 150),
    "2000x500": (2_000, 500),
    "20000x5000": (20_000, 5_000),
    "100000x20000": (100_000, 20_000),
}
"""The suite's sizes (talents x packages); ``--sizes`` also takes any other ``TxP``."""
TOP_K_FROM: Final = 20_000
"""Rounds with at least this many talents keep the top 50 packages per talent: the full
eligible graph of the two large sizes does not fit a 2-core, minutes-long solve."""
TOP_K: Final = 50
SUBSIDY_PER_TALENT: Final = 20.0
"""Monthly subsidy pool per talent in the round, in EUR: 40,000 at 2,000 talents, so that
the pool binds at every size."""
METHODS: Final[dict[str, str]] = {
    "ours": "auto",
    "greedy": "greedy",
    "highs": "highs",
    "cpsat": "cpsat",
}
"""Suite name of each solver -> its :data:`solvers.registry.METHODS` key."""
DEFAULT_SOLVERS: Final = ("ours", "greedy", "highs")
NO_SOLUTION: Final = "no solution"
"""The check of a peer's run without an assignment (not a failure)."""
MAX_VIOLATIONS_SHOWN: Final = 5

ObjectiveKind = Literal["lexicographic", "weighted"]

CSV_COLUMNS: Final = (
    "size",
    "talents",
    "packages",
    "seed",
    "top_k",
    "edges",
    "solver",
    "status",
    "placements",
    "objective",
    "score",
    "penalty",
    "bound",
    "gap_pct",
    "ratio_objective",
    "ratio_placements",
    "placement_rate",
    "learning_share",
    "strengths_share",
    "cross_sector_share",
    "lender_rate_min",
    "lender_rate_max",
    "generate_s",
    "compile_s",
    "solve_s",
    "peak_mb",
    "check",
)


@dataclass(frozen=True)
class Run:
    """One solver on one generated round, as judged by the evaluator.

    Attributes
    ----------
    size, talents, packages, seed, top_k, edges
        The round: its size label, counts, seed, top-k pruning (None: none) and edges kept.
    solver, status
        Who solved it and how the solve ended.
    placements, objective, score, penalty
        The evaluator's numbers; ``objective`` is :attr:`matcher.objective.Objective.value`.
    bound, gap_pct
        The solver's bound on ``objective`` and its relative gap in percent (None: unknown).
    ratio_objective, ratio_placements
        Ours / this solver on the same round (None on ours' rows, when this solver found no
        assignment, or when its value is 0).
    placement_rate, learning_share, strengths_share, cross_sector_share
        KPIs of the assignment (shares of placed talents, except the placement rate).
    lender_rate_min, lender_rate_max
        Lowest and highest placement rate of a lending organization.
    generate_s, compile_s, solve_s
        Seconds to generate and compile the round (shared by its runs) and to solve it.
    peak_mb
        Peak resident memory of the round's process (shared by its runs).
    check
        ``ok``, ``no solution`` (a peer without an assignment), or a failure:
        ``INVALID ...`` (hard constraints broken, or ours without an assignment) or
        ``MISMATCH ...`` (the evaluator's objective is not the solver's).
    """

    size: str
    talents: int
    packages: int
    seed: int
    top_k: int | None
    edges: int
    solver: str
    status: str
    placements: int
    objective: int
    score: int
    penalty: int
    bound: float | None
    gap_pct: float | None
    ratio_objective: float | None
    ratio_placements: float | None
    placement_rate: float
    learning_share: float
    strengths_share: float
    cross_sector_share: float
    lender_rate_min: float
    lender_rate_max: float
    generate_s: float
    compile_s: float
    solve_s: float
    peak_mb: float
    check: str

    @property
    def failed(self) -> bool:
        return self.check not in ("ok", NO_SOLUTION)


@dataclass(frozen=True)
class SuiteConfig:
    """What the synthetic suite runs.

    Attributes
    ----------
    sizes
        ``(talents, packages)`` of each size, in order.
    seeds
        Generator and solver seeds; every size runs once per seed.
    time_limit
        Seconds for every solver (greedy has no limit).
    solvers
        Suite names (keys of :data:`METHODS`), ``ours`` first.
    workers
        CP-SAT search workers.
    objective
        The policy's objective, ``lexicographic`` or ``weighted``.
    isolate
        Run every size and seed in a fresh process (peak memory then is its own).
    """

    sizes: tuple[tuple[int, int], ...]
    seeds: tuple[int, ...]
    time_limit: float
    solvers: tuple[str, ...] = DEFAULT_SOLVERS
    workers: int = 2
    objective: ObjectiveKind = "weighted"
    isolate: bool = True

    def __post_init__(self) -> None:
        if not self.sizes or not self.seeds:
            raise ValueError("sizes and seeds must not be empty.")
        if self.time_limit <= 0:
            raise ValueError("time_limit <= 0 not understood.")
        unknown = sorted(set(self.solvers) - set(METHODS))
        if unknown:
            raise ValueError(f"unknown solver {unknown[0]!r}; known: {', '.join(METHODS)}.")
        if (
            not self.solvers
            or self.solvers[0] != "ours"
            or len(set(self.solvers)) < len(self.solvers)
        ):
            raise ValueError("solvers must start with 'ours' and name each solver once.")


def top_k_for(n_talents: int) -> int | None:
    """The top-k pruning of a round of ``n_talents`` (see :data:`TOP_K_FROM`)."""
    return TOP_K if n_talents >= TOP_K_FROM else None


def suite_policy(n_talents: int, objective: ObjectiveKind = "weighted") -> Policy:
    """Every rule on: a subsidy pool, soft fairness on both sides, top-k on large rounds.

    Parameters
    ----------
    n_talents
        Size of the round; sets the subsidy pool and the top-k pruning.
    objective
        ``lexicographic`` or ``weighted``.
    """
    return Policy(
        subsidy_share=0.3,
        subsidy_pool=SUBSIDY_PER_TALENT * n_talents,
        min_per_lender=3,
        max_host_share=0.1,
        fairness="soft",
        objective=objective,
        top_k=top_k_for(n_talents),
    )


def peak_rss_mb() -> float:
    """Peak resident set of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def judge(round_: Round, compiled: CompiledRound, result: Result) -> tuple[Evaluation, str]:
    """Evaluate a result independently; returns the evaluation and the check text.

    The check is ``ok``, ``INVALID`` with the first violations, or ``MISMATCH`` when the
    solver's objective is not the evaluator's (a solver that scores its own assignment
    wrongly would make every ratio wrong).
    """
    evaluation = evaluate(round_, compiled, result.pairs(compiled))
    if evaluation.violations:
        shown = "; ".join(str(v) for v in evaluation.violations[:MAX_VIOLATIONS_SHOWN])
        return evaluation, f"INVALID {len(evaluation.violations)} violation(s): {shown}"
    mine, theirs = evaluation.objective, result.objective
    if theirs is not None and theirs.key() != mine.key():
        return evaluation, f"MISMATCH solver {theirs.key()} != evaluator {mine.key()}"
    return evaluation, "ok"


def _ratio(ours: float, theirs: float) -> float | None:
    return ours / theirs if theirs else None


def run_size(n_talents: int, n_packages: int, seed: int, config: SuiteConfig) -> list[Run]:
    """Generate, compile, solve (ours and the peers) and evaluate one round.

    Parameters
    ----------
    n_talents, n_packages
        Size of the round.
    seed
        Seed of the generator and of the solvers.
    config
        Solvers, time limit, workers and objective.

    Returns
    -------
    list of Run
        One per solver, in the order of ``config.solvers``.
    """
    started = time.perf_counter()
    round_ = generate_round(
        n_talents, n_packages, seed=seed, policy=suite_policy(n_talents, config.objective)
    )
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    compiled = compile_round(round_)
    compile_s = time.perf_counter() - started
    params = SolveParams(time_limit=config.time_limit, workers=config.workers, seed=seed)
    judged: dict[str, tuple[Result, Evaluation, str]] = {}
    for name in config.solvers:
        result = solve(compiled, round_, METHODS[name], params)
        if result.status.has_solution:
            evaluation, check = judge(round_, compiled, result)
        else:
            # an empty assignment still gets KPIs; ours without a solution is a failure
            evaluation = evaluate(round_, compiled, [])
            check = f"INVALID no solution: {result.status}" if name == "ours" else NO_SOLUTION
        judged[name] = (result, evaluation, check)
    peak = peak_rss_mb()
    ours = judged["ours"][1].objective
    runs = []
    for name, (result, evaluation, check) in judged.items():
        objective, kpis = evaluation.objective, evaluation.kpis
        compared = name != "ours" and check == "ok"
        place_ratio = _ratio(ours.placements, objective.placements) if compared else None
        runs.append(
            Run(
                size=f"{n_talents}x{n_packages}",
                talents=n_talents,
                packages=n_packages,
                seed=seed,
                top_k=round_.policy.top_k,
                edges=compiled.n_edges,
                solver=name,
                status=str(result.status),
                placements=objective.placements,
                objective=objective.value,
                score=objective.score,
                penalty=objective.penalty,
                bound=result.bound,
                gap_pct=None if result.gap is None else 100 * result.gap,
                ratio_objective=_ratio(ours.value, objective.value) if compared else None,
                ratio_placements=place_ratio,
                placement_rate=kpis.placement_rate,
                learning_share=kpis.learning_share,
                strengths_share=kpis.strengths_share,
                cross_sector_share=kpis.cross_sector_share,
                lender_rate_min=kpis.lender_rate_min,
                lender_rate_max=kpis.lender_rate_max,
                generate_s=generate_s,
                compile_s=compile_s,
                solve_s=result.wall_time,
                peak_mb=peak,
                check=check,
            )
        )
    return runs


def run_isolated(n_talents: int, n_packages: int, seed: int, config: SuiteConfig) -> list[Run]:
    """:func:`run_size` in a fresh process; its exceptions are raised here."""
    # spawn, not fork: a forked child would inherit this process's peak memory
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(run_size, n_talents, n_packages, seed, config).result()


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


TABLE_HEADER: Final = (
    f"{'size':>13} {'seed':>4} {'solver':<6} {'status':<8} {'placed':>7} {'objective':>11} "
    f"{'gap %':>7} {'ours/x':>8} {'place':>6} {'learn':>6} {'strong':>6} {'cross':>6} "
    f"{'lender min-max':>14} {'comp s':>6} {'solve s':>7} {'peak MB':>7}  check"
)


def table_row(run: Run) -> str:
    """One line of the stdout table."""
    return (
        f"{run.size:>13} {run.seed:>4} {run.solver:<6} {run.status:<8} {run.placements:>7,} "
        f"{run.objective:>11,} {_fmt(run.gap_pct, '.3f'):>7} "
        f"{_fmt(run.ratio_objective, '.3f'):>8} {run.placement_rate:>6.1%} "
        f"{run.learning_share:>6.1%} {run.strengths_share:>6.1%} "
        f"{run.cross_sector_share:>6.1%} "
        f"{f'{run.lender_rate_min:.0%}-{run.lender_rate_max:.0%}':>14} "
        f"{run.compile_s:>6.2f} {run.solve_s:>7.2f} {run.peak_mb:>7.0f}  {run.check}"
    )


def run_suite(config: SuiteConfig, out: TextIO | None = None) -> list[Run]:
    """Run every size and seed; print a table row per run as it finishes.

    Parameters
    ----------
    config
        What to run.
    out
        A text stream for the table; standard output by default.
    """
    out = out or sys.stdout
    print(TABLE_HEADER, file=out, flush=True)
    runs: list[Run] = []
    for n_talents, n_packages in config.sizes:
        for seed in config.seeds:
            runner = run_isolated if config.isolate else run_size
            for run in runner(n_talents, n_packages, seed, config):
                runs.append(run)
                print(table_row(run), file=out, flush=True)
    for run in runs:
        if run.failed:
            print(f"FAILED: {run.solver} on {run.size} seed {run.seed}: {run.check}", file=out)
    return runs


# --- output shared with the stable suite ---------------------------------------------------


def _finite(value: object) -> object:
    """JSON has no infinity nor NaN: such floats are written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_outputs(
    folder: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    header: Mapping[str, Any],
) -> tuple[Path, Path]:
    """Write ``runs.csv`` and ``results.json`` (``header`` plus ``runs``) into ``folder``.

    Parameters
    ----------
    folder
        Output folder, created if missing.
    columns
        CSV columns, in order; every row has these keys.
    rows
        One mapping per run.
    header
        Commit, time limit, machine and the like, written before the runs in the JSON.

    Returns
    -------
    tuple of Path
        The CSV and JSON files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = [dict(row) for row in rows]
    csv_path, json_path = folder / "runs.csv", folder / "results.json"
    with csv_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    key: ""
                    if row[key] is None
                    else (f"{row[key]:.6g}" if isinstance(row[key], float) else row[key])
                    for key in columns
                }
            )
    document = {
        **header,
        "runs": [{key: _finite(value) for key, value in row.items()} for row in rows],
    }
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    return csv_path, json_path


def finish_runs(
    folder: Path | None,
    columns: Sequence[str],
    runs: Sequence[Any],
    header: Callable[[], Mapping[str, Any]],
) -> int:
    """Write ``runs`` (dataclasses with a ``failed`` flag) with ``header()`` into ``folder``
    when one is given (see :func:`write_outputs`); returns the suite's exit status: 1 if a
    run failed its check."""
    if folder is not None:
        paths = write_outputs(folder, columns, (asdict(run) for run in runs), header())
        print(f"wrote {paths[0]} and {paths[1]}")
    return 1 if any(run.failed for run in runs) else 0


def run_header(commit: str, **extra: Any) -> dict[str, Any]:
    """The fields every results.json starts with: commit, machine and ``extra``."""
    return {"commit": commit, **extra, "machine": machine()}


# --- command line --------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    """``"2000x500"`` -> ``(2000, 500)``."""
    try:
        talents, packages = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"size {text!r} not understood; use TALENTSxPACKAGES.") from None
    if talents < 1 or packages < 1:
        raise ValueError(f"size {text!r} not understood; both counts must be at least 1.")
    return talents, packages


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of the synthetic suite."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synthetic", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--sizes", default="500x150,2000x500", help=f"comma-separated TxP, e.g. {','.join(SIZES)}"
    )
    parser.add_argument("--seeds", default="1", help="comma-separated integers")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    parser.add_argument(
        "--solvers",
        default=",".join(DEFAULT_SOLVERS),
        help=f"comma-separated, ours first; known: {','.join(METHODS)}",
    )
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search workers")
    parser.add_argument(
        "--objective",
        choices=("weighted", "lexicographic"),
        default="weighted",
        help="the policy's objective (weighted: one number, so gap and ratio read plainly)",
    )
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv, results.json")
    parser.add_argument("--commit", default=None, help="record this instead of git rev-parse")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every size in this process (faster start; peak memory then accumulates)",
    )
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> SuiteConfig:
    """Turn parsed arguments into a :class:`SuiteConfig`; raises ValueError on bad input."""
    try:
        seeds = tuple(int(seed) for seed in _split(args.seeds))
    except ValueError:
        raise ValueError(f"--seeds {args.seeds!r} not understood.") from None
    return SuiteConfig(
        sizes=tuple(parse_size(size) for size in _split(args.sizes)),
        seeds=seeds,
        time_limit=args.time_limit,
        solvers=tuple(_split(args.solvers)),
        workers=args.workers,
        objective=args.objective,
        isolate=not args.in_process,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the synthetic suite; returns the exit status (1 if a run failed its check)."""
    args = parse_args(argv)

    def headline(config: SuiteConfig, commit: str) -> str:
        return (
            f"commit {commit}, time limit {config.time_limit:g} s, {config.workers} workers, "
            f"seeds {','.join(map(str, config.seeds))}, {config.objective} objective, "
            f"{platform.processor() or platform.machine()}, {machine()['nproc']} cores"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        policy = suite_policy(1, config.objective).model_dump(
            include={"subsidy_share", "min_per_lender", "max_host_share", "fairness"}
        )
        return finish_runs(
            args.out,
            CSV_COLUMNS,
            run_suite(config),
            lambda: run_header(
                commit,
                suite="synthetic",
                time_limit=config.time_limit,
                solvers=list(config.solvers),
                workers=config.workers,
                seeds=list(config.seeds),
                sizes=[f"{t}x{p}" for t, p in config.sizes],
                objective=config.objective,
                isolated=config.isolate,
                policy=policy
                | {
                    "subsidy_pool_per_talent": SUBSIDY_PER_TALENT,
                    "top_k": TOP_K,
                    "top_k_from": TOP_K_FROM,
                },
            ),
        )

    return run_main(lambda: config_from_args(args), args.commit, headline, run)


if __name__ == "__main__":
    sys.exit(main())
