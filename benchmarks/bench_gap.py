"""GAP benchmark: the optimization core and its peers against best-known values.

For every instance, sense and seed, each solver runs with the same time limit; the
independent checker (:func:`solvers.gap.instance.evaluate_assignment`) scores every assignment,
and the gap to the best-known value is ``(value - best) / best`` when minimising and
``(best - value) / best`` when maximising. A solver without a feasible assignment has an
infinite gap, so it can never look good in a summary. Solvers whose result does not depend on
the seed (:data:`benchmarks.gap_peers.SEED_INDEPENDENT`) run once per instance and sense.

Usage::

    python -m benchmarks.bench_gap --sets c,d --time-limit 60 --seeds 1,2,3 --sense min \\
        --solvers ours,cpsat,highs,greedy --out results/gap
    python -m benchmarks.bench_gap --check-solutions

Writes ``runs.csv`` (one row per run) and ``results.json`` (the runs, the summary, the
commit, time limit, seeds and machine) into the ``--out`` folder. The exit status is 1 if an
assignment fails the checker or a solver claims optimality for a value worse than a
best-known one.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from benchmarks.gap import (
    KNOWN_WORSE_SOLUTIONS,
    instance_of_solution_file,
    read_solution,
    solution_path,
)
from benchmarks.gap_peers import SEED_INDEPENDENT, SOLVERS, PeerResult
from benchmarks.runinfo import machine, run_main
from solvers.gap.instance import GapInstance, Sense, evaluate_assignment, gap_percent
from solvers.gap.read import (
    SETS,
    BestKnown,
    all_instance_names,
    instance_names,
    instance_source,
    load_instance,
    read_best_known,
    resolve_data_dir,
    set_of,
)

CSV_COLUMNS = (
    "instance",
    "set",
    "sense",
    "m",
    "n",
    "best_known",
    "best_known_proven",
    "solver",
    "seed",
    "objective",
    "gap_pct",
    "bound",
    "proven_optimal",
    "seconds",
    "check",
    "note",
)


@dataclass(frozen=True)
class Run:
    """One solver on one instance, sense and seed, as checked by the runner.

    Attributes
    ----------
    instance, set, sense, m, n
        What was solved.
    best_known, best_known_proven
        The reference value and whether it is proven optimal.
    solver, seed
        Who solved it, with which seed (None for a seed-independent solver).
    objective
        Checker's cost of the assignment; None without a valid assignment.
    gap_pct
        Percent worse than ``best_known`` (negative if better); inf without an assignment.
    bound, proven_optimal, seconds, note
        As the solver reported them.
    check
        ``ok``, ``no solution``, ``better than best-known``, ``bound past best-known``, or a
        failure: ``INVALID ...`` or ``CONFLICT ...``.
    """

    instance: str
    set: str
    sense: str
    m: int
    n: int
    best_known: int
    best_known_proven: bool
    solver: str
    seed: int | None
    objective: int | None
    gap_pct: float
    bound: float | None
    proven_optimal: bool
    seconds: float
    check: str
    note: str

    @property
    def failed(self) -> bool:
        return self.check.startswith(("INVALID", "CONFLICT"))

    @property
    def at_best(self) -> bool:
        return self.objective is not None and self.gap_pct <= 0


def check_run(
    instance: GapInstance,
    sense: Sense,
    best: BestKnown,
    result: PeerResult,
    seed: int | None,
) -> Run:
    """Score a solver's result with the checker and compare it with the best-known value.

    Parameters
    ----------
    instance
        The instance solved.
    sense
        The objective sense of the run.
    best
        The best-known record for ``(instance, sense)``.
    result
        What the solver returned.
    seed
        The seed it ran with (None for a seed-independent solver).

    Returns
    -------
    Run
        With the checker's objective; ``check`` says whether anything is wrong.
    """
    objective: int | None = None
    check = "no solution"
    if result.agents is not None:
        try:
            evaluation = evaluate_assignment(instance, result.agents)
        except ValueError as error:
            check = f"INVALID assignment: {error}"
        else:
            if not evaluation.feasible:
                overloaded = np.flatnonzero(evaluation.overload).tolist()
                check = f"INVALID assignment: agents {overloaded} over capacity"
            elif evaluation.cost != result.objective:
                check = f"INVALID objective: reported {result.objective}, checker {evaluation.cost}"
            else:
                objective = evaluation.cost
                check = "ok"
    gap = math.inf if objective is None else gap_percent(objective, best.best_known, sense)
    if objective is not None:
        if result.proven_optimal and gap > 0:
            check = f"CONFLICT: proven optimal at {objective}, best-known {best.best_known}"
        elif gap < 0:
            check = "better than best-known"
    # The best-known values are feasible, so a bound past one is wrong, or the value is.
    if check in ("ok", "no solution") and result.bound is not None:
        past = (
            best.best_known < result.bound if sense is Sense.MIN else best.best_known > result.bound
        )
        if past and not math.isclose(result.bound, best.best_known, abs_tol=1e-6):
            check = f"bound past best-known ({check})"
    return Run(
        instance=instance.name,
        set=set_of(instance.name),
        sense=sense.value,
        m=instance.m,
        n=instance.n,
        best_known=best.best_known,
        best_known_proven=best.proven_optimal,
        solver=result.name,
        seed=seed,
        objective=objective,
        gap_pct=gap,
        bound=result.bound,
        proven_optimal=result.proven_optimal and objective is not None,
        seconds=result.seconds,
        check=check,
        note=result.note,
    )


@dataclass(frozen=True)
class BenchConfig:
    """What to run.

    Attributes
    ----------
    instances
        Instance names, in order.
    senses
        Objective senses.
    solvers
        Solver names from :data:`benchmarks.gap_peers.SOLVERS`.
    seeds
        Seeds for the seed-dependent solvers.
    time_limit
        Seconds per run.
    data_dir
        The GAP data folder.
    reference
        The solver the ratios are taken against (``ours`` unless told).
    """

    instances: tuple[str, ...]
    senses: tuple[Sense, ...]
    solvers: tuple[str, ...]
    seeds: tuple[int, ...]
    time_limit: float
    data_dir: Path
    reference: str = "ours"

    def __post_init__(self) -> None:
        if self.time_limit <= 0:
            raise ValueError("time_limit <= 0 not understood.")
        if not (self.instances and self.senses and self.solvers and self.seeds):
            raise ValueError("instances, senses, solvers and seeds must not be empty.")
        for name in self.solvers:
            if name not in SOLVERS:
                raise ValueError(f"solver {name!r} not understood.")


@dataclass
class BenchReport:
    """Runs so far, solvers skipped (name -> reason), and the summary once done."""

    runs: list[Run] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)
    ratios: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @property
    def failures(self) -> list[Run]:
        return [run for run in self.runs if run.failed]


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:.{digits}f}"


def instance_table(instance: GapInstance, sense: Sense, best: BestKnown, runs: list[Run]) -> str:
    """The table printed after each instance: one row per solver and seed."""
    proven = "proven" if best.proven_optimal else "not proven"
    lines = [
        f"{instance.name} ({sense.value}, m={instance.m}, n={instance.n})  "
        f"best-known {best.best_known} ({proven})",
        f"  {'solver':<8} {'seed':>4} {'value':>8} {'gap %':>7} {'bound':>10} "
        f"{'proven':>6} {'time s':>7}  check",
    ]
    for run in runs:
        lines.append(
            f"  {run.solver:<8} {_fmt(run.seed):>4} {_fmt(run.objective):>8} "
            f"{_fmt(run.gap_pct, 2):>7} {_fmt(run.bound, 1):>10} "
            f"{'yes' if run.proven_optimal else 'no':>6} {run.seconds:>7.2f}  {run.check}"
            + (f" ({run.note})" if run.note and run.check != "ok" else "")
        )
    return "\n".join(lines)


def summarize(runs: Sequence[Run], solvers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per solver: runs, solved, at best-known, proven, mean and max gap %, mean time.

    Gaps are averaged over an instance's seeds first, then over instances, so seed-independent
    solvers (one run per instance) and seeded ones weigh instances alike. A run without an
    assignment makes the mean and max gap infinite; ``mean_gap_solved_pct`` leaves it out.
    """
    summary: dict[str, dict[str, Any]] = {}
    for solver in solvers:
        mine = [run for run in runs if run.solver == solver]
        if not mine:
            continue
        per_instance: dict[tuple[str, str], list[Run]] = {}
        for run in mine:
            per_instance.setdefault((run.instance, run.sense), []).append(run)
        gaps = [float(np.mean([r.gap_pct for r in group])) for group in per_instance.values()]
        solved = [run.gap_pct for run in mine if run.objective is not None]
        summary[solver] = {
            "instances": len(per_instance),
            "runs": len(mine),
            "solved": len(solved),
            "at_best_known": sum(run.at_best for run in mine),
            "instances_at_best_known": sum(
                all(r.at_best for r in group) for group in per_instance.values()
            ),
            "proven_optimal": sum(run.proven_optimal for run in mine),
            "mean_gap_pct": float(np.mean(gaps)),
            "max_gap_pct": float(np.max(gaps)),
            "mean_gap_solved_pct": float(np.mean(solved)) if solved else None,
            "mean_seconds": float(np.mean([run.seconds for run in mine])),
            "failures": sum(run.failed for run in mine),
        }
    return summary


