"""Offers and shortlist candidates as each role may see them (built on the same rules as
:mod:`api.views`): the coordinator sees all; a host its candidates' strengths, learning
goals, score parts without ``cost`` and the fee it pays; a lender its talent's tour and the
top-up it pays; a talent the mission, dates and what they would learn. No salary, age,
retention or subsidy leaves the coordinator's view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.consent_tables import OfferRow
from api.service.keys import Caller, Role
from api.service.offers import tour_state
from api.service.tables import PackageRow, RunRow, TalentRow
from api.views import HOST_SCORE_NAMES

PRIVATE_TALENT_FIELDS = ("salary", "age", "retention")
"""A talent's fields that only the coordinator sees (their lender too would, as employer,
but the platform keeps them to the one party that needs them to match)."""


def talent_record(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """A stored talent record as ``caller`` may see it."""
    if caller.role == Role.COORDINATOR:
        return data
    return {k: v for k, v in data.items() if k not in PRIVATE_TALENT_FIELDS}


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Decisions(_View):
    talent: str | None
    host: str | None
    lender: str | None


class _OfferBase(_View):
    id: int
    round_id: int
    status: str
    decisions: Decisions
    start: dt.date
    end: dt.date


class OfferForCoordinator(_OfferBase):
    """Everything: the parties, the run, and the placement's row with its cost split."""

    view: str = "coordinator"
    run_id: int
    talent: str
    package: str
    host: str
    lender: str
    placement: dict[str, Any]


class OfferForHost(_OfferBase):
    """The candidate as the hiring organization sees them."""

    view: str = "host"
    talent: str
    package: str
    package_title: str
    score: float
    breakdown: dict[str, float]
    strengths: dict[str, int]
    learning_goals: dict[str, float]
    host_fee: float


class OfferForLender(_OfferBase):
    """The lending organization's talent's tour and the top-up it pays."""

    view: str = "lender"
    talent: str
    package_title: str
    host_name: str
    fte: float
    topup: float


class OfferForTalent(_OfferBase):
    """The tour as the talent sees it: the mission, the dates and what they would learn."""

    view: str = "talent"
    package_title: str
    host_name: str
    mission: str
    fte: float
    would_learn: list[str]


OfferView = OfferForCoordinator | OfferForHost | OfferForLender | OfferForTalent


def _records(
    session: Session, table: Any, keys: set[tuple[int, str]]
) -> dict[tuple[int, str], dict[str, Any]]:
    # one query per version with its keys: SQLite answers a (version, key) row-value IN
    # through the version-only index, reading every record of the version (20,000 talents
    # for one offer), where this form uses the (version, key) unique index
    by_version: dict[int, set[str]] = {}
    for version, key in keys:
        by_version.setdefault(version, set()).add(key)
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for version, names in sorted(by_version.items()):
        rows = session.execute(
            select(table.key, table.data).where(
                table.version_id == version, table.key.in_(sorted(names))
            )
        )
        found.update({(version, key): data for key, data in rows})
    return found


def offer_views(
    session: Session, caller: Caller, offers: list[OfferRow], today: dt.date
) -> list[OfferView]:
    """``offers`` as ``caller`` may see them (the caller may see each: see
    :mod:`api.service.visibility`)."""
    # only the views of a host (the candidate's strengths and goals) and of a talent (the
    # mission, what they would learn) read the stored records, of the run's version
    talents: dict[tuple[int, str], dict[str, Any]] = {}
    packages: dict[tuple[int, str], dict[str, Any]] = {}
    version_of: dict[int, int] = {}
    if caller.role in (Role.HOST, Role.TALENT):
        runs = {o.run_id for o in offers}
        query = select(RunRow.id, RunRow.version_id).where(RunRow.id.in_(runs))
        version_of = {run: version for run, version in session.execute(query)}
        talents = _records(session, TalentRow, {(version_of[o.run_id], o.talent) for o in offers})
    if caller.role == Role.TALENT:
        packages = _records(
            session, PackageRow, {(version_of[o.run_id], o.package) for o in offers}
        )
    views: list[OfferView] = []
    for offer in offers:
        version = version_of.get(offer.run_id, 0)
        talent = talents.get((version, offer.talent), {})
        package = packages.get((version, offer.package), {})
        views.append(_view(caller, offer, talent, package, today))
    return views


def _view(
    caller: Caller,
    offer: OfferRow,
    talent: dict[str, Any],
    package: dict[str, Any],
    today: dt.date,
) -> OfferView:
    row = offer.placement
    base = {
        "id": offer.id,
        "round_id": offer.round_id,
        "status": tour_state(offer, today),
        "decisions": Decisions(
            talent=offer.talent_decision, host=offer.host_decision, lender=offer.lender_decision
        ),
        "start": offer.start,
        "end": offer.end,
    }
    if caller.role == Role.COORDINATOR:
        return OfferForCoordinator(
            **base,
            run_id=offer.run_id,
            talent=offer.talent,
            package=offer.package,
            host=offer.host,
            lender=offer.lender,
            placement=row,
        )
    if caller.role == Role.HOST:
        return OfferForHost(
            **base,
            talent=offer.talent,
            package=offer.package,
            package_title=str(row.get("package_title", "")),
            score=float(row["score"]),
            breakdown={name: float(row[name]) for name in HOST_SCORE_NAMES},
            strengths=dict(talent.get("strengths", {})),
            learning_goals=dict(talent.get("learning_goals", {})),
            host_fee=float(row["host_fee"]),
        )
    if caller.role == Role.LENDER:
        return OfferForLender(
            **base,
            talent=offer.talent,
            package_title=str(row.get("package_title", "")),
            host_name=str(row.get("host_name", "")),
            fte=float(row.get("fte", 1.0)),
            topup=float(row["topup"]),
        )
    goals = set(talent.get("learning_goals", {}))
    return OfferForTalent(
        **base,
        package_title=str(row.get("package_title", "")),
        host_name=str(row.get("host_name", "")),
        mission=str(package.get("mission", "")),
        fte=float(row.get("fte", 1.0)),
        would_learn=sorted(goals & set(package.get("learnable", []))),
    )
