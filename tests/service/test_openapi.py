"""Property-based tests of the whole HTTP API from its own OpenAPI schema (schemathesis).

Every operation of ``app.openapi()`` gets generated requests, valid and invalid (the
examples, coverage and fuzzing phases), sent in-process to the ASGI app over a real
database, SQLite then PostgreSQL, that holds a real round and a solved run: generated ids,
talents and packages are often those of round 1 and run 1, so that requests reach real
objects, not only 404s. No response may be a 5xx, and each must be what the schema
declares: its status code, content type, headers and body. The requests carry the
coordinator's API key, made straight in the database (as ``cosource keys create`` does).

Then every operation again, on SQLite, with the key of a host (coop), a lender (bank) and
a talent (ann) of the pilot, whose run is published as offers: besides the checks above,
no answer shows the caller what is not its own (a 2xx on a coordinator's route, on a run,
on another party's shortlist, talents, packages or offers fails).

The round uploads, whose bodies the service reads by hand, get more: generated bodies of
each declared media type, and the pilot round with one value broken, as JSON, as a zip of
its CSV files and as a multipart form.

Bounded and deterministic for CI: a fixed seed, derandomized generation, at most
``MAX_EXAMPLES`` fuzzed requests per operation (``PARTY_EXAMPLES`` per operation and party
key).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import select

from api.service.app import create_app
from api.service.consent_tables import OfferRow
from api.service.jobs.worker import Worker
from api.service.keys import Role, create_key
from api.service.settings import Settings
from matcher.roundio import load_round

PILOT = Path(__file__).resolve().parents[2] / "examples" / "pilot"
SEED = 20_270_101
MAX_EXAMPLES = 30
"""Fuzzed requests per operation (the examples and coverage phases add their own)."""
PARTY_EXAMPLES = 10
"""Fuzzed requests per operation and party key in the runs with a host's, a lender's or a
talent's key (fewer: those runs are about what a key is shown, not about the input's
edges, and they have no coverage phase)."""
UPLOAD_EXAMPLES = 15
"""Requests per upload operation and media type in the upload tests."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
"""What every response must pass. Left out, on purpose:

- ``positive_data_acceptance``: a round is validated by hand (its JSON, CSV and zip forms
  cannot be written as one JSON Schema), so a schema-valid round body is still refused;
- ``use_after_free``, ``ensure_resource_availability``: the API deletes nothing and
  declares no links between operations;
- ``missing_required_header``, ``ignored_auth``: the schema declares no header parameter
  and no security scheme;
- ``unsupported_method``, ``allow_header_conformance``: FastAPI's own 405 answers (the
  coverage phase sends no unexpected methods either).
"""

UPLOADS = [("POST", "/rounds"), ("PUT", "/rounds/{round_id}")]
"""The operations that read a round from the body by hand (JSON, a zip or a form)."""
ROUND_MEDIA_TYPES = ["application/json", "application/zip", "multipart/form-data"]

# ann and bart are bank's, chloe is insurer's: a talent of another lender for bank's key
TALENTS = ["ann", "bart", "chloe", "no-such-talent"]
# coop-finance is coop's, city-procurement the city's: another host's package for coop's key
PACKAGES = ["coop-finance", "city-procurement", "no-such-package"]
CONFIG: dict[str, Any] = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": []}},
    # round 1, run 1 and the pilot's talents and packages are drawn often, so that
    # requests reach real objects (a generated id is still often one that does not exist)
    "dictionaries": {
        "ids": {"values": [1]},
        "talents": {"values": TALENTS},
        "packages": {"values": PACKAGES},
    },
    "parameters": {
        "path.round_id": {"dictionary": "ids", "probability": 0.7},
        "path.run_id": {"dictionary": "ids", "probability": 0.7},
        "path.talent": {"dictionary": "talents", "probability": 0.7},
        "path.package": {"dictionary": "packages", "probability": 0.7},
        "query.talent": {"dictionary": "talents", "probability": 0.7},
        "query.package": {"dictionary": "packages", "probability": 0.7},
    },
}

# schemathesis has no serializer of its own for application/zip: the generated bytes go
# on the wire as they are, as for application/octet-stream
schemathesis.serializer.alias("application/zip", "application/octet-stream")