def ratios(runs: Sequence[Run], reference: str, peer: str) -> dict[str, float | None]:
    """Reference / peer ratios of mean time and mean gap, on instances both solved.

    Returns
    -------
    dict
        ``instances`` compared, ``time_ratio``, ``gap_ratio`` (None when the peer's mean gap
        is 0), and both mean gaps in percent.
    """

    def means(solver: str) -> dict[tuple[str, str], tuple[float, float]]:
        groups: dict[tuple[str, str], list[Run]] = {}
        for run in runs:
            if run.solver == solver:
                groups.setdefault((run.instance, run.sense), []).append(run)
        return {
            key: (
                float(np.mean([r.seconds for r in group])),
                float(np.mean([r.gap_pct for r in group])),
            )
            for key, group in groups.items()
            if all(r.objective is not None for r in group)
        }

    ours, theirs = means(reference), means(peer)
    shared = sorted(ours.keys() & theirs.keys())
    if not shared:
        return {"instances": 0, "time_ratio": None, "gap_ratio": None}
    our_time = float(np.mean([ours[key][0] for key in shared]))
    their_time = float(np.mean([theirs[key][0] for key in shared]))
    our_gap = float(np.mean([ours[key][1] for key in shared]))
    their_gap = float(np.mean([theirs[key][1] for key in shared]))
    return {
        "instances": len(shared),
        "time_ratio": our_time / their_time if their_time > 0 else None,
        "gap_ratio": our_gap / their_gap if their_gap > 0 else None,
        "reference_gap_pct": our_gap,
        "peer_gap_pct": their_gap,
    }


