"""Solve runs in the database: created queued, claimed by a worker under a lease, kept
alive by its heartbeat, given progress and incumbents, finished with their results.

Claims work the same on both databases: the candidate is selected ``FOR UPDATE SKIP LOCKED``
(PostgreSQL; two workers never wait on each other's row) inside a writing transaction
(SQLite: ``BEGIN IMMEDIATE``, so one claim at a time), then updated only if it is still
claimable. A run whose worker died keeps ``running`` with a lease in the past: the next
claim takes it again, and its history records the interruption.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from api.service.errors import ConflictError, NotFoundError
from api.service.tables import (
    BlockingPairRow,
    PlacementRow,
    RunEventRow,
    RunRow,
    UnplacedRow,
    WorkerRow,
    utc_now,
)


class RunStatus:
    """The states of a run. ``running`` covers a run whose worker died, until it is
    claimed again (its lease then lies in the past)."""

    QUEUED = "queued"
    RUNNING = "running"
    SOLVED = "solved"
    NO_SOLUTION = "no_solution"
    CANCELLED = "cancelled"
    FAILED = "failed"
    FINISHED = (SOLVED, NO_SOLUTION, CANCELLED, FAILED)


def add_event(session: Session, run_id: int, kind: str, detail: str = "") -> None:
    session.add(RunEventRow(run_id=run_id, kind=kind, detail=detail))


def create_run(
    session: Session, round_id: int, version_id: int, params: dict[str, Any], engine: str
) -> RunRow:
    """A new queued run of version ``version_id``."""
    run = RunRow(
        round_id=round_id,
        version_id=version_id,
        status=RunStatus.QUEUED,
        params=params,
        engine_version=engine,
        attempts=0,
        cancel_requested=False,
    )
    session.add(run)
    session.flush()
    add_event(session, run.id, "queued")
    return run


def get_run(session: Session, run_id: int, *options: ORMOption) -> RunRow:
    """Run ``run_id`` loaded with ``options`` (say, a column left unloaded);
    :class:`NotFoundError` if there is none."""
    run = session.get(RunRow, run_id, options=options)
    if run is None:
        raise NotFoundError("run", run_id)
    return run


def list_runs(session: Session, round_id: int) -> list[RunRow]:
    return list(
        session.scalars(select(RunRow).where(RunRow.round_id == round_id).order_by(RunRow.id))
    )


def events(session: Session, run_id: int) -> list[RunEventRow]:
    get_run(session, run_id)
    return list(
        session.scalars(
            select(RunEventRow).where(RunEventRow.run_id == run_id).order_by(RunEventRow.id)
        )
    )


def request_cancel(session: Session, run_id: int) -> RunRow:
    """Ask the run to stop: a queued run is cancelled at once, a running one by its worker
    (which keeps the best assignment). A finished run: :class:`ConflictError`."""
    run = get_run(session, run_id)
    if run.status in RunStatus.FINISHED:
        raise ConflictError(f"run {run_id} is already {run.status}: nothing to cancel")
    if run.status == RunStatus.QUEUED:
        run.status = RunStatus.CANCELLED
        run.finished_at = utc_now()
        add_event(session, run_id, "cancelled", "cancelled before any worker took it")
    elif not run.cancel_requested:
        run.cancel_requested = True
        add_event(session, run_id, "cancel requested")
    return run


@dataclass(frozen=True)
class Claim:
    """A run a worker now holds: its id, what to solve and the incumbent to resume from."""

    run_id: int
    version_id: int
    params: dict[str, Any]
    incumbent: list[tuple[str, str]]
    attempt: int


def claim_run(session: Session, worker: str, lease_seconds: float) -> Claim | None:
    """Take the oldest queued run, or a running one whose lease expired; None if none."""
    now = time.time()
    claimable = or_(
        RunRow.status == RunStatus.QUEUED,
        (RunRow.status == RunStatus.RUNNING) & (RunRow.lease_expires < now),
    )
    run = session.scalar(
        select(RunRow)
        .where(claimable)
        .order_by(RunRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if run is None:
        return None
    if run.status == RunStatus.RUNNING:
        held = f"worker {run.worker} stopped renewing its lease (attempt {run.attempts})"
        add_event(session, run.id, "interrupted", held)
    run.status = RunStatus.RUNNING
    run.worker = worker
    run.lease_expires = now + lease_seconds
    run.attempts += 1
    run.started_at = run.started_at or utc_now()
    incumbent = [(t, p) for t, p in run.incumbent or []]
    if incumbent:
        detail = f"by {worker}, from the stored incumbent ({len(incumbent)} placements)"
        add_event(session, run.id, "resumed", detail)
    else:
        add_event(session, run.id, "started", f"by {worker}")
    return Claim(run.id, run.version_id, dict(run.params), incumbent, run.attempts)


def renew_lease(session: Session, run_id: int, worker: str, lease_seconds: float) -> bool | None:
    """Extend the worker's lease; returns whether a cancel was asked, None when the worker
    no longer holds the run (another took it: the worker must stop)."""
    held = session.execute(
        update(RunRow)
        .where(RunRow.id == run_id, RunRow.worker == worker, RunRow.status == RunStatus.RUNNING)
        .values(lease_expires=time.time() + lease_seconds)
        .returning(RunRow.cancel_requested)
    ).first()
    return None if held is None else bool(held[0])


def release_run(session: Session, run_id: int, worker: str) -> None:
    """Give up a run held by ``worker`` (it is stopping): its lease ends now, so that the
    next claim resumes it from its stored incumbent."""
    released = session.execute(
        update(RunRow).where(_held(run_id, worker)).values(lease_expires=0.0).returning(RunRow.id)
    ).first()
    if released is not None:
        add_event(session, run_id, "released", f"worker {worker} stopped")


def _held(run_id: int, worker: str) -> Any:
    return (RunRow.id == run_id) & (RunRow.worker == worker) & (RunRow.status == RunStatus.RUNNING)


def store_progress(
    session: Session,
    run_id: int,
    worker: str,
    progress: dict[str, Any],
    incumbent: Sequence[tuple[str, str]] | None,
) -> None:
    """Store a progress report and, when given, the incumbent (a later claim resumes from
    it); ignored when the worker no longer holds the run."""
    values: dict[str, Any] = {"progress": progress}
    if incumbent is not None:
        values.update(incumbent=[list(pair) for pair in incumbent], incumbent_at=utc_now())
    session.execute(update(RunRow).where(_held(run_id, worker)).values(**values))


@dataclass(frozen=True)
class Finished:
    """What a run ends with: its status, documents and result rows."""

    status: str
    result: dict[str, Any] | None
    kpis: dict[str, Any] | None
    summary: str
    placements: list[dict[str, Any]]
    unplaced: list[dict[str, Any]]
    blocking_pairs: list[dict[str, Any]]
    error: str | None = None
    detail: str = ""
    progress: dict[str, Any] | None = None


def finish_run(session: Session, run_id: int, worker: str, finished: Finished) -> bool:
    """Store how the run ended, its results all at once; False (nothing stored) when the
    worker no longer holds the run."""
    done = session.execute(
        update(RunRow)
        .where(_held(run_id, worker))
        .values(
            status=finished.status,
            result=finished.result,
            kpis=finished.kpis,
            summary=finished.summary,
            error=finished.error,
            finished_at=utc_now(),
            lease_expires=None,
            **({} if finished.progress is None else {"progress": finished.progress}),
        )
        .returning(RunRow.id)
    ).first()
    if done is None:
        return False
    for table in (PlacementRow, UnplacedRow, BlockingPairRow):
        session.execute(delete(table).where(table.run_id == run_id))
    _insert_rows(session, PlacementRow, run_id, finished.placements, ("package", "host", "lender"))
    _insert_rows(session, UnplacedRow, run_id, finished.unplaced, ("lender",))
    _insert_rows(session, BlockingPairRow, run_id, finished.blocking_pairs, ("package",))
    add_event(session, run_id, finished.status, finished.detail or (finished.error or ""))
    return True


def _insert_rows(
    session: Session,
    table: type[Any],
    run_id: int,
    rows: list[dict[str, Any]],
    columns: tuple[str, ...],
) -> None:
    if not rows:
        return
    session.execute(
        insert(table),
        [
            {
                "run_id": run_id,
                "position": i,
                "talent": str(row["talent"]),
                "data": row,
                **{c: str(row[c]) for c in columns},
            }
            for i, row in enumerate(rows)
        ],
    )


def result_page(
    session: Session, table: type[Any], run_id: int, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """The number of rows of a run's result table and one page of them, in order."""
    total = session.scalar(select(func.count()).select_from(table).where(table.run_id == run_id))
    rows = session.execute(
        select(table.data)
        .where(table.run_id == run_id, table.position >= offset)
        .order_by(table.position)
        .limit(limit)
    )
    return int(total or 0), [data for (data,) in rows]


def worker_seen(session: Session, name: str, run_id: int | None) -> None:
    """Record that worker ``name`` is alive (and what it runs)."""
    row = session.get(WorkerRow, name)
    if row is None:
        session.add(WorkerRow(name=name, run_id=run_id))
    else:
        row.last_seen, row.run_id = utc_now(), run_id


def live_workers(session: Session, within_seconds: float) -> list[WorkerRow]:
    """Workers seen in the last ``within_seconds``."""
    since = utc_now() - dt.timedelta(seconds=within_seconds)
    return list(session.scalars(select(WorkerRow).where(WorkerRow.last_seen >= since)))
