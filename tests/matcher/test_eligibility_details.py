"""The facts behind each failed rule: one talent and one package that fail exactly that
rule, and the detail names its values."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.arrays import RoundArrays
from matcher.eligibility import RULES, failing_rules
from matcher.eligibility_details import DETAILS, failure_details, money
from matcher.models import Pair, Policy
from tests.factories import encode, org, package, talent


def _only(a: RoundArrays, rule: str) -> str:
    """The detail of pair (0, 0), which fails ``rule`` and no other."""
    assert failing_rules(a, 0, 0) == [rule]
    details = failure_details(a, 0, 0)
    assert list(details) == [rule]
    return details[rule]


def test_every_rule_has_a_detail() -> None:
    assert list(DETAILS) == list(RULES)


def test_age() -> None:
    a = encode([talent("t7", age=47)], [package("p")])
    assert _only(a, "age") == "47, the policy asks 50+"
    a = encode([talent("t7", age=66)], [package("p")], policy=Policy(min_age=50, max_age=65))
    assert _only(a, "age") == "66, the policy asks 50-65"
    a = encode([talent("t7", age=66)], [package("p")], policy=Policy(min_age=0, max_age=65))
    assert _only(a, "age") == "66, the policy asks up to 65"


def test_required_skills_one_below_its_level() -> None:
    a = encode(
        [talent("t7", strengths={"python": 5, "sql": 2})],
        [package("p", required={"python": 3, "sql": 4}, desired={})],
    )
    assert _only(a, "required_skills") == "needs sql at level 4, talent 't7' has 2"


def test_required_skills_names_every_missing_skill() -> None:
    # in the package's order
    a = encode(
        [talent("t7", strengths={"python": 5, "sql": 2})],
        [package("p", required={"python": 3, "sql": 4, "law": 2}, desired={})],
    )
    assert _only(a, "required_skills") == (
        "needs sql at level 4 and law at level 2, talent 't7' has sql at 2 and no law"
    )


def test_availability() -> None:
    a = encode(
        [
            talent(
                "t",
                available_from=dt.date(2027, 5, 1),
                available_to=dt.date(2027, 12, 31),
            )
        ],
        [package("p", start=dt.date(2027, 3, 1), end=dt.date(2028, 2, 29))],
    )
    assert _only(a, "availability") == (
        "the tour runs 2027-03-01 to 2028-02-29, the talent is available 2027-05-01 to 2027-12-31"
    )


def test_fte() -> None:
    a = encode([talent("t", fte=0.6)], [package("p", fte=0.8)])
    assert _only(a, "fte") == "needs 0.8, has 0.6"


def test_location() -> None:
    a = encode(
        [talent("t", region="brussels")],
        [package("p", region="east-flanders", remote="onsite")],
    )
    assert _only(a, "location") == "package in 'east-flanders' (onsite), talent in 'brussels'"
    a = encode(
        [talent("t", region="brussels", accepts_remote=False)],
        [package("p", region="east-flanders", remote="remote")],
    )
    assert _only(a, "location") == (
        "package in 'east-flanders' (remote), talent in 'brussels' who does not accept remote work"
    )


def test_languages() -> None:
    a = encode([talent("t", languages=["nl", "en"])], [package("p", languages=["fr", "nl"])])
    assert _only(a, "languages") == "needs fr, the talent speaks en and nl"
    a = encode([talent("t")], [package("p", languages=["fr", "de"])])
    assert _only(a, "languages") == "needs fr and de, the talent lists no language"


def test_own_organization() -> None:
    a = encode([talent("t", lender="acme")], [package("p", host="acme")], [org("acme")])
    assert _only(a, "own_organization") == "host 'acme' is the talent's own lending organization"


def test_competitor() -> None:
    orgs = [org("bank-a", competitors=["bank-b"]), org("bank-b")]
    a = encode([talent("t", lender="bank-b")], [package("p", host="bank-a")], orgs)
    assert _only(a, "competitor") == "lender 'bank-b' and host 'bank-a' are competitors"


def test_excluded_organization() -> None:
    a = encode([talent("t", excluded=["host"])], [package("p")])
    assert _only(a, "excluded_organization") == "the talent excluded host 'host'"


def test_forbidden_pair() -> None:
    a = encode([talent("t")], [package("p")], forbidden=[Pair(talent="t", package="p")])
    assert _only(a, "forbidden_pair") == "the round forbids talent 't' on package 'p'"


def test_cost_split_host_fee() -> None:
    orgs = [org("lend"), org("host", hiring_budget=3000)]
    a = encode([talent("t", salary=5000)], [package("p", fee_cap=4500)], orgs)
    assert _only(a, "cost_split") == (
        "the host's fee of 4,500/month exceeds its hiring budget of 3,000"
    )


def test_cost_split_lender_topup() -> None:
    orgs = [org("lend", topup_budget=1500), org("host")]
    a = encode([talent("t", salary=5000)], [package("p", fee_cap=2900)], orgs)
    assert _only(a, "cost_split") == (
        "the lender's top-up of 2,100/month exceeds its top-up budget of 1,500"
    )


def test_cost_split_subsidy_and_every_amount_over() -> None:
    # retained 5000: the fee 3000.5 leaves 1999.5, half of it from the pool of 500
    orgs = [org("lend", topup_budget=900), org("host", hiring_budget=3000)]
    policy = Policy(subsidy_share=0.5, subsidy_pool=500)
    a = encode([talent("t", salary=5000)], [package("p", fee_cap=3000.5)], orgs, policy=policy)
    assert _only(a, "cost_split") == (
        "the host's fee of 3,000.50/month exceeds its hiring budget of 3,000, "
        "and the lender's top-up of 999.75/month exceeds its top-up budget of 900, "
        "and the subsidy of 999.75/month exceeds the platform's pool of 500"
    )


def test_minimum_fit() -> None:
    # strengths fit = 0.6 x (level / 5) with no strength used: 0.24 at level 2
    a = encode(
        [talent("t", strengths={"python": 2})],
        [package("p", desired={"python": 1.0})],
        policy=Policy(min_fit=0.5),
    )
    assert _only(a, "minimum_fit") == "strengths fit 0.24, the policy's minimum 0.5"


def test_several_rules_in_rule_order() -> None:
    a = encode([talent("t", age=47, fte=0.5)], [package("p", languages=["fr"])])
    assert failure_details(a, 0, 0) == {
        "age": "47, the policy asks 50+",
        "fte": "needs 1, has 0.5",
        "languages": "needs fr, the talent lists no language",
    }


def test_an_eligible_pair_has_no_details() -> None:
    assert failure_details(encode([talent("t")], [package("p")]), 0, 0) == {}


@pytest.mark.parametrize(
    ("amount", "text"), [(4500.0, "4,500"), (3000.01, "3,000.01"), (0.0, "0"), (999.999, "1,000")]
)
def test_money(amount: float, text: str) -> None:
    assert money(amount) == text
