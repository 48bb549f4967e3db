"""The service run for real in the tests: ``cosource serve`` and ``cosource worker`` as
processes on 127.0.0.1, each the leader of a process group of its own, so that a test can
kill it with everything it started (its worker, the solve child, a HiGHS companion) at once,
and always does at teardown. The client on a server sends a coordinator's API key, made
straight in the server's database once the server has migrated it.

Every wait here is a poll with a deadline: a test fails, saying what it waited for and
with the end of the process's log, instead of hanging.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import select

from api.service.database import Database
from api.service.keys import Role, create_key
from api.service.tables import RunEventRow, RunRow

ROOT = Path(__file__).resolve().parents[2]
COSOURCE = "import sys; from api.cli import main; sys.exit(main())"
"""The console script's entry, run by this interpreter: no reliance on where the script is."""
FAST_ENV = {
    # a killed worker's run is taken again 3 s after its last heartbeat
    "COSOURCE_LEASE_SECONDS": "3",
    "COSOURCE_HEARTBEAT_SECONDS": "0.5",
    # an incumbent stored every half second: a crash loses little
    "COSOURCE_INCUMBENT_SECONDS": "0.5",
    "COSOURCE_POLL_SECONDS": "0.2",
}
"""Settings that keep the tests short (the defaults are for production)."""
START_SECONDS = 60.0
"""Longest wait for a server to answer ``/health`` with a live worker (it migrates first)."""
FINISHED = ("solved", "no_solution", "cancelled", "failed")

T = TypeVar("T")


def cosource(*args: str) -> list[str]:
    """The command line of ``cosource <args>`` with this interpreter."""
    return [sys.executable, "-c", COSOURCE, *args]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(what: str, check: Callable[[], T | None], timeout: float, every: float = 0.05) -> T:
    """Poll ``check`` until it returns something other than None or False; fail with
    ``what`` after ``timeout`` seconds.

    Returns
    -------
    T
        What ``check`` returned.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or None
    when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # the command name is in parentheses and may hold spaces or parentheses itself
    return text[text.rindex(")") + 2 :].split()


def _live_processes() -> Iterator[tuple[int, list[str]]]:
    """Every running process (zombies left out) with its ``/proc`` stat fields."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            # a zombie is dead, only not yet reaped by its (maybe adoptive) parent
            if fields is not None and fields[0] not in ("Z", "X"):
                yield int(entry.name), fields


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def group_members(pgid: int) -> list[int]:
    """The running processes of process group ``pgid``."""
    # fields after the name: state, ppid, pgrp, ...
    return [pid for pid, fields in _live_processes() if int(fields[2]) == pgid]


def children(pid: int) -> list[int]:
    """The running child processes of ``pid``."""
    return [child for child, fields in _live_processes() if int(fields[1]) == pid]


def command_line(pid: int) -> str:
    """The command line of process ``pid``, its arguments joined by spaces ("" once gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def cpu_seconds(pid: int) -> float:
    """User and system CPU time process ``pid`` has used so far (0 once gone)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """A ``cosource`` command running as the leader of its own process group."""

    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """The process's id, which is also its process group's."""
        return self.popen.pid

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the process's output (for failure messages)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def kill_group(self, timeout: float = 15.0) -> None:
        """``kill -9`` the process and everything in its group, and wait until none of
        them runs."""
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout)
        wait_for(
            f"every process of group {self.pid} to end",
            lambda: not group_members(self.pid),
            timeout,
        )


