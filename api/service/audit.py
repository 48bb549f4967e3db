"""The audit log: every decision, key creation and revocation, publication and re-solve, with
who, when, what and why. Entries are only ever added (:func:`record`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.service.consent_tables import AuditRow
from api.service.keys import Caller


def record(
    session: Session,
    caller: Caller,
    action: str,
    subject: str,
    *,
    round_id: int | None = None,
    detail: str = "",
    reason: str = "",
) -> None:
    """Append one entry, in the caller's transaction: the entry exists exactly when what
    it records does."""
    session.add(
        AuditRow(
            actor=caller.name(),
            role=str(caller.role),
            action=action,
            subject=subject,
            round_id=round_id,
            detail=detail,
            reason=reason,
        )
    )


def entries(
    session: Session, offset: int, limit: int, round_id: int | None = None
) -> tuple[int, list[AuditRow]]:
    """The number of entries and one page of them, oldest first."""
    where = [] if round_id is None else [AuditRow.round_id == round_id]
    total = session.scalar(select(func.count()).select_from(AuditRow).where(*where)) or 0
    rows = session.scalars(
        select(AuditRow).where(*where).order_by(AuditRow.id).offset(offset).limit(limit)
    )
    return int(total), list(rows)
