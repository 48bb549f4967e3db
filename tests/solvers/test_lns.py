"""Large-neighbourhood search: never worse than its start, always valid, and its options."""

from __future__ import annotations

import time

import numpy as np
import pytest

from matcher.compile import CompiledRound, compile_round
from matcher.generator import generate_round
from matcher.models import Round
from solvers.auto.options import AutoOptions, SearchOptions
from solvers.auto.solve import solve_auto
from solvers.backends.cpsat import solve_sub
from solvers.checks import objective_of, violated_groups
from solvers.greedy import greedy_assign, greedy_order
from solvers.lns import improve
from solvers.lns_options import LnsOptions
from solvers.problem import build_problem
from solvers.result import Result, SolveParams, Status
from tests.checks import check
from tests.factories import EVERY_RULE


def full_round(seed: int = 3) -> tuple[Round, CompiledRound]:
    round_ = generate_round(120, 30, seed=seed, policy=EVERY_RULE)
    return round_, compile_round(round_)


def test_improve_never_worsens_and_passes_the_evaluator() -> None:
    round_, compiled = full_round()
    problem = build_problem(compiled, round_)
    start, _ = greedy_assign(problem, greedy_order(problem))
    assert not violated_groups(problem, np.flatnonzero(start))
    before = objective_of(problem, np.flatnonzero(start))
    options = LnsOptions(start_free=200, min_free=50, sub_time=0.3, workers=1)
    found = improve(problem, start, time.perf_counter() + 2.0, solve_sub, seed=1, options=options)
    assert found.iterations > 0
    assert found.objective.key() >= before.key()
    assert found.objective == objective_of(problem, np.flatnonzero(found.chosen))
    result = Result(
        solver="lns",
        status=Status.FEASIBLE,
        edges=np.flatnonzero(found.chosen).astype(np.int64),
        objective=found.objective,
        bound=None,
        wall_time=0.0,
    )
    check(result, round_, compiled)


def test_moves_between_sub_solves_keep_the_result_valid() -> None:
    round_, compiled = full_round(seed=7)
    problem = build_problem(compiled, round_)
    # a poor start, so that the local search has moves to make
    order = np.random.default_rng(0).permutation(greedy_order(problem)).astype(np.int64)
    start, _ = greedy_assign(problem, order)
    assert not violated_groups(problem, np.flatnonzero(start))
    before = objective_of(problem, np.flatnonzero(start))
    options = LnsOptions(start_free=100, min_free=30, sub_time=0.2, workers=1)
    found = improve(problem, start, time.perf_counter() + 1.0, solve_sub, seed=2, options=options)
    assert found.moves > 0
    assert found.objective.key() > before.key()
    edges = np.flatnonzero(found.chosen)
    assert violated_groups(problem, edges) == []
    assert found.objective == objective_of(problem, edges)
    result = Result(
        solver="lns",
        status=Status.FEASIBLE,
        edges=edges.astype(np.int64),
        objective=found.objective,
        bound=None,
        wall_time=0.0,
    )
    check(result, round_, compiled)


def test_improve_stops_when_asked() -> None:
    round_, compiled = full_round()
    problem = build_problem(compiled, round_)
    start, _ = greedy_assign(problem, greedy_order(problem))
    stop = lambda _objective, _chosen: True  # noqa: E731
    found = improve(problem, start, time.perf_counter() + 10, solve_sub, stop=stop)
    assert found.iterations == 0
    assert np.array_equal(found.chosen, start)


def test_improve_ends_once_it_has_gone_its_patience_without_improving() -> None:
    round_, compiled = full_round()
    problem = build_problem(compiled, round_)
    start, _ = greedy_assign(problem, greedy_order(problem))
    options = LnsOptions(local_search=False)
    began = time.perf_counter()
    found = improve(problem, start, began + 30, solve_sub, options=options, patience=0.0)
    assert found.iterations == 0
    assert time.perf_counter() - began < 5
    assert np.array_equal(found.chosen, start)


def test_improve_rejects_an_infeasible_start() -> None:
    round_, compiled = full_round()
    problem = build_problem(compiled, round_)
    everything = ~problem.dead
    with pytest.raises(ValueError, match="feasible"):
        improve(problem, everything, time.perf_counter() + 1, solve_sub)


