"""Salary retention: who pays what when talent ``t`` works on package ``p``.

The retained cost is ``salary x retention x package FTE`` per month. The host pays a fee of
at most the package's fee cap; of the rest, the platform subsidy pays ``subsidy_share`` and
the lending organization tops up what remains.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.arrays import FloatArray, RoundArrays
from matcher.models import Round

_TOLERANCE = 1e-6
"""Amounts within this of a budget fit it (as the eligibility rule has it)."""


@dataclass(frozen=True, eq=False)
class CostSplit:
    """Monthly amounts per pair; ``host_fee + subsidy + topup == retained``."""

    retained: FloatArray
    host_fee: FloatArray
    subsidy: FloatArray
    topup: FloatArray

    def take(self, at: npt.NDArray[np.integer]) -> CostSplit:
        """The split of the pairs at positions ``at``."""
        return CostSplit(
            np.take(self.retained, at),
            np.take(self.host_fee, at),
            np.take(self.subsidy, at),
            np.take(self.topup, at),
        )

    @staticmethod
    def concatenate(parts: list[CostSplit]) -> CostSplit:
        """The splits of ``parts``, one after the other."""
        if not parts:
            empty = np.zeros(0, dtype=np.float64)
            return CostSplit(empty, empty, empty, empty)
        return CostSplit(
            np.concatenate([x.retained for x in parts]),
            np.concatenate([x.host_fee for x in parts]),
            np.concatenate([x.subsidy for x in parts]),
            np.concatenate([x.topup for x in parts]),
        )


def cost_split(a: RoundArrays, t: npt.NDArray[np.integer], p: npt.NDArray[np.integer]) -> CostSplit:
    """The cost split of each pair ``(t[i], p[i])``."""
    retained = a.talent_retained_salary[t] * a.package_fte[p]
    return split_retained(retained, a.package_fee_cap[p], a.policy.subsidy_share)


def split_retained(retained: FloatArray, fee_cap: FloatArray, subsidy_share: float) -> CostSplit:
    """Who pays each retained cost: the host up to ``fee_cap``, of the rest the subsidy its
    share and the lender what remains."""
    host_fee = np.minimum(fee_cap, retained)
    rest = retained - host_fee
    subsidy = rest * subsidy_share
    return CostSplit(retained, host_fee, subsidy, rest - subsidy)


def forced_over_budget(round_: Round) -> list[str]:
    """The budgets that the pinned and accepted placements alone exceed, one message each
    naming the budget, its amount and what those placements cost it a month.

    Not a validation error: the solvers report such a round as infeasible and name the
    constraint groups in conflict; ``cosource`` refuses it as bad input.
    """
    talents = {t.id: t for t in round_.talents}
    packages = {p.id: p for p in round_.packages}
    forced = [(f"pins[{i}]", x) for i, x in enumerate(round_.pins)]
    forced += [
        (f"previous[{i}]", x) for i, x in enumerate(round_.previous) if x.status == "accepted"
    ]
    if not forced:
        return []
    pairs = [(where, talents[x.talent], packages[x.package]) for where, x in forced]
    retained = np.array([t.salary * t.retention * p.fte for _, t, p in pairs])
    split = split_retained(
        retained, np.array([p.fee_cap for _, _, p in pairs]), round_.policy.subsidy_share
    )
    # per organization: what the forced placements spend of its budget, and which they are
    spent: dict[tuple[str, str], float] = defaultdict(float)
    places: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, (where, talent, package) in enumerate(pairs):
        for key, amount in (
            (("hiring_budget", package.host), split.host_fee[k]),
            (("topup_budget", talent.lender), split.topup[k]),
        ):
            spent[key] += float(amount)
            places[key].append(where)
    messages = []
    for i, org in enumerate(round_.organizations):
        for field, budget in (
            ("hiring_budget", org.hiring_budget),
            ("topup_budget", org.topup_budget),
        ):
            need = spent.get((field, org.id), 0.0)
            if budget is not None and need > budget + _TOLERANCE:
                messages.append(
                    f"organization '{org.id}' (organizations[{i}]), field '{field}': "
                    f"{budget:,.2f} a month, but the pinned and accepted placements alone "
                    f"need {need:,.2f} ({', '.join(places[(field, org.id)])})"
                )
    pool = round_.policy.subsidy_pool
    if pool is not None and float(split.subsidy.sum()) > pool + _TOLERANCE:
        messages.append(
            f"policy, field 'subsidy_pool': {pool:,.2f} a month, but the pinned and accepted "
            f"placements alone need {float(split.subsidy.sum()):,.2f}"
        )
    return messages
