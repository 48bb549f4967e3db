"""``/audit``: the append-only log, for the coordinator, as JSON pages or CSV."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.service.audit import entries
from api.service.auth import CallerDep, require_coordinator
from api.service.consent_schemas import AuditEntry
from api.service.deps import DatabaseDep
from api.service.schemas import MAX_ID, MAX_PAGE, Page, errors

router = APIRouter(tags=["audit"])
CSV = "text/csv"


@router.get(
    "/audit",
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}}, **errors(401, 403, 422)},
)
def audit_log(
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
) -> Any:
    """Every decision, key creation and revocation, publication and re-solve: who, when,
    what and why, oldest first (CSV with ``Accept: text/csv``)."""
    require_coordinator(caller, "read the audit log")
    with database.read() as session:
        total, rows = entries(session, offset, limit, round_id)
        items = [AuditEntry.model_validate(row) for row in rows]
    if CSV in request.headers.get("accept", ""):
        frame = pd.DataFrame([item.model_dump(mode="json") for item in items])
        text = frame.to_csv(index=False) if items else ""
        return Response(
            text, media_type=f"{CSV}; charset=utf-8", headers={"X-Total-Count": str(total)}
        )
    return Page[AuditEntry](total=total, offset=offset, limit=limit, items=items)
