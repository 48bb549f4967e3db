"""The compile step: from a :class:`~matcher.models.Round` to the arrays every solver uses.

The result is a sparse edge list of the eligible (talent, package) pairs with their score
components, total score and cost split, plus, for every talent and package, how many pairs
each rule excluded. Nothing loops over pairs in Python:

1. the age rule removes talents outright;
2. candidates come from an inverted index of the talents' skill levels: for each package,
   the talents who hold its most selective required skill at the required level (the
   required-skills rule then checks the other requirements on these candidates only);
3. the remaining rules filter the candidates in :data:`~matcher.eligibility.RULES` order, and
   an excluded pair is counted under the first rule it fails;
4. optionally, only the ``top_k`` best-scored packages per talent are kept (pins and previous
   placements always are).

Packages are processed in chunks so that peak memory stays bounded on large rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.arrays import (
    Float32Array,
    FloatArray,
    Int64Array,
    IntArray,
    RoundArrays,
    encode_round,
)
from matcher.costs import cost_split
from matcher.eligibility import REASONS, active_rules, failing_rules
from matcher.errors import RoundError
from matcher.models import RULE_NAMES, SCORE_NAMES, Policy, Round
from matcher.scores import SCORES, total_score

RULE_INDEX = {name: i for i, name in enumerate(RULE_NAMES)}
SCORE_INDEX = {name: i for i, name in enumerate(SCORE_NAMES)}
DEFAULT_CHUNK_PAIRS = 4_000_000
"""Candidate pairs examined at once; bounds the memory of the compile step."""


@dataclass(frozen=True, eq=False)
class CompiledRound:
    """The eligible pairs of a round as arrays, sorted by (talent, package).

    Attributes
    ----------
    arrays
        The columnar round the edges index into.
    talent, package
        Talent and package index of each edge.
    components
        ``(n_edges, len(SCORE_NAMES))`` score components in [0, 1].
    score
        Weighted total score of each edge in [0, 1].
    retained, host_fee, subsidy, topup
        Monthly cost split of each edge.
    excluded_by_talent, excluded_by_package
        Pairs excluded, per talent (package) and rule, each pair counted under the first
        rule it fails (columns follow ``RULE_NAMES``).
    pruned_by_talent
        Eligible pairs dropped by top-k pruning, per talent.
    pins, accepted, proposed
        Edge indices of pinned pairs and of the previous round's accepted and proposed
        placements (proposed ones that are no longer eligible are left out).
    """

    arrays: RoundArrays
    talent: IntArray
    package: IntArray
    components: Float32Array
    score: Float32Array
    retained: FloatArray
    host_fee: FloatArray
    subsidy: FloatArray
    topup: FloatArray
    excluded_by_talent: IntArray
    excluded_by_package: IntArray
    pruned_by_talent: IntArray
    pins: IntArray
    accepted: IntArray
    proposed: IntArray

    @property
    def n_edges(self) -> int:
        return int(self.talent.size)

    @property
    def policy(self) -> Policy:
        return self.arrays.policy

    def component(self, name: str) -> Float32Array:
        """The score component ``name`` of every edge."""
        return self.components[:, SCORE_INDEX[name]]

    def excluded_by_rule(self) -> dict[str, int]:
        """Total pairs excluded by each rule (first failing rule)."""
        totals = self.excluded_by_talent.sum(axis=0, dtype=np.int64)
        return {name: int(totals[i]) for i, name in enumerate(RULE_NAMES)}

    def edge_index(
        self, t: npt.NDArray[np.integer] | int, p: npt.NDArray[np.integer] | int
    ) -> Int64Array:
        """Edge index of each pair (t, p), -1 where the pair is not an edge."""
        query = self.arrays.pair_keys(np.atleast_1d(t), np.atleast_1d(p))
        keys = self.arrays.pair_keys(self.talent, self.package)
        if keys.size == 0:
            return np.full(query.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, query), keys.size - 1)
        return np.where(keys[pos] == query, pos, -1).astype(np.int64)

    def talent_edges(self, t: int) -> slice:
        """The slice of edges of talent ``t`` (edges are sorted by talent)."""
        lo, hi = np.searchsorted(self.talent, [t, t + 1])
        return slice(int(lo), int(hi))


def compile_round(
    round_: Round, *, top_k: int | None = None, chunk_pairs: int = DEFAULT_CHUNK_PAIRS
) -> CompiledRound:
    """Compile ``round_`` into eligible edges, scores, cost splits and exclusion counts.

    Parameters
    ----------
    round_
        The round.
    top_k
        Keep only this many best-scored packages per talent; defaults to the policy's
        ``top_k`` (``None``: keep all).
    chunk_pairs
        Candidate pairs examined at once.

    Raises
    ------
    RoundError
        If a pinned pair or an accepted previous placement is not eligible.
    """
    arrays = encode_round(round_)
    top_k = round_.policy.top_k if top_k is None else top_k
    return compile_arrays(arrays, round_, top_k=top_k, chunk_pairs=chunk_pairs)


def _ranges(starts: Int64Array, lengths: Int64Array) -> Int64Array:
    """Concatenation of ``arange(s, s + n)`` for each (s, n), without a Python loop."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths)


