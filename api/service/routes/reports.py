"""A finished run as documents: ``/runs/{id}/report``, the round report (the page
``cosource report`` makes of a results folder, :mod:`api.report`), and
``/runs/{id}/workbook``, the results workbook (as ``cosource solve --xlsx`` writes it,
:mod:`api.workbook`)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.report.html import report_html
from api.report.inputs import ReportInputs
from api.service.auth import CallerDep, runs_hidden
from api.service.deps import DatabaseDep
from api.service.routes.results import finished_run
from api.service.routes.rounds import Id
from api.service.schemas import errors
from api.service.tables import PlacementRow, RoundVersionRow, UnplacedRow
from api.workbook import results_workbook

router = APIRouter(prefix="/runs/{run_id}", tags=["results"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RunTables:
    """A finished run's documents and tables, as the report and the workbook take them."""

    result: dict[str, Any]
    kpis: dict[str, Any] | None
    placements: pd.DataFrame
    unplaced: pd.DataFrame
    round_name: str


def _rows(session: Session, table: Any, run_id: int) -> pd.DataFrame:
    query = select(table.data).where(table.run_id == run_id).order_by(table.position)
    return pd.DataFrame([data for (data,) in session.execute(query)])


def run_tables(session: Session, run_id: int) -> RunTables:
    """Run ``run_id``'s stored documents and rows (409 while it has none)."""
    run = finished_run(session, run_id)
    version = session.get_one(RoundVersionRow, run.version_id)
    return RunTables(
        result=run.result or {},
        kpis=run.kpis,
        placements=_rows(session, PlacementRow, run_id),
        unplaced=_rows(session, UnplacedRow, run_id),
        round_name=f"{version.key}: {version.name}" if version.name else version.key,
    )


@router.get(
    "/report",
    response_model=None,
    responses={200: {"content": {"text/html": {}}}, **errors(401, 404, 409, 422)},
)
def report(run_id: Id, caller: CallerDep, database: DatabaseDep) -> HTMLResponse:
    """The run's round report: one self-contained HTML page (plots inlined, nothing loaded
    from a network) of its KPIs, score parts, placements and rates per organization, cost
    split, fairness across lenders and unplaced talents by reason, with sortable tables."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        tables = run_tables(session, run_id)
    inputs = ReportInputs(
        result=tables.result,
        kpis=tables.kpis,
        placements=tables.placements,
        unplaced=tables.unplaced,
        title=f"{tables.round_name} (run {run_id})",
    )
    return HTMLResponse(report_html(inputs))


@router.get(
    "/workbook",
    response_model=None,
    responses={200: {"content": {XLSX: {}}}, **errors(401, 404, 409, 422)},
)
def workbook(run_id: Id, caller: CallerDep, database: DatabaseDep) -> Response:
    """The run's results as one Excel workbook: placements, unplaced, KPIs, cost split per
    organization and what the run was."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        tables = run_tables(session, run_id)
    buffer = io.BytesIO()
    results_workbook(
        tables.result,
        tables.kpis,
        tables.placements,
        tables.unplaced,
        buffer,
        round_name=tables.round_name,
    )
    headers = {"Content-Disposition": f'attachment; filename="run-{run_id}.xlsx"'}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)
