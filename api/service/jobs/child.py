"""The process a run is solved in: started ahead of the run (its imports take a second or
two), it waits for the claim, loads the round, solves it with the pipeline, sends progress
and incumbents to its worker as they come, and the finished run at the end.

Messages on ``data`` (child to worker): ``("progress", report, pairs | None)``,
``("done", Finished)`` or ``("error", message)``. On ``control`` (worker to child): the
:class:`~api.service.runs.Claim` first, then ``"cancel"``; when the worker dies the pipe
closes and the child exits at once, so that no orphan solve runs on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

from api.pipeline import RoundOutcome, RoundParams, default_time_limit, run_round
from api.service.database import Database
from api.service.jobs.outcome import finished_of, round_params
from api.service.queries import load_round
from api.service.runs import Claim, RunStatus
from matcher.compile import CompiledRound, compile_round
from matcher.errors import RoundError
from matcher.models import Round
from solvers.result import Progress
from solvers.stop import Deadline

ORPHAN_EXIT = 3
"""Exit status of a child whose worker died."""
SOLVE_NICENESS = 10
"""How much lower than its worker's the solve's scheduling priority is (Unix ``nice``)."""


def _lower_priority() -> None:
    """Lower this process's priority by :data:`SOLVE_NICENESS` where the system allows it."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(SOLVE_NICENESS)


def progress_report(progress: Progress, limit: float) -> dict[str, Any]:
    """A progress report as stored: in the units of the final result."""
    return {
        "phase": "solving",
        "solver": progress.solver,
        "elapsed": round(progress.elapsed, 3),
        "time_limit": limit,
        "placements": progress.placements,
        "placement_bound": progress.placement_bound,
        "objective": progress.objective,
        "bound": progress.bound,
        "gap": progress.gap,
    }


class _Reporter:
    """Sends each progress report, and the incumbent at most every ``interval`` seconds
    (the latest one unsent goes out when a cancel comes)."""

    def __init__(self, data: Connection, compiled: CompiledRound, limit: float, interval: float):
        self.data, self.compiled, self.limit, self.interval = data, compiled, limit, interval
        self.sent_at = -float("inf")
        self.unsent: Progress | None = None
        self.lock = threading.Lock()

    def __call__(self, progress: Progress) -> None:
        with self.lock:
            if progress.edges is not None and time.monotonic() - self.sent_at < self.interval:
                self.unsent = progress
                self._send(dataclasses.replace(progress, edges=None))
            else:
                self._send(progress)

    def flush(self) -> None:
        with self.lock:
            if self.unsent is not None:
                self._send(self.unsent)

    def _send(self, progress: Progress) -> None:
        pairs = None
        if progress.edges is not None:
            a, c = self.compiled.arrays, self.compiled
            pairs = [
                (a.talent_ids[c.talent[e]], a.package_ids[c.package[e]])
                for e in progress.edges.tolist()
            ]
            self.sent_at = time.monotonic()
            self.unsent = None
        self.data.send(("progress", progress_report(progress, self.limit), pairs))


def _watch(
    control: Connection, deadline: Deadline, reporter: list[_Reporter], interval: float
) -> None:
    """Wait for the worker's word: a cancel ends the deadline (the solve returns its best
    at its next look); a closed pipe means the worker died, and so does this process. Between
    words, the latest incumbent not yet sent goes out, so that a crash loses at most
    ``interval`` seconds of search."""
    while True:
        try:
            ready = control.poll(max(interval, 0.1))
            message = control.recv() if ready else None
        except (EOFError, OSError):
            os._exit(ORPHAN_EXIT)
        if reporter:
            reporter[0].flush()
        if message == "cancel":
            deadline.end()


