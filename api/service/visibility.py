"""What each caller may see: the rounds an organization or talent takes part in, and the
offers that concern it. Whatever a caller may not see is reported as not found."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from api.service.consent_tables import OfferRow
from api.service.errors import NotFoundError
from api.service.keys import Caller, Role
from api.service.queries import get_round
from api.service.tables import (
    OrganizationRow,
    RoundRow,
    RoundVersionRow,
    TalentRow,
)


def _member(caller: Caller) -> Any:
    """The rounds whose latest version holds the caller's organization (or talent)."""
    latest = (RoundVersionRow.round_id == RoundRow.id) & (
        RoundVersionRow.number == RoundRow.latest_version
    )
    if caller.role == Role.TALENT:
        held = exists().where(
            TalentRow.version_id == RoundVersionRow.id, TalentRow.key == caller.talent
        )
    else:
        held = exists().where(
            OrganizationRow.version_id == RoundVersionRow.id,
            OrganizationRow.key == caller.organization,
        )
    return exists().where(latest, held)


def rounds_filter(caller: Caller) -> Any:
    """A condition on :class:`RoundRow`: the rounds the caller may see."""
    return True if caller.role == Role.COORDINATOR else _member(caller)


def visible_round(session: Session, caller: Caller, round_id: int) -> RoundRow:
    """Round ``round_id`` when the caller may see it; not found otherwise."""
    row = get_round(session, round_id)
    if caller.role == Role.COORDINATOR:
        return row
    if session.scalar(select(RoundRow.id).where(RoundRow.id == round_id, _member(caller))):
        return row
    raise NotFoundError("round", round_id)


def offers_filter(caller: Caller) -> Any:
    """A condition on :class:`OfferRow`: the offers that concern the caller."""
    if caller.role == Role.COORDINATOR:
        return True
    if caller.role == Role.HOST:
        return OfferRow.host == caller.organization
    if caller.role == Role.LENDER:
        return OfferRow.lender == caller.organization
    return OfferRow.talent == caller.talent


def visible_offer(session: Session, caller: Caller, offer_id: int) -> OfferRow:
    """Offer ``offer_id`` when it concerns the caller; not found otherwise."""
    offer = session.scalar(select(OfferRow).where(OfferRow.id == offer_id, offers_filter(caller)))
    if offer is None:
        raise NotFoundError("offer", offer_id)
    return offer


def own_records(caller: Caller, table: Any) -> Any:
    """A condition on talents (packages): a lender's own talents, a host's own packages."""
    if caller.role == Role.COORDINATOR:
        return True
    if table is TalentRow and caller.role == Role.LENDER:
        return TalentRow.lender == caller.organization
    column = getattr(table, "host", None)
    if column is not None and caller.role == Role.HOST:
        return column == caller.organization
    return False


__all__ = [
    "offers_filter",
    "own_records",
    "rounds_filter",
    "visible_offer",
    "visible_round",
]
