"""Why a talent is not on a package, as the package's host may see it.

The coordinator's answer (``GET /runs/{id}/why-not``) holds what a host may not see: the
facts of the age and budget rules (an age, a top-up, a subsidy), the packages of other
hosts the talent is placed on, and the holders' cost part. A host asks of a round version
instead, from the compiled round (no run, which hosts do not see), and hears:

* whether the pair is eligible, and the rules it fails: with their facts for the rules about
  the work (skills, dates, FTE, place, languages, the strengths fit, what the package teaches
  of the talent's goals, a forbidden pair, its own organization), the rule's general reason
  alone for the competitor and budget rules (their facts name the lender or its top-up), and
  nothing but "a rule on the talent's private data or wishes" for the age rule and the
  talent's exclusion of the host;
* for an eligible pair, its score with the parts a host sees (no ``cost``), its rank among
  the package's eligible talents, and the package's seats;
* its own offers on the package (who holds its seats, with their scores and states).

Whether the talent is placed or offered elsewhere is another organization's business: not
said.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.compiled import Compiled
from api.service.consent_tables import OfferRow
from api.service.errors import NotFoundError
from api.views import HOST_SCORE_NAMES
from matcher.eligibility import REASONS
from matcher.eligibility_details import failure_details
from matcher.models import SCORE_NAMES

FACTS_SHOWN = frozenset(
    (
        "location",
        "required_skills",
        "availability",
        "fte",
        "languages",
        "own_organization",
        "forbidden_pair",
        "minimum_fit",
        "learning",
    )
)
"""Rules whose facts a host sees: they are about the work and the talent's fit for it (the
talent's learning goals are in the host's shortlist too)."""
REASON_ONLY = frozenset(("competitor", "cost_split"))
"""Rules a host sees by their general reason: their facts name the lender or its money."""
WITHHELD = "withheld"
"""The rule name a host sees for the age rule and the talent's exclusion of the host."""
WITHHELD_REASON = "a rule on the talent's private data or wishes; the coordinator can say which"
OPEN_STATES = ("published", "agreed")
"""The offers that hold a package's seats."""


class HostRulePublic(BaseModel):
    rule: str
    reason: str
    detail: str | None = None


class HeldSeatPublic(BaseModel):
    """One of the host's own offers on the package."""

    offer_id: int
    talent: str
    score: float
    status: str


class HostWhyNotPublic(BaseModel):
    """Why a talent is not on a package, as the package's host may see it (see
    :mod:`api.service.host_why_not`)."""

    round_id: int
    version: int
    talent: str
    package: str
    eligible: bool
    failing_rules: list[HostRulePublic]
    score: float | None = Field(description="the pair's score, when eligible")
    parts: dict[str, float] = Field(description="its parts a host sees (no cost)")
    rank: int | None = Field(description="its place among the package's eligible talents")
    eligible_talents: int = Field(description="how many talents are eligible for the package")
    seats: int
    offers: list[HeldSeatPublic] = Field(description="the host's open and agreed offers on it")
    answer: str


def host_rules(failures: dict[str, str]) -> list[HostRulePublic]:
    """The failing rules with what a host may see of each; the withheld ones once."""
    shown: list[HostRulePublic] = []
    withheld = False
    for rule, detail in failures.items():
        if rule in FACTS_SHOWN:
            shown.append(HostRulePublic(rule=rule, reason=REASONS[rule], detail=detail))
        elif rule in REASON_ONLY:
            shown.append(HostRulePublic(rule=rule, reason=REASONS[rule]))
        else:
            withheld = True
    if withheld:
        shown.append(HostRulePublic(rule=WITHHELD, reason=WITHHELD_REASON))
    return shown


def held_seats(session: Session, round_id: int, package: str) -> list[HeldSeatPublic]:
    """The open and agreed offers on ``package`` (all the package's host's own)."""
    rows = session.scalars(
        select(OfferRow)
        .where(
            OfferRow.round_id == round_id,
            OfferRow.package == package,
            OfferRow.status.in_(OPEN_STATES),
        )
        .order_by(OfferRow.id)
    )
    return [
        HeldSeatPublic(
            offer_id=row.id,
            talent=row.talent,
            score=round(float(row.placement["score"]), 4),
            status=row.status,
        )
        for row in rows
    ]


def host_why_not(
    entry: Compiled,
    round_id: int,
    version: int,
    talent: str,
    package: str,
    offers: list[HeldSeatPublic],
) -> HostWhyNotPublic:
    """The host's answer for (``talent``, ``package``) in the compiled version ``entry``;
    not found for a talent the round does not hold."""
    compiled = entry.compiled
    a = compiled.arrays
    if talent not in entry.talents:
        raise NotFoundError("talent", repr(talent))
    t, p = a.talent_ids.index(talent), a.package_ids.index(package)
    failures = failure_details(a, t, p)
    on_package = compiled.package == p
    scores = compiled.score[on_package]
    edge = int(compiled.edge_index(t, p)[0])
    score, rank, parts = None, None, {}
    if edge >= 0:
        own = compiled.score[edge]
        score = round(float(own), 4)
        # ties rank by talent order, as the shortlist does
        ahead = (scores > own) | ((scores == own) & (compiled.talent[on_package] < t))
        rank = int(np.count_nonzero(ahead)) + 1
        values = compiled.components[edge].tolist()
        parts = {
            n: round(x, 4)
            for n, x in zip(SCORE_NAMES, values, strict=True)
            if n in HOST_SCORE_NAMES
        }
    seats = int(a.package_seats[p])
    rules = host_rules(failures)
    return HostWhyNotPublic(
        round_id=round_id,
        version=version,
        talent=talent,
        package=package,
        eligible=edge >= 0,
        failing_rules=rules,
        score=score,
        parts=parts,
        rank=rank,
        eligible_talents=int(scores.size),
        seats=seats,
        offers=offers,
        answer=_answer(talent, package, rules, score, rank, int(scores.size), seats, offers),
    )


def _answer(
    talent: str,
    package: str,
    rules: list[HostRulePublic],
    score: float | None,
    rank: int | None,
    eligible: int,
    seats: int,
    offers: list[HeldSeatPublic],
) -> str:
    if score is None and not rules:
        return (
            f"talent '{talent}' passes every rule of package '{package}' but is not among "
            "the talent's best-scored packages that the round keeps (its policy's top_k)"
        )
    if score is None:
        said = "; ".join(
            f"{rule.rule}: {rule.detail or rule.reason}" if rule.rule != WITHHELD else rule.reason
            for rule in rules
        )
        return f"talent '{talent}' is not eligible for package '{package}': {said}"
    lines = [
        f"talent '{talent}' is eligible for package '{package}' with score {score:.3f}, "
        f"ranked {rank} of {eligible} eligible talents for {seats} seat{'s' * (seats != 1)}"
    ]
    mine = [offer for offer in offers if offer.talent == talent]
    if mine:
        lines.append(f"the talent holds offer {mine[0].offer_id} on it ({mine[0].status})")
    elif offers:
        held = ", ".join(f"'{o.talent}' ({o.score:.3f}, {o.status})" for o in offers)
        lines.append(f"its seats are offered to {held}")
    else:
        lines.append("no offer on it is open or agreed")
    return "\n".join(lines)


__all__ = ["HostWhyNotPublic", "held_seats", "host_rules", "host_why_not"]
