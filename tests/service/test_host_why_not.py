"""``GET /rounds/{id}/packages/{p}/why-not?talent=t``: why a talent is not on a package, as
the package's host may see it. Every role: the coordinator and the package's host are
answered, any other key is told the package does not exist; the host's answer never holds
an age, a salary, a top-up, a subsidy, another host's package or where else the talent is
placed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.service.host_why_not import FACTS_SHOWN, REASON_ONLY, WITHHELD, host_rules
from matcher.eligibility import RULES
from matcher.roundio import load_round
from tests.service.roles import Service, open_service

PILOT = load_round("examples/pilot")
PRIVATE_WORDS = ("salary", "age policy", "retention", "top-up", "topup", "subsidy", "budget")


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, int]]:
    """The pilot, solved and its offers published, with every role's keys."""
    url = f"sqlite:///{tmp_path_factory.mktemp('host-why-not')}/cosource.db"
    with open_service(url, PILOT) as (service, round_id):
        run_id = service.solve(round_id)
        assert service.post(f"/runs/{run_id}/publish", service.coordinator).status_code == 200
        yield service, round_id


def ask(service: Service, key: str, round_id: int, package: str, talent: str) -> Any:
    return service.get(
        f"/rounds/{round_id}/packages/{package}/why-not", key, params={"talent": talent}
    )


def private_text(answer: dict[str, Any]) -> list[str]:
    """The words of the answer that speak of what a host may not see."""
    text = str(answer).lower()
    return [word for word in PRIVATE_WORDS if word in text]


def test_every_role(pilot: tuple[Service, int]) -> None:
    service, round_id = pilot
    allowed = {"coordinator": service.coordinator, "host coop": service.hosts["coop"]}
    refused = {
        "host city": service.hosts["city"],
        "lender bank": service.lenders["bank"],
        "talent ann": service.talents["ann"],
        "talent bart": service.talents["bart"],
    }
    for who, key in allowed.items():
        answer = ask(service, key, round_id, "coop-finance", "bart")
        assert answer.status_code == 200, (who, answer.text)
        assert answer.json()["eligible"] is False
    for who, key in refused.items():
        answer = ask(service, key, round_id, "coop-finance", "bart")
        assert answer.status_code == 404, (who, answer.text)
        assert answer.json()["detail"] == "package 'coop-finance' not found", who
    assert ask(service, None, round_id, "coop-finance", "bart").status_code == 401


def test_a_rule_about_the_work_comes_with_its_facts(pilot: tuple[Service, int]) -> None:
    service, round_id = pilot
    answer = ask(service, service.hosts["coop"], round_id, "coop-finance", "bart").json()
    rules = {rule["rule"]: rule for rule in answer["failing_rules"]}
    assert set(rules) == {"location", "required_skills", "fte"}, rules
    assert rules["required_skills"]["detail"] == (
        "needs risk-management at level 4, talent 'bart' has none"
    )
    assert rules["fte"]["detail"] == "needs 1, has 0.8"
    assert answer["score"] is None and answer["rank"] is None and answer["parts"] == {}
    assert answer["answer"].startswith("talent 'bart' is not eligible for package 'coop-finance'")


def test_the_age_and_budget_rules_keep_their_facts_from_the_host(
    pilot: tuple[Service, int],
) -> None:
    service, round_id = pilot
    # femke is 47, under the policy's 50: the coordinator hears the age, the host does not
    full = service.get(
        "/runs/1/why-not",
        service.coordinator,
        params={"talent": "femke", "package": "coop-finance"},
    ).json()
    assert "47" in full["answer"] and "age" in [r["rule"] for r in full["failing_rules"]]
    answer = ask(service, service.hosts["coop"], round_id, "coop-finance", "femke").json()
    assert [rule["rule"] for rule in answer["failing_rules"]] == [WITHHELD]
    assert "47" not in str(answer) and not private_text(answer), answer
    # dirk's top-up does not fit his lender's budget: the host hears only that a budget rule
    # fails, not whose amount is over which budget
    full = service.get(
        "/runs/1/why-not", service.coordinator, params={"talent": "dirk", "package": "coop-finance"}
    ).json()
    assert "budget" in full["answer"]
    answer = ask(service, service.hosts["coop"], round_id, "coop-finance", "dirk").json()
    rules = {rule["rule"]: rule for rule in answer["failing_rules"]}
    assert rules["cost_split"]["detail"] is None, rules
    assert "/month" not in str(answer)


def test_an_eligible_pair_has_its_host_score_and_rank_and_not_where_else_it_is_placed(
    pilot: tuple[Service, int],
) -> None:
    service, round_id = pilot
    offers = service.get(f"/rounds/{round_id}/offers", service.coordinator).json()["items"]
    on = {offer["talent"]: offer["package"] for offer in offers}
    assert on["ann"] == "coop-finance"
    # ann is eligible for city-procurement, and placed on coop's package: city hears its score
    # and rank there, and its own offers on the package, never coop's package
    answer = ask(service, service.hosts["city"], round_id, "city-procurement", "ann").json()
    assert answer["eligible"] is True and answer["rank"] == 1 and answer["seats"] == 1
    assert "cost" not in answer["parts"] and set(answer["parts"]) >= {"strengths", "learning"}
    text = str(answer)
    assert "coop" not in text and not private_text(answer), answer
    mine = [o for o in offers if o["package"] == "city-procurement"]
    assert [o["talent"] for o in answer["offers"]] == [o["talent"] for o in mine]
    # the coordinator sees the same pair's score in the full answer
    full = service.get(
        "/runs/1/why-not",
        service.coordinator,
        params={"talent": "ann", "package": "city-procurement"},
    ).json()
    assert answer["score"] == full["pair_score"]
    # ann holds coop's offer: coop hears so
    own = ask(service, service.hosts["coop"], round_id, "coop-finance", "ann").json()
    assert "holds offer" in own["answer"] and own["offers"][0]["talent"] == "ann"


def test_unknown_talent_or_package_is_404(pilot: tuple[Service, int]) -> None:
    service, round_id = pilot
    answer = ask(service, service.hosts["coop"], round_id, "coop-finance", "nobody")
    assert answer.status_code == 404 and answer.json()["detail"] == "talent 'nobody' not found"
    answer = ask(service, service.hosts["coop"], round_id, "no-such-package", "ann")
    assert answer.status_code == 404
    answer = service.get(f"/rounds/{round_id}/packages/coop-finance/why-not", service.coordinator)
    assert answer.status_code == 422 and "talent" in answer.text


def test_every_rule_is_shown_with_its_facts_by_its_reason_or_withheld() -> None:
    facts = {rule: f"facts of {rule}" for rule in RULES}
    shown = {rule.rule: rule for rule in host_rules(facts)}
    for rule in RULES:
        if rule in FACTS_SHOWN:
            assert shown[rule].detail == f"facts of {rule}"
        elif rule in REASON_ONLY:
            assert shown[rule].detail is None
        else:
            assert rule not in shown
    assert set(RULES) - FACTS_SHOWN - REASON_ONLY == {"age", "excluded_organization"}
    assert shown[WITHHELD].detail is None