@dataclass(frozen=True, eq=False)
class _SkillIndex:
    """Talents sorted by (skill, level descending): the talents holding skill ``s`` at
    level >= ``l`` are ``talents[start[s] : start[s] + count[s, l]]``."""

    talents: Int64Array
    start: Int64Array
    count: Int64Array  # (S + 1, 6)

    @classmethod
    def build(cls, a: RoundArrays, alive: npt.NDArray[np.bool_]) -> _SkillIndex:
        n_skills = len(a.skills)
        levels = np.where(alive[:, None], a.talent_level[:, :n_skills], 0)
        t, s = np.nonzero(levels)
        lvl = levels[t, s]
        order = np.lexsort((t, -lvl.astype(np.int16), s))
        t, s, lvl = t[order], s[order], lvl[order]
        per_skill = np.bincount(s, minlength=n_skills + 1).astype(np.int64)
        start = np.cumsum(per_skill) - per_skill
        count = np.zeros((n_skills + 1, 6), dtype=np.int64)
        for level in range(1, 6):
            count[:, level] = np.bincount(s[lvl >= level], minlength=n_skills + 1)
        return cls(t.astype(np.int64), start, count)


def _candidates(
    a: RoundArrays,
    packages: Int64Array,
    index: _SkillIndex | None,
    alive_talents: Int64Array,
) -> tuple[Int64Array, Int64Array]:
    """Candidate pairs for ``packages``: holders of each package's most selective required
    skill, or every alive talent for packages without requirements (or with the rule off)."""
    if index is None:
        lengths = np.full(packages.size, alive_talents.size, dtype=np.int64)
        pos = _ranges(np.zeros_like(lengths), lengths)
        return alive_talents[pos], np.repeat(packages, lengths)
    req_skill = a.package_required_skill[packages]
    req_level = a.package_required_level[packages].astype(np.int64)
    sizes = np.where(req_level > 0, index.count[req_skill, req_level], np.iinfo(np.int64).max)
    best = sizes.argmin(axis=1)
    rows = np.arange(packages.size)
    has_requirement = req_level[rows, best] > 0
    best_skill = req_skill[rows, best]
    lengths = np.where(has_requirement, sizes[rows, best], alive_talents.size)
    starts = np.where(has_requirement, index.start[best_skill], 0)
    pos = _ranges(starts, lengths)
    from_index = np.repeat(has_requirement, lengths)
    talents = np.empty(pos.size, dtype=np.int64)
    talents[from_index] = index.talents[pos[from_index]]
    talents[~from_index] = alive_talents[pos[~from_index]]
    return talents, np.repeat(packages, lengths)


