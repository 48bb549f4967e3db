"""Offers and the three parties' consent: publish a run's placements as offers, record each
party's decision (one wins when two race), and build the round's next version for a re-solve
that keeps agreed tours, forbids declined pairs and moves the other open offers as little as
possible.

An offer's life: ``published`` -> ``agreed`` (accepted by talent, host and lender; pinned in
later runs) or ``declined`` (by any one; the pair is forbidden in later runs), or
``withdrawn`` (a later publication no longer holds it). An agreed tour is ``active`` from its
start date and ``completed`` from its end date (:func:`tour_state`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.service.audit import record
from api.service.consent_tables import OfferRow, RoundStateRow
from api.service.errors import ConflictError, NotFoundError
from api.service.keys import Caller, Role
from api.service.queries import get_version, load_round, store_round
from api.service.runs import RunStatus, get_run
from api.service.tables import PlacementRow, RoundVersionRow, RunRow, utc_now
from matcher.models import Pair, PreviousPlacement, Round


class OfferStatus(StrEnum):
    PUBLISHED = "published"
    AGREED = "agreed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Party(StrEnum):
    TALENT = "talent"
    HOST = "host"
    LENDER = "lender"


class Decision(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


OPEN = (OfferStatus.PUBLISHED,)
"""Offers still waiting for a decision."""
PARTY_OF_ROLE = {Role.TALENT: Party.TALENT, Role.HOST: Party.HOST, Role.LENDER: Party.LENDER}


def tour_state(offer: OfferRow, today: dt.date) -> str:
    """The offer's status, with an agreed tour's stage: ``active`` from its start date,
    ``completed`` from its end date."""
    if offer.status != OfferStatus.AGREED:
        return offer.status
    if today >= offer.end:
        return "completed"
    if today >= offer.start:
        return "active"
    return "agreed"


def round_closed(session: Session, round_id: int) -> dt.datetime | None:
    state = session.get(RoundStateRow, round_id)
    return None if state is None else state.closed_at


def close_round(session: Session, caller: Caller, round_id: int) -> dt.datetime:
    """Close the round: no more decisions or publications."""
    closed = round_closed(session, round_id)
    if closed is not None:
        raise ConflictError(f"round {round_id} was already closed at {closed:%Y-%m-%d %H:%M} UTC")
    now = utc_now()
    state = session.get(RoundStateRow, round_id)
    if state is None:
        session.add(RoundStateRow(round_id=round_id, closed_at=now))
    else:
        state.closed_at = now
    record(session, caller, "close round", f"round {round_id}", round_id=round_id)
    return now


def _open_round(session: Session, round_id: int) -> None:
    closed = round_closed(session, round_id)
    if closed is not None:
        raise ConflictError(f"round {round_id} is closed (since {closed:%Y-%m-%d %H:%M} UTC)")


@dataclass(frozen=True)
class Publication:
    """What publishing a run did to the round's offers."""

    created: int
    kept: int
    withdrawn: int


