"""Tiny rounds for the solver tests, an exhaustive reference solver, and the check that
every result passes the evaluator."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from matcher.compile import CompiledRound, compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import (
    Organization,
    Pair,
    Policy,
    PreviousPlacement,
    Round,
    Talent,
    WorkPackage,
)
from matcher.objective import Objective
from solvers.auto.options import AutoOptions
from solvers.auto.solve import solve_problem
from solvers.lagrange import combined
from solvers.model.build import build_spec
from solvers.problem import Problem, build_problem
from solvers.result import Result, SolveParams, Status

PILOT = Path(__file__).resolve().parents[2] / "examples" / "pilot"
START = dt.date(2027, 1, 1)
INTERVALS = (
    (dt.date(2027, 3, 1), dt.date(2027, 8, 31)),
    (dt.date(2027, 6, 1), dt.date(2027, 12, 31)),
    (dt.date(2027, 9, 1), dt.date(2028, 2, 29)),
)
"""Tour intervals: the first two overlap, the first and last do not."""


def org(org_id: str, **fields: Any) -> Organization:
    """An organization that lends and hosts, without budget limits."""
    base: dict[str, Any] = {"id": org_id, "name": org_id, "sector": f"sector-{org_id}"}
    return Organization.model_validate(base | fields)


def talent(talent_id: str, lender: str = "lend", **fields: Any) -> Talent:
    """A 55-year-old full-time talent in Ghent, available 2027-2028, python level 3."""
    base: dict[str, Any] = {
        "id": talent_id,
        "lender": lender,
        "age": 55,
        "salary": 5000.0,
        "available_from": START,
        "available_to": dt.date(2028, 12, 31),
        "region": "ghent",
        "strengths": {"python": 3},
    }
    return Talent.model_validate(base | fields)


def package(package_id: str, host: str = "host", **fields: Any) -> WorkPackage:
    """A one-seat full-time package in Ghent, March to August 2027, fee cap 5000."""
    base: dict[str, Any] = {
        "id": package_id,
        "host": host,
        "title": package_id,
        "seats": 1,
        "start": INTERVALS[0][0],
        "end": INTERVALS[0][1],
        "fee_cap": 5000.0,
        "region": "ghent",
        "desired": {"python": 1.0},
    }
    return WorkPackage.model_validate(base | fields)


def make_round(
    talents: Sequence[Talent],
    packages: Sequence[WorkPackage],
    orgs: Sequence[Organization] | None = None,
    **fields: Any,
) -> Round:
    """A round, by default with a lender ``lend`` and a host ``host``."""
    if orgs is None:
        orgs = [org("lend"), org("host")]
    return Round(organizations=list(orgs), talents=list(talents), packages=list(packages), **fields)


def pair_list(compiled: CompiledRound, edges: Sequence[int]) -> list[tuple[str, str]]:
    a = compiled.arrays
    return [(a.talent_ids[compiled.talent[e]], a.package_ids[compiled.package[e]]) for e in edges]


def brute_force(round_: Round, compiled: CompiledRound) -> Objective | None:
    """The best objective over every assignment the evaluator accepts (None: infeasible).

    Talents are assigned one after the other, each to at most ``max_tours_per_talent`` of
    its edges, and a branch stops as soon as a package has more talents than seats (the
    evaluator rejects both anyway); every complete assignment goes through ``evaluate``.
    """
    limit = round_.policy.max_tours_per_talent
    by_talent: dict[int, list[int]] = {}
    for e, t in enumerate(compiled.talent.tolist()):
        by_talent.setdefault(t, []).append(e)
    options = [
        [c for k in range(min(limit, len(edges)) + 1) for c in itertools.combinations(edges, k)]
        for edges in by_talent.values()
    ]
    seats = compiled.arrays.package_seats
    best: Objective | None = None
    used = np.zeros(compiled.arrays.n_packages, dtype=np.int64)

    def visit(i: int, chosen: list[int]) -> None:
        nonlocal best
        if i == len(options):
            verdict = evaluate(round_, compiled, pair_list(compiled, chosen))
            if verdict.feasible and (best is None or verdict.objective.key() > best.key()):
                best = verdict.objective
            return
        for combo in options[i]:
            packages = [int(compiled.package[e]) for e in combo]
            used[packages] += 1
            if all(used[p] <= seats[p] for p in packages):
                visit(i + 1, chosen + list(combo))
            used[packages] -= 1

    visit(0, [])
    return best


def check(result: Result, round_: Round, compiled: CompiledRound) -> None:
    """A result with a solution passes the evaluator, with the same objective."""
    assert result.edges.dtype == np.int64
    assert np.all(np.diff(result.edges) > 0), "edges must be sorted and distinct"
    if not result.status.has_solution:
        return
    verdict = evaluate(round_, compiled, result.pairs(compiled))
    assert verdict.feasible, [str(v) for v in verdict.violations]
    assert result.objective is not None
    assert result.objective.key() == verdict.objective.key()
    assert result.objective == verdict.objective
    if result.bound is not None:
        assert result.bound >= result.objective.value


@st.composite
def tiny_rounds(draw: st.DrawFn, seat_only: bool = False) -> Round:
    """Random tiny rounds: 2-5 talents, 1-4 packages, random budgets, seats, FTE, dates
    and policies; some with pins and previous placements (never ineligible ones)."""
    max_tours = 1 if seat_only else draw(st.sampled_from([1, 1, 2]))
    n_talents = draw(st.integers(2, 3 if max_tours > 1 else 5))
    n_packages = draw(st.integers(1, 3 if max_tours > 1 else 4))
    budget = st.none() if seat_only else st.sampled_from([None, None, 2500.0, 5000.0, 8000.0])
    topup = st.none() if seat_only else st.sampled_from([None, None, 500.0, 2000.0, 4000.0])
    orgs = [
        org("a", hiring_budget=draw(budget), topup_budget=draw(topup)),
        org("b", hiring_budget=draw(budget), topup_budget=draw(topup)),
        org("c", hiring_budget=draw(budget), topup_budget=draw(topup)),
    ]
    talents = [
        talent(
            f"t{i}",
            lender=draw(st.sampled_from(["a", "b"])),
            salary=draw(st.sampled_from([3000.0, 4000.0, 5500.0, 7000.0])),
            fte=1.0 if seat_only else draw(st.sampled_from([0.6, 0.8, 1.0])),
            strengths={
                "python": draw(st.integers(1, 5)),
                "sql": draw(st.integers(1, 5)),
            },
        )
        for i in range(n_talents)
    ]
    packages = []
    for j in range(n_packages):
        start, end = draw(st.sampled_from(INTERVALS))
        packages.append(
            package(
                f"p{j}",
                host=draw(st.sampled_from(["b", "c"])),
                seats=draw(st.integers(1, 2)),
                fte=0.5 if seat_only else draw(st.sampled_from([0.4, 0.5, 0.6, 1.0])),
                start=start,
                end=end,
                fee_cap=draw(st.sampled_from([2000.0, 3000.0, 5000.0])),
                desired={"python": 1.0, "sql": draw(st.sampled_from([0.3, 1.0]))},
            )
        )
    if seat_only:
        policy = Policy(
            objective=draw(st.sampled_from(["lexicographic", "weighted"])),
            placement_weight=draw(st.sampled_from([0.0, 0.5, 1.0])),
        )
    else:
        subsidy_share = draw(st.sampled_from([0.0, 0.5]))
        policy = Policy(
            max_tours_per_talent=max_tours,
            subsidy_share=subsidy_share,
            subsidy_pool=draw(st.sampled_from([None, 500.0, 1500.0])) if subsidy_share else None,
            min_per_lender=draw(st.sampled_from([0, 0, 1, 2])),
            max_host_share=draw(st.sampled_from([1.0, 1.0, 0.5, 0.67])),
            fairness=draw(st.sampled_from(["soft", "hard"])),
            fairness_penalty=draw(st.sampled_from([0.0, 0.5, 2.0])),
            disruption_penalty=draw(st.sampled_from([0.0, 0.2, 1.0])),
            objective=draw(st.sampled_from(["lexicographic", "weighted"])),
            placement_weight=draw(st.sampled_from([0.0, 0.5, 1.0])),
            rules={"cost_split": draw(st.booleans())},
        )
    round_ = make_round(talents, packages, orgs, policy=policy)
    compiled = compile_round(round_)
    if compiled.n_edges == 0:
        return round_
    pairs = pair_list(compiled, list(range(compiled.n_edges)))
    picks = draw(st.lists(st.sampled_from(pairs), max_size=0 if seat_only else 2, unique=True))
    pins = [Pair(talent=t, package=p) for t, p in picks[:1]] if draw(st.booleans()) else []
    kinds = st.sampled_from(["proposed", "proposed", "accepted"])
    previous = [
        PreviousPlacement(talent=t, package=p, status=draw(kinds))
        for t, p in (picks[1:] if pins else picks)
    ]
    return round_.model_copy(update={"pins": pins, "previous": previous})


EVERY_RULE = Policy(
    subsidy_share=0.3,
    subsidy_pool=4_000.0,
    min_per_lender=2,
    max_host_share=0.2,
    fairness="soft",
)
"""A policy with every rule on: subsidy pool, lender minimum and host share, all soft."""


FULL_SIZE = (80, 20)
"""Talents and packages of the full rounds: small enough for CP-SAT to prove optimality,
large enough for budgets and the subsidy pool to bind."""


def full_round_problem(
    seed: int, objective: str, fairness: str = "soft", tours: int = 1
) -> Problem:
    """A generated round with every rule on (subsidy pool, lender minimum, host share), as
    the integer problem."""
    policy = Policy(
        subsidy_share=0.3,
        subsidy_pool=4_000.0,
        min_per_lender=2,
        max_host_share=0.3,
        fairness=fairness,
        objective=objective,
        max_tours_per_talent=tours,
    )
    round_ = generate_round(FULL_SIZE[0], FULL_SIZE[1], seed=seed, policy=policy)
    return build_problem(compile_round(round_), round_)


def proven_optimum(problem: Problem) -> int:
    """CP-SAT's proven optimum of ``problem`` (alone, 10 s), in combined units."""
    options = AutoOptions(lagrangian=False, lns=False, highs_share=0.0)
    result = solve_problem(
        problem, SolveParams(time_limit=10.0, workers=2, seed=0), options, time.perf_counter()
    )
    assert result.status == Status.OPTIMAL
    assert result.objective is not None
    return combined(result.objective, build_spec(problem).multiplier)
