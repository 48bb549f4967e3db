"""Who may call what: every route with every role, with no key, a revoked key and a
malformed one; and no response to a host, lender or talent carries what is not theirs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from api.service.app import create_app
from matcher.generator import generate_round
from matcher.roundio import load_round
from tests.service.roles import Service, new_key, open_service

PILOT = load_round("examples/pilot")
OTHER = generate_round(20, 5, seed=1)
"""A round none of the pilot's parties is in."""
# the parties of one offer of the pilot's solution, and outsiders to it
ROLES = ("coordinator", "host", "lender", "talent", "other_host", "other_talent")
HOST, LENDER, TALENT, OTHER_HOST, OTHER_TALENT = "coop", "bank", "ann", "city", "bart"
PACKAGE = "coop-finance"


@dataclass
class World:
    """The pilot round (solved and published), a second round none of the pilot's parties
    is in, and the keys."""

    service: Service
    round_id: int
    other_round: int
    run_id: int
    offer_id: int

    def key(self, role: str) -> str:
        s = self.service
        return {
            "coordinator": s.coordinator,
            "host": s.hosts[HOST],
            "lender": s.lenders[LENDER],
            "talent": s.talents[TALENT],
            "other_host": s.hosts[OTHER_HOST],
            "other_talent": s.talents[OTHER_TALENT],
        }[role]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('access')}/cosource.db"
    with open_service(url, PILOT) as (service, round_id):
        created = service.post("/rounds", service.coordinator, json=OTHER.model_dump(mode="json"))
        run_id = service.solve(round_id)
        service.post(f"/runs/{run_id}/publish", service.coordinator)
        offers = service.get(f"/rounds/{round_id}/offers", service.coordinator).json()["items"]
        offer = next(o for o in offers if o["talent"] == TALENT)
        assert offer["package"] == PACKAGE and offer["host"] == HOST and offer["lender"] == LENDER
        yield World(service, round_id, created.json()["id"], run_id, offer["id"])


def routes(w: World) -> list[tuple[str, str, Any, dict[str, int]]]:
    """(method, path, JSON body, expected status by role) for every route."""
    r, o, run, offer = w.round_id, w.other_round, w.run_id, w.offer_id
    pilot = PILOT.model_dump(mode="json")
    everyone = dict.fromkeys(ROLES, 200)

    def only_coordinator(ok: int, others: int) -> dict[str, int]:
        return {role: ok if role == "coordinator" else others for role in ROLES}

    def allowed(ok: int, roles: tuple[str, ...], others: int = 404) -> dict[str, int]:
        return {role: ok if role in roles else others for role in ROLES}

    return [
        ("GET", "/keys", None, only_coordinator(200, 403)),
        ("POST", "/keys", {"role": "talent", "talent": "els"}, only_coordinator(201, 403)),
        ("POST", "/rounds", pilot, only_coordinator(201, 403)),
        ("GET", "/rounds", None, everyone),
        ("GET", f"/rounds/{r}", None, everyone),
        ("GET", f"/rounds/{o}", None, only_coordinator(200, 404)),
        ("PUT", f"/rounds/{r}", pilot, only_coordinator(200, 403)),
        ("PUT", f"/rounds/{o}", OTHER.model_dump(mode="json"), only_coordinator(200, 404)),
        ("GET", f"/rounds/{r}/versions", None, everyone),
        ("GET", f"/rounds/{r}/check", None, only_coordinator(200, 403)),
        ("GET", f"/rounds/{r}/talents", None, allowed(200, ("coordinator", "lender"), 403)),
        (
            "GET",
            f"/rounds/{r}/packages",
            None,
            allowed(200, ("coordinator", "host", "other_host"), 403),
        ),
        ("POST", f"/rounds/{r}/runs", {"time_limit": 1}, only_coordinator(202, 403)),
        ("GET", f"/rounds/{r}/runs", None, only_coordinator(200, 403)),
        ("GET", f"/runs/{run}", None, only_coordinator(200, 404)),
        ("GET", f"/runs/{run}/events", None, only_coordinator(200, 404)),
        ("GET", f"/runs/{run}/placements", None, only_coordinator(200, 404)),
        ("GET", f"/runs/{run}/unplaced", None, only_coordinator(200, 404)),
        ("GET", f"/runs/{run}/blocking-pairs", None, only_coordinator(200, 404)),
        ("GET", f"/runs/{run}/kpis", None, only_coordinator(200, 404)),
        ("GET", f"/runs/{run}/report", None, only_coordinator(200, 404)),
        ("GET", f"/runs/{run}/workbook", None, only_coordinator(200, 404)),
        (
            "GET",
            f"/runs/{run}/why-not?talent={TALENT}&package=city-data",
            None,
            only_coordinator(200, 404),
        ),
        ("GET", f"/runs/{run}/changes", None, only_coordinator(200, 404)),
        ("POST", f"/runs/{run}/cancel", None, only_coordinator(409, 404)),
        ("POST", f"/runs/{run}/publish", None, only_coordinator(200, 404)),
        (
            "GET",
            f"/rounds/{r}/packages/{PACKAGE}/shortlist",
            None,
            allowed(200, ("coordinator", "host")),
        ),
        (
            "GET",
            f"/rounds/{r}/packages/{PACKAGE}/why-not?talent={OTHER_TALENT}",
            None,
            allowed(200, ("coordinator", "host")),
        ),
        (
            "GET",
            f"/rounds/{r}/talents/{TALENT}/shortlist",
            None,
            allowed(200, ("coordinator", "lender", "talent")),
        ),
        ("GET", f"/rounds/{r}/offers", None, everyone),
        (
            "GET",
            f"/offers/{offer}",
            None,
            allowed(200, ("coordinator", "host", "lender", "talent")),
        ),
        (
            "POST",
            f"/offers/{offer}/check-ins",
            {"learning": True, "strengths": True, "connected": True},
            {**allowed(409, ("coordinator", "talent")), "host": 403, "lender": 403},
        ),
        ("GET", f"/rounds/{r}/outcomes", None, only_coordinator(200, 403)),
        ("GET", "/audit", None, only_coordinator(200, 403)),
        ("POST", f"/rounds/{r}/resolve", {"time_limit": 1}, only_coordinator(202, 403)),
    ]