def summary_text(report: BenchReport, config: BenchConfig) -> str:
    """The closing summary: a row per solver, then the ratios against the reference."""
    lines = [
        "",
        "summary (gap % averaged over seeds, then instances; inf = some run found nothing)",
        f"  {'solver':<8} {'inst':>5} {'runs':>5} {'solved':>6} {'at best':>7} "
        f"{'proven':>6} {'mean gap':>8} {'max gap':>8} {'mean s':>7} {'fail':>4}",
    ]
    for solver, row in report.summary.items():
        lines.append(
            f"  {solver:<8} {row['instances']:>5} {row['runs']:>5} {row['solved']:>6} "
            f"{row['at_best_known']:>7} {row['proven_optimal']:>6} "
            f"{_fmt(row['mean_gap_pct'], 3):>8} {_fmt(row['max_gap_pct'], 3):>8} "
            f"{row['mean_seconds']:>7.2f} {row['failures']:>4}"
        )
    if config.reference not in report.summary:
        lines.append(f"no ratios: {config.reference} did not run")
    for peer, row in report.ratios.items():
        if not row["instances"]:
            lines.append(f"  {config.reference}/{peer}: no instance solved by both")
            continue
        gap_ratio = "n/a (peer gap 0)" if row["gap_ratio"] is None else f"{row['gap_ratio']:.2f}x"
        lines.append(
            f"  {config.reference}/{peer} on {row['instances']} instances: "
            f"time {_fmt(row['time_ratio'], 2)}x, gap {gap_ratio} "
            f"({_fmt(row['reference_gap_pct'], 3)} % vs {_fmt(row['peer_gap_pct'], 3)} %)"
        )
    return "\n".join(lines)


