"""``/rounds``: create a round (JSON, a zip of CSV files, or the files as a form), list and
get rounds, store a new version, and the ``check`` report.

The coordinator creates and edits rounds. A host, lender or talent sees the rounds it takes
part in (and no other: 404), a lender its own talents, a host its own packages."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from sqlalchemy import func, select

from api.service.auth import CallerDep, ForbiddenError, require_coordinator
from api.service.deps import CacheDep, DatabaseDep, SettingsDep
from api.service.keys import Caller
from api.service.queries import (
    get_round,
    get_version,
    list_rounds,
    list_versions,
    load_round,
    store_round,
)
from api.service.role_views import talent_record
from api.service.schemas import MAX_ID, MAX_PAGE, Page, RoundPublic, VersionPublic, errors
from api.service.tables import PackageRow, TalentRow
from api.service.uploads import round_of_request
from api.service.visibility import own_records, rounds_filter, visible_round
from api.texts import check_report

router = APIRouter(prefix="/rounds", tags=["rounds"])

ROUND_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "a round document, as round.json"}
            },
            "application/zip": {
                "schema": {"type": "string", "format": "binary"},
                "description": "a zip of a round's CSV folder",
            },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"},
                "description": "a workbook with one sheet per table (docs/excel.md)",
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        name: {"type": "string", "format": "binary"}
                        for name in ("organizations.csv", "talents.csv", "packages.csv")
                    },
                }
            },
        },
    }
}
"""The bodies a round may come as (read by hand: see :mod:`api.service.uploads`)."""

Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A round's or a run's id in a path."""
VersionNumber = Annotated[int | None, Query(ge=1, le=MAX_ID, description="default: the latest")]


def round_public(database: DatabaseDep, round_id: int) -> RoundPublic:
    with database.read() as session:
        row = get_round(session, round_id)
        version = get_version(session, round_id)
        return RoundPublic(
            id=row.id,
            name=row.name,
            created_at=row.created_at,
            latest_version=row.latest_version,
            version=VersionPublic.model_validate(version),
        )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=ROUND_BODY,
    responses=errors(400, 401, 403, 413, 415, 422),
)
async def create_round(
    request: Request, caller: CallerDep, database: DatabaseDep, settings: SettingsDep
) -> RoundPublic:
    """Store a new round (version 1). Refused whole, naming the record and field, when any
    part is invalid: nothing is stored."""
    require_coordinator(caller, "create rounds")
    round_ = await round_of_request(request, settings.max_upload_bytes)
    with database.write() as session:
        version = store_round(session, round_)
        round_id = version.round_id
    return round_public(database, round_id)


@router.put(
    "/{round_id}", openapi_extra=ROUND_BODY, responses=errors(400, 401, 403, 404, 413, 415, 422)
)
async def new_version(
    round_id: Id, request: Request, caller: CallerDep, database: DatabaseDep, settings: SettingsDep
) -> RoundPublic:
    """Store an edited round as its next version; earlier versions and their runs stay as
    they were."""
    with database.read() as session:
        visible_round(session, caller, round_id)
    require_coordinator(caller, "edit rounds")
    round_ = await round_of_request(request, settings.max_upload_bytes)
    with database.write() as session:
        store_round(session, round_, round_id)
    return round_public(database, round_id)


@router.get("", responses=errors(401, 422))
def rounds(
    caller: CallerDep, database: DatabaseDep, offset: Offset = 0, limit: Limit = 100
) -> Page[RoundPublic]:
    """The rounds the caller may see, newest first."""
    with database.read() as session:
        total, rows = list_rounds(session, offset, limit, rounds_filter(caller))
        ids = [row.id for row in rows]
    return Page(
        total=total, offset=offset, limit=limit, items=[round_public(database, i) for i in ids]
    )


@router.get("/{round_id}", responses=errors(401, 404, 422))
def get_one(round_id: Id, caller: CallerDep, database: DatabaseDep) -> RoundPublic:
    """A round and its latest version."""
    with database.read() as session:
        visible_round(session, caller, round_id)
    return round_public(database, round_id)


@router.get("/{round_id}/versions", responses=errors(401, 404, 422))
def versions(round_id: Id, caller: CallerDep, database: DatabaseDep) -> list[VersionPublic]:
    """Every version of a round, oldest first."""
    with database.read() as session:
        visible_round(session, caller, round_id)
        return [VersionPublic.model_validate(v) for v in list_versions(session, round_id)]


@router.get("/{round_id}/check", responses=errors(401, 403, 404, 422))
def check(
    round_id: Id,
    caller: CallerDep,
    database: DatabaseDep,
    cache: CacheDep,
    version: VersionNumber = None,
) -> dict[str, Any]:
    """What ``cosource check`` prints: counts, eligible pairs, exclusions per rule."""
    with database.read() as session:
        visible_round(session, caller, round_id)
        require_coordinator(caller, "check rounds")
        stored = get_version(session, round_id, version)
        version_id = stored.id

    def load() -> Any:
        with database.read() as session:
            return load_round(session, version_id)

    started = time.perf_counter()
    entry = cache.get(version_id, load)
    compiled = entry.compiled
    return {
        "round_id": round_id,
        "version": stored.number,
        "talents": compiled.arrays.n_talents,
        "packages": compiled.arrays.n_packages,
        "edges": compiled.n_edges,
        "excluded_by_rule": compiled.excluded_by_rule(),
        "report": check_report(entry.round, compiled, time.perf_counter() - started),
    }


@router.get("/{round_id}/talents", responses=errors(401, 403, 404, 422))
def talents(
    round_id: Id,
    caller: CallerDep,
    database: DatabaseDep,
    version: VersionNumber = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Page[dict[str, Any]]:
    """A page of the talents of a version, as uploaded: all of them for the coordinator, its
    own for a lender."""
    return _records(database, caller, TalentRow, round_id, version, offset, limit)


@router.get("/{round_id}/packages", responses=errors(401, 403, 404, 422))
def packages(
    round_id: Id,
    caller: CallerDep,
    database: DatabaseDep,
    version: VersionNumber = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Page[dict[str, Any]]:
    """A page of the work packages of a version, as uploaded: all of them for the
    coordinator, its own for a host."""
    return _records(database, caller, PackageRow, round_id, version, offset, limit)


def _records(
    database: DatabaseDep,
    caller: Caller,
    table: Any,
    round_id: int,
    version: int | None,
    offset: int,
    limit: int,
) -> Page[dict[str, Any]]:
    with database.read() as session:
        visible_round(session, caller, round_id)
        own = own_records(caller, table)
        if own is False:
            kind = "talents" if table is TalentRow else "packages"
            raise ForbiddenError(f"a {caller.role} key may not list a round's {kind}")
        version_id = get_version(session, round_id, version).id
        where = (table.version_id == version_id, own)
        total = session.scalar(select(func.count()).select_from(table).where(*where))
        rows = session.execute(
            select(table.data).where(*where).order_by(table.position).offset(offset).limit(limit)
        )
        items = [data for (data,) in rows]
    if table is TalentRow:
        items = [talent_record(caller, data) for data in items]
    return Page(total=int(total or 0), offset=offset, limit=limit, items=items)
