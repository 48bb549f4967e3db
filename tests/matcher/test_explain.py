"""Explanations of unplaced talents, each category from a tiny round built for it."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from matcher.compile import CompiledRound, compile_round
from matcher.explain import (
    HOST_BUDGET,
    LENDER_BUDGET,
    NO_ELIGIBLE_PACKAGE,
    OUTCOMPETED,
    SEATS_TAKEN,
    explain_unplaced,
    rule_counts_for_talent,
    summarize_reasons,
)
from matcher.models import Organization
from tests.factories import make_round, package, talent


def test_talent_without_eligible_package_gets_rule_counts() -> None:
    young = talent("y", age=45, strengths={"audit": 1})
    far = talent("f", strengths={"audit": 1}, region="liege")
    auditor = talent("a", strengths={"audit": 4})
    round_ = make_round(
        [young, auditor, far],
        [
            package("p", required={"audit": 3}, desired={}),
            package("q", required={"audit": 3}, desired={}, region="liege"),
        ],
    )
    compiled = compile_round(round_)
    # each rule on its own, for the deep dive of one talent
    assert rule_counts_for_talent(compiled.arrays, 0) == {
        "age": 2,
        "required_skills": 2,
        "location": 1,
    }
    reasons = explain_unplaced(compiled, compiled.edge_index(1, 0))
    assert [(r.talent, r.reason) for r in reasons] == [
        ("y", NO_ELIGIBLE_PACKAGE),
        ("f", NO_ELIGIBLE_PACKAGE),
    ]
    # in a batch, each package counts under the first rule it fails
    assert reasons[0].text() == "no eligible package (age 2)"
    assert reasons[1].counts == {"location": 1, "required_skills": 1}


def test_lower_scored_talent_is_outcompeted() -> None:
    strong = talent("s", strengths={"audit": 5})
    weak = talent("w", strengths={"audit": 3})
    compiled = compile_round(
        make_round([strong, weak], [package("p", required={"audit": 3}, desired={})])
    )
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
    auditor = talent("a", strengths={"audit": 4}, salary=6000)
    tax_expert = talent("b", strengths={"tax": 4}, salary=6000)
    round_ = make_round(
        [auditor, tax_expert],
        [
            package("p", required={"audit": 3}, desired={}, fee_cap=4000),
            package("q", required={"tax": 3}, desired={}, fee_cap=4000),
        ],
        orgs,
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


def _reference_reasons(compiled: CompiledRound, chosen: np.ndarray) -> dict[str, dict[str, int]]:
    """One edge at a time, the plain way."""
    a = compiled.arrays
    placed = set(compiled.talent[chosen].tolist())
    used = Counter(compiled.package[chosen].tolist())
    fees: defaultdict[int, float] = defaultdict(float)
    topups: defaultdict[int, float] = defaultdict(float)
    for e in chosen.tolist():
        fees[int(a.package_host[compiled.package[e]])] += float(compiled.host_fee[e])
        topups[int(a.talent_lender[compiled.talent[e]])] += float(compiled.topup[e])
    out = {}
    for t in range(a.n_talents):
        if t in placed:
            continue
        counts: Counter[str] = Counter()
        for e in range(compiled.n_edges):
            if compiled.talent[e] != t:
                continue
            p = int(compiled.package[e])
            host, lender = int(a.package_host[p]), int(a.talent_lender[t])
            if used[p] >= a.package_seats[p]:
                weakest = min(
                    float(compiled.score[c]) for c in chosen.tolist() if compiled.package[c] == p
                )
                counts[OUTCOMPETED if weakest >= compiled.score[e] else SEATS_TAKEN] += 1
            elif compiled.host_fee[e] > a.org_hiring_budget[host] - fees[host] + 1e-6:
                counts[HOST_BUDGET] += 1
            elif compiled.topup[e] > a.org_topup_budget[lender] - topups[lender] + 1e-6:
                counts[LENDER_BUDGET] += 1
            else:
                counts["not_chosen"] += 1
        if counts:
            out[a.talent_ids[t]] = dict(counts)
    return out


def test_vectorized_reasons_match_a_plain_reference_on_a_generated_round() -> None:
    from matcher.generator import generate_round

    compiled = compile_round(generate_round(150, 40, seed=3))
    rng = np.random.default_rng(0)
    # a deliberately arbitrary (not optimal) choice: one edge per package at most
    first = np.unique(compiled.package, return_index=True)[1]
    chosen = np.sort(rng.choice(first, size=first.size // 2, replace=False))
    chosen = chosen[np.unique(compiled.talent[chosen], return_index=True)[1]]
    expected = _reference_reasons(compiled, chosen)
    got = {
        r.talent: r.counts
        for r in explain_unplaced(compiled, chosen)
        if r.reason != "no_eligible_package"
    }
    assert got == expected
    assert expected  # the round leaves eligible talents unplaced
