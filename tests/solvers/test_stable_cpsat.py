"""The best stable matching: stable, never worse than deferred acceptance, optimal against
brute force on tiny rounds, and honest when budgets or pins leave no stable matching."""

from __future__ import annotations

import time
from itertools import product
from typing import Any, get_args

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from matcher.compile import CompiledRound, compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Pair, Round
from matcher.preferences import Preferences, build_preferences
from matcher.stability import audit_matching, rank_summary
from solvers import stable_method
from solvers.budget_repair import budget_breaches
from solvers.checks import objective_of
from solvers.deferred_acceptance import deferred_acceptance, solve_deferred_acceptance
from solvers.problem import build_problem
from solvers.registry import solve_best_stable
from solvers.result import Progress, Result, SolveParams, Status
from solvers.stable_cpsat import solve_fewest_blocking, solve_stable
from solvers.stable_method import (
    budgets_beyond_reach,
    feasible_start,
    solve_stable_or_fewest_blocking,
)
from solvers.stable_model import OBJECTIVES, Encoding, StableObjective
from tests.checks import check
from tests.factories import make_round, org, package, talent, tiny_rounds
from tests.references import SIDES, brute_force_blocking, market_round, stable_matchings

PARAMS = SolveParams(time_limit=10, workers=2)
ENCODINGS: tuple[Encoding, ...] = ("clause", "linear")


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_stable_and_at_least_as_good_as_both_da_outcomes(
    seed: int, objective: StableObjective
) -> None:
    round_ = market_round(seed, 16, 5, max_seats=3, list_share=0.3)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    result = solve_stable(compiled, round_, PARAMS, objective=objective, preferences=prefs)
    assert result.status == Status.OPTIMAL
    check(result, round_, compiled)
    assert audit_matching(prefs, result.edges).blocking == 0
    assert result.objective is not None
    total, worst = rank_summary(prefs, result.edges)
    for side in SIDES:
        da = solve_deferred_acceptance(compiled, round_, proposing=side)
        assert da.objective is not None
        da_total, da_worst = rank_summary(prefs, da.edges)
        assert result.placements == da.placements  # rural hospitals: same talents placed
        if objective == "score":
            assert result.objective.key() >= da.objective.key()
        elif objective == "egalitarian":
            assert total <= da_total
        else:
            assert worst <= da_worst


@pytest.mark.parametrize("seed", range(6))
def test_optimal_against_all_stable_matchings(seed: int) -> None:
    round_ = market_round(100 + seed, 5, 3, max_seats=2, list_share=0.3)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    problem = build_problem(compiled, round_)
    stable = stable_matchings(prefs)
    best_key = max(objective_of(problem, m).key() for m in stable)
    best_total = min(rank_summary(prefs, m)[0] for m in stable)
    best_worst = min(rank_summary(prefs, m)[1] for m in stable)
    for objective, encoding in [(o, e) for o in OBJECTIVES for e in ENCODINGS]:
        result = solve_stable(
            compiled, round_, PARAMS, objective=objective, preferences=prefs, encoding=encoding
        )
        assert result.status == Status.OPTIMAL
        assert sorted(result.edges.tolist()) in [sorted(m) for m in stable]
        assert result.objective is not None
        if objective == "score":
            assert result.objective.key() == best_key
            assert result.bound is not None and result.bound >= result.objective.value
        elif objective == "egalitarian":
            assert rank_summary(prefs, result.edges)[0] == best_total
        else:
            assert rank_summary(prefs, result.edges)[1] == best_worst


def _budget_conflict() -> Round:
    """Two talents, each the only mutual choice of one package; the host can pay one fee."""
    return make_round(
        [
            talent("a", preferences=["pa"], salary=5000.0),
            talent("b", preferences=["pb"], salary=5000.0),
        ],
        [
            package("pa", ranking=["a"], fee_cap=3000.0),
            package("pb", ranking=["b"], fee_cap=3000.0),
        ],
        [org("lend", sector="finance"), org("host", sector="public", hiring_budget=4000.0)],
    )


