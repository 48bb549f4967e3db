"""``/runs/{id}/placements|unplaced|blocking-pairs|kpis|why-not``: a finished run's results in
pages, as JSON or CSV, refused (409) until the run ends; every run's placements pass the
independent evaluator on the round as stored; why a talent is not on a package."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.service.database import Database
from api.service.queries import load_round
from api.service.runs import claim_run, get_run
from api.service.settings import Settings
from matcher.evaluator import pair_failures
from tests.service.client import (
    all_pages,
    created,
    evaluation,
    pilot_round,
    pilot_variant,
    placed_pairs,
    post_json,
    run_queued,
    solve,
    start_run,
)

RESULTS = ("placements", "unplaced", "blocking-pairs")


@dataclass(frozen=True)
class Solved:
    """A run of the pilot with min_age 40 (femke, 47, eligible for two packages and left
    unplaced by her lender's top-up budget), solved keeping its blocking pairs."""

    client: TestClient
    round_id: int
    run_id: int


@pytest.fixture(scope="module")
def solved(module_client: TestClient, module_settings: Settings) -> Solved:
    """Solved once per database: the tests that take it only read it."""
    round_id = created(post_json(module_client, pilot_variant(min_age=40)))["id"]
    run = solve(module_client, module_settings, round_id, blocking_pairs=True)
    assert run["status"] == "solved", run["error"]
    return Solved(module_client, round_id, run["id"])


def page(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def csv_rows(client: TestClient, path: str, **params: Any) -> tuple[int, list[dict[str, str]]]:
    """The total (``X-Total-Count``) and the rows of a page asked for as CSV."""
    response = client.get(path, params=params, headers={"accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    return int(response.headers["x-total-count"]), rows


def test_result_pages_as_json_with_total_offset_and_limit(solved: Solved) -> None:
    client, run = solved.client, solved.run_id

    placements = page(client, f"/runs/{run}/placements")
    unplaced = page(client, f"/runs/{run}/unplaced")
    blocking = page(client, f"/runs/{run}/blocking-pairs")

    assert (placements["total"], placements["offset"], placements["limit"]) == (3, 0, 1000)
    assert [(p["talent"], p["package"]) for p in placements["items"]] == [
        ("ann", "coop-finance"),
        ("chloe", "city-data"),
        ("els", "insurer-coaching"),
    ]
    assert {u["talent"]: u["reason"] for u in unplaced["items"]} == {
        "bart": "no_eligible_package",
        "dirk": "no_eligible_package",
        "femke": "lender_budget_exhausted",
    }
    # femke and city-procurement would both rather be together: the one blocking pair
    assert [(b["talent"], b["package"]) for b in blocking["items"]] == [
        ("femke", "city-procurement")
    ]
    for name in RESULTS:
        whole = page(client, f"/runs/{run}/{name}")
        middle = page(client, f"/runs/{run}/{name}", offset=1, limit=1)
        beyond = page(client, f"/runs/{run}/{name}", offset=whole["total"], limit=5)
        assert (middle["total"], middle["offset"], middle["limit"]) == (whole["total"], 1, 1)
        assert middle["items"] == whole["items"][1:2]
        assert (beyond["total"], beyond["items"]) == (whole["total"], [])
        # page by page, the same rows as in one page
        assert all_pages(client, f"/runs/{run}/{name}", limit=2) == whole["items"]


def test_result_pages_as_csv_hold_the_json_rows(solved: Solved) -> None:
    client, run = solved.client, solved.run_id

    for name in RESULTS:
        whole = page(client, f"/runs/{run}/{name}")
        total, rows = csv_rows(client, f"/runs/{run}/{name}")
        part_total, part = csv_rows(client, f"/runs/{run}/{name}", offset=1, limit=1)

        assert total == part_total == whole["total"]
        assert [r["talent"] for r in rows] == [str(item["talent"]) for item in whole["items"]]
        assert list(rows[0]) == list(whole["items"][0])
        assert part == rows[1:2]
    placements = page(client, f"/runs/{run}/placements")["items"]
    _, rows = csv_rows(client, f"/runs/{run}/placements")
    for row, item in zip(rows, placements, strict=True):
        assert row["package"] == item["package"]
        assert float(row["score"]) == item["score"]
        assert row["start"] == item["start"]
    # past the end: no rows, the total still said
    response = client.get(
        f"/runs/{run}/placements", params={"offset": 3}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.text == ""
    assert response.headers["x-total-count"] == "3"


def test_results_are_409_while_the_run_is_queued_or_running(
    client: TestClient, settings: Settings
) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    run = start_run(client, round_id)["id"]
    paths = [f"/runs/{run}/{name}" for name in (*RESULTS, "kpis")]
    why_not = (f"/runs/{run}/why-not", {"talent": "ann", "package": "coop-finance"})

    for status in ("queued", "running"):
        if status == "running":
            # a worker's claim, without its solve: the run stays running while we look
            database = Database(settings.database_url)
            try:
                with database.write() as session:
                    assert claim_run(session, "test-worker", 60.0) is not None
            finally:
                database.dispose()
        assert client.get(f"/runs/{run}").json()["status"] == status
        for path in paths:
            response = client.get(path)
            assert response.status_code == 409, (path, response.text)
            expected = f"run {run} is {status}: its results come when it ends"
            assert response.json() == {"detail": expected}
        response = client.get(why_not[0], params=why_not[1])
        assert response.status_code == 409
        assert status in response.json()["detail"]


def test_every_runs_placements_pass_the_evaluator_on_the_stored_round(
    client: TestClient, settings: Settings
) -> None:
    # a round where budgets bind, and the methods that keep to them
    round_id = created(post_json(client, pilot_variant(min_age=40)))["id"]
    methods = ("auto", "cpsat", "highs", "greedy", "stable", "da+budgets", "da-packages+budgets")
    runs = [start_run(client, round_id, method=m)["id"] for m in methods]
    runs.append(start_run(client, round_id, method="auto", blocking_pairs=True, seed=3)["id"])

    run_queued(settings, workers=2)

    database = Database(settings.database_url)
    try:
        for run in runs:
            with database.read() as session:
                stored = get_run(session, run)
                round_ = load_round(session, stored.version_id)
            assert stored.status == "solved", (stored.params, stored.error)
            pairs = placed_pairs(client, run)
            verdict = evaluation(round_, pairs)
            assert verdict.feasible, (stored.params["method"], verdict.violations)
            assert client.get(f"/runs/{run}/kpis").json()["feasible"] is True
            unplaced = {row["talent"] for row in all_pages(client, f"/runs/{run}/unplaced")}
            assert unplaced | {t for t, _ in pairs} == {t.id for t in round_.talents}
    finally:
        database.dispose()


def why_not(solved: Solved, talent: str, package: str) -> dict[str, Any]:
    response = solved.client.get(
        f"/runs/{solved.run_id}/why-not", params={"talent": talent, "package": package}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_why_not_for_an_ineligible_pair_names_the_rules_with_their_facts(
    solved: Solved,
) -> None:
    answer = why_not(solved, "dirk", "city-data")

    assert answer["eligible"] is False
    assert answer["pair_score"] is None
    rules = [rule["rule"] for rule in answer["failing_rules"]]
    # the same rules as the independent evaluator finds (it checks them in its own order)
    assert sorted(rules) == sorted(pair_failures(pilot_variant(min_age=40), "dirk", "city-data"))
    assert rules == ["location", "required_skills", "availability", "languages"]
    details = {rule["rule"]: rule["detail"] for rule in answer["failing_rules"]}
    assert details["required_skills"] == "needs data-analysis at level 3, talent 'dirk' has none"
    assert details["languages"] == "needs en, the talent speaks nl"
    assert all(rule["reason"] for rule in answer["failing_rules"])
    assert answer["answer"].startswith(
        "talent 'dirk' is not eligible for package 'city-data': location: package in 'brussels'"
    )
    # the package's seat holder, whatever the talent lacks
    assert [h["id"] for h in answer["package_holders"]] == ["chloe"]


def test_why_not_for_a_placed_pair_and_a_talent_placed_elsewhere(solved: Solved) -> None:
    placed = why_not(solved, "ann", "coop-finance")
    elsewhere = why_not(solved, "ann", "city-procurement")

    assert placed["eligible"] is True
    assert placed["failing_rules"] == []
    assert placed["placed_on"] == ["coop-finance"]
    assert placed["pair_score"] == 0.9189
    assert placed["answer"] == "talent 'ann' is placed on package 'coop-finance' in this run"
    assert [(h["id"], h["score"]) for h in placed["package_holders"]] == [("ann", 0.9189)]
    assert placed["reason"] is None
    assert elsewhere["eligible"] is True
    assert elsewhere["answer"] == "talent 'ann' is placed on coop-finance instead"


def test_why_not_for_an_unplaced_eligible_talent_gives_the_runs_reason(
    solved: Solved,
) -> None:
    answer = why_not(solved, "femke", "coop-finance")
    unplaced = page(solved.client, f"/runs/{solved.run_id}/unplaced")["items"]
    femke = next(row for row in unplaced if row["talent"] == "femke")

    assert answer["eligible"] is True
    assert answer["placed_on"] == []
    assert answer["pair_score"] == pytest.approx(0.4069)
    assert answer["reason"] == "lender_budget_exhausted"
    assert answer["detail"] == femke["detail"]
    assert "top-up budget has 300 left per month" in answer["detail"]
    assert [h["id"] for h in answer["package_holders"]] == ["ann"]
    assert answer["answer"] == (
        f"talent 'femke' is unplaced: {femke['explanation']}; {femke['detail']}"
    )


def test_unknown_talent_package_or_run_is_404(solved: Solved) -> None:
    client, run = solved.client, solved.run_id
    cases = [
        (f"/runs/{run}/why-not", {"talent": "zoe", "package": "coop-finance"}, "talent 'zoe'"),
        (f"/runs/{run}/why-not", {"talent": "ann", "package": "moon-base"}, "package 'moon-base'"),
        ("/runs/999/why-not", {"talent": "ann", "package": "coop-finance"}, "run 999"),
        ("/runs/999/placements", {}, "run 999"),
        ("/runs/999/unplaced", {}, "run 999"),
        ("/runs/999/blocking-pairs", {}, "run 999"),
        ("/runs/999/kpis", {}, "run 999"),
    ]

    for path, params, what in cases:
        response = client.get(path, params=params)
        assert response.status_code == 404, (path, response.text)
        assert response.json() == {"detail": f"{what} not found"}


def test_the_report_of_a_run_is_the_round_report(module_client: TestClient, solved: Solved) -> None:
    response = module_client.get(f"/runs/{solved.run_id}/report")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert page.count('class="cosource-figure') >= 5
    # the placements are in the page's table (what the page loads: tests/api/test_report.py)
    for row in all_pages(module_client, f"/runs/{solved.run_id}/placements"):
        assert str(row["package_title"]) in page
