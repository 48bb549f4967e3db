"""The ``cosource`` command line, a thin adapter over :mod:`api.pipeline`.

``cosource demo``      generate the seeded demo round, solve it, print and write the results
``cosource solve``     solve a round (JSON file or CSV folder) and write the results
``cosource why-not``   explain why a talent is not placed on a package
``cosource shortlist`` the best candidates of a package, or the best packages of a talent
``cosource generate``  write a seeded synthetic round (JSON file or CSV folder)
``cosource check``     validate a round and show what is eligible and what each rule excluded

The benchmark suites run as ``python -m benchmarks SUITE`` (or ``cosource-bench SUITE``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from api.pipeline import RoundParams, run_round, write_outcome
from api.texts import ImprovementWatch, ProgressPrinter, check_report, shortlist_text
from api.why_not import why_not
from matcher.compile import compile_round
from matcher.errors import RoundError
from matcher.models import Round
from matcher.roundio import load_round, save_round
from matcher.shortlists import Shortlists
from solvers.registry import BUDGET_VARIANT, BUDGETS_HELP, METHODS, within_budgets
from solvers.result import SolveParams
from solvers.stop import Deadline, NoImprovement

Command = Callable[[argparse.Namespace], int]


def _version() -> str:
    """The installed distribution's version."""
    try:
        return version("cosource")
    except PackageNotFoundError:
        return "unknown (not installed)"


EXIT_STATUS = """exit status:
  0  done: the round is solved, or the command did what it was asked
  1  no solution: the round is infeasible, or no assignment was found in time
  2  bad input: an option, a file, or a value in the round; one line on stderr,
     'error: ...', names the option, or the file, line, record and field"""

