"""``cosource batch``: run a scenario file and write the comparison table and report.

Exit status: 0 when every scenario has an assignment, 1 when one failed, was invalid or
found none (the others ran), 2 when the file is refused as a whole or Ray cannot be had,
130 when interrupted (run the same command again to resume).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from api.batch.backend import Backend
from api.batch.tasks import Task
from api.cli_inputs import check_out, positive_int

INTERRUPTED = 130
"""The exit status of an interrupted batch, as a shell gives a command stopped by Ctrl-C."""


def add_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``batch`` to the command line's subcommands."""
    batch = sub.add_parser("batch", help="run many scenarios and compare them (docs/batch.md)")
    batch.add_argument("scenarios", type=Path, help="a scenario file, .yaml or .json")
    batch.add_argument("--out", type=Path, required=True, help="the batch's output folder")
    batch.add_argument(
        "--ray",
        metavar="auto|ADDRESS",
        default=None,
        help="run the scenarios on Ray: auto starts a local Ray, HOST:PORT joins a cluster "
        "(needs pip install 'cosource[ray]'); default: a local process pool",
    )
    batch.add_argument(
        "--parallel",
        type=positive_int,
        default=None,
        help="scenarios run at once (default: as many as the cores hold, each scenario "
        "taking its CP-SAT workers' cores)",
    )
    batch.add_argument(
        "--fresh", action="store_true", help="run every scenario again, even those finished"
    )
    batch.set_defaults(run=batch_command)


def batch_command(args: argparse.Namespace) -> int:
    """Run ``args.scenarios`` into ``args.out``; the exit status of the module's docstring."""
    from api.batch.runner import BatchInterruptedError, run_batch
    from api.batch.spec import read_batch

    batch = read_batch(args.scenarios)
    check_out(args.out, "output folder")
    if args.ray is not None:
        # refused before anything runs, even when every scenario finished before
        from api.batch.ray_runner import check_ray

        check_ray(args.ray)
    for invalid in batch.invalid():
        print(f"error: {invalid.message}", file=sys.stderr)
    try:
        result = run_batch(batch, args.out, lambda tasks: _backend(args, tasks))
    except BatchInterruptedError as stop:
        print(
            f"\ninterrupted: {stop.finished} of {stop.total} scenarios finished and recorded; "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return INTERRUPTED
    from api.batch.texts import summary_text

    print("\n" + summary_text(result.rows, result.what_ifs))
    print(
        f"\nwrote {args.out}/comparison.csv, report.html, summary.txt and scenarios/ "
        f"in {result.wall_seconds:.1f} s"
    )
    return 0 if result.all_solved else 1


def _backend(args: argparse.Namespace, tasks: list[Task]) -> tuple[Backend, int]:
    """The backend the options ask for, and how many tasks may run at once."""
    widest = max((t.cpus for t in tasks), default=1)
    if args.ray is not None:
        from api.batch.ray_runner import RayBackend

        cpus = max(os.cpu_count() or 1, widest)
        if args.parallel is not None:
            cpus = args.parallel * widest
        ray = RayBackend(args.ray, cpus=cpus)
        # Ray itself holds back a task until its CPUs are free: hand it every task
        return ray, args.parallel or len(tasks)
    from api.batch.pool import ProcessPool

    parallel = args.parallel or max(1, (os.cpu_count() or 1) // widest)
    return ProcessPool(parallel), parallel


__all__ = ["INTERRUPTED", "add_command", "batch_command"]