def publish(session: Session, caller: Caller, run_id: int) -> Publication:
    """Publish run ``run_id``'s placements as offers. Open offers of the round that the run
    keeps (same talent and package) stay as they are, with the decisions made so far; the
    others are withdrawn; agreed and declined offers are history and stay."""
    run = get_run(session, run_id)
    _open_round(session, run.round_id)
    if run.status not in RunStatus.FINISHED:
        raise ConflictError(f"run {run_id} is {run.status}: publish it once it ends")
    rows = session.scalars(
        select(PlacementRow).where(PlacementRow.run_id == run_id).order_by(PlacementRow.position)
    ).all()
    if not rows:
        raise ConflictError(f"run {run_id} ended {run.status} without placements to publish")
    offers = session.scalars(select(OfferRow).where(OfferRow.round_id == run.round_id)).all()
    current = {(o.talent, o.package): o for o in offers if o.status in (*OPEN, OfferStatus.AGREED)}
    placed = {(row.talent, row.package) for row in rows}
    created = kept = withdrawn = 0
    for row in rows:
        if (row.talent, row.package) in current:
            kept += 1
            continue
        data = row.data
        session.add(
            OfferRow(
                round_id=run.round_id,
                run_id=run_id,
                talent=row.talent,
                package=row.package,
                host=row.host,
                lender=row.lender,
                status=OfferStatus.PUBLISHED,
                start=dt.date.fromisoformat(str(data["start"])),
                end=dt.date.fromisoformat(str(data["end"])),
                placement=data,
            )
        )
        created += 1
    for pair, offer in current.items():
        if offer.status in OPEN and pair not in placed:
            offer.status = OfferStatus.WITHDRAWN
            offer.updated_at = utc_now()
            withdrawn += 1
    detail = f"{created} new offers, {kept} kept, {withdrawn} withdrawn"
    record(session, caller, "publish", f"run {run_id}", round_id=run.round_id, detail=detail)
    return Publication(created, kept, withdrawn)


def get_offer(session: Session, offer_id: int) -> OfferRow:
    offer = session.get(OfferRow, offer_id)
    if offer is None:
        raise NotFoundError("offer", offer_id)
    return offer


def decide(
    session: Session,
    caller: Caller,
    offer_id: int,
    party: Party,
    decision: Decision,
    reason: str,
) -> OfferRow:
    """Record ``party``'s ``decision`` on an open offer. The update only happens while that
    party has not decided and the offer is open, so that of two racing decisions exactly one
    changes the row; the other gets :class:`ConflictError` with the current state."""
    offer = get_offer(session, offer_id)
    _open_round(session, offer.round_id)
    column = {
        Party.TALENT: OfferRow.talent_decision,
        Party.HOST: OfferRow.host_decision,
        Party.LENDER: OfferRow.lender_decision,
    }[party]
    value = "accepted" if decision == Decision.ACCEPT else "declined"
    # the row as updated comes back with the update (no second read), into ``offer``
    changed = session.scalars(
        update(OfferRow)
        .where(OfferRow.id == offer_id, OfferRow.status.in_(OPEN), column.is_(None))
        .values({column: value, OfferRow.updated_at: utc_now()})
        .returning(OfferRow)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).first()
    if changed is None:
        session.expire(offer)
        session.refresh(offer)
        raise ConflictError(_conflict(offer, party))
    offer = changed
    decisions = (offer.talent_decision, offer.host_decision, offer.lender_decision)
    if "declined" in decisions:
        offer.status = OfferStatus.DECLINED
    elif all(d == "accepted" for d in decisions):
        offer.status = OfferStatus.AGREED
    subject = f"offer {offer_id} (talent {offer.talent}, package {offer.package})"
    acting = "" if PARTY_OF_ROLE.get(caller.role) == party else f" for the {party}"
    record(
        session,
        caller,
        f"{decision.value}{acting}",
        subject,
        round_id=offer.round_id,
        detail=f"offer now {offer.status}",
        reason=reason,
    )
    return offer


def _conflict(offer: OfferRow, party: Party) -> str:
    decided = (offer.talent_decision, offer.host_decision, offer.lender_decision)
    state = ", ".join(
        f"{party} {decision or 'undecided'}" for party, decision in zip(Party, decided, strict=True)
    )
    if offer.status not in OPEN:
        return f"offer {offer.id} is {offer.status} ({state}): it takes no more decisions"
    return f"offer {offer.id}: the {party} has already decided ({state})"


