"""Offers and the three parties' consent: publication, decisions (and their races), re-solve
after declines, closing, tours and check-ins, the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from api.service.consent_tables import AuditRow
from api.service.database import Database
from api.service.errors import ConflictError
from api.service.keys import Caller, Role
from api.service.offers import Decision, Party, decide
from api.service.queries import load_round as load_stored
from api.service.queries import version_key
from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Pair, Round
from matcher.roundio import load_round
from tests import factories
from tests.service.roles import Service, open_service

PILOT = load_round("examples/pilot")


@pytest.fixture
def pilot(database_url: str) -> Iterator[tuple[Service, int, int]]:
    """The pilot round solved and published: the service, the round id, the run id."""
    with open_service(database_url, PILOT) as (service, round_id):
        run_id = service.solve(round_id)
        answer = service.post(f"/runs/{run_id}/publish", service.coordinator)
        assert answer.status_code == 200, answer.text
        assert answer.json()["created"] == 3
        yield service, round_id, run_id


def offers_of(service: Service, round_id: int, key: str) -> list[dict[str, object]]:
    answer = service.get(f"/rounds/{round_id}/offers", key)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, object]] = answer.json()["items"]
    return items


def decide_as(service: Service, offer_id: int, key: str, decision: str, **body: str) -> Any:
    return service.post(f"/offers/{offer_id}/decisions", key, json={"decision": decision, **body})


def test_each_party_sees_only_the_offers_that_concern_it(pilot: tuple[Service, int, int]) -> None:
    service, round_id, _ = pilot
    every = offers_of(service, round_id, service.coordinator)
    assert len(every) == 3
    for org, key in service.hosts.items():
        seen = offers_of(service, round_id, key)
        assert {o["package"] for o in seen} <= {
            str(x["package"]) for x in every if x["host"] == org
        }
        assert len(seen) == sum(x["host"] == org for x in every)
        assert all(o["view"] == "host" and "topup" not in o for o in seen)
    for org, key in service.lenders.items():
        seen = offers_of(service, round_id, key)
        assert len(seen) == sum(x["lender"] == org for x in every)
        assert all(o["view"] == "lender" and "host_fee" not in o for o in seen)
    for talent, key in service.talents.items():
        seen = offers_of(service, round_id, key)
        assert len(seen) == sum(x["talent"] == talent for x in every)
        assert all(o["view"] == "talent" and "mission" in o for o in seen)


def test_accepted_by_all_three_is_agreed(pilot: tuple[Service, int, int]) -> None:
    service, round_id, _ = pilot
    offer = offers_of(service, round_id, service.coordinator)[0]
    keys = [
        service.talents[str(offer["talent"])],
        service.hosts[str(offer["host"])],
        service.lenders[str(offer["lender"])],
    ]
    states = []
    for key in keys:
        answer = decide_as(service, int(str(offer["id"])), key, "accept", reason="a good mission")
        assert answer.status_code == 200, answer.text
        states.append(answer.json()["status"])
    assert states == ["published", "published", "agreed"]
    log = service.get("/audit", service.coordinator, params={"round_id": round_id}).json()
    accepted = [e for e in log["items"] if e["action"] == "accept"]
    assert len(accepted) == 3
    assert {e["reason"] for e in accepted} == {"a good mission"}


def test_one_decline_declines_and_later_decisions_get_the_state(
    pilot: tuple[Service, int, int],
) -> None:
    service, round_id, _ = pilot
    offer = offers_of(service, round_id, service.coordinator)[0]
    offer_id = int(str(offer["id"]))
    answer = decide_as(service, offer_id, service.hosts[str(offer["host"])], "decline")
    assert answer.json()["status"] == "declined"
    late = decide_as(service, offer_id, service.talents[str(offer["talent"])], "accept")
    assert late.status_code == 409
    message = late.json()["detail"]
    assert "declined" in message and "host declined" in message


def audit_size(service: Service) -> int:
    total: int = service.get("/audit", service.coordinator).json()["total"]
    return total


def test_a_party_decides_once(pilot: tuple[Service, int, int]) -> None:
    service, round_id, _ = pilot
    offer = offers_of(service, round_id, service.coordinator)[0]
    key = service.talents[str(offer["talent"])]
    first = decide_as(service, int(str(offer["id"])), key, "accept")
    before = (service.get(f"/offers/{offer['id']}", key).json(), audit_size(service))
    again = decide_as(service, int(str(offer["id"])), key, "decline")
    assert first.status_code == 200
    assert again.status_code == 409
    assert "talent has already decided" in again.json()["detail"]
    # a replayed or refused decision changes nothing and logs nothing
    assert (service.get(f"/offers/{offer['id']}", key).json(), audit_size(service)) == before


def test_who_may_decide_for_whom(pilot: tuple[Service, int, int]) -> None:
    service, round_id, _ = pilot
    offer = offers_of(service, round_id, service.coordinator)[0]
    offer_id = int(str(offer["id"]))
    host_key = service.hosts[str(offer["host"])]
    # the coordinator names the party; a party decides as itself only
    assert decide_as(service, offer_id, service.coordinator, "accept").status_code == 422
    assert decide_as(service, offer_id, host_key, "accept", party="talent").status_code == 403
    acting = decide_as(service, offer_id, service.coordinator, "accept", party="lender")
    assert acting.json()["decisions"]["lender"] == "accepted"
    # another host, lender or talent does not see the offer at all
    others = [k for org, k in service.hosts.items() if org != offer["host"]]
    others += [k for t, k in service.talents.items() if t != offer["talent"]]
    for key in others:
        assert decide_as(service, offer_id, key, "accept").status_code == 404
        assert service.get(f"/offers/{offer_id}", key).status_code == 404


def test_a_closed_round_takes_no_decisions(pilot: tuple[Service, int, int]) -> None:
    service, round_id, _ = pilot
    offer = offers_of(service, round_id, service.coordinator)[0]
    assert service.post(f"/rounds/{round_id}/close", service.coordinator).status_code == 200
    late = decide_as(
        service, int(str(offer["id"])), service.talents[str(offer["talent"])], "accept"
    )
    assert late.status_code == 409
    assert "closed" in late.json()["detail"]
    assert service.post(f"/rounds/{round_id}/close", service.coordinator).status_code == 409


def test_fifty_racing_decisions_one_wins(database: Database) -> None:
    with open_service(database.url, PILOT) as (service, round_id):
        run_id = service.solve(round_id)
        service.post(f"/runs/{run_id}/publish", service.coordinator)
        offer_id = int(str(offers_of(service, round_id, service.coordinator)[0]["id"]))
    caller = Caller(Role.COORDINATOR, key="race")
    start = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def one() -> None:
        start.wait()
        try:
            with database.write() as session:
                decide(session, caller, offer_id, Party.TALENT, Decision.ACCEPT, "race")
            result = "won"
        except ConflictError:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["conflict"] * 49 + ["won"]
    with database.read() as session:
        entries = session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.reason == "race")
        )
    assert entries == 1


def test_the_audit_log_is_append_only(pilot: tuple[Service, int, int]) -> None:
    service, _, _ = pilot
    database = Database(service.settings.database_url)
    try:
        for statement in ("UPDATE audit_log SET reason = 'edited'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"), database.write() as session:
                session.execute(text(statement))
        with database.read() as session:
            count = session.scalar(select(func.count()).select_from(AuditRow))
        assert count and count > 0
    finally:
        database.dispose()
    assert service.get("/audit", service.coordinator).status_code == 200
    exported = service.client.get(
        "/audit", headers={**service.as_(service.coordinator), "Accept": "text/csv"}
    )
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0].startswith("id,at,actor,role,action")


def _resolve_round() -> Round:
    return generate_round(150, 40, seed=11)


def test_a_re_solve_keeps_agreed_tours_and_refills_declined_seats(database_url: str) -> None:
    round_ = _resolve_round()
    with open_service(database_url, round_) as (service, round_id):
        run_id = service.solve(round_id)
        service.post(f"/runs/{run_id}/publish", service.coordinator)
        offers = offers_of(service, round_id, service.coordinator)
        assert len(offers) >= 12
        agreed, declined = offers[:3], offers[3:8]
        for offer in agreed:
            for party in ("talent", "host", "lender"):
                decide_as(
                    service, int(str(offer["id"])), service.coordinator, "accept", party=party
                )
        for offer in declined:
            answer = decide_as(
                service,
                int(str(offer["id"])),
                service.coordinator,
                "decline",
                party="talent",
                reason="not now",
            )
            assert answer.json()["status"] == "declined"
        answer = service.post(
            f"/rounds/{round_id}/resolve", service.coordinator, json={"time_limit": 3, "workers": 1}
        )
        assert answer.status_code == 202, answer.text
        again = answer.json()
        assert again["version"] == 2
        from api.service.jobs.worker import Worker

        Worker(service.settings).run_once()
        assert service.get(f"/runs/{again['id']}", service.coordinator).json()["status"] == "solved"
        placements = service.get(
            f"/runs/{again['id']}/placements", service.coordinator, params={"limit": 10000}
        ).json()["items"]
        pairs = {(p["talent"], p["package"]) for p in placements}
        assert {(o["talent"], o["package"]) for o in agreed} <= pairs
        assert not {(o["talent"], o["package"]) for o in declined} & pairs
        # the new version's round, as stored, and the placements pass the evaluator
        stored = service.get(f"/rounds/{round_id}/versions", service.coordinator).json()
        assert [v["number"] for v in stored] == [1, 2]
        # its records are copied from the first version's rows, and its digest is that of
        # the whole round as stored
        database = Database(service.settings.database_url)
        try:
            with database.read() as session:
                first = load_stored(session, version_key(session, round_id, 1)[0])
                second = load_stored(session, version_key(session, round_id, 2)[0])
        finally:
            database.dispose()
        assert second.talents == first.talents and second.packages == first.packages
        assert second.organizations == first.organizations
        assert len(second.previous) == len(offers) - len(agreed) - len(declined)
        digest = hashlib.sha256(second.model_dump_json().encode()).hexdigest()
        assert stored[1]["digest"] == digest != stored[0]["digest"]
        edited = round_.model_copy(
            update={
                "pins": [Pair(talent=o["talent"], package=o["package"]) for o in agreed],
                "forbidden": [Pair(talent=o["talent"], package=o["package"]) for o in declined],
            }
        )
        edited = Round.model_validate(edited.model_dump())
        verdict = evaluate(edited, compile_round(edited), sorted(pairs))
        assert verdict.feasible, [str(v) for v in verdict.violations]
        changes = service.get(f"/runs/{again['id']}/changes", service.coordinator).json()
        assert changes["agreed_kept"] == 3 and changes["agreed_lost"] == []
        # the open offers stand (the default): only the seats the declines freed change hands
        assert changes["open_offers_changed"] == []
        assert changes["open_offers_kept"] == len(offers) - len(agreed) - len(declined)
        published = service.post(f"/runs/{again['id']}/publish", service.coordinator).json()
        assert published["kept"] >= 3
        kept = offers_of(service, round_id, service.coordinator)
        agreed_now = [o for o in kept if o["status"] in ("agreed", "active", "completed")]
        assert len(agreed_now) == 3


def _two_hosts_round() -> Round:
    """Talent a can only go to p1 (host h1), b only to p2 (host h2); no host may take more
    than half of the placements (a hard rule)."""
    org, talent, package = factories.org, factories.talent, factories.package
    orgs = [org("lend", role="lender"), org("h1", role="host"), org("h2", role="host")]
    talents = [
        talent("a", region="ghent", accepts_remote=False),
        talent("b", region="antwerp", accepts_remote=False),
    ]
    packages = [package("p1", host="h1"), package("p2", host="h2", region="antwerp")]
    policy = {"max_host_share": 0.5, "fairness": "hard"}
    return factories.make_round(talents, packages, orgs, policy=policy)


def _decline_and_resolve(service: Service, round_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Solve, publish, decline a's offer as the talent, re-solve with ``body``; the run."""
    run_id = service.solve(round_id)
    service.post(f"/runs/{run_id}/publish", service.coordinator)
    offers = {
        str(o["talent"]): int(str(o["id"]))
        for o in offers_of(service, round_id, service.coordinator)
    }
    assert set(offers) == {"a", "b"}
    decide_as(service, offers["a"], service.coordinator, "decline", party="talent")
    answer = service.post(
        f"/rounds/{round_id}/resolve", service.coordinator, json={"time_limit": 3, **body}
    )
    assert answer.status_code == 202, answer.text
    from api.service.jobs.worker import Worker

    Worker(service.settings).run_once()
    run: dict[str, Any] = service.get(f"/runs/{answer.json()['id']}", service.coordinator).json()
    assert run["status"] == "solved", run
    return run


