"""The breadth bonus: a score bonus per distinct (lender, host) link, in the model of every
solver of the portfolio, counted by the evaluator; off (0) by default."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Policy, Round
from solvers.auto.options import AutoOptions, HighsOptions, RelaxationOptions, SearchOptions
from solvers.auto.solve import solve_auto
from solvers.decompose.parts import serial_map
from solvers.decompose.solve import DecomposeOptions, solve_decomposed
from solvers.model.build import build_spec
from solvers.problem import build_problem
from solvers.registry import solve
from solvers.result import SolveParams, Status
from tests.checks import brute_force, check
from tests.factories import make_round, org, package, talent

METHODS = ("auto", "cpsat", "highs", "greedy")


def two_hosts(bonus: float, objective: str = "lexicographic") -> Round:
    """One lender's two talents; host A's two-seat package fits them better than host B's
    one seat (which desires a skill they lack): without a bonus both go to A (one link),
    with a bonus above the score difference one goes to B (two links)."""
    orgs = [org("lend", role="lender"), org("ha", role="host"), org("hb", role="host")]
    talents = [talent("t1"), talent("t2")]
    packages = [
        package("pa", host="ha", seats=2),
        package("pb", host="hb", desired={"python": 1.0, "sql": 3.0}),
    ]
    policy = Policy(breadth_bonus=bonus, objective=objective)
    return make_round(talents, packages, orgs, policy=policy)


def with_bonus(base: Round, bonus: float, objective: str) -> Round:
    """``base`` with a breadth bonus and the objective ``objective``."""
    policy = base.policy.model_copy(update={"breadth_bonus": bonus, "objective": objective})
    return base.model_copy(update={"policy": policy})


@pytest.mark.parametrize("method", METHODS)
def test_without_bonus_both_talents_go_to_the_better_host(method: str) -> None:
    round_ = two_hosts(0.0)
    compiled = compile_round(round_)
    result = solve(compiled, round_, method, SolveParams(time_limit=5, workers=1))
    check(result, round_, compiled)
    assert sorted(result.pairs(compiled)) == [("t1", "pa"), ("t2", "pa")]
    assert evaluate(round_, compiled, result.pairs(compiled)).kpis.links == 1


@pytest.mark.parametrize("method", ("auto", "cpsat", "highs"))
@pytest.mark.parametrize("objective", ("lexicographic", "weighted"))
def test_a_bonus_spreads_the_talents_over_two_hosts(method: str, objective: str) -> None:
    round_ = two_hosts(1.0, objective)
    compiled = compile_round(round_)
    result = solve(compiled, round_, method, SolveParams(time_limit=5, workers=1))
    check(result, round_, compiled)
    verdict = evaluate(round_, compiled, result.pairs(compiled))
    assert {p for _, p in result.pairs(compiled)} == {"pa", "pb"}
    assert verdict.kpis.links == 2
    assert verdict.objective.bonus == 2_000
    best = brute_force(round_, compiled)
    assert best is not None and result.objective == best


def test_greedy_with_a_bonus_reports_the_evaluators_objective() -> None:
    round_ = two_hosts(1.0)
    compiled = compile_round(round_)
    result = solve(compiled, round_, "greedy", SolveParams(time_limit=5, workers=1))
    check(result, round_, compiled)


def test_the_model_pays_the_bonus_on_link_variables_bounded_by_their_edges() -> None:
    round_ = two_hosts(0.5)
    problem = build_problem(compile_round(round_), round_)
    spec = build_spec(problem)
    assert problem.n_links == 2 and problem.link_units == 500
    assert spec.link_vars.size == 2
    assert spec.objective_coef[spec.link_vars].tolist() == [500, 500]
    # off by default: no link variables, the model of the round unchanged
    plain = two_hosts(0.0)
    assert build_spec(build_problem(compile_round(plain), plain)).link_vars.size == 0


@pytest.mark.parametrize("objective", ("lexicographic", "weighted"))
def test_generated_round_with_a_bonus_passes_the_evaluator_with_a_valid_bound(
    objective: str,
) -> None:
    base = generate_round(n_talents=120, seed=3)
    round_ = with_bonus(base, 0.3, objective)
    compiled = compile_round(round_)
    plain = solve(compiled, base, "auto", SolveParams(time_limit=4, workers=1))
    result = solve(compiled, round_, "auto", SolveParams(time_limit=4, workers=1))
    check(result, round_, compiled)
    links = evaluate(round_, compiled, result.pairs(compiled)).kpis.links
    plain_links = evaluate(base, compiled, plain.pairs(compiled)).kpis.links
    assert links >= plain_links


def test_a_negative_bonus_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="breadth_bonus"):
        Policy(breadth_bonus=-1)
    with pytest.raises(ValidationError, match="breadth_bonus 500 is above"):
        Policy(breadth_bonus=500)


@pytest.mark.parametrize("objective", ("lexicographic", "weighted"))
def test_every_phase_of_the_portfolio_with_a_bonus_keeps_the_evaluators_objective(
    objective: str,
) -> None:
    # without the HiGHS phase, the Lagrangian phase (lexicographic) or the linear relaxation
    # and its reduced-cost fixing (weighted) run before CP-SAT on this small round
    round_ = with_bonus(generate_round(n_talents=300, seed=5), 0.2, objective)
    compiled = compile_round(round_)
    options = AutoOptions(
        relax=RelaxationOptions(lp_min_edges=0),
        highs=HighsOptions(share=0.0, max_vars=0),
        search=SearchOptions(min_edges=0, core_min_edges=0),
    )
    result = solve_auto(compiled, round_, SolveParams(time_limit=6, workers=2), options)
    phase = "linear relaxation" if objective == "weighted" else "Lagrangian phase"
    assert any(note.startswith(phase) for note in result.notes)
    check(result, round_, compiled)
    assert result.objective is not None and result.objective.bonus > 0
    exact = solve(compiled, round_, "cpsat", SolveParams(time_limit=20, workers=2))
    if exact.status == Status.OPTIMAL:
        # the portfolio's bound holds against the proven optimum
        assert exact.objective is not None and result.bound is not None
        if result.objective.placements == exact.objective.placements:
            assert result.bound >= exact.objective.value


def test_decomposed_solves_with_a_bonus_keep_valid_bounds() -> None:
    round_ = with_bonus(generate_round(n_talents=600, seed=7), 0.5, "weighted")
    compiled = compile_round(round_)
    params = SolveParams(time_limit=8, workers=1, seed=1)
    options = DecomposeOptions(n_parts=2, processes=1)
    result = solve_decomposed(compiled, round_, params, options, part_map=serial_map)
    check(result, round_, compiled)
    assert result.objective is not None and result.objective.bonus > 0
    # every bound (the seat relaxation's, the priced one) holds against the portfolio's
    # solution of the same round
    plain = solve(compiled, round_, "auto", SolveParams(time_limit=8, workers=2, seed=1))
    check(plain, round_, compiled)
    assert plain.objective is not None and result.bounds
    assert all(bound >= plain.objective.value for bound in result.bounds.values())
