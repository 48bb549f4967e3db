"""``/rounds/{id}/runs`` and ``/runs``: start a solve (202, the run stored first), follow its
progress, cancel it, read its history."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session, defer

from api.cli_inputs import cosource_version
from api.service.auth import CallerDep, require_coordinator, runs_hidden
from api.service.deps import DatabaseDep
from api.service.queries import get_version
from api.service.routes.rounds import Id
from api.service.runs import create_run, events, get_run, list_runs, request_cancel
from api.service.schemas import RunCreate, RunEvent, RunProgress, RunPublic, errors
from api.service.tables import RoundVersionRow, RunRow
from api.service.visibility import visible_round

router = APIRouter(tags=["runs"])


def run_public(run: RunRow, version: int) -> RunPublic:
    """A run as the API shows it (the incumbent as a count, not the pairs)."""
    return RunPublic(
        id=run.id,
        round_id=run.round_id,
        version=version,
        status=run.status,
        params={k: v for k, v in run.params.items() if k != "start"},
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        attempts=run.attempts,
        cancel_requested=run.cancel_requested,
        progress=None if run.progress is None else RunProgress.model_validate(run.progress),
        incumbent_placements=run.incumbent_placements,
        incumbent_at=run.incumbent_at,
        result=run.result,
        summary=run.summary,
        error=run.error,
        engine_version=run.engine_version,
    )


@router.post(
    "/rounds/{round_id}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(400, 401, 403, 404, 422),
)
def start_run(round_id: Id, body: RunCreate, caller: CallerDep, database: DatabaseDep) -> RunPublic:
    """Queue a solve of the round (its latest version unless ``version`` says). The run is
    stored before this answers; a worker takes it from the database."""
    with database.write() as session:
        visible_round(session, caller, round_id)
        require_coordinator(caller, "start runs")
        version = get_version(session, round_id, body.version)
        params = body.model_dump(exclude={"version"})
        run = create_run(session, round_id, version.id, params, cosource_version())
        return run_public(run, version.number)


@router.get("/rounds/{round_id}/runs", responses=errors(401, 403, 404, 422))
def runs_of_round(round_id: Id, caller: CallerDep, database: DatabaseDep) -> list[RunPublic]:
    """The runs of a round, oldest first."""
    with database.read() as session:
        visible_round(session, caller, round_id)
        require_coordinator(caller, "list runs")
        get_version(session, round_id)
        return [_public(session, run) for run in list_runs(session, round_id)]


def _public(session: Session, run: RunRow) -> RunPublic:
    version = session.get_one(RoundVersionRow, run.version_id)
    return run_public(run, version.number)


@router.get("/runs/{run_id}", responses=errors(401, 404, 422))
def get_one(run_id: Id, caller: CallerDep, database: DatabaseDep) -> RunPublic:
    """A run: its status and live progress (placements, score, bound, gap, elapsed)."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        # the incumbent's pairs stay in the database: the answer has their count only
        return _public(session, get_run(session, run_id, defer(RunRow.incumbent)))


@router.post(
    "/runs/{run_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(401, 404, 409, 422),
)
def cancel(run_id: Id, caller: CallerDep, database: DatabaseDep) -> RunPublic:
    """Stop a run: a queued one at once, a running one within about two seconds, keeping
    its best assignment. 409 when the run already ended."""
    runs_hidden(caller, run_id)
    with database.write() as session:
        return _public(session, request_cancel(session, run_id))


@router.get("/runs/{run_id}/events", responses=errors(401, 404, 422))
def history(run_id: Id, caller: CallerDep, database: DatabaseDep) -> list[RunEvent]:
    """A run's history: queued, started, interrupted, resumed, cancel asked, ended."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        return [RunEvent.model_validate(e) for e in events(session, run_id)]
