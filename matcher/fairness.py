"""The fairness rules that the model and the judge both apply: the steps of the maximum
host share, the placements owed to each lending organization, and a host's excess.

They live here, apart from :mod:`matcher.evaluator`, so that the solvers' model reads the
rules from the domain and not from the independent judge.
"""

from __future__ import annotations

import math
from collections import Counter

from matcher.compile import CompiledRound
from matcher.models import Round

SHARE_RESOLUTION = 1000
"""The maximum host share is applied in steps of 1/1000."""


def lender_targets(round_: Round, compiled: CompiledRound) -> dict[str, int]:
    """Minimum placements owed to each lending organization: ``min_per_lender``, capped by
    its talents that have at least one eligible package."""
    if round_.policy.min_per_lender <= 0:
        return {}
    with_edges = {compiled.arrays.talent_ids[t] for t in set(compiled.talent.tolist())}
    reachable: Counter[str] = Counter(t.lender for t in round_.talents if t.id in with_edges)
    return {
        org_id: min(round_.policy.min_per_lender, n) for org_id, n in sorted(reachable.items()) if n
    }


def host_excess(placed_at_host: int, total: int, max_share: float) -> int:
    """Placements a host has over its allowed share of ``total`` (rounded up)."""
    share_units = round(max_share * SHARE_RESOLUTION)
    over = placed_at_host * SHARE_RESOLUTION - share_units * total
    return max(0, math.ceil(over / SHARE_RESOLUTION))
