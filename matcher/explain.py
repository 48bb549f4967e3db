"""Explanations: why a pair is not eligible, and why a talent was not placed.

For a talent with no eligible package, the counts say how many packages each rule
excluded, each package under the first rule it fails; :func:`rule_counts_for_talent` gives
instead what each rule excludes on its own (a package may fail several). For a talent with
eligible packages, each package is examined against the chosen placements: its seats went
to better-scored talents, a budget ran out, and so on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matcher.arrays import RoundArrays
from matcher.compile import CompiledRound
from matcher.eligibility import active_rules
from matcher.models import RULE_NAMES

_EPS = 1e-6

NO_ELIGIBLE_PACKAGE = "no_eligible_package"
OUTCOMPETED = "outcompeted"
SEATS_TAKEN = "seats_taken"
HOST_BUDGET = "host_budget_exhausted"
LENDER_BUDGET = "lender_budget_exhausted"
SUBSIDY_POOL = "subsidy_pool_exhausted"
NOT_CHOSEN = "not_chosen"

CATEGORY_TEXT = {
    NO_ELIGIBLE_PACKAGE: "no eligible package",
    OUTCOMPETED: "its seats went to better-scored talents",
    SEATS_TAKEN: "its seats were taken (by pins, prior decisions or other constraints)",
    HOST_BUDGET: "the host's hiring budget was used up",
    LENDER_BUDGET: "the lender's top-up budget was used up",
    SUBSIDY_POOL: "the subsidy pool was used up",
    NOT_CHOSEN: "placing the talent would lower the objective (fairness or tours)",
}


@dataclass(frozen=True)
class UnplacedReason:
    """Why one talent was not placed.

    Attributes
    ----------
    talent
        The talent's id.
    reason
        The main reason (one of the category codes of this module).
    counts
        For ``no_eligible_package``: packages excluded by each rule (each package under the
        first rule it fails). Otherwise: the talent's eligible packages by the reason they
        were not obtained.
    """

    talent: str
    reason: str
    counts: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        """One line for a person."""
        parts = ", ".join(f"{name} {n}" for name, n in self.counts.items())
        return f"{CATEGORY_TEXT[self.reason]} ({parts})" if parts else CATEGORY_TEXT[self.reason]


def rule_counts_for_talent(a: RoundArrays, t: int) -> dict[str, int]:
    """How many packages each enforced rule excludes for talent ``t``, each rule alone."""
    p = np.arange(a.n_packages, dtype=np.int64)
    ti = np.full(a.n_packages, t, dtype=np.int64)
    counts = {name: int((~rule(a, ti, p)).sum()) for name, rule in active_rules(a).items()}
    return {name: n for name, n in sorted(counts.items(), key=lambda x: -x[1]) if n}


def rule_counts_for_package(a: RoundArrays, p: int) -> dict[str, int]:
    """How many talents each enforced rule excludes for package ``p``, each rule alone."""
    t = np.arange(a.n_talents, dtype=np.int64)
    pi = np.full(a.n_talents, p, dtype=np.int64)
    counts = {name: int((~rule(a, t, pi)).sum()) for name, rule in active_rules(a).items()}
    return {name: n for name, n in sorted(counts.items(), key=lambda x: -x[1]) if n}


_EDGE_REASONS = (OUTCOMPETED, SEATS_TAKEN, HOST_BUDGET, LENDER_BUDGET, SUBSIDY_POOL, NOT_CHOSEN)
"""Reasons an eligible package was not obtained, in the order that breaks ties."""


def explain_unplaced(
    compiled: CompiledRound, chosen: npt.NDArray[np.integer]
) -> list[UnplacedReason]:
    """Why each talent without a placement in ``chosen`` (edge indices) was not placed.

    A talent with no eligible package gets, per rule, the packages that rule excluded
    first (in rule order; the counts add up to the number of packages). A talent with
    eligible packages gets, per reason, how many of them it did not obtain for that reason;
    its main reason is the most frequent (ties go to the earlier reason of
    :data:`_EDGE_REASONS`). One pass over the edges, no Python loop over them.
    """
    a = compiled.arrays
    chosen = np.asarray(chosen, dtype=np.int64)
    placed = np.zeros(a.n_talents, dtype=bool)
    placed[compiled.talent[chosen]] = True
    seats_used = np.bincount(compiled.package[chosen], minlength=a.n_packages)
    host = a.package_host[compiled.package]
    lender = a.talent_lender[compiled.talent]
    fees_left = a.org_hiring_budget - np.bincount(
        host[chosen], weights=compiled.host_fee[chosen], minlength=a.n_orgs
    )
    topups_left = a.org_topup_budget - np.bincount(
        lender[chosen], weights=compiled.topup[chosen], minlength=a.n_orgs
    )
    pool = a.policy.subsidy_pool
    pool_left = np.inf if pool is None else pool - float(compiled.subsidy[chosen].sum())
    # the lowest score among each package's placed talents: above it means outcompeted
    weakest = np.full(a.n_packages, np.inf)
    np.minimum.at(weakest, compiled.package[chosen], compiled.score[chosen])

    edges = np.flatnonzero(~placed[compiled.talent])
    p = compiled.package[edges]
    full = seats_used[p] >= a.package_seats[p]
    code = np.select(
        [
            full & (weakest[p] >= compiled.score[edges]),
            full,
            compiled.host_fee[edges] > fees_left[host[edges]] + _EPS,
            compiled.topup[edges] > topups_left[lender[edges]] + _EPS,
            compiled.subsidy[edges] > pool_left + _EPS,
        ],
        [0, 1, 2, 3, 4],
        default=5,
    )
    n_reasons = len(_EDGE_REASONS)
    counts = np.bincount(
        compiled.talent[edges].astype(np.int64) * n_reasons + code,
        minlength=a.n_talents * n_reasons,
    ).reshape(a.n_talents, n_reasons)
    excluded = compiled.excluded_by_talent

    reasons = []
    for t in np.flatnonzero(~placed).tolist():
        row = counts[t]
        if not row.any():
            by_rule = {
                RULE_NAMES[r]: int(excluded[t, r]) for r in np.flatnonzero(excluded[t]).tolist()
            }
            ordered = dict(sorted(by_rule.items(), key=lambda x: -x[1]))
            reasons.append(UnplacedReason(a.talent_ids[t], NO_ELIGIBLE_PACKAGE, ordered))
            continue
        order = np.argsort(-row, kind="stable")
        by_reason = {_EDGE_REASONS[r]: int(row[r]) for r in order.tolist() if row[r]}
        reasons.append(UnplacedReason(a.talent_ids[t], _EDGE_REASONS[int(order[0])], by_reason))
    return reasons


def summarize_reasons(reasons: list[UnplacedReason]) -> dict[str, int]:
    """Unplaced talents per main reason, most frequent first."""
    return dict(Counter(r.reason for r in reasons).most_common())