def test_budget_that_rules_out_stability_is_named_and_an_alternative_offered() -> None:
    round_ = _budget_conflict()
    compiled = compile_round(round_)
    outcome = solve_stable_or_fewest_blocking(compiled, round_, PARAMS)
    assert outcome.result.status == Status.INFEASIBLE
    assert outcome.result.conflicts == ("host budget of 'host'", "stability")
    assert outcome.result.edges.size == 0 and outcome.result.objective is None
    assert "host budget of 'host'" in outcome.result.notes[0]
    alternative = outcome.alternative
    assert alternative is not None and alternative.status == Status.OPTIMAL
    check(alternative, round_, compiled)
    assert alternative.placements == 1
    assert "1 blocking pair(s) by the audit" in alternative.notes


def test_pin_that_rules_out_stability() -> None:
    # a and b both prefer x; x and y both prefer a: only a-x, b-y is stable
    base = make_round(
        [talent("a", preferences=["x", "y"]), talent("b", preferences=["x", "y"])],
        [package("x", ranking=["a", "b"]), package("y", ranking=["a", "b"])],
    )
    compiled = compile_round(base)
    assert solve_stable(compiled, base, PARAMS).pairs(compiled) == [("a", "x"), ("b", "y")]
    round_ = base.model_copy(update={"pins": [Pair(talent="b", package="x")]})
    compiled = compile_round(round_)
    outcome = solve_stable_or_fewest_blocking(compiled, round_, PARAMS)
    assert outcome.result.status == Status.INFEASIBLE
    assert outcome.result.conflicts == ("pins", "stability")
    assert outcome.alternative is not None
    assert outcome.alternative.pairs(compiled) == [("a", "y"), ("b", "x")]
    check(outcome.alternative, round_, compiled)


@pytest.mark.parametrize(("seed", "expected"), [(0, 9), (1, 6), (2, 1), (3, 0)])
def test_fewest_blocking_equals_brute_force(seed: int, expected: int) -> None:
    # budgets from one fee to most of them: from many blocking pairs down to none
    round_ = market_round(200 + seed, 5, 3, max_seats=2, hiring_budget=6000.0 + 4000 * seed)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    problem = build_problem(compiled, round_)
    result = solve_fewest_blocking(compiled, round_, PARAMS, preferences=prefs)
    assert result.status == Status.OPTIMAL
    check(result, round_, compiled)
    fewest = None
    for choice in _all_matchings(prefs):
        if evaluate(round_, compiled, _pairs(compiled, choice)).feasible:
            blocking = len(brute_force_blocking(prefs, choice))
            fewest = blocking if fewest is None else min(fewest, blocking)
    assert fewest == expected
    assert audit_matching(prefs, result.edges).blocking == fewest
    stable = solve_stable(compiled, round_, PARAMS, preferences=prefs)
    assert (stable.status == Status.INFEASIBLE) == (fewest > 0)
    assert objective_of(problem, result.edges) == result.objective


def _all_matchings(prefs: Preferences) -> list[list[int]]:
    """Every matching over acceptable edges that respects seats, stable or not."""
    options = [[None, *prefs.talent_list(t).tolist()] for t in range(prefs.n_talents)]
    out = []
    for choice in product(*options):
        edges = [e for e in choice if e is not None]
        if (np.bincount(prefs.package[edges], minlength=prefs.n_packages) <= prefs.seats).all():
            out.append(edges)
    return out


def _pairs(compiled: CompiledRound, edges: list[int]) -> list[tuple[str, str]]:
    a = compiled.arrays
    return [(a.talent_ids[compiled.talent[e]], a.package_ids[compiled.package[e]]) for e in edges]


