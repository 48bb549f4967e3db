"""Scores: how good a (talent, package) pair is, each in [0, 1] and explainable alone.

Each score is one vectorized function ``score(arrays, t, p) -> values`` over pairs
``(t[i], p[i])``. :data:`SCORES` maps the score names of :data:`matcher.models.SCORE_NAMES`
to their functions; :func:`total_score` combines them with the policy's weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from matcher.arrays import STRONG_LEVEL, Float32Array, PairRanks, RoundArrays, row_offsets
from matcher.costs import CostSplit, cost_split
from matcher.models import SCORE_NAMES

Indices = npt.NDArray[np.integer]
Score = Callable[[RoundArrays, Indices, Indices], Float32Array]

COVERAGE_SHARE = 0.6
"""Strengths fit = 0.6 x skill coverage + 0.4 x strengths used."""
STRENGTHS_TO_USE = 3
"""Using this many of a talent's strengths (or all, if fewer) counts as full use."""
SECTOR_NOVELTY = 0.6
FLATTER_NOVELTY = 0.4
OTHER_STRUCTURE_NOVELTY = 0.2
NEUTRAL = 0.5
"""Score given when one side states nothing (no values, no ranking)."""
_SEQUENTIAL_SUM = 8
"""numpy sums fewer float32 terms than this left to right along a row (more pairwise)."""


def _f32(x: npt.ArrayLike) -> Float32Array:
    return np.asarray(x, dtype=np.float32)


def _unit(x: npt.ArrayLike) -> Float32Array:
    # a ratio of two float32 sums taken in different orders can land one ulp above 1
    return np.clip(_f32(x), 0.0, 1.0)


def strengths_fit(a: RoundArrays, t: Indices, p: Indices) -> Float32Array:
    """How well the talent's levels cover the package's skills, and how many of the talent's
    strengths (level 4+) the package uses.

    Coverage is the mean of ``level / 5`` over the required skills (weight 1 each) and the
    desired skills (their weights). Use is the number of the talent's strengths among those
    skills, out of ``min(3, number of strengths)``.
    """
    # pads index a column of zeros and carry weight 0, so no masks are needed
    level = a.talent_level.reshape(-1)
    rows = row_offsets(a.talent_level, t)
    required_sum = np.zeros(np.shape(t), dtype=np.float32)
    strong = np.zeros(np.shape(t), dtype=np.int64)
    for j in range(a.package_required_skill.shape[1]):
        lv = level[rows + a.package_required_skill[:, j][p]]
        required_sum += lv  # small integers: exact in any order
        strong += lv >= STRONG_LEVEL
    desired = np.empty((np.size(t), a.package_desired_skill.shape[1]), dtype=np.float32)
    for j in range(a.package_desired_skill.shape[1]):
        lv = level[rows + a.package_desired_skill[:, j][p]]
        desired[:, j] = lv
        strong += lv >= STRONG_LEVEL
    weight = a.package_skill_weight[p]
    # np.take gathers whole rows several times faster than indexing; einsum keeps its own
    # summation order, so that the weighted sum does not depend on how pairs are batched
    weights = np.take(a.package_desired_weight, p, axis=0)
    covered = required_sum + np.einsum("ij,ij->i", desired, weights)
    coverage = np.divide(covered / 5.0, weight, out=np.zeros_like(weight), where=weight > 0)
    target = np.minimum(a.talent_strong[t], STRENGTHS_TO_USE).astype(np.float32)
    use = np.divide(np.minimum(strong, target), target, out=np.zeros_like(target), where=target > 0)
    return _unit(COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * use)


def strengths_used(a: RoundArrays, t: Indices, p: Indices) -> npt.NDArray[np.int32]:
    """Number of the talent's strengths (level 4+) among the package's skills."""
    level = a.talent_level.reshape(-1)
    rows = row_offsets(a.talent_level, t)
    strong = np.zeros(np.shape(t), dtype=np.int32)
    for skills in (a.package_required_skill, a.package_desired_skill):
        for j in range(skills.shape[1]):
            strong += level[rows + skills[:, j][p]] >= STRONG_LEVEL
    return strong


def learning_gain(a: RoundArrays, t: Indices, p: Indices) -> Float32Array:
    """Share of the talent's learning-goal weight that the package can teach, each goal
    discounted by what the talent already knows (``1 - level / 5``)."""
    gained = _row_sum(a.talent_gain, t, a.package_learnable, p)
    total = a.talent_goal_total[t]
    return _unit(np.divide(gained, total, out=np.zeros_like(gained), where=total > 0))


def _row_sum(
    table: Float32Array, t: Indices, columns: npt.NDArray[np.integer], p: Indices
) -> Float32Array:
    """``table[t[i], columns[p[i]]].sum()`` for each pair i, in numpy's summation order."""
    width = columns.shape[1]
    if width >= _SEQUENTIAL_SUM:
        return np.asarray(table[t[:, None], columns[p]].sum(axis=1), dtype=np.float32)
    flat = table.reshape(-1)
    rows = row_offsets(table, t)
    total = np.zeros(np.shape(t), dtype=np.float32)
    for j in range(width):
        total += flat[rows + columns[:, j][p]]
    return total


