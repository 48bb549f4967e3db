"""``/rounds/{id}/runs`` and ``/runs/{id}``: a run is stored before the 202 answer, a real
worker solves it in a child process with progress, a result document and KPIs; a cancel ends
a queued run at once, is refused for a finished one, and stops a running solve keeping its
best assignment; every solve method runs from the API."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from api.service.database import Database
from api.service.jobs.child import SOLVE_NICENESS
from api.service.jobs.worker import Worker
from api.service.runs import RunStatus, get_run
from api.service.settings import Settings
from matcher.generator import generate_round
from solvers.registry import METHODS
from tests.service.client import (
    created,
    evaluation,
    pilot_round,
    pilot_variant,
    placed_pairs,
    post_json,
    run_queued,
    solve,
    start_run,
    wait_for,
)

CANCEL_SECONDS = 6.0
"""How long a running solve may take to end after its cancel is asked (a heartbeat, the
solve's grace of 1.5 s, then the stored incumbent judged; with room for a loaded machine)."""


def stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def event_kinds(client: TestClient, run_id: int) -> list[str]:
    response = client.get(f"/runs/{run_id}/events")
    assert response.status_code == 200, response.text
    return [event["kind"] for event in response.json()]


def test_start_answers_202_with_the_run_already_stored(
    client: TestClient, settings: Settings
) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]

    answer = client.post(
        f"/rounds/{round_id}/runs",
        json={"method": "greedy", "time_limit": 1.5, "seed": 7, "workers": 1, "gap": 0.01},
    )

    assert answer.status_code == 202, answer.text
    run = answer.json()
    assert run["status"] == "queued"
    assert (run["round_id"], run["version"], run["attempts"]) == (round_id, 1, 0)
    assert run["params"] == {
        "method": "greedy",
        "time_limit": 1.5,
        "gap": 0.01,
        "seed": 7,
        "workers": 1,
        "blocking_pairs": False,
    }
    assert run["started_at"] is None and run["finished_at"] is None
    assert run["progress"] is None and run["result"] is None
    # committed before the answer: another connection sees it, and so does the API at once
    database = Database(settings.database_url)
    try:
        with database.read() as session:
            assert get_run(session, run["id"]).status == RunStatus.QUEUED
    finally:
        database.dispose()
    assert client.get(f"/runs/{run['id']}").json() == run
    assert client.get(f"/rounds/{round_id}/runs").json() == [run]
    assert event_kinds(client, run["id"]) == ["queued"]


def test_a_worker_solves_the_run_with_progress_result_and_kpis(
    client: TestClient, settings: Settings
) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]

    # the child started as the service starts it (the other tests use a forkserver)
    run = solve(client, settings, round_id, spawn=True)

    assert run["status"] == "solved", run["error"]
    assert run["error"] is None
    assert run["attempts"] == 1
    assert run["cancel_requested"] is False
    assert stamp(run["created_at"]) <= stamp(run["started_at"]) <= stamp(run["finished_at"])
    result = run["result"]
    # the pilot is seat-only: auto solves it exactly by min-cost flow
    assert (result["method"], result["solver"], result["status"]) == ("auto", "flow", "optimal")
    assert result["placements"] == 3
    progress = run["progress"]
    assert progress["phase"] == "done"
    assert progress["placements"] == result["placements"]
    assert progress["objective"] == result["objective"]["value"]
    assert progress["gap"] == 0.0
    assert run["summary"].startswith("flow: optimal")
    assert "placed 3 of 6 talents" in run["summary"]
    kpis = client.get(f"/runs/{run['id']}/kpis")
    assert kpis.status_code == 200, kpis.text
    document = kpis.json()
    assert document["feasible"] is True
    assert document["violations"] == []
    assert document["objective"] == result["objective"]
    assert (document["kpis"]["talents"], document["kpis"]["placements"]) == (6, 3)
    assert "stable" in document["stability"]
    events = client.get(f"/runs/{run['id']}/events").json()
    assert [e["kind"] for e in events] == ["queued", "started", "solved"]
    assert events[1]["detail"].startswith("by ")
    times = [stamp(e["at"]) for e in events]
    assert times == sorted(times)
    assert client.get(f"/rounds/{round_id}/runs").json() == [run]


def test_cancel_of_a_queued_run_ends_it_at_once(client: TestClient, settings: Settings) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    run = start_run(client, round_id)

    answer = client.post(f"/runs/{run['id']}/cancel")

    assert answer.status_code == 202, answer.text
    cancelled = answer.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["finished_at"] is not None
    assert cancelled["started_at"] is None
    # no worker ever takes it
    assert run_queued(settings) == 0
    assert client.get(f"/runs/{run['id']}").json()["status"] == "cancelled"
    events = client.get(f"/runs/{run['id']}/events").json()
    assert [e["kind"] for e in events] == ["queued", "cancelled"]
    assert "before any worker" in events[1]["detail"]


