"""``/rounds/{id}/packages/{p}/shortlist`` and ``/rounds/{id}/talents/{t}/shortlist``: the
same candidates, order and scores as :class:`matcher.shortlists.Shortlists` on the compiled
round, for the version asked for; k within 1..1000; unknown ids are 404."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import SCORE_NAMES, Round
from matcher.shortlists import Shortlist, Shortlists
from tests.service.client import created, pilot_round, pilot_variant, post_json, round_document


@cache
def rich_round() -> Round:
    """400 talents and 100 packages: packages with up to 83 eligible talents, talents with up
    to 15 eligible packages, a few tied scores."""
    return generate_round(400, seed=2)


@cache
def library_shortlists() -> Shortlists:
    return Shortlists(compile_round(rich_round()))


def expected(shortlist: Shortlist) -> list[dict[str, Any]]:
    """A library shortlist as the API shows it (scores to 4 decimals)."""
    return [
        {
            "id": who,
            "score": round(score, 4),
            "parts": {name: round(x, 4) for name, x in zip(SCORE_NAMES, parts, strict=True)},
        }
        for who, score, parts in zip(
            shortlist.partner_ids,
            shortlist.score.tolist(),
            shortlist.components.tolist(),
            strict=True,
        )
    ]


def ranked(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The candidates' ids, scores and parts (the coordinator also sees fees and top-ups)."""
    return [{k: c[k] for k in ("id", "score", "parts")} for c in body["candidates"]]


