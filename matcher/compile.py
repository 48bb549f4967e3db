"""The compile step: from a :class:`~matcher.models.Round` to the arrays every solver uses.

The result is a sparse edge list of the eligible (talent, package) pairs with their score
components, total score and cost split, plus, for every talent and package, how many pairs
each rule excluded. Nothing loops over pairs in Python:

1. the age rule removes talents outright;
2. the location rule is counted, not enumerated: per region, how many packages (talents)
   each talent (package) can reach;
3. candidates come from an inverted index of the talents' skill levels, per region for
   onsite and hybrid packages: for each package, the talents of its region who hold its
   most selective required skill at the required level (the required-skills rule then
   checks the other requirements on these candidates only);
4. the remaining rules filter the candidates in :data:`~matcher.eligibility.RULES` order;
   every excluded pair is counted under the first rule it fails;
5. optionally, only the ``top_k`` best-scored packages per talent are kept (pins and previous
   placements always are).

Packages are processed in chunks so that peak memory stays bounded on large rounds.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from matcher.arrays import (
    REMOTE_CODES,
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
from matcher.models import RULE_NAMES, SCORE_NAMES, Policy, RemoteMode, Round
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


def _ranges(starts: Int64Array, lengths: Int64Array) -> Int64Array:
    """Concatenation of ``arange(s, s + n)`` for each (s, n), without a Python loop."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths)


@dataclass(frozen=True, eq=False)
class _CandidateIndex:
    """Alive talents sorted by (group, skill, level descending).

    The talents of group ``g`` holding skill ``s`` at level >= ``l`` are
    ``talents[start[g, s] : start[g, s] + count[g, s, l]]``. Skill ``S`` (one past the
    vocabulary) lists every alive talent of the group, for packages without requirements.
    """

    talents: Int64Array
    start: Int64Array  # (G, S + 1)
    count: Int64Array  # (G, S + 1, 6)

    @classmethod
    def build(
        cls, a: RoundArrays, alive: npt.NDArray[np.bool_], group: IntArray, n_groups: int
    ) -> _CandidateIndex:
        n_skills = len(a.skills)
        levels = np.where(alive[:, None], a.talent_level[:, :n_skills], 0)
        t, s = np.nonzero(levels)
        lvl = levels[t, s].astype(np.int64)
        everyone = np.flatnonzero(alive)
        t = np.concatenate([t, everyone]).astype(np.int64)
        s = np.concatenate([s, np.full(everyone.size, n_skills)]).astype(np.int64)
        lvl = np.concatenate([lvl, np.full(everyone.size, 5)])
        key = group[t].astype(np.int64) * (n_skills + 1) + s
        order = np.lexsort((t, -lvl, key))
        t, key, lvl = t[order], key[order], lvl[order]
        n_keys = n_groups * (n_skills + 1)
        per_key = np.bincount(key, minlength=n_keys)
        start = (np.cumsum(per_key) - per_key).reshape(n_groups, n_skills + 1)
        count = np.zeros((n_keys, 6), dtype=np.int64)
        for level in range(6):
            count[:, level] = np.bincount(key[lvl >= level], minlength=n_keys)
        return cls(t, start, count.reshape(n_groups, n_skills + 1, 6))

    def ranges(
        self, a: RoundArrays, groups: IntArray, skills_on: bool
    ) -> tuple[Int64Array, Int64Array]:
        """(start, length) of each package's candidates in this index: the holders of its
        most selective requirement within the package's group."""
        n_skills = len(a.skills)
        rows = np.arange(a.n_packages)
        skill = np.full(a.n_packages, n_skills, dtype=np.int64)
        level = np.ones(a.n_packages, dtype=np.int64)
        if skills_on:
            req_skill = a.package_required_skill.astype(np.int64)
            req_level = a.package_required_level.astype(np.int64)
            sizes = self.count[groups[:, None], req_skill, req_level]
            sizes = np.where(req_level > 0, sizes, np.iinfo(np.int64).max)
            best = sizes.argmin(axis=1)
            real = req_level[rows, best] > 0
            skill = np.where(real, req_skill[rows, best], n_skills)
            level = np.where(real, req_level[rows, best], 1)
        return self.start[groups, skill], self.count[groups, skill, level]


