"""Speed and quality of the optimization solvers on seeded synthetic rounds.

Scenarios (each runs in its own process, so that its peak memory is its own):

``a``  seat-only round, 10,000 talents x 2,000 packages, at most 50 candidates each:
       min-cost flow against CP-SAT alone at a time limit.
``b``  full-constraint round, 2,000 x 500 (budgets, subsidy pool, soft fairness, previous
       proposed placements): greedy, CP-SAT alone and the default path, gap after 10 s.
``c``  20,000 x 5,000 with at most 50 candidates per talent: the default path within 60 s,
       gap and peak memory.
``d``  model build time for about 500,000 edges, writing the proto against the Python API.

Usage::

    python -m benchmarks.bench_solvers --scenarios a,b,d
    python -m benchmarks.bench_solvers --scenarios c --time-limit-c 60

The gap is :attr:`solvers.result.Result.gap`: for a weighted objective, relative to the
objective value; for a lexicographic one, on the score term given the placements found,
which is only small once the number of placements is proven (the "placements" column shows
the placements found and the most any assignment can make, from the bound).
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

from matcher.compile import CompiledRound, compile_round
from matcher.generator import generate_round
from matcher.models import Policy, PreviousPlacement, Round
from solvers.auto.options import (
    CpSatOptions,
)
from solvers.auto.solve import solve_auto
from solvers.backends.cpsat import to_cp_model, to_cp_model_python
from solvers.flow import is_seat_only, solve_flow
from solvers.greedy import solve_greedy
from solvers.model.build import build_spec
from solvers.problem import build_problem
from solvers.registry import PLAIN_CPSAT, solve_cpsat_plain
from solvers.result import Result, SolveParams

WIDE_RULES = {"location": False, "languages": False, "availability": False}
"""Rules switched off so that talents have many candidates (about 50 after top-k)."""


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    scenario: str
    solver: str
    edges: int
    seconds: float
    status: str
    placements: str
    objective: str
    gap: str
    peak_mb: float
    note: str = ""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _without_budgets(round_: Round) -> Round:
    orgs = [
        o.model_copy(update={"hiring_budget": None, "topup_budget": None})
        for o in round_.organizations
    ]
    return round_.model_copy(update={"organizations": orgs})


def _row(scenario: str, compiled: CompiledRound, result: Result, note: str = "") -> Row:
    objective = result.objective
    placements = "-" if objective is None else str(objective.placements)
    value = "-" if objective is None else f"{objective.key()}"
    gap = "-" if result.gap is None else f"{100 * result.gap:.3f}%"
    return Row(
        scenario,
        result.solver,
        compiled.n_edges,
        result.wall_time,
        result.status.value,
        placements,
        value,
        gap,
        _peak_mb(),
        "; ".join(filter(None, [note, *_key_notes(result)])),
    )


def _key_notes(result: Result) -> list[str]:
    """The notes worth a column: the placements bound first, then what ran."""
    ranked = sorted(result.notes, key=lambda n: "at most" not in n)
    return [n.replace("placements not proven optimal: ", "") for n in ranked][:2]


def scenario_a(seed: int, time_limit: float) -> list[Row]:
    policy = Policy(top_k=50, rules=WIDE_RULES)
    round_ = _without_budgets(generate_round(10_000, 2_000, seed=seed, policy=policy))
    compiled = compile_round(round_)
    assert is_seat_only(compiled, round_)
    flow = solve_flow(compiled, round_)
    # the whole model, as a plain CP-SAT user would build it (no restriction to top edges)
    plain = solve_auto(
        compiled,
        round_,
        SolveParams(time_limit=time_limit, workers=2, seed=seed),
        dataclasses.replace(
            PLAIN_CPSAT, cpsat=CpSatOptions(max_model_edges=compiled.n_edges, subsolver=None)
        ),
    )
    same = (
        plain.objective is not None
        and flow.objective is not None
        and plain.objective.key() == flow.objective.key()
    )
    return [
        _row("a", compiled, flow),
        _row("a", compiled, plain, f"cpsat alone; equals flow: {same}"),
    ]


def full_policy(objective: str = "lexicographic") -> Policy:
    """Every rule on: budgets (from the generator), a subsidy pool, soft fairness."""
    return Policy(
        subsidy_share=0.3,
        subsidy_pool=40_000.0,
        min_per_lender=3,
        max_host_share=0.1,
        fairness="soft",
        objective=objective,
    )


def with_previous(round_: Round, compiled: CompiledRound, share: int = 20) -> Round:
    """Every ``share``-th edge becomes a proposed placement of the previous round (at most
    one per talent)."""
    a = compiled.arrays
    seen: set[int] = set()
    previous = []
    for e in range(0, compiled.n_edges, share):
        t = int(compiled.talent[e])
        if t not in seen:
            seen.add(t)
            previous.append(
                PreviousPlacement(
                    talent=a.talent_ids[t], package=a.package_ids[compiled.package[e]]
                )
            )
    return round_.model_copy(update={"previous": previous})


def scenario_b(seed: int, time_limit: float) -> list[Row]:
    rows = []
    for objective in ("lexicographic", "weighted"):
        base = generate_round(2_000, 500, seed=seed, policy=full_policy(objective))
        round_ = with_previous(base, compile_round(base))
        compiled = compile_round(round_)
        params = SolveParams(time_limit=time_limit, workers=2, seed=seed)
        rows.append(_row("b", compiled, solve_greedy(compiled, round_), objective))
        plain = solve_cpsat_plain(compiled, round_, params)
        rows.append(_row("b", compiled, plain, f"{objective}; cpsat alone"))
        rows.append(_row("b", compiled, solve_auto(compiled, round_, params), objective))
    return rows


def scenario_c(seed: int, time_limit: float) -> list[Row]:
    rows = []
    for objective in ("lexicographic", "weighted"):
        policy = Policy(top_k=50, objective=objective)
        round_ = generate_round(20_000, 5_000, seed=seed, policy=policy)
        compiled = compile_round(round_)
        params = SolveParams(time_limit=time_limit, workers=2, seed=seed)
        rows.append(_row("c", compiled, solve_greedy(compiled, round_), objective))
        rows.append(_row("c", compiled, solve_auto(compiled, round_, params), objective))
    return rows


def scenario_d(seed: int, time_limit: float) -> list[Row]:
    policy = Policy(top_k=50, rules=WIDE_RULES)
    round_ = generate_round(12_000, 2_400, seed=seed, policy=policy)
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    started = time.perf_counter()
    spec = build_spec(problem)
    spec_seconds = time.perf_counter() - started
    rows = []
    for name, emit in (("proto", to_cp_model), ("python api", to_cp_model_python)):
        started = time.perf_counter()
        model = emit(spec, None)
        seconds = time.perf_counter() - started
        rows.append(
            Row(
                "d",
                name,
                compiled.n_edges,
                seconds,
                "built",
                "-",
                "-",
                "-",
                _peak_mb(),
                f"{len(model.proto.constraints)} rows; arrays built in {spec_seconds:.2f}s",
            )
        )
    return rows


SCENARIOS: dict[str, Callable[[int, float], list[Row]]] = {
    "a": scenario_a,
    "b": scenario_b,
    "c": scenario_c,
    "d": scenario_d,
}


def _run(name: str, seed: int, time_limit: float, queue: mp.Queue[list[Row]]) -> None:
    queue.put(SCENARIOS[name](seed, time_limit))


def run_isolated(name: str, seed: int, time_limit: float) -> list[Row]:
    """Run one scenario in a fresh process (its peak memory is then its own)."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue[list[Row]] = ctx.Queue()
    process = ctx.Process(target=_run, args=(name, seed, time_limit, queue))
    process.start()
    rows = queue.get()
    process.join()
    return rows


