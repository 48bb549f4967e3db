"""The compile step, checked against a brute force over the whole talent x package grid.

The brute force evaluates every active rule on every pair; it shares the rule functions
with the compile step (they are tested alone in ``test_eligibility``) but none of its
candidate generation, chunking, attribution or pruning.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

import numpy as np
import numpy.typing as npt
import pytest

from matcher.arrays import RoundArrays, encode_round
from matcher.candidates import Candidates
from matcher.compile import RULE_INDEX, CompiledRound, compile_round
from matcher.compile_chunks import rank_keys, top_k_mask
from matcher.costs import cost_split
from matcher.eligibility import active_rules, failing_rules
from matcher.errors import RoundError
from matcher.generator import generate_round
from matcher.models import RULE_NAMES, SCORE_NAMES, Policy, Round
from matcher.roundio import load_round
from matcher.scores import SCORES, total_score
from tests.factories import PILOT, grid, make_round, package, random_round, talent, with_pairs

CASES = (
    [f"random-{seed}" for seed in range(30)]
    + [f"random-open-{seed}" for seed in range(30)]
    + [f"generated-{seed}" for seed in range(4)]
    + [f"generated-open-{seed}" for seed in range(4)]
)
"""Small random rounds (every rule bites) and generated ones (realistic shapes). The "open"
random ones switch about half the rules off, and the "open" generated ones the
required-skills rule, so that many pairs become edges and reach the later rules."""


@cache
def _case(name: str) -> Round:
    seed = int(name.rsplit("-", 1)[1])
    if name.startswith("random-open-"):
        return random_round(seed, rule_on=0.5)
    if name.startswith("random-"):
        return random_round(seed)
    if name.startswith("generated-open-"):
        policy = Policy(rules={"required_skills": False}, subsidy_share=0.3, subsidy_pool=5000)
        return generate_round(30, 12, seed=seed, policy=policy)
    return generate_round(40, 10, seed=seed)


@cache
def _compiled(name: str) -> CompiledRound:
    return compile_round(_case(name))


def _first_failing(a: RoundArrays) -> npt.NDArray[np.int64]:
    """``(T, P)``: index in RULE_NAMES of the first active rule each pair fails, -1 if none."""
    t, p = grid(a)
    first = np.full(t.size, -1, dtype=np.int64)
    for name, rule in active_rules(a).items():
        first[(first < 0) & ~rule(a, t, p)] = RULE_INDEX[name]
    return first.reshape(a.n_talents, a.n_packages)


def _edges(c: CompiledRound) -> set[tuple[int, int]]:
    return set(zip(c.talent.tolist(), c.package.tolist(), strict=True))


def _assert_same(x: CompiledRound, y: CompiledRound) -> None:
    for field in (
        "talent",
        "package",
        "components",
        "score",
        "retained",
        "host_fee",
        "subsidy",
        "topup",
        "excluded_by_talent",
        "excluded_by_package",
        "pruned_by_talent",
        "pins",
        "accepted",
        "proposed",
    ):
        np.testing.assert_array_equal(getattr(x, field), getattr(y, field), err_msg=field)


# ---------------------------------------------------------------- the pilot round


@pytest.fixture(scope="module")
def pilot() -> Round:
    return load_round(PILOT)


def test_pilot_edges(pilot: Round) -> None:
    c = compile_round(pilot)
    a = c.arrays
    pairs = [(a.talent_ids[t], a.package_ids[p]) for t, p in zip(c.talent, c.package, strict=True)]
    # worked out by hand from the CSV files: femke is 47; only these pairs meet the skills;
    # chloe's top-up for school-analytics (7900 x 0.6 - 2500) exceeds insurer's 1500 budget,
    # and dirk would work at his own lender
    assert pairs == [
        ("ann", "coop-finance"),
        ("ann", "city-procurement"),
        ("chloe", "city-data"),
        ("els", "insurer-coaching"),
    ]
    assert c.excluded_by_rule() == {
        "age": 5,
        "required_skills": 11,
        "availability": 0,
        "fte": 0,
        "location": 8,
        "languages": 0,
        "own_organization": 1,
        "competitor": 0,
        "excluded_organization": 0,
        "forbidden_pair": 0,
        "cost_split": 1,
        "minimum_fit": 0,
        "learning": 0,
    }


@pytest.mark.parametrize(
    ("talent_id", "package_id", "failing"),
    [
        ("femke", "coop-finance", ["age"]),
        ("femke", "city-data", ["age", "required_skills"]),
        ("chloe", "school-analytics", ["cost_split"]),
        ("dirk", "insurer-coaching", ["own_organization"]),
        ("dirk", "coop-finance", ["required_skills", "cost_split"]),
        ("bart", "insurer-coaching", ["location", "required_skills", "competitor"]),
        ("els", "insurer-coaching", []),
    ],
)
def test_pilot_failing_rules_by_hand(
    pilot: Round, talent_id: str, package_id: str, failing: list[str]
) -> None:
    a = encode_round(pilot)
    t, p = a.talent_ids.index(talent_id), a.package_ids.index(package_id)
    assert failing_rules(a, t, p) == failing


def test_pilot_edges_are_the_pairs_failing_no_rule(pilot: Round) -> None:
    c = compile_round(pilot)
    a = c.arrays
    expected = {
        (t, p)
        for t in range(a.n_talents)
        for p in range(a.n_packages)
        if not failing_rules(a, t, p)
    }
    assert _edges(c) == expected


def test_pilot_cost_split_of_edges(pilot: Round) -> None:
    c = compile_round(pilot)
    e = int(c.edge_index(c.arrays.talent_ids.index("chloe"), 2)[0])
    # chloe on city-data: 7900 x 1.0 x 0.8 = 6320; the city pays its cap of 5000
    assert (c.retained[e], c.host_fee[e], c.subsidy[e], c.topup[e]) == pytest.approx(
        (6320, 5000, 0, 1320)
    )


# ---------------------------------------------------------------- against brute force


@pytest.mark.parametrize("case", CASES)
def test_edges_equal_brute_force(case: str) -> None:
    c = _compiled(case)
    first = _first_failing(c.arrays)
    assert _edges(c) == set(zip(*np.nonzero(first < 0), strict=True))
    keys = c.arrays.pair_keys(c.talent, c.package)
    assert (np.diff(keys) > 0).all(), "edges sorted by (talent, package), no repeats"


@pytest.mark.parametrize("case", CASES)
def test_exclusions_attributed_to_first_failing_rule(case: str) -> None:
    c = _compiled(case)
    first = _first_failing(c.arrays)
    for r, name in enumerate(RULE_NAMES):
        by_talent = (first == r).sum(axis=1)
        by_package = (first == r).sum(axis=0)
        np.testing.assert_array_equal(c.excluded_by_talent[:, r], by_talent, err_msg=name)
        np.testing.assert_array_equal(c.excluded_by_package[:, r], by_package, err_msg=name)


@pytest.mark.parametrize("case", CASES)
def test_exclusions_and_edges_cover_the_grid(case: str) -> None:
    c = _compiled(case)
    a = c.arrays
    edges_per_talent = np.bincount(c.talent, minlength=a.n_talents)
    edges_per_package = np.bincount(c.package, minlength=a.n_packages)
    np.testing.assert_array_equal(
        edges_per_talent + c.excluded_by_talent.sum(axis=1), np.full(a.n_talents, a.n_packages)
    )
    np.testing.assert_array_equal(
        edges_per_package + c.excluded_by_package.sum(axis=1), np.full(a.n_packages, a.n_talents)
    )
    inactive = [RULE_INDEX[r] for r in RULE_NAMES if not a.policy.rule_on(r)]
    assert not c.excluded_by_talent[:, inactive].any()


@pytest.mark.parametrize("case", CASES[::4])
@pytest.mark.parametrize("chunk_pairs", [1, 5, 37])
def test_chunking_does_not_change_the_result(case: str, chunk_pairs: int) -> None:
    _assert_same(compile_round(_case(case), chunk_pairs=chunk_pairs), _compiled(case))


@pytest.mark.parametrize("case", CASES)
def test_components_are_the_score_functions(case: str) -> None:
    c = _compiled(case)
    t, p = c.talent.astype(np.int64), c.package.astype(np.int64)
    assert c.components.shape == (c.n_edges, len(SCORE_NAMES))
    direct = {name: SCORES[name](c.arrays, t, p) for name in SCORE_NAMES}
    for name in SCORE_NAMES:
        np.testing.assert_array_equal(c.component(name), direct[name], err_msg=name)
    np.testing.assert_array_equal(c.score, total_score(direct, c.policy.weights))
    split = cost_split(c.arrays, t, p)
    np.testing.assert_array_equal(c.topup, split.topup)
    np.testing.assert_array_equal(c.host_fee, split.host_fee)


@pytest.mark.parametrize("case", CASES[::4])
def test_edge_index_and_talent_edges(case: str) -> None:
    c = _compiled(case)
    a = c.arrays
    t, p = grid(a)
    index = c.edge_index(t, p)
    listed = index >= 0
    assert listed.sum() == c.n_edges
    np.testing.assert_array_equal(c.talent[index[listed]], t[listed])
    np.testing.assert_array_equal(c.package[index[listed]], p[listed])
    for ti in range(a.n_talents):
        assert (c.talent[c.talent_edges(ti)] == ti).all()
        assert c.talent_edges(ti).stop - c.talent_edges(ti).start == (c.talent == ti).sum()


# ---------------------------------------------------------------- top-k pruning and pins


def _best(c: CompiledRound, t: int, k: int) -> set[int]:
    """Packages of talent ``t``'s ``k`` best edges: score descending, then package index."""
    s = c.talent_edges(t)
    ranked = sorted(zip((-c.score[s]).tolist(), c.package[s].tolist(), strict=True))
    return {pkg for _, pkg in ranked[:k]}


