"""Shortlists against a brute-force sort, with and without filters."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.compile import CompiledRound, compile_round
from matcher.models import SCORE_NAMES, Pair
from matcher.shortlists import FIRST_CHUNK, Shortlists
from tests.factories import make_round, package, talent
from tests.references import market_round


def brute_force_package(
    compiled: CompiledRound, p: int, k: int, skip_talents: set[int]
) -> list[int]:
    """Edges of package ``p`` by score descending then talent index, skipping some talents."""
    edges = [
        e
        for e in range(compiled.n_edges)
        if compiled.package[e] == p and int(compiled.talent[e]) not in skip_talents
    ]
    edges.sort(key=lambda e: (-float(compiled.score[e]), int(compiled.talent[e])))
    return edges[:k]


def brute_force_talent(
    compiled: CompiledRound, t: int, k: int, skip_packages: set[int]
) -> list[int]:
    edges = [
        e
        for e in range(compiled.n_edges)
        if compiled.talent[e] == t and int(compiled.package[e]) not in skip_packages
    ]
    edges.sort(key=lambda e: (-float(compiled.score[e]), int(compiled.package[e])))
    return edges[:k]


@pytest.fixture(scope="module")
def compiled() -> CompiledRound:
    # enough talents per package that a filtered scan needs several chunks
    return compile_round(market_round(11, 3 * FIRST_CHUNK, 6, max_seats=3))


@pytest.mark.parametrize("k", [0, 1, 7, 50, 1000])
def test_top_k_equals_brute_force(compiled: CompiledRound, k: int) -> None:
    lists = Shortlists(compiled)
    for p in range(compiled.arrays.n_packages):
        shortlist = lists.for_package(p, k)
        assert shortlist.edges.tolist() == brute_force_package(compiled, p, k, set())
        assert shortlist.partners.tolist() == compiled.talent[shortlist.edges].tolist()
    for t in range(0, compiled.arrays.n_talents, 17):
        shortlist = lists.for_talent(t, k)
        assert shortlist.edges.tolist() == brute_force_talent(compiled, t, k, set())


def test_filters_scan_past_placed_and_pinned_talents(compiled: CompiledRound) -> None:
    rng = np.random.default_rng(0)
    lists = Shortlists(compiled)
    placed_edges = np.flatnonzero(rng.random(compiled.n_edges) < 0.5)
    placed = lists.placed_talents(placed_edges)
    placed_set = set(compiled.talent[placed_edges].tolist())
    for p in range(compiled.arrays.n_packages):
        for k in (1, 10, 40):
            shortlist = lists.for_package(p, k, placed=placed)
            assert shortlist.edges.tolist() == brute_force_package(compiled, p, k, placed_set)
    full = np.zeros(compiled.arrays.n_packages, dtype=bool)
    full[[1, 4]] = True
    for t in range(0, compiled.arrays.n_talents, 23):
        shortlist = lists.for_talent(t, 3, skip=full)
        assert shortlist.edges.tolist() == brute_force_talent(compiled, t, 3, {1, 4})


def test_pinned_elsewhere_is_skipped_but_pinned_here_is_kept() -> None:
    round_ = market_round(12, 8, 3)
    round_ = round_.model_copy(
        update={"pins": [Pair(talent="t0", package="p1"), Pair(talent="t1", package="p0")]}
    )
    compiled = compile_round(round_)
    lists = Shortlists(compiled)
    ids = lists.for_package("p0", 8, skip_pinned_elsewhere=True).partner_ids
    assert "t0" not in ids and "t1" in ids and len(ids) == 7
    assert len(lists.for_package("p0", 8).partner_ids) == 8
    ids = lists.for_package("p2", 8, skip_pinned_elsewhere=True).partner_ids
    assert "t0" not in ids and "t1" not in ids


def test_breakdown_and_lookup_by_id(compiled: CompiledRound) -> None:
    lists = Shortlists(compiled)
    shortlist = lists.for_package("p2", 3)
    assert shortlist.owner == "p2" and len(shortlist) == 3
    rows = shortlist.breakdown()
    assert list(rows[0]) == ["score", *SCORE_NAMES]
    assert rows[0]["score"] == pytest.approx(float(shortlist.score[0]))
    assert shortlist.partner_ids[0] == compiled.arrays.talent_ids[shortlist.partners[0]]
    assert lists.for_talent(compiled.arrays.talent_ids[5], 2).owner == compiled.arrays.talent_ids[5]
    with pytest.raises(KeyError, match="unknown package 'nope'"):
        lists.for_package("nope")
    with pytest.raises(IndexError, match="out of range"):
        lists.for_talent(10_000)
    with pytest.raises(ValueError, match="k < 0"):
        lists.for_package(0, -1)


def test_packages_nobody_qualifies_for_and_talents_without_packages() -> None:
    round_ = make_round(
        [talent("a"), talent("b", region="antwerp", accepts_remote=False)],
        [package("p"), package("far", region="brussels")],
    )
    compiled = compile_round(round_)
    lists = Shortlists(compiled)
    assert len(lists.for_package("far", 5)) == 0
    assert len(lists.for_package("far", 5, placed=np.zeros(2, dtype=bool))) == 0
    assert len(lists.for_talent("b", 5)) == 0
    assert lists.for_package("p", 5).partner_ids == ["a"]
    nobody = np.ones(2, dtype=bool)
    assert len(lists.for_package("p", 5, placed=nobody)) == 0
    assert lists.for_package("p", 5).breakdown()[0]["score"] >= 0
