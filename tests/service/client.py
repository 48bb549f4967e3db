"""Helpers of the HTTP tests: the app on a test database, rounds sent as JSON, as a zip of
their CSV folder or as multipart files, and a real worker that solves the queued runs.

The worker is :class:`api.service.jobs.worker.Worker` itself: each run is solved in a child
process of its own that loads the round from the database. The service spawns that process;
the tests start it from a forkserver unless they ask for ``spawn`` (see :func:`make_worker`),
since a spawned child spends about 2 s of CPU importing the solvers.
"""

from __future__ import annotations

import io
import multiprocessing
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from api.service.app import create_app
from api.service.database import Database
from api.service.jobs.child import solve_in_child
from api.service.jobs.worker import Worker
from api.service.keys import Role, create_key
from api.service.settings import Settings
from api.service.tables import Base
from matcher.compile import compile_round
from matcher.evaluator import Evaluation, evaluate
from matcher.models import Round
from matcher.roundio import load_round, write_csv_folder

PILOT = Path(__file__).resolve().parents[2] / "examples" / "pilot"
"""The pilot round: a CSV folder of 6 talents and 5 packages, seat-only."""


def service_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for tests: short heartbeats and polls, so that runs and cancels are quick.

    Parameters
    ----------
    database_url
        The test's database.
    **overrides
        Any other setting (``max_upload_bytes`` for the size tests).
    """
    values: dict[str, Any] = {
        "database_url": database_url,
        "heartbeat_seconds": 0.2,
        "poll_seconds": 0.05,
        "incumbent_seconds": 0.2,
    }
    values.update(overrides)
    return Settings(**values)


def no_server_error(response: Response) -> None:
    """Fail the request, whatever the test expects of it, if the server answered 5xx."""
    if response.status_code >= 500:
        response.read()
        request = response.request
        raise AssertionError(
            f"{request.method} {request.url} answered {response.status_code}: {response.text}"
        )


def coordinator_key(database_url: str) -> str:
    """A new coordinator key, made straight in the database (as ``cosource keys create``)."""
    database = Database(database_url)
    database.migrate()
    try:
        with database.write() as session:
            key, _ = create_key(session, Role.COORDINATOR, label="tests")
    finally:
        database.dispose()
    return key


@contextmanager
def service_client(settings: Settings) -> Iterator[TestClient]:
    """A client of a new app on ``settings``; entered, so that the lifespan migrates.

    Server errors come back as 500 answers rather than exceptions, and every answer is
    checked: no request of any test may end in a 5xx. Requests carry a coordinator key
    (the access rules of every role are tested in ``test_access.py``).
    """
    app = create_app(settings)
    key = coordinator_key(settings.database_url)
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        client.event_hooks = {"request": [], "response": [no_server_error]}
        yield client


def pilot_round() -> Round:
    """The pilot round, read from its CSV folder."""
    return load_round(PILOT)


def pilot_variant(**policy: Any) -> Round:
    """The pilot round with its policy changed as given (``min_age=40`` makes femke
    eligible for two packages she then loses to budgets: an unplaced eligible talent, and a
    round that is not seat-only)."""
    round_ = pilot_round()
    return round_.model_copy(update={"policy": round_.policy.model_copy(update=policy)})


def round_document(round_: Round) -> dict[str, Any]:
    """``round_`` as the JSON document the service takes."""
    document: dict[str, Any] = round_.model_dump(mode="json")
    return document


def folder_files(folder: Path) -> dict[str, bytes]:
    """The files of a round's CSV folder by name."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def round_files(round_: Round) -> dict[str, bytes]:
    """``round_`` as the files of its CSV folder."""
    with tempfile.TemporaryDirectory(prefix="cosource-test-") as folder:
        write_csv_folder(round_, Path(folder))
        return folder_files(Path(folder))