def service_schema(settings: dict[str, Any]) -> OpenApiSchema:
    """schemathesis' view of ``app.openapi()``, sent in-process to an app (ASGI), that
    generates requests as ``settings`` (a schemathesis configuration) says.

    Built at import, since schemathesis collects one test per operation from it; each test
    sends its requests to its own seeded app (``call_and_validate(app=...)``). Building an
    app touches no database: only its lifespan does.
    """
    app = create_app(Settings(database_url="sqlite://"))
    config = schemathesis.Config.from_dict(settings)
    loaded = schemathesis.openapi.from_dict(app.openapi(), config=config)
    loaded.app = app
    return loaded


schema = service_schema(CONFIG)
# the coverage phase's boundary and invalid values get the same answers whatever the key
# (the coordinator's run sends them): the party runs leave it out, to stay short
PARTY_CONFIG: dict[str, Any] = {
    **CONFIG,
    "generation": {**CONFIG["generation"], "max-examples": PARTY_EXAMPLES},
    "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
}
party_schema = service_schema(PARTY_CONFIG)


PILOT_ROUND = load_round(PILOT)


@dataclass(frozen=True)
class Party:
    """A host, lender or talent of the pilot with a key of its own, and whose shortlists it
    may read: its packages (a host), its talents (a lender), itself (a talent)."""

    name: str
    role: Role
    organization: str | None = None
    talent: str | None = None
    packages: frozenset[str] = frozenset()
    talents: frozenset[str] = frozenset()

    def concerned_by(self, offer: dict[str, str]) -> bool:
        """Whether ``offer`` (its talent, host and lender) is one of this party's."""
        if self.role == Role.TALENT:
            return offer["talent"] == self.talent
        return offer[str(self.role)] == self.organization


PARTIES = [
    Party(
        "host coop",
        Role.HOST,
        organization="coop",
        packages=frozenset(p.id for p in PILOT_ROUND.packages if p.host == "coop"),
    ),
    Party(
        "lender bank",
        Role.LENDER,
        organization="bank",
        talents=frozenset(t.id for t in PILOT_ROUND.talents if t.lender == "bank"),
    ),
    Party("talent ann", Role.TALENT, talent="ann", talents=frozenset({"ann"})),
]

COORDINATOR_ONLY = {
    ("POST", "/rounds"),
    ("PUT", "/rounds/{round_id}"),
    ("POST", "/keys"),
    ("GET", "/keys"),
    ("POST", "/keys/{prefix}/revoke"),
    ("GET", "/audit"),
    ("POST", "/rounds/{round_id}/runs"),
    ("GET", "/rounds/{round_id}/runs"),
    ("GET", "/rounds/{round_id}/check"),
    ("POST", "/rounds/{round_id}/resolve"),
    ("POST", "/rounds/{round_id}/close"),
    ("GET", "/rounds/{round_id}/outcomes"),
}
"""Operations that answer no one but the coordinator with a 2xx, besides every ``/runs/...``
(a run and its results are the coordinator's)."""
PACKAGE_SHORTLIST = "/rounds/{round_id}/packages/{package}/shortlist"
TALENT_SHORTLIST = "/rounds/{round_id}/talents/{talent}/shortlist"
PRIVATE_TALENT_FIELDS = {"salary", "age", "retention"}


@dataclass
class Seeded:
    """The app, the keys made for it (by party name, and ``coordinator``), and the offers
    of run 1 once published (by id: their talent, host and lender)."""

    app: FastAPI
    keys: dict[str, str]
    offers: dict[int, dict[str, str]] = field(default_factory=dict)

    def headers(self, name: str = "coordinator") -> dict[str, str]:
        """The headers of a request made with the key of ``name``."""
        return {"Authorization": f"Bearer {self.keys[name]}"}


