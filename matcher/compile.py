"""The compile step: from a :class:`~matcher.models.Round` to the arrays every solver uses.

The result is a sparse edge list of the eligible (talent, package) pairs with their score
components, total score and cost split, plus, for every talent and package, how many pairs
each rule excluded. Nothing loops over pairs in Python:

1. the age rule removes talents outright;
2. the location rule is counted, not enumerated: per region, how many packages (talents)
   each talent (package) can reach;
3. candidates come from an inverted index of the packages' key requirements (each
   package's most selective required skill and level), grouped by the regions a talent can
   reach: for each talent, the reachable packages whose key requirement it meets (the
   required-skills rule then checks the other requirements on these candidates only);
4. the remaining rules filter the candidates in :data:`~matcher.eligibility.RULES` order;
   every excluded pair is counted under the first rule it fails;
5. every remaining pair is scored, and optionally only the ``top_k`` best-scored packages
   per talent are kept (pins and previous placements always are).

Talents are processed in chunks, so that peak memory stays bounded on large rounds and each
talent's pairs can be pruned at once; within a chunk, rules and scores run on cache-sized
blocks of pairs. Chunks run on two threads (numpy releases the GIL in its kernels).

Steps 2 and 3 live in :mod:`matcher.candidates`, steps 4 and 5 for one chunk of talents in
:mod:`matcher.compile_chunks`; this module runs them over the round and gathers the edges.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

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
from matcher.candidates import Candidates, location_passes
from matcher.compile_chunks import RULE_INDEX, Chunk, ChunkCompiler
from matcher.costs import CostSplit
from matcher.eligibility import REASONS, active_rules, failing_rules
from matcher.errors import RoundError
from matcher.models import RULE_NAMES, SCORE_NAMES, Policy, Round

__all__ = [
    "DEFAULT_CHUNK_PAIRS",
    "RULE_INDEX",
    "SCORE_INDEX",
    "CompiledRound",
    "compile_arrays",
    "compile_round",
]

SCORE_INDEX = {name: i for i, name in enumerate(SCORE_NAMES)}
DEFAULT_CHUNK_PAIRS = 1_000_000
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
        keys = self.edge_keys
        if keys.size == 0:
            return np.full(query.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, query), keys.size - 1)
        return np.where(keys[pos] == query, pos, -1).astype(np.int64)

    @cached_property
    def edge_keys(self) -> Int64Array:
        """Sorted pair key of every edge (computed once)."""
        return self.arrays.pair_keys(self.talent, self.package)

    def talent_edges(self, t: int) -> slice:
        """The slice of edges of talent ``t`` (edges are sorted by talent)."""
        lo, hi = np.searchsorted(self.talent, [t, t + 1])
        return slice(int(lo), int(hi))


def compile_round(
    round_: Round,
    *,
    top_k: int | None = None,
    chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
    workers: int | None = None,
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
    workers
        Threads (default: up to 2, the cores of the machines this runs on).

    Raises
    ------
    RoundError
        If a pinned pair or an accepted previous placement is not eligible.
    """
    arrays = encode_round(round_)
    top_k = round_.policy.top_k if top_k is None else top_k
    return compile_arrays(arrays, round_, top_k=top_k, chunk_pairs=chunk_pairs, workers=workers)


def _workers(workers: int | None) -> int:
    return max(1, min(2, os.cpu_count() or 1)) if workers is None else max(1, workers)


def _pair_keys_of(a: RoundArrays, pairs: list[tuple[str, str]]) -> Int64Array:
    talent_index = {x: i for i, x in enumerate(a.talent_ids)}
    package_index = {x: i for i, x in enumerate(a.package_ids)}
    t = np.array([talent_index[x] for x, _ in pairs], dtype=np.int64)
    p = np.array([package_index[y] for _, y in pairs], dtype=np.int64)
    return a.pair_keys(t, p)


def compile_arrays(
    a: RoundArrays,
    round_: Round,
    *,
    top_k: int | None = None,
    chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
    workers: int | None = None,
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

    location_on, skills_on = "location" in rules, "required_skills" in rules
    located_t = np.full(alive_talents.size, n_packages, dtype=np.int64)
    located_p = np.full(n_packages, alive_talents.size, dtype=np.int64)
    if location_on:
        located_t, located_p = location_passes(a, alive_talents)
        by_talent[alive_talents, RULE_INDEX["location"]] = n_packages - located_t
        by_package[:, RULE_INDEX["location"]] = alive_talents.size - located_p

    pin_pairs = [(x.talent, x.package) for x in round_.pins]
    accepted_at = [i for i, x in enumerate(round_.previous) if x.status == "accepted"]
    accepted_pairs = [(round_.previous[i].talent, round_.previous[i].package) for i in accepted_at]
    proposed_pairs = [(x.talent, x.package) for x in round_.previous if x.status == "proposed"]

    candidates = Candidates.build(a, alive, location_on, skills_on)
    # every candidate passes the location rule; the required-skills rule goes first
    checked = {k: r for k, r in rules.items() if k not in ("age", "location")}
    compiler = ChunkCompiler(
        a,
        candidates,
        checked,
        top_k,
        np.unique(_pair_keys_of(a, pin_pairs + accepted_pairs + proposed_pairs)),
    )
    # pruning sorts a chunk's pairs on one int64 key: talent, score bits, package
    max_span = max(1, (1 << 32) // max(n_packages, 1))
    spans = candidates.chunks(n_talents, chunk_pairs, max_span) if n_packages else []
    skilled_t = np.zeros(n_talents, dtype=np.int64)
    skilled_p = np.zeros(n_packages, dtype=np.int64)
    pruned = np.zeros(n_talents, dtype=np.int32)
    parts: list[Chunk] = []
    # numpy releases the GIL in its kernels, so threads use every core
    with ThreadPoolExecutor(max_workers=_workers(workers)) as pool:
        for part in pool.map(compiler, spans):
            by_talent[part.lo : part.hi] += part.excluded_by_talent
            by_package += part.excluded_by_package
            skilled_t[part.lo : part.hi] = part.skilled_by_talent
            skilled_p += part.skilled_by_package
            pruned[part.lo : part.hi] = part.pruned
            parts.append(part)
    if skills_on:
        skills = RULE_INDEX["required_skills"]
        by_talent[alive_talents, skills] = located_t - skilled_t[alive_talents]
        by_package[:, skills] = located_p - skilled_p

    # chunks follow the talents and each is sorted by (talent, package)
    t = np.concatenate([x.talent for x in parts]) if parts else np.zeros(0, dtype=np.int64)
    p = np.concatenate([x.package for x in parts]) if parts else np.zeros(0, dtype=np.int64)
    components = (
        np.concatenate([x.components for x in parts])
        if parts
        else np.zeros((0, len(SCORE_NAMES)), dtype=np.float32)
    )
    score = np.concatenate([x.score for x in parts]) if parts else np.zeros(0, dtype=np.float32)
    split = CostSplit.concatenate([x.split for x in parts])
    del parts

    pins = _pair_edges(a, t, p, pin_pairs)
    accepted = _pair_edges(a, t, p, accepted_pairs)
    proposed = _pair_edges(a, t, p, proposed_pairs)
    _require_eligible(a, pins, pin_pairs, [f"pins[{i}]" for i in range(len(pin_pairs))])
    _require_eligible(
        a, accepted, accepted_pairs, [f"previous[{i}] (accepted)" for i in accepted_at]
    )
    proposed = proposed[proposed >= 0]

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