def call(w: World, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return w.service.client.request(method, path, json=body, headers=headers)


def test_every_route_is_in_the_matrix(world: World) -> None:
    # a new route must be added to the matrix: its access rules are part of what it is. The
    # routes are read from the OpenAPI schema (every API route is in it; the page's files,
    # served to anyone, are not)
    schema = create_app(world.service.settings).openapi()
    served = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert len(served) > 30
    listed = {(method, _template(path)) for method, path, _, _ in routes(world)}
    # tested on their own: the decisions and closing in test_consent.py, revocation in
    # test_no_usable_key_is_401_everywhere, /health needs no key
    served -= {
        ("GET", "/health"),
        ("POST", "/keys/{prefix}/revoke"),
        ("POST", "/offers/{offer_id}/decisions"),
        ("POST", "/rounds/{round_id}/close"),
    }
    assert served <= listed, served - listed


def _template(path: str) -> str:
    """``/rounds/1/packages/coop-finance/shortlist`` as the route's template."""
    path = path.split("?")[0]
    path = re.sub(r"/rounds/\d+", "/rounds/{round_id}", path)
    path = re.sub(r"/runs/\d+", "/runs/{run_id}", path)
    path = re.sub(r"/offers/\d+", "/offers/{offer_id}", path)
    path = re.sub(r"/packages/[^/]+/(shortlist|why-not)$", r"/packages/{package}/\1", path)
    return re.sub(r"/talents/[^/]+/shortlist$", "/talents/{talent}/shortlist", path)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_with_every_role(world: World, role: str) -> None:
    wrong = []
    for method, path, body, expected in routes(world):
        answer = call(world, method, path, body, world.service.as_(world.key(role)))
        if answer.status_code != expected[role]:
            got = f"{answer.status_code} (expected {expected[role]})"
            wrong.append(f"{method} {path}: {got} {answer.text[:120]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind", ["none", "revoked", "malformed", "wrong scheme"])
def test_no_usable_key_is_401_everywhere(world: World, kind: str) -> None:
    service = world.service
    if kind == "revoked":
        key = new_key(service, "host", organization=HOST)
        prefix = key.split("_")[1]
        assert service.post(f"/keys/{prefix}/revoke", service.coordinator).status_code == 200
        headers = service.as_(key)
    elif kind == "malformed":
        headers = {"Authorization": "Bearer cs_not-a-key"}
    elif kind == "wrong scheme":
        headers = {"Authorization": f"Basic {service.coordinator}"}
    else:
        headers = {}
    for method, path, body, _ in routes(world):
        answer = call(world, method, path, body, headers)
        assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
        assert answer.headers["www-authenticate"] == "Bearer"
    assert service.client.get("/health").status_code == 200


FORBIDDEN_FIELDS = {"salary", "age", "retention", "retained", "subsidy", "subsidy_pool"}
"""Fields that never leave the coordinator's views."""


def _walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    else:
        yield None, value


@pytest.mark.parametrize("role", ["host", "lender", "talent", "other_host", "other_talent"])
def test_no_response_leaks_what_is_not_the_callers(world: World, role: str) -> None:
    own_org = {"host": HOST, "lender": LENDER, "other_host": OTHER_HOST}.get(role)
    own_talent = {"talent": TALENT, "other_talent": OTHER_TALENT}.get(role)
    foreign: set[str] = set()
    if role in ("host", "other_host"):
        foreign |= {p.id for p in PILOT.packages if p.host != own_org}
    if role == "lender":
        foreign |= {t.id for t in PILOT.talents if t.lender != own_org}
    if role in ("talent", "other_talent"):
        foreign |= {t.id for t in PILOT.talents if t.id != own_talent}
    not_money = {"host_fee"} if role not in ("host", "other_host") else set()
    not_topup = {"topup"} if role != "lender" else set()
    seen = 0
    for method, path, body, expected in routes(world):
        if method != "GET" or expected[role] != 200:
            continue
        answer = call(world, method, path, body, world.service.as_(world.key(role)))
        assert answer.status_code == 200, path
        seen += 1
        for key, value in _walk(answer.json()):
            assert key not in FORBIDDEN_FIELDS | not_money | not_topup, f"{path}: field {key}"
            assert not (isinstance(value, str) and value in foreign), f"{path}: {value}"
    assert seen >= 4