MAX_SEED = 2**31 - 1
"""Seeds go to CP-SAT, whose seed is a 32-bit integer, and to numpy's generators."""
MAX_WORKERS = 256
"""More CP-SAT workers than any machine has cores."""
MAX_GENERATED = 1_000_000
"""The most talents or packages ``generate`` writes (100,000 talents take 10 s and 0.6 GB)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, ``error: ...``, and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    """A parser of whole numbers in [low, high] whose error names the range."""

    def parse(text: str) -> int:
        value = _whole_number(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not {what} in {low:,}-{high:,}")
        return value

    parse.__name__ = what  # argparse names the type in some of its messages
    return parse


def _positive_int(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return value


_seed = _int_in(0, MAX_SEED, "a seed")
_workers = _int_in(1, MAX_WORKERS, "a number of workers")
_generated = _int_in(1, MAX_GENERATED, "a round size")


def _positive_seconds(text: str) -> float:
    value = _number(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def _share(text: str) -> float:
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share in [0, 1)")
    return value


def _load(path: Path) -> Round:
    """The round at ``path``, refused when its pinned and accepted placements exceed the
    seats or tours (the solvers would only find it infeasible)."""
    round_ = load_round(path)
    over = round_.over_capacity()
    if over:
        raise RoundError(f"{path}: {'; '.join(over)}")
    return round_


def _check_out(path: Path, folder: str | None) -> None:
    """Refuse an ``--out`` that cannot be written, before any work is done and without
    creating anything: the ``folder`` named so (say "results folder"), else a file."""
    if path.exists():
        if folder and not path.is_dir():
            raise RoundError(f"--out: the {folder} {path} is an existing file")
        if not folder and path.is_dir():
            raise RoundError(
                f"--out: {path} is an existing folder; name a .json file, or a folder "
                "without .json for CSV files"
            )
        if not os.access(path, os.W_OK):
            raise RoundError(f"--out: {path} is not writable")
        return
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise RoundError(f"--out: cannot create {path}: {parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise RoundError(f"--out: cannot create {path}: {parent} is not writable")


def _placed_talents(path: Path) -> list[str]:
    """The talents of a placements.csv (``--exclude-placed``)."""
    if not path.exists():
        raise RoundError(f"--exclude-placed: no such file {path}")
    if path.is_dir():
        raise RoundError(f"--exclude-placed: {path} is a folder, not a placements.csv")
    try:
        table = pd.read_csv(path, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RoundError(f"--exclude-placed {path}: cannot be read as CSV: {reason}") from exc
    if "talent" not in table.columns:
        columns = ", ".join(repr(str(c)) for c in table.columns[:8])
        raise RoundError(
            f"--exclude-placed {path}: no 'talent' column (found {columns}); "
            "pass the placements.csv of a solve"
        )
    return [str(t) for t in table["talent"].dropna()]


def _solve_params(args: argparse.Namespace) -> SolveParams:
    """The solve options, with the command's deadline starting now: reading the round
    counts against the time limit too."""
    return SolveParams(
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        relative_gap=args.gap,
        deadline=Deadline(args.time_limit),
        stop=None if args.patience is None else NoImprovement(args.patience),
    )


def _run_and_write(
    round_: Round, args: argparse.Namespace, solve: SolveParams, blocking_pairs: bool
) -> int:
    params = RoundParams(args.method, solve, blocking_pairs)
    watch = ImprovementWatch(None if args.quiet else ProgressPrinter(solve.time_limit))
    outcome = run_round(round_, params, watch)
    write_outcome(outcome, args.out)
    print(outcome.summary())
    hint = watch.hint(outcome.result.status, solve.time_limit)
    if hint is not None:
        print(hint)
    if outcome.solved:
        print(f"\nresults written to {args.out}/")
    return 0 if outcome.solved else 1


def _cmd_solve(args: argparse.Namespace) -> int:
    solve = _solve_params(args)
    _check_out(args.out, "results folder")
    return _run_and_write(_load(args.path), args, solve, args.blocking_pairs)


def _cmd_demo(args: argparse.Namespace) -> int:
    from matcher.generator import DEMO, generate_round

    solve = _solve_params(args)
    _check_out(args.out, "results folder")
    round_ = generate_round(DEMO.talents, DEMO.packages, seed=args.seed)
    print(
        f"demo round: {len(round_.talents)} talents, {len(round_.packages)} packages, "
        f"{len(round_.organizations)} organizations (seed {args.seed})"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    save_round(round_, args.out / "round.json")
    return _run_and_write(round_, args, solve, blocking_pairs=False)


def _cmd_why_not(args: argparse.Namespace) -> int:
    solve = _solve_params(args)
    round_ = _load(args.path)
    answer = why_not(round_, args.talent, args.package, method=args.method, params=solve)
    print(answer.text())
    return 0


def _cmd_shortlist(args: argparse.Namespace) -> int:
    round_ = _load(args.path)
    compiled = compile_round(round_)
    lists = Shortlists(compiled)
    try:
        if args.package is not None:
            placed = None
            if args.exclude_placed is not None:
                taken = _placed_talents(args.exclude_placed)
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


def _cmd_generate(args: argparse.Namespace) -> int:
    from matcher.generator import generate_round

    _check_out(args.out, None if args.out.suffix == ".json" else "round folder")
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
    round_ = _load(args.path)
    started = time.perf_counter()
    compiled = compile_round(round_)
    print(check_report(round_, compiled, time.perf_counter() - started))
    return 0


def _solve_options(parser: argparse.ArgumentParser, time_limit: float) -> None:
    parser.add_argument(
        "--method",
        choices=[m for m in METHODS if not m.endswith(BUDGET_VARIANT)],
        default="auto",
        help="auto: the portfolio (exact flow when only seats bind); cpsat: the CP-SAT model "
        "alone; da / da-packages: deferred acceptance; stable: best stable matching",
    )
    parser.add_argument(
        "--time-limit", type=_positive_seconds, default=time_limit, help="seconds, in all"
    )
    parser.add_argument(
        "--workers", type=_workers, default=2, help=f"CP-SAT search workers, 1-{MAX_WORKERS}"
    )
    parser.add_argument("--seed", type=_seed, default=0, help=f"0-{MAX_SEED:,}")
    parser.add_argument("--gap", type=_share, default=0.0, help="stop at this relative gap")
    parser.add_argument(
        "--patience",
        type=_positive_seconds,
        default=None,
        help="stop once the best assignment has not improved for this many seconds",
    )
    parser.add_argument("--respect-budgets", action="store_true", help=BUDGETS_HELP)
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cosource``."""
    parser = _Parser(
        prog="cosource",
        description="Match senior talents to tours of duty across organizations.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cosource {_version()}")
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
    short.add_argument("-k", type=_positive_int, default=10, help="length of the shortlist")
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
    gen.add_argument(
        "--size", type=_generated, required=True, help=f"number of talents, 1-{MAX_GENERATED:,}"
    )
    gen.add_argument(
        "--packages",
        type=_generated,
        default=None,
        help=f"number of packages, 1-{MAX_GENERATED:,} (default: a quarter of the talents)",
    )
    gen.add_argument("--seed", type=_seed, default=0, help=f"0-{MAX_SEED:,}")
    gen.add_argument("--out", type=Path, required=True, help="a .json file or a folder")
    gen.set_defaults(run=_cmd_generate)

    check = sub.add_parser("check", help="validate a round and count eligible pairs")
    check.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    check.set_defaults(run=_cmd_check)
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


if __name__ == "__main__":
    sys.exit(main())
