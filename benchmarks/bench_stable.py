"""Stable-matching and shortlist benchmark: deferred acceptance and top-k query latency.

1. Deferred acceptance on complete random preference lists (``--talents`` x ``--packages``,
   preference arrays built directly with numpy, no round), talent- and package-proposing:
   :func:`solvers.deferred_acceptance.propose` against a plain heap-based Python
   implementation in the same run, with the ratio, and a check that both agree.
2. Shortlists on a synthetic round (``--shortlist-talents`` talents, 162 skills): the
   one-off build of :class:`matcher.shortlists.Shortlists`, then p50 / p99 latency of
   ``--queries`` top-``--k`` queries on random packages, unfiltered and with half of the
   talents already placed.

Targets: DA <= 1 s at 10,000 x 1,000; shortlist p50 <= 3 ms and p99 <= 10 ms.

Usage::

    python -m benchmarks.bench_stable
    python -m benchmarks.bench_stable --talents 2000 --packages 200 --shortlist-talents 20000
"""

from __future__ import annotations

import os

# Pin BLAS and OpenMP pools to one thread before numpy loads them: the measured code makes
# no BLAS calls, and idle pool threads on a 2-core machine only add noise to the tail.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import heapq  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import partial  # noqa: E402
from typing import TypeVar  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from matcher.compile import compile_round  # noqa: E402
from matcher.generator import generate_round  # noqa: E402
from matcher.preferences import ProposalLists  # noqa: E402
from matcher.shortlists import Shortlists  # noqa: E402
from solvers.deferred_acceptance import propose  # noqa: E402

IntMatrix = npt.NDArray[np.int32]
T = TypeVar("T")


@dataclass(frozen=True)
class Market:
    """Complete random preferences: ``talent_list[t]`` is t's packages best first and
    ``package_rank[p, t]`` is p's rank of t; likewise for the package side."""

    talent_list: IntMatrix  # (T, P)
    talent_rank: IntMatrix  # (T, P): t's rank of p
    package_list: IntMatrix  # (P, T)
    package_rank: IntMatrix  # (P, T)
    seats: int


def random_market(n_talents: int, n_packages: int, seats: int, seed: int) -> Market:
    rng = np.random.default_rng(seed)
    talent_list = np.argsort(rng.random((n_talents, n_packages)), axis=1).astype(np.int32)
    package_list = np.argsort(rng.random((n_packages, n_talents)), axis=1).astype(np.int32)
    return Market(
        talent_list=talent_list,
        talent_rank=_inverse(talent_list),
        package_list=package_list,
        package_rank=_inverse(package_list),
        seats=seats,
    )


def _inverse(lists: IntMatrix) -> IntMatrix:
    rank = np.empty_like(lists)
    rows = np.arange(lists.shape[0])[:, None]
    rank[rows, lists] = np.arange(lists.shape[1], dtype=np.int32)[None, :]
    return rank


def talent_lists(m: Market) -> ProposalLists:
    n_talents, n_packages = m.talent_list.shape
    owner = np.repeat(np.arange(n_talents), n_packages)
    flat = m.talent_list.ravel()
    return ProposalLists(
        start=np.arange(n_talents + 1, dtype=np.int64) * n_packages,
        receiver=flat,
        receiver_rank=m.package_rank[flat, owner],
        quota=np.ones(n_talents, dtype=np.int32),
        capacity=np.full(n_packages, m.seats, dtype=np.int32),
    )


def package_lists(m: Market) -> ProposalLists:
    n_packages, n_talents = m.package_list.shape
    owner = np.repeat(np.arange(n_packages), n_talents)
    flat = m.package_list.ravel()
    return ProposalLists(
        start=np.arange(n_packages + 1, dtype=np.int64) * n_talents,
        receiver=flat,
        receiver_rank=m.talent_rank[flat, owner],
        quota=np.full(n_packages, m.seats, dtype=np.int32),
        capacity=np.ones(n_talents, dtype=np.int32),
    )


def heap_talent_proposing(m: Market) -> list[int]:
    """Peer: textbook talent-proposing DA; each package keeps a max-heap of its holders."""
    n_talents, n_packages = m.talent_list.shape
    lists = m.talent_list.tolist()
    rank = m.package_rank.tolist()
    next_choice = [0] * n_talents
    held: list[list[tuple[int, int]]] = [[] for _ in range(n_packages)]
    match = [-1] * n_talents
    free = list(range(n_talents))
    while free:
        t = free.pop()
        mine = lists[t]
        while next_choice[t] < n_packages:
            p = mine[next_choice[t]]
            next_choice[t] += 1
            heap, r = held[p], rank[p][t]
            if len(heap) < m.seats:
                heapq.heappush(heap, (-r, t))
                match[t] = p
                break
            if -heap[0][0] > r:
                _, loser = heapq.heapreplace(heap, (-r, t))
                match[t], match[loser] = p, -1
                free.append(loser)
                break
    return match