def seed(settings: Settings, parties: list[Party], publish: bool) -> Seeded:
    """The app on ``settings`` with a key for the coordinator and for each of ``parties``,
    made straight in the database (as ``cosource keys create`` does); ``examples/pilot``
    uploaded as round 1 and solved as run 1 by the real worker (a child process), so that
    round 1 and run 1 have results to show; with ``publish``, run 1 published as offers."""
    app = create_app(settings)
    files = {path.name: (path.name, path.read_bytes()) for path in sorted(PILOT.iterdir())}
    with TestClient(app) as client:
        # the lifespan has migrated the database: keys can be stored
        with app.state.database.write() as session:
            keys = {"coordinator": create_key(session, Role.COORDINATOR, label="openapi")[0]}
            for party in parties:
                keys[party.name], _ = create_key(
                    session, party.role, party.organization, party.talent, label="openapi"
                )
        seeded = Seeded(app, keys)
        client.headers.update(seeded.headers())
        created = client.post("/rounds", files=files)
        assert created.status_code == 201, created.text
        assert created.json()["id"] == 1
        body = {"method": "auto", "time_limit": 2, "workers": 1, "blocking_pairs": True}
        queued = client.post("/rounds/1/runs", json=body)
        assert queued.status_code == 202, queued.text
        assert queued.json()["id"] == 1
        assert Worker(settings).run_once()
        run = client.get("/runs/1").json()
        assert run["status"] == "solved", run
        if publish:
            published = client.post("/runs/1/publish")
            assert published.status_code == 200, published.text
            with app.state.database.read() as session:
                seeded.offers = {
                    offer.id: {"talent": offer.talent, "host": offer.host, "lender": offer.lender}
                    for offer in session.scalars(select(OfferRow))
                }
            assert len(seeded.offers) == published.json()["created"] > 0
    return seeded


@pytest.fixture(scope="module")
def seeded(module_database_url: str) -> Iterator[Seeded]:
    """The app over a database of its own that holds round 1 and its solved run 1, with a
    coordinator key, shared by this module's coordinator tests (generated requests add
    rounds, queued runs, keys and offers: no worker runs)."""
    yield from _seeded(Settings(database_url=module_database_url), [], publish=False)


