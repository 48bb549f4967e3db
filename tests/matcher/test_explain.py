"""Explanations of unplaced talents, each category from a tiny round built for it."""

from __future__ import annotations

import numpy as np

from matcher.compile import compile_round
from matcher.explain import (
    HOST_BUDGET,
    NO_ELIGIBLE_PACKAGE,
    OUTCOMPETED,
    SEATS_TAKEN,
    explain_unplaced,
    rule_counts_for_talent,
    summarize_reasons,
)
from matcher.models import Organization
from tests.matcher.test_evaluator import package, talent, tiny_round


def test_talent_without_eligible_package_gets_independent_rule_counts() -> None:
    young = talent("y", age=45, strengths={"audit": 1})
    round_ = tiny_round([young, talent("a")], [package("p"), package("q", region="liege")])
    compiled = compile_round(round_)
    assert rule_counts_for_talent(compiled.arrays, 0) == {
        "age": 2,
        "required_skills": 2,
        "location": 1,
    }
    reasons = explain_unplaced(compiled, compiled.edge_index(1, 0))
    assert [(r.talent, r.reason) for r in reasons] == [("y", NO_ELIGIBLE_PACKAGE)]
    assert reasons[0].text() == "no eligible package (age 2, required_skills 2, location 1)"


def test_lower_scored_talent_is_outcompeted() -> None:
    strong = talent("s", strengths={"audit": 5})
    weak = talent("w", strengths={"audit": 3})
    compiled = compile_round(tiny_round([strong, weak], [package("p")]))
    assert compiled.score[0] > compiled.score[1]
    reasons = explain_unplaced(compiled, np.array([0]))
    assert [(r.talent, r.reason, r.counts) for r in reasons] == [
        ("w", OUTCOMPETED, {OUTCOMPETED: 1})
    ]
    # had the weaker one been chosen, the stronger one lost its seat to a worse score
    assert explain_unplaced(compiled, np.array([1]))[0].reason == SEATS_TAKEN


def test_exhausted_host_budget() -> None:
    orgs = [
        Organization(id="lend", name="L", sector="finance", role="lender"),
        Organization(id="host", name="H", sector="public", role="host", hiring_budget=5000),
    ]
    tax_expert = talent("b", strengths={"tax": 4})
    round_ = tiny_round(
        [talent("a"), tax_expert],
        [package("p"), package("q", required={"tax": 3})],
        orgs=orgs,
    )
    compiled = compile_round(round_)
    assert compiled.n_edges == 2
    # a takes p for a 4000 fee; b's only package q has a free seat, but its 4000 fee no
    # longer fits the 1000 left of the host's budget
    reasons = explain_unplaced(compiled, compiled.edge_index(0, 0))
    assert [(r.talent, r.reason, r.counts) for r in reasons] == [
        ("b", HOST_BUDGET, {HOST_BUDGET: 1})
    ]
    assert summarize_reasons(reasons) == {HOST_BUDGET: 1}