def print_table(rows: list[Row]) -> None:
    header = ("scen", "solver", "edges", "seconds", "status", "placed", "objective key", "gap")
    widths = (4, 10, 8, 8, 10, 7, 18, 10)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), " peakMB  note")
    for r in rows:
        cells = (
            r.scenario,
            r.solver,
            str(r.edges),
            f"{r.seconds:.2f}",
            r.status,
            r.placements,
            r.objective,
            r.gap,
        )
        line = "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
        print(line, f"{r.peak_mb:7.0f}  {r.note}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default="a,b,d", help="comma-separated: a,b,c,d")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit-a", type=float, default=30.0)
    parser.add_argument("--time-limit-b", type=float, default=10.0)
    parser.add_argument("--time-limit-c", type=float, default=60.0)
    args = parser.parse_args(argv)
    limits = {"a": args.time_limit_a, "b": args.time_limit_b, "c": args.time_limit_c, "d": 0.0}
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}; known: {', '.join(SCENARIOS)}")
    print(
        f"# {platform.processor() or platform.machine()}, {mp.cpu_count()} cores, "
        f"python {platform.python_version()}, seed {args.seed}"
    )
    rows: list[Row] = []
    for name in names:
        rows += run_isolated(name, args.seed, limits[name])
    print_table(rows)


if __name__ == "__main__":
    main()