@dataclass(frozen=True, eq=False)
class _CandidatePlan:
    """Where each package's candidates come from: the regional index (onsite and hybrid
    packages, when the location rule is on) or the global one."""

    regional: _CandidateIndex
    everywhere: _CandidateIndex
    use_regional: npt.NDArray[np.bool_]
    start: Int64Array
    length: Int64Array

    @classmethod
    def build(
        cls, a: RoundArrays, alive: npt.NDArray[np.bool_], location_on: bool, skills_on: bool
    ) -> _CandidatePlan:
        zeros = np.zeros(a.n_talents, dtype=np.int32)
        everywhere = _CandidateIndex.build(a, alive, zeros, 1)
        start, length = everywhere.ranges(a, np.zeros(a.n_packages, dtype=np.int32), skills_on)
        use_regional = np.zeros(a.n_packages, dtype=bool)
        regional = everywhere
        if location_on:
            regional = _CandidateIndex.build(a, alive, a.talent_region, len(a.regions))
            r_start, r_length = regional.ranges(a, a.package_region, skills_on)
            use_regional = a.package_remote != REMOTE_CODES[RemoteMode.REMOTE]
            start = np.where(use_regional, r_start, start)
            length = np.where(use_regional, r_length, length)
        return cls(regional, everywhere, use_regional, start, length)

    def chunks(self, limit: int) -> list[Int64Array]:
        """Consecutive package ranges of about ``limit`` candidates each (a chunk exceeds
        it by at most one package's candidates)."""
        first = np.cumsum(self.length) - self.length
        chunk_of = first // max(limit, 1)
        cuts = np.flatnonzero(np.diff(chunk_of)) + 1
        return np.split(np.arange(self.length.size, dtype=np.int64), cuts)

    def candidates(self, packages: Int64Array) -> tuple[Int64Array, Int64Array]:
        """Candidate pairs (talent, package) of ``packages``."""
        length = self.length[packages]
        pos = _ranges(self.start[packages], length)
        regional = np.repeat(self.use_regional[packages], length)
        talents = np.empty(pos.size, dtype=np.int64)
        talents[regional] = self.regional.talents[pos[regional]]
        talents[~regional] = self.everywhere.talents[pos[~regional]]
        return talents, np.repeat(packages, length)


