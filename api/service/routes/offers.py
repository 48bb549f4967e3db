"""Offers and consent: publish a run's placements, each party's decision, re-solve after
declines (and what it changed), close a round, tour check-ins and the round's outcomes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import func, select

from api.cli_inputs import cosource_version
from api.service.auth import CallerDep, ForbiddenError, require_coordinator, runs_hidden
from api.service.consent_schemas import (
    CheckInCreate,
    CheckInPublic,
    DecisionCreate,
    OutcomesPublic,
    PublicationPublic,
)
from api.service.consent_tables import CheckInRow, OfferRow
from api.service.deps import DatabaseDep, SettingsDep
from api.service.errors import ConflictError, InputError
from api.service.keys import Caller, Role
from api.service.offers import (
    PARTY_OF_ROLE,
    OfferStatus,
    Party,
    changes,
    close_round,
    decide,
    publish,
    resolve_round,
    tour_state,
)
from api.service.outcomes import outcomes
from api.service.role_views import OfferView, offer_views
from api.service.routes.rounds import Id
from api.service.routes.runs import run_public
from api.service.runs import create_run, get_run
from api.service.schemas import MAX_PAGE, Page, ResolveCreate, RunPublic, errors
from api.service.visibility import offers_filter, visible_offer, visible_round

router = APIRouter(tags=["offers"])

StatusFilter = Annotated[
    str | None,
    Query(pattern="^(published|agreed|declined|withdrawn)$", description="only offers in it"),
]


@router.post("/runs/{run_id}/publish", responses=errors(401, 404, 409, 422))
def publish_run(run_id: Id, caller: CallerDep, database: DatabaseDep) -> PublicationPublic:
    """Publish a finished run's placements as offers to their three parties. Open offers the
    run keeps stay, with their decisions; open offers it does not keep are withdrawn."""
    runs_hidden(caller, run_id)
    with database.write() as session:
        done = publish(session, caller, run_id)
    return PublicationPublic(
        run_id=run_id, created=done.created, kept=done.kept, withdrawn=done.withdrawn
    )


@router.get("/rounds/{round_id}/offers", responses=errors(401, 404, 422))
def round_offers(
    round_id: Id,
    caller: CallerDep,
    database: DatabaseDep,
    settings: SettingsDep,
    state: StatusFilter = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
) -> Page[OfferView]:
    """The round's offers that concern the caller, as its role may see them."""
    with database.read() as session:
        visible_round(session, caller, round_id)
        where = [OfferRow.round_id == round_id, offers_filter(caller)]
        if state is not None:
            where.append(OfferRow.status == state)
        total = session.scalar(select(func.count()).select_from(OfferRow).where(*where)) or 0
        rows = session.scalars(
            select(OfferRow).where(*where).order_by(OfferRow.id).offset(offset).limit(limit)
        ).all()
        items = offer_views(session, caller, list(rows), settings.date())
    return Page[OfferView](total=int(total), offset=offset, limit=limit, items=items)


@router.get("/offers/{offer_id}", responses=errors(401, 404, 422))
def get_offer(
    offer_id: Id, caller: CallerDep, database: DatabaseDep, settings: SettingsDep
) -> OfferView:
    """One offer, as the caller's role may see it."""
    with database.read() as session:
        offer = visible_offer(session, caller, offer_id)
        return offer_views(session, caller, [offer], settings.date())[0]


