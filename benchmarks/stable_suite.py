"""Stable suite: deferred acceptance against a textbook implementation, in the same run.

Two kinds of instances:

``random``  complete preference lists drawn uniformly at random, ``TxP`` with
            ``ceil(T / P)`` seats per package (as many seats as talents), so that every
            talent walks its list until the market clears;
``round``   seeded generated rounds (:func:`matcher.generator.generate_round`, default
            policy), with both sides' preferences from
            :func:`matcher.preferences.build_preferences`: given lists where the generator
            drew them (unlisted partners are unacceptable), derived scores elsewhere.

On each instance and for each proposing side, :func:`solvers.deferred_acceptance.
deferred_acceptance` (best of ``--repeat`` runs) and the textbook reference in this module
(one run, one proposal at a time, from plain Python lists, the conversion included) must give
the same matching; the blocking pairs of the matching are counted with
:func:`matcher.stability.audit_matching` and must be 0.

Usage::

    python -m benchmarks.stable_suite --random 1000x100,10000x1000 --rounds 2000x500 \\
        --out results/stable

Writes ``runs.csv`` and ``results.json`` (the runs, commit and machine) into ``--out``. The
exit status is 1 if the two implementations disagree or a matching has a blocking pair.
"""

from __future__ import annotations

import argparse
import heapq
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Final, TextIO

import numpy as np
import numpy.typing as npt

from benchmarks.runinfo import run_main
from benchmarks.synthetic import finish_runs, parse_size, run_header
from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.preferences import Preferences, Side, build_preferences
from matcher.stability import audit_matching
from solvers.deferred_acceptance import deferred_acceptance

Int64Array = npt.NDArray[np.int64]
SIDES: Final[tuple[Side, ...]] = ("talents", "packages")

CSV_COLUMNS: Final = (
    "instance",
    "kind",
    "talents",
    "packages",
    "seats",
    "seed",
    "acceptable_edges",
    "side",
    "setup_s",
    "da_s",
    "reference_s",
    "speedup",
    "placed",
    "same",
    "blocking_pairs",
    "unacceptable",
    "check",
)


# --- reference ---------------------------------------------------------------------------


def textbook_talent_proposing(prefs: Preferences) -> Int64Array:
    """Talent-proposing deferred acceptance, one proposal at a time.

    Free talents propose down their lists; a package holds its best ``seats`` proposals in
    a max-heap on its rank of them and drops the worst when a better one comes.

    Returns
    -------
    numpy.ndarray
        The chosen edges, sorted.
    """
    order, start = prefs.talent_order.tolist(), prefs.talent_start.tolist()
    talent, package = prefs.talent.tolist(), prefs.package.tolist()
    rank, seats = prefs.package_rank.tolist(), prefs.seats.tolist()
    held: list[list[tuple[int, int]]] = [[] for _ in seats]  # (-rank, edge): worst on top
    next_entry = start[:-1]
    free = list(range(prefs.n_talents))
    while free:
        t = free.pop()
        while next_entry[t] < start[t + 1]:
            e = order[next_entry[t]]
            next_entry[t] += 1
            p, r = package[e], rank[e]
            heap = held[p]
            if len(heap) < seats[p]:
                heapq.heappush(heap, (-r, e))
                break
            if heap and -heap[0][0] > r:
                _, dropped = heapq.heapreplace(heap, (-r, e))
                free.append(talent[dropped])
                break
    return np.sort(np.array([e for heap in held for _, e in heap], dtype=np.int64))


def textbook_package_proposing(prefs: Preferences) -> Int64Array:
    """Package-proposing deferred acceptance, one offer at a time.

    A package with a free seat offers it to the next talent on its list; a talent keeps
    the best offer so far and frees the seat of the one it drops.

    Returns
    -------
    numpy.ndarray
        The chosen edges, sorted.
    """
    order, start = prefs.package_order.tolist(), prefs.package_start.tolist()
    talent, package = prefs.talent.tolist(), prefs.package.tolist()
    rank = prefs.talent_rank.tolist()
    open_seats = prefs.seats.tolist()
    next_entry = start[:-1]
    holds = [-1] * prefs.n_talents  # each talent's edge, -1: none
    queue = list(range(prefs.n_packages))
    while queue:
        p = queue.pop()
        while open_seats[p] > 0 and next_entry[p] < start[p + 1]:
            e = order[next_entry[p]]
            next_entry[p] += 1
            t = talent[e]
            current = holds[t]
            if current < 0 or rank[e] < rank[current]:
                holds[t] = e
                open_seats[p] -= 1
                if current >= 0:
                    dropped = package[current]
                    open_seats[dropped] += 1
                    queue.append(dropped)
    return np.sort(np.array([e for e in holds if e >= 0], dtype=np.int64))


