"""The hiring and top-up budgets of a generated round, set below what the packages and the
talents would use, so that they bind without making most rounds infeasible.
"""

from __future__ import annotations

import numpy as np

from matcher.generator.draws import Bools, Floats
from matcher.generator.organizations import Orgs
from matcher.generator.packages import Packages
from matcher.generator.shape import NO_TOPUP_SHARE, UNLIMITED_SHARE
from matcher.generator.talents import Talents


def hiring_budgets(rng: np.random.Generator, orgs: Orgs, packages: Packages) -> list[float | None]:
    """60-90% of what a host's packages would cost with every seat filled at the fee cap;
    one host in ten has no limit."""
    n = orgs.sector.size
    demand = np.bincount(packages.host, weights=packages.fee_cap * packages.seats, minlength=n)
    budget = np.round(demand * rng.uniform(0.6, 0.9, n) / 100.0) * 100.0
    (unlimited,) = _special_members(rng, demand > 0, (UNLIMITED_SHARE,))
    return [None if unlimited[o] or demand[o] == 0 else float(budget[o]) for o in range(n)]


def topup_budgets(
    rng: np.random.Generator, orgs: Orgs, talents: Talents, packages: Packages
) -> list[float | None]:
    """20-40% of the expected top-ups of a lender's talents; some lenders have no limit and
    some pay no top-up at all (their talents need a host who covers the whole salary)."""
    n = orgs.sector.size
    expected = _expected_topups(rng, talents, packages)
    total = np.bincount(talents.lender, weights=expected, minlength=n)
    budget = np.round(total * rng.uniform(0.2, 0.4, n) / 100.0) * 100.0
    has_talents = np.bincount(talents.lender, minlength=n) > 0
    no_topup, unlimited = _special_members(rng, has_talents, (NO_TOPUP_SHARE, UNLIMITED_SHARE))
    budget = np.where(no_topup, 0.0, budget)
    return [float(budget[o]) if has_talents[o] and not unlimited[o] else None for o in range(n)]


def _special_members(
    rng: np.random.Generator, members: Bools, shares: tuple[float, ...]
) -> list[Bools]:
    """Disjoint random subsets of ``members`` with the given shares (rounded, and at least
    one each once there are four members, so that small rounds have them too)."""
    order = rng.permutation(np.flatnonzero(members))
    out: list[Bools] = []
    taken = 0
    for share in shares:
        k = round(share * order.size) or (1 if order.size >= 4 else 0)
        mask = np.zeros(members.size, dtype=bool)
        mask[order[taken : taken + k]] = True
        out.append(mask)
        taken += k
    return out


def _expected_topups(
    rng: np.random.Generator, talents: Talents, packages: Packages, sample: int = 64
) -> Floats:
    """Mean top-up of each talent over a sample of the packages."""
    pick = rng.integers(0, packages.size, sample)
    retained = (talents.salary * talents.retention)[:, None] * packages.fte[pick][None, :]
    return np.asarray(np.maximum(retained - packages.fee_cap[pick][None, :], 0.0).mean(axis=1))


__all__ = [
    "hiring_budgets",
    "topup_budgets",
]
