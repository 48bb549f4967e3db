"""The ``cosource`` command line.

``cosource demo``      generate the seeded demo round, solve it, print and write the results
``cosource solve``     solve a round (JSON file or CSV folder) and write the results
``cosource why-not``   explain why a talent is not placed on a package
``cosource shortlist`` the best candidates of a package, or the best packages of a talent
``cosource generate``  write a seeded synthetic round (JSON file or CSV folder)
``cosource check``     validate a round and show what is eligible and what each rule excluded
``cosource bench``     run a benchmark suite: ``gap``, ``synthetic`` or ``stable``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from matcher.compile import CompiledRound, compile_round
from matcher.eligibility import REASONS
from matcher.errors import RoundError
from matcher.evaluator import evaluate
from matcher.explain import explain_unplaced
from matcher.models import SCORE_NAMES, Round
from matcher.preferences import build_preferences
from matcher.report import summary_text, write_results
from matcher.roundio import load_round, save_round
from matcher.shortlists import Shortlist, Shortlists
from matcher.stability import audit_matching, stability_kpis
from solvers.methods import METHODS
from solvers.result import Progress, Result, SolveParams
from solvers.why_not import why_not

Command = Callable[[argparse.Namespace], int]

BENCH_SUITES = {
    "gap": "GAP instances against best-known values",
    "synthetic": "seeded rounds with every constraint on, ours against greedy",
    "stable": "deferred acceptance against a textbook reference",
}
"""The suites of ``cosource bench`` (the runners live in :mod:`benchmarks.cli`)."""


def _cmd_generate(args: argparse.Namespace) -> int:
    from matcher.generator import generate_round

    started = time.perf_counter()
    round_ = generate_round(args.size, args.packages, seed=args.seed)
    save_round(round_, args.out)
    print(
        f"wrote {args.out}: {len(round_.organizations)} organizations, "
        f"{len(round_.talents)} talents, {len(round_.packages)} packages "
        f"(seed {args.seed}, {time.perf_counter() - started:.1f} s)"
    )
    return 0


def check_report(round_: Round, compiled: CompiledRound, seconds: float) -> str:
    """The text ``cosource check`` prints: counts, eligible pairs and exclusions per rule."""
    a = compiled.arrays
    pairs = a.n_talents * a.n_packages
    eligible = compiled.n_edges + int(compiled.pruned_by_talent.sum())
    per_talent = np.bincount(compiled.talent, minlength=a.n_talents)
    per_package = np.bincount(compiled.package, minlength=a.n_packages)
    lines = [
        f"round '{round_.id}' {round_.name}".rstrip(),
        f"  organizations {len(round_.organizations):>9,}",
        f"  talents       {a.n_talents:>9,}",
        f"  packages      {a.n_packages:>9,}   seats {int(a.package_seats.sum()):,}",
        f"  pins {len(round_.pins)}, forbidden {len(round_.forbidden)}, "
        f"previous {len(round_.previous)}",
        "",
        f"eligible pairs  {eligible:,} of {pairs:,} ({eligible / max(pairs, 1):.2%})",
    ]
    if compiled.pruned_by_talent.any():
        lines.append(f"kept as edges   {compiled.n_edges:,} (top {round_.policy.top_k} per talent)")
    lines += [
        f"talents with no eligible package   {int((per_talent == 0).sum()):,}",
        f"packages with no eligible talent   {int((per_package == 0).sum()):,}",
        f"eligible packages per talent       mean {per_talent.mean() if a.n_talents else 0:.1f}",
        "",
        "pairs excluded, by the first rule they fail:",
    ]
    for rule, count in compiled.excluded_by_rule().items():
        state = "" if round_.policy.rule_on(rule) else "  (rule off)"
        lines.append(f"  {rule:<22} {count:>14,}  {REASONS[rule]}{state}")
    lines.append(f"\ncompiled in {seconds:.2f} s")
    return "\n".join(lines)


def _cmd_check(args: argparse.Namespace) -> int:
    round_ = load_round(args.path)
    started = time.perf_counter()
    compiled = compile_round(round_)
    print(check_report(round_, compiled, time.perf_counter() - started))
    return 0


class ProgressPrinter:
    """Prints solver progress: incumbent, bound, gap and elapsed time, at most twice a
    second (always the first and the final report)."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.5) -> None:
        self.stream = stream or sys.stdout
        self.interval = interval
        self.last = -1.0

    def __call__(self, progress: Progress) -> None:
        if self.last >= 0 and progress.elapsed - self.last < self.interval:
            return
        self.last = progress.elapsed
        print(progress_line(progress), file=self.stream, flush=True)


