"""Domain models: field checks, cross-record checks, and the exact messages they give.

Broken documents go through :func:`matcher.roundio.round_from_dict`, so the message checked
is the one a user sees: it names the record and the field.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from matcher.errors import RoundError
from matcher.generator import generate_round
from matcher.models import (
    MAX_BUDGET,
    MAX_COUNT,
    MAX_PAY,
    MAX_PENALTY,
    MAX_WEIGHT,
    RULE_NAMES,
    SCORE_NAMES,
    Organization,
    Pair,
    Policy,
    PreviousPlacement,
    Role,
    Round,
    WorkPackage,
)
from matcher.roundio import round_from_dict
from tests.factories import org, package, talent

Document = dict[str, Any]
Change = Callable[[Document], None]


@pytest.fixture
def document() -> Document:
    """A small valid round document: three organizations, two talents, two packages."""
    return {
        "id": "r1",
        "organizations": [
            {"id": "bank", "name": "Bank", "sector": "finance", "role": "lender"},
            {"id": "insurer", "name": "Insurer", "sector": "finance", "competitors": ["bank"]},
            {"id": "city", "name": "City", "sector": "public", "role": "host"},
        ],
        "talents": [
            {
                "id": "ann",
                "lender": "bank",
                "age": 58,
                "strengths": {"python": 4, "sql": 3},
                "learning_goals": {"policy": 1.0},
                "values": ["integrity"],
                "salary": 6000,
                "available_from": "2027-01-01",
                "available_to": "2028-12-31",
                "region": "ghent",
                "excluded": ["insurer"],
                "preferences": ["p1"],
            },
            {
                "id": "bob",
                "lender": "insurer",
                "age": 61,
                "salary": 5000,
                "retention": 0.9,
                "fte": 0.8,
                "available_from": "2027-01-01",
                "available_to": "2027-12-31",
                "region": "ghent",
            },
        ],
        "packages": [
            {
                "id": "p1",
                "host": "city",
                "title": "Data",
                "required": {"python": 3},
                "desired": {"sql": 1.0},
                "seats": 1,
                "start": "2027-03-01",
                "end": "2027-12-31",
                "fee_cap": 4000,
                "region": "ghent",
                "ranking": ["ann"],
            },
            {
                "id": "p2",
                "host": "insurer",
                "title": "Coaching",
                "seats": 2,
                "fte": 0.5,
                "start": "2027-03-01",
                "end": "2027-10-31",
                "fee_cap": 3000,
                "region": "ghent",
            },
        ],
        "pins": [{"talent": "ann", "package": "p1"}],
        "forbidden": [{"talent": "bob", "package": "p1"}],
        "previous": [{"talent": "bob", "package": "p2", "status": "accepted"}],
        "policy": {"min_age": 50},
    }


def _set(*path: str | int, value: Any) -> Change:
    def change(doc: Document) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(*path: str | int) -> Change:
    def change(doc: Document) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _append(collection: str, item: Any) -> Change:
    def change(doc: Document) -> None:
        doc.setdefault(collection, []).append(copy.deepcopy(item))

    return change


def _copy_of(collection: str, index: int) -> Change:
    def change(doc: Document) -> None:
        doc[collection].append(copy.deepcopy(doc[collection][index]))

    return change


BROKEN: list[tuple[str, Change, str]] = [
    # unknown references
    (
        "unknown lender",
        _set("talents", 0, "lender", value="nobody"),
        "talent 'ann' (talents[0]), field 'lender': unknown organization 'nobody'",
    ),
    (
        "unknown host",
        _set("packages", 1, "host", value="nobody"),
        "package 'p2' (packages[1]), field 'host': unknown organization 'nobody'",
    ),
    (
        "unknown competitor",
        _set("organizations", 1, "competitors", value=["bank", "nobody"]),
        "organization 'insurer' (organizations[1]), field 'competitors': "
        "unknown organization 'nobody'",
    ),
    (
        "unknown excluded organization",
        _set("talents", 0, "excluded", value=["nobody"]),
        "talent 'ann' (talents[0]), field 'excluded': unknown organization 'nobody'",
    ),
    (
        "unknown preferred package",
        _set("talents", 0, "preferences", value=["p9"]),
        "talent 'ann' (talents[0]), field 'preferences': unknown package 'p9'",
    ),
    (
        "unknown ranked talent",
        _set("packages", 0, "ranking", value=["zoe"]),
        "package 'p1' (packages[0]), field 'ranking': unknown talent 'zoe'",
    ),
    # duplicate ids
    (
        "duplicate talent id",
        _copy_of("talents", 0),
        "talent 'ann' (talents[2]), field 'id': duplicate id, already used by talents[0]",
    ),
    (
        "duplicate package id",
        _copy_of("packages", 1),
        "package 'p2' (packages[2]), field 'id': duplicate id, already used by packages[1]",
    ),
    (
        "duplicate organization id",
        _copy_of("organizations", 2),
        "organization 'city' (organizations[3]), field 'id': duplicate id, "
        "already used by organizations[2]",
    ),
    (
        "duplicate pin",
        _copy_of("pins", 0),
        "pins[1]: duplicate pin talent 'ann' / package 'p1', already at pins[0]",
    ),
    # levels and weights
    (
        "strength level 6",
        _set("talents", 0, "strengths", "python", value=6),
        "talent 'ann' (talents[0]), field 'strengths': "
        "strength level 6 for 'python' is outside 1-5",
    ),
    (
        "strength level 0",
        _set("talents", 0, "strengths", "sql", value=0),
        "talent 'ann' (talents[0]), field 'strengths': strength level 0 for 'sql' is outside 1-5",
    ),
    (
        "required level 0",
        _set("packages", 0, "required", "python", value=0),
        "package 'p1' (packages[0]), field 'required': "
        "required level 0 for 'python' is outside 1-5",
    ),
    (
        "required level 6",
        _set("packages", 0, "required", "python", value=6),
        "package 'p1' (packages[0]), field 'required': "
        "required level 6 for 'python' is outside 1-5",
    ),
    (
        "fractional level",
        _set("talents", 0, "strengths", "python", value=3.5),
        "talent 'ann' (talents[0]), field 'strengths.python': "
        "Input should be a valid integer, got a number with a fractional part",
    ),
    (
        "negative desired weight",
        _set("packages", 0, "desired", "sql", value=-1.0),
        "package 'p1' (packages[0]), field 'desired': "
        "desired skill weight -1.0 for 'sql' must be a positive number",
    ),
    (
        "zero learning goal weight",
        _set("talents", 0, "learning_goals", "policy", value=0.0),
        "talent 'ann' (talents[0]), field 'learning_goals': "
        "learning goal weight 0.0 for 'policy' must be a positive number",
    ),
    (
        "skill both required and desired",
        _set("packages", 0, "desired", value={"python": 1.0}),
        "package 'p1' (packages[0]): skill 'python' is both required and desired; list it once",
    ),
    (
        "value listed twice",
        _set("talents", 0, "values", value=["integrity", "care", "integrity"]),
        "talent 'ann' (talents[0]), field 'values': 'integrity' listed more than once",
    ),
    # dates
    (
        "end before start",
        _set("packages", 0, "end", value="2027-02-28"),
        "package 'p1' (packages[0]): end 2027-02-28 is before start 2027-03-01",
    ),
    (
        "available_to before available_from",
        _set("talents", 1, "available_to", value="2026-12-31"),
        "talent 'bob' (talents[1]): available_to 2026-12-31 is before available_from 2027-01-01",
    ),
    (
        "not a date",
        _set("packages", 0, "start", value="March"),
        "package 'p1' (packages[0]), field 'start': "
        "Input should be a valid date or datetime, input is too short",
    ),
    # numbers
    (
        "seats 0",
        _set("packages", 1, "seats", value=0),
        "package 'p2' (packages[1]), field 'seats': Input should be greater than or equal to 1",
    ),
    (
        "negative salary",
        _set("talents", 0, "salary", value=-1),
        "talent 'ann' (talents[0]), field 'salary': Input should be greater than or equal to 0",
    ),
    (
        "infinite salary",
        _set("talents", 0, "salary", value=float("inf")),
        "talent 'ann' (talents[0]), field 'salary': Input should be a finite number",
    ),
    (
        "negative top-up budget",
        _set("organizations", 0, "topup_budget", value=-100),
        "organization 'bank' (organizations[0]), field 'topup_budget': "
        "Input should be greater than or equal to 0",
    ),
    (
        "negative hiring budget",
        _set("organizations", 2, "hiring_budget", value=-0.5),
        "organization 'city' (organizations[2]), field 'hiring_budget': "
        "Input should be greater than or equal to 0",
    ),
    (
        "negative fee cap",
        _set("packages", 0, "fee_cap", value=-1),
        "package 'p1' (packages[0]), field 'fee_cap': Input should be greater than or equal to 0",
    ),
    (
        "retention 0",
        _set("talents", 1, "retention", value=0),
        "talent 'bob' (talents[1]), field 'retention': Input should be greater than 0",
    ),
    (
        "retention 1.5",
        _set("talents", 1, "retention", value=1.5),
        "talent 'bob' (talents[1]), field 'retention': Input should be less than or equal to 1",
    ),
    (
        "talent fte 0",
        _set("talents", 1, "fte", value=0),
        "talent 'bob' (talents[1]), field 'fte': Input should be greater than 0",
    ),
    (
        "talent fte 1.2",
        _set("talents", 1, "fte", value=1.2),
        "talent 'bob' (talents[1]), field 'fte': Input should be less than or equal to 1",
    ),
    (
        "package fte 0",
        _set("packages", 1, "fte", value=0),
        "package 'p2' (packages[1]), field 'fte': Input should be greater than 0",
    ),
    (
        "package fte 1.2",
        _set("packages", 1, "fte", value=1.2),
        "package 'p2' (packages[1]), field 'fte': Input should be less than or equal to 1",
    ),
    (
        "age 15",
        _set("talents", 0, "age", value=15),
        "talent 'ann' (talents[0]), field 'age': Input should be greater than or equal to 16",
    ),
    # roles
    (
        "talent lent by a host-only organization",
        _set("talents", 0, "lender", value="city"),
        "talent 'ann' (talents[0]), field 'lender': organization 'city' only hosts "
        "(role 'host') and cannot lend talents",
    ),
    (
        "package hosted by a lender-only organization",
        _set("packages", 1, "host", value="bank"),
        "package 'p2' (packages[1]), field 'host': organization 'bank' only lends "
        "(role 'lender') and cannot host packages",
    ),
    (
        "unknown role",
        _set("organizations", 0, "role", value="broker"),
        "organization 'bank' (organizations[0]), field 'role': "
        "Input should be 'lender', 'host' or 'both'",
    ),
    # ids and unknown fields
    (
        "id with a separator",
        _set("talents", 0, "id", value="ann;bob"),
        "talent 'ann;bob' (talents[0]), field 'id': "
        "'ann;bob' is not a valid id (no spaces, ';', ':' or ',')",
    ),
    (
        "unknown field",
        _set("talents", 0, "shoe_size", value=44),
        "talent 'ann' (talents[0]), field 'shoe_size': Extra inputs are not permitted",
    ),
    (
        "missing field",
        _delete("packages", 0, "title"),
        "package 'p1' (packages[0]), field 'title': Field required",
    ),
    (
        "null title",
        _set("packages", 0, "title", value=None),
        "package 'p1' (packages[0]), field 'title': Input should be a valid string",
    ),
    # pairs
    (
        "pin naming an unknown talent",
        _append("pins", {"talent": "zoe", "package": "p2"}),
        "pins[1], field 'talent': unknown talent 'zoe'",
    ),
    (
        "pin naming an unknown package",
        _append("pins", {"talent": "bob", "package": "p9"}),
        "pins[1], field 'package': unknown package 'p9'",
    ),
    (
        "forbidden pair naming an unknown talent",
        _append("forbidden", {"talent": "zoe", "package": "p2"}),
        "forbidden[1], field 'talent': unknown talent 'zoe'",
    ),
    (
        "previous placement naming an unknown package",
        _set("previous", 0, "package", value="p9"),
        "previous[0], field 'package': unknown package 'p9'",
    ),
    (
        "previous placement with an unknown status",
        _set("previous", 0, "status", value="maybe"),
        "previous[0], field 'status': Input should be 'accepted' or 'proposed'",
    ),
    (
        "pin that is also forbidden",
        _append("pins", {"talent": "bob", "package": "p1"}),
        "pins[1]: pair talent 'bob' / package 'p1' is also forbidden (forbidden[0])",
    ),
    # policy
    (
        "unknown policy weight",
        _set("policy", "weights", value={"strengths": 1.0, "fun": 2.0}),
        "policy, field 'weights': unknown score 'fun'; known: " + ", ".join(SCORE_NAMES),
    ),
    (
        "negative policy weight",
        _set("policy", "weights", value={"strengths": -1.0}),
        "policy, field 'weights': weight of 'strengths' must be a finite number >= 0",
    ),
    (
        "unknown policy rule",
        _set("policy", "rules", value={"age": False, "astrology": True}),
        "policy, field 'rules': unknown rule 'astrology'; known: " + ", ".join(RULE_NAMES),
    ),
    (
        "max_age below min_age",
        _set("policy", "max_age", value=45),
        "policy: max_age 45 is below min_age 50",
    ),
    (
        "subsidy share above 1",
        _set("policy", "subsidy_share", value=1.5),
        "policy, field 'subsidy_share': Input should be less than or equal to 1",
    ),
    (
        "unknown objective",
        _set("policy", "objective", value="fastest"),
        "policy, field 'objective': Input should be 'lexicographic' or 'weighted'",
    ),
]


def test_base_document_is_valid(document: Document) -> None:
    round_ = round_from_dict(document)
    assert [t.id for t in round_.talents] == ["ann", "bob"]
    assert round_.policy.min_age == 50


@pytest.mark.parametrize(
    ("change", "message"),
    [pytest.param(change, message, id=name) for name, change, message in BROKEN],
)
def test_broken_document_names_record_and_field(
    document: Document, change: Change, message: str
) -> None:
    change(document)
    with pytest.raises(RoundError, match=f"^{re.escape(f'r1: {message}')}$"):
        round_from_dict(document, source="r1")


def test_every_error_is_reported_at_once(document: Document) -> None:
    document["talents"][0]["salary"] = -1
    document["packages"][1]["seats"] = 0
    with pytest.raises(RoundError) as error:
        round_from_dict(document)
    assert str(error.value) == (
        "round: talent 'ann' (talents[0]), field 'salary': Input should be greater than or "
        "equal to 0; package 'p2' (packages[1]), field 'seats': Input should be greater than "
        "or equal to 1"
    )


def test_a_document_that_is_not_an_object_is_an_error() -> None:
    with pytest.raises(RoundError, match=re.escape("round: Input should be a valid dictionary")):
        round_from_dict(["not", "a", "round"])


def test_records_are_immutable_and_copied_with_changes() -> None:
    t = talent("ann")
    with pytest.raises(ValidationError, match="frozen"):
        t.age = 60  # type: ignore[misc]
    older = t.model_copy(update={"age": 60})
    assert (t.age, older.age) == (55, 60)


def test_strings_are_stripped() -> None:
    t = talent(" ann ", values=[" care "], strengths={" python ": 4})
    assert (t.id, t.values, t.strengths) == ("ann", ["care"], {"python": 4})


@pytest.mark.parametrize(
    ("role", "lends", "hosts"),
    [(Role.LENDER, True, False), (Role.HOST, False, True), (Role.BOTH, True, True)],
)
def test_organization_roles(role: Role, lends: bool, hosts: bool) -> None:
    o = org("o", role=role)
    assert (o.lends, o.hosts) == (lends, hosts)


def test_organization_defaults_have_no_budget_limit() -> None:
    o = Organization(id="o", name="O", sector="x")
    assert (o.topup_budget, o.hiring_budget, o.role) == (None, None, Role.BOTH)


def test_package_months_counts_both_end_days() -> None:
    p = package("p", start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    assert p.months == pytest.approx(365 / 30.44)
    one_day = package("q", start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 1))
    assert one_day.months == pytest.approx(1 / 30.44)


def test_package_may_end_on_its_start_day() -> None:
    p = WorkPackage.model_validate(
        package("p").model_dump() | {"start": dt.date(2027, 5, 1), "end": dt.date(2027, 5, 1)}
    )
    assert p.start == p.end


def test_policy_rules_not_named_are_on() -> None:
    policy = Policy(rules={"age": False})
    assert not policy.rule_on("age")
    assert all(policy.rule_on(name) for name in RULE_NAMES if name != "age" and name != "learning")
    # the learning rule is on only when named
    assert not policy.rule_on("learning")
    assert Policy(rules={"learning": True}).rule_on("learning")


def test_policy_weights_list_every_score_in_order() -> None:
    assert tuple(Policy().weights) == SCORE_NAMES
    assert list(Policy(weights={"cost": 2.0, "strengths": 1.0}).weights) == list(SCORE_NAMES)


def test_policy_max_age_equal_to_min_age_is_allowed() -> None:
    assert Policy(min_age=60, max_age=60).max_age == 60


def test_round_organization_lookup() -> None:
    round_ = Round(organizations=[org("a"), org("b")], talents=[], packages=[])
    assert round_.organization("b").id == "b"
    with pytest.raises(KeyError, match="unknown organization 'c'"):
        round_.organization("c")


def test_alumni_and_network_may_name_organizations_off_the_platform(document: Document) -> None:
    document["talents"][0]["alumni"] = ["old-employer"]
    document["talents"][0]["network"] = ["another-firm"]
    assert round_from_dict(document).talents[0].alumni == ["old-employer"]


def test_same_pair_may_be_pinned_and_previously_placed(document: Document) -> None:
    document["previous"].append({"talent": "ann", "package": "p1"})
    round_ = round_from_dict(document)
    assert round_.previous[1].status == "proposed"


def test_policy_weights_named_override_the_defaults() -> None:
    weights = Policy(weights={"learning": 5.0, "cost": 0.0}).weights
    assert weights["learning"] == 5.0
    assert weights["cost"] == 0.0
    assert weights["strengths"] == Policy().weights["strengths"]


# --- limits: values no real round reaches, refused before a solver overflows -------------

_PAY = "is above the largest salary or fee handled, 10,000,000 per month"
_BUDGET = "is above the largest budget handled, 1,000,000,000 per month"
_WEIGHT = "is above the largest weight handled, 1,000,000"
_PENALTY = "is above the largest penalty or placement weight handled, 100 score points"
_COUNT = "is above the largest count handled, 1,000,000"

EXTREME: list[tuple[str, Change, str]] = [
    (
        "salary",
        _set("talents", 0, "salary", value=1e18),
        f"talent 'ann' (talents[0]), field 'salary': salary 1e+18 {_PAY}",
    ),
    (
        "infinite salary",
        _set("talents", 1, "salary", value=float("inf")),
        "talent 'bob' (talents[1]), field 'salary': Input should be a finite number",
    ),
    (
        "fee cap",
        _set("packages", 0, "fee_cap", value=MAX_PAY + 1),
        f"package 'p1' (packages[0]), field 'fee_cap': fee cap 10,000,001 {_PAY}",
    ),
    (
        "top-up budget",
        _set("organizations", 0, "topup_budget", value=1e18),
        "organization 'bank' (organizations[0]), field 'topup_budget': top-up budget 1e+18 "
        + _BUDGET,
    ),
    (
        "hiring budget",
        _set("organizations", 2, "hiring_budget", value=1_500_000_000.5),
        "organization 'city' (organizations[2]), field 'hiring_budget': hiring budget "
        f"1500000000.5 {_BUDGET}",
    ),
    (
        "subsidy pool",
        _set("policy", "subsidy_pool", value=10**12),
        f"policy, field 'subsidy_pool': subsidy pool 1,000,000,000,000 {_BUDGET}",
    ),
    (
        "desired skill weight",
        _set("packages", 0, "desired", value={"sql": 1e308}),
        "package 'p1' (packages[0]), field 'desired': desired skill weight 1e+308 for 'sql' "
        + _WEIGHT,
    ),
    (
        "learning goal weight",
        _set("talents", 0, "learning_goals", value={"policy": 2e6}),
        "talent 'ann' (talents[0]), field 'learning_goals': learning goal weight 2,000,000 "
        f"for 'policy' {_WEIGHT}",
    ),
    (
        "policy score weight",
        _set("policy", "weights", value={"strengths": 1e308}),
        f"policy, field 'weights': weight of 'strengths' 1e+308 {_WEIGHT}",
    ),
    (
        "fairness penalty",
        _set("policy", "fairness_penalty", value=1e300),
        f"policy, field 'fairness_penalty': fairness_penalty 1e+300 {_PENALTY}",
    ),
    (
        "infinite disruption penalty",
        _set("policy", "disruption_penalty", value=float("inf")),
        "policy, field 'disruption_penalty': Input should be a finite number",
    ),
    (
        "placement weight",
        _set("policy", "placement_weight", value=101),
        f"policy, field 'placement_weight': placement_weight 101 {_PENALTY}",
    ),
    (
        "top_k",
        _set("policy", "top_k", value=10**30),
        f"policy, field 'top_k': top_k 1e+30 {_COUNT}",
    ),
    (
        "min_per_lender",
        _set("policy", "min_per_lender", value=MAX_COUNT + 1),
        f"policy, field 'min_per_lender': min_per_lender 1,000,001 {_COUNT}",
    ),
    (
        "seats",
        _set("packages", 0, "seats", value=10**6),
        "package 'p1' (packages[0]), field 'seats': Input should be less than or equal to 10000",
    ),
    (
        "tours per talent",
        _set("policy", "max_tours_per_talent", value=1000),
        "policy, field 'max_tours_per_talent': Input should be less than or equal to 20",
    ),
    (
        "age",
        _set("talents", 0, "age", value=10**20),
        "talent 'ann' (talents[0]), field 'age': Input should be less than or equal to 100",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"),
    [pytest.param(change, message, id=name) for name, change, message in EXTREME],
)
def test_extreme_value_names_record_field_and_limit(
    document: Document, change: Change, message: str
) -> None:
    change(document)
    with pytest.raises(RoundError, match=f"^{re.escape(f'r1: {message}')}$"):
        round_from_dict(document, source="r1")


def test_every_value_at_its_limit_is_valid(document: Document) -> None:
    document["organizations"][0]["topup_budget"] = MAX_BUDGET
    document["organizations"][2]["hiring_budget"] = MAX_BUDGET
    document["talents"][0]["salary"] = MAX_PAY
    document["talents"][0]["learning_goals"] = {"policy": MAX_WEIGHT}
    document["packages"][0]["fee_cap"] = MAX_PAY
    document["packages"][0]["desired"] = {"sql": MAX_WEIGHT}
    document["policy"] |= {
        "weights": dict.fromkeys(SCORE_NAMES, MAX_WEIGHT),
        "subsidy_pool": MAX_BUDGET,
        "fairness_penalty": MAX_PENALTY,
        "disruption_penalty": MAX_PENALTY,
        "placement_weight": MAX_PENALTY,
        "top_k": MAX_COUNT,
        "min_per_lender": MAX_COUNT,
    }
    round_ = round_from_dict(document)
    assert round_.talents[0].salary == MAX_PAY
    assert round_.policy.top_k == MAX_COUNT


def test_generated_rounds_stay_far_below_the_limits() -> None:
    round_ = generate_round(4000, seed=1, policy=Policy(subsidy_share=0.3, subsidy_pool=5e5))
    budgets = [o.topup_budget or 0 for o in round_.organizations]
    budgets += [o.hiring_budget or 0 for o in round_.organizations]
    assert max(budgets) < MAX_BUDGET / 1000
    assert max(t.salary for t in round_.talents) < MAX_PAY / 100
    assert max(p.fee_cap for p in round_.packages) < MAX_PAY / 100
    weights = [w for t in round_.talents for w in t.learning_goals.values()]
    weights += [w for p in round_.packages for w in p.desired.values()]
    assert max(weights) < MAX_WEIGHT / 1000
    assert max(p.seats for p in round_.packages) < 100


def test_pins_and_accepted_placements_over_the_seats_or_tours() -> None:
    round_ = Round(
        organizations=[org("lend"), org("host")],
        talents=[talent("t0"), talent("t1")],
        packages=[package("p0"), package("p1", seats=2)],
        pins=[Pair(talent="t0", package="p0"), Pair(talent="t1", package="p0")],
        previous=[
            PreviousPlacement(talent="t0", package="p1", status="accepted"),
            PreviousPlacement(talent="t1", package="p1", status="proposed"),
        ],
    )
    assert round_.over_capacity() == [
        "package 'p0' (packages[0]), field 'seats': 1 seat, but 2 pinned or accepted "
        "placements (pins[0], pins[1])",
        "talent 't0' (talents[0]): 2 pinned or accepted placements (pins[0], previous[0]), "
        "but policy field 'max_tours_per_talent' allows 1",
    ]
    two_tours = round_.model_copy(update={"policy": Policy(max_tours_per_talent=2)})
    assert [m.split(":")[0] for m in two_tours.over_capacity()] == [
        "package 'p0' (packages[0]), field 'seats'",
        "talent 't0' (talents[0]), field 'fte'",  # both tours at once, full time
    ]
    within = round_.model_copy(update={"pins": round_.pins[1:]})
    assert within.over_capacity() == []


def test_pinned_tours_that_overlap_beyond_the_talents_fte() -> None:
    packages = [package("p0", fte=0.6), package("p1", fte=0.6), package("p2", fte=0.4)]
    round_ = Round(
        organizations=[org("lend"), org("host")],
        talents=[talent("t0", fte=1.0)],
        packages=packages,
        pins=[Pair(talent="t0", package="p0"), Pair(talent="t0", package="p1")],
        policy=Policy(max_tours_per_talent=2),
    )
    assert round_.over_capacity() == [
        "talent 't0' (talents[0]), field 'fte': pinned or accepted placements (pins[0], "
        "pins[1]) overlap with 1.2 FTE, above the talent's 1"
    ]
    fits = round_.model_copy(update={"pins": [round_.pins[0], Pair(talent="t0", package="p2")]})
    assert fits.over_capacity() == []