def _pin_worst_edges(round_: Round, c: CompiledRound) -> tuple[Round, dict[int, int]]:
    """``round_`` with every other talent pinned to their worst-scored eligible package."""
    a = c.arrays
    forbidden = {(x.talent, x.package) for x in round_.forbidden}
    pins: dict[int, int] = {}
    for t in range(0, a.n_talents, 2):
        s = c.talent_edges(t)
        if s.stop == s.start:
            continue
        worst = int(c.package[s][np.argmin(c.score[s])])
        if (a.talent_ids[t], a.package_ids[worst]) not in forbidden:
            pins[t] = worst
    pairs = [(a.talent_ids[t], a.package_ids[p]) for t, p in pins.items()]
    return with_pairs(round_, pins=pairs), pins


@pytest.mark.parametrize("case", CASES[::2])
@pytest.mark.parametrize("k", [1, 2])
def test_top_k_keeps_the_k_best_per_talent_and_the_pins(case: str, k: int) -> None:
    full = _compiled(case)
    pinned_round, pins = _pin_worst_edges(_case(case), full)
    pruned = compile_round(pinned_round, top_k=k)
    a = full.arrays
    for t in range(a.n_talents):
        kept = set(pruned.package[pruned.talent_edges(t)].tolist())
        expected = _best(full, t, k) | ({pins[t]} if t in pins else set())
        assert kept == expected, t
        n_full = full.talent_edges(t).stop - full.talent_edges(t).start
        assert pruned.pruned_by_talent[t] == n_full - len(kept)
    pinned = {(int(pruned.talent[e]), int(pruned.package[e])) for e in pruned.pins}
    assert pinned == set(pins.items())
    np.testing.assert_array_equal(pruned.excluded_by_talent, full.excluded_by_talent)