REFERENCES: Final[dict[Side, Callable[[Preferences], Int64Array]]] = {
    "talents": textbook_talent_proposing,
    "packages": textbook_package_proposing,
}


# --- instances ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Instance:
    """Preferences to match, with where they came from."""

    name: str
    kind: str
    seed: int
    preferences: Preferences
    setup_seconds: float


def random_instance(n_talents: int, n_packages: int, seed: int) -> Instance:
    """Complete random lists on both sides, ``ceil(T / P)`` seats per package."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    # edges in (talent, package) order: the fast path of Preferences.from_keys
    talent = np.repeat(np.arange(n_talents, dtype=np.int32), n_packages)
    package = np.tile(np.arange(n_packages, dtype=np.int32), n_talents)
    seats = np.full(n_packages, math.ceil(n_talents / n_packages), dtype=np.int32)
    prefs = Preferences.from_keys(
        talent,
        package,
        rng.random(talent.size, dtype=np.float32),
        rng.random(talent.size, dtype=np.float32),
        seats,
        n_talents,
    )
    return Instance(
        f"random-{n_talents}x{n_packages}", "random", seed, prefs, time.perf_counter() - started
    )


def round_instance(n_talents: int, n_packages: int, seed: int) -> Instance:
    """A generated round's eligible edges and both sides' preferences over them."""
    started = time.perf_counter()
    compiled = compile_round(generate_round(n_talents, n_packages, seed=seed))
    prefs = build_preferences(compiled)
    return Instance(
        f"round-{n_talents}x{n_packages}", "round", seed, prefs, time.perf_counter() - started
    )


InstanceMaker = Callable[[int, int, int], Instance]
"""Builds an instance from (talents, packages, seed)."""


# --- runs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Deferred acceptance and the reference on one instance and proposing side.

    Attributes
    ----------
    instance, kind, talents, packages, seats, seed, acceptable_edges
        The instance: name, ``random`` or ``round``, sizes, total seats, seed and the edges
        acceptable to both sides.
    side
        The proposing side.
    setup_s
        Seconds to build the instance's preferences (a round's generation and compile
        included); shared by both sides.
    da_s, reference_s
        Seconds of deferred acceptance (best of the repeats) and of the reference.
    speedup
        ``reference_s / da_s``.
    placed
        Placements of deferred acceptance.
    same
        Whether both give the same matching.
    blocking_pairs, unacceptable
        From :func:`matcher.stability.audit_matching` on the DA matching.
    check
        ``ok``, or what failed.
    """

    instance: str
    kind: str
    talents: int
    packages: int
    seats: int
    seed: int
    acceptable_edges: int
    side: str
    setup_s: float
    da_s: float
    reference_s: float
    speedup: float | None
    placed: int
    same: bool
    blocking_pairs: int
    unacceptable: int
    check: str

    @property
    def failed(self) -> bool:
        return self.check != "ok"


def _best_of(repeat: int, run: Callable[[], Int64Array]) -> tuple[float, Int64Array]:
    best, out = math.inf, np.zeros(0, dtype=np.int64)
    for _ in range(repeat):
        started = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - started)
    return best, out


def run_instance(instance: Instance, repeat: int = 3) -> list[Run]:
    """Both proposing sides of ``instance``: DA, the reference, the comparison and the audit.

    Parameters
    ----------
    instance
        What to match.
    repeat
        DA runs per side; the fastest counts (the reference runs once: it is the slow one).
    """
    prefs = instance.preferences
    runs = []
    for side in SIDES:
        da_s, edges = _best_of(repeat, partial(deferred_acceptance, prefs, side))
        started = time.perf_counter()
        reference = REFERENCES[side](prefs)
        reference_s = time.perf_counter() - started
        same = bool(np.array_equal(edges, reference))
        audit = audit_matching(prefs, edges)
        problems = []
        if not same:
            problems.append(f"{edges.size} vs {reference.size} placements, matchings differ")
        if audit.blocking:
            problems.append(f"{audit.blocking} blocking pairs")
        if audit.unacceptable:
            problems.append(f"{audit.unacceptable} unacceptable placements")
        runs.append(
            Run(
                instance=instance.name,
                kind=instance.kind,
                talents=prefs.n_talents,
                packages=prefs.n_packages,
                seats=int(prefs.seats.sum()),
                seed=instance.seed,
                acceptable_edges=int(prefs.acceptable.sum()),
                side=side,
                setup_s=instance.setup_seconds,
                da_s=da_s,
                reference_s=reference_s,
                speedup=reference_s / da_s if da_s > 0 else None,
                placed=int(edges.size),
                same=same,
                blocking_pairs=audit.blocking,
                unacceptable=audit.unacceptable,
                check="FAILED " + "; ".join(problems) if problems else "ok",
            )
        )
    return runs