def values_fit(a: RoundArrays, t: Indices, p: Indices) -> Float32Array:
    """Shared values out of the smaller value list; neutral when either side has none."""
    flat = a.talent_values.reshape(-1)
    rows = row_offsets(a.talent_values, t)
    count = np.zeros(np.shape(t), dtype=np.int64)
    for j in range(a.package_values.shape[1]):
        count += flat[rows + a.package_values[:, j][p]]
    shared = count.astype(np.float32)
    smaller = np.minimum(a.talent_value_count[t], a.package_value_count[p]).astype(np.float32)
    fit = np.divide(shared, smaller, out=np.full_like(shared, NEUTRAL), where=smaller > 0)
    return _f32(fit)


def context_novelty(a: RoundArrays, t: Indices, p: Indices) -> Float32Array:
    """Novelty of the move: another sector (0.6), and a flatter structure (0.4) or another
    structure (0.2)."""
    lender = a.talent_lender[t]
    host = a.package_host[p]
    other_sector = a.org_sector[lender] != a.org_sector[host]
    code = other_sector * 4 + a.org_flat[lender] * 2 + a.org_flat[host]
    return np.asarray(_NOVELTY[code], dtype=np.float32)


def _novelty_table() -> Float32Array:
    """Context novelty of each (other sector, flat lender, flat host) combination, indexed by
    ``4 * other_sector + 2 * flat_lender + flat_host``."""
    code = np.arange(8)
    other_sector = code >= 4
    flat_lender = (code // 2) % 2 == 1
    flat_host = code % 2 == 1
    flatter = ~flat_lender & flat_host
    other_structure = flat_lender & ~flat_host
    return _f32(
        SECTOR_NOVELTY * other_sector
        + FLATTER_NOVELTY * flatter
        + OTHER_STRUCTURE_NOVELTY * other_structure
    )


_NOVELTY = _novelty_table()


def network_gain(a: RoundArrays, t: Indices, p: Indices) -> Float32Array:
    """New connections: a host new to the talent scores highest, a boomerang (the talent
    worked there before) and a host already in the talent's network less (policy values)."""
    host = a.package_host[p]
    alumnus = np.zeros(np.shape(t), dtype=bool)
    for j in range(a.talent_alumni.shape[1]):
        alumnus |= a.talent_alumni[:, j][t] == host
    known = np.zeros(np.shape(t), dtype=bool)
    for j in range(a.talent_network.shape[1]):
        known |= a.talent_network[:, j][t] == host
    policy = a.policy
    gain = np.where(
        alumnus,
        policy.network_boomerang,
        np.where(known, policy.network_known, policy.network_new),
    )
    return _f32(gain)


def _rank_score(ranks: PairRanks, owner: Indices, item: Indices) -> Float32Array:
    length = ranks.list_length[owner]
    score = np.where(length == 0, np.float32(NEUTRAL), np.float32(0.0))
    # only owners with a list can rank the item: look up just their pairs
    ranking = np.flatnonzero(length > 0)
    rank = ranks.rank(owner[ranking], item[ranking])
    listed = ranking[rank >= 0]
    score[listed] = 1.0 - rank[rank >= 0].astype(np.float32) / length[listed].astype(np.float32)
    return score


def preference_fit(a: RoundArrays, t: Indices, p: Indices) -> Float32Array:
    """Mean of the talent's ranking of the package and the host's ranking of the talent.

    Each side scores ``1 - rank / length`` for a listed partner, 0 for an unlisted one, and
    is neutral (0.5) when it ranked nobody.
    """
    talent_side = _rank_score(a.talent_preferences, t, p)
    host_side = _rank_score(a.package_ranking, p, t)
    return _f32((talent_side + host_side) / 2.0)


def cost_score(a: RoundArrays, t: Indices, p: Indices) -> Float32Array:
    """Share of the retained salary not topped up by the lender: 1 when the host's fee
    (and any subsidy) covers it all."""
    return split_cost_score(cost_split(a, t, p))


def split_cost_score(split: CostSplit) -> Float32Array:
    """:func:`cost_score` of the pairs' split, when it is already at hand."""
    share = np.divide(
        split.topup, split.retained, out=np.zeros_like(split.topup), where=split.retained > 0
    )
    return _f32(1.0 - share)


SCORES: dict[str, Score] = {
    "strengths": strengths_fit,
    "learning": learning_gain,
    "values": values_fit,
    "context": context_novelty,
    "network": network_gain,
    "preference": preference_fit,
    "cost": cost_score,
}
assert tuple(SCORES) == SCORE_NAMES, "SCORES must follow models.SCORE_NAMES"


def total_score(
    components: Mapping[str, Float32Array], weights: Mapping[str, float]
) -> Float32Array:
    """Weighted mean of the score components (0 when every weight is 0)."""
    total_weight = sum(weights.values())
    first = next(iter(components.values()))
    if total_weight <= 0:
        return np.zeros_like(first)
    acc = np.zeros(first.shape, dtype=np.float64)
    for name, values in components.items():
        acc += weights.get(name, 0.0) * values
    return _f32(acc / total_weight)