def run_benchmark(config: BenchConfig, out: TextIO | None = None) -> BenchReport:
    """Run every solver on every instance, sense and seed; print a table per instance.

    Parameters
    ----------
    config
        What to run.
    out
        Where the tables go; standard output by default.

    Returns
    -------
    BenchReport
        The runs, the solvers skipped, the summary and the ratios.
    """
    out = out or sys.stdout
    report = BenchReport()
    best_known = read_best_known(config.data_dir)
    active = list(config.solvers)
    for name in config.instances:
        instance = load_instance(name, config.data_dir)
        for sense in config.senses:
            best = best_known[(name, sense)]
            runs: list[Run] = []
            for solver in list(active):
                seeds: tuple[int | None, ...] = (
                    (None,) if solver in SEED_INDEPENDENT else config.seeds
                )
                for seed in seeds:
                    try:
                        result = SOLVERS[solver](
                            instance,
                            sense,
                            config.time_limit,
                            config.seeds[0] if seed is None else seed,
                        )
                    except NotImplementedError as error:
                        # An unfinished solver is left out of the whole run, not fatal.
                        report.skipped[solver] = str(error)
                        active.remove(solver)
                        print(f"note: skipping {solver}: {error}", file=out)
                        break
                    runs.append(check_run(instance, sense, best, result, seed))
            report.runs.extend(runs)
            print(instance_table(instance, sense, best, runs), file=out, flush=True)
    report.summary = summarize(report.runs, config.solvers)
    if config.reference in report.summary:
        report.ratios = {
            peer: ratios(report.runs, config.reference, peer)
            for peer in report.summary
            if peer != config.reference
        }
    print(summary_text(report, config), file=out)
    for run in report.failures:
        print(
            f"FAILED: {run.solver} on {run.instance} ({run.sense}, seed {run.seed}): {run.check}",
            file=out,
        )
    return report


def _jsonable(value: float | None) -> float | None:
    """JSON has no infinity: an infinite gap is written as null."""
    return None if value is None or math.isinf(value) else value