@pytest.fixture(scope="module")
def seeded_for_parties(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """As ``seeded``, with run 1 published and a key for each of ``PARTIES``: on SQLite
    only, since who sees what is decided by the same code on both databases."""
    url = f"sqlite:///{tmp_path_factory.mktemp('parties-db')}/cosource.db"
    yield from _seeded(Settings(database_url=url), PARTIES, publish=True)


def _seeded(settings: Settings, parties: list[Party], publish: bool) -> Iterator[Seeded]:
    seeded = seed(settings, parties, publish)
    yield seeded
    # schemathesis keeps the lifespan of an app it called running: end it, so that the
    # database's connections close before the database is dropped
    shutdown_lifespans()
    seeded.app.state.database.dispose()


# module-scoped, as hypothesis wants the fixtures of a generated test (a party is constant)
@pytest.fixture(scope="module", params=PARTIES, ids=lambda party: party.name.replace(" ", "-"))
def party(request: pytest.FixtureRequest) -> Party:
    """Each of the pilot's parties with a key in ``seeded_for_parties``."""
    chosen: Party = request.param
    return chosen


@schema.parametrize()
def test_every_operation_answers_as_its_schema_declares(
    case: schemathesis.Case[Any], seeded: Seeded
) -> None:
    """No generated request gets a 5xx, and every answer has a declared status, content type
    and body; a generated round upload is refused with a 4xx."""
    response = case.call_and_validate(checks=CHECKS, app=seeded.app, headers=seeded.headers())
    if (case.method.upper(), case.path) in UPLOADS:
        assert 400 <= response.status_code < 500, response.text
        assert isinstance(response.json()["detail"], str)


def assert_shows_nothing_of_others(
    party: Party, case: schemathesis.Case[Any], response: Any, offers: dict[int, dict[str, str]]
) -> None:
    """A 2xx to ``party`` is about its own things only: never a coordinator's operation or
    a run; a shortlist of its own package (a host) or of its own talent (a lender, a
    talent); its own offers; a lender's own talents without their private fields, a host's
    own packages."""
    if not 200 <= response.status_code < 300:
        return
    method, path = case.method.upper(), case.path
    params = case.path_parameters or {}
    answered = f"{party.name} got {response.status_code} on {method} {case.formatted_path}"
    assert not path.startswith("/runs/"), f"{answered}: runs are the coordinator's"
    assert (method, path) not in COORDINATOR_ONLY, f"{answered}: only the coordinator may"
    if path == PACKAGE_SHORTLIST:
        assert params["package"] in party.packages, f"{answered}: not its package"
    elif path == TALENT_SHORTLIST:
        assert params["talent"] in party.talents, f"{answered}: not its talent"
    elif path.startswith("/offers/{offer_id}"):
        # a path parameter may be generated as a string of digits, which the route reads too
        offer = offers.get(int(params["offer_id"]))
        assert offer is not None and party.concerned_by(offer), f"{answered}: not its offer"
    elif path == "/rounds/{round_id}/offers":
        shown = [offers[item["id"]] for item in response.json()["items"]]
        assert all(party.concerned_by(offer) for offer in shown), f"{answered}: {shown}"
    elif path == "/rounds/{round_id}/talents":
        talents = response.json()["items"]
        assert party.role == Role.LENDER, f"{answered}: only a lender lists talents"
        assert all(t["lender"] == party.organization for t in talents), answered
        assert not any(PRIVATE_TALENT_FIELDS & set(t) for t in talents), answered
    elif path == "/rounds/{round_id}/packages":
        packages = response.json()["items"]
        assert party.role == Role.HOST, f"{answered}: only a host lists packages"
        assert all(p["host"] == party.organization for p in packages), answered


@party_schema.parametrize()
def test_no_operation_shows_a_host_lender_or_talent_what_is_not_its_own(
    case: schemathesis.Case[Any], seeded_for_parties: Seeded, party: Party
) -> None:
    """With a host's, a lender's or a talent's key no generated request gets a 5xx, every
    answer is as declared, and no 2xx shows the party anything but its own."""
    seeded = seeded_for_parties
    headers = seeded.headers(party.name)
    response = case.call_and_validate(checks=CHECKS, app=seeded.app, headers=headers)
    assert_shows_nothing_of_others(party, case, response, seeded.offers)


def test_each_party_reads_its_own_shortlists_and_offers_and_no_others(
    seeded_for_parties: Seeded, party: Party
) -> None:
    """Whatever the fuzzing above drew: every shortlist of round 1 (each pilot package and
    talent) and every offer, asked with the party's key, answers 200 when it is the party's
    own and 404 otherwise, and passes the same checks."""
    seeded = seeded_for_parties
    asked = [
        (PACKAGE_SHORTLIST, {"round_id": 1, "package": p.id}, p.id in party.packages)
        for p in PILOT_ROUND.packages
    ]
    asked += [
        (TALENT_SHORTLIST, {"round_id": 1, "talent": t.id}, t.id in party.talents)
        for t in PILOT_ROUND.talents
    ]
    asked += [
        ("/offers/{offer_id}", {"offer_id": offer_id}, party.concerned_by(offer))
        for offer_id, offer in seeded.offers.items()
    ]
    assert any(own for _, _, own in asked), "each party has something of its own"
    for path, params, own in asked:
        case = schema[path]["GET"].Case(path_parameters=params)
        headers = seeded.headers(party.name)
        response = case.call_and_validate(checks=CHECKS, app=seeded.app, headers=headers)
        assert_shows_nothing_of_others(party, case, response, seeded.offers)
        assert response.status_code == (200 if own else 404), (path, params, response.text)


PATH_VALUES = {
    "round_id": 1,
    "run_id": 1,
    "offer_id": 1,
    "talent": "ann",
    "package": "coop-finance",
    "prefix": "0123abcd",
}
"""A value for each path parameter of the schema: real objects of ``seeded_for_parties``."""


def test_every_operation_but_health_answers_401_as_declared_without_a_key(
    seeded_for_parties: Seeded,
) -> None:
    """A request without a key gets a 401 from every operation but ``/health`` (which
    answers 200), as its schema declares it: the runs above all carry a key, so no 401 of
    theirs would show an undeclared one."""
    operations = [
        (path, method) for path, methods in schema.raw_schema["paths"].items() for method in methods
    ]
    for path, method in operations:
        names = [name.strip("{}") for name in path.split("/") if name.startswith("{")]
        case = schema[path][method].Case(path_parameters={n: PATH_VALUES[n] for n in names})
        response = case.call_and_validate(checks=CHECKS, app=seeded_for_parties.app)
        expected = 200 if path == "/health" else 401
        assert response.status_code == expected, (method, path, response.text)


def test_the_access_checks_name_operations_of_the_schema() -> None:
    """The operations the access checks above single out exist as written, so that a renamed
    route cannot make a check vacuous."""
    operations = {
        (method.upper(), path)
        for path, methods in schema.raw_schema["paths"].items()
        for method in methods
    }
    paths = {path for _, path in operations}
    assert operations >= COORDINATOR_ONLY, COORDINATOR_ONLY - operations
    assert {PACKAGE_SHORTLIST, TALENT_SHORTLIST, "/rounds/{round_id}/offers"} <= paths
    assert {"/rounds/{round_id}/talents", "/rounds/{round_id}/packages"} <= paths
    assert any(path.startswith("/offers/{offer_id}") for path in paths)
    assert any(path.startswith("/runs/") for path in paths)


@pytest.mark.parametrize("media_type", ROUND_MEDIA_TYPES)
@pytest.mark.parametrize(("method", "path"), UPLOADS)
@hypothesis.settings(
    max_examples=UPLOAD_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)
@hypothesis.given(data=st.data())
def test_generated_uploads_of_each_media_type_are_refused_with_a_4xx(
    seeded: Seeded, method: str, path: str, media_type: str, data: st.DataObject
) -> None:
    """Bodies generated from the declared schema of each media type (a JSON object, bytes
    sent as a zip, a form of files) are never a round: refused with a declared 4xx."""
    operation = schema[path][method]
    # round 1 exists: the body is read (an unknown round is refused before it)
    ids = {"round_id": 1} if "{round_id}" in path else None
    # the media type of a generated body is drawn among the declared ones: keep this one
    cases = operation.as_strategy(path_parameters=ids)
    case = data.draw(cases.filter(lambda case: case.media_type == media_type))
    response = case.call_and_validate(checks=CHECKS, app=seeded.app, headers=seeded.headers())
    assert 400 <= response.status_code < 500, response.text
    assert isinstance(response.json()["detail"], str)


PILOT_FILES = {path.name: path.read_bytes() for path in sorted(PILOT.iterdir())}
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "-1", "0", "1e999", "nan", "inf", "2027-02-30", "99999999999999999999", ";", ":"]
    ),
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities too: json.dumps writes them, json.loads reads them
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def broken_csv_files(draw: st.DrawFn) -> dict[str, bytes]:
    """The pilot's files with one cell of one CSV file replaced by generated text."""
    files = dict(PILOT_FILES)
    name = draw(st.sampled_from(sorted(n for n in files if n.endswith(".csv"))))
    rows = list(csv.reader(io.StringIO(files[name].decode())))
    row = draw(st.integers(0, len(rows) - 1))
    column = draw(st.integers(0, len(rows[row]) - 1))
    rows[row][column] = draw(CELLS)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    files[name] = text.getvalue().encode()
    return files


