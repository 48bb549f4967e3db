"""Deferred acceptance against a textbook implementation, brute-force stability and
optimality over all stable matchings, and as a solver on whole rounds."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.models import Pair, Policy
from matcher.preferences import Preferences, ProposalLists, Side, build_preferences
from matcher.stability import audit_matching
from solvers.budget_repair import budget_breaches, fit_budgets
from solvers.da_budgets import solve_da_within_budgets, within_budgets, without
from solvers.deferred_acceptance import deferred_acceptance, propose, solve_deferred_acceptance
from solvers.problem import build_problem
from solvers.result import Status
from tests.checks import check, pair_list
from tests.references import SIDES, brute_force_blocking, market_round, stable_matchings

# ---------------------------------------------------------------- references


def textbook_talent_proposing(prefs: Preferences) -> list[int]:
    """Gale-Shapley, one proposal at a time from a queue of free talents."""
    lists = {t: prefs.talent_list(t).tolist() for t in range(prefs.n_talents)}
    next_choice = dict.fromkeys(lists, 0)
    holding: dict[int, list[int]] = {p: [] for p in range(prefs.n_packages)}
    free = deque(lists)
    while free:
        t = free.popleft()
        if next_choice[t] == len(lists[t]):
            continue
        e = lists[t][next_choice[t]]
        next_choice[t] += 1
        p = int(prefs.package[e])
        holding[p].append(e)
        if len(holding[p]) > prefs.seats[p]:
            worst = max(holding[p], key=lambda x: int(prefs.package_rank[x]))
            holding[p].remove(worst)
            free.append(int(prefs.talent[worst]))
    return sorted(e for held in holding.values() for e in held)


def textbook_package_proposing(prefs: Preferences) -> list[int]:
    """Packages offer their free seats down their lists; a talent keeps its best offer."""
    offers = {p: deque(prefs.package_list(p).tolist()) for p in range(prefs.n_packages)}
    count = dict.fromkeys(offers, 0)
    held: dict[int, int] = {}
    queue = deque(offers)
    while queue:
        p = queue.popleft()
        while count[p] < prefs.seats[p] and offers[p]:
            e = offers[p].popleft()
            t = int(prefs.talent[e])
            current = held.get(t)
            if current is None or prefs.talent_rank[e] < prefs.talent_rank[current]:
                held[t] = e
                count[p] += 1
                if current is not None:
                    loser = int(prefs.package[current])
                    count[loser] -= 1
                    queue.append(loser)
    return sorted(held.values())


def random_preferences(
    seed: int, n_talents: int, n_packages: int, *, density: float = 0.7, max_seats: int = 3
) -> Preferences:
    """Random edges (a share ``density`` of all pairs), random strict orders, some partners
    unacceptable to one side, seats from 0 to ``max_seats``."""
    rng = np.random.default_rng(seed)
    t, p = np.meshgrid(np.arange(n_talents), np.arange(n_packages), indexing="ij")
    keep = rng.random(t.size) < density
    t, p = t.ravel()[keep], p.ravel()[keep]
    tkey = np.where(rng.random(t.size) < 0.1, np.inf, rng.random(t.size))
    pkey = np.where(rng.random(t.size) < 0.1, np.inf, rng.integers(0, 4, t.size))  # ties
    seats = rng.integers(0, max_seats + 1, n_packages)
    return Preferences.from_keys(t, p, tkey, pkey, seats, n_talents)


def talent_ranks(prefs: Preferences, edges: list[int]) -> list[int]:
    """Each talent's rank of its partner; unplaced talents rank after everything."""
    ranks = [10**6] * prefs.n_talents
    for e in edges:
        ranks[int(prefs.talent[e])] = int(prefs.talent_rank[e])
    return ranks


# ---------------------------------------------------------------- the engine


@pytest.mark.parametrize("seed", range(25))
def test_equals_textbook_both_sides(seed: int) -> None:
    rng = np.random.default_rng(seed)
    prefs = random_preferences(seed, int(rng.integers(1, 40)), int(rng.integers(1, 12)))
    talents = deferred_acceptance(prefs, "talents")
    packages = deferred_acceptance(prefs, "packages")
    assert talents.tolist() == textbook_talent_proposing(prefs)
    assert packages.tolist() == textbook_package_proposing(prefs)
    for edges in (talents, packages):
        assert audit_matching(prefs, edges).blocking == 0
        assert not brute_force_blocking(prefs, edges.tolist())
        assert np.bincount(prefs.talent[edges], minlength=prefs.n_talents).max(initial=0) <= 1
        per_package = np.bincount(prefs.package[edges], minlength=prefs.n_packages)
        assert (per_package <= prefs.seats).all()


