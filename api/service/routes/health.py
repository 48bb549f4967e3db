"""``/health``: the database and the workers."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.service.deps import DatabaseDep, SettingsDep
from api.service.runs import live_workers
from api.service.schemas import Health, WorkerPublic

router = APIRouter(tags=["health"])


@router.get("/health")
def health(database: DatabaseDep, settings: SettingsDep) -> Health:
    """Whether the database answers and which workers were seen within three heartbeats
    (``degraded`` when none: runs stay queued until a worker starts)."""
    try:
        with database.read() as session:
            session.execute(text("SELECT 1"))
            seen = live_workers(session, 3 * max(settings.heartbeat_seconds, settings.poll_seconds))
            workers = [WorkerPublic.model_validate(w) for w in seen]
        state = "sqlite" if database.sqlite else "postgresql"
    except SQLAlchemyError as exc:
        return Health(
            status="degraded", database=f"unreachable: {exc.__class__.__name__}", workers=[]
        )
    return Health(status="ok" if workers else "degraded", database=state, workers=workers)
