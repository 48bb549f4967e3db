"""The cost split of salary retention: host fee, platform subsidy and lender top-up."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.arrays import encode_round
from matcher.costs import cost_split, forced_over_budget
from matcher.models import Pair, Policy
from matcher.roundio import load_round
from tests.factories import PILOT, encode, grid, package, pair, random_round, talent


def _split(
    salary: float, retention: float, fte: float, fee_cap: float, subsidy_share: float = 0.0
) -> tuple[float, float, float, float]:
    a = encode(
        [talent("t", salary=salary, retention=retention)],
        [package("p", fte=fte, fee_cap=fee_cap)],
        policy=Policy(subsidy_share=subsidy_share),
    )
    s = cost_split(a, *pair(0, 0))
    return float(s.retained[0]), float(s.host_fee[0]), float(s.subsidy[0]), float(s.topup[0])


def test_full_salary_full_time_fee_covers_all() -> None:
    assert _split(5000, 1.0, 1.0, 6000) == (5000, 5000, 0, 0)


def test_retention_scales_the_retained_cost() -> None:
    assert _split(6000, 0.9, 1.0, 10_000) == pytest.approx((5400, 5400, 0, 0))


def test_package_fte_scales_the_retained_cost() -> None:
    assert _split(6000, 0.9, 0.5, 10_000) == pytest.approx((2700, 2700, 0, 0))


def test_fee_cap_below_retained_leaves_a_topup() -> None:
    assert _split(6000, 0.9, 0.5, 2000) == pytest.approx((2700, 2000, 0, 700))


def test_fee_cap_equal_to_retained() -> None:
    assert _split(4000, 1.0, 1.0, 4000) == (4000, 4000, 0, 0)


def test_zero_fee_cap_lender_pays_all() -> None:
    assert _split(4000, 1.0, 1.0, 0) == (4000, 0, 0, 4000)


def test_subsidy_pays_its_share_of_the_rest() -> None:
    assert _split(6000, 0.9, 0.5, 2000, subsidy_share=0.25) == pytest.approx((2700, 2000, 175, 525))


def test_full_subsidy_leaves_no_topup() -> None:
    assert _split(6000, 1.0, 1.0, 2000, subsidy_share=1.0) == pytest.approx((6000, 2000, 4000, 0))


def test_subsidy_only_applies_to_the_rest() -> None:
    assert _split(3000, 1.0, 1.0, 5000, subsidy_share=0.5) == (3000, 3000, 0, 0)


def test_vectorized_over_pairs() -> None:
    a = encode(
        [talent("t0", salary=4000), talent("t1", salary=8000, retention=0.5)],
        [package("p0", fee_cap=3000), package("p1", fee_cap=9000, fte=0.5)],
    )
    s = cost_split(a, *grid(a))
    assert s.retained.tolist() == [4000, 2000, 4000, 2000]
    assert s.host_fee.tolist() == [3000, 2000, 3000, 2000]
    assert s.topup.tolist() == [1000, 0, 1000, 0]


@pytest.mark.parametrize("seed", range(10))
def test_parts_sum_to_retained_and_are_non_negative(seed: int) -> None:
    a = encode_round(random_round(seed))
    t, p = grid(a)
    s = cost_split(a, t, p)
    np.testing.assert_allclose(s.host_fee + s.subsidy + s.topup, s.retained, rtol=1e-12)
    for part in (s.host_fee, s.subsidy, s.topup):
        assert (part >= 0).all()
    assert (s.host_fee <= a.package_fee_cap[p]).all()
    np.testing.assert_allclose(
        s.retained, a.talent_salary[t] * a.talent_retention[t] * a.package_fte[p]
    )


def test_pins_that_together_exceed_a_budget_are_named() -> None:
    pilot = load_round(PILOT)
    # each pin fits the city's budget alone (fees 6,000 and 5,000), not both together
    orgs = [
        o.model_copy(update={"hiring_budget": 10_000.0}) if o.id == "city" else o
        for o in pilot.organizations
    ]
    pins = [
        Pair(talent="ann", package="city-procurement"),
        Pair(talent="chloe", package="city-data"),
    ]
    round_ = pilot.model_copy(update={"organizations": orgs, "pins": pins})
    assert forced_over_budget(round_) == [
        "organization 'city' (organizations[2]), field 'hiring_budget': 10,000.00 a month, but "
        "the pinned and accepted placements alone need 11,000.00 (pins[0], pins[1])"
    ]
    assert forced_over_budget(round_.model_copy(update={"pins": pins[:1]})) == []
    assert forced_over_budget(pilot) == []


def test_pins_beyond_the_subsidy_pool_are_named() -> None:
    pilot = load_round(PILOT)
    policy = pilot.policy.model_copy(update={"subsidy_share": 0.5, "subsidy_pool": 1_000.0})
    pins = [Pair(talent="ann", package="coop-finance")]  # top-up 3,700 before the subsidy
    round_ = pilot.model_copy(update={"policy": policy, "pins": pins})
    assert forced_over_budget(round_) == [
        "policy, field 'subsidy_pool': 1,000.00 a month, but the pinned and accepted "
        "placements alone need 1,850.00"
    ]
