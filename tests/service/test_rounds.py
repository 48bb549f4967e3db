"""``/rounds``: a round sent as JSON, as a zip of its CSV folder or as multipart files is
stored the same; rounds are listed newest first in pages; an edit makes a new version and
leaves the earlier one, and its runs, as they were; the check report and the record pages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.utils
from fastapi.testclient import TestClient

from api.service.settings import Settings
from api.texts import check_report
from matcher.compile import compile_round
from matcher.round_workbook import write_round_workbook
from tests.service.client import (
    PILOT,
    created,
    folder_files,
    pilot_round,
    pilot_variant,
    post_files,
    post_json,
    post_zip,
    round_document,
    run_queued,
    start_run,
    zip_of,
)


def version_of(round_: dict[str, Any]) -> dict[str, Any]:
    version: dict[str, Any] = round_["version"]
    return version


def test_json_zip_and_multipart_uploads_store_the_same_round(client: TestClient) -> None:
    pilot = folder_files(PILOT)

    uploads = [
        created(post_json(client, pilot_round())),
        created(post_zip(client, zip_of(pilot))),
        # a zip of the folder itself (its files one level down) is read the same
        created(post_zip(client, zip_of(pilot, folder="pilot"))),
        created(post_files(client, pilot)),
    ]

    assert [u["id"] for u in uploads] == [1, 2, 3, 4]
    versions = [version_of(u) for u in uploads]
    assert len({v["digest"] for v in versions}) == 1
    for upload, version in zip(uploads, versions, strict=True):
        assert upload["latest_version"] == 1
        assert upload["name"] == "Ghent pilot round 2027"
        assert version["number"] == 1
        assert version["key"] == "pilot-2027"
        assert (version["organizations"], version["talents"], version["packages"]) == (5, 6, 5)


def test_rounds_are_listed_newest_first_in_pages(client: TestClient) -> None:
    for _ in range(3):
        created(post_json(client, pilot_round()))

    first = client.get("/rounds", params={"limit": 2}).json()
    second = client.get("/rounds", params={"offset": 2, "limit": 2}).json()
    beyond = client.get("/rounds", params={"offset": 5}).json()

    assert (first["total"], first["offset"], first["limit"]) == (3, 0, 2)
    assert [r["id"] for r in first["items"]] == [3, 2]
    assert (second["total"], second["offset"]) == (3, 2)
    assert [r["id"] for r in second["items"]] == [1]
    assert beyond["total"] == 3
    assert beyond["items"] == []


def test_get_round_and_its_versions(client: TestClient) -> None:
    stored = created(post_json(client, pilot_round()))

    got = client.get(f"/rounds/{stored['id']}")
    versions = client.get(f"/rounds/{stored['id']}/versions")

    assert got.status_code == 200
    assert got.json() == stored
    assert versions.status_code == 200
    assert versions.json() == [version_of(stored)]


def test_put_makes_version_2_and_leaves_version_1_and_its_runs_unchanged(
    client: TestClient, settings: Settings
) -> None:
    pilot = pilot_round()
    first = created(post_json(client, pilot))
    round_id = first["id"]
    run = start_run(client, round_id)
    # version 2 drops a talent and lowers the age limit: a different round in every count
    edited = pilot_variant(min_age=40)
    edited = edited.model_copy(update={"talents": edited.talents[:-1]})

    answer = client.put(f"/rounds/{round_id}", json=round_document(edited))
    run_queued(settings)

    assert answer.status_code == 200, answer.text
    second = answer.json()
    assert second["id"] == round_id
    assert second["latest_version"] == 2
    assert version_of(second)["number"] == 2
    assert version_of(second)["talents"] == 5
    assert version_of(second)["digest"] != version_of(first)["digest"]
    versions = client.get(f"/rounds/{round_id}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0] == version_of(first)
    # the run started on version 1 solved version 1: all six talents, placed or not
    solved = client.get(f"/runs/{run['id']}").json()
    assert solved["version"] == 1
    assert solved["status"] == "solved"
    assert solved["params"] == run["params"]
    placed = client.get(f"/runs/{run['id']}/placements").json()["total"]
    unplaced = client.get(f"/runs/{run['id']}/unplaced").json()["total"]
    assert placed + unplaced == 6
    old = client.get(f"/rounds/{round_id}/talents", params={"version": 1}).json()
    new = client.get(f"/rounds/{round_id}/talents").json()
    assert [t["id"] for t in old["items"]] == [t.id for t in pilot.talents]
    assert [t["id"] for t in new["items"]] == [t.id for t in edited.talents]


def test_put_of_a_zip_stores_the_next_version(client: TestClient) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]

    answer = post_zip(client, zip_of(folder_files(PILOT)), path=f"/rounds/{round_id}")

    assert answer.status_code == 200, answer.text
    versions = client.get(f"/rounds/{round_id}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    # the same data as version 1: the same digest, a version of its own all the same
    assert versions[0]["digest"] == versions[1]["digest"]


def test_check_reports_what_cosource_check_prints(client: TestClient) -> None:
    pilot = pilot_round()
    round_id = created(post_json(client, pilot))["id"]
    edited = pilot_variant(min_age=40)
    client.put(f"/rounds/{round_id}", json=round_document(edited))

    latest = client.get(f"/rounds/{round_id}/check").json()
    first = client.get(f"/rounds/{round_id}/check", params={"version": 1}).json()

    for body, round_, number in ((latest, edited, 2), (first, pilot, 1)):
        compiled = compile_round(round_)
        assert body["version"] == number
        assert (body["talents"], body["packages"]) == (6, 5)
        assert body["edges"] == compiled.n_edges
        assert body["excluded_by_rule"] == compiled.excluded_by_rule()
        # the same text as the command line, but for the time it took
        expected = check_report(round_, compiled, 0.0).rsplit("\n", 1)[0]
        assert body["report"].rsplit("\n", 1)[0] == expected
    # femke (47) is eligible for two packages once the age limit is 40
    assert latest["edges"] == first["edges"] + 2


def test_talents_and_packages_pages_show_the_records_as_uploaded(client: TestClient) -> None:
    pilot = pilot_round()
    round_id = created(post_json(client, pilot))["id"]
    document = round_document(pilot)

    talents = client.get(f"/rounds/{round_id}/talents", params={"offset": 2, "limit": 3})
    packages = client.get(f"/rounds/{round_id}/packages", params={"limit": 2})
    rest = client.get(f"/rounds/{round_id}/packages", params={"offset": 2})

    assert talents.status_code == packages.status_code == rest.status_code == 200
    assert talents.json() == {
        "total": 6,
        "offset": 2,
        "limit": 3,
        "items": document["talents"][2:5],
    }
    assert packages.json()["items"] == document["packages"][:2]
    assert packages.json()["total"] == 5
    assert rest.json()["items"] == document["packages"][2:]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_workbook_upload_stores_the_same_round(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "pilot.xlsx"
    write_round_workbook(pilot_round(), path)
    from_json = created(post_json(client, pilot_round()))
    response = client.post("/rounds", content=path.read_bytes(), headers={"content-type": XLSX})
    from_workbook = created(response)
    assert version_of(from_workbook)["digest"] == version_of(from_json)["digest"]


def test_a_broken_workbook_is_refused_naming_sheet_row_and_column(
    client: TestClient, tmp_path: Path
) -> None:
    path = tmp_path / "pilot.xlsx"
    write_round_workbook(pilot_round(), path)
    book = openpyxl.load_workbook(path)
    sheet = book["talents"]
    column = [cell.value for cell in sheet[1]].index("salary") + 1
    sheet.cell(row=3, column=column, value="lots")
    book.save(path)
    before = client.get("/rounds").json()["total"]
    response = client.post("/rounds", content=path.read_bytes(), headers={"content-type": XLSX})
    assert response.status_code == 422
    letter = openpyxl.utils.get_column_letter(column)
    assert f"talents!{letter}3" in response.json()["detail"]
    assert client.get("/rounds").json()["total"] == before


def test_a_runs_workbook_has_a_row_per_placement(client: TestClient, settings: Settings) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    run = start_run(client, round_id, time_limit=2, workers=1)
    run_queued(settings)
    response = client.get(f"/runs/{run['id']}/workbook")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    placements = client.get(f"/runs/{run['id']}/placements").json()["total"]
    assert {"placements", "unplaced", "kpis", "costs", "about"} <= set(book.sheetnames)
    assert book["placements"].max_row == placements + 1