def test_cancel_of_a_finished_run_is_409_naming_its_state(
    client: TestClient, settings: Settings
) -> None:
    round_id = created(post_json(client, pilot_round()))["id"]
    solved = solve(client, settings, round_id)
    cancelled = start_run(client, round_id)
    client.post(f"/runs/{cancelled['id']}/cancel")

    again = client.post(f"/runs/{cancelled['id']}/cancel")
    late = client.post(f"/runs/{solved['id']}/cancel")

    assert again.status_code == 409
    assert again.json() == {
        "detail": f"run {cancelled['id']} is already cancelled: nothing to cancel"
    }
    assert late.status_code == 409
    assert late.json() == {"detail": f"run {solved['id']} is already solved: nothing to cancel"}
    # refused: nothing changed
    assert client.get(f"/runs/{solved['id']}").json() == solved
    assert event_kinds(client, solved["id"]) == ["queued", "started", "solved"]


def placements_shown(run: dict[str, Any]) -> bool:
    progress = run["progress"] or {}
    return bool(progress.get("placements")) and bool(run["incumbent_placements"])


def test_cancel_of_a_running_solve_ends_it_soon_keeping_its_best_assignment(
    client: TestClient, settings: Settings
) -> None:
    round_ = generate_round(2000, seed=3)
    round_id = created(post_json(client, round_))["id"]
    run = start_run(client, round_id, time_limit=20, workers=2)
    worker = threading.Thread(target=run_queued, args=(settings,), daemon=True)
    worker.start()
    try:
        running = wait_for(client, run["id"], placements_shown)
        asked = time.monotonic()
        answer = client.post(f"/runs/{run['id']}/cancel")
        ended = wait_for(client, run["id"], lambda r: r["status"] in RunStatus.FINISHED)
        took = time.monotonic() - asked
    finally:
        worker.join(60)

    assert running["status"] == "running"
    progress = running["progress"]
    assert progress["phase"] == "solving"
    assert progress["time_limit"] == 20
    assert progress["elapsed"] < 20
    assert running["attempts"] == 1
    assert answer.status_code == 202, answer.text
    assert answer.json()["cancel_requested"] is True
    assert ended["status"] == "cancelled", ended["error"]
    assert took < CANCEL_SECONDS
    # the best assignment is kept, never one worse than the incumbent seen before the cancel
    pairs = placed_pairs(client, run["id"])
    assert len(pairs) >= running["incumbent_placements"] > 0
    assert ended["result"]["placements"] == len(pairs)
    verdict = evaluation(round_, pairs)
    assert verdict.feasible, verdict.violations[:3]
    assert client.get(f"/runs/{run['id']}/kpis").json()["feasible"] is True
    events = client.get(f"/runs/{run['id']}/events").json()
    assert [e["kind"] for e in events] == ["queued", "started", "cancel requested", "cancelled"]
    assert "stopped on request" in events[-1]["detail"]


def test_every_method_solves_the_pilot_round(client: TestClient, settings: Settings) -> None:
    pilot = pilot_round()
    round_id = created(post_json(client, pilot))["id"]
    runs = {method: start_run(client, round_id, method=method) for method in METHODS}

    run_queued(settings, workers=2)

    for method, run in runs.items():
        ended = client.get(f"/runs/{run['id']}").json()
        assert ended["status"] == "solved", (method, ended["error"])
        assert ended["result"]["method"] == method
        pairs = placed_pairs(client, run["id"])
        assert len(pairs) == ended["result"]["placements"] > 0
        verdict = evaluation(pilot, pairs)
        assert verdict.feasible, (method, verdict.violations)


def test_flow_on_a_round_beyond_seats_fails_saying_why(
    client: TestClient, settings: Settings
) -> None:
    # with min_age 40 a lender's top-up budget can bind: not a seat-only round
    round_id = created(post_json(client, pilot_variant(min_age=40)))["id"]

    run = solve(client, settings, round_id, method="flow")

    assert run["status"] == "failed"
    assert run["error"].startswith("round is not seat-only (1 top-up budget(s) can bind)")
    assert "Traceback" not in run["error"]
    assert run["summary"] == f"failed: {run['error']}"
    assert run["result"] is None
    assert event_kinds(client, run["id"]) == ["queued", "started", "failed"]
    kpis = client.get(f"/runs/{run['id']}/kpis")
    assert kpis.status_code == 409
    assert kpis.json() == {"detail": f"run {run['id']} ended failed without an assignment"}
    assert client.get(f"/runs/{run['id']}/placements").json()["total"] == 0


def test_a_solve_process_may_start_processes_of_its_own(settings: Settings) -> None:
    # a decomposed round (auto above 2 million open edges) solves its parts in processes the
    # solve starts, which a daemon process may not do: the solve's process is none, and it
    # is ended with the worker's run all the same
    worker = Worker(settings)
    child = worker._start_child()
    try:
        assert child.process.is_alive() and not child.process.daemon
        # and it yields the processor to the API's requests: a lower priority than its worker
        deadline = time.monotonic() + 30
        while os.getpriority(os.PRIO_PROCESS, child.process.pid) == os.getpriority(
            os.PRIO_PROCESS, 0
        ):
            assert time.monotonic() < deadline, "the solve process kept its worker's priority"
            time.sleep(0.05)
        assert os.getpriority(os.PRIO_PROCESS, child.process.pid) == min(
            19, os.getpriority(os.PRIO_PROCESS, 0) + SOLVE_NICENESS
        )
    finally:
        child.close()
    assert not child.process.is_alive()
