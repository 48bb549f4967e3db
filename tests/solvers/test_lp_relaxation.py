"""The linear relaxation by column generation: its bound holds against CP-SAT's proven
optimum (at the LP optimum and at the duals of a first, partial program), its value is the
LP optimum over every edge, and its prices feed the core."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog  # type: ignore[import-untyped]

import solvers.lp_relaxation as lp_module
from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import Policy
from solvers.backends.highs import constraint_matrix
from solvers.core import reduced_costs
from solvers.lp_relaxation import lp_relaxation
from solvers.model.build import build_spec
from solvers.problem import Problem, build_problem
from tests.checks import full_round_problem, proven_optimum


def _wide_problem(seed: int) -> Problem:
    """A round with budgets and many candidates per talent (more than the first program
    takes), weighted."""
    policy = Policy(
        rules={"location": False, "languages": False, "availability": False},
        subsidy_share=0.3,
        subsidy_pool=6_000.0,
        min_per_lender=2,
        fairness="soft",
        objective="weighted",
    )
    round_ = generate_round(60, 15, seed=seed, policy=policy)
    return build_problem(compile_round(round_), round_)


def _full_lp(problem: Problem) -> float:
    """The LP optimum over every edge, solved directly, in combined units."""
    spec = build_spec(problem)
    rows = constraint_matrix(spec)
    upper = np.isfinite(rows.ub)
    lower = np.isfinite(rows.lb)
    a = rows.A.tocsr()
    outcome = linprog(
        -spec.objective_coef.astype(np.float64),
        A_ub=np.vstack([a[upper].toarray(), -a[lower].toarray()]),
        b_ub=np.concatenate([rows.ub[upper], -rows.lb[lower]]),
        bounds=np.column_stack([spec.lo, spec.hi]),
        method="highs",
    )
    assert outcome.status == 0
    return -float(outcome.fun) + spec.objective_offset - spec.shift


@pytest.mark.parametrize(
    ("seed", "objective", "fairness", "tours"),
    [
        (1, "weighted", "soft", 1),
        (4, "weighted", "soft", 1),
        (2, "weighted", "hard", 1),
        (3, "weighted", "soft", 2),
        (1, "lexicographic", "soft", 1),
        (5, "lexicographic", "soft", 2),
    ],
)
def test_the_bound_holds_against_the_proven_optimum(
    seed: int, objective: str, fairness: str, tours: int
) -> None:
    problem = full_round_problem(seed, objective, fairness, tours)
    optimum = proven_optimum(problem)
    relaxation = lp_relaxation(problem, build_spec(problem), 10.0)
    assert relaxation is not None
    assert relaxation.complete
    assert relaxation.bound >= optimum
    # at the LP optimum the bound is the LP value (up to float rounding)
    assert relaxation.bound <= relaxation.value + 1e-6 * abs(relaxation.value) + 1
    # the prices give the bound back through the core's separable relaxation
    _, separable = reduced_costs(problem, relaxation.priced_weight, relaxation.credit)
    assert separable == pytest.approx(relaxation.bound, rel=1e-9, abs=1.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_column_generation_reaches_the_lp_optimum_over_every_edge(seed: int) -> None:
    problem = _wide_problem(seed)
    per_talent = np.bincount(problem.talent, minlength=problem.n_talents)
    assert per_talent.max() > lp_module.START_PER_TALENT, "the first program must leave edges out"
    relaxation = lp_relaxation(problem, build_spec(problem), 10.0)
    assert relaxation is not None
    assert relaxation.complete
    assert relaxation.columns < problem.n_edges
    assert relaxation.value == pytest.approx(_full_lp(problem), rel=1e-7)


def test_the_bound_of_a_first_partial_program_still_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _wide_problem(4)
    optimum = proven_optimum(problem)
    monkeypatch.setattr(lp_module, "START_PER_TALENT", 1)
    relaxation = lp_relaxation(problem, build_spec(problem), 10.0, max_programs=1)
    assert relaxation is not None
    assert relaxation.solves == 1
    assert not relaxation.complete
    assert relaxation.bound >= optimum
    assert relaxation.bound > _full_lp(problem)
