"""Workbook suite: the results workbook of a round with about 5,000 placements, and a round
written to and read from a workbook.

``results``  a seeded generated round (``--size``, default 16000x5000: greedy places about
             5,150 talents and leaves about 10,850 unplaced) is solved once by greedy (not
             timed); then :func:`api.workbook.results_workbook` writes its workbook to a
             file, best of ``--repeat``. Target: 5 s (issue 26).
``round``    a generated round of ``--round-talents`` talents is written by
             :func:`matcher.round_workbook.write_round_workbook` and read back by
             :func:`matcher.roundio.load_round`, best of ``--repeat`` each; the round read
             must equal the round written.

Both report wall seconds and the process's CPU seconds (the machine may be shared: CPU
seconds say what the work costs alone), the file's size and the cells written.

Usage::

    python -m benchmarks.workbook --out results/workbook

Writes ``runs.csv`` and ``results.json`` (the runs, commit and machine) into ``--out``. The
exit status is 1 when a check fails: a workbook without a row per placement, or a round
that does not read back equal.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import openpyxl

from api.pipeline import RoundParams, run_round
from api.workbook import results_workbook
from benchmarks.runinfo import run_main
from benchmarks.synthetic import finish_runs, parse_size, run_header
from matcher.generator import generate_round
from matcher.round_workbook import write_round_workbook
from matcher.roundio import load_round
from solvers.result import SolveParams

TARGET_SECONDS: Final = 5.0
"""The results workbook of 5,000 placements, at most (issue 26)."""

CSV_COLUMNS: Final = (
    "task",
    "talents",
    "packages",
    "placements",
    "rows",
    "cells",
    "seconds",
    "cpu_seconds",
    "megabytes",
    "check",
)


@dataclass(frozen=True)
class WorkbookRun:
    """One timed task: what was written, its best wall and CPU seconds, the file's size."""

    task: str
    talents: int
    packages: int
    placements: int
    rows: int
    cells: int
    seconds: float
    cpu_seconds: float
    megabytes: float
    check: str

    @property
    def failed(self) -> bool:
        return self.check not in ("ok", "slow")


@dataclass(frozen=True)
class SuiteConfig:
    size: tuple[int, int]
    round_talents: int
    seed: int
    repeat: int


def _best(task: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The least wall and CPU seconds of ``repeat`` runs of ``task``."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        task()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def results_run(config: SuiteConfig, folder: Path) -> WorkbookRun:
    """Time the results workbook of the generated round of ``config.size``."""
    talents, packages = config.size
    round_ = generate_round(talents, packages, seed=config.seed)
    outcome = run_round(round_, RoundParams("greedy", SolveParams(time_limit=120, workers=1)))
    result = outcome.result_document().model_dump(mode="json")
    kpis_document = outcome.kpis_document()
    kpis = None if kpis_document is None else kpis_document.model_dump(mode="json")
    placements, unplaced = outcome.placements(), outcome.unplaced()
    path = folder / "results.xlsx"

    def write() -> None:
        results_workbook(result, kpis, placements, unplaced, path, round_name=round_.id)

    seconds, cpu = _best(write, config.repeat)
    book = openpyxl.load_workbook(path, read_only=True)
    # counted, not max_row: a streamed sheet does not state its size
    rows = sum(1 for _ in book["placements"].iter_rows())
    book.close()
    check = "ok" if rows == len(placements) + 1 else f"placements sheet has {rows} rows"
    if check == "ok" and seconds > TARGET_SECONDS:
        check = "slow"
    return WorkbookRun(
        task="results",
        talents=talents,
        packages=packages,
        placements=len(placements),
        rows=len(placements) + len(unplaced),
        cells=placements.size + unplaced.size,
        seconds=round(seconds, 3),
        cpu_seconds=round(cpu, 3),
        megabytes=round(path.stat().st_size / 1e6, 2),
        check=check,
    )


def round_runs(config: SuiteConfig, folder: Path) -> list[WorkbookRun]:
    """Time writing and reading a round workbook of ``config.round_talents`` talents."""
    round_ = generate_round(config.round_talents, seed=config.seed)
    path = folder / "round.xlsx"
    write_seconds, write_cpu = _best(lambda: write_round_workbook(round_, path), config.repeat)
    read: list[object] = []
    read_seconds, read_cpu = _best(lambda: read.append(load_round(path)), config.repeat)
    check = "ok" if read[-1] == round_ else "the round read back differs"
    cells = sum(
        len(records) * len(type(records[0]).model_fields)
        for records in (round_.organizations, round_.talents, round_.packages)
    )
    rows = len(round_.organizations) + len(round_.talents) + len(round_.packages)
    megabytes = round(path.stat().st_size / 1e6, 2)
    return [
        WorkbookRun(
            task=task,
            talents=len(round_.talents),
            packages=len(round_.packages),
            placements=0,
            rows=rows,
            cells=cells,
            seconds=round(seconds, 3),
            cpu_seconds=round(cpu, 3),
            megabytes=megabytes,
            check=check,
        )
        for task, seconds, cpu in (
            ("round write", write_seconds, write_cpu),
            ("round read", read_seconds, read_cpu),
        )
    ]


def run_suite(config: SuiteConfig) -> list[WorkbookRun]:
    """Every task of the suite, each printed as it ends."""
    print(f"{'task':<12} {'size':>12} {'placed':>7} {'cells':>9} {'s':>7} {'cpu s':>7} {'MB':>6}")
    runs: list[WorkbookRun] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for run in [results_run(config, folder), *round_runs(config, folder)]:
            size = f"{run.talents}x{run.packages}"
            print(
                f"{run.task:<12} {size:>12} {run.placements:>7,} {run.cells:>9,} "
                f"{run.seconds:>7.2f} {run.cpu_seconds:>7.2f} {run.megabytes:>6.2f}  {run.check}"
            )
            runs.append(run)
    return runs


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of the workbook suite."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.workbook", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--size", default="16000x5000", help="TALENTSxPACKAGES of the solved round")
    parser.add_argument(
        "--round-talents", type=int, default=5000, help="talents of the round workbook"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv")
    parser.add_argument("--commit", default=None, help="commit to record (default: HEAD)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the workbook suite; returns the exit status (1 if a check failed)."""
    args = parse_args(argv)

    def make_config() -> SuiteConfig:
        if args.repeat < 1 or args.round_talents < 1:
            raise ValueError("--repeat and --round-talents must be at least 1")
        return SuiteConfig(parse_size(args.size), args.round_talents, args.seed, args.repeat)

    def headline(config: SuiteConfig, commit: str) -> str:
        return (
            f"commit {commit}, seed {config.seed}, best of {config.repeat}, openpyxl "
            f"{openpyxl.__version__}, python {platform.python_version()}"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        return finish_runs(
            args.out,
            CSV_COLUMNS,
            run_suite(config),
            lambda: run_header(commit, target_seconds=TARGET_SECONDS, repeat=config.repeat),
        )

    return run_main(make_config, args.commit, headline, run)


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["CSV_COLUMNS", "TARGET_SECONDS", "WorkbookRun", "main", "run_suite"]