def _location_passes(a: RoundArrays, alive_talents: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Per alive talent, the packages passing the location rule, and per package, the alive
    talents passing it: counted, not enumerated."""
    n_regions = len(a.regions)
    region = a.talent_region[alive_talents]
    accepts = a.talent_remote[alive_talents]
    remote = a.package_remote == REMOTE_CODES[RemoteMode.REMOTE]
    packages_in = np.bincount(a.package_region, minlength=n_regions)
    remote_in = np.bincount(a.package_region[remote], minlength=n_regions)
    per_talent = packages_in[region] + accepts * (int(remote.sum()) - remote_in[region])
    talents_in = np.bincount(region, minlength=n_regions)
    accepting_in = np.bincount(region[accepts], minlength=n_regions)
    same = talents_in[a.package_region]
    others = int(accepts.sum()) - accepting_in[a.package_region]
    per_package = same + remote * others
    return per_talent.astype(np.int64), per_package.astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Filtered:
    """The pairs of one chunk that pass every rule, and what the rules excluded."""

    talent: Int64Array
    package: Int64Array
    skilled: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
    failures: list[tuple[str, Int64Array, Int64Array]]


def _workers(workers: int | None) -> int:
    return max(1, min(2, os.cpu_count() or 1)) if workers is None else max(1, workers)


def _score_block(a: RoundArrays, t: Int64Array, p: Int64Array) -> tuple[Float32Array, Float32Array]:
    """Score components and total score of the pairs (t[i], p[i])."""
    components = np.stack([SCORES[name](a, t, p) for name in SCORE_NAMES], axis=1)
    score = total_score(
        {name: components[:, i] for i, name in enumerate(SCORE_NAMES)}, a.policy.weights
    )
    return components, score


def _pair_keys_of(a: RoundArrays, pairs: list[tuple[str, str]]) -> Int64Array:
    talent_index = {x: i for i, x in enumerate(a.talent_ids)}
    package_index = {x: i for i, x in enumerate(a.package_ids)}
    t = np.array([talent_index[x] for x, _ in pairs], dtype=np.int64)
    p = np.array([package_index[y] for _, y in pairs], dtype=np.int64)
    return a.pair_keys(t, p)


def _count(excluded: IntArray, owners: Int64Array, rule: str, size: int) -> None:
    excluded[:, RULE_INDEX[rule]] += np.bincount(owners, minlength=size).astype(np.int32)


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
        located_t, located_p = _location_passes(a, alive_talents)
        by_talent[alive_talents, RULE_INDEX["location"]] = n_packages - located_t
        by_package[:, RULE_INDEX["location"]] = alive_talents.size - located_p
    skilled_t = np.zeros(n_talents, dtype=np.int64)
    skilled_p = np.zeros(n_packages, dtype=np.int64)
    later_rules = {
        k: r for k, r in rules.items() if k not in ("age", "location", "required_skills")
    }

    plan = _CandidatePlan.build(a, alive, location_on, skills_on)

    def filter_chunk(chunk: Int64Array) -> _Filtered:
        t, p = plan.candidates(chunk)
        if location_on:  # only candidates of remote packages can fail here
            ok = rules["location"](a, t, p)
            t, p = t[ok], p[ok]
        if skills_on:
            ok = rules["required_skills"](a, t, p)
            t, p = t[ok], p[ok]
        skilled = (np.bincount(t, minlength=n_talents), np.bincount(p, minlength=n_packages))
        failures = []
        for name, rule in later_rules.items():
            ok = rule(a, t, p)
            failures.append((name, t[~ok], p[~ok]))
            t, p = t[ok], p[ok]
        return _Filtered(t, p, skilled, failures)

    kept_t: list[Int64Array] = []
    kept_p: list[Int64Array] = []
    # numpy releases the GIL in these kernels, so threads use every core
    with ThreadPoolExecutor(max_workers=_workers(workers)) as pool:
        for part in pool.map(filter_chunk, plan.chunks(chunk_pairs) if n_packages else []):
            skilled_t += part.skilled[0]
            skilled_p += part.skilled[1]
            for name, fail_t, fail_p in part.failures:
                _count(by_talent, fail_t, name, n_talents)
                _count(by_package, fail_p, name, n_packages)
            kept_t.append(part.talent)
            kept_p.append(part.package)
        if skills_on:
            skills = RULE_INDEX["required_skills"]
            by_talent[alive_talents, skills] = located_t - skilled_t[alive_talents]
            by_package[:, skills] = located_p - skilled_p

        # each talent's pairs are in ascending package order (chunks follow packages)
        t = np.concatenate(kept_t) if kept_t else np.zeros(0, dtype=np.int64)
        p = np.concatenate(kept_p) if kept_p else np.zeros(0, dtype=np.int64)
        del kept_t, kept_p
        blocks = [(lo, min(lo + chunk_pairs, t.size)) for lo in range(0, t.size, chunk_pairs)]
        scored = list(pool.map(lambda b: _score_block(a, t[b[0] : b[1]], p[b[0] : b[1]]), blocks))
    components = (
        np.concatenate([c for c, _ in scored])
        if scored
        else np.zeros((0, len(SCORE_NAMES)), dtype=np.float32)
    )
    score = np.concatenate([x for _, x in scored]) if scored else np.zeros(0, dtype=np.float32)

    pin_pairs = [(x.talent, x.package) for x in round_.pins]
    accepted_at = [i for i, x in enumerate(round_.previous) if x.status == "accepted"]
    accepted_pairs = [(round_.previous[i].talent, round_.previous[i].package) for i in accepted_at]
    proposed_pairs = [(x.talent, x.package) for x in round_.previous if x.status == "proposed"]

    pruned = np.zeros(n_talents, dtype=np.int32)
    if top_k is not None:
        keep = _top_k_mask(t, score, n_talents, top_k)
        forced = _pair_keys_of(a, pin_pairs + accepted_pairs + proposed_pairs)
        if forced.size:
            keep |= np.isin(a.pair_keys(t, p), forced)
        pruned = np.bincount(t[~keep], minlength=n_talents).astype(np.int32)
        t, p, components, score = t[keep], p[keep], components[keep], score[keep]
    order = np.argsort(a.pair_keys(t, p))
    t, p, components, score = t[order], p[order], components[order], score[order]

    pins = _pair_edges(a, t, p, pin_pairs)
    accepted = _pair_edges(a, t, p, accepted_pairs)
    proposed = _pair_edges(a, t, p, proposed_pairs)
    _require_eligible(a, pins, pin_pairs, [f"pins[{i}]" for i in range(len(pin_pairs))])
    _require_eligible(
        a, accepted, accepted_pairs, [f"previous[{i}] (accepted)" for i in accepted_at]
    )
    proposed = proposed[proposed >= 0]

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
    t: Int64Array, score: Float32Array, n_talents: int, k: int
) -> npt.NDArray[np.bool_]:
    """True for each talent's ``k`` best-scored edges, ties broken by package index.

    Each talent's edges come in ascending package order. A non-negative float32's bit
    pattern orders like its value, so one stable sort on ``talent, -score`` as an int64 key
    replaces a lexsort.
    """
    bits = (np.maximum(score, 0).astype(np.float32) + np.float32(0)).view(np.int32)
    key = t.astype(np.int64) * (1 << 31) + ((1 << 30) - bits.astype(np.int64))
    order = np.argsort(key, kind="stable")
    counts = np.bincount(t, minlength=n_talents)
    starts = np.cumsum(counts) - counts
    rank = np.arange(t.size) - np.repeat(starts, counts)
    keep = np.zeros(t.size, dtype=bool)
    keep[order[rank < k]] = True
    return keep
