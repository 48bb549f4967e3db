"""Salary retention: who pays what when talent ``t`` works on package ``p``.

The retained cost is ``salary x retention x package FTE`` per month. The host pays a fee of
at most the package's fee cap; of the rest, the platform subsidy pays ``subsidy_share`` and
the lending organization tops up what remains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.arrays import FloatArray, RoundArrays


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
    host_fee = np.minimum(a.package_fee_cap[p], retained)
    rest = retained - host_fee
    subsidy = rest * a.policy.subsidy_share
    return CostSplit(retained, host_fee, subsidy, rest - subsidy)
