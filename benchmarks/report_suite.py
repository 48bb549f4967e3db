"""Round report suite: ``cosource report`` on the results of generated rounds, timed.

For each size: ``cosource generate``, ``cosource solve`` with a short time limit, then
``cosource report`` in a fresh process, ``--repeat`` times. The command's wall time (the
interpreter's start included: what a coordinator waits) and the page's size are checked
against the targets (5 s and 10 MB at 20,000 talents); the report is also built once in this
process to show where the time goes (reading the folder, building the page).

Usage::

    python -m benchmarks.report_suite --sizes 20000 --time-limit 30 --out bench/report
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks.runinfo import run_main
from benchmarks.synthetic import finish_runs, run_header

FIGURES = 7
"""Charts in a report of a round with an assignment."""
CSV_COLUMNS = (
    "talents",
    "packages",
    "seed",
    "time_limit",
    "status",
    "placements",
    "unplaced",
    "command_s",
    "command_s_max",
    "read_s",
    "page_s",
    "size_mb",
    "peak_mb",
    "check",
)


@dataclass(frozen=True)
class Run:
    """One report: the round, its solve, and the report's time, size and memory.

    ``command_s`` is the median wall time of ``cosource report`` over the repeats
    (``command_s_max`` the slowest); ``read_s`` and ``page_s`` split the in-process work;
    ``peak_mb`` is the command's peak resident memory; ``check`` is ``ok`` or what failed.
    """

    talents: int
    packages: int
    seed: int
    time_limit: float
    status: str
    placements: int
    unplaced: int
    command_s: float
    command_s_max: float
    read_s: float
    page_s: float
    size_mb: float
    peak_mb: float
    check: str

    @property
    def failed(self) -> bool:
        return self.check != "ok"


@dataclass(frozen=True)
class SuiteConfig:
    sizes: tuple[int, ...]
    seed: int
    time_limit: float
    workers: int
    repeat: int
    max_seconds: float
    max_mb: float
    work: Path | None


def _cosource(*argv: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *argv]


def _timed(command: list[str]) -> tuple[float, float]:
    """Run ``command``; its wall seconds and peak resident MB (raises if it fails)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:])}: exit {child.returncode}: {errors}")
    # ru_maxrss is in KiB on Linux
    return seconds, usage.ru_maxrss / 1024


def run_size(config: SuiteConfig, talents: int, work: Path) -> Run:
    """Generate, solve and report a round of ``talents`` talents in ``work``."""
    from api.report.html import report_html
    from api.report.inputs import ReportInputs

    round_path, results, page = work / f"round-{talents}", work / f"results-{talents}", None
    seed, limit = str(config.seed), str(config.time_limit)
    _timed(_cosource("generate", "--size", str(talents), "--seed", seed, "--out", str(round_path)))
    solve = ["solve", str(round_path), "--out", str(results), "--time-limit", limit]
    _timed(_cosource(*solve, "--workers", str(config.workers), "--seed", seed, "--quiet"))
    page = results / "report.html"
    timings = [
        _timed(_cosource("report", str(results), "--out", str(page))) for _ in range(config.repeat)
    ]
    seconds = [t for t, _ in timings]
    started = time.perf_counter()
    documents = ReportInputs.from_folder(results)
    read = time.perf_counter() - started
    started = time.perf_counter()
    html = report_html(documents)
    built = time.perf_counter() - started
    size = page.stat().st_size / 1e6
    median = statistics.median(seconds)
    problems = []
    if median > config.max_seconds:
        problems.append(f"{median:.1f} s > {config.max_seconds:g} s")
    if size > config.max_mb:
        problems.append(f"{size:.1f} MB > {config.max_mb:g} MB")
    if html.count('class="cosource-figure"') != (FIGURES if documents.solved else 0):
        problems.append("charts missing")
    packages = len(pd.read_csv(round_path / "packages.csv", usecols=["id"]))
    return Run(
        talents=talents,
        packages=packages,
        seed=config.seed,
        time_limit=config.time_limit,
        status=documents.result["status"],
        placements=len(documents.placements),
        unplaced=len(documents.unplaced),
        command_s=round(median, 2),
        command_s_max=round(max(seconds), 2),
        read_s=round(read, 2),
        page_s=round(built, 2),
        size_mb=round(size, 2),
        peak_mb=round(max(mb for _, mb in timings), 0),
        check="; ".join(problems) or "ok",
    )


def run_suite(config: SuiteConfig) -> list[Run]:
    """Every size, printed as a table row when done."""
    print(
        f"{'talents':>8} {'packages':>8} {'status':>9} {'placed':>7} {'unplaced':>8} "
        f"{'report s':>8} {'max s':>6} {'read s':>6} {'page s':>6} {'MB':>6} {'peak MB':>7}  check"
    )
    runs = []
    with tempfile.TemporaryDirectory(prefix="cosource-report-") as scratch:
        work = config.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        for talents in config.sizes:
            run = run_size(config, talents, work)
            runs.append(run)
            print(
                f"{run.talents:>8,} {run.packages:>8,} {run.status:>9} {run.placements:>7,} "
                f"{run.unplaced:>8,} {run.command_s:>8.2f} {run.command_s_max:>6.2f} "
                f"{run.read_s:>6.2f} {run.page_s:>6.2f} {run.size_mb:>6.2f} "
                f"{run.peak_mb:>7.0f}  {run.check}",
                flush=True,
            )
    return runs


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of the report suite."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.report_suite", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--sizes", default="20000", help="comma-separated talent counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solve")
    parser.add_argument("--workers", type=int, default=2, help="solve workers")
    parser.add_argument("--repeat", type=int, default=3, help="reports per size; median counts")
    parser.add_argument("--max-seconds", type=float, default=5.0, help="target per report")
    parser.add_argument("--max-mb", type=float, default=10.0, help="target page size")
    parser.add_argument("--work", type=Path, default=None, help="keep rounds and results here")
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv, results.json")
    parser.add_argument("--commit", default=None, help="record this instead of git rev-parse")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the report suite; returns the exit status (1 if a run missed a target)."""
    args = parse_args(argv)

    def make_config() -> SuiteConfig:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
        if not sizes or min(sizes) < 1 or args.repeat < 1:
            raise ValueError("--sizes needs talent counts of at least 1, --repeat at least 1")
        return SuiteConfig(
            sizes=sizes,
            seed=args.seed,
            time_limit=args.time_limit,
            workers=args.workers,
            repeat=args.repeat,
            max_seconds=args.max_seconds,
            max_mb=args.max_mb,
            work=args.work,
        )

    def headline(config: SuiteConfig, commit: str) -> str:
        return (
            f"commit {commit}, seed {config.seed}, solve {config.time_limit:g} s with "
            f"{config.workers} workers, report median of {config.repeat}, python "
            f"{platform.python_version()}, {platform.processor() or platform.machine()}"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        return finish_runs(
            args.out,
            CSV_COLUMNS,
            run_suite(config),
            lambda: run_header(
                commit,
                suite="report",
                seed=config.seed,
                time_limit=config.time_limit,
                workers=config.workers,
                repeat=config.repeat,
                targets={"seconds": config.max_seconds, "mb": config.max_mb},
            ),
        )

    return run_main(make_config, args.commit, headline, run)


if __name__ == "__main__":
    sys.exit(main())