TABLE_HEADER: Final = (
    f"{'instance':<20} {'seed':>4} {'edges':>11} {'proposing':<9} {'DA s':>8} {'ref s':>8} "
    f"{'ref/DA':>7} {'placed':>7} {'same':>4} {'blocking':>8}  check"
)


def table_row(run: Run) -> str:
    """One line of the stdout table."""
    speedup = "-" if run.speedup is None else f"{run.speedup:.1f}x"
    return (
        f"{run.instance:<20} {run.seed:>4} {run.acceptable_edges:>11,} {run.side:<9} "
        f"{run.da_s:>8.4f} {run.reference_s:>8.3f} {speedup:>7} {run.placed:>7,} "
        f"{'yes' if run.same else 'NO':>4} {run.blocking_pairs:>8}  {run.check}"
    )


@dataclass(frozen=True)
class SuiteConfig:
    """What the stable suite runs: sizes of each kind, seeds and DA repeats."""

    random: tuple[tuple[int, int], ...]
    rounds: tuple[tuple[int, int], ...]
    seeds: tuple[int, ...] = (1,)
    repeat: int = 3

    def __post_init__(self) -> None:
        if not (self.random or self.rounds) or not self.seeds:
            raise ValueError("no instances: give --random or --rounds, and --seeds.")
        if self.repeat < 1:
            raise ValueError("repeat < 1 not understood.")


def run_suite(config: SuiteConfig, out: TextIO | None = None) -> list[Run]:
    """Run every instance; print a table row per run as it finishes.

    Instances are built one at a time and dropped after their runs, so that only one
    set of complete lists is in memory.
    """
    out = out or sys.stdout
    print(TABLE_HEADER, file=out, flush=True)
    makers: list[tuple[InstanceMaker, tuple[int, int]]] = []
    makers += [(random_instance, size) for size in config.random]
    makers += [(round_instance, size) for size in config.rounds]
    runs: list[Run] = []
    for make, (n_talents, n_packages) in makers:
        for seed in config.seeds:
            for run in run_instance(make(n_talents, n_packages, seed), config.repeat):
                runs.append(run)
                print(table_row(run), file=out, flush=True)
    for run in runs:
        if run.failed:
            print(f"FAILED: {run.instance} seed {run.seed}, {run.side}: {run.check}", file=out)
    return runs


# --- command line ------------------------------------------------------------------------


def _sizes(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(parse_size(part.strip()) for part in text.split(",") if part.strip())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of the stable suite."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.stable_suite", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--random", default="1000x100,10000x1000", help="complete-list sizes TxP ('' for none)"
    )
    parser.add_argument(
        "--rounds", default="2000x500,20000x5000", help="generated round sizes TxP ('' for none)"
    )
    parser.add_argument("--seeds", default="1", help="comma-separated integers")
    parser.add_argument("--repeat", type=int, default=3, help="DA runs per side; best counts")
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv, results.json")
    parser.add_argument("--commit", default=None, help="record this instead of git rev-parse")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stable suite; returns the exit status (1 if a run failed its check)."""
    args = parse_args(argv)

    def make_config() -> SuiteConfig:
        return SuiteConfig(
            random=_sizes(args.random),
            rounds=_sizes(args.rounds),
            seeds=tuple(int(s) for s in args.seeds.split(",") if s.strip()),
            repeat=args.repeat,
        )

    def headline(config: SuiteConfig, commit: str) -> str:
        return (
            f"commit {commit}, seeds {','.join(map(str, config.seeds))}, DA best of "
            f"{config.repeat}, python {platform.python_version()}, numpy {np.__version__}, "
            f"{platform.processor() or platform.machine()}"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        return finish_runs(
            args.out,
            CSV_COLUMNS,
            run_suite(config),
            lambda: run_header(
                commit,
                suite="stable",
                seeds=list(config.seeds),
                repeat=config.repeat,
                random=[f"{t}x{p}" for t, p in config.random],
                rounds=[f"{t}x{p}" for t, p in config.rounds],
            ),
        )

    return run_main(make_config, args.commit, headline, run)


if __name__ == "__main__":
    sys.exit(main())
