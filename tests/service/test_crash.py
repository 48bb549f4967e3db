"""Crashes of the real service (``cosource serve`` and its worker as processes): a run
killed with ``kill -9`` mid-solve survives in the database, is taken again once its lease
expires, resumes from its stored incumbent and ends no worse than it; a run killed before
its first incumbent starts again from scratch; and no process outlives the one that
started it (a worker its server, a solve its worker).

The servers run with a 3-second lease, half-second heartbeats and an incumbent stored at
most every half second (:data:`tests.service.live.FAST_ENV`). The mid-solve crash runs on
SQLite and PostgreSQL; the others, about processes more than storage, on SQLite.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path
from typing import Any

from api.service.database import Database
from api.service.queries import load_round
from api.service.tables import RunRow
from matcher.compile import compile_round
from matcher.evaluator import Evaluation, evaluate
from matcher.generator import generate_round
from matcher.models import Round
from matcher.roundio import load_round as load_round_folder
from tests.service.live import (
    ROOT,
    Service,
    alive,
    event_kinds,
    group_members,
    serving,
    start_run,
    stored_events,
    stored_run,
    upload,
    wait_for,
)

PILOT = ROOT / "examples" / "pilot"
LARGE_TALENTS = 2000
"""A round whose solve takes several seconds and keeps improving for most of them."""


def placements(service: Service, run_id: int) -> list[tuple[str, str]]:
    """The finished run's (talent, package) pairs, read through the API."""
    page = service.client.get(f"/runs/{run_id}/placements", params={"limit": 10_000}).json()
    assert page["total"] == len(page["items"])
    return [(row["talent"], row["package"]) for row in page["items"]]


def judged(round_: Round, pairs: list[tuple[str, str]]) -> Evaluation:
    """``pairs`` judged by the evaluator, which must find them feasible."""
    evaluation = evaluate(round_, compile_round(round_), pairs)
    assert evaluation.feasible, evaluation.violations[:5]
    return evaluation


def wait_solving(service: Service, run_id: int) -> dict[str, Any]:
    """The run once its solve is under way with an incumbent stored."""

    def solving() -> dict[str, Any] | None:
        service.fail_if_dead()
        run = service.run(run_id)
        assert run["status"] in ("queued", "running"), run
        progress = run["progress"] or {}
        return run if progress.get("phase") == "solving" and run["incumbent_placements"] else None

    return wait_for(f"run {run_id} to store an incumbent", solving, timeout=60)


def test_a_run_killed_mid_solve_resumes_from_its_stored_incumbent_and_ends_no_worse(
    database_url: str, tmp_path: Path
) -> None:
    round_ = generate_round(LARGE_TALENTS, seed=7)
    document = round_.model_dump_json()
    database = Database(database_url)
    try:
        with serving(database_url, tmp_path / "first.log") as first:
            created = upload(first.client, document)
            round_id, digest = created["id"], created["version"]["digest"]
            run_id = start_run(first.client, round_id, time_limit=10, workers=1)["id"]
            stored_at: set[str] = set()

            def improved() -> bool:
                # two incumbents stored: the search is under way and improving
                first.fail_if_dead()
                run = first.run(run_id)
                assert run["status"] in ("queued", "running"), f"ended before the crash: {run}"
                if run["incumbent_at"] is not None:
                    stored_at.add(run["incumbent_at"])
                return len(stored_at) >= 2

            wait_for("a second stored incumbent", improved, timeout=60)
            _, solver = first.worker_and_solver()
            assert solver is not None, "no solve child to kill"
            # kill -9 the server, its worker and the solve child, all at once
            first.process.kill_group()

        # what the crash left, read straight from the database
        crashed = stored_run(database, run_id)
        assert crashed.status == "running"
        assert crashed.attempts == 1
        assert crashed.incumbent, "the crash came before any incumbent was stored"
        assert crashed.lease_expires is not None
        crashed_at = crashed.incumbent_at
        assert crashed_at is not None
        incumbent = [(str(t), str(p)) for t, p in crashed.incumbent]
        with database.read() as session:
            stored_round = load_round(session, crashed.version_id)
        before = judged(stored_round, incumbent)

        with serving(database_url, tmp_path / "second.log") as second:
            # the resumed attempt's first stored incumbent is already as good as the
            # crashed one's: the search went on from it, not from nothing
            def resumed_incumbent() -> RunRow | None:
                second.fail_if_dead()
                run = stored_run(database, run_id)
                newer = run.incumbent_at is not None and run.incumbent_at > crashed_at
                return run if run.attempts == 2 and (newer or run.status != "running") else None

            early = wait_for("the resumed attempt's incumbent", resumed_incumbent, timeout=60)
            early_pairs = [(str(t), str(p)) for t, p in early.incumbent or []]
            assert judged(stored_round, early_pairs).objective.key() >= before.objective.key()

            done = second.wait_finished(run_id, timeout=90)
            assert done["status"] == "solved", done
            assert done["attempts"] == 2
            kinds = event_kinds(second.client, run_id)
            assert kinds == ["queued", "started", "interrupted", "resumed", "solved"], kinds

            # the round and its version as uploaded
            again = second.client.get(f"/rounds/{round_id}").json()
            assert again["latest_version"] == 1
            assert again["version"]["digest"] == digest
            assert len(second.client.get(f"/rounds/{round_id}/versions").json()) == 1

            final = placements(second, run_id)
        after = judged(stored_round, final)
        # no worse than the incumbent the crash left: placements first, then the score
        assert after.objective.key() >= before.objective.key()
        assert after.objective.placements == done["result"]["objective"]["placements"]
        assert after.objective.value == done["result"]["objective"]["value"]

        # the version's records are intact, byte for byte of the canonical JSON
        assert hashlib.sha256(stored_round.model_dump_json().encode()).hexdigest() == digest
        assert digest == hashlib.sha256(document.encode()).hexdigest()
        # taken again only once the dead worker's lease had expired
        events = stored_events(database, run_id)
        resumed = next(event for event in events if event.kind == "resumed")
        assert resumed.at.timestamp() >= crashed.lease_expires - 0.05
        assert f"({len(incumbent)} placements)" in resumed.detail
    finally:
        database.dispose()