def test_solve_path_with_search_passes_the_evaluator() -> None:
    round_, compiled = full_round(seed=5)
    options = AutoOptions(search=SearchOptions(min_edges=0, share=0.8))
    result = solve_auto(compiled, round_, SolveParams(time_limit=3, workers=1), options)
    assert result.status.has_solution
    check(result, round_, compiled)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"min_free": 0}, "min_free"),
        ({"start_free": 10, "min_free": 20}, "min_free"),
        ({"grow": 1.0}, "grow"),
        ({"sub_time": 0.0}, "sub_time"),
        ({"local_share": 1.5}, "local_share"),
    ],
)
def test_options_are_checked(fields: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LnsOptions(**fields)  # type: ignore[arg-type]


def test_parallel_sub_solves_never_worsen_and_stay_valid() -> None:
    round_, compiled = full_round(5)
    problem = build_problem(compiled, round_)
    start, _ = greedy_assign(problem, greedy_order(problem))
    before = objective_of(problem, np.flatnonzero(start))
    options = LnsOptions(start_free=200, min_free=50, sub_time=0.3, workers=2)
    found = improve(problem, start, time.perf_counter() + 2.0, solve_sub, seed=3, options=options)
    edges = np.flatnonzero(found.chosen)
    assert violated_groups(problem, edges) == []
    assert found.objective == objective_of(problem, edges)
    assert found.objective.key() >= before.key()
    assert found.iterations >= 2


def test_an_error_in_a_thread_reaches_the_caller() -> None:
    round_, compiled = full_round()
    problem = build_problem(compiled, round_)
    start, _ = greedy_assign(problem, greedy_order(problem))

    def failing(*_: object) -> None:
        raise RuntimeError("sub-solver failed")

    options = LnsOptions(local_search=False, workers=2)
    with pytest.raises(RuntimeError, match="sub-solver failed"):
        improve(problem, start, time.perf_counter() + 5.0, failing, options=options)


class _Partner:
    """A partner search that hands over one assignment and records what it is sent."""

    def __init__(self, theirs: np.ndarray | None) -> None:
        self.theirs = theirs
        self.sent: list[np.ndarray] = []

    def receive(self) -> np.ndarray | None:
        theirs, self.theirs = self.theirs, None
        return theirs

    def send(self, chosen: np.ndarray) -> None:
        self.sent.append(chosen.copy())


def _optimum(round_: Round, compiled: CompiledRound) -> np.ndarray:
    result = solve_auto(compiled, round_, SolveParams(time_limit=10.0, workers=2, seed=0))
    assert result.status == Status.OPTIMAL
    chosen = np.zeros(compiled.n_edges, dtype=bool)
    chosen[result.edges] = True
    return chosen


def test_a_better_solution_from_the_partner_is_taken() -> None:
    round_, compiled = full_round(seed=7)
    problem = build_problem(compiled, round_)
    # a poor start, so that the partner's optimum is better
    order = np.random.default_rng(0).permutation(greedy_order(problem)).astype(np.int64)
    start, _ = greedy_assign(problem, order)
    optimum = _optimum(round_, compiled)
    best = objective_of(problem, np.flatnonzero(optimum))
    assert best.key() > objective_of(problem, np.flatnonzero(start)).key()
    partner = _Partner(optimum)
    options = LnsOptions(start_free=200, min_free=50, sub_time=0.3, workers=1)
    found = improve(
        problem, start, time.perf_counter() + 1.0, solve_sub, options=options, partner=partner
    )
    assert found.received == 1
    assert found.objective == best
    # nothing better than the partner's own solution to send it
    assert partner.sent == []


def test_an_invalid_solution_from_the_partner_is_refused() -> None:
    round_, compiled = full_round()
    problem = build_problem(compiled, round_)
    start, _ = greedy_assign(problem, greedy_order(problem))
    # every edge at once breaks the seats and tours
    partner = _Partner(~problem.dead)
    options = LnsOptions(start_free=200, min_free=50, sub_time=0.3, workers=1)
    found = improve(
        problem, start, time.perf_counter() + 1.0, solve_sub, options=options, partner=partner
    )
    assert found.received == 0
    assert not violated_groups(problem, np.flatnonzero(found.chosen))


def test_the_partner_is_sent_the_start_then_each_better_best() -> None:
    round_, compiled = full_round(seed=7)
    problem = build_problem(compiled, round_)
    order = np.random.default_rng(0).permutation(greedy_order(problem)).astype(np.int64)
    start, _ = greedy_assign(problem, order)
    partner = _Partner(None)
    options = LnsOptions(start_free=200, min_free=50, sub_time=0.3, workers=2)
    found = improve(
        problem, start, time.perf_counter() + 2.0, solve_sub, options=options, partner=partner
    )
    assert found.improvements + found.moves > 0
    np.testing.assert_array_equal(partner.sent[0], start)
    keys = [objective_of(problem, np.flatnonzero(sent)).key() for sent in partner.sent]
    assert keys == sorted(set(keys))
    # the last best is sent before the search ends
    np.testing.assert_array_equal(partner.sent[-1], found.chosen)
