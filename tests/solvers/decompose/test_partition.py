"""Partitions keep hosts and forced placements whole; the shares of the spanning constraints
never sum to more than the whole; a part is a problem of its own that pickles small."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from benchmarks.synthetic import suite_policy
from matcher.compile import compile_round
from matcher.generator import generate_round
from solvers.decompose.coordinate import allocate, part_problem, shippable
from solvers.decompose.partition import partition
from solvers.greedy import greedy_assign, greedy_order
from solvers.problem import Problem, build_problem
from solvers.units import NO_LIMIT


@pytest.fixture(scope="module")
def problem() -> Problem:
    round_ = generate_round(1_500, 400, seed=3, policy=suite_policy(1_500))
    return build_problem(compile_round(round_), round_)


def test_parts_hold_whole_lenders_and_every_edge(problem: Problem) -> None:
    parts = partition(problem, 3)
    lenders = problem.compiled.arrays.talent_lender
    assert np.array_equal(parts.talent_part, parts.lender_part[lenders])
    assert np.array_equal(parts.edge_part, parts.talent_part[problem.talent])
    sizes = np.bincount(parts.edge_part, minlength=3)
    assert sizes.min() > 0.5 * sizes.max()


def test_shares_sum_to_at_most_the_whole(problem: Problem) -> None:
    parts = partition(problem, 3)
    guide, _ = greedy_assign(problem, greedy_order(problem))
    wanted = np.zeros(problem.n_edges, dtype=bool)
    wanted[np.flatnonzero(problem.value > np.median(problem.value))] = True
    first = allocate(problem, parts, guide, wanted)
    for shares in (first, allocate(problem, parts, guide, wanted, first, guide)):
        assert np.array_equal(shares.seats.sum(axis=0), problem.seats)
        limited = problem.host_budget != NO_LIMIT
        assert limited.any()
        assert (shares.host_budget[:, limited].sum(axis=0) <= problem.host_budget[limited]).all()
        assert (shares.host_budget[:, ~limited] == NO_LIMIT).all()
        assert problem.pool != NO_LIMIT and shares.pool.sum() <= problem.pool
        # each part's piece of the start fits its shares
        for j in range(3):
            mine = guide & (parts.edge_part == j)
            used = np.bincount(problem.package[mine], minlength=problem.n_packages)
            assert (used <= shares.seats[j]).all()
            fees = np.bincount(
                problem.host[mine], weights=problem.fee[mine], minlength=problem.n_orgs
            )
            assert (fees[limited] <= shares.host_budget[j][limited]).all()
            assert problem.subsidy[mine].sum() <= shares.pool[j]


def test_a_part_is_a_small_problem_of_its_own(problem: Problem) -> None:
    parts = partition(problem, 3)
    guide, _ = greedy_assign(problem, greedy_order(problem))
    shares = allocate(problem, parts, guide, guide)
    sub, index = part_problem(problem, parts, shares, 1)
    assert set(index.tolist()) <= set(np.flatnonzero(parts.edge_part == 1).tolist())
    assert sub.pool == shares.pool[1]
    assert np.array_equal(sub.seats, shares.seats[1])
    mine = parts.lender_part == 1
    assert np.array_equal(sub.targets[mine], problem.targets[mine])
    assert not sub.targets[~mine].any()
    slim = shippable(sub)
    assert slim.n_talents == problem.n_talents and slim.n_orgs == problem.n_orgs
    assert len(pickle.dumps(slim)) < 0.5 * len(pickle.dumps(sub))