def test_matches_da_when_the_talent_optimal_matching_is_also_best() -> None:
    # one seat each, every talent ranks packages alike and packages rank talents alike:
    # the stable matching is unique
    round_ = market_round(9, 6, 6, max_seats=1)
    round_ = round_.model_copy(
        update={
            "talents": [
                t.model_copy(update={"preferences": ["p0", "p1", "p2", "p3", "p4", "p5"]})
                for t in round_.talents
            ],
            "packages": [
                p.model_copy(update={"ranking": ["t0", "t1", "t2", "t3", "t4", "t5"]})
                for p in round_.packages
            ],
        }
    )
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    da = deferred_acceptance(prefs)
    for objective in OBJECTIVES:
        result = solve_stable(compiled, round_, PARAMS, objective=objective)
        assert result.edges.tolist() == da.tolist()


def test_empty_round_and_bad_arguments() -> None:
    round_ = make_round([talent("a", age=40)], [package("p")])
    compiled = compile_round(round_)
    assert compiled.n_edges == 0
    result = solve_stable(compiled, round_, PARAMS)
    assert result.status == Status.OPTIMAL and result.placements == 0
    assert solve_fewest_blocking(compiled, round_, PARAMS).placements == 0
    with pytest.raises(ValueError, match="objective"):
        solve_stable(compiled, round_, objective="fair")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="encoding"):
        solve_stable(compiled, round_, encoding="quadratic")  # type: ignore[arg-type]
    assert set(get_args(StableObjective)) == set(OBJECTIVES)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_rounds())
def test_every_result_passes_the_evaluator(round_: Round) -> None:
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    params = SolveParams(time_limit=5, workers=1)
    outcome = solve_stable_or_fewest_blocking(compiled, round_, params, preferences=prefs)
    for result in (outcome.result, outcome.alternative):
        if result is None:
            continue
        check(result, round_, compiled)
        if result.status.has_solution:
            assert (
                result.edges.size == 0
                or prefs.acceptable[result.edges].all()
                or (round_.pins or round_.previous)
            )
    if outcome.result.status.has_solution:
        assert audit_matching(prefs, outcome.result.edges).blocking == 0
    elif outcome.result.status == Status.INFEASIBLE:
        assert outcome.result.conflicts
        assert outcome.alternative is not None


def test_progress_is_reported() -> None:
    round_ = market_round(21, 8, 3, max_seats=2)
    compiled = compile_round(round_)
    seen: list[Progress] = []
    params = SolveParams(time_limit=5, workers=1, progress=seen.append)
    result = solve_stable(compiled, round_, params)
    assert result.status == Status.OPTIMAL
    assert seen and all(p.solver == "stable_cpsat(score)" for p in seen)


# ---------------------------------------------------------------- the stable method


def test_the_method_names_the_conflict_and_returns_the_fewest_blocking() -> None:
    round_ = _budget_conflict()
    compiled = compile_round(round_)
    result = solve_best_stable(compiled, round_, PARAMS)
    assert result.status == Status.OPTIMAL and result.placements == 1
    check(result, round_, compiled)
    assert result.conflicts == ("host budget of 'host'", "stability")
    assert result.notes[0] == (
        "no stable matching respects the budgets and pins (host budget of 'host', stability); "
        "this is the matching with the fewest blocking pairs"
    )


def test_without_time_for_cp_sat_the_start_is_returned_and_said_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CP-SAT finds nothing in time (simulated): the method still returns a matching that
    # meets every constraint, and its notes say what it is, not "fewest blocking pairs"
    def nothing(compiled: CompiledRound, round_: Round, params: SolveParams, **_: Any) -> Result:
        return Result.no_solution("stable_cpsat(score)", Status.UNKNOWN, 0.0)

    monkeypatch.setattr(stable_method, "solve_stable", nothing)
    monkeypatch.setattr(stable_method, "solve_fewest_blocking", nothing)
    monkeypatch.setattr(stable_method, "budgets_beyond_reach", lambda *_: [])
    round_ = market_round(300, 30, 6, max_seats=3, hiring_budget=12000.0)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    result = solve_best_stable(compiled, round_, PARAMS)
    assert result.status == Status.FEASIBLE and result.placements > 0
    check(result, round_, compiled)
    blocking = audit_matching(prefs, result.edges).blocking
    first = result.notes[0]
    assert first.startswith("no stable matching within the budgets and pins found in time; ")
    assert "deferred acceptance within the budgets" in first
    assert f"{blocking} blocking pair(s) by the audit" in first
    assert "fewest" not in " ".join(result.notes)


