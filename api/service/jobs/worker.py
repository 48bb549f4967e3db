"""The worker: claims runs from the database, solves each in a child process, keeps its
lease alive, stores progress and incumbents, and stores how the run ended.

Several workers may run against one database (``cosource worker``): a claim takes a run
for one of them only (:func:`api.service.runs.claim_run`). A worker that dies stops renewing
its lease; once the lease expires the next claim takes the run again and resumes it from
its stored incumbent.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from api.pipeline import outcome_of_assignment
from api.service.database import Database
from api.service.jobs.child import solve_in_child
from api.service.jobs.outcome import finished_of
from api.service.queries import load_round
from api.service.runs import (
    Claim,
    Finished,
    RunStatus,
    claim_run,
    finish_run,
    get_run,
    release_run,
    renew_lease,
    store_progress,
    worker_seen,
)
from api.service.settings import Settings
from matcher.compile import compile_round

CANCEL_GRACE_SECONDS = 1.5
"""How long a cancelled solve gets to return its best before its process is stopped (the
run then ends with its stored incumbent)."""
PROGRESS_SECONDS = 0.5
"""Least time between two stored progress reports without a new incumbent."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Claims and solves runs, one at a time.

    Parameters
    ----------
    settings
        The database URL, lease, heartbeat and poll intervals.
    name
        How the worker signs its claims (host, process id and a random part by default).
    """

    def __init__(self, settings: Settings, name: str | None = None) -> None:
        self.settings = settings
        self.name = name or worker_name()
        self.database = Database(settings.database_url)
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.ready: _Child | None = None

    def run_forever(self, stop: threading.Event | None = None, parent: int | None = None) -> None:
        """Claim and solve runs until ``stop`` is set, or until process ``parent`` (the
        server that started this worker) is gone."""
        stop = self.stopping = stop or self.stopping
        if parent is not None:
            # watched beside the solve, not between runs only: a worker whose server was
            # killed mid-solve releases its run at once instead of solving on, orphaned
            watch = (parent, stop, self.settings.poll_seconds)
            threading.Thread(target=_watch_parent, args=watch, daemon=True).start()
        try:
            while not stop.is_set():
                if parent is not None and os.getppid() != parent:
                    return
                # the next run's process starts while the worker is idle: a run claimed
                # then skips the start of Python and the engine's imports
                if self.ready is None:
                    self.ready = self._start_child()
                if not self.run_once():
                    stop.wait(self.settings.poll_seconds)
        finally:
            if self.ready is not None:
                self.ready.close()
                self.ready = None

    def run_once(self) -> bool:
        """Claim one run and solve it; False when there was none to claim."""
        with self.database.write() as session:
            claim = claim_run(session, self.name, self.settings.lease_seconds)
            worker_seen(session, self.name, None if claim is None else claim.run_id)
        if claim is None:
            return False
        self._solve(claim)
        return True

    def _start_child(self) -> _Child:
        """A solve process, started and waiting for its claim."""
        data_out, data_in = self.context.Pipe(duplex=False)
        control_out, control_in = self.context.Pipe(duplex=False)
        args = (self.database.url, data_in, control_out, self.settings.incumbent_seconds)
        # not a daemon: a solve may start processes of its own (a decomposed round's parts),
        # which a daemon may not. It never outlives the worker all the same: the worker ends
        # it when the run ends or the worker stops, and it exits by itself when its pipe
        # closes (a worker that died)
        process = self.context.Process(target=solve_in_child, args=args, daemon=False)
        process.start()
        data_in.close()
        control_out.close()
        return _Child(process, data_out, control_in)

    def _solve(self, claim: Claim) -> None:
        child, self.ready = self.ready, None
        if child is not None:
            try:
                child.control.send(claim)
            except OSError:
                # the one ready died while it waited
                child.close()
                child = None
        if child is None:
            child = self._start_child()
            child.control.send(claim)
        try:
            ended = self._follow(claim, child.process, child.data, child.control)
        finally:
            child.close()
        if ended is not None:
            with self.database.write() as session:
                finish_run(session, claim.run_id, self.name, ended)

    def _follow(
        self,
        claim: Claim,
        child: Any,
        data: Connection,
        control: Connection,
    ) -> Finished | None:
        """Relay the child's messages to the database until it ends; how the run ended,
        None when this worker lost the run to another."""
        beat = 0.0
        cancelled_at: float | None = None
        stored_at = 0.0
        waiting: dict[str, Any] | None = None
        while True:
            now = time.monotonic()
            if self.stopping.is_set():
                with self.database.write() as session:
                    release_run(session, claim.run_id, self.name)
                return None
            if now >= beat:
                with self.database.write() as session:
                    cancel = renew_lease(
                        session, claim.run_id, self.name, self.settings.lease_seconds
                    )
                    worker_seen(session, self.name, claim.run_id)
                if cancel is None:
                    return None
                if cancel and cancelled_at is None:
                    cancelled_at = now
                    control.send("cancel")
                beat = now + self.settings.heartbeat_seconds
            if cancelled_at is not None and now - cancelled_at > CANCEL_GRACE_SECONDS:
                child.kill()
                return self._from_incumbent(claim, "the solve did not stop in time")
            try:
                ready = data.poll(0.1)
                message = data.recv() if ready else None
            except (EOFError, OSError):
                message = ("gone",)
            if message is None:
                if waiting is not None and now - stored_at >= PROGRESS_SECONDS:
                    self._store(claim, waiting, None)
                    waiting, stored_at = None, now
                continue
            kind = message[0]
            if kind == "progress":
                report, pairs = message[1], message[2]
                if pairs is not None or now - stored_at >= PROGRESS_SECONDS:
                    self._store(claim, report, pairs)
                    waiting, stored_at = None, now
                else:
                    waiting = report
            elif kind == "done":
                finished: Finished = message[1]
                return finished
            elif kind == "error":
                return _failed(str(message[1]))
            else:
                child.join(1.0)
                if cancelled_at is not None:
                    return self._from_incumbent(claim, "the solve process ended")
                return _failed(f"the solve process ended unexpectedly (exit code {child.exitcode})")

    def _store(self, claim: Claim, report: dict[str, Any], pairs: Any) -> None:
        with self.database.write() as session:
            store_progress(session, claim.run_id, self.name, report, pairs)

    def _from_incumbent(self, claim: Claim, why: str) -> Finished:
        """A cancelled run's end when its solve had to be stopped: the stored incumbent,
        judged and explained, or no assignment if none was stored."""
        with self.database.read() as session:
            run = get_run(session, claim.run_id)
            pairs = [(str(t), str(p)) for t, p in run.incumbent or []]
            round_ = load_round(session, claim.version_id)
        detail = f"stopped on request ({why}); the best assignment stored is kept"
        if not pairs:
            return Finished(
                RunStatus.CANCELLED,
                None,
                None,
                "cancelled before any assignment was found",
                [],
                [],
                [],
                detail="stopped on request before any assignment was found",
            )
        method = str(claim.params["method"])
        note = f"cancelled: the best assignment stored ({len(pairs)} placements)"
        outcome = outcome_of_assignment(
            round_,
            compile_round(round_),
            method,
            pairs,
            note,
            blocking_pairs=bool(claim.params["blocking_pairs"]),
        )
        return finished_of(outcome, RunStatus.CANCELLED, detail)


@dataclass
class _Child:
    """A solve process and the worker's ends of its two pipes."""

    process: Any
    data: Connection
    control: Connection

    def close(self) -> None:
        """End the process if it still runs, and close the pipes."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.data.close()
        self.control.close()


def _watch_parent(parent: int, stop: threading.Event, interval: float) -> None:
    """Set ``stop`` once process ``parent`` is no longer this process's parent (it died: the
    orphan was adopted by another)."""
    while os.getppid() == parent:
        if stop.wait(interval):
            return
    stop.set()


def _failed(message: str) -> Finished:
    return Finished(RunStatus.FAILED, None, None, f"failed: {message}", [], [], [], error=message)