def test_top_k_defaults_to_the_policy(pilot: Round) -> None:
    with_top_1 = pilot.model_copy(update={"policy": Policy(top_k=1)})
    by_policy = compile_round(with_top_1)
    _assert_same(by_policy, compile_round(pilot, top_k=1))
    assert by_policy.n_edges == 3  # ann keeps one of her two packages
    assert by_policy.pruned_by_talent.tolist() == [1, 0, 0, 0, 0, 0]


def test_pin_on_an_ineligible_pair_names_the_pair_and_rules(pilot: Round) -> None:
    bad = with_pairs(pilot, pins=[("ann", "coop-finance"), ("dirk", "coop-finance")])
    message = (
        "pins[1]: talent 'dirk' / package 'coop-finance' is not eligible: required_skills "
        "(lacks a required skill or level); cost_split (fee or top-up does not fit the budgets)"
    )
    with pytest.raises(RoundError, match=f"^{re.escape(message)}$"):
        compile_round(bad)


def test_pin_on_a_pair_excluded_by_age(pilot: Round) -> None:
    bad = with_pairs(pilot, pins=[("femke", "coop-finance")])
    with pytest.raises(
        RoundError,
        match=re.escape(
            "pins[0]: talent 'femke' / package 'coop-finance' is not eligible: "
            "age (outside the age policy)"
        ),
    ):
        compile_round(bad)