def busiest(owner: np.ndarray, ids: list[str]) -> list[str]:
    """The ids with the most and the fewest (none) edges, and one in between."""
    counts = np.bincount(owner, minlength=len(ids))
    order = np.argsort(-counts, kind="stable")
    return [ids[order[0]], ids[order[len(ids) // 2]], ids[order[-1]]]


@pytest.fixture(scope="module")
def round_id(module_client: TestClient) -> int:
    """The rich round, stored once per database: the tests that take it only read it."""
    return int(created(post_json(module_client, rich_round()))["id"])


def test_package_shortlists_equal_the_librarys(module_client: TestClient, round_id: int) -> None:
    client = module_client
    library = library_shortlists()
    compiled = library.compiled
    packages = busiest(compiled.package, compiled.arrays.package_ids)
    counts = np.bincount(compiled.package, minlength=compiled.arrays.n_packages)
    eligible = dict(zip(compiled.arrays.package_ids, counts.tolist(), strict=True))

    for package in packages:
        for k in (1, 10, 1000):
            response = client.get(
                f"/rounds/{round_id}/packages/{package}/shortlist", params={"k": k}
            )
            assert response.status_code == 200, response.text
            body = response.json()
            want = library.for_package(package, k)
            assert (body["round_id"], body["version"]) == (round_id, 1)
            assert (body["owner"], body["kind"]) == (package, "package")
            assert ranked(body) == expected(want)
            assert len(body["candidates"]) == min(k, eligible[package])
    # the default k is 10, best first
    default = client.get(f"/rounds/{round_id}/packages/{packages[0]}/shortlist").json()
    scores = [c["score"] for c in default["candidates"]]
    assert len(scores) == 10
    assert scores == sorted(scores, reverse=True)


def test_talent_shortlists_equal_the_librarys(module_client: TestClient, round_id: int) -> None:
    client = module_client
    library = library_shortlists()
    compiled = library.compiled
    talents = busiest(compiled.talent, compiled.arrays.talent_ids)

    for talent in talents:
        for k in (1, 10, 1000):
            response = client.get(f"/rounds/{round_id}/talents/{talent}/shortlist", params={"k": k})
            assert response.status_code == 200, response.text
            body = response.json()
            assert (body["owner"], body["kind"]) == (talent, "talent")
            assert ranked(body) == expected(library.for_talent(talent, k))
    most = client.get(f"/rounds/{round_id}/talents/{talents[0]}/shortlist", params={"k": 1000})
    assert len(most.json()["candidates"]) == 15


def test_k_out_of_bounds_is_422_naming_k(module_client: TestClient, round_id: int) -> None:
    client = module_client
    package, talent = rich_round().packages[0].id, rich_round().talents[0].id

    for k in (0, -1, 1001, 10**9, "ten"):
        for path in (f"packages/{package}", f"talents/{talent}"):
            response = client.get(f"/rounds/{round_id}/{path}/shortlist", params={"k": k})
            assert response.status_code == 422, (k, response.text)
            assert response.json()["detail"].startswith("query parameter 'k': ")


def test_unknown_package_talent_or_round_is_404(module_client: TestClient, round_id: int) -> None:
    client = module_client
    package, talent = rich_round().packages[0].id, rich_round().talents[0].id
    cases = [
        (f"/rounds/{round_id}/packages/nope/shortlist", "package 'nope' not found"),
        (f"/rounds/{round_id}/talents/nobody/shortlist", "talent 'nobody' not found"),
        (f"/rounds/9999/packages/{package}/shortlist", "round 9999 not found"),
        (f"/rounds/9999/talents/{talent}/shortlist", "round 9999 not found"),
        (
            f"/rounds/{round_id}/talents/{talent}/shortlist?version=2",
            f"version 2 of round {round_id} not found",
        ),
    ]

    for path, detail in cases:
        response = client.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.json() == {"detail": detail}


def test_version_parameter_picks_the_version_asked_for(client: TestClient) -> None:
    pilot, edited = pilot_round(), pilot_variant(min_age=40)
    round_id = created(post_json(client, pilot))["id"]
    client.put(f"/rounds/{round_id}", json=round_document(edited))
    path = f"/rounds/{round_id}/talents/femke/shortlist"

    first = client.get(path, params={"version": 1}).json()
    latest = client.get(path).json()
    second = client.get(path, params={"version": 2}).json()
    package = client.get(
        f"/rounds/{round_id}/packages/coop-finance/shortlist", params={"version": 1}
    )

    # femke is 47: under the age limit of version 1, eligible for two packages in version 2
    assert (first["version"], first["candidates"]) == (1, [])
    assert latest == second
    assert second["version"] == 2
    want = Shortlists(compile_round(edited)).for_talent("femke", 10)
    assert ranked(second) == expected(want)
    assert [c["id"] for c in second["candidates"]] == ["city-procurement", "coop-finance"]
    assert [c["id"] for c in package.json()["candidates"]] == ["ann"]


def test_the_hosts_why_not_ranks_as_the_shortlist(module_client: TestClient, round_id: int) -> None:
    """The host-safe why-not of a package's candidates: each one's rank is its place in the
    package's full shortlist, with the same score and parts but ``cost``; a talent with no
    edge to the package has no score and says which rules it fails."""
    client = module_client
    library = library_shortlists()
    compiled = library.compiled
    package = busiest(compiled.package, compiled.arrays.package_ids)[0]
    shortlist = expected(library.for_package(package, 1000))
    assert len(shortlist) > 20
    for rank in (1, 2, len(shortlist) // 2, len(shortlist)):
        candidate = shortlist[rank - 1]
        response = client.get(
            f"/rounds/{round_id}/packages/{package}/why-not", params={"talent": candidate["id"]}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["eligible"], body["rank"]) == (True, rank), (body, candidate)
        assert body["eligible_talents"] == len(shortlist)
        assert body["score"] == candidate["score"]
        parts = {k: v for k, v in candidate["parts"].items() if k != "cost"}
        assert body["parts"] == parts
        assert f"ranked {rank} of {len(shortlist)}" in body["answer"]
    listed = {c["id"] for c in shortlist}
    outsider = next(t for t in compiled.arrays.talent_ids if t not in listed)
    body = client.get(
        f"/rounds/{round_id}/packages/{package}/why-not", params={"talent": outsider}
    ).json()
    assert body["eligible"] is False and body["score"] is None and body["rank"] is None
    assert body["failing_rules"], body