def test_runs_killed_before_their_first_incumbent_start_again_from_scratch(
    tmp_path: Path,
) -> None:
    # on SQLite only: the claim of an expired lease on PostgreSQL is the test above's
    database_url = f"sqlite:///{tmp_path}/cosource.db"
    round_ = load_round_folder(PILOT)
    database = Database(database_url)
    try:
        with serving(database_url, tmp_path / "first.log") as first:
            round_id = upload(first.client, round_.model_dump_json())["id"]
            claimed = start_run(first.client, round_id, time_limit=1, workers=1)["id"]
            queued = start_run(first.client, round_id, time_limit=1, workers=1)["id"]
            # killed as soon as the worker holds the run: its child is still starting,
            # loading or compiling the round (for a second or more), and has stored nothing
            wait_for(
                "the worker to claim the run",
                lambda: stored_run(database, claimed).status == "running",
                timeout=60,
                every=0.02,
            )
            first.process.kill_group()

        interrupted, waiting = stored_run(database, claimed), stored_run(database, queued)
        assert interrupted.status == "running"
        assert interrupted.incumbent is None, "the crash came after the first incumbent"
        assert interrupted.attempts == 1
        assert waiting.status == "queued"
        assert waiting.attempts == 0

        with serving(database_url, tmp_path / "second.log") as second:
            for run_id, attempts, kinds in (
                (claimed, 2, ["queued", "started", "interrupted", "started", "solved"]),
                (queued, 1, ["queued", "started", "solved"]),
            ):
                done = second.wait_finished(run_id, timeout=60)
                assert done["status"] == "solved", done
                assert done["attempts"] == attempts
                assert event_kinds(second.client, run_id) == kinds
                judged(round_, placements(second, run_id))
    finally:
        database.dispose()


def test_the_worker_of_a_killed_server_releases_its_run_and_ends_with_its_solve(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/cosource.db"
    with serving(url, tmp_path / "serve.log") as service:
        created = upload(service.client, generate_round(LARGE_TALENTS, seed=9).model_dump_json())
        run_id = start_run(service.client, created["id"], time_limit=20, workers=1)["id"]
        wait_solving(service, run_id)
        worker, solver = service.worker_and_solver()
        assert solver is not None
        # the server alone dies: its worker must notice, mid-solve
        os.kill(service.process.pid, signal.SIGKILL)
        service.process.popen.wait(10)
        wait_for(
            "the worker and the solve to end",
            lambda: not alive(worker) and not alive(solver),
            timeout=15,
        )
        # and nothing else it started (the multiprocessing resource tracker) lives on
        wait_for(
            "the server's processes to end",
            lambda: not group_members(service.process.pid),
            timeout=10,
        )
    database = Database(url)
    try:
        run = stored_run(database, run_id)
        kinds = [event.kind for event in stored_events(database, run_id)]
        # given back for the next worker to resume at once, not left to its lease
        assert kinds[-1] == "released", kinds
        assert run.status == "running"
        assert run.lease_expires == 0.0
    finally:
        database.dispose()


def test_the_solve_ends_when_its_worker_is_killed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cosource.db"
    with serving(url, tmp_path / "serve.log") as service:
        created = upload(service.client, generate_round(LARGE_TALENTS, seed=9).model_dump_json())
        run_id = start_run(service.client, created["id"], time_limit=20, workers=1)["id"]
        wait_solving(service, run_id)
        worker, solver = service.worker_and_solver()
        assert solver is not None
        os.kill(worker, signal.SIGKILL)
        wait_for("the orphaned solve to end", lambda: not alive(solver), timeout=10)
        # the server goes on answering; the run waits for a worker to take it again
        assert service.run(run_id)["status"] == "running"
        assert alive(service.process.pid)
