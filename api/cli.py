"""The ``cosource`` command line, a thin adapter over :mod:`api.pipeline`.

``cosource demo``      generate the seeded demo round, solve it, print and write the results
``cosource solve``     solve a round (JSON file, CSV folder or workbook) and write the results
``cosource why-not``   explain why a talent is not placed on a package
``cosource shortlist`` the best candidates of a package, or the best packages of a talent
``cosource generate``  write a seeded synthetic round (JSON file or CSV folder)
``cosource check``     validate a round and show what is eligible and what each rule excluded
``cosource report``    a self-contained HTML report of a results folder, with charts
``cosource batch``     run a scenario file's solves and compare them (table, report, what-if)
``cosource serve``     the HTTP service (127.0.0.1:8000) with a solve worker
``cosource worker``    a solve worker taking queued runs from the service's database

The benchmark suites run as ``python -m benchmarks SUITE`` (or ``cosource-bench SUITE``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from api.answers import ShortlistDocument, WhyNotDocument
from api.batch.command import add_command as add_batch_command
from api.cli_inputs import (
    EXIT_STATUS,
    MAX_GENERATED,
    MAX_SEED,
    MAX_WORKERS,
    Parser,
    check_out,
    cosource_version,
    load_checked,
    placed_talents,
    positive_int,
    positive_seconds,
    round_size,
    seed,
    share,
    workers,
)
from api.documents import to_json
from api.pipeline import RoundParams, default_time_limit, run_round, write_outcome
from api.report.command import add_command as add_report_command
from api.service.commands import add_commands as add_service_commands
from api.texts import (
    ImprovementWatch,
    LiveProgress,
    ProgressPrinter,
    check_report,
    shortlist_text,
    working,
)
from api.why_not import WhyNot, why_not
from matcher.compile import compile_round
from matcher.errors import RoundError
from matcher.models import Round
from matcher.roundio import save_round
from matcher.shortlists import Shortlists
from solvers.prices import PriceOptions
from solvers.registry import BUDGET_VARIANT, BUDGETS_HELP, METHODS, within_budgets
from solvers.result import Progress, SolveParams
from solvers.stop import Deadline, NoImprovement

Command = Callable[[argparse.Namespace], int]


def _solve_params(args: argparse.Namespace, round_: Round, started: float) -> SolveParams:
    """The solve options, with the command's deadline counted from ``started`` (before the
    round was read: reading counts against the limit too). Without ``--time-limit`` the
    round gets :func:`~api.pipeline.default_time_limit`, and a solve's summary says so."""
    limit = args.time_limit
    if limit is None:
        limit = default_time_limit(round_)
    return SolveParams(
        time_limit=limit,
        workers=args.workers,
        seed=args.seed,
        relative_gap=args.gap,
        deadline=Deadline(limit, started),
        stop=None if args.patience is None else NoImprovement(args.patience),
    )


def _run_and_write(
    round_: Round, args: argparse.Namespace, solve: SolveParams, blocking_pairs: bool
) -> int:
    prices = PriceOptions.after(solve) if getattr(args, "prices", False) else None
    params = RoundParams(args.method, solve, blocking_pairs, prices=prices)
    with contextlib.ExitStack() as stack:
        display: Callable[[Progress], None] | None = None
        if not args.quiet and sys.stdout.isatty():
            display = stack.enter_context(LiveProgress(solve.time_limit))
        elif not args.quiet:
            display = ProgressPrinter(solve.time_limit)
        watch = ImprovementWatch(display)
        outcome = run_round(round_, params, watch)
    write_outcome(outcome, args.out, xlsx=getattr(args, "xlsx", False))
    print(outcome.summary())
    hint = watch.hint(outcome.result.status, solve.time_limit)
    if hint is not None:
        print(hint)
    if args.time_limit is None:
        print(
            f"time limit {solve.time_limit:g} s: the default for {len(round_.talents):,} "
            "talents (--time-limit to choose)"
        )
    if outcome.solved:
        print(f"\nresults written to {args.out}/")
    return 0 if outcome.solved else 1


def _cmd_solve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    check_out(args.out, "results folder")
    round_ = load_checked(args.path)
    solve = _solve_params(args, round_, started)
    return _run_and_write(round_, args, solve, args.blocking_pairs)


