"""The greedy baseline: always sound, fast, and honest about what it could not meet."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings

from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Policy, Round
from matcher.roundio import load_round
from solvers.greedy import solve_greedy
from solvers.result import Status
from tests.checks import brute_force, check
from tests.factories import PILOT, PILOT_PLACEMENTS, tiny_rounds


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(round_=tiny_rounds())
def test_greedy_is_sound(round_: Round) -> None:
    compiled = compile_round(round_)
    result = solve_greedy(compiled, round_)
    check(result, round_, compiled)
    best = brute_force(round_, compiled)
    if result.status == Status.INFEASIBLE:
        assert best is None
        assert result.conflicts
    elif result.status == Status.UNKNOWN:
        # the greedy could not meet a fairness rule; its edges are reported, not claimed
        verdict = evaluate(round_, compiled, result.pairs(compiled))
        assert not verdict.feasible
        assert result.notes
    else:
        assert best is not None and result.objective is not None
        assert result.objective.key() <= best.key()


def test_greedy_on_the_pilot() -> None:
    round_ = load_round(PILOT)
    compiled = compile_round(round_)
    result = solve_greedy(compiled, round_)
    check(result, round_, compiled)
    assert result.status == Status.FEASIBLE
    # the pilot's four eligible pairs allow three placements; the greedy finds the optimum,
    # the assignment whose split and KPIs test_evaluator computes by hand
    assert result.placements == 3
    assert result.pairs(compiled) == PILOT_PLACEMENTS
    best = brute_force(round_, compiled)
    assert best is not None and best.key() == (3, 1952)
    assert result.objective is not None and result.objective.key() == best.key()


def test_greedy_meets_a_hard_host_share_when_it_can() -> None:
    round_ = generate_round(300, 75, seed=3, policy=Policy(max_host_share=0.2, fairness="hard"))
    compiled = compile_round(round_)
    result = solve_greedy(compiled, round_)
    check(result, round_, compiled)
    assert result.status == Status.FEASIBLE


def test_greedy_is_fast_on_large_rounds() -> None:
    round_ = generate_round(5000, 1000, seed=1, policy=Policy(top_k=30))
    compiled = compile_round(round_)
    started = time.perf_counter()
    result = solve_greedy(compiled, round_)
    elapsed = time.perf_counter() - started
    assert result.status == Status.FEASIBLE
    # about 2 microseconds per edge; generous for a loaded machine
    assert elapsed < 1.0 + compiled.n_edges * 10e-6