def write_outputs(report: BenchReport, config: BenchConfig, folder: Path, commit: str) -> None:
    """Write ``runs.csv`` and ``results.json`` into ``folder``.

    Parameters
    ----------
    report
        The finished benchmark.
    config
        What was run.
    folder
        Output folder, created if missing.
    commit
        The commit the code was at.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "runs.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for run in report.runs:
            row = asdict(run)
            row["gap_pct"] = "" if math.isinf(run.gap_pct) else f"{run.gap_pct:.4f}"
            row["seconds"] = f"{run.seconds:.3f}"
            writer.writerow({key: "" if row[key] is None else row[key] for key in CSV_COLUMNS})
    runs = []
    for run in report.runs:
        row = asdict(run)
        row["gap_pct"] = _jsonable(run.gap_pct)
        runs.append(row)
    summary = {
        solver: {
            key: _jsonable(value) if isinstance(value, float) else value
            for key, value in row.items()
        }
        for solver, row in report.summary.items()
    }
    document = {
        "commit": commit,
        "time_limit": config.time_limit,
        "seeds": list(config.seeds),
        "senses": [sense.value for sense in config.senses],
        "solvers": list(config.solvers),
        "instances": list(config.instances),
        "reference": config.reference,
        "data_dir": str(config.data_dir),
        "machine": machine(),
        "skipped": report.skipped,
        "summary": summary,
        "ratios": report.ratios,
        "runs": runs,
    }
    (folder / "results.json").write_text(json.dumps(document, indent=2) + "\n")


def check_solutions(data_dir: Path, out: TextIO | None = None) -> int:
    """Score every published solution file against its best-known (min) value.

    The nine files in :data:`benchmarks.gap.KNOWN_WORSE_SOLUTIONS` are reported as
    documented when they score worse; anything else that is off fails.

    Parameters
    ----------
    data_dir
        The GAP data folder.
    out
        Where the report goes; standard output by default.

    Returns
    -------
    int
        Exit status: 0 if every file is feasible and scores as expected, 1 otherwise.
    """
    out = out or sys.stdout
    best_known = read_best_known(data_dir)
    files = sorted((data_dir / "solutions").glob("*/*"))
    seen: set[str] = set()
    failures: list[str] = []
    documented = 0
    for path in files:
        try:
            name = instance_of_solution_file(path)
            instance = load_instance(name, data_dir)
            evaluation = evaluate_assignment(instance, read_solution(path, instance))
        except ValueError as error:
            failures.append(f"{path.relative_to(data_dir)}: {error}")
            continue
        seen.add(name)
        best = best_known[(name, Sense.MIN)].best_known
        where = f"{path.relative_to(data_dir)} ({name})"
        if not evaluation.feasible:
            overloaded = np.flatnonzero(evaluation.overload).tolist()
            failures.append(f"{where}: infeasible, agents {overloaded} over capacity")
        elif evaluation.cost < best:
            failures.append(f"{where}: {evaluation.cost} beats best-known {best}")
        elif evaluation.cost > best and name in KNOWN_WORSE_SOLUTIONS:
            documented += 1
            print(
                f"documented: {where} scores {evaluation.cost}, best-known {best} "
                f"(+{gap_percent(evaluation.cost, best, Sense.MIN):.3f} %)",
                file=out,
            )
        elif evaluation.cost > best:
            failures.append(f"{where}: scores {evaluation.cost}, best-known {best}")
        elif name in KNOWN_WORSE_SOLUTIONS:
            print(f"note: {where} now matches best-known {best}", file=out)
    for name in all_instance_names():
        if name not in seen and not solution_path(name, data_dir).is_file():
            failures.append(f"{name}: no solution file")
    for failure in failures:
        print(f"FAILED: {failure}", file=out)
    print(
        f"{len(files)} solution files: {len(files) - documented - len(failures)} at best-known, "
        f"{documented} documented as worse, {len(failures)} failures",
        file=out,
    )
    return 1 if failures else 0


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line; ``--solvers`` and ``--sets`` choices come from the module tables."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_gap", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--sets", default="", help=f"comma-separated, of {','.join(SETS)}")
    parser.add_argument("--instances", default="", help="comma-separated names, e.g. gap1-1,c05100")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--seeds", default="1", help="comma-separated integers")
    parser.add_argument("--sense", default="min", help="min, max or min,max")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help=f"of {','.join(SOLVERS)}")
    parser.add_argument("--reference", default="ours", help="solver the ratios are taken against")
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv, results.json")
    parser.add_argument("--data", type=Path, default=None, help="GAP data folder")
    parser.add_argument("--commit", default=None, help="record this instead of git rev-parse")
    parser.add_argument(
        "--check-solutions", action="store_true", help="only score the published solutions"
    )
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> BenchConfig:
    """Turn parsed arguments into a :class:`BenchConfig`, rejecting unknown names."""
    names: list[str] = []
    for set_name in _split(args.sets):
        names.extend(instance_names(set_name))
    for name in _split(args.instances):
        instance_source(name)
        names.append(name)
    if not names:
        raise ValueError("no instances: give --sets or --instances.")
    try:
        seeds = tuple(int(seed) for seed in _split(args.seeds))
        senses = tuple(Sense(sense) for sense in _split(args.sense))
    except ValueError as error:
        raise ValueError(f"--seeds or --sense not understood: {error}") from None
    return BenchConfig(
        instances=tuple(dict.fromkeys(names)),
        senses=senses,
        solvers=tuple(_split(args.solvers)),
        seeds=seeds,
        time_limit=args.time_limit,
        data_dir=resolve_data_dir(args.data),
        reference=args.reference,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark or the solution check; return the exit status."""
    args = parse_args(argv)
    data_dir = resolve_data_dir(args.data)
    if not data_dir.is_dir():
        print(f"error: GAP data folder {data_dir} not found (use --data)", file=sys.stderr)
        return 2
    if args.check_solutions:
        return check_solutions(data_dir)

    def headline(config: BenchConfig, commit: str) -> str:
        return (
            f"commit {commit}, time limit {config.time_limit:g} s, seeds "
            f"{','.join(map(str, config.seeds))}, "
            f"{platform.processor() or platform.machine()}, {machine()['nproc']} cores"
        )

    def run(config: BenchConfig, commit: str) -> int:
        report = run_benchmark(config)
        if args.out is not None:
            write_outputs(report, config, args.out, commit)
            print(f"wrote {args.out / 'runs.csv'} and {args.out / 'results.json'}")
        return 1 if report.failures else 0

    return run_main(lambda: config_from_args(args), args.commit, headline, run)


if __name__ == "__main__":
    sys.exit(main())