@st.composite
def broken_round_document(draw: st.DrawFn) -> bytes:
    """The pilot as one JSON document with one field of one record replaced."""
    document = load_round(PILOT).model_dump(mode="json")
    records = document[draw(st.sampled_from(["organizations", "talents", "packages"]))]
    record = records[draw(st.integers(0, len(records) - 1))]
    record[draw(st.sampled_from(sorted(record)))] = draw(VALUES)
    return json.dumps(document).encode()


def zipped(files: dict[str, bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zip_file:
        for name, content in files.items():
            zip_file.writestr(name, content)
    return archive.getvalue()


@pytest.mark.parametrize("media_type", ROUND_MEDIA_TYPES)
@hypothesis.settings(
    max_examples=UPLOAD_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)
@hypothesis.given(data=st.data())
def test_a_pilot_round_with_one_broken_value_is_stored_or_refused_never_a_5xx(
    seeded: Seeded, media_type: str, data: st.DataObject
) -> None:
    """The pilot with one value replaced (a CSV cell in a zip or a form, a JSON field) is
    stored (201) when still valid, else refused with a 4xx naming why; never a 5xx."""
    # no lifespan: the module's app is migrated and running already
    client = TestClient(seeded.app, headers=seeded.headers())
    if media_type == "multipart/form-data":
        files = data.draw(broken_csv_files())
        response = client.post("/rounds", files={name: (name, f) for name, f in files.items()})
    else:
        if media_type == "application/json":
            body = data.draw(broken_round_document())
        else:
            body = zipped(data.draw(broken_csv_files()))
        response = client.post("/rounds", content=body, headers={"content-type": media_type})
    assert response.status_code == 201 or 400 <= response.status_code < 500, response.text
    answer = response.json()
    if response.status_code == 201:
        assert answer["version"]["talents"] == 6
    else:
        assert isinstance(answer["detail"], str) and answer["detail"]