def test_accepted_placement_error_names_its_position_in_previous(pilot: Round) -> None:
    # a bug fixed: the message counted only accepted placements ("previous (accepted)[0]")
    bad = with_pairs(
        pilot,
        previous=[("ann", "coop-finance", "proposed"), ("femke", "coop-finance", "accepted")],
    )
    message = (
        "previous[1] (accepted): talent 'femke' / package 'coop-finance' is not eligible: "
        "age (outside the age policy)"
    )
    with pytest.raises(RoundError, match=f"^{re.escape(message)}$"):
        compile_round(bad)


def test_previous_placements(pilot: Round) -> None:
    round_ = with_pairs(
        pilot,
        previous=[
            ("femke", "coop-finance", "proposed"),  # no longer eligible: dropped
            ("ann", "city-procurement", "proposed"),
            ("chloe", "city-data", "accepted"),
        ],
    )
    c = compile_round(round_, top_k=1)
    a = c.arrays
    names = {(a.talent_ids[c.talent[e]], a.package_ids[c.package[e]]) for e in c.proposed}
    assert names == {("ann", "city-procurement")}
    accepted = [(a.talent_ids[c.talent[e]], a.package_ids[c.package[e]]) for e in c.accepted]
    assert accepted == [("chloe", "city-data")]
    assert c.n_edges == 4  # ann's proposed package is kept beside her best one


# ---------------------------------------------------------------- degenerate rounds


def test_round_without_pairs() -> None:
    for round_ in (
        make_round([], [package("p")]),
        make_round([talent("t")], []),
        Round(organizations=[], talents=[], packages=[]),
    ):
        c = compile_round(round_, top_k=2)
        assert c.n_edges == 0
        assert c.components.shape == (0, len(SCORE_NAMES))
        assert c.excluded_by_talent.sum() == 0


def test_round_where_nobody_passes_age() -> None:
    round_ = make_round(
        [talent("t0", age=30), talent("t1", age=40)], [package("p0"), package("p1")]
    )
    c = compile_round(round_)
    assert c.n_edges == 0
    assert c.excluded_by_rule()["age"] == 4
    assert c.excluded_by_package[:, RULE_INDEX["age"]].tolist() == [2, 2]


# ---------------------------------------------------------------- internals of the compile step


@pytest.mark.parametrize("case", CASES[::8])
def test_chunks_of_talents_cover_every_candidate_within_the_span(case: str) -> None:
    a = encode_round(_case(case))
    rules = active_rules(a)
    alive = np.ones(a.n_talents, dtype=bool)
    if "age" in rules:
        alive = rules["age"](a, np.arange(a.n_talents), np.zeros(a.n_talents, dtype=np.int64))
    candidates = Candidates.build(a, alive, "location" in rules, "required_skills" in rules)
    spans = candidates.chunks(a.n_talents, limit=10**9, max_span=3)
    assert all(0 < hi - lo <= 3 for lo, hi in spans)
    assert all(x[1] <= y[0] for x, y in itertools.pairwise(spans))
    pairs = [candidates.candidates(lo, hi) for lo, hi in spans]
    t = np.concatenate([x for x, _ in pairs])
    assert t.size == candidates.per_talent(a.n_talents).sum()
    # every candidate passes the location rule, and none repeats
    p = np.concatenate([y for _, y in pairs])
    if "location" in rules:
        assert rules["location"](a, t, p).all()
    assert np.unique(a.pair_keys(t, p)).size == t.size


def test_top_k_mask_breaks_score_ties_by_package() -> None:
    t = np.array([0, 0, 0, 0, 1, 1, 1, 2], dtype=np.int64)
    p = np.array([5, 1, 3, 2, 0, 4, 2, 9], dtype=np.int64)
    score = np.array([0.5, 0.5, 0.9, 0.5, 0.0, 0.0, 0.0, 0.3], dtype=np.float32)
    keys = rank_keys(t, score, p, n_packages=10)
    keep = top_k_mask(keys, t, n_talents=3, k=2)
    # talent 0: 0.9 (package 3), then the tie at 0.5 goes to package 1; talent 1: packages
    # 0 and 2 of three tied; talent 2 has fewer than k
    assert keep.tolist() == [False, True, True, False, True, False, True, True]


@pytest.mark.parametrize("case", CASES[4::16])
def test_one_thread_gives_the_same_result(case: str) -> None:
    _assert_same(compile_round(_case(case), workers=1, chunk_pairs=7), _compiled(case))
