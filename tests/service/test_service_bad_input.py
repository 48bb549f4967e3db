"""Bad input over HTTP: every refusal is a 4xx whose message names the field (or the file,
line and column, or the kind and id), nothing is stored, and no request ends in a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.cli_inputs import load_checked
from api.service.settings import Settings
from matcher.errors import RoundError
from matcher.generator import generate_round
from tests.service.client import (
    PILOT,
    created,
    folder_files,
    pilot_round,
    post_files,
    post_json,
    post_zip,
    round_document,
    service_client,
    service_settings,
    start_run,
    table_counts,
    zip_of,
)


def refused(response: Response, status: int, *words: str) -> str:
    """The detail of a refusal with ``status``, checked to say each of ``words``."""
    assert response.status_code < 500, response.text
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    for word in words:
        assert word in detail, (word, detail)
    return detail


def cli_message(tmp_path: Path, files: dict[str, bytes]) -> str:
    """What ``cosource check`` says of the round in ``files``, without its path."""
    folder = tmp_path / "round"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    target = folder / "round.json" if list(files) == ["round.json"] else folder
    with pytest.raises(RoundError) as refusal:
        load_checked(target)
    return str(refusal.value).removeprefix(f"{target}: ")


def test_broken_round_documents_are_422_and_store_nothing(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    document = round_document(pilot_round())
    del document["talents"][1]["salary"]
    json_type = {"content-type": "application/json"}
    before = table_counts(settings.database_url)

    broken = client.post("/rounds", content=b'{"id": "x", ', headers=json_type)
    array = client.post("/rounds", json=[document])
    empty = client.post("/rounds", content=b"", headers=json_type)
    not_utf8 = client.post("/rounds", content=b'{"id": "\xff"}', headers=json_type)
    missing = post_json(client, document)
    # an edit refused leaves the round at its version
    edit = client.put(f"/rounds/{round_id}", json=document)

    refused(broken, 422, "round: not valid JSON")
    refused(array, 422, "round: expected a JSON object")
    refused(empty, 422, "round: not valid JSON")
    refused(not_utf8, 422, "round: not valid JSON")
    detail = refused(missing, 422, "talent 'bart'", "field 'salary'")
    # the words of cosource check on the same document
    cli = cli_message(tmp_path, {"round.json": json.dumps(document).encode()})
    assert detail == f"round: {cli}"
    assert cli == "talent 'bart' (talents[1]), field 'salary': Field required"
    assert refused(edit, 422) == detail
    assert client.get(f"/rounds/{round_id}").json()["latest_version"] == 1
    assert table_counts(settings.database_url) == before


def test_broken_zips_and_forms_are_4xx_naming_the_file_and_store_nothing(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    files = folder_files(PILOT)
    lines = files["talents.csv"].decode().splitlines(keepends=True)
    assert lines[2].startswith("bart,bank,61,")
    lines[2] = lines[2].replace("bart,bank,61,", "bart,bank,sixty,")
    bad_cell = {**files, "talents.csv": "".join(lines).encode()}
    without_packages = {k: v for k, v in files.items() if k != "packages.csv"}
    before = table_counts(settings.database_url)

    cell = post_zip(client, zip_of(bad_cell))
    form_cell = post_files(client, bad_cell)
    extra = post_zip(client, zip_of({**files, "notes.txt": b"call Ann"}))
    missing = post_zip(client, zip_of(without_packages))
    form_missing = post_files(client, without_packages)
    not_zip = post_zip(client, b"PK? not really")
    not_a_file = client.post(
        "/rounds", data={"note": "hello"}, files={"talents.csv": files["talents.csv"]}
    )
    text = client.post("/rounds", content=b"id,name\n", headers={"content-type": "text/csv"})

    detail = refused(cell, 422, "talents.csv line 3", "(id 'bart')", "column 'age'")
    assert detail == cli_message(tmp_path, bad_cell)
    assert refused(form_cell, 422) == detail
    refused(extra, 422, "zip: unexpected file(s) notes.txt")
    refused(missing, 422, "zip: missing file(s) packages.csv")
    refused(form_missing, 422, "form: missing file(s) packages.csv")
    refused(not_zip, 422, "zip: not a zip archive")
    refused(not_a_file, 422, "form: field 'note' is not a file")
    refused(text, 415, "content type 'text/csv' not understood")
    assert table_counts(settings.database_url) == before


def test_a_body_over_the_upload_limit_is_413_and_stores_nothing(database_url: str) -> None:
    settings = service_settings(database_url, max_upload_bytes=1024)
    pilot = pilot_round()
    files = folder_files(PILOT)
    big_zip = zip_of({**files, "talents.csv": files["talents.csv"] * 20})
    assert len(json.dumps(round_document(pilot))) > 1024

    with service_client(settings) as client:
        before = table_counts(database_url)
        as_json = post_json(client, pilot)
        as_zip = post_zip(client, big_zip)
        as_form = post_files(client, files)
        refused(as_json, 413, "over the limit of 1,024")
        refused(as_zip, 413, "over the limit of 1,024")
        refused(as_form, 413, "over the limit of 1,024")
        assert table_counts(database_url) == before


def test_unknown_ids_are_404_naming_the_kind_and_id(client: TestClient, settings: Settings) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    document = round_document(pilot_round())
    before = table_counts(settings.database_url)
    cases: list[tuple[str, str, Any, str]] = [
        ("GET", "/rounds/99", None, "round 99 not found"),
        ("GET", "/rounds/99/versions", None, "round 99 not found"),
        ("GET", "/rounds/99/check", None, "round 99 not found"),
        ("GET", "/rounds/99/talents", None, "round 99 not found"),
        ("GET", "/rounds/99/packages", None, "round 99 not found"),
        ("GET", "/rounds/99/runs", None, "round 99 not found"),
        ("POST", "/rounds/99/runs", {}, "round 99 not found"),
        ("PUT", "/rounds/99", document, "round 99 not found"),
        ("GET", f"/rounds/{round_id}/check?version=2", None, f"version 2 of round {round_id}"),
        ("GET", f"/rounds/{round_id}/talents?version=2", None, f"version 2 of round {round_id}"),
        ("POST", f"/rounds/{round_id}/runs", {"version": 2}, f"version 2 of round {round_id}"),
        ("GET", "/runs/99", None, "run 99 not found"),
        ("GET", "/runs/99/events", None, "run 99 not found"),
        ("POST", "/runs/99/cancel", None, "run 99 not found"),
    ]

    for method, path, body, detail in cases:
        response = client.request(method, path, json=body)
        assert refused(response, 404).startswith(detail), (method, path)
    assert table_counts(settings.database_url) == before


def test_ids_of_another_round_are_404(client: TestClient) -> None:
    pilot = pilot_round()
    created(post_json(client, pilot))
    other = created(post_json(client, generate_round(20, seed=1)))["id"]
    package, talent = pilot.packages[0].id, pilot.talents[0].id

    by_package = client.get(f"/rounds/{other}/packages/{package}/shortlist")
    by_talent = client.get(f"/rounds/{other}/talents/{talent}/shortlist")

    assert refused(by_package, 404) == f"package '{package}' not found"
    assert refused(by_talent, 404) == f"talent '{talent}' not found"


def test_bad_run_parameters_are_422_naming_the_field_and_store_nothing(
    client: TestClient, settings: Settings
) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    before = table_counts(settings.database_url)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": -1}, "time_limit"),
        ({"time_limit": 1e9}, "time_limit"),
        ({"time_limit": "fast"}, "time_limit"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**31}, "seed"),
        ({"workers": 0}, "workers"),
        ({"workers": 65}, "workers"),
        ({"gap": 1}, "gap"),
        ({"gap": -0.1}, "gap"),
        ({"method": "magic"}, "method"),
        ({"blocking_pairs": "yes please"}, "blocking_pairs"),
        ({"version": 0}, "version"),
        ({"colour": "blue"}, "colour"),
    ]

    for body, field in cases:
        response = client.post(f"/rounds/{round_id}/runs", json=body)
        assert refused(response, 422).startswith(f"field '{field}': "), body
    not_json = client.post(
        f"/rounds/{round_id}/runs", content=b"{", headers={"content-type": "application/json"}
    )
    detail = refused(not_json, 422)
    assert (
        detail
        == "body: not valid JSON at character 1: Expecting property name enclosed in double quotes"
    )
    assert table_counts(settings.database_url) == before
    # and a good one is taken
    assert start_run(client, round_id)["status"] == "queued"


def test_bad_pages_and_path_ids_are_422_naming_the_parameter(client: TestClient) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    run = start_run(client, round_id)["id"]
    lists = [
        "/rounds",
        f"/rounds/{round_id}/talents",
        f"/rounds/{round_id}/packages",
        f"/runs/{run}/placements",
        f"/runs/{run}/unplaced",
        f"/runs/{run}/blocking-pairs",
    ]

    for path in lists:
        for name, value in (("offset", -1), ("limit", 0), ("limit", 10**9), ("offset", "x")):
            response = client.get(path, params={name: value})
            assert refused(response, 422).startswith(f"query parameter '{name}': "), path
    for path in ("/rounds/0", "/rounds/abc", f"/rounds/{2**31}", "/runs/0", "/runs/-1"):
        response = client.get(path)
        assert refused(response, 422).startswith("path parameter '"), path
    missing = client.get(f"/runs/{run}/why-not", params={"talent": "ann"})
    assert refused(missing, 422).startswith("query parameter 'package': ")