def heap_package_proposing(m: Market) -> list[int]:
    """Peer: textbook package-proposing DA; talents keep their best offer."""
    n_packages, n_talents = m.package_list.shape
    lists = m.package_list.tolist()
    rank = m.talent_rank.tolist()
    next_offer = [0] * n_packages
    open_seats = [m.seats] * n_packages
    match = [-1] * n_talents
    queue = list(range(n_packages))
    while queue:
        p = queue.pop()
        mine = lists[p]
        while open_seats[p] and next_offer[p] < n_talents:
            t = mine[next_offer[p]]
            next_offer[p] += 1
            current = match[t]
            if current < 0 or rank[t][p] < rank[t][current]:
                match[t] = p
                open_seats[p] -= 1
                if current >= 0:
                    open_seats[current] += 1
                    queue.append(current)
    return match


def _as_match(lists: ProposalLists, positions: npt.NDArray[np.int64], talents: bool) -> list[int]:
    """Each talent's package (-1: none) from accepted list positions."""
    proposer = lists.proposer_of(positions)
    receiver = lists.receiver[positions].astype(np.int64)
    n_talents = lists.n_proposers if talents else lists.n_receivers
    match = np.full(n_talents, -1, dtype=np.int64)
    if talents:
        match[proposer] = receiver
    else:
        match[receiver] = proposer
    return match.tolist()


def _best_of(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return min(times), out


def bench_da(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    market = random_market(args.talents, args.packages, args.seats, args.seed)
    sides = {"talents": talent_lists(market), "packages": package_lists(market)}
    setup = time.perf_counter() - started
    entries = args.talents * args.packages
    print(
        f"\nDeferred acceptance: {args.talents:,} talents x {args.packages:,} packages, "
        f"{args.seats} seats each, complete lists ({entries:,} entries; arrays built in "
        f"{setup:.2f} s)"
    )
    print(f"{'proposing':<10} {'numpy (s)':>10} {'heap (s)':>10} {'ratio':>7} {'placed':>8}  same")
    peers: dict[str, Callable[[Market], list[int]]] = {
        "talents": heap_talent_proposing,
        "packages": heap_package_proposing,
    }
    for side, lists in sides.items():
        fast, positions = _best_of(partial(propose, lists), args.repeat)
        match = _as_match(lists, positions, side == "talents")
        if args.skip_heap:
            print(f"{side:<10} {fast:>10.3f} {'-':>10} {'-':>7} {sum(x >= 0 for x in match):>8}")
            continue
        slow, reference = _best_of(partial(peers[side], market), 1)
        same = "yes" if match == reference else "NO"
        placed = sum(x >= 0 for x in match)
        print(f"{side:<10} {fast:>10.3f} {slow:>10.3f} {slow / fast:>6.1f}x {placed:>8}  {same}")


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), float(ms.max())


def bench_shortlists(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    round_ = generate_round(args.shortlist_talents, args.shortlist_packages, seed=args.seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    compiled = compile_round(round_)
    compiled_in = time.perf_counter() - started
    started = time.perf_counter()
    lists = Shortlists(compiled)
    built = time.perf_counter() - started
    degree = np.bincount(compiled.package, minlength=compiled.arrays.n_packages)
    print(
        f"\nShortlists: {compiled.arrays.n_talents:,} talents, {compiled.arrays.n_packages:,} "
        f"packages, {len(compiled.arrays.skills)} skills, {compiled.n_edges:,} eligible pairs "
        f"(eligible talents per package: median {int(np.median(degree))}, max {degree.max()})"
    )
    print(
        f"generate {generated:.1f} s, compile {compiled_in:.1f} s, "
        f"shortlist index build {built * 1000:.0f} ms"
    )
    rng = np.random.default_rng(args.seed)
    # queries land on packages in proportion to their candidates: the busy ones get asked
    queries = rng.choice(compiled.package, size=args.queries)
    placed = lists.placed_talents(np.flatnonzero(rng.random(compiled.n_edges) < 0.5))
    cases = [
        ("top-k", None, False),
        ("top-k, placed talents skipped", placed, False),
        ("top-k, placed and pinned skipped", placed, True),
    ]
    print(f"{'query':<34} {'p50 (ms)':>9} {'p99 (ms)':>9} {'max (ms)':>9}")
    for name, mask, pinned in cases:
        for p in queries[:50].tolist():  # warm caches and code paths
            lists.for_package(p, args.k, placed=mask, skip_pinned_elsewhere=pinned)
        samples = []
        for p in queries.tolist():
            started = time.perf_counter()
            lists.for_package(p, args.k, placed=mask, skip_pinned_elsewhere=pinned)
            samples.append(time.perf_counter() - started)
        p50, p99, worst = _percentiles(samples)
        print(f"{name:<34} {p50:>9.3f} {p99:>9.3f} {worst:>9.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talents", type=int, default=10_000)
    parser.add_argument("--packages", type=int, default=1_000)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many DA runs")
    parser.add_argument("--skip-heap", action="store_true", help="do not run the slow peer")
    parser.add_argument("--shortlist-talents", type=int, default=100_000)
    parser.add_argument("--shortlist-packages", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=("da", "shortlists"), default=None)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or 'cpu n/a'}"
    )
    if args.only in (None, "da"):
        bench_da(args)
    if args.only in (None, "shortlists"):
        bench_shortlists(args)


if __name__ == "__main__":
    main()
