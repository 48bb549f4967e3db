"""``/keys``: the coordinator creates (shown once), lists and revokes API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.service.audit import record
from api.service.auth import CallerDep, require_coordinator
from api.service.consent_schemas import KeyCreate, KeyCreated, KeyPublic
from api.service.deps import DatabaseDep
from api.service.keys import create_key, list_keys, revoke
from api.service.schemas import errors
from matcher.errors import RoundError

router = APIRouter(prefix="/keys", tags=["keys"])
Prefix = Annotated[str, Path(pattern="^[0-9a-f]{8}$", description="the 8 hex digits after cs_")]


@router.post("", status_code=status.HTTP_201_CREATED, responses=errors(400, 401, 403, 422))
def create(body: KeyCreate, caller: CallerDep, database: DatabaseDep) -> KeyCreated:
    """A new key for a role (and the organization or talent it speaks for). The key is in
    this answer only: it is stored as its SHA-256."""
    require_coordinator(caller, "create keys")
    with database.write() as session:
        try:
            key, row = create_key(
                session, body.role, body.organization, body.talent, body.label, caller.name()
            )
        except ValueError as exc:
            raise RoundError(f"key: {exc}") from None
        whose = body.organization or body.talent or "the platform"
        record(
            session, caller, "create key", f"key {row.prefix}", detail=f"{body.role} for {whose}"
        )
        return KeyCreated(key=key, **KeyPublic.model_validate(row).model_dump())


@router.get("", responses=errors(401, 403))
def keys(caller: CallerDep, database: DatabaseDep) -> list[KeyPublic]:
    """Every key, revoked ones included, without the keys themselves."""
    require_coordinator(caller, "list keys")
    with database.read() as session:
        return [KeyPublic.model_validate(row) for row in list_keys(session)]


@router.post("/{prefix}/revoke", responses=errors(401, 403, 404, 409, 422))
def revoke_key(prefix: Prefix, caller: CallerDep, database: DatabaseDep) -> KeyPublic:
    """Revoke a key: it is refused from now on (401)."""
    require_coordinator(caller, "revoke keys")
    with database.write() as session:
        row = revoke(session, prefix)
        record(session, caller, "revoke key", f"key {prefix}", detail=f"{row.role} key")
        return KeyPublic.model_validate(row)