def _package_chunks(
    a: RoundArrays, index: _SkillIndex | None, n_alive: int, limit: int
) -> list[Int64Array]:
    packages = np.arange(a.n_packages, dtype=np.int64)
    if index is None:
        sizes = np.full(a.n_packages, n_alive, dtype=np.int64)
    else:
        req_level = a.package_required_level.astype(np.int64)
        sizes = np.where(
            req_level > 0, index.count[a.package_required_skill, req_level], n_alive
        ).min(axis=1, initial=n_alive)
    chunks: list[Int64Array] = []
    current: list[int] = []
    total = 0
    for p, size in zip(packages.tolist(), sizes.tolist(), strict=True):
        if current and total + size > limit:
            chunks.append(np.array(current, dtype=np.int64))
            current, total = [], 0
        current.append(p)
        total += size
    if current:
        chunks.append(np.array(current, dtype=np.int64))
    return chunks


def _count(excluded: IntArray, owners: Int64Array, rule: str, size: int) -> None:
    excluded[:, RULE_INDEX[rule]] += np.bincount(owners, minlength=size).astype(np.int32)


def compile_arrays(
    a: RoundArrays,
    round_: Round,
    *,
    top_k: int | None = None,
    chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
) -> CompiledRound:
    """Compile an encoded round (see :func:`compile_round`)."""
    n_talents, n_packages = a.n_talents, a.n_packages
    rules = active_rules(a)
    by_talent = np.zeros((n_talents, len(RULE_NAMES)), dtype=np.int32)
    by_package = np.zeros((n_packages, len(RULE_NAMES)), dtype=np.int32)

    all_talents = np.arange(n_talents, dtype=np.int64)
    alive = np.ones(n_talents, dtype=bool)
    if "age" in rules:
        alive = rules["age"](a, all_talents, np.zeros(n_talents, dtype=np.int64))
        by_talent[~alive, RULE_INDEX["age"]] = n_packages
        by_package[:, RULE_INDEX["age"]] = int((~alive).sum())
    alive_talents = all_talents[alive]
    index = _SkillIndex.build(a, alive) if "required_skills" in rules else None
    later_rules = {k: r for k, r in rules.items() if k not in ("age", "required_skills")}

    kept_t: list[Int64Array] = []
    kept_p: list[Int64Array] = []
    for chunk in _package_chunks(a, index, alive_talents.size, chunk_pairs):
        t, p = _candidates(a, chunk, index, alive_talents)
        if index is not None:
            ok = rules["required_skills"](a, t, p)
            passed_t = np.bincount(t[ok], minlength=n_talents)
            # every alive talent not passing is excluded by skills for this chunk's packages
            by_talent[alive, RULE_INDEX["required_skills"]] += (
                chunk.size - passed_t[alive]
            ).astype(np.int32)
            passed_p = np.bincount(p[ok], minlength=n_packages)
            by_package[chunk, RULE_INDEX["required_skills"]] += (
                alive_talents.size - passed_p[chunk]
            ).astype(np.int32)
            t, p = t[ok], p[ok]
        for name, rule in later_rules.items():
            ok = rule(a, t, p)
            _count(by_talent, t[~ok], name, n_talents)
            _count(by_package, p[~ok], name, n_packages)
            t, p = t[ok], p[ok]
        kept_t.append(t)
        kept_p.append(p)

    t = np.concatenate(kept_t) if kept_t else np.zeros(0, dtype=np.int64)
    p = np.concatenate(kept_p) if kept_p else np.zeros(0, dtype=np.int64)
    order = np.argsort(a.pair_keys(t, p), kind="stable")
    t, p = t[order], p[order]
    components = np.stack([SCORES[name](a, t, p) for name in SCORE_NAMES], axis=1)
    if components.size == 0:
        components = np.zeros((0, len(SCORE_NAMES)), dtype=np.float32)
    score = total_score(
        {name: components[:, i] for i, name in enumerate(SCORE_NAMES)}, a.policy.weights
    )

    pin_pairs = [(x.talent, x.package) for x in round_.pins]
    pins = _pair_edges(a, t, p, pin_pairs)
    accepted_at = [i for i, x in enumerate(round_.previous) if x.status == "accepted"]
    accepted_pairs = [(round_.previous[i].talent, round_.previous[i].package) for i in accepted_at]
    proposed_pairs = [(x.talent, x.package) for x in round_.previous if x.status == "proposed"]
    accepted = _pair_edges(a, t, p, accepted_pairs)
    proposed = _pair_edges(a, t, p, proposed_pairs)
    _require_eligible(a, pins, pin_pairs, [f"pins[{i}]" for i in range(len(pin_pairs))])
    _require_eligible(
        a, accepted, accepted_pairs, [f"previous[{i}] (accepted)" for i in accepted_at]
    )
    proposed = proposed[proposed >= 0]

    pruned = np.zeros(n_talents, dtype=np.int32)
    if top_k is not None:
        keep = _top_k_mask(t, score, p, n_talents, top_k)
        keep[pins] = True
        keep[accepted] = True
        keep[proposed] = True
        pruned = np.bincount(t[~keep], minlength=n_talents).astype(np.int32)
        new_index = np.cumsum(keep) - 1
        pins, accepted, proposed = new_index[pins], new_index[accepted], new_index[proposed]
        t, p, components, score = t[keep], p[keep], components[keep], score[keep]

    split = cost_split(a, t, p)
    return CompiledRound(
        arrays=a,
        talent=t.astype(np.int32),
        package=p.astype(np.int32),
        components=components,
        score=score,
        retained=split.retained,
        host_fee=split.host_fee,
        subsidy=split.subsidy,
        topup=split.topup,
        excluded_by_talent=by_talent,
        excluded_by_package=by_package,
        pruned_by_talent=pruned,
        pins=pins.astype(np.int32),
        accepted=accepted.astype(np.int32),
        proposed=proposed.astype(np.int32),
    )