def _cmd_demo(args: argparse.Namespace) -> int:
    from matcher.generator import DEMO, generate_round

    started = time.perf_counter()
    check_out(args.out, "results folder")
    round_ = generate_round(DEMO.talents, DEMO.packages, seed=args.seed)
    print(
        f"demo round: {len(round_.talents)} talents, {len(round_.packages)} packages, "
        f"{len(round_.organizations)} organizations (seed {args.seed})"
    )
    solve = _solve_params(args, round_, started)
    args.out.mkdir(parents=True, exist_ok=True)
    save_round(round_, args.out / "round.json")
    return _run_and_write(round_, args, solve, blocking_pairs=False)


def _cmd_why_not(args: argparse.Namespace) -> int:
    # a JSON or CSV answer is alone on stdout: what the command says on the way goes to stderr
    with contextlib.redirect_stdout(sys.stderr if args.format != "text" else sys.stdout):
        answer = _why_not_answer(args)
    if args.format == "json":
        print(to_json(WhyNotDocument.of(answer)), end="")
    elif args.format == "csv":
        print(WhyNotDocument.of(answer).csv(), end="")
    else:
        print(answer.text())
    return 0


def _why_not_answer(args: argparse.Namespace) -> WhyNot:
    started = time.perf_counter()
    round_ = load_checked(args.path)
    solve = _solve_params(args, round_, started)
    if not args.quiet:
        # the two solves' progress, on stderr: the answer alone goes to stdout
        printer = ProgressPrinter(solve.time_limit, sys.stderr)
        solve = dataclasses.replace(solve, progress=printer)
    return why_not(round_, args.talent, args.package, method=args.method, params=solve)


def _cmd_shortlist(args: argparse.Namespace) -> int:
    round_ = load_checked(args.path)
    compiled = compile_round(round_)
    lists = Shortlists(compiled)
    try:
        if args.package is not None:
            placed = None
            if args.exclude_placed is not None:
                taken = placed_talents(args.exclude_placed)
                placed = np.isin(np.array(compiled.arrays.talent_ids), taken)
            shortlist = lists.for_package(
                args.package, args.k, placed=placed, skip_pinned_elsewhere=args.skip_pinned
            )
        else:
            shortlist = lists.for_talent(args.talent, args.k)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    for_package = args.package is not None
    if args.format == "text":
        print(shortlist_text(compiled, shortlist, for_package))
    else:
        document = ShortlistDocument.build(compiled, shortlist, for_package)
        print(to_json(document) if args.format == "json" else document.csv(), end="")
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    from matcher.generator import generate_round

    check_out(args.out, None if args.out.suffix == ".json" else "round folder")
    started = time.perf_counter()
    round_ = generate_round(args.size, args.packages, seed=args.seed)
    save_round(round_, args.out)
    print(
        f"wrote {args.out}: {len(round_.organizations)} organizations, "
        f"{len(round_.talents)} talents, {len(round_.packages)} packages "
        f"(seed {args.seed}, {time.perf_counter() - started:.1f} s)"
    )
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    with working(f"reading {args.path}"):
        round_ = load_checked(args.path)
    started = time.perf_counter()
    size = f"{len(round_.talents):,} talents x {len(round_.packages):,} packages"
    with working(f"compiling {size}: eligible pairs, exclusions per rule, scores"):
        compiled = compile_round(round_)
    print(check_report(round_, compiled, time.perf_counter() - started))
    return 0