def _start_of(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The start assignment a run was created with (a re-solve's offers), if any."""
    return tuple((str(t), str(p)) for t, p in params.get("start", []))


def _held(round_: Round, params: dict[str, Any]) -> Round:
    """The round a run solves first: a re-solve that keeps its open offers (``open_offers``
    ``keep``) holds them as accepted placements, so that the solve only refills what the
    declines freed (and leaves out the many edges the held offers close). Any assignment of
    it is one of ``round_`` with the same objective: every proposed placement is kept."""
    if params.get("open_offers") != "keep" or not round_.previous:
        return round_
    held = [p.model_copy(update={"status": "accepted"}) for p in round_.previous]
    return round_.model_copy(update={"previous": held})


def _compiled_first(round_: Round, params: dict[str, Any]) -> tuple[Round, CompiledRound]:
    """The round a run solves first (:func:`_held`) compiled; ``round_`` itself when an
    offer to hold is no longer eligible (records changed since it was published)."""
    held = _held(round_, params)
    if held is not round_:
        try:
            return held, compile_round(held)
        except RoundError:
            pass
    return round_, compile_round(round_)


def _with_offers_free(
    round_: Round, params: RoundParams, reporter: _Reporter, deadline: Deadline
) -> RoundOutcome:
    """The re-solve of the stored ``round_``, where its open offers are proposed placements
    (moving one costs the disruption penalty), within ``deadline``: when they cannot all be
    held together (a hard fairness rule the declines broke, for example)."""
    compiled = compile_round(round_)
    reporter.compiled = compiled
    again = dataclasses.replace(params, solve=dataclasses.replace(params.solve, deadline=deadline))
    outcome = run_round(round_, again, reporter, compiled=compiled)
    note = (
        "the open offers could not all stand together: solved again with them free to "
        "move at the disruption penalty"
    )
    result = dataclasses.replace(outcome.result, notes=[note, *outcome.result.notes])
    return dataclasses.replace(outcome, result=result)


def solve_in_child(url: str, data: Connection, control: Connection, interval: float) -> None:
    """Entry of the child process: wait for the worker's claim (the process is started ahead
    of it, so that its imports are done when a run comes), solve the claimed run and send
    how it went. A worker that dies before sending one closes the pipe: the child exits.

    The process runs at a lower priority (:data:`SOLVE_NICENESS`), and so do the processes
    it starts: a solve takes every core it can, and on a small machine the API's requests
    (decisions, status polls) would wait behind it; niced, it gets every cycle they leave.
    """
    _lower_priority()
    try:
        claim = control.recv()
    except (EOFError, OSError):
        os._exit(ORPHAN_EXIT)
    if not isinstance(claim, Claim):
        os._exit(ORPHAN_EXIT)
    _solve_claim(url, claim, data, control, interval)


def _solve_claim(
    url: str, claim: Claim, data: Connection, control: Connection, interval: float
) -> None:
    """Solve the claimed run and send how it went."""
    reporter_box: list[_Reporter] = []
    try:
        database = Database(url)
        with database.read() as session:
            round_ = load_round(session, claim.version_id)
        database.dispose()
        given = claim.params.get("time_limit")
        limit = float(given) if given is not None else default_time_limit(round_)
        deadline = Deadline(limit)
        watch = (control, deadline, reporter_box, interval)
        threading.Thread(target=_watch, args=watch, daemon=True).start()
        data.send(("progress", {"phase": "compiling", "time_limit": limit}, None))
        lap = time.perf_counter()
        stored = round_
        round_, compiled = _compiled_first(stored, claim.params)
        compile_seconds = time.perf_counter() - lap
        reporter = _Reporter(data, compiled, limit, interval)
        reporter_box.append(reporter)
        params = round_params(claim.params, limit)
        params = dataclasses.replace(
            params,
            solve=dataclasses.replace(params.solve, deadline=deadline),
            start=tuple(claim.incumbent) or _start_of(claim.params),
        )
        outcome = run_round(
            round_, params, reporter, compiled=compiled, compile_seconds=compile_seconds
        )
        if round_ is not stored and not outcome.solved and not deadline.ended():
            outcome = _with_offers_free(stored, params, reporter, deadline.renewed(limit))
        cancelled = deadline.ended()
        status = RunStatus.CANCELLED if cancelled else None
        detail = "stopped on request; the best assignment found is kept" if cancelled else ""
        data.send(("done", finished_of(outcome, status, detail)))
    except (RoundError, ValueError) as exc:
        data.send(("error", str(exc)))
    except Exception as exc:
        # the process boundary: the worker stores the failure, the log keeps the traceback
        traceback.print_exc()
        data.send(("error", f"internal error: {type(exc).__name__}: {exc}"))
    finally:
        data.close()
