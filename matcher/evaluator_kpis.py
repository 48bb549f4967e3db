"""The round KPIs of an assignment: placement and seat-fill rates, the outcome shares, the
lenders' placement rates, the money spent and the (lender, host) links made.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matcher.compile import CompiledRound
from matcher.evaluator_pairs import Lookup, Placement, outcomes_of
from matcher.evaluator_rules import links_of
from matcher.models import Round

__all__ = ["Kpis", "kpis_of"]


@dataclass(frozen=True)
class Kpis:
    """Round indicators of an assignment."""

    talents: int
    packages: int
    seats: int
    placements: int
    placed_talents: int
    placement_rate: float
    seat_fill_rate: float
    learning_share: float
    strengths_share: float
    cross_sector_share: float
    learning_placement_share: float
    strengths_placement_share: float
    cross_sector_placement_share: float
    lender_rate_min: float
    lender_rate_max: float
    mean_score: float
    host_fees: float
    topups: float
    subsidy: float
    links: int = 0
    """Distinct (lender, host) links of the placements."""
    new_links: int | None = None
    """Links that no placement of the previous round (``Round.previous``) made; None when
    the round has no previous placements to compare with."""
    new_link_share: float | None = None
    """``new_links`` as a share of ``links`` (None as ``new_links``)."""


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def kpis_of(
    round_: Round, look: Lookup, compiled: CompiledRound, placements: list[Placement]
) -> Kpis:
    """The KPIs of ``placements`` in ``round_``."""
    placed_talents = {x.talent for x in placements}
    learners = set()
    strong_users = set()
    cross_sector = set()
    per_outcome: Counter[str] = Counter()
    for x in placements:
        outcomes = outcomes_of(look, x.talent, x.package)
        per_outcome.update(name for name, ok in outcomes.items() if ok)
        if outcomes["learning"]:
            learners.add(x.talent)
        if outcomes["strengths"]:
            strong_users.add(x.talent)
        if outcomes["cross_sector"]:
            cross_sector.add(x.talent)
    talents_per_lender = Counter(t.lender for t in round_.talents)
    placed_per_lender = Counter(look.talents[t].lender for t in placed_talents)
    rates = [placed_per_lender[o] / n for o, n in talents_per_lender.items()]
    seats = sum(p.seats for p in round_.packages)
    n_placed = len(placed_talents)
    links = links_of(look, [(x.talent, x.package) for x in placements])
    new_links: int | None = None
    if round_.previous:
        before = links_of(look, [(x.talent, x.package) for x in round_.previous])
        new_links = len(links - before)
    return Kpis(
        talents=len(round_.talents),
        packages=len(round_.packages),
        seats=seats,
        placements=len(placements),
        placed_talents=n_placed,
        placement_rate=_share(n_placed, len(round_.talents)),
        seat_fill_rate=_share(len(placements), seats),
        learning_share=_share(len(learners), n_placed),
        strengths_share=_share(len(strong_users), n_placed),
        cross_sector_share=_share(len(cross_sector), n_placed),
        learning_placement_share=_share(per_outcome["learning"], len(placements)),
        strengths_placement_share=_share(per_outcome["strengths"], len(placements)),
        cross_sector_placement_share=_share(per_outcome["cross_sector"], len(placements)),
        lender_rate_min=min(rates, default=0.0),
        lender_rate_max=max(rates, default=0.0),
        mean_score=sum(x.score for x in placements) / len(placements) if placements else 0.0,
        host_fees=sum(x.host_fee for x in placements),
        topups=sum(x.topup for x in placements),
        subsidy=sum(x.subsidy for x in placements),
        links=len(links),
        new_links=new_links,
        new_link_share=None if new_links is None else _share(new_links, len(links)),
    )
