"""What each party may see of a round's outcome, defined once.

The coordinator sees the whole outcome. A hiring organization sees its own packages and the
placements on them: who, the score and its parts, and the fee it pays; never a salary, an
age, a retention, the lender's top-up, the subsidy, nor another host's packages. The cost
score is left out of its breakdown too: with the fee beside it, it would reveal the retained
salary. A lending organization sees its own talents: where they are placed, the top-up it
pays for each, and why the others are not placed; never another lender's talents.

The service's per-role response schemas and the reports build on these projections.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from pydantic import BaseModel, ConfigDict

from api.round_outcome import RoundOutcome
from matcher.models import SCORE_NAMES

HOST_SCORE_NAMES = tuple(name for name in SCORE_NAMES if name != "cost")
"""The score parts a hiring organization sees: all but ``cost`` (see the module docstring)."""


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HostPlacement(_View):
    """A placement on one of the host's packages, as the host sees it."""

    talent: str
    package: str
    score: float
    breakdown: dict[str, float]
    host_fee: float


class HostView(_View):
    """A hiring organization's view of an outcome."""

    organization: str
    packages: list[str]
    placements: list[HostPlacement]
    host_fees: float


class LenderPlacement(_View):
    """A placement of one of the lender's talents, as the lender sees it."""

    talent: str
    package: str
    host: str
    score: float
    topup: float


class LenderUnplaced(_View):
    """One of the lender's talents left unplaced, and why."""

    talent: str
    reason: str


class LenderView(_View):
    """A lending organization's view of an outcome."""

    organization: str
    talents: list[str]
    placements: list[LenderPlacement]
    unplaced: list[LenderUnplaced]
    topups: float


def _placement_rows(
    outcome: RoundOutcome, side: str, organization: str
) -> list[dict[Hashable, Any]]:
    """The rows of ``outcome.placements()`` whose ``side`` (host or lender) is
    ``organization``."""
    if organization not in outcome.compiled.arrays.org_ids:
        raise KeyError(f"unknown organization '{organization}'")
    frame = outcome.placements()
    return frame[frame[side] == organization].to_dict("records") if len(frame) else []


def host_view(outcome: RoundOutcome, organization: str) -> HostView:
    """What the hiring organization ``organization`` may see of ``outcome``.

    Raises
    ------
    KeyError
        If the organization is not in the round.
    """
    packages = [p.id for p in outcome.round.packages if p.host == organization]
    placements = [
        HostPlacement(
            talent=row["talent"],
            package=row["package"],
            score=float(row["score"]),
            breakdown={name: float(row[name]) for name in HOST_SCORE_NAMES},
            host_fee=float(row["host_fee"]),
        )
        for row in _placement_rows(outcome, "host", organization)
    ]
    return HostView(
        organization=organization,
        packages=packages,
        placements=placements,
        host_fees=round(sum(p.host_fee for p in placements), 2),
    )


def lender_view(outcome: RoundOutcome, organization: str) -> LenderView:
    """What the lending organization ``organization`` may see of ``outcome``.

    Raises
    ------
    KeyError
        If the organization is not in the round.
    """
    talents = [t.id for t in outcome.round.talents if t.lender == organization]
    own = set(talents)
    placements = [
        LenderPlacement(
            talent=row["talent"],
            package=row["package"],
            host=row["host"],
            score=float(row["score"]),
            topup=float(row["topup"]),
        )
        for row in _placement_rows(outcome, "lender", organization)
    ]
    unplaced = [
        LenderUnplaced(talent=r.talent, reason=r.reason) for r in outcome.reasons if r.talent in own
    ]
    return LenderView(
        organization=organization,
        talents=talents,
        placements=placements,
        unplaced=unplaced,
        topups=round(sum(p.topup for p in placements), 2),
    )


__all__ = [
    "HOST_SCORE_NAMES",
    "HostPlacement",
    "HostView",
    "LenderPlacement",
    "LenderUnplaced",
    "LenderView",
    "host_view",
    "lender_view",
]