def test_offers_that_cannot_all_stand_may_move(database_url: str) -> None:
    # without a's placement at h1, b's at h2 alone is all of the placements: the kept offer
    # breaks the host share, so the run solves again with it free to move
    with open_service(database_url, _two_hosts_round()) as (service, round_id):
        run = _decline_and_resolve(service, round_id, {})
        assert any("could not all stand together" in note for note in run["result"]["notes"])
        changes = service.get(f"/runs/{run['id']}/changes", service.coordinator).json()
        assert changes["open_offers_changed"] == [
            {"talent": "b", "package": "p2", "change": "now unplaced"}
        ]
        placements = service.get(f"/runs/{run['id']}/placements", service.coordinator).json()
        assert placements["items"] == []


def test_a_re_solve_may_move_the_open_offers(database_url: str) -> None:
    round_ = _resolve_round()
    with open_service(database_url, round_) as (service, round_id):
        run_id = service.solve(round_id)
        service.post(f"/runs/{run_id}/publish", service.coordinator)
        offers = offers_of(service, round_id, service.coordinator)
        for offer in offers[:4]:
            decide_as(service, int(str(offer["id"])), service.coordinator, "decline", party="host")
        answer = service.post(
            f"/rounds/{round_id}/resolve",
            service.coordinator,
            json={"time_limit": 3, "workers": 1, "open_offers": "may_move"},
        )
        assert answer.status_code == 202, answer.text
        from api.service.jobs.worker import Worker

        Worker(service.settings).run_once()
        run = service.get(f"/runs/{answer.json()['id']}", service.coordinator).json()
        assert run["status"] == "solved"
        pairs = {
            (p["talent"], p["package"])
            for p in service.get(
                f"/runs/{run['id']}/placements", service.coordinator, params={"limit": 10000}
            ).json()["items"]
        }
        assert not {(str(o["talent"]), str(o["package"])) for o in offers[:4]} & pairs
        audit = service.get("/audit", service.coordinator).json()["items"]
        assert any("free to move" in str(entry.get("detail")) for entry in audit)
        # as many placements as the kept offers give, at least: moving is for more of them
        assert len(pairs) >= len(offers) - 4