@pytest.mark.parametrize("seed", range(30))
def test_talent_optimal_and_package_optimal_among_all_stable_matchings(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    prefs = random_preferences(
        seed, int(rng.integers(1, 6)), int(rng.integers(1, 4)), density=0.9, max_seats=2
    )
    stable = stable_matchings(prefs)
    talents = deferred_acceptance(prefs, "talents").tolist()
    packages = deferred_acceptance(prefs, "packages").tolist()
    assert talents in stable and packages in stable
    best = talent_ranks(prefs, talents)
    worst = talent_ranks(prefs, packages)
    for matching in stable:
        ranks = talent_ranks(prefs, matching)
        # every talent gets its best stable partner from talent-proposing DA, and its worst
        # from package-proposing DA; the placed talents are the same in all (rural hospitals)
        assert all(b <= r <= w for b, r, w in zip(best, ranks, worst, strict=True))
        assert sorted(prefs.talent[matching]) == sorted(prefs.talent[talents])


@pytest.mark.parametrize("seed", range(10))
def test_bulk_rounds_sequential_tail_and_windows_agree(seed: int) -> None:
    rng = np.random.default_rng(seed)
    prefs = random_preferences(seed, int(rng.integers(1, 300)), int(rng.integers(1, 40)))
    for side in SIDES:
        lists, _ = prefs.proposals(side)
        results = {
            tuple(propose(lists, window=w, sequential_below=b).tolist())
            for w in (1, 4, 4096)
            for b in (0, 16, 10**9)  # bulk only, the default mix, one by one only
        }
        assert len(results) == 1
    with pytest.raises(ValueError, match="window"):
        propose(lists, window=0)


def test_complete_lists_with_scarce_seats_leave_the_rest_unplaced() -> None:
    # 200 talents, 20 packages of 3 seats: 60 placed, 140 walk their whole list
    rng = np.random.default_rng(3)
    t, p = np.meshgrid(np.arange(200), np.arange(20), indexing="ij")
    prefs = Preferences.from_keys(
        t.ravel(), p.ravel(), rng.random(4000), rng.random(4000), np.full(20, 3), 200
    )
    edges = deferred_acceptance(prefs)
    assert edges.size == 60
    assert edges.tolist() == textbook_talent_proposing(prefs)


def test_empty_and_degenerate_inputs() -> None:
    empty = np.zeros(0, dtype=np.int64)
    prefs = Preferences.from_keys(empty, empty, empty, empty, np.array([1, 2]), n_talents=3)
    assert deferred_acceptance(prefs).size == 0
    assert deferred_acceptance(prefs, "packages").size == 0
    lists = ProposalLists(
        start=np.zeros(1, dtype=np.int64),
        receiver=np.zeros(0, dtype=np.int32),
        receiver_rank=np.zeros(0, dtype=np.int32),
        quota=np.zeros(0, dtype=np.int32),
        capacity=np.zeros(0, dtype=np.int32),
    )
    assert propose(lists).size == 0
    # a package with no seat, a talent nobody accepts
    prefs = Preferences.from_keys(
        np.array([0, 1, 1]),
        np.array([0, 0, 1]),
        [0, 0, 1],
        [0, np.inf, 0],
        np.array([0, 1]),
        n_talents=2,
    )
    assert deferred_acceptance(prefs).tolist() == [2]
    assert deferred_acceptance(prefs, "packages").tolist() == [2]


# ---------------------------------------------------------------- on rounds


@pytest.mark.parametrize("seed", range(4))
def test_solver_result_matches_the_evaluator(seed: int) -> None:
    round_ = market_round(seed, 14, 5, max_seats=3, list_share=0.3)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    for side in SIDES:
        result = solve_deferred_acceptance(compiled, round_, proposing=side)
        assert result.status == Status.FEASIBLE and result.conflicts == ()
        check(result, round_, compiled)
        assert result.objective == evaluate(round_, compiled, result.pairs(compiled)).objective
        assert audit_matching(prefs, result.edges).blocking == 0
        assert result.edges.tolist() == deferred_acceptance(prefs, side).tolist()


def test_budget_violation_is_reported_not_hidden() -> None:
    round_ = market_round(5, 8, 4, max_seats=2, hiring_budget=5000.0)
    compiled = compile_round(round_)
    result = solve_deferred_acceptance(compiled, round_)
    verdict = evaluate(round_, compiled, result.pairs(compiled))
    assert not verdict.feasible
    assert result.status == Status.UNKNOWN
    assert result.conflicts == ("host budget of 'host'",)
    # the budget is named with what the matching spends over it
    (breach,) = budget_breaches(build_problem(compiled, round_), result.edges)
    assert breach.group == "host budget of 'host'" and breach.over > 0
    assert f"breaks 1 budget(s): {breach}" in result.notes
    assert f"by {breach.over / 100:,.2f}/month" in str(breach)
    assert result.objective == verdict.objective


@pytest.mark.parametrize(("seed", "budget"), [(0, 8000.0), (0, 12000.0), (1, 8000.0)])
@pytest.mark.parametrize("side", SIDES)
def test_within_budgets_fits_and_counts_its_blocking_pairs(
    seed: int, budget: float, side: Side
) -> None:
    # one host pays for all: re-running wins on some rounds, dropping once on others
    round_ = market_round(300 + seed, 30, 6, max_seats=3, hiring_budget=budget)
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    problem = build_problem(compiled, round_)
    plain = deferred_acceptance(prefs, side)
    result = solve_da_within_budgets(compiled, round_, proposing=side)
    assert result.status == Status.FEASIBLE
    check(result, round_, compiled)
    assert budget_breaches(problem, result.edges) == []
    fit = within_budgets(problem, prefs, side)
    assert fit.edges.tolist() == result.edges.tolist()
    assert fit.broken == len(budget_breaches(problem, plain))
    blocking = audit_matching(prefs, result.edges, with_pairs=True)
    assert fit.blocking == blocking.blocking
    assert f"{blocking.blocking} blocking pair(s) by the audit" in result.notes[0]
    # the other way, the first run's placements dropped: never fewer blocking pairs
    once = fit_budgets(problem, plain)
    assert audit_matching(prefs, once.edges).blocking >= fit.blocking
    if fit.runs > 1:
        # stable but for the pairs taken out: only they can block
        assert blocking.pairs is not None
        assert set(blocking.pairs.tolist()) <= set(fit.removed.tolist())
        # the market without the pairs taken out gives the same matching, stable there
        rest = without(prefs, np.isin(np.arange(prefs.n_edges), fit.removed))
        assert deferred_acceptance(rest, side).tolist() == result.edges.tolist()
        assert audit_matching(rest, result.edges).blocking == 0
    else:
        assert fit.edges.tolist() == once.edges.tolist()


def test_within_budgets_keeps_a_matching_that_fits() -> None:
    round_ = market_round(7, 6, 3)
    compiled = compile_round(round_)
    result = solve_da_within_budgets(compiled, round_)
    assert result.edges.tolist() == solve_deferred_acceptance(compiled, round_).edges.tolist()
    assert result.notes[0] == "talents-proposing deferred acceptance: it breaks no budget"


def test_fit_budgets_drops_the_lowest_scored_and_keeps_pins() -> None:
    round_ = market_round(5, 8, 4, max_seats=2, hiring_budget=5000.0)
    compiled = compile_round(round_)
    edges = deferred_acceptance(build_preferences(compiled))
    problem = build_problem(compiled, round_)
    repair = fit_budgets(problem, edges)
    assert repair.dropped.size and budget_breaches(problem, repair.edges) == []
    kept_low = problem.value[repair.edges].min(initial=10**9)
    assert problem.value[repair.dropped].max() <= kept_low
    pinned = round_.model_copy(
        update={"pins": [Pair(talent=t, package=p) for t, p in pair_list(compiled, edges)]}
    )
    compiled = compile_round(pinned)
    problem = build_problem(compiled, pinned)
    repair = fit_budgets(problem, deferred_acceptance(build_preferences(compiled)))
    assert repair.dropped.size == 0 and budget_breaches(problem, repair.edges)


def test_unplaced_pin_is_reported() -> None:
    base = market_round(6, 4, 2)
    compiled = compile_round(base)
    placed = set(solve_deferred_acceptance(compiled, base).pairs(compiled))
    missing = next(
        (t.id, p.id) for t in base.talents for p in base.packages if (t.id, p.id) not in placed
    )
    round_ = base.model_copy(update={"pins": [Pair(talent=missing[0], package=missing[1])]})
    compiled = compile_round(round_)
    result = solve_deferred_acceptance(compiled, round_)
    assert result.status == Status.UNKNOWN and "pins" in result.conflicts
    unchecked = solve_deferred_acceptance(compiled, round_, check=False)
    assert unchecked.status == Status.UNKNOWN
    assert unchecked.edges.tolist() == result.edges.tolist()


def test_round_without_edges_and_several_tours() -> None:
    round_ = market_round(2, 3, 2, policy=Policy(min_age=60, max_tours_per_talent=2))
    compiled = compile_round(round_)
    assert compiled.n_edges == 0
    result = solve_deferred_acceptance(compiled, round_)
    assert result.status == Status.FEASIBLE and result.placements == 0
    assert any("at most one tour" in note for note in result.notes)
    other = compile_round(market_round(3, 3, 2))
    with pytest.raises(ValueError, match="preferences"):
        solve_deferred_acceptance(compiled, round_, preferences=build_preferences(other))
