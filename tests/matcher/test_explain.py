"""Explanations of unplaced talents, each category from a tiny round built for it."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from matcher.compile import CompiledRound, compile_round
from matcher.explain import (
    HOST_BUDGET,
    LENDER_BUDGET,
    NO_ELIGIBLE_PACKAGE,
    NOT_CHOSEN,
    OUTCOMPETED,
    SEATS_TAKEN,
    SUBSIDY_POOL,
    explain_unplaced,
    rule_counts_for_talent,
    summarize_explanations,
    summarize_reasons,
)
from matcher.models import Organization, Policy
from matcher.objective import scaled
from tests.factories import make_round, org, package, talent, with_pairs


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
    (lost,) = explain_unplaced(compiled, np.array([1]))
    assert lost.reason == SEATS_TAKEN
    # no pin, no previous round, no budget: nothing held the seat but an unfinished search
    assert lost.cause == "search"
    assert lost.holders == (("w", round(float(compiled.score[1]), 3)),)
    for words in (lost.explanation(), lost.detail, lost.text()):
        assert "pin" not in words and "previous" not in words and "prior" not in words
    assert "not proven optimal" in lost.detail


def test_winners_of_the_seats_are_named_with_their_scores() -> None:
    strong = [talent(f"s{i}", strengths={"audit": 5}) for i in range(4)]
    weak = talent("w", strengths={"audit": 3})
    round_ = make_round(
        [*strong, weak],
        [package("p", title="Audit lead", required={"audit": 3}, desired={}, seats=4)],
    )
    compiled = compile_round(round_)
    (reason,) = explain_unplaced(compiled, np.arange(4), round_)
    assert (reason.talent, reason.reason, reason.package) == ("w", OUTCOMPETED, "p")
    top = round(float(compiled.score[0]), 3)
    assert reason.holders == tuple((f"s{i}", top) for i in range(4))
    assert reason.score == round(float(compiled.score[4]), 4)
    assert reason.detail == (
        f"package 'p' (Audit lead) at 'host' (its score there {compiled.score[4]:.3f}): its "
        f"seats went to 's0' (score {top:.3f}), 's1' (score {top:.3f}), 's2' (score "
        f"{top:.3f}) and 1 more"
    )


def test_a_pinned_holder_is_named_as_pinned() -> None:
    strong = talent("s", strengths={"audit": 5})
    weak = talent("w", strengths={"audit": 3})
    round_ = make_round([strong, weak], [package("p", required={"audit": 3}, desired={})])
    round_ = with_pairs(round_, pins=[("w", "p")])
    compiled = compile_round(round_)
    (reason,) = explain_unplaced(compiled, np.array([1]), round_)
    assert (reason.talent, reason.reason, reason.cause) == ("s", SEATS_TAKEN, "pinned")
    assert reason.explanation() == "its seats went to lower-scored talents pinned there"
    assert "its seat went to 'w' (score " in reason.detail
    assert reason.detail.endswith(", pinned there")
    # in the same round after an accepted previous placement instead of a pin
    kept = with_pairs(round_, pins=[], previous=[("w", "p", "accepted")])
    (reason,) = explain_unplaced(compile_round(kept), np.array([1]), kept)
    assert reason.cause == "accepted"
    assert "accepted" in reason.explanation() and "pin" not in reason.explanation()


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
    assert (reasons[0].left, reasons[0].needed) == (1000, 4000)


def _budget_round(**budgets: float) -> tuple[list[Organization], list[Organization]]:
    """Lenders ``lend`` and ``lend2`` and hosts ``host`` and ``host2``: ``host`` has the
    hiring budget ``host``, ``lend`` the top-up budget ``lend``."""
    lenders = [
        Organization(
            id="lend",
            name="Bank",
            sector="finance",
            role="lender",
            topup_budget=budgets.get("lend"),
        ),
        Organization(id="lend2", name="Insurer", sector="insurance", role="lender"),
    ]
    hosts = [
        Organization(
            id="host", name="City", sector="public", role="host", hiring_budget=budgets.get("host")
        ),
        Organization(id="host2", name="School", sector="education", role="host"),
    ]
    return lenders, hosts


def test_a_binding_host_budget_with_a_free_seat_is_the_main_reason() -> None:
    lenders, hosts = _budget_round(host=6000)
    # a: on p (host, 4000 fee) and on q (host2), where b scores better;
    # b: only q; c: only r (host, 3000 fee): with b on q and c on r, 3000 is left at host
    a = talent("a", strengths={"audit": 4, "tax": 3}, salary=4000)
    b = talent("b", lender="lend2", strengths={"tax": 5}, salary=4000)
    c = talent("c", lender="lend2", strengths={"law": 4}, salary=3000)
    round_ = make_round(
        [a, b, c],
        [
            package("p", title="Audit lead", required={"audit": 3}, desired={}),
            package("q", host="host2", required={"tax": 3}, desired={}),
            package("r", required={"law": 3}, desired={}),
        ],
        lenders + hosts,
    )
    compiled = compile_round(round_)
    chosen = compiled.edge_index(np.array([1, 2]), np.array([1, 2]))
    (reason,) = explain_unplaced(compiled, chosen, round_)
    # most of its packages went to better-scored talents, but the budget is what binds
    assert reason.counts == {OUTCOMPETED: 1, HOST_BUDGET: 1}
    assert (reason.talent, reason.reason, reason.package) == ("a", HOST_BUDGET, "p")
    assert (reason.left, reason.needed) == (3000, 4000)
    assert reason.detail == (
        f"package 'p' (Audit lead) at 'host' (City) (its score there {compiled.score[0]:.3f}) "
        "had a free seat, but the host's hiring budget has 3,000 left per month and the fee "
        "would be 4,000"
    )
    assert reason.explanation() == "a seat was free, but the host's hiring budget was used up"


def test_lender_budget_and_subsidy_pool_amounts() -> None:
    lenders, hosts = _budget_round(lend=2000)
    # salary 7000, fee cap 5000: the top-up is 2000, 30% of it (600) from the subsidy
    round_ = make_round(
        [talent("a", salary=7000), talent("b", salary=7000)],
        [package("p"), package("q", host="host2")],
        lenders + hosts,
        policy=Policy(subsidy_share=0.3, subsidy_pool=1000),
    )
    compiled = compile_round(round_)
    assert (compiled.topup[0], compiled.subsidy[0]) == (1400, 600)
    # b on q leaves the lender 600 of its 2000 and the pool 400 of its 1000
    chosen = compiled.edge_index(np.array([1]), np.array([1]))
    (reason,) = explain_unplaced(compiled, chosen, round_)
    assert (reason.talent, reason.reason, reason.package) == ("a", LENDER_BUDGET, "p")
    assert reason.counts == {OUTCOMPETED: 1, LENDER_BUDGET: 1}
    assert (reason.left, reason.needed) == (600, 1400)
    assert (
        "had a free seat, but its lender 'lend' (Bank)'s top-up budget has 600 left per month "
        "and the top-up would be 1,400; and the subsidy pool has 400 left per month and the "
        "subsidy would be 600"
    ) in reason.detail
    # without a lender budget, the pool is what binds
    lenders, hosts = _budget_round()
    pooled = round_.model_copy(update={"organizations": lenders + hosts})
    (reason,) = explain_unplaced(compile_round(pooled), chosen, pooled)
    assert (reason.reason, reason.left, reason.needed) == (SUBSIDY_POOL, 400, 600)
    assert reason.detail.endswith(
        "had a free seat, but the subsidy pool has 400 left per month and the subsidy would be 600"
    )


def test_seats_taken_by_a_cheaper_talent_name_the_budget() -> None:
    lenders, hosts = _budget_round(host=4500)
    expensive = talent("x", strengths={"audit": 5}, salary=4000)
    cheap = talent("y", lender="lend2", strengths={"audit": 3}, salary=3000)
    other = talent("z", lender="lend2", strengths={"law": 4}, salary=1000)
    round_ = make_round(
        [expensive, cheap, other],
        [package("p", required={"audit": 3}, desired={}), package("r", required={"law": 3})],
        lenders + hosts,
    )
    compiled = compile_round(round_)
    assert compiled.n_edges == 3
    assert scaled(compiled.score[0]) > scaled(compiled.score[1])
    (reason,) = explain_unplaced(compiled, np.array([1, 2]), round_)
    assert (reason.talent, reason.reason, reason.cause) == ("x", SEATS_TAKEN, "host_budget")
    # y's 3000 and z's 1000 leave 500 of the 4500; x would cost 1000 more than y
    assert (reason.left, reason.needed) == (500, 1000)
    assert reason.detail.endswith(
        "its seat went to 'y' (score "
        f"{compiled.score[1]:.3f}) at a fee of 3,000; the host would pay 1,000 more per month "
        "and its hiring budget has 500 left"
    )
    assert "pin" not in reason.explanation()


def test_a_free_seat_within_every_budget_is_the_search_or_the_host_share() -> None:
    round_ = make_round([talent("a"), talent("b")], [package("p"), package("q")])
    compiled = compile_round(round_)
    chosen = compiled.edge_index(np.array([1]), np.array([1]))
    (reason,) = explain_unplaced(compiled, chosen, round_)
    assert (reason.reason, reason.cause, reason.package) == (NOT_CHOSEN, "search", "p")
    assert "tours" not in reason.explanation() and "fairness" not in reason.explanation()
    # b on q and c on r: the host already has half the placements
    share = make_round(
        [talent("a"), talent("b"), talent("c")],
        [package("p"), package("q"), package("r", host="host2")],
        [org("lend"), org("host"), org("host2")],
        policy=Policy(max_host_share=0.5, fairness="hard"),
    )
    compiled = compile_round(share)
    chosen = compiled.edge_index(np.array([1, 2]), np.array([1, 2]))
    assert (chosen >= 0).all()
    (reason,) = explain_unplaced(compiled, chosen, share)
    assert (reason.reason, reason.cause, reason.package) == (NOT_CHOSEN, "host_share", "p")
    assert "the host has 1 of the 2 placements, the most its share of 50.0% allows" in (
        reason.detail
    )
    assert summarize_explanations([reason]) == {
        "a seat was free, but the host has its maximum share of placements": 1
    }


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
                    scaled(compiled.score[c]) for c in chosen.tolist() if compiled.package[c] == p
                )
                counts[OUTCOMPETED if weakest >= scaled(compiled.score[e]) else SEATS_TAKEN] += 1
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
