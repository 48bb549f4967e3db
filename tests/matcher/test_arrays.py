"""The columnar form of a round."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from matcher.arrays import (
    PairRanks,
    RoundArrays,
    encode_round,
    padded,
    row_offsets,
    vocabulary,
)
from matcher.models import Pair, RemoteMode, Round
from matcher.roundio import load_round
from tests.factories import PILOT, make_round, org, package, talent


@pytest.fixture(scope="module")
def pilot() -> Round:
    return load_round(PILOT)


@pytest.fixture(scope="module")
def arrays(pilot: Round) -> RoundArrays:
    return encode_round(pilot)


def test_padded_ragged_lists() -> None:
    out = padded([[3, 1], [], [2]], pad=9)
    assert out.dtype == np.int32
    assert out.tolist() == [[3, 1], [9, 9], [2, 9]]


def test_padded_keeps_one_column_when_all_lists_are_empty() -> None:
    assert padded([[], []], pad=7).tolist() == [[7], [7]]
    assert padded([], pad=7).shape == (0, 1)


def test_padded_to_a_given_width() -> None:
    assert padded([[1]], pad=0, width=3).tolist() == [[1, 0, 0]]


def test_vocabulary_is_sorted_and_distinct() -> None:
    names, index = vocabulary(["sql", "python", "sql", "law"])
    assert names == ["law", "python", "sql"]
    assert index == {"law": 0, "python": 1, "sql": 2}


def test_pair_ranks() -> None:
    ranks = PairRanks.build([[2, 0], [], [1]], n_items=3)
    owner = np.array([0, 0, 0, 1, 2, 2])
    item = np.array([2, 0, 1, 0, 1, 2])
    assert ranks.rank(owner, item).tolist() == [0, 1, -1, -1, 0, -1]
    assert ranks.list_length.tolist() == [2, 0, 1]


def test_pair_ranks_of_a_few_owners_and_of_none() -> None:
    ranks = PairRanks.build([[1], [3, 0, 2], [], [2]], n_items=4)
    # queries of one owner only search that owner's keys; the neighbours must not leak in
    assert ranks.rank(np.array([1, 1, 1, 1]), np.array([0, 1, 2, 3])).tolist() == [1, -1, 2, 0]
    assert ranks.rank(np.array([2, 2]), np.array([0, 2])).tolist() == [-1, -1]
    # many owners, one item: searched among that item's keys
    assert ranks.rank(np.array([0, 1, 2, 3]), np.full(4, 2)).tolist() == [-1, 2, -1, 0]
    assert ranks.rank(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


def test_row_offsets_gather_like_fancy_indexing() -> None:
    table = np.arange(12, dtype=np.uint8).reshape(4, 3)
    rows, columns = np.array([3, 0, 2, 3], dtype=np.int32), np.array([1, 2, 0, 0])
    flat = table.reshape(-1)[row_offsets(table, rows) + columns]
    assert flat.tolist() == table[rows, columns].tolist()


def test_pair_ranks_without_any_list() -> None:
    ranks = PairRanks.build([[], []], n_items=4)
    assert ranks.rank(np.array([0, 1]), np.array([3, 0])).tolist() == [-1, -1]


@pytest.mark.parametrize("enabled", [True, False])
def test_encoding_leaves_the_garbage_collector_as_it_was(pilot: Round, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        encode_round(pilot)
        assert gc.isenabled() == enabled
    finally:
        if was:
            gc.enable()


def test_ids_and_vocabularies(arrays: RoundArrays, pilot: Round) -> None:
    assert arrays.talent_ids == [t.id for t in pilot.talents]
    assert arrays.package_ids == [p.id for p in pilot.packages]
    assert arrays.org_ids == [o.id for o in pilot.organizations]
    assert arrays.sectors == ["education", "energy", "finance", "public"]
    assert arrays.regions == ["antwerp", "brussels", "east-flanders"]
    assert arrays.languages == ["en", "fr", "nl"]
    assert (arrays.n_talents, arrays.n_packages, arrays.n_orgs) == (6, 5, 5)


def test_talent_levels_and_goals_by_skill(arrays: RoundArrays) -> None:
    skill = {name: i for i, name in enumerate(arrays.skills)}
    ann = arrays.talent_ids.index("ann")
    assert arrays.talent_level.shape == (6, len(arrays.skills) + 1)
    assert arrays.talent_level[ann, skill["risk-management"]] == 5
    assert arrays.talent_level[ann, skill["sql"]] == 0
    assert arrays.talent_level[:, -1].tolist() == [0] * 6  # the pad column
    assert arrays.talent_goal[ann, skill["community-building"]] == pytest.approx(0.5)
    assert arrays.talent_goal_total[ann] == pytest.approx(1.5)
    assert arrays.talent_strong.tolist() == [2, 3, 2, 2, 3, 2]


def test_package_requirements_are_padded(arrays: RoundArrays) -> None:
    skill = {name: i for i, name in enumerate(arrays.skills)}
    coop = arrays.package_ids.index("coop-finance")
    assert arrays.package_required_skill[coop].tolist() == [skill["risk-management"]]
    assert arrays.package_required_level[coop].tolist() == [4]
    desired = arrays.package_desired_skill[coop].tolist()
    assert desired == [skill["negotiation"], skill["project-management"]]
    assert arrays.package_desired_weight[coop].tolist() == pytest.approx([1.0, 0.5])
    # school-analytics has one desired skill, so its second column is the pad
    school = arrays.package_ids.index("school-analytics")
    assert arrays.package_desired_skill[school, 1] == len(arrays.skills)
    assert arrays.package_desired_weight[school, 1] == 0.0


def test_languages_pad_column_is_spoken(arrays: RoundArrays) -> None:
    assert arrays.talent_languages[:, -1].all()
    school = arrays.package_ids.index("school-analytics")
    assert arrays.package_languages[school].tolist() == [arrays.languages.index("en")]


def test_budgets_without_limit_are_infinite(arrays: RoundArrays) -> None:
    assert arrays.org_topup_budget.tolist() == [4000, 1500, np.inf, np.inf, 0]
    assert arrays.org_hiring_budget.tolist() == [np.inf, 9000, 12000, 6000, 5000]


def test_competitors_are_symmetric() -> None:
    round_ = make_round(
        [], [], [org("a", competitors=["c"]), org("b"), org("c", competitors=["b"])]
    )
    a = encode_round(round_)
    rivals = [sorted(x for x in row if x < a.n_orgs) for row in a.org_competitors.tolist()]
    assert rivals == [[2], [2], [0, 1]]


def test_alumni_off_the_platform_are_dropped() -> None:
    a = encode_round(make_round([talent("t", alumni=["elsewhere", "host"])], []))
    assert a.talent_alumni.tolist() == [[1]]  # "host" is organization 1


def test_dates_are_day_numbers(arrays: RoundArrays, pilot: Round) -> None:
    assert arrays.talent_from[0] == pilot.talents[0].available_from.toordinal()
    assert arrays.package_end[0] - arrays.package_start[0] == 365  # 2027-03-01 .. 2028-02-29


def test_remote_codes(arrays: RoundArrays, pilot: Round) -> None:
    codes = {RemoteMode.ONSITE: 0, RemoteMode.HYBRID: 1, RemoteMode.REMOTE: 2}
    assert arrays.package_remote.tolist() == [codes[p.remote] for p in pilot.packages]


def test_forbidden_pairs_are_sorted_keys() -> None:
    round_ = make_round(
        [talent("t0"), talent("t1")],
        [package("p0"), package("p1"), package("p2")],
        forbidden=[Pair(talent="t1", package="p0"), Pair(talent="t0", package="p2")],
    )
    a = encode_round(round_)
    assert a.forbidden.tolist() == [2, 3]
    assert a.pair_keys(np.array([1]), np.array([0])).tolist() == [3]


def test_preferences_and_rankings(arrays: RoundArrays) -> None:
    ann = arrays.talent_ids.index("ann")
    coop, procurement = (arrays.package_ids.index(x) for x in ("coop-finance", "city-procurement"))
    ranks = arrays.talent_preferences.rank(np.array([ann, ann]), np.array([coop, procurement]))
    assert ranks.tolist() == [0, 1]
    chloe = arrays.talent_ids.index("chloe")
    school = arrays.package_ids.index("school-analytics")
    assert arrays.package_ranking.rank(np.array([school]), np.array([chloe])).tolist() == [0]


def test_empty_round_encodes() -> None:
    a = encode_round(Round(organizations=[], talents=[], packages=[]))
    assert (a.n_talents, a.n_packages, a.n_orgs) == (0, 0, 0)
    assert a.talent_level.shape == (0, 1)
    assert a.forbidden.size == 0
