"""Outcome floors in the solvers: the model's rows, the shared checks and every method's
output judged by the evaluator."""

from __future__ import annotations

import time

import numpy as np
import pytest

from matcher.compile import CompiledRound, compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Floor, Pair, Policy, Round
from solvers.backends.cpsat import solve_sub
from solvers.checks import floor_group, objective_of, violated_groups
from solvers.floor_reach import floor_reach
from solvers.flow import NotSeatOnlyError, solve_flow
from solvers.greedy import greedy_assign, greedy_order
from solvers.lagrange import combined
from solvers.lns import improve
from solvers.lns_options import LnsOptions
from solvers.lp_relaxation import lp_relaxation
from solvers.model.build import build_spec, soft_terms
from solvers.problem import build_problem
from solvers.registry import solve
from solvers.result import Result, SolveParams, Status
from tests.checks import check, pair_list, proven_optimum
from tests.factories import make_round, package, talent
from tests.solvers.test_lp_relaxation import _full_lp as full_lp

LEARNING = Floor(share=1.0)
STRENGTHS = Floor(share=0.8)
FLOORS = {
    "learning": {"learning": LEARNING},
    "strengths": {"strengths": STRENGTHS},
    "both": {"learning": LEARNING, "strengths": STRENGTHS},
    "soft": {"learning": Floor(share=0.9, mode="soft", penalty=0.5)},
    # shares the default solve misses, so that the greedy swaps and drops placements
    "partial": {"learning": Floor(share=0.6), "cross_sector": Floor(share=0.95)},
}


def _with_floors(round_: Round, floors: dict[str, Floor]) -> Round:
    return round_.model_copy(update={"policy": round_.policy.model_copy(update={"floors": floors})})


@pytest.fixture(scope="module")
def base() -> Round:
    return generate_round(150, seed=11)


def _compiled(base: Round, case: str) -> tuple[Round, CompiledRound]:
    round_ = _with_floors(base, FLOORS[case])
    return round_, compile_round(round_)


@pytest.mark.parametrize("method", ["auto", "cpsat", "highs", "greedy"])
@pytest.mark.parametrize("case", list(FLOORS))
def test_every_optimizer_meets_the_floors(base: Round, method: str, case: str) -> None:
    round_, compiled = _compiled(base, case)
    result = solve(compiled, round_, method, SolveParams(time_limit=10, workers=2, seed=1))
    assert result.status.has_solution, (result.status, result.notes)
    check(result, round_, compiled)
    kpis = evaluate(round_, compiled, result.pairs(compiled)).kpis
    assert result.placements > 0
    for name, floor in FLOORS[case].items():
        if floor.mode == "hard":
            assert getattr(kpis, f"{name}_placement_share") >= floor.share
    if case in ("learning", "both"):
        assert kpis.learning_placement_share == 1.0


def test_a_full_learning_floor_is_the_optimum_over_the_learning_edges(base: Round) -> None:
    round_, compiled = _compiled(base, "learning")
    floored = solve(compiled, round_, "cpsat", SolveParams(time_limit=10, workers=2))
    # the same round with the learning rule instead: only pairs that teach a goal are edges
    policy = base.policy.model_copy(update={"rules": {"learning": True}})
    ruled = base.model_copy(update={"policy": policy})
    ruled_compiled = compile_round(ruled)
    by_rule = solve(ruled_compiled, ruled, "cpsat", SolveParams(time_limit=10, workers=2))
    free = solve(compile_round(base), base, "cpsat", SolveParams(time_limit=10, workers=2))
    assert floored.status == by_rule.status == free.status == Status.OPTIMAL
    assert floored.objective == by_rule.objective
    assert 0 < floored.placements < free.placements


