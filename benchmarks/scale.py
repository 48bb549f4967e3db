"""National scale: decomposition (``decompose``) on generated rounds with every rule on.

For every size, one fresh process generates the round under the synthetic suite's policy
(:func:`benchmarks.synthetic.suite_policy`: budgets as generated, a subsidy pool, soft
``min_per_lender`` and ``max_host_share``, top-50 pruning from 20,000 talents), compiles it,
solves it with ``decompose`` (and, when asked, with ``auto`` at the same limit, the peer) and
checks each assignment with the independent evaluator.

Reported per size and solver: compile and solve seconds, the overrun of the time limit,
placements, objective, the seat-relaxation and priced bounds and the gap to the best bound,
and the peak memory of the whole process tree (the solving process and the parts' processes,
sampled every 0.2 s, so a peak shorter than that can be missed), besides the machine's load.

Usage::

    python -m benchmarks.scale --sizes 2000x500,20000x5000,100000x20000 --time-limit 300 \\
        --peers portfolio --out results/scale

Writes ``runs.csv`` and ``results.json`` into ``--out``; exit status 1 if an assignment breaks
a hard constraint or ``decompose`` finds none.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.runinfo import commit_id, machine
from benchmarks.synthetic import parse_size, suite_policy
from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from solvers.registry import solve
from solvers.result import SolveParams

PORTFOLIO = "portfolio"
"""The peer name of the portfolio alone (:func:`solvers.auto.solve.solve_auto`): ``auto``
hands national rounds to ``decompose``."""


@dataclass(frozen=True)
class ScaleRun:
    """One solve of one size."""

    size: str
    solver: str
    edges: int
    compile_s: float
    solve_s: float
    overrun_pct: float
    placements: int
    objective: int
    seat_bound: float | None
    priced_bound: float | None
    bound: float | None
    gap_pct: float | None
    peak_mb: float
    load: str
    feasible: bool
    notes: str


class TreeMemory:
    """The largest resident memory of this process and its descendants seen so far."""

    def __init__(self, every: float = 0.2) -> None:
        # what is resident now counts: a solve may end before the first sample
        self.peak_kb = _tree_kb(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(every,), daemon=True)
        self._thread.start()

    def _watch(self, every: float) -> None:
        while not self._stop.wait(every):
            self.peak_kb = max(self.peak_kb, _tree_kb(os.getpid()))

    def peak_mb(self) -> float:
        """The peak so far, the present moment included, in MiB."""
        self.peak_kb = max(self.peak_kb, _tree_kb(os.getpid()))
        return self.peak_kb / 1024

    def reset(self) -> None:
        """Count the peak from now on."""
        self.peak_kb = _tree_kb(os.getpid())

    def stop(self) -> float:
        """Stop sampling; the peak in MiB."""
        self._stop.set()
        self._thread.join()
        return max(self.peak_kb, _tree_kb(os.getpid())) / 1024


def _tree_kb(pid: int) -> int:
    total = _rss_kb(pid)
    for child in _children(pid):
        total += _tree_kb(child)
    return total


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            out += [int(x) for x in text]
    except OSError:
        return out
    return out


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_size(
    n_talents: int, n_packages: int, time_limit: float, solvers: Sequence[str]
) -> list[ScaleRun]:
    """Generate, compile, solve with each of ``solvers`` and evaluate one round."""
    memory = TreeMemory()
    round_ = generate_round(n_talents, n_packages, seed=1, policy=suite_policy(n_talents))
    started = time.perf_counter()
    compiled = compile_round(round_)
    compile_s = time.perf_counter() - started
    runs = []
    for k, name in enumerate(solvers):
        if k:
            # a peer's peak is its own: from what is resident before it starts
            memory.reset()
        load = _load()
        started = time.perf_counter()
        result = solve(
            compiled, round_, name, SolveParams(time_limit=time_limit, workers=2, seed=1)
        )
        solve_s = time.perf_counter() - started
        evaluation = evaluate(round_, compiled, result.pairs(compiled))
        objective = evaluation.objective
        runs.append(
            ScaleRun(
                size=f"{n_talents}x{n_packages}",
                solver=name,
                edges=compiled.n_edges,
                compile_s=compile_s,
                solve_s=solve_s,
                overrun_pct=100 * (solve_s - time_limit) / time_limit,
                placements=objective.placements,
                objective=objective.value,
                seat_bound=result.bounds.get("seat_relaxation"),
                priced_bound=result.bounds.get("priced"),
                bound=result.bound,
                gap_pct=None if result.gap is None else 100 * result.gap,
                # the first solver's peak includes generating and compiling
                peak_mb=memory.peak_mb(),
                load=f"{load} -> {_load()}",
                feasible=result.status.has_solution and not evaluation.violations,
                notes=" | ".join(result.notes),
            )
        )
    peak = memory.stop()
    return [
        dataclasses_replace_peak(run, peak) if i == len(runs) - 1 else run
        for i, run in enumerate(runs)
    ]


def dataclasses_replace_peak(run: ScaleRun, peak: float) -> ScaleRun:
    """``run`` with the peak of the whole process (the last solve's peak is the process's)."""
    return ScaleRun(**{**asdict(run), "peak_mb": max(run.peak_mb, peak)})


def run_isolated(
    n_talents: int, n_packages: int, time_limit: float, solvers: Sequence[str]
) -> list[ScaleRun]:
    """:func:`run_size` in a fresh process, so that each size's memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(run_size, n_talents, n_packages, time_limit, solvers).result()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sizes; print one line per run; write ``runs.csv`` and ``results.json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--sizes", default="2000x500,20000x5000,100000x20000")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument(
        "--peers",
        default="",
        help="comma-separated peers: methods, or portfolio (auto's portfolio alone)",
    )
    parser.add_argument(
        "--peers-up-to",
        type=int,
        default=10**9,
        help="run the peers on rounds of at most this many talents",
    )
    parser.add_argument("--out", type=Path, default=Path("results/scale"))
    args = parser.parse_args(argv)
    solvers = ["decompose", *[x for x in args.peers.split(",") if x]]
    args.out.mkdir(parents=True, exist_ok=True)
    runs: list[ScaleRun] = []
    for text in args.sizes.split(","):
        n_talents, n_packages = parse_size(text)
        chosen = solvers if n_talents <= args.peers_up_to else solvers[:1]
        for run in run_isolated(n_talents, n_packages, args.time_limit, chosen):
            runs.append(run)
            row = {k: v for k, v in asdict(run).items() if k != "notes"}
            print(json.dumps(row), flush=True)
            _write(args.out, runs, args.time_limit)
    ok = all(run.feasible for run in runs)
    return 0 if ok else 1


def _write(out: Path, runs: list[ScaleRun], time_limit: float) -> None:
    rows = [asdict(run) for run in runs]
    with (out / "runs.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    header: dict[str, Any] = {"commit": commit_id(), "time_limit": time_limit, "machine": machine()}
    (out / "results.json").write_text(json.dumps({**header, "runs": rows}, indent=1) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