def zip_of(files: dict[str, bytes], folder: str = "") -> bytes:
    """A zip of ``files``, at the top or inside ``folder``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}/{name}" if folder else name, content)
    return buffer.getvalue()


def post_json(client: TestClient, round_: Round | dict[str, Any]) -> Response:
    """POST /rounds with a round document."""
    document = round_ if isinstance(round_, dict) else round_document(round_)
    response: Response = client.post("/rounds", json=document)
    return response


def post_zip(client: TestClient, archive: bytes, path: str = "/rounds") -> Response:
    """POST (or PUT, for a ``/rounds/{id}`` path) a zip of a CSV folder."""
    headers = {"content-type": "application/zip"}
    method = "POST" if path == "/rounds" else "PUT"
    response: Response = client.request(method, path, content=archive, headers=headers)
    return response


def post_files(client: TestClient, files: dict[str, bytes]) -> Response:
    """POST /rounds with each file as a multipart field named as the file."""
    parts = {name: (name, content, "text/csv") for name, content in files.items()}
    response: Response = client.post("/rounds", files=parts)
    return response


def created(response: Response) -> dict[str, Any]:
    """The body of a 201 answer to an upload; fails with the server's message otherwise."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def start_run(client: TestClient, round_id: int, **params: Any) -> dict[str, Any]:
    """POST a run (1 worker, 2 s unless said otherwise) and return it; asserts the 202."""
    body = {"time_limit": 2, "workers": 1, **params}
    response = client.post(f"/rounds/{round_id}/runs", json=body)
    assert response.status_code == 202, response.text
    run: dict[str, Any] = response.json()
    return run


def make_worker(settings: Settings, spawn: bool = False) -> Worker:
    """A real :class:`Worker` on ``settings``.

    Parameters
    ----------
    settings
        The service's settings (the database the runs are in).
    spawn
        Start each solve's child process as the service does, by ``spawn``: a fresh
        interpreter that imports the solvers, about 2 s of CPU per run. Otherwise by a
        ``forkserver`` that imported the solve's module once: each child is still a process
        of its own that loads the round from the database and solves it, started in a
        fraction of the time, so that the suite can afford dozens of runs on two cores.
    """
    worker = Worker(settings)
    if not spawn:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([solve_in_child.__module__])
        # the worker starts its children from whichever context it holds
        worker.context = context  # type: ignore[assignment]
    return worker


def run_queued(settings: Settings, workers: int = 1, spawn: bool = False) -> int:
    """Solve every queued run with real workers and return how many they took.

    Parameters
    ----------
    settings
        The service's settings (the database the runs are in).
    workers
        Workers claiming runs side by side, each in a thread of its own with its own child
        processes.
    spawn
        Start the children as the service does (see :func:`make_worker`).
    """

    def drain(worker: Worker) -> int:
        try:
            done = 0
            while worker.run_once():
                done += 1
            return done
        finally:
            worker.database.dispose()

    if workers == 1:
        return drain(make_worker(settings, spawn))
    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(drain, [make_worker(settings, spawn) for _ in range(workers)]))


def solve(
    client: TestClient, settings: Settings, round_id: int, spawn: bool = False, **params: Any
) -> dict[str, Any]:
    """Start a run, solve it with a worker and return the run as GET /runs/{id} shows it."""
    run = start_run(client, round_id, **params)
    run_queued(settings, spawn=spawn)
    response = client.get(f"/runs/{run['id']}")
    assert response.status_code == 200, response.text
    ended: dict[str, Any] = response.json()
    return ended


def wait_for(
    client: TestClient,
    run_id: int,
    done: Callable[[dict[str, Any]], bool],
    timeout: float = 60.0,
    every: float = 0.05,
) -> dict[str, Any]:
    """Poll GET /runs/{id} until ``done(run)`` holds; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = client.get(f"/runs/{run_id}").json()
        if done(run):
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']}: {run}"
        time.sleep(every)


def all_pages(client: TestClient, path: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Every item of a paginated JSON list, page by page."""
    items: list[dict[str, Any]] = []
    while True:
        response = client.get(path, params={"offset": len(items), "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return items


def placed_pairs(client: TestClient, run_id: int) -> list[tuple[str, str]]:
    """The run's placements as (talent, package) pairs."""
    rows = all_pages(client, f"/runs/{run_id}/placements")
    return [(str(row["talent"]), str(row["package"])) for row in rows]


def evaluation(round_: Round, pairs: list[tuple[str, str]]) -> Evaluation:
    """The independent evaluator's verdict on ``pairs`` in ``round_``."""
    return evaluate(round_, compile_round(round_), pairs)


def table_counts(database_url: str) -> dict[str, int]:
    """The number of rows in each of the service's tables (to show nothing was stored)."""
    database = Database(database_url)
    try:
        with database.read() as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in Base.metadata.tables.items()
            }
    finally:
        database.dispose()