def resolve_round(
    session: Session, caller: Caller, round_id: int, keep_open: bool = True
) -> tuple[RoundVersionRow, Round, list[tuple[str, str]]]:
    """The round's next version for a re-solve: agreed tours pinned, declined pairs
    forbidden, open offers kept as proposed previous placements (moving one costs the
    disruption penalty; a run with ``keep_open`` holds them, see
    :mod:`api.service.jobs.child`). Returns the version, its round and the start assignment
    (the agreed and open offers)."""
    _open_round(session, round_id)
    latest = get_version(session, round_id)
    round_ = load_round(session, latest.id)
    offers = session.scalars(select(OfferRow).where(OfferRow.round_id == round_id)).all()
    agreed = [(o.talent, o.package) for o in offers if o.status == OfferStatus.AGREED]
    declined = [(o.talent, o.package) for o in offers if o.status == OfferStatus.DECLINED]
    open_ = [(o.talent, o.package) for o in offers if o.status in OPEN]
    pins = _pairs_union(round_.pins, agreed)
    pinned = {(p.talent, p.package) for p in pins}
    forbidden = _pairs_union(round_.forbidden, [d for d in declined if d not in pinned])
    previous = [PreviousPlacement(talent=t, package=p, status="proposed") for t, p in open_]
    # validated again as a whole: the round's cross-record checks (references, duplicates,
    # pins against forbidden pairs) on the new pairs. The records themselves were validated
    # when loaded and are immutable: passed as they are, they are not validated again, which
    # spared more than a second of the request at 20,000 talents
    fields = {**dict(round_), "pins": pins, "forbidden": forbidden, "previous": previous}
    edited = Round.model_validate(fields)
    version = store_round(session, edited, round_id, records_from=latest.id)
    detail = (
        f"version {version.number}: {len(agreed)} agreed tours pinned, {len(declined)} declined "
        f"pairs forbidden, {len(open_)} open offers kept as proposed placements, "
        + ("held where they can all stand" if keep_open else "free to move")
    )
    record(session, caller, "re-solve", f"round {round_id}", round_id=round_id, detail=detail)
    return version, edited, agreed + open_


def _pairs_union(pairs: Sequence[Pair], more: Sequence[tuple[str, str]]) -> list[Pair]:
    seen = {(p.talent, p.package) for p in pairs}
    extra = [Pair(talent=t, package=p) for t, p in dict.fromkeys(more) if (t, p) not in seen]
    return [*pairs, *extra]


def changes(session: Session, run: RunRow) -> dict[str, Any]:
    """What a re-solve run changed against the offers it started from, and why: the agreed
    tours kept, open offers kept or moved, seats refilled after declines."""
    version = session.get_one(RoundVersionRow, run.version_id)
    placements = session.execute(
        select(PlacementRow.talent, PlacementRow.package).where(PlacementRow.run_id == run.id)
    ).all()
    now = {(t, p) for t, p in placements}
    by_talent: dict[str, list[str]] = {}
    for t, p in sorted(now):
        by_talent.setdefault(t, []).append(p)
    pins = {(x["talent"], x["package"]) for x in version.pins}
    previous = {(x["talent"], x["package"]) for x in version.previous}
    forbidden = {(x["talent"], x["package"]) for x in version.forbidden}
    freed: dict[str, list[str]] = {}
    for t, p in forbidden:
        freed.setdefault(p, []).append(t)
    kept = sorted(previous & now)
    moved = []
    for t, p in sorted(previous - now):
        elsewhere = by_talent.get(t, [])
        where = f"now on {', '.join(elsewhere)}" if elsewhere else "now unplaced"
        moved.append({"talent": t, "package": p, "change": where})
    new = []
    for t, p in sorted(now - previous - pins):
        why = (
            f"refills a seat freed by the decline of {', '.join(sorted(freed[p]))}"
            if p in freed
            else "a new placement"
        )
        new.append({"talent": t, "package": p, "why": why})
    return {
        "run_id": run.id,
        "version": version.number,
        "agreed_kept": len(pins & now),
        "agreed_lost": sorted(f"{t}/{p}" for t, p in pins - now),
        "open_offers_kept": len(kept),
        "open_offers_changed": moved,
        "new_placements": new,
        "summary": (
            f"{len(pins & now)} agreed tours kept, {len(kept)} open offers unchanged, "
            f"{len(moved)} changed, {len(new)} new placements"
        ),
    }