def _pair_edges(
    a: RoundArrays, t: Int64Array, p: Int64Array, pairs: list[tuple[str, str]]
) -> Int64Array:
    if not pairs:
        return np.zeros(0, dtype=np.int64)
    talent_index = {x: i for i, x in enumerate(a.talent_ids)}
    package_index = {x: i for i, x in enumerate(a.package_ids)}
    qt = np.array([talent_index[x] for x, _ in pairs], dtype=np.int64)
    qp = np.array([package_index[y] for _, y in pairs], dtype=np.int64)
    keys = a.pair_keys(t, p)
    query = a.pair_keys(qt, qp)
    if keys.size == 0:
        return np.full(query.shape, -1, dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys, query), keys.size - 1)
    return np.where(keys[pos] == query, pos, -1).astype(np.int64)


def _require_eligible(
    a: RoundArrays, edges: Int64Array, pairs: list[tuple[str, str]], where: list[str]
) -> None:
    """Raise if a pair that must be placed is not an edge; ``where[i]`` names pair ``i``."""
    talent_index = {x: i for i, x in enumerate(a.talent_ids)}
    package_index = {x: i for i, x in enumerate(a.package_ids)}
    for i, edge in enumerate(edges.tolist()):
        if edge >= 0:
            continue
        talent, package = pairs[i]
        failing = failing_rules(a, talent_index[talent], package_index[package])
        reasons = "; ".join(f"{r} ({REASONS[r]})" for r in failing)
        raise RoundError(
            f"{where[i]}: talent '{talent}' / package '{package}' is not eligible: {reasons}"
        )


def _top_k_mask(
    t: Int64Array, score: Float32Array, p: Int64Array, n_talents: int, k: int
) -> npt.NDArray[np.bool_]:
    """True for each talent's ``k`` best-scored edges (ties broken by package index)."""
    order = np.lexsort((p, -score, t))
    counts = np.bincount(t, minlength=n_talents)
    starts = np.cumsum(counts) - counts
    rank = np.arange(t.size) - np.repeat(starts, counts)
    keep = np.zeros(t.size, dtype=bool)
    keep[order[rank < k]] = True
    return keep
