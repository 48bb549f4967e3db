"""The evaluator's hard constraints beyond eligibility, one function per rule: seats, tours
and FTE, budgets and the subsidy pool, the coordinator's decisions (pins, forbidden and
accepted pairs), and the gaps to the fairness rules and the outcome floors, which are
violations when the rule is hard and penalties when it is soft.

Budgets are monthly totals and are checked as if every placement ran at the same time,
which is the safe reading for tours that overlap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from matcher.compile import CompiledRound
from matcher.evaluator_pairs import Lookup, Placement, outcomes_of, pair_name
from matcher.fairness import host_excess, lender_targets
from matcher.floors import floor_shortfall
from matcher.models import Floor, Round, WorkPackage, peak_fte

__all__ = [
    "Violation",
    "budget_violations",
    "capacity_violations",
    "decision_violations",
    "exceeds",
    "fairness_gaps",
    "floor_gaps",
    "links_of",
]

_EPS = 1e-6


def exceeds(total: float, limit: float) -> bool:
    """Whether a float sum exceeds a limit beyond rounding: 1e-6 absolute, or a relative
    1e-12 for large sums, whose float error grows with their size."""
    return total > limit + max(_EPS, 1e-12 * abs(limit))


@dataclass(frozen=True)
class Violation:
    """One broken hard constraint: which constraint, on which record, and how."""

    constraint: str
    record: str
    detail: str

    def __str__(self) -> str:
        return f"{self.constraint}: {self.record}: {self.detail}"


def capacity_violations(
    round_: Round, look: Lookup, pairs: list[tuple[str, str]]
) -> list[Violation]:
    """Packages placed beyond their seats, and talents beyond the most tours or their FTE
    (overlapping tours count together)."""
    out = []
    per_package = Counter(p for _, p in pairs)
    for p_id, n in sorted(per_package.items()):
        seats = look.packages[p_id].seats
        if n > seats:
            out.append(Violation("seats", f"package '{p_id}'", f"{n} placed on {seats} seats"))
    per_talent: dict[str, list[WorkPackage]] = defaultdict(list)
    for t_id, p_id in pairs:
        per_talent[t_id].append(look.packages[p_id])
    limit = round_.policy.max_tours_per_talent
    for t_id, placed in sorted(per_talent.items()):
        if len(placed) > limit:
            out.append(
                Violation("tours", f"talent '{t_id}'", f"{len(placed)} tours, at most {limit}")
            )
        peak = peak_fte(placed)
        fte = look.talents[t_id].fte
        if exceeds(peak, fte):
            out.append(
                Violation(
                    "fte", f"talent '{t_id}'", f"overlapping tours need {peak:g} FTE of {fte:g}"
                )
            )
    return out


def budget_violations(round_: Round, look: Lookup, placements: list[Placement]) -> list[Violation]:
    """Hosts' fees beyond their hiring budgets, lenders' top-ups beyond their top-up budgets
    and the subsidy beyond the pool."""
    out = []
    fees: dict[str, float] = defaultdict(float)
    topups: dict[str, float] = defaultdict(float)
    for x in placements:
        fees[look.packages[x.package].host] += x.host_fee
        topups[look.talents[x.talent].lender] += x.topup
    for org_id, total in sorted(fees.items()):
        budget = look.orgs[org_id].hiring_budget
        if budget is not None and exceeds(total, budget):
            out.append(
                Violation(
                    "host_budget",
                    f"organization '{org_id}'",
                    f"fees {total:.2f} > budget {budget:.2f}",
                )
            )
    for org_id, total in sorted(topups.items()):
        budget = look.orgs[org_id].topup_budget
        if budget is not None and exceeds(total, budget):
            out.append(
                Violation(
                    "topup_budget",
                    f"organization '{org_id}'",
                    f"top-ups {total:.2f} > budget {budget:.2f}",
                )
            )
    pool = round_.policy.subsidy_pool
    subsidy = sum(x.subsidy for x in placements)
    if pool is not None and exceeds(subsidy, pool):
        out.append(
            Violation("subsidy_pool", "platform", f"subsidy {subsidy:.2f} > pool {pool:.2f}")
        )
    return out


def decision_violations(round_: Round, pairs: list[tuple[str, str]]) -> list[Violation]:
    """Pins not placed, forbidden pairs placed and accepted placements not kept."""
    placed = set(pairs)
    out = []
    for pin in round_.pins:
        if (pin.talent, pin.package) not in placed:
            out.append(
                Violation("pin", pair_name(pin.talent, pin.package), "pinned but not placed")
            )
    for pair in round_.forbidden:
        if (pair.talent, pair.package) in placed:
            out.append(
                Violation("forbidden", pair_name(pair.talent, pair.package), "forbidden but placed")
            )
    for prev in round_.previous:
        if prev.status == "accepted" and (prev.talent, prev.package) not in placed:
            out.append(
                Violation(
                    "accepted", pair_name(prev.talent, prev.package), "accepted placement not kept"
                )
            )
    return out


def fairness_gaps(
    round_: Round, look: Lookup, compiled: CompiledRound, pairs: list[tuple[str, str]]
) -> tuple[dict[str, int], dict[str, int]]:
    """Per lender, the placements short of its target (``min_per_lender``); per host, the
    placements over the maximum host share. Organizations without a gap are left out."""
    per_lender = Counter(look.talents[t].lender for t, _ in pairs)
    shortfalls = {
        org_id: target - per_lender[org_id]
        for org_id, target in lender_targets(round_, compiled).items()
        if per_lender[org_id] < target
    }
    excesses: dict[str, int] = {}
    if round_.policy.max_host_share < 1:
        per_host = Counter(look.packages[p].host for _, p in pairs)
        for org_id, n in sorted(per_host.items()):
            over = host_excess(n, len(pairs), round_.policy.max_host_share)
            if over:
                excesses[org_id] = over
    return shortfalls, excesses


def links_of(look: Lookup, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The distinct (lender, host) links that placements ``pairs`` make."""
    return {(look.talents[t].lender, look.packages[p].host) for t, p in pairs}


def floor_gaps(
    round_: Round, look: Lookup, pairs: list[tuple[str, str]]
) -> dict[str, tuple[Floor, int, int]]:
    """Per active floor: the floor, the placements with its outcome and how many placements
    the assignment is short of it."""
    floors = round_.policy.active_floors()
    if not floors:
        return {}
    counts: Counter[str] = Counter()
    for t_id, p_id in pairs:
        counts.update(name for name, ok in outcomes_of(look, t_id, p_id).items() if ok)
    return {
        name: (floor, counts[name], floor_shortfall(counts[name], len(pairs), floor.share))
        for name, floor in floors.items()
    }
