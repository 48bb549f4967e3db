"""The CP-SAT core: optimal on tiny rounds (against exhaustive enumeration through the
evaluator), each constraint binding alone, infeasibility reports, determinism, and the
paths for large rounds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Pair, Policy, PreviousPlacement, Round
from solvers.auto.options import (
    AutoOptions,
    CpSatOptions,
    HighsOptions,
    RelaxationOptions,
    SearchOptions,
)
from solvers.auto.solve import solve_auto
from solvers.backends.cpsat import STATUS, to_cp_model, to_cp_model_python
from solvers.greedy import solve_greedy
from solvers.model.build import build_spec, fix_placements, soft_terms, spec_hint
from solvers.problem import build_problem
from solvers.registry import METHODS, solve
from solvers.result import Progress, Result, SolveParams, Status
from solvers.stop import NoImprovement
from tests.checks import brute_force, check
from tests.factories import INTERVALS, make_round, org, package, talent, tiny_rounds

FAST = SolveParams(time_limit=5, workers=1)
PLAIN = AutoOptions(
    relax=RelaxationOptions(use_flow=False, lagrangian=False), highs=HighsOptions(share=0.0)
)


def solve_both(round_: Round) -> tuple[Result, Result]:
    """Solve with the full path and with CP-SAT alone; both are checked against the
    evaluator and against exhaustive enumeration."""
    compiled = compile_round(round_)
    best = brute_force(round_, compiled)
    results = (
        solve_auto(compiled, round_, FAST),
        solve_auto(compiled, round_, FAST, PLAIN),
    )
    for result in results:
        check(result, round_, compiled)
        if best is None:
            assert result.status == Status.INFEASIBLE
        else:
            assert result.status == Status.OPTIMAL
            assert result.objective is not None
            assert result.objective.key() == best.key()
    return results


def placed(result: Result, round_: Round) -> set[tuple[str, str]]:
    return set(result.pairs(compile_round(round_)))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(round_=tiny_rounds())
def test_optimum_equals_exhaustive_enumeration(round_: Round) -> None:
    solve_both(round_)


# --- each constraint binds -------------------------------------------------------------


def test_seats_bind() -> None:
    round_ = make_round([talent("t0"), talent("t1")], [package("p0", seats=1)])
    full, _ = solve_both(round_)
    assert full.placements == 1
    two = make_round([talent("t0"), talent("t1")], [package("p0", seats=2)])
    assert solve_both(two)[0].placements == 2


def test_one_tour_per_talent_binds() -> None:
    packages = [package("p0"), package("p1", start=INTERVALS[2][0], end=INTERVALS[2][1])]
    round_ = make_round([talent("t0")], packages)
    assert solve_both(round_)[0].placements == 1
    two = round_.model_copy(update={"policy": Policy(max_tours_per_talent=2)})
    assert solve_both(two)[0].placements == 2


def test_fte_over_time_binds_with_two_tours() -> None:
    policy = Policy(max_tours_per_talent=2)
    overlapping = [
        package("p0", fte=0.6),
        package("p1", fte=0.6, start=INTERVALS[1][0], end=INTERVALS[1][1]),
    ]
    round_ = make_round([talent("t0")], overlapping, policy=policy)
    assert solve_both(round_)[0].placements == 1
    # exactly the talent's FTE on the overlap is allowed
    fitting = [overlapping[0], overlapping[1].model_copy(update={"fte": 0.4})]
    assert solve_both(make_round([talent("t0")], fitting, policy=policy))[0].placements == 2
    # tours that do not overlap may each use the whole FTE
    apart = [
        package("p0", fte=1.0),
        package("p2", fte=1.0, start=INTERVALS[2][0], end=INTERVALS[2][1]),
    ]
    assert solve_both(make_round([talent("t0")], apart, policy=policy))[0].placements == 2


def test_host_budget_binds() -> None:
    orgs = [org("lend"), org("host", hiring_budget=6000.0)]
    round_ = make_round([talent("t0"), talent("t1")], [package("p0"), package("p1")], orgs)
    assert solve_both(round_)[0].placements == 1
    exact = [org("lend"), org("host", hiring_budget=10000.0)]
    both = make_round([talent("t0"), talent("t1")], [package("p0"), package("p1")], exact)
    assert solve_both(both)[0].placements == 2


def test_lender_budget_binds() -> None:
    # retained 7000, fee 5000: each placement needs a top-up of 2000
    orgs = [org("lend", topup_budget=3000.0), org("host")]
    talents = [talent("t0", salary=7000.0), talent("t1", salary=7000.0)]
    round_ = make_round(talents, [package("p0"), package("p1")], orgs)
    assert solve_both(round_)[0].placements == 1
    enough = [org("lend", topup_budget=4000.0), org("host")]
    assert (
        solve_both(make_round(talents, [package("p0"), package("p1")], enough))[0].placements == 2
    )


def test_subsidy_pool_binds() -> None:
    # a top-up of 2000 per placement, half of it from the pool
    talents = [talent("t0", salary=7000.0), talent("t1", salary=7000.0)]
    policy = Policy(subsidy_share=0.5, subsidy_pool=1500.0)
    round_ = make_round(talents, [package("p0"), package("p1")], policy=policy)
    assert solve_both(round_)[0].placements == 1
    enough = Policy(subsidy_share=0.5, subsidy_pool=2000.0)
    assert (
        solve_both(make_round(talents, [package("p0"), package("p1")], policy=enough))[0].placements
        == 2
    )


def _lender_round(**policy: object) -> Round:
    """Two seats; two strong talents of lender a and a weak one of lender b."""
    orgs = [org("a"), org("b"), org("host")]
    talents = [
        talent("a1", lender="a", strengths={"python": 5}),
        talent("a2", lender="a", strengths={"python": 5}),
        talent("b1", lender="b", strengths={"python": 1}),
    ]
    return make_round(
        talents, [package("p0"), package("p1")], orgs, policy=Policy.model_validate(policy)
    )


def test_min_per_lender_hard_binds() -> None:
    free, _ = solve_both(_lender_round())
    assert {t for t, _ in placed(free, _lender_round())} == {"a1", "a2"}
    round_ = _lender_round(min_per_lender=1, fairness="hard")
    full, _ = solve_both(round_)
    assert "b1" in {t for t, _ in placed(full, round_)}


def test_min_per_lender_soft_binds() -> None:
    round_ = _lender_round(min_per_lender=1, fairness="soft", fairness_penalty=2.0)
    full, _ = solve_both(round_)
    assert "b1" in {t for t, _ in placed(full, round_)}
    assert full.objective is not None and full.objective.penalty == 0
    cheap = _lender_round(min_per_lender=1, fairness="soft", fairness_penalty=0.01)
    full, _ = solve_both(cheap)
    assert {t for t, _ in placed(full, cheap)} == {"a1", "a2"}
    assert full.objective is not None and full.objective.penalty == 10


def _host_round(**policy: object) -> Round:
    """Host b has two packages, host c one; three talents."""
    orgs = [org("lend"), org("b"), org("c")]
    packages = [package("b0", host="b"), package("b1", host="b"), package("c0", host="c")]
    talents = [talent(f"t{i}") for i in range(3)]
    return make_round(talents, packages, orgs, policy=Policy.model_validate(policy))


def test_max_host_share_hard_binds() -> None:
    assert solve_both(_host_round())[0].placements == 3
    round_ = _host_round(max_host_share=0.5, fairness="hard")
    full, _ = solve_both(round_)
    assert full.placements == 2
    assert sorted(p for _, p in placed(full, round_))[1] == "c0"


def test_max_host_share_soft_binds() -> None:
    full, _ = solve_both(_host_round(max_host_share=0.5, fairness_penalty=0.3))
    # a third placement is worth one unit of excess (ceil((2000 - 1500) / 1000))
    assert full.placements == 3
    assert full.objective is not None and full.objective.penalty == 300


def test_pins_bind() -> None:
    talents = [talent("t0", strengths={"python": 5}), talent("t1", strengths={"python": 1})]
    free, _ = solve_both(make_round(talents, [package("p0")]))
    assert placed(free, make_round(talents, [package("p0")])) == {("t0", "p0")}
    round_ = make_round(talents, [package("p0")], pins=[Pair(talent="t1", package="p0")])
    full, _ = solve_both(round_)
    assert placed(full, round_) == {("t1", "p0")}


def test_accepted_placements_are_kept() -> None:
    talents = [talent("t0", strengths={"python": 5}), talent("t1", strengths={"python": 1})]
    previous = [PreviousPlacement(talent="t1", package="p0", status="accepted")]
    round_ = make_round(talents, [package("p0")], previous=previous)
    full, _ = solve_both(round_)
    assert placed(full, round_) == {("t1", "p0")}


def test_dropping_a_proposed_placement_costs_the_disruption_penalty() -> None:
    talents = [talent("t0", strengths={"python": 5}), talent("t1", strengths={"python": 1})]
    previous = [PreviousPlacement(talent="t1", package="p0", status="proposed")]
    sticky = make_round(
        talents, [package("p0")], previous=previous, policy=Policy(disruption_penalty=1.0)
    )
    full, _ = solve_both(sticky)
    assert placed(full, sticky) == {("t1", "p0")}
    loose = sticky.model_copy(update={"policy": Policy(disruption_penalty=0.01)})
    full, _ = solve_both(loose)
    assert placed(full, loose) == {("t0", "p0")}
    assert full.objective is not None and full.objective.penalty == 10


# --- infeasible rounds -----------------------------------------------------------------


def conflicts_of(round_: Round) -> set[str]:
    compiled = compile_round(round_)
    assert brute_force(round_, compiled) is None
    result = solve_auto(compiled, round_, FAST)
    check(result, round_, compiled)
    assert result.status == Status.INFEASIBLE
    assert result.objective is None and result.edges.size == 0
    return set(result.conflicts)


def test_two_pins_on_one_seat_name_pins_and_seats() -> None:
    pins = [Pair(talent="t0", package="p0"), Pair(talent="t1", package="p0")]
    round_ = make_round([talent("t0"), talent("t1")], [package("p0")], pins=pins)
    assert conflicts_of(round_) == {"pins", "seats of package 'p0'"}


def test_pins_against_hard_host_share_name_both() -> None:
    orgs = [org("lend"), org("b"), org("c")]
    packages = [package("b0", host="b", seats=2), package("c0", host="c")]
    talents = [talent("t0"), talent("t1"), talent("t2")]
    pins = [Pair(talent="t0", package="b0"), Pair(talent="t1", package="b0")]
    policy = Policy(max_host_share=0.5, fairness="hard")
    round_ = make_round(talents, packages, orgs, pins=pins, policy=policy)
    assert conflicts_of(round_) == {"max_host_share", "pins"}


def test_min_per_lender_without_seats_names_both() -> None:
    orgs = [org("a"), org("b"), org("host")]
    talents = [talent("a1", lender="a"), talent("b1", lender="b")]
    policy = Policy(min_per_lender=1, fairness="hard")
    round_ = make_round(talents, [package("p0")], orgs, policy=policy)
    assert conflicts_of(round_) == {"min_per_lender", "seats of package 'p0'"}


def test_pin_and_accepted_on_one_talent_name_tours() -> None:
    packages = [package("p0"), package("p1", start=INTERVALS[2][0], end=INTERVALS[2][1])]
    round_ = make_round(
        [talent("t0")],
        packages,
        pins=[Pair(talent="t0", package="p0")],
        previous=[PreviousPlacement(talent="t0", package="p1", status="accepted")],
    )
    assert conflicts_of(round_) == {"pins", "accepted", "tours of talent 't0'"}


def test_pin_over_the_host_budget_names_the_budget() -> None:
    orgs = [org("lend"), org("host", hiring_budget=4000.0)]
    round_ = make_round(
        [talent("t0")],
        [package("p0")],
        orgs,
        pins=[Pair(talent="t0", package="p0")],
        policy=Policy(rules={"cost_split": False}),
    )
    assert conflicts_of(round_) == {"pins", "host budget of 'host'"}


def test_greedy_reports_forced_conflicts_too() -> None:
    pins = [Pair(talent="t0", package="p0"), Pair(talent="t1", package="p0")]
    round_ = make_round([talent("t0"), talent("t1")], [package("p0")], pins=pins)
    result = solve_greedy(compile_round(round_), round_)
    assert result.status == Status.INFEASIBLE
    assert set(result.conflicts) == {"pins", "seats of package 'p0'"}


# --- solver behaviour ------------------------------------------------------------------


def test_every_cp_sat_status_is_mapped() -> None:
    codes = {cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE}
    codes |= {cp_model.MODEL_INVALID, cp_model.UNKNOWN}
    assert set(STATUS) == codes
    assert set(STATUS.values()) == set(Status)


@pytest.fixture(scope="module")
def medium() -> Round:
    """A generated round with binding budgets that CP-SAT does not close in seconds."""
    return generate_round(300, 75, seed=3)


def test_never_worse_than_greedy(medium: Round) -> None:
    compiled = compile_round(medium)
    greedy = solve_greedy(compiled, medium)
    check(greedy, medium, compiled)
    for method in ("auto", "cpsat"):
        result = solve(compiled, medium, method, SolveParams(time_limit=2, workers=2))
        check(result, medium, compiled)
        assert result.solver == method
        assert result.status.has_solution
        assert result.objective is not None and greedy.objective is not None
        assert result.objective.key() >= greedy.objective.key()


def test_same_seed_one_worker_gives_the_same_edges() -> None:
    round_ = generate_round(60, 15, seed=5)
    compiled = compile_round(round_)
    params = SolveParams(time_limit=5, workers=1, seed=7)
    first = solve_auto(compiled, round_, params, PLAIN)
    second = solve_auto(compiled, round_, params, PLAIN)
    check(first, round_, compiled)
    assert first.status == Status.OPTIMAL
    assert np.array_equal(first.edges, second.edges)


def test_an_unknown_search_subsolver_is_refused() -> None:
    with pytest.raises(ValueError, match="'bogus' is not a CP-SAT subsolver"):
        CpSatOptions(subsolver="bogus")


@pytest.mark.parametrize("subsolver", ["max_lp", "default_lp", None])
def test_each_search_subsolver_finds_the_optimum_of_a_budget_round(
    subsolver: str | None,
) -> None:
    round_ = generate_round(60, 15, seed=5)
    compiled = compile_round(round_)
    options = AutoOptions(
        relax=RelaxationOptions(use_flow=False, lagrangian=False),
        cpsat=CpSatOptions(subsolver=subsolver),
    )
    result = solve_auto(compiled, round_, FAST, options)
    reference = solve_auto(compiled, round_, FAST, PLAIN)
    check(result, round_, compiled)
    assert result.status == reference.status == Status.OPTIMAL
    assert result.objective is not None and reference.objective is not None
    assert result.objective.key() == reference.objective.key()


def test_progress_is_reported(medium: Round) -> None:
    compiled = compile_round(medium)
    reports: list[Progress] = []
    params = SolveParams(time_limit=2, workers=1, progress=reports.append)
    result = solve_auto(compiled, medium, params, PLAIN)
    check(result, medium, compiled)
    assert reports, "no incumbent reported"
    assert all(r.solver == "auto" and r.objective is not None for r in reports)
    assert all(r.placements is not None for r in reports)
    assert all(r.bound is None or r.bound >= r.objective for r in reports if r.objective)
    assert [r.elapsed for r in reports] == sorted(r.elapsed for r in reports)


def test_a_stop_criterion_ends_the_whole_solve(medium: Round) -> None:
    compiled = compile_round(medium)
    asked: list[Progress] = []

    def stop_at_once(progress: Progress) -> bool:
        asked.append(progress)
        return True

    params = SolveParams(time_limit=30, workers=1, stop=stop_at_once)
    params = params.with_deadline(params.timer())
    result = solve_auto(compiled, medium, params, PLAIN)
    check(result, medium, compiled)
    assert asked and all(p.solver == "auto" and p.objective is not None for p in asked)
    # the deadline ended early for every phase, long before its 30 s
    deadline = params.timer()
    assert deadline.remaining() == 0.0 and deadline.elapsed() < 15


def test_the_neighbourhood_search_asks_the_stop_criterion() -> None:
    # a round the portfolio does not close in seconds, searched by neighbourhoods from 1,000
    # edges on: they ask the criterion between them, so a criterion that has had enough
    # after 40 questions ends the search inside that phase
    round_ = generate_round(1000, 250, seed=1)
    compiled = compile_round(round_)
    asked: list[Progress] = []

    def enough(progress: Progress) -> bool:
        asked.append(progress)
        return len(asked) >= 40

    # a limit far beyond what 40 questions take, even on a loaded machine: the criterion,
    # not the clock, ends the search
    params = SolveParams(time_limit=120, workers=1, stop=enough)
    params = params.with_deadline(params.timer())
    options = AutoOptions(search=SearchOptions(min_edges=1_000))
    result = solve_auto(compiled, round_, params, options)
    check(result, round_, compiled)
    assert any(note.startswith("neighbourhood search:") for note in result.notes)
    assert len(asked) == 40
    assert params.timer().remaining() == 0.0 and params.timer().elapsed() < 90


def test_no_improvement_ends_the_solve_early() -> None:
    round_ = generate_round(1000, 250, seed=1)
    compiled = compile_round(round_)
    params = SolveParams(time_limit=30, workers=1, stop=NoImprovement(1.0))
    params = params.with_deadline(params.timer())
    result = solve_auto(
        compiled, round_, params, AutoOptions(search=SearchOptions(min_edges=1_000))
    )
    check(result, round_, compiled)
    assert params.timer().remaining() == 0.0 and params.timer().elapsed() < 20


def test_restricted_model_for_large_rounds(medium: Round) -> None:
    compiled = compile_round(medium)
    options = AutoOptions(cpsat=CpSatOptions(max_model_edges=10, keep_per_talent=2))
    result = solve_auto(compiled, medium, SolveParams(time_limit=2, workers=2), options)
    check(result, medium, compiled)
    assert result.status.has_solution
    assert any("most promising" in note for note in result.notes)


def test_large_weighted_rounds_search_the_linear_relaxations_core(medium: Round) -> None:
    policy = medium.policy.model_copy(update={"objective": "weighted"})
    weighted = medium.model_copy(update={"policy": policy})
    compiled = compile_round(weighted)
    options = AutoOptions(
        relax=RelaxationOptions(lp_min_edges=10),
        highs=HighsOptions(share=0.0),
        cpsat=CpSatOptions(max_model_edges=10),
        search=SearchOptions(large_core_per_talent=0.5),
    )
    result = solve_auto(compiled, weighted, SolveParams(time_limit=4, workers=2), options)
    check(result, weighted, compiled)
    assert result.status.has_solution
    assert any(note.startswith("linear relaxation:") for note in result.notes)
    assert any(note.startswith("search on the core") for note in result.notes)
    greedy = solve_greedy(compiled, weighted)
    assert result.objective is not None and greedy.objective is not None
    assert result.objective.key() >= greedy.objective.key()


def test_lexicographic_rounds_keep_the_lagrangian_phase(medium: Round) -> None:
    compiled = compile_round(medium)
    options = AutoOptions(
        relax=RelaxationOptions(lp_min_edges=10), cpsat=CpSatOptions(max_model_edges=10)
    )
    result = solve_auto(compiled, medium, SolveParams(time_limit=2, workers=2), options)
    check(result, medium, compiled)
    assert any(note.startswith("Lagrangian phase") for note in result.notes)
    assert not any(note.startswith("linear relaxation") for note in result.notes)


def test_proto_and_python_api_models_agree() -> None:
    round_ = generate_round(40, 10, seed=2)
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    spec = build_spec(problem)
    hint = spec_hint(problem, spec, np.zeros(problem.n_edges, dtype=bool))
    proto = to_cp_model(spec, hint).proto
    python = to_cp_model_python(spec, hint).proto
    assert len(proto.variables) == len(python.variables)
    assert len(proto.constraints) == len(python.constraints)
    values = []
    for model in (to_cp_model(spec, hint), to_cp_model_python(spec, hint)):
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 5
        assert solver.solve(model) == cp_model.OPTIMAL
        values.append(solver.objective_value)
    assert values[0] == values[1]
    result = solve_auto(compiled, round_, FAST, AutoOptions(cpsat=CpSatOptions(python_api=True)))
    check(result, round_, compiled)


def test_relative_gap_stops_early_with_a_valid_result(medium: Round) -> None:
    compiled = compile_round(medium)
    params = SolveParams(time_limit=2, workers=2, relative_gap=0.05)
    for policy in (medium.policy, medium.policy.model_copy(update={"objective": "weighted"})):
        round_ = medium.model_copy(update={"policy": policy})
        result = solve_auto(compiled, round_, params)
        check(result, round_, compiled)
        assert result.status.has_solution


def test_solve_table_and_unknown_method() -> None:
    assert set(METHODS) == {
        "auto",
        "cpsat",
        "flow",
        "greedy",
        "highs",
        "decompose",
        "da",
        "da-packages",
        "stable",
        "da+budgets",
        "da-packages+budgets",
    }
    round_ = make_round([talent("t0")], [package("p0")])
    with pytest.raises(ValueError, match="unknown method"):
        solve(compile_round(round_), round_, "simplex")


def test_soft_penalties_are_named() -> None:
    round_ = _host_round(max_host_share=0.5, min_per_lender=1, fairness_penalty=0.3)
    previous = [PreviousPlacement(talent="t0", package="c0", status="proposed")]
    round_ = round_.model_copy(update={"previous": previous})
    problem = build_problem(compile_round(round_), round_)
    terms = soft_terms(problem, build_spec(problem))
    assert set(terms) == {"min_per_lender", "max_host_share", "disruption"}
    assert terms["max_host_share"][1].tolist() == [-300, -300]
    assert terms["disruption"][1].tolist() == [200]
    hard = round_.model_copy(
        update={"policy": round_.policy.model_copy(update={"fairness": "hard"})}
    )
    problem = build_problem(compile_round(hard), hard)
    assert set(soft_terms(problem, build_spec(problem))) == {"disruption"}


def test_lexicographic_result_carries_its_placement_bound() -> None:
    round_ = generate_round(120, 30, seed=4)
    compiled = compile_round(round_)
    result = solve_auto(compiled, round_, SolveParams(time_limit=5, workers=1))
    # CP-SAT alone proves this round's optimum, 12 placements with score 6165, in a tenth
    # of a second
    assert result.status == Status.OPTIMAL
    assert result.objective is not None and result.objective.key() == (12, 6165)
    assert (result.placements, result.placement_bound) == (12, 12)
    assert result.gap == 0


def _optimum(model: cp_model.CpModel) -> float:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(model) == cp_model.OPTIMAL
    return float(solver.objective_value)


def test_fixing_every_placement_makes_each_talent_row_an_equality() -> None:
    from solvers.gap.instance import GapInstance, Sense
    from solvers.gap.problem import gap_problem

    rng = np.random.default_rng(3)
    m, n = 3, 8
    resource = rng.integers(5, 20, size=(m, n))
    # loose capacities: every job can be placed, so the placements are n
    capacity = resource.sum(axis=1) // 2
    instance = GapInstance("fixed", m, n, rng.integers(10, 50, size=(m, n)), resource, capacity)
    problem = gap_problem(instance, Sense.MIN).problem
    free = build_spec(problem)
    fixed = build_spec(problem)
    rows_before = fixed.rows.n_rows
    fix_placements(fixed, problem, problem.n_talents)
    # no row over every edge: the per-talent equalities imply the count
    assert fixed.rows.n_rows == rows_before
    talent_rows = range(fixed.tour_rows, fixed.tour_rows + fixed.tour_talents.size)
    assert fixed.tour_talents.size == n
    assert all(fixed.rows.lo[r] == fixed.rows.hi[r] == 1 for r in talent_rows)
    assert _optimum(to_cp_model(fixed)) == _optimum(to_cp_model(free))


def test_fixing_fewer_placements_than_talents_keeps_the_count_row() -> None:
    round_ = generate_round(80, 20, seed=2)
    problem = build_problem(compile_round(round_), round_)
    spec = build_spec(problem)
    optimum = _optimum(to_cp_model(spec))
    placements = int(optimum // spec.multiplier)
    assert placements == 9  # the proven optimum, well under the 80 talents
    rows_before = spec.rows.n_rows
    fix_placements(spec, problem, placements)
    assert spec.rows.n_rows == rows_before + 1
    talent_rows = range(spec.tour_rows, spec.tour_rows + spec.tour_talents.size)
    assert len(talent_rows) > 0
    assert all(spec.rows.lo[r] == 0 for r in talent_rows)
    assert _optimum(to_cp_model(spec)) == optimum


def test_small_models_get_a_highs_phase_whose_bound_and_assignment_count() -> None:
    round_ = generate_round(60, 15, seed=5)
    compiled = compile_round(round_)
    with_highs = solve_auto(
        compiled, round_, FAST, AutoOptions(relax=RelaxationOptions(lagrangian=False))
    )
    without = solve_auto(
        compiled,
        round_,
        FAST,
        AutoOptions(relax=RelaxationOptions(lagrangian=False), highs=HighsOptions(share=0.0)),
    )
    for result in (with_highs, without):
        check(result, round_, compiled)
        assert result.status == Status.OPTIMAL
    assert any(note.startswith("HiGHS phase: ") for note in with_highs.notes)
    assert not any(note.startswith("HiGHS phase") for note in without.notes)
    assert with_highs.objective is not None and without.objective is not None
    assert with_highs.objective.key() == without.objective.key()


def test_models_over_the_highs_limit_skip_the_phase() -> None:
    round_ = generate_round(60, 15, seed=5)
    compiled = compile_round(round_)
    result = solve_auto(compiled, round_, FAST, AutoOptions(highs=HighsOptions(max_vars=10)))
    check(result, round_, compiled)
    assert not any(note.startswith("HiGHS phase") for note in result.notes)


def test_a_start_assignment_is_never_lost() -> None:
    # an interrupted run resumes from its stored incumbent: a solve far too short to find
    # that assignment again still returns one at least as good
    round_ = generate_round(400, 100, seed=3)
    compiled = compile_round(round_)
    good = solve_auto(compiled, round_, SolveParams(time_limit=4, workers=1))
    check(good, round_, compiled)
    short = SolveParams(time_limit=0.05, workers=1)
    alone = solve_auto(compiled, round_, short, PLAIN)
    resumed = solve_auto(compiled, round_, dataclasses.replace(short, start=good.edges), PLAIN)
    check(resumed, round_, compiled)
    assert good.objective is not None and alone.objective is not None
    assert resumed.objective is not None
    assert alone.objective.key() < good.objective.key()
    assert resumed.objective.key() >= good.objective.key()


def test_progress_reports_carry_the_incumbents_edges() -> None:
    round_ = generate_round(200, 50, seed=4)
    compiled = compile_round(round_)
    reports: list[Progress] = []
    params = SolveParams(time_limit=2, workers=1, progress=reports.append)
    result = solve_auto(compiled, round_, params, PLAIN)
    shared = [r for r in reports if r.edges is not None]
    assert shared
    a = compiled.arrays
    for report in shared:
        assert report.edges is not None
        # each shared assignment passes the evaluator and makes the placements reported
        pairs = [
            (a.talent_ids[compiled.talent[e]], a.package_ids[compiled.package[e]])
            for e in report.edges.tolist()
        ]
        verdict = evaluate(round_, compiled, pairs)
        assert verdict.feasible
        assert report.placements in (None, verdict.objective.placements)
    assert result.objective is not None