def progress_line(progress: Progress) -> str:
    """One line of solver progress."""
    parts = [f"{progress.elapsed:7.2f}s  {progress.solver:<8}"]
    if progress.placements is not None:
        parts.append(f"placed {progress.placements:,}")
    if progress.objective is not None:
        parts.append(f"incumbent {progress.objective:,.0f}")
    if progress.bound is not None:
        parts.append(f"bound {progress.bound:,.0f}")
    if progress.gap is not None:
        parts.append(f"gap {progress.gap:.3%}")
    return "  ".join(parts)


def _params(args: argparse.Namespace) -> SolveParams:
    return SolveParams(
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        relative_gap=args.gap,
        progress=None if args.quiet else ProgressPrinter(),
    )


def result_document(result: Result, compile_seconds: float) -> dict[str, object]:
    """What ``result.json`` holds: how the solve went."""
    objective = result.objective
    return {
        "solver": result.solver,
        "status": str(result.status),
        "placements": result.placements,
        "objective": None
        if objective is None
        else {
            "placements": objective.placements,
            "score": objective.score,
            "penalty": objective.penalty,
            "value": objective.value,
        },
        "bound": result.bound,
        "gap": result.gap,
        "solve_seconds": round(result.wall_time, 3),
        "compile_seconds": round(compile_seconds, 3),
        "notes": result.notes,
        "conflicts": result.conflicts,
    }


def solve_and_report(
    round_: Round,
    out: Path,
    method: str,
    params: SolveParams,
    *,
    with_blocking_pairs: bool = False,
) -> tuple[Result, str]:
    """Compile, solve, judge and explain ``round_``; write the result files into ``out``.

    Returns the result and the summary text.
    """
    started = time.perf_counter()
    compiled = compile_round(round_)
    compile_seconds = time.perf_counter() - started
    result = METHODS[method](compiled, round_, params)
    document = result_document(result, compile_seconds)
    if not result.status.has_solution:
        out.mkdir(parents=True, exist_ok=True)
        (out / "result.json").write_text(json.dumps(document, indent=1) + "\n")
        groups = ", ".join(result.conflicts) or "none named"
        return result, f"no solution: {result.status}; conflicting constraints: {groups}"
    evaluation = evaluate(round_, compiled, result.pairs(compiled))
    reasons = explain_unplaced(compiled, result.edges)
    preferences = build_preferences(compiled)
    stability = stability_kpis(preferences, result.edges)
    blocking = (
        audit_matching(preferences, result.edges, with_pairs=True).pairs
        if with_blocking_pairs
        else None
    )
    write_results(out, compiled, result.edges, evaluation, reasons, document, stability, blocking)
    gap = "-" if result.gap is None else f"{result.gap:.3%}"
    head = (
        f"{result.solver}: {result.status}, gap {gap}, "
        f"solved in {result.wall_time:.2f} s (compiled in {compile_seconds:.2f} s)"
    )
    body = summary_text(compiled, result.edges, evaluation, reasons, stability=stability)
    notes = "".join(f"\nnote: {note}" for note in result.notes[:5])
    return result, f"{head}\n{body}{notes}\n\nresults written to {out}/"


