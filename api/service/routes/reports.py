"""``/runs/{id}/report``: the round report of a finished run, the same page as
``cosource report`` makes of a results folder (:mod:`api.report`)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.report.html import report_html
from api.report.inputs import ReportInputs
from api.service.auth import CallerDep, runs_hidden
from api.service.deps import DatabaseDep
from api.service.routes.results import finished_run
from api.service.routes.rounds import Id
from api.service.schemas import errors
from api.service.tables import PlacementRow, RoundVersionRow, UnplacedRow

router = APIRouter(prefix="/runs/{run_id}", tags=["results"])


@router.get(
    "/report",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **errors(401, 404, 409, 422)},
)
def report(run_id: Id, caller: CallerDep, database: DatabaseDep) -> HTMLResponse:
    """The run's round report: one self-contained HTML page (plots inlined, nothing loaded
    from a network) of its KPIs, score parts, placements and rates per organization, cost
    split, fairness across lenders and unplaced talents by reason, with sortable tables."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        run = finished_run(session, run_id)
        version = session.get_one(RoundVersionRow, run.version_id)
        placements = [
            data
            for (data,) in session.execute(
                select(PlacementRow.data)
                .where(PlacementRow.run_id == run_id)
                .order_by(PlacementRow.position)
            )
        ]
        unplaced = [
            data
            for (data,) in session.execute(
                select(UnplacedRow.data)
                .where(UnplacedRow.run_id == run_id)
                .order_by(UnplacedRow.position)
            )
        ]
        result, kpis = run.result or {}, run.kpis
    inputs = ReportInputs(
        result=result,
        kpis=kpis,
        placements=pd.DataFrame(placements),
        unplaced=pd.DataFrame(unplaced),
        title=f"{version.name or version.key} (run {run_id})",
    )
    return HTMLResponse(report_html(inputs))
