"""Compile-step benchmark: time and peak memory on synthetic rounds, with a peer.

The peer evaluates every rule on the full talent x package grid (in chunks), then scores
and prunes like the compile step: the obvious way to compile, in one thread. Both run in
the same process, one after the other, so the ratio holds on a noisy machine. Peak memory
is what ``tracemalloc`` sees during the compile (numpy arrays included), measured in a
second, separate run so that tracing does not slow the timed one.

Usage::

    python -m benchmarks.bench_compile --sizes 20000x5000,100000x20000 --top-k 50

``--no-memory`` skips the traced run; the full-grid peer runs only on small enough sizes
(``--peer-max-pairs``).
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc

import numpy as np

from benchmarks.runinfo import commit_id
from matcher.arrays import encode_round
from matcher.compile import compile_round
from matcher.eligibility import active_rules
from matcher.generator import generate_round
from matcher.models import SCORE_NAMES, Round
from matcher.scores import SCORES, total_score


def grid_compile(round_: Round, top_k: int | None, chunk_talents: int = 2000) -> int:
    """Peer: every rule on every pair of the full grid, then the same scoring and top-k
    pruning; returns the number of edges kept."""
    a = encode_round(round_)
    rules = active_rules(a)
    packages = np.arange(a.n_packages, dtype=np.int64)
    kept = 0
    for lo in range(0, a.n_talents, chunk_talents):
        talents = np.arange(lo, min(lo + chunk_talents, a.n_talents), dtype=np.int64)
        t = np.repeat(talents, a.n_packages)
        p = np.tile(packages, talents.size)
        for rule in rules.values():
            ok = rule(a, t, p)
            t, p = t[ok], p[ok]
        components = np.stack([SCORES[name](a, t, p) for name in SCORE_NAMES], axis=1)
        score = total_score(
            {name: components[:, i] for i, name in enumerate(SCORE_NAMES)}, a.policy.weights
        )
        if top_k is None:
            kept += t.size
            continue
        order = np.lexsort((p, -score, t))
        counts = np.bincount(t[order] - lo, minlength=talents.size)
        rank = np.arange(t.size) - np.repeat(np.cumsum(counts) - counts, counts)
        kept += int((rank < top_k).sum())
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000x5000,100000x20000")
    parser.add_argument("--top-k", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--peer-max-pairs",
        type=float,
        default=2e8,
        help="run the full-grid peer only up to this many talent x package pairs",
    )
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the second, traced compile that measures peak memory",
    )
    args = parser.parse_args()
    print(
        f"commit {commit_id()[:10]}, {platform.processor() or platform.machine()}, "
        f"numpy {np.__version__}"
    )
    header = (
        f"{'size':>14} {'generate s':>10} {'compile s':>10} {'peak MB':>8} "
        f"{'eligible':>11} {'edges':>10} {'grid peer s':>11} {'peer/ours':>9}"
    )
    print(header)
    for size in args.sizes.split(","):
        n_talents, n_packages = (int(x) for x in size.lower().split("x"))
        started = time.perf_counter()
        round_ = generate_round(n_talents, n_packages, seed=args.seed)
        generated = time.perf_counter() - started

        started = time.perf_counter()
        compiled = compile_round(round_, top_k=args.top_k)
        seconds = time.perf_counter() - started
        eligible = compiled.n_edges + int(compiled.pruned_by_talent.sum())

        peak = "-"
        if not args.no_memory:
            tracemalloc.start()
            compile_round(round_, top_k=args.top_k)
            peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.0f}"
            tracemalloc.stop()

        peer, ratio = "-", "-"
        if n_talents * n_packages <= args.peer_max_pairs:
            started = time.perf_counter()
            grid_kept = grid_compile(round_, args.top_k)
            peer_seconds = time.perf_counter() - started
            if grid_kept != compiled.n_edges:
                raise SystemExit(f"peer disagrees: {grid_kept} != {compiled.n_edges} edges")
            peer, ratio = f"{peer_seconds:.1f}", f"{peer_seconds / seconds:.1f}x"
        print(
            f"{size:>14} {generated:>10.1f} {seconds:>10.2f} {peak:>8} "
            f"{eligible:>11,} {compiled.n_edges:>10,} {peer:>11} {ratio:>9}"
        )


if __name__ == "__main__":
    main()