def test_a_soft_floor_is_priced_in_the_model_as_the_evaluator_prices_it(base: Round) -> None:
    round_, compiled = _compiled(base, "soft")
    problem = build_problem(compiled, round_)
    spec = build_spec(problem)
    terms = soft_terms(problem, spec)
    short, coef = terms[floor_group("learning")]
    assert coef.tolist() == [-500]
    assert spec.floor_short.tolist() == [int(short[0])]
    result = solve(compiled, round_, "cpsat", SolveParams(time_limit=10, workers=2))
    check(result, round_, compiled)
    judged = evaluate(round_, compiled, result.pairs(compiled))
    plain = evaluate(_with_floors(base, {}), compile_round(base), result.pairs(compiled))
    learners = round(judged.kpis.learning_placement_share * result.placements)
    gap = -(-(900 * result.placements - 1000 * learners) // 1000)
    assert judged.objective.penalty - plain.objective.penalty == 500 * max(gap, 0)


def test_the_shared_checks_agree_with_the_evaluator_on_floors(base: Round) -> None:
    round_, compiled = _compiled(base, "both")
    soft_round, soft_compiled = _compiled(base, "soft")
    rng = np.random.default_rng(5)
    for r, c in ((round_, compiled), (soft_round, soft_compiled)):
        problem = build_problem(c, r)
        for _ in range(20):
            # one edge per talent at most, some talents left out
            talents = np.unique(c.talent)
            edges = []
            for t in rng.choice(talents, size=talents.size // 3, replace=False).tolist():
                mine = np.flatnonzero(c.talent == t)
                edges.append(int(rng.choice(mine)))
            edges = sorted(edges)
            verdict = evaluate(r, c, pair_list(c, edges))
            assert objective_of(problem, edges) == verdict.objective
            floor_broken = [g for g in violated_groups(problem, edges) if g.endswith("floor")]
            judged = [v.record for v in verdict.violations if v.constraint == "floor"]
            assert [g.removesuffix(" floor") for g in floor_broken] == [
                record.split("'")[1] for record in judged
            ]


def test_flow_refuses_a_round_with_floors(base: Round) -> None:
    round_, compiled = _compiled(base, "learning")
    with pytest.raises(NotSeatOnlyError, match="outcome floors \\(learning\\)"):
        solve_flow(compiled, round_)


def test_deferred_acceptance_reports_the_floors_it_misses(base: Round) -> None:
    round_, compiled = _compiled(base, "learning")
    result = solve(compiled, round_, "da", SolveParams(time_limit=10))
    verdict = evaluate(round_, compiled, result.pairs(compiled))
    missed = [v for v in verdict.violations if v.constraint == "floor"]
    assert missed, "the talent-optimal matching places talents who learn nothing here"
    assert result.status == Status.UNKNOWN
    assert floor_group("learning") in result.conflicts
    assert any("floor 'learning'" in note for note in result.notes)


def _pinned_round(floors: dict[str, Floor], learner: bool = False) -> Round:
    """``a`` and ``b`` pinned to two one-seat packages, where only ``a`` learns; ``c`` can
    learn nowhere (p2 is b's); with ``learner``, ``d`` learns sql on p3."""
    extra = [talent("d", learning_goals={"sql": 1.0})] if learner else []
    return make_round(
        [
            talent("a", learning_goals={"sql": 1.0}),
            talent("b", learning_goals={"sql": 1.0}),
            talent("c", learning_goals={"excel": 1.0}),
            *extra,
        ],
        [
            package("p1", learnable=["sql"]),
            package("p2", learnable=["excel"]),
            package("p3", learnable=["sql"], seats=2),
        ],
        pins=[Pair(talent="a", package="p1"), Pair(talent="b", package="p2")],
        policy=Policy(floors=floors),
    )


@pytest.mark.parametrize("share", [0.9, 1.0])
@pytest.mark.parametrize("method", ["auto", "cpsat"])
def test_an_infeasible_floor_names_itself_and_the_largest_share_reachable(
    method: str, share: float
) -> None:
    # nobody but a learns: the best share is 1 of the 2 pinned placements, 0.5
    round_ = _pinned_round({"learning": Floor(share=share)})
    compiled = compile_round(round_)
    result = solve(compiled, round_, method, SolveParams(time_limit=10, workers=2))
    assert result.status == Status.INFEASIBLE
    assert f"learning floor (share {share:g} asked, at most 0.5 reachable)" in result.conflicts
    assert floor_reach(build_problem(compiled, round_), 0, 5.0) == 0.5


def test_a_floor_within_reach_of_the_pins_is_met() -> None:
    round_ = _pinned_round({"learning": Floor(share=0.5)})
    compiled = compile_round(round_)
    result = solve(compiled, round_, "auto", SolveParams(time_limit=10, workers=2))
    check(result, round_, compiled)
    assert result.status == Status.OPTIMAL


def test_the_greedy_does_not_call_a_floor_broken_by_the_pins_infeasible() -> None:
    # the pins alone give 0.5 learning; d learning on p3 raises it to 2 of 3
    round_ = _pinned_round({"learning": Floor(share=0.6)}, learner=True)
    compiled = compile_round(round_)
    result = solve(compiled, round_, "greedy", SolveParams(time_limit=10))
    assert result.status == Status.FEASIBLE
    check(result, round_, compiled)
    assert ("d", "p3") in result.pairs(compiled)


def test_the_neighbourhood_search_keeps_the_floors(base: Round) -> None:
    round_, compiled = _compiled(base, "partial")
    problem = build_problem(compiled, round_)
    # a poor start in a random order, repaired to meet the floors by the greedy
    order = np.random.default_rng(0).permutation(greedy_order(problem)).astype(np.int64)
    start, _ = greedy_assign(problem, order)
    assert not violated_groups(problem, np.flatnonzero(start))
    before = objective_of(problem, np.flatnonzero(start))
    options = LnsOptions(start_free=60, min_free=20, sub_time=0.3, workers=1)
    found = improve(problem, start, time.perf_counter() + 3.0, solve_sub, seed=1, options=options)
    edges = np.flatnonzero(found.chosen).astype(np.int64)
    assert found.objective.key() >= before.key()
    assert not violated_groups(problem, edges)
    result = Result(
        solver="lns",
        status=Status.FEASIBLE,
        edges=edges,
        objective=found.objective,
        bound=None,
        wall_time=0.0,
    )
    check(result, round_, compiled)


@pytest.mark.parametrize("case", ["both", "soft", "partial"])
def test_the_portfolio_bound_stays_above_the_proven_optimum(base: Round, case: str) -> None:
    round_, compiled = _compiled(base, case)
    problem = build_problem(compiled, round_)
    optimum = proven_optimum(problem)
    result = solve(compiled, round_, "auto", SolveParams(time_limit=10, workers=2, seed=2))
    check(result, round_, compiled)
    assert result.objective is not None and result.bound is not None
    multiplier = build_spec(problem).multiplier
    assert combined(result.objective, multiplier) <= optimum
    # the bound is on the secondary term at the result's placements (lexicographic): at
    # the optimum's placements, at least the optimum's secondary term
    best_secondary = optimum - multiplier * result.objective.placements
    if abs(best_secondary) < multiplier:
        assert result.bound >= best_secondary


@pytest.mark.parametrize("method", ["da", "da-packages", "da+budgets", "stable"])
def test_the_stable_methods_claim_a_solution_only_when_it_meets_the_floors(
    base: Round, method: str
) -> None:
    round_, compiled = _compiled(base, "both")
    result = solve(compiled, round_, method, SolveParams(time_limit=5, workers=2))
    verdict = evaluate(round_, compiled, result.pairs(compiled))
    if result.status.has_solution:
        check(result, round_, compiled)
    else:
        # the matching is kept, with the floors it misses named
        missed = [v.record.split("'")[1] for v in verdict.violations if v.constraint == "floor"]
        assert result.objective is not None
        for name in missed:
            assert floor_group(name) in result.conflicts


@pytest.mark.parametrize("seed", [1, 2])
def test_the_linear_relaxation_prices_the_floor_rows(seed: int) -> None:
    # many candidates per talent, so that the columns come in by their reduced cost, which
    # must count the floors' duals for the program to reach the LP over every edge
    policy = Policy(
        rules={"location": False, "languages": False, "availability": False},
        objective="weighted",
        floors={"learning": Floor(share=0.5), "strengths": Floor(share=0.9, mode="soft")},
    )
    round_ = generate_round(60, 15, seed=seed, policy=policy)
    problem = build_problem(compile_round(round_), round_)
    relaxation = lp_relaxation(problem, build_spec(problem), 10.0)
    assert relaxation is not None and relaxation.complete
    assert relaxation.columns < problem.n_edges
    assert relaxation.value == pytest.approx(full_lp(problem), rel=1e-7)
    assert relaxation.bound >= proven_optimum(problem)
