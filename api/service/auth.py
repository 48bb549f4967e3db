"""Who is calling: the API key of a request (``Authorization: Bearer <key>`` or
``X-API-Key``) turned into a :class:`~api.service.keys.Caller`, and the rules of what each
role may see and do.

No key, a malformed, unknown or revoked one: 401. An object the caller may not see: 404, the
same answer as for an id that does not exist, so that no one learns what exists. An action
the caller may not take on an object it sees: 403.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import Depends, Request

from api.service.database import Database
from api.service.deps import DatabaseDep
from api.service.errors import NotFoundError
from api.service.keys import LAST_USED_SECONDS, ApiKeyError, Caller, Role, caller_of, touch


class ForbiddenError(PermissionError):
    """The caller sees the object but may not do this to it: 403."""


class UnauthorizedError(PermissionError):
    """No usable key: 401."""


class _LastUsed:
    """When each key's last use was last written (per process)."""

    def __init__(self) -> None:
        self._written: dict[str, float] = {}
        self._lock = threading.Lock()

    def due(self, prefix: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._written.get(prefix, -LAST_USED_SECONDS) < LAST_USED_SECONDS:
                return False
            self._written[prefix] = now
            return True


_last_used = _LastUsed()


def key_of(request: Request) -> str | None:
    """The key a request carries, if any."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise UnauthorizedError("Authorization header: expected 'Bearer <API key>'")
        return value.strip()
    return request.headers.get("x-api-key")


def authenticate(database: Database, key: str | None) -> Caller:
    """The caller of ``key``; :class:`UnauthorizedError` when there is none to be had."""
    if not key:
        raise UnauthorizedError("an API key is required (Authorization: Bearer <key>)")
    try:
        with database.read() as session:
            caller, _ = caller_of(session, key)
    except ApiKeyError as exc:
        raise UnauthorizedError(str(exc)) from None
    if _last_used.due(caller.key):
        with database.write() as session:
            touch(session, caller.key)
    return caller


def get_caller(request: Request, database: DatabaseDep) -> Caller:
    return authenticate(database, key_of(request))


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_coordinator(caller: Caller, action: str) -> None:
    """Only the coordinator may ``action``: 403 for anyone else."""
    if caller.role != Role.COORDINATOR:
        raise ForbiddenError(f"a {caller.role} key may not {action}; only the coordinator may")


def runs_hidden(caller: Caller, run_id: int) -> None:
    """Runs and their results are the coordinator's: to anyone else a run does not exist."""
    if caller.role != Role.COORDINATOR:
        raise NotFoundError("run", run_id)