@router.post("/offers/{offer_id}/decisions", responses=errors(400, 401, 403, 404, 409, 422))
def decide_offer(
    offer_id: Id,
    body: DecisionCreate,
    caller: CallerDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> OfferView:
    """Accept or decline an offer as its talent, host or lender (the coordinator names the
    party it acts for). Accepted by all three, the tour is agreed; declined by any one, the
    pair is forbidden in later runs. 409 with the offer's state when this party already
    decided or the offer takes no more decisions."""
    with database.write() as session:
        visible_offer(session, caller, offer_id)
        party = _party(caller, body.party)
        offer = decide(session, caller, offer_id, party, body.decision, body.reason)
        return offer_views(session, caller, [offer], settings.date())[0]


def _party(caller: Caller, named: Party | None) -> Party:
    if caller.role == Role.COORDINATOR:
        if named is None:
            raise InputError("field 'party': the coordinator names the party it decides for")
        return named
    own = PARTY_OF_ROLE[caller.role]
    if named is not None and named != own:
        raise ForbiddenError(f"a {caller.role} key decides as the {own} only, not the {named}")
    return own


@router.post(
    "/rounds/{round_id}/resolve",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
def resolve(
    round_id: Id, body: ResolveCreate, caller: CallerDep, database: DatabaseDep
) -> RunPublic:
    """Re-solve after decisions: a new version of the round pins the agreed tours, forbids
    the declined pairs and keeps the open offers as previous placements, and a run of it
    starts from the agreed and open offers. With ``open_offers`` ``keep`` (the default) the
    open offers stand: the solve refills the seats the declines freed around them (when they
    cannot all stand together, the run solves again with them free to move at the
    disruption penalty, and says so). With ``may_move``, moving one costs the disruption
    penalty, and a placement more outweighs it. What it changed: ``GET /runs/{id}/changes``
    once it ends."""
    with database.write() as session:
        visible_round(session, caller, round_id)
        require_coordinator(caller, "re-solve a round")
        keep = body.open_offers == "keep"
        version, _, start = resolve_round(session, caller, round_id, keep)
        params = body.model_dump(exclude={"version"})
        params["start"] = [list(pair) for pair in start]
        run = create_run(session, round_id, version.id, params, cosource_version())
        return run_public(run, version.number)


@router.get("/runs/{run_id}/changes", responses=errors(401, 404, 409, 422))
def run_changes(run_id: Id, caller: CallerDep, database: DatabaseDep) -> dict[str, object]:
    """What a re-solve changed against the offers it started from, and why."""
    runs_hidden(caller, run_id)
    with database.read() as session:
        run = get_run(session, run_id)
        if run.status not in ("solved", "cancelled"):
            raise ConflictError(f"run {run_id} is {run.status}: its changes come when it ends")
        return changes(session, run)


@router.post("/rounds/{round_id}/close", responses=errors(401, 403, 404, 409, 422))
def close(round_id: Id, caller: CallerDep, database: DatabaseDep) -> dict[str, object]:
    """Close a round: no more decisions, publications or re-solves."""
    with database.write() as session:
        visible_round(session, caller, round_id)
        require_coordinator(caller, "close a round")
        closed = close_round(session, caller, round_id)
    return {"round_id": round_id, "closed_at": closed}


@router.post(
    "/offers/{offer_id}/check-ins",
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
def check_in(
    offer_id: Id,
    body: CheckInCreate,
    caller: CallerDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> CheckInPublic:
    """A check-in on an active or completed tour, by its talent (or the coordinator): does
    the talent learn something they want, use their strengths, still feel connected to the
    lender?"""
    with database.write() as session:
        offer = visible_offer(session, caller, offer_id)
        if caller.role not in (Role.TALENT, Role.COORDINATOR):
            raise ForbiddenError(f"a {caller.role} key may not check in; the talent does")
        stage = tour_state(offer, settings.date())
        if stage not in ("active", "completed"):
            raise ConflictError(f"offer {offer_id} is {stage}: check-ins start when the tour does")
        row = CheckInRow(offer_id=offer_id, by=str(caller.role), **body.model_dump())
        session.add(row)
        session.flush()
        return CheckInPublic.model_validate(row)


@router.get("/rounds/{round_id}/outcomes", responses=errors(401, 403, 404, 422))
def round_outcomes(
    round_id: Id, caller: CallerDep, database: DatabaseDep, settings: SettingsDep
) -> OutcomesPublic:
    """The agreed tours' outcomes: predicted from the scores beside those reported in
    check-ins, against the study's figures."""
    with database.read() as session:
        visible_round(session, caller, round_id)
        require_coordinator(caller, "read a round's outcomes")
        return outcomes(session, round_id, settings.date())


__all__ = ["OfferStatus", "router"]
