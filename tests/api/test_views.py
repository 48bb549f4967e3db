"""What a hiring and a lending organization may see of an outcome."""

from __future__ import annotations

import pytest

from api.pipeline import RoundOutcome, RoundParams, run_round
from api.views import HOST_SCORE_NAMES, host_view, lender_view
from matcher.roundio import load_round
from solvers.result import SolveParams
from tests.factories import PILOT

SECRET_WORDS = ("salary", "retained", "retention", "age", "topup", "subsidy", "cost")


@pytest.fixture(scope="module")
def outcome() -> RoundOutcome:
    return run_round(load_round(PILOT), RoundParams("auto", SolveParams(time_limit=5, workers=1)))


def test_a_host_sees_its_packages_and_the_fees_it_pays(outcome: RoundOutcome) -> None:
    view = host_view(outcome, "city")
    assert view.packages == ["city-procurement", "city-data"]
    assert [(p.talent, p.package) for p in view.placements] == [("chloe", "city-data")]
    placement = view.placements[0]
    assert set(placement.breakdown) == set(HOST_SCORE_NAMES)
    frame = outcome.placements()
    chloe = frame[frame.talent == "chloe"].iloc[0]
    assert placement.host_fee == chloe.host_fee
    assert view.host_fees == chloe.host_fee


def test_a_host_sees_no_salary_top_up_subsidy_or_cost_score(outcome: RoundOutcome) -> None:
    for host in ("coop", "city", "school", "insurer"):
        text = host_view(outcome, host).model_dump_json()
        assert not [word for word in SECRET_WORDS if f'"{word}' in text], host


def test_a_host_sees_no_other_hosts_placements(outcome: RoundOutcome) -> None:
    seen = {p.package for p in host_view(outcome, "coop").placements}
    assert seen == {"coop-finance"}


def test_a_lender_sees_its_own_talents_and_the_top_ups_it_pays(outcome: RoundOutcome) -> None:
    view = lender_view(outcome, "bank")
    own = [t.id for t in outcome.round.talents if t.lender == "bank"]
    assert view.talents == own
    assert {p.talent for p in view.placements} <= set(own)
    assert {u.talent for u in view.unplaced} <= set(own)
    ann = next(p for p in view.placements if p.talent == "ann")
    assert (ann.package, ann.host, ann.topup) == ("coop-finance", "coop", 3700)
    assert view.topups == sum(p.topup for p in view.placements)
    assert '"salary' not in view.model_dump_json()


def test_an_unknown_organization_is_refused(outcome: RoundOutcome) -> None:
    with pytest.raises(KeyError, match="unknown organization 'nobody'"):
        host_view(outcome, "nobody")
    with pytest.raises(KeyError, match="unknown organization 'nobody'"):
        lender_view(outcome, "nobody")