def start(args: list[str], log: Path, env: dict[str, str] | None = None) -> Process:
    """Start ``cosource <args>`` in a new session (its own process group), its output to
    ``log``."""
    environment = {**os.environ, **FAST_ENV, **(env or {})}
    # the URL comes from the command line only
    environment.pop("COSOURCE_DATABASE_URL", None)
    with log.open("ab") as out:
        popen = subprocess.Popen(
            cosource(*args),
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(popen, log)


@dataclass
class Service:
    """A running ``cosource serve`` and a client on it."""

    process: Process
    client: httpx.Client
    database_url: str

    def run(self, run_id: int) -> dict[str, Any]:
        """``GET /runs/{run_id}``."""
        response = self.client.get(f"/runs/{run_id}")
        assert response.status_code == 200, response.text
        run: dict[str, Any] = response.json()
        return run

    def wait_finished(self, run_id: int, timeout: float) -> dict[str, Any]:
        """The run once it has ended (polled through the API)."""

        def ended() -> dict[str, Any] | None:
            self.fail_if_dead()
            run = self.run(run_id)
            return run if run["status"] in FINISHED else None

        return wait_for(f"run {run_id} to end", ended, timeout, every=0.2)

    def worker_and_solver(self) -> tuple[int, int | None]:
        """The process ids of the server's worker and of its solve child (None when the
        worker solves nothing)."""
        (worker,) = [p for p in children(self.process.pid) if "api.service.jobs" in command_line(p)]
        solvers = [p for p in children(worker) if "spawn_main" in command_line(p)]
        assert len(solvers) <= 1, solvers
        return worker, solvers[0] if solvers else None

    def fail_if_dead(self) -> None:
        """Fail at once, with its log, when the server has ended."""
        code = self.process.popen.poll()
        if code is not None:
            raise AssertionError(f"cosource serve ended with {code}:\n{self.process.log_tail()}")


def coordinator_key(database_url: str) -> str:
    """A new coordinator API key stored in the (migrated) database at ``database_url``, as
    ``cosource keys create --role coordinator`` makes one."""
    database = Database(database_url)
    try:
        with database.write() as session:
            key, _ = create_key(session, Role.COORDINATOR, label="live tests")
    finally:
        database.dispose()
    return key


@contextmanager
def serving(
    database_url: str,
    log: Path,
    worker: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[Service]:
    """``cosource serve`` on a free port of 127.0.0.1 over ``database_url``, once it
    answers (with a live worker unless ``worker`` is False), with a client that sends a new
    coordinator key (``/health`` needs none); killed with its whole process group when the
    block ends, whatever happened."""
    port = free_port()
    args = ["serve", "--port", str(port), "--database-url", database_url]
    process = start([*args] if worker else [*args, "--no-worker"], log, env)
    # generous: a machine busy with other work can stall any request for seconds; the
    # tests that are about latency measure it themselves
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0)
    service = Service(process, client, database_url)
    try:

        def ready() -> bool:
            service.fail_if_dead()
            try:
                health = client.get("/health").json()
            except httpx.TransportError:
                return False
            return bool(health["workers"]) or not worker

        try:
            wait_for("cosource serve to answer /health", ready, START_SECONDS, every=0.1)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{process.log_tail()}") from None
        # the server has migrated the database before answering: a key can be stored
        client.headers["Authorization"] = f"Bearer {coordinator_key(database_url)}"
        yield service
    finally:
        client.close()
        process.kill_group()


def upload(client: httpx.Client, round_json: str) -> dict[str, Any]:
    """POST a round's JSON; the round as the API answers (201)."""
    response = client.post(
        "/rounds", content=round_json, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def start_run(client: httpx.Client, round_id: int, **params: Any) -> dict[str, Any]:
    """POST a run of the round (202, queued)."""
    response = client.post(f"/rounds/{round_id}/runs", json=params)
    assert response.status_code == 202, response.text
    run: dict[str, Any] = response.json()
    assert run["status"] == "queued"
    return run


def event_kinds(client: httpx.Client, run_id: int) -> list[str]:
    """The kinds of the run's events, oldest first, through the API."""
    response = client.get(f"/runs/{run_id}/events")
    assert response.status_code == 200, response.text
    return [event["kind"] for event in response.json()]


def stored_run(database: Database, run_id: int) -> RunRow:
    """The run's row as stored, read straight from the database."""
    with database.read() as session:
        run = session.get(RunRow, run_id)
        assert run is not None
        return run


def stored_events(database: Database, run_id: int) -> list[RunEventRow]:
    """The run's events as stored, oldest first."""
    with database.read() as session:
        query = select(RunEventRow).where(RunEventRow.run_id == run_id).order_by(RunEventRow.id)
        return list(session.scalars(query))