def _solve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--method",
        choices=[m for m in METHODS if not m.endswith(BUDGET_VARIANT)],
        default="auto",
        help="auto: the portfolio (exact flow when only seats bind); cpsat: the CP-SAT model "
        "alone; da / da-packages: deferred acceptance; stable: best stable matching",
    )
    parser.add_argument(
        "--time-limit",
        type=positive_seconds,
        default=None,
        help="seconds for the whole command (default: 10 s, plus 1 s per 100 talents above "
        "1,000, at most 600 s)",
    )
    parser.add_argument(
        "--workers", type=workers, default=2, help=f"CP-SAT search workers, 1-{MAX_WORKERS}"
    )
    parser.add_argument("--seed", type=seed, default=0, help=f"0-{MAX_SEED:,}")
    parser.add_argument("--gap", type=share, default=0.0, help="stop at this relative gap")
    parser.add_argument(
        "--patience",
        type=positive_seconds,
        default=None,
        help="stop once the best assignment has not improved for this many seconds",
    )
    parser.add_argument("--respect-budgets", action="store_true", help=BUDGETS_HELP)
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cosource``."""
    parser = Parser(
        prog="cosource",
        description="Match senior talents to tours of duty across organizations.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cosource {cosource_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="solve the seeded demo round and print a summary")
    _solve_options(demo)
    demo.set_defaults(seed=7)
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="results folder")
    demo.set_defaults(run=_cmd_demo)

    solve_cmd = sub.add_parser("solve", help="solve a round and write the results")
    solve_cmd.add_argument(
        "path", type=Path, help="a round .json file, a CSV folder or an .xlsx workbook"
    )
    solve_cmd.add_argument("--out", type=Path, required=True, help="results folder")
    _solve_options(solve_cmd)
    solve_cmd.add_argument(
        "--blocking-pairs", action="store_true", help="also write blocking_pairs.csv"
    )
    solve_cmd.add_argument(
        "--xlsx",
        action="store_true",
        help="also write results.xlsx: placements, unplaced, KPIs and costs in one workbook",
    )
    solve_cmd.add_argument(
        "--prices",
        action="store_true",
        help="after the solve, price every active rule (budgets, fairness, pool, pins, age, "
        "minimum fit): what dropping it gains, from the linear relaxation (up to the time "
        "limit again) and re-solves of the 3 dearest (a quarter of the limit each, and a "
        "control); in kpis.json, the summary and the report",
    )
    solve_cmd.set_defaults(run=_cmd_solve)

    why = sub.add_parser("why-not", help="why is a talent not placed on a package?")
    why.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    why.add_argument("--talent", required=True)
    why.add_argument("--package", required=True)
    why.add_argument(
        "--format",
        choices=["text", "json", "csv"],
        default="text",
        help="the answer as text, JSON or CSV (one row per failing rule)",
    )
    _solve_options(why)
    why.set_defaults(run=_cmd_why_not)

    short = sub.add_parser("shortlist", help="top candidates of a package, or packages of a talent")
    short.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    who = short.add_mutually_exclusive_group(required=True)
    who.add_argument("--package", help="shortlist talents for this package")
    who.add_argument("--talent", help="shortlist packages for this talent")
    short.add_argument("-k", type=positive_int, default=10, help="length of the shortlist")
    short.add_argument(
        "--exclude-placed",
        type=Path,
        default=None,
        help="a placements.csv from a solve: leave its talents out",
    )
    short.add_argument(
        "--skip-pinned", action="store_true", help="leave out talents pinned elsewhere"
    )
    short.add_argument(
        "--format",
        choices=["text", "json", "csv"],
        default="text",
        help="a table to read, a JSON document, or CSV rows",
    )
    short.set_defaults(run=_cmd_shortlist)

    gen = sub.add_parser("generate", help="write a seeded synthetic round")
    gen.add_argument(
        "--size", type=round_size, required=True, help=f"number of talents, 1-{MAX_GENERATED:,}"
    )
    gen.add_argument(
        "--packages",
        type=round_size,
        default=None,
        help=f"number of packages, 1-{MAX_GENERATED:,} (default: a quarter of the talents)",
    )
    gen.add_argument("--seed", type=seed, default=0, help=f"0-{MAX_SEED:,}")
    gen.add_argument("--out", type=Path, required=True, help="a .json file or a folder")
    gen.set_defaults(run=_cmd_generate)

    check = sub.add_parser("check", help="validate a round and count eligible pairs")
    check.add_argument(
        "path", type=Path, help="a round .json file, a CSV folder or an .xlsx workbook"
    )
    check.set_defaults(run=_cmd_check)
    add_report_command(sub)
    add_batch_command(sub)
    add_service_commands(sub)
    for command in sub.choices.values():
        command.epilog = EXIT_STATUS
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "respect_budgets", False):
        args.method = within_budgets(args.method, parser.error)
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
    except OSError as exc:  # a file that cannot be read or written: the disk, permissions
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: one line, not a traceback; 128 + SIGINT, as a shell reports it
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