def test_tours_become_active_and_take_check_ins(database_url: str) -> None:
    # the pilot's tours start in 2027; seen from mid-2027 the agreed one is active
    with open_service(database_url, PILOT, today=dt.date(2027, 6, 1)) as (service, round_id):
        run_id = service.solve(round_id)
        service.post(f"/runs/{run_id}/publish", service.coordinator)
        offers = offers_of(service, round_id, service.coordinator)
        offer, other = offers[0], offers[1]
        offer_id = int(str(offer["id"]))
        for party in ("talent", "host", "lender"):
            decide_as(service, offer_id, service.coordinator, "accept", party=party)
        talent_key = service.talents[str(offer["talent"])]
        assert service.get(f"/offers/{offer_id}", talent_key).json()["status"] == "active"
        body = {"learning": True, "strengths": False, "connected": True, "note": "month three"}
        done = service.post(f"/offers/{offer_id}/check-ins", talent_key, json=body)
        assert done.status_code == 201, done.text
        host_key = service.hosts[str(offer["host"])]
        assert service.post(f"/offers/{offer_id}/check-ins", host_key, json=body).status_code == 403
        not_agreed = service.post(
            f"/offers/{other['id']}/check-ins", service.talents[str(other["talent"])], json=body
        )
        assert not_agreed.status_code == 409
        outcomes = service.get(f"/rounds/{round_id}/outcomes", service.coordinator).json()
        assert outcomes["agreed"] == 1 and outcomes["active"] == 1
        assert outcomes["reported"] == {"learning": 1.0, "strengths": 0.0, "connected": 1.0}
        assert outcomes["study"] == {"learning": 1.0, "strengths": 0.8, "connected": 0.8}
        assert outcomes["predicted"]["learning"] in (0.0, 1.0)