def test_a_large_model_skips_the_fewest_blocking_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stable_method, "MAX_FEWEST_EDGES", 0)
    calls: list[str] = []
    original = stable_method.solve_fewest_blocking

    def counted(*args: Any, **kwargs: Any) -> Result:
        calls.append("fewest")
        return original(*args, **kwargs)

    monkeypatch.setattr(stable_method, "solve_fewest_blocking", counted)
    round_ = _budget_conflict()
    compiled = compile_round(round_)
    result = solve_best_stable(compiled, round_, PARAMS)
    assert not calls
    assert result.status == Status.FEASIBLE and result.placements == 1
    check(result, round_, compiled)
    assert result.conflicts == ("host budget of 'host'", "stability")
    assert result.notes[0].startswith(
        "no stable matching respects the budgets and pins (host budget of 'host', stability); "
        "this is talents-proposing deferred acceptance within the budgets"
    )


def test_a_stable_start_within_every_constraint_is_improved_on() -> None:
    round_ = market_round(4, 16, 5, max_seats=3, list_share=0.3)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    start = feasible_start(build_problem(compiled, round_), prefs)
    assert start is not None and start.stable_da and start.blocking == 0
    result = solve_best_stable(compiled, round_, PARAMS)
    assert result.status == Status.OPTIMAL
    check(result, round_, compiled)
    assert audit_matching(prefs, result.edges).blocking == 0
    assert result.objective is not None
    assert (
        result.objective.key() >= objective_of(build_problem(compiled, round_), start.edges).key()
    )


def test_the_fewest_blocking_model_starts_from_a_complete_hint() -> None:
    round_ = market_round(301, 12, 4, max_seats=3, hiring_budget=8000.0)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    problem = build_problem(compiled, round_)
    start = feasible_start(problem, prefs)
    assert start is not None
    result = solve_fewest_blocking(compiled, round_, PARAMS, preferences=prefs, hint=start.edges)
    assert result.status == Status.OPTIMAL
    check(result, round_, compiled)
    assert audit_matching(prefs, result.edges).blocking <= start.blocking


def test_the_method_keeps_to_its_time_limit() -> None:
    round_ = generate_round(400, 100, seed=3)
    compiled = compile_round(round_)
    started = time.perf_counter()
    result = solve_best_stable(compiled, round_, SolveParams(time_limit=3, workers=2))
    assert time.perf_counter() - started < 3.5
    assert result.status.has_solution
    check(result, round_, compiled)


@pytest.mark.parametrize("seed", range(16))
def test_budgets_beyond_reach_are_broken_by_every_stable_matching(seed: int) -> None:
    round_ = market_round(
        400 + seed, 6, 3, max_seats=2, list_share=0.5, hiring_budget=6000.0 + 3000 * (seed % 4)
    )
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    problem = build_problem(compiled, round_)
    beyond = budgets_beyond_reach(problem, prefs)
    for matching in stable_matchings(prefs):
        broken = {b.group for b in budget_breaches(problem, np.array(matching, dtype=np.int64))}
        assert set(beyond) <= broken
    if beyond:
        assert solve_stable(compiled, round_, PARAMS, preferences=prefs).status == (
            Status.INFEASIBLE
        )


def test_budgets_beyond_reach_name_the_conflict_without_a_search() -> None:
    round_ = _budget_conflict()
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    assert budgets_beyond_reach(problem, build_preferences(compiled)) == ["host budget of 'host'"]
    outcome = solve_stable_or_fewest_blocking(compiled, round_, PARAMS)
    assert outcome.result.notes == (
        "no stable matching respects host budget of 'host': every one spends more",
    )
    # pins may sit outside the lists, where the bounds do not hold: nothing is proven
    pinned = round_.model_copy(update={"pins": [Pair(talent="a", package="pa")]})
    compiled = compile_round(pinned)
    assert budgets_beyond_reach(build_problem(compiled, pinned), build_preferences(compiled)) == []