def _cmd_solve(args: argparse.Namespace) -> int:
    round_ = load_round(args.path)
    result, text = solve_and_report(
        round_, args.out, args.method, _params(args), with_blocking_pairs=args.blocking_pairs
    )
    print(text)
    return 0 if result.status.has_solution else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    from matcher.generator import DEMO, generate_round

    round_ = generate_round(DEMO.talents, DEMO.packages, seed=args.seed)
    print(
        f"demo round: {len(round_.talents)} talents, {len(round_.packages)} packages, "
        f"{len(round_.organizations)} organizations (seed {args.seed})"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    save_round(round_, args.out / "round.json")
    result, text = solve_and_report(round_, args.out, args.method, _params(args))
    print(text)
    return 0 if result.status.has_solution else 1


def _cmd_why_not(args: argparse.Namespace) -> int:
    round_ = load_round(args.path)
    params = SolveParams(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    answer = why_not(round_, args.talent, args.package, method=args.method, params=params)
    print(answer.text())
    return 0


def shortlist_text(compiled: CompiledRound, shortlist: Shortlist, for_package: bool) -> str:
    """A shortlist as a table: rank, candidate, total score, components and, for a
    package, the host's monthly fee. This is the coordinator's view: the cost component and
    the fee together reveal the retained salary, so a hiring organization's view must leave
    the cost component out."""
    who = "talent" if for_package else "package"
    header = f"{'#':>3} {who:<12} {'score':>6} " + " ".join(f"{n[:6]:>6}" for n in SCORE_NAMES)
    lines = [f"shortlist of {'package' if for_package else 'talent'} '{shortlist.owner}'", header]
    if for_package:
        lines[1] += f" {'host fee':>9}"
    rows = zip(shortlist.partner_ids, shortlist.breakdown(), shortlist.edges.tolist(), strict=True)
    for rank, (partner, parts, edge) in enumerate(rows, start=1):
        line = f"{rank:>3} {partner:<12} {parts['score']:6.3f} " + " ".join(
            f"{parts[n]:6.2f}" for n in SCORE_NAMES
        )
        if for_package:
            line += f" {compiled.host_fee[edge]:9,.0f}"
        lines.append(line)
    if not len(shortlist):
        lines.append("  (no eligible candidate)")
    return "\n".join(lines)


def _cmd_shortlist(args: argparse.Namespace) -> int:
    round_ = load_round(args.path)
    compiled = compile_round(round_)
    lists = Shortlists(compiled)
    try:
        if args.package is not None:
            placed = None
            if args.exclude_placed is not None:
                taken = pd.read_csv(args.exclude_placed, dtype=str)["talent"].tolist()
                placed = np.isin(np.array(compiled.arrays.talent_ids), taken)
            shortlist = lists.for_package(
                args.package, args.k, placed=placed, skip_pinned_elsewhere=args.skip_pinned
            )
        else:
            shortlist = lists.for_talent(args.talent, args.k)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    print(shortlist_text(compiled, shortlist, args.package is not None))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from benchmarks.cli import run as run_suite

    return run_suite(args.suite, args.suite_options)


def _solve_options(parser: argparse.ArgumentParser, time_limit: float) -> None:
    parser.add_argument(
        "--method",
        choices=list(METHODS),
        default="auto",
        help="auto: exact flow or CP-SAT; da / da-packages: deferred acceptance; "
        "stable: best stable matching under budgets",
    )
    parser.add_argument("--time-limit", type=float, default=time_limit, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search workers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gap", type=float, default=0.0, help="stop at this relative gap")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cosource``."""
    parser = argparse.ArgumentParser(
        prog="cosource",
        description="Match senior talents to tours of duty across organizations.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="solve the seeded demo round and print a summary")
    _solve_options(demo, time_limit=10.0)
    demo.set_defaults(seed=7)
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="results folder")
    demo.set_defaults(run=_cmd_demo)

    solve_cmd = sub.add_parser("solve", help="solve a round and write the results")
    solve_cmd.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    solve_cmd.add_argument("--out", type=Path, required=True, help="results folder")
    _solve_options(solve_cmd, time_limit=30.0)
    solve_cmd.add_argument(
        "--blocking-pairs", action="store_true", help="also write blocking_pairs.csv"
    )
    solve_cmd.set_defaults(run=_cmd_solve)

    why = sub.add_parser("why-not", help="why is a talent not placed on a package?")
    why.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    why.add_argument("--talent", required=True)
    why.add_argument("--package", required=True)
    _solve_options(why, time_limit=10.0)
    why.set_defaults(run=_cmd_why_not)

    short = sub.add_parser("shortlist", help="top candidates of a package, or packages of a talent")
    short.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    who = short.add_mutually_exclusive_group(required=True)
    who.add_argument("--package", help="shortlist talents for this package")
    who.add_argument("--talent", help="shortlist packages for this talent")
    short.add_argument("-k", type=int, default=10, help="length of the shortlist")
    short.add_argument(
        "--exclude-placed",
        type=Path,
        default=None,
        help="a placements.csv from a solve: leave its talents out",
    )
    short.add_argument(
        "--skip-pinned", action="store_true", help="leave out talents pinned elsewhere"
    )
    short.set_defaults(run=_cmd_shortlist)

    gen = sub.add_parser("generate", help="write a seeded synthetic round")
    gen.add_argument("--size", type=int, required=True, help="number of talents")
    gen.add_argument("--packages", type=int, default=None, help="number of packages")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", type=Path, required=True, help="a .json file or a folder")
    gen.set_defaults(run=_cmd_generate)

    check = sub.add_parser("check", help="validate a round and count eligible pairs")
    check.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    check.set_defaults(run=_cmd_check)

    bench = sub.add_parser("bench", help="run a benchmark suite (options go to the suite)")
    suites = bench.add_subparsers(dest="suite", required=True)
    for name, text in BENCH_SUITES.items():
        # no options of its own: main() hands every argument after the suite, --help
        # included, to the suite's runner
        suites.add_parser(name, help=text, add_help=False)
    bench.set_defaults(run=_cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command != "bench":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.suite_options = unknown
    run: Command = args.run
    try:
        return run(args)
    except RoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader (say, `head`) stopped reading: silence the flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
