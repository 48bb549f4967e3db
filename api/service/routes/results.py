"""``/runs/{id}/...``: a finished run's placements, unplaced talents, blocking pairs and KPIs,
in pages, as JSON or CSV (by ``Accept``), and why a talent is not on a package."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.auth import CallerDep, runs_hidden
from api.service.deps import CacheDep, DatabaseDep
from api.service.errors import ConflictError, NotFoundError
from api.service.keys import Caller
from api.service.queries import load_round
from api.service.routes.rounds import Id, Limit, Offset
from api.service.runs import RunStatus, get_run, result_page
from api.service.schemas import Candidate, FailedRulePublic, Page, WhyNotPublic, errors
from api.service.tables import BlockingPairRow, PlacementRow, RunRow, UnplacedRow
from matcher.eligibility import REASONS
from matcher.eligibility_details import failure_details
from matcher.models import SCORE_NAMES

router = APIRouter(prefix="/runs/{run_id}", tags=["results"])

CSV = "text/csv"
# "200" as FastAPI spells it, so that this adds CSV to the JSON page (an int key replaced it)
PAGE_OR_CSV: dict[str, Any] = {
    "responses": {"200": {"content": {CSV: {"schema": {"type": "string"}}}}}
}
RESULT_ERRORS = errors(401, 404, 409, 422)
"""A run's results: 404 for no such run, 409 while it has none."""


def finished_run(session: Session, run_id: int) -> RunRow:
    """Run ``run_id`` when it has results; 409 with its state otherwise."""
    run = get_run(session, run_id)
    if run.status not in RunStatus.FINISHED:
        raise ConflictError(f"run {run_id} is {run.status}: its results come when it ends")
    return run


def _page(
    request: Request,
    caller: Caller,
    database: DatabaseDep,
    table: Any,
    run_id: int,
    offset: int,
    limit: int,
) -> Any:
    runs_hidden(caller, run_id)
    with database.read() as session:
        finished_run(session, run_id)
        total, items = result_page(session, table, run_id, offset, limit)
    if CSV in request.headers.get("accept", ""):
        text = pd.DataFrame(items).to_csv(index=False) if items else ""
        headers = {"X-Total-Count": str(total)}
        return Response(text, media_type=f"{CSV}; charset=utf-8", headers=headers)
    return Page[dict[str, Any]](total=total, offset=offset, limit=limit, items=items)


@router.get("/placements", openapi_extra=PAGE_OR_CSV, responses=RESULT_ERRORS)
def placements(
    run_id: Id,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    offset: Offset = 0,
    limit: Limit = 1000,
) -> Page[dict[str, Any]]:
    """The run's placements (the rows of ``placements.csv``): ids, names, dates, FTE, the
    score with its parts and the monthly cost split."""
    page: Page[dict[str, Any]] = _page(
        request, caller, database, PlacementRow, run_id, offset, limit
    )
    return page


@router.get("/unplaced", openapi_extra=PAGE_OR_CSV, responses=RESULT_ERRORS)
def unplaced(
    run_id: Id,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    offset: Offset = 0,
    limit: Limit = 1000,
) -> Page[dict[str, Any]]:
    """The run's unplaced talents with their reasons (the rows of ``unplaced.csv``)."""
    page: Page[dict[str, Any]] = _page(
        request, caller, database, UnplacedRow, run_id, offset, limit
    )
    return page


@router.get("/blocking-pairs", openapi_extra=PAGE_OR_CSV, responses=RESULT_ERRORS)
def blocking_pairs(
    run_id: Id,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    offset: Offset = 0,
    limit: Limit = 1000,
) -> Page[dict[str, Any]]:
    """The run's blocking pairs, when the run was asked to keep them."""
    page: Page[dict[str, Any]] = _page(
        request, caller, database, BlockingPairRow, run_id, offset, limit
    )
    return page


@router.get("/kpis", responses=RESULT_ERRORS)
def kpis(run_id: Id, caller: CallerDep, database: DatabaseDep) -> dict[str, Any]:
    """``kpis.json`` of the run: the evaluator's verdict, the KPIs and stability."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        run = finished_run(session, run_id)
        if run.kpis is None:
            raise ConflictError(f"run {run_id} ended {run.status} without an assignment")
        return run.kpis


@router.get("/why-not", responses=RESULT_ERRORS)
def why_not(
    run_id: Id,
    caller: CallerDep,
    database: DatabaseDep,
    cache: CacheDep,
    talent: Annotated[str, Query(min_length=1, max_length=200)],
    package: Annotated[str, Query(min_length=1, max_length=200)],
) -> WhyNotPublic:
    """Why ``talent`` is not on ``package`` in this run: the eligibility rules the pair
    fails with their facts, else the run's reason for the talent and who holds the package's
    seats with their scores. Answered from the run's stored results: no solve."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        run = finished_run(session, run_id)
        version_id = run.version_id
        placed = _rows(session, PlacementRow, run_id, PlacementRow.talent == talent)
        holders = _rows(session, PlacementRow, run_id, PlacementRow.package == package)
        reason = _rows(session, UnplacedRow, run_id, UnplacedRow.talent == talent)

    def load() -> Any:
        with database.read() as session:
            return load_round(session, version_id)

    compiled = cache.get(version_id, load).compiled
    a = compiled.arrays
    if talent not in a.talent_ids:
        raise NotFoundError("talent", repr(talent))
    if package not in a.package_ids:
        raise NotFoundError("package", repr(package))
    t, p = a.talent_ids.index(talent), a.package_ids.index(package)
    failures = failure_details(a, t, p)
    edge = int(compiled.edge_index(t, p)[0])
    score = None if edge < 0 else round(float(compiled.score[edge]), 4)
    on = [str(row["package"]) for row in placed]
    answer = _answer(talent, package, failures, on, reason[0] if reason else None, run.status)
    return WhyNotPublic(
        run_id=run_id,
        talent=talent,
        package=package,
        eligible=not failures,
        failing_rules=[
            FailedRulePublic(rule=rule, reason=REASONS[rule], detail=detail)
            for rule, detail in failures.items()
        ],
        placed_on=on,
        pair_score=score,
        reason=str(reason[0]["reason"]) if reason else None,
        detail=str(reason[0]["detail"]) if reason else None,
        package_holders=[
            Candidate(
                id=str(row["talent"]),
                score=float(row["score"]),
                parts={name: float(row[name]) for name in SCORE_NAMES if name in row},
            )
            for row in holders
        ],
        answer=answer,
    )


def _rows(session: Session, table: Any, run_id: int, where: Any) -> list[dict[str, Any]]:
    rows = session.execute(
        select(table.data).where(table.run_id == run_id, where).order_by(table.position)
    )
    return [data for (data,) in rows]


def _answer(
    talent: str,
    package: str,
    failures: dict[str, str],
    placed_on: list[str],
    reason: dict[str, Any] | None,
    status: str,
) -> str:
    if failures:
        rules = "; ".join(f"{rule}: {detail}" for rule, detail in failures.items())
        return f"talent '{talent}' is not eligible for package '{package}': {rules}"
    if package in placed_on:
        return f"talent '{talent}' is placed on package '{package}' in this run"
    if placed_on:
        return f"talent '{talent}' is placed on {', '.join(placed_on)} instead"
    if reason is not None:
        return f"talent '{talent}' is unplaced: {reason['explanation']}; {reason['detail']}"
    return f"the run ended {status} without an assignment"
