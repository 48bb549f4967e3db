"""Every solve method by name: results pass the evaluator and carry the method's name;
stable ones have no blocking pair; a round whose budgets rule out every stable matching gets
the nearest matching."""

from __future__ import annotations

import pytest

from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.models import Organization
from matcher.preferences import build_preferences
from matcher.roundio import load_round
from matcher.stability import audit_matching
from solvers.registry import METHODS
from solvers.result import SolveParams
from tests.checks import brute_force
from tests.factories import PILOT, make_round, package, talent

PARAMS = SolveParams(time_limit=5, workers=1)


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_passes_the_evaluator_on_the_pilot(method: str) -> None:
    round_ = load_round(PILOT)
    if method == "flow":
        round_ = round_.model_copy(
            update={
                "organizations": [
                    o.model_copy(update={"topup_budget": None, "hiring_budget": None})
                    for o in round_.organizations
                ]
            }
        )
    compiled = compile_round(round_)
    result = METHODS[method](compiled, round_, PARAMS)
    assert result.status.has_solution
    if method in ("cpsat", "flow", "greedy", "highs"):
        assert result.solver == method
    if method == "auto":
        # the pilot is seat-only: the portfolio hands it to the min-cost flow
        assert result.solver == "flow"
    evaluation = evaluate(round_, compiled, result.pairs(compiled))
    assert evaluation.feasible, evaluation.violations
    assert result.objective is not None
    assert result.objective.key() == evaluation.objective.key()
    # every method finds the optimum (3 placements; score 1952, or 2141 without budgets,
    # when chloe may take school-analytics), as enumeration confirms
    best = brute_force(round_, compiled)
    assert best is not None and result.objective.key() == best.key()
    assert best.key() == (3, 2141 if method == "flow" else 1952)
    if method in ("da", "da-packages", "stable"):
        assert audit_matching(build_preferences(compiled), result.edges).blocking == 0


def test_stable_falls_back_to_fewest_blocking_pairs_when_budgets_forbid_stability() -> None:
    # both talents want p, and p ranks a first; q takes b only if the host can pay twice,
    # but its budget pays one fee: a-p leaves (b, q) blocking, b-q leaves (a, p) blocking
    orgs = [
        Organization(id="lend", name="L", sector="finance", role="lender"),
        Organization(id="host", name="H", sector="public", role="host", hiring_budget=5000),
    ]
    round_ = make_round(
        [
            talent("a", preferences=["p", "q"], salary=6000),
            talent("b", preferences=["p", "q"], salary=6000),
        ],
        [
            package("p", ranking=["a", "b"], fee_cap=4000),
            package("q", ranking=["a", "b"], fee_cap=4000),
        ],
        orgs,
    )
    compiled = compile_round(round_)
    result = METHODS["stable"](compiled, round_, PARAMS)
    assert result.status.has_solution
    assert "no stable matching respects the budgets and pins" in result.notes[0]
    assert "host budget of 'host'" in result.conflicts
    assert evaluate(round_, compiled, result.pairs(compiled)).feasible
    assert audit_matching(build_preferences(compiled), result.edges).blocking == 1
