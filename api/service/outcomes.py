"""A round's tour outcomes: predicted from the placements (the evaluator's rules for learning
and strengths) beside what talents report in check-ins, against the platform study's
figures: everyone placed learning again, 80 % using their strengths, 80 % still connected to
their lender."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.consent_schemas import OutcomesPublic, Shares
from api.service.consent_tables import CheckInRow, OfferRow
from api.service.offers import OfferStatus, tour_state
from api.service.tables import PackageRow, RunRow, TalentRow

STUDY = Shares(learning=1.0, strengths=0.8, connected=0.8)
"""The study's figures: all participants learning again, 80 % using their strengths, 80 %
still connected to their lender."""
STRONG_LEVEL = 4
"""A strength is a skill at this level or above (as in :mod:`matcher.scores`)."""


def learns(talent: dict[str, Any], package: dict[str, Any]) -> bool:
    """The package teaches a skill the talent wants and has not mastered."""
    goals, levels = talent.get("learning_goals", {}), talent.get("strengths", {})
    return any(s in goals and levels.get(s, 0) < 5 for s in package.get("learnable", []))


def uses_strengths(talent: dict[str, Any], package: dict[str, Any]) -> bool:
    """The package needs or wants one of the talent's strengths."""
    wanted = set(package.get("required", {})) | set(package.get("desired", {}))
    return any(
        level >= STRONG_LEVEL and s in wanted for s, level in talent.get("strengths", {}).items()
    )


def _share(count: int, total: int) -> float | None:
    return None if total == 0 else round(count / total, 4)


def outcomes(session: Session, round_id: int, today: dt.date) -> OutcomesPublic:
    """Predicted and reported outcomes of round ``round_id``'s agreed tours (each talent's
    latest check-in counts)."""
    agreed = list(
        session.scalars(
            select(OfferRow).where(
                OfferRow.round_id == round_id, OfferRow.status == OfferStatus.AGREED
            )
        )
    )
    stages = [tour_state(o, today) for o in agreed]
    version_of = dict(
        session.execute(
            select(RunRow.id, RunRow.version_id).where(RunRow.id.in_({o.run_id for o in agreed}))
        ).all()
    )
    learning = strengths = 0
    for offer in agreed:
        version = version_of[offer.run_id]
        talent = (
            session.scalar(
                select(TalentRow.data).where(
                    TalentRow.version_id == version, TalentRow.key == offer.talent
                )
            )
            or {}
        )
        package = (
            session.scalar(
                select(PackageRow.data).where(
                    PackageRow.version_id == version, PackageRow.key == offer.package
                )
            )
            or {}
        )
        learning += learns(talent, package)
        strengths += uses_strengths(talent, package)
    latest: dict[int, CheckInRow] = {}
    ids = [o.id for o in agreed]
    for row in session.scalars(
        select(CheckInRow).where(CheckInRow.offer_id.in_(ids)).order_by(CheckInRow.id)
    ):
        latest[row.offer_id] = row
    reports = list(latest.values())
    notes = [
        "predicted: the share of agreed tours whose package teaches a skill the talent wants "
        "(learning) and needs one of the talent's strengths (strengths)",
        "no score predicts the connection to the lender: only check-ins report it",
    ]
    if not reports:
        notes.append("no check-in yet: reported shares are empty")
    return OutcomesPublic(
        round_id=round_id,
        agreed=len(agreed),
        active=stages.count("active"),
        completed=stages.count("completed"),
        check_ins=len(reports),
        predicted=Shares(
            learning=_share(learning, len(agreed)),
            strengths=_share(strengths, len(agreed)),
            connected=None,
        ),
        reported=Shares(
            learning=_share(sum(r.learning for r in reports), len(reports)),
            strengths=_share(sum(r.strengths for r in reports), len(reports)),
            connected=_share(sum(r.connected for r in reports), len(reports)),
        ),
        study=STUDY,
        notes=notes,
    )
