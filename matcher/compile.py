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
"""

from __future__ import annotations

import itertools
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
from matcher.costs import CostSplit, cost_split
from matcher.eligibility import REASONS, Rule, active_rules, failing_rules, split_fits_budgets
from matcher.errors import RoundError
from matcher.models import RULE_NAMES, SCORE_NAMES, Policy, RemoteMode, Round
from matcher.scores import SCORES, split_cost_score, total_score

RULE_INDEX = {name: i for i, name in enumerate(RULE_NAMES)}
SCORE_INDEX = {name: i for i, name in enumerate(SCORE_NAMES)}
DEFAULT_CHUNK_PAIRS = 1_000_000
"""Candidate pairs examined at once; bounds the memory of the compile step."""
BLOCK_PAIRS = 131_072
"""Candidate pairs filtered and scored at once within a chunk, so that the temporaries of
each rule and score stay in the processor cache."""
_NARROW_SHARE = 8
"""Pairs are narrowed after a rule that fails more than one in this many of them."""


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
class _PackageIndex:
    """Packages sorted by (group, key skill, key level ascending).

    The packages of group ``g`` whose key requirement is skill ``s`` at a level of at most
    ``l`` are ``packages[start[g, s] : start[g, s] + count[g, s, l]]``: the packages a talent
    of that group with skill ``s`` at level ``l`` is a candidate for. Skill ``S`` (one past
    the vocabulary) holds the packages without a key requirement, which every talent reaches.
    A package may be listed in several groups.
    """

    packages: Int64Array
    start: Int64Array  # (G, S + 1)
    count: Int64Array  # (G, S + 1, 6)

    @classmethod
    def build(
        cls,
        packages: Int64Array,
        group: Int64Array,
        skill: Int64Array,
        level: Int64Array,
        n_groups: int,
        n_skills: int,
    ) -> _PackageIndex:
        key = group * (n_skills + 1) + skill
        order = np.lexsort((packages, level, key))
        key, level = key[order], level[order]
        n_keys = n_groups * (n_skills + 1)
        per_key = np.bincount(key, minlength=n_keys)
        start = (np.cumsum(per_key) - per_key).reshape(n_groups, n_skills + 1)
        count = np.zeros((n_keys, 6), dtype=np.int64)
        for lvl in range(6):
            count[:, lvl] = np.bincount(key[level <= lvl], minlength=n_keys)
        return cls(packages[order], start, count.reshape(n_groups, n_skills + 1, 6))


def _key_requirements(
    a: RoundArrays, holders: Int64Array, group: Int64Array, skills_on: bool
) -> tuple[Int64Array, Int64Array]:
    """Each package's key requirement (skill, level): the required skill that the fewest
    talents hold at the required level (``holders[group[p], s, l]`` of them), or skill ``S``
    at level 1 for a package without requirements or when the rule is off."""
    n_skills, n_packages = len(a.skills), a.n_packages
    skill = np.full(n_packages, n_skills, dtype=np.int64)
    level = np.ones(n_packages, dtype=np.int64)
    if not skills_on or n_packages == 0:
        return skill, level
    rows = np.arange(n_packages)
    req_skill = a.package_required_skill.astype(np.int64)
    req_level = a.package_required_level.astype(np.int64)
    sizes = holders[group[:, None], req_skill, req_level]
    sizes = np.where(req_level > 0, sizes, np.iinfo(np.int64).max)
    best = sizes.argmin(axis=1)
    real = req_level[rows, best] > 0
    skill = np.where(real, req_skill[rows, best], n_skills)
    level = np.where(real, req_level[rows, best], 1)
    return skill, level


@dataclass(frozen=True, eq=False)
class _Candidates:
    """Each alive talent's candidate packages, as ranges of a package index sorted by talent.

    A talent's candidates are the packages whose key requirement it meets (see
    :class:`_PackageIndex`) among those it can reach: with the location rule on, the onsite
    and hybrid packages of its region, and the remote packages of its region or, if it
    accepts remote work, of every region. Every candidate thus passes the location rule,
    which is counted, not enumerated (:func:`_location_passes`).
    """

    index: _PackageIndex
    talent: Int64Array
    start: Int64Array
    length: Int64Array

    @classmethod
    def build(
        cls, a: RoundArrays, alive: npt.NDArray[np.bool_], location_on: bool, skills_on: bool
    ) -> _Candidates:
        n_skills, n_regions = len(a.skills), len(a.regions)
        # (talent, skill, level) of every alive talent's skill, and skill S at level 5
        everyone = np.flatnonzero(alive)
        t, s = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if skills_on:
            t, s = np.nonzero(np.where(alive[:, None], a.talent_level[:, :n_skills], 0))
        lvl = a.talent_level[t, s].astype(np.int64)
        order = np.argsort(np.concatenate([t, everyone]), kind="stable")
        t = np.concatenate([t, everyone]).astype(np.int64)[order]
        s = np.concatenate([s, np.full(everyone.size, n_skills)]).astype(np.int64)[order]
        lvl = np.concatenate([lvl, np.full(everyone.size, 5)])[order]

        # talents holding each skill at each level or above, per region and overall, to
        # choose each package's most selective requirement as its key
        region = a.talent_region[t].astype(np.int64)
        by_region = np.bincount(
            (region * (n_skills + 1) + s) * 6 + lvl, minlength=n_regions * (n_skills + 1) * 6
        ).reshape(n_regions, n_skills + 1, 6)
        overall = np.bincount(s * 6 + lvl, minlength=(n_skills + 1) * 6).reshape(n_skills + 1, 6)
        by_region = np.cumsum(by_region[:, :, ::-1], axis=2)[:, :, ::-1]
        overall = np.cumsum(overall[:, ::-1], axis=1)[:, ::-1]

        packages = np.arange(a.n_packages, dtype=np.int64)
        if location_on:
            remote = a.package_remote == REMOTE_CODES[RemoteMode.REMOTE]
            p_region = a.package_region.astype(np.int64)
            regional_key = _key_requirements(a, by_region, p_region, skills_on)
            overall_key = _key_requirements(a, overall[None], np.zeros_like(p_region), skills_on)
            key_skill = np.where(remote, overall_key[0], regional_key[0])
            key_level = np.where(remote, overall_key[1], regional_key[1])
            # groups: onsite and hybrid packages of region r (r), remote packages of region r
            # (R + r), and every remote package (2R)
            on_remote = packages[remote]
            index = _PackageIndex.build(
                np.concatenate([packages, on_remote]),
                np.concatenate(
                    [
                        np.where(remote, n_regions + p_region, p_region),
                        np.full(on_remote.size, 2 * n_regions),
                    ]
                ),
                np.concatenate([key_skill, key_skill[remote]]),
                np.concatenate([key_level, key_level[remote]]),
                2 * n_regions + 1,
                n_skills,
            )
            accepts = a.talent_remote[t]
            groups = [region, np.where(accepts, 2 * n_regions, n_regions + region)]
        else:
            no_group = np.zeros(a.n_packages, dtype=np.int64)
            skill, level = _key_requirements(a, overall[None], no_group, skills_on)
            index = _PackageIndex.build(
                packages, np.zeros_like(packages), skill, level, 1, n_skills
            )
            groups = [np.zeros_like(t)]
        start = np.concatenate([index.start[g, s] for g in groups])
        length = np.concatenate([index.count[g, s, lvl] for g in groups])
        owner = np.concatenate([t for _ in groups])
        used = np.flatnonzero(length > 0)
        order = used[np.argsort(owner[used], kind="stable")]
        return cls(index, owner[order], start[order], length[order])

    def per_talent(self, n_talents: int) -> Int64Array:
        """Number of candidates of each talent."""
        counts = np.zeros(n_talents, dtype=np.int64)
        np.add.at(counts, self.talent, self.length)
        return counts

    def chunks(self, n_talents: int, limit: int, max_span: int) -> list[tuple[int, int]]:
        """Consecutive talent ranges [lo, hi) of about ``limit`` candidates each (a chunk
        exceeds it by at most one talent's candidates) and at most ``max_span`` talents."""
        per_talent = self.per_talent(n_talents)
        first = np.cumsum(per_talent) - per_talent
        chunk_of = first // max(limit, 1)
        cuts = np.flatnonzero(np.diff(chunk_of)) + 1
        bounds = [0, *cuts.tolist(), n_talents]
        spans = []
        for lo, hi in itertools.pairwise(bounds):
            for start in range(lo, hi, max_span):
                spans.append((start, min(start + max_span, hi)))
        has = np.concatenate([[0], np.cumsum(per_talent)])
        return [(lo, hi) for lo, hi in spans if has[hi] > has[lo]]

    def candidates(self, lo: int, hi: int) -> tuple[Int64Array, Int64Array]:
        """Candidate pairs (talent, package) of the talents in [lo, hi)."""
        r0, r1 = np.searchsorted(self.talent, [lo, hi])
        length = self.length[r0:r1]
        pos = _ranges(self.start[r0:r1], length)
        return np.repeat(self.talent[r0:r1], length), self.index.packages[pos]


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


def _select(
    mask: npt.NDArray[np.bool_], t: Int64Array, p: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """The pairs where ``mask`` is True.

    Gathering at ``flatnonzero(mask)`` is several times faster than boolean indexing when
    the mask is mixed (boolean indexing branches on every element).
    """
    at = np.flatnonzero(mask)
    return np.take(t, at), np.take(p, at)


def _narrow(
    mask: npt.NDArray[np.bool_], t: Int64Array, p: Int64Array, split: CostSplit | None
) -> tuple[Int64Array, Int64Array, CostSplit | None]:
    """:func:`_select`, with the pairs' cost split when it is known."""
    at = np.flatnonzero(mask)
    return np.take(t, at), np.take(p, at), None if split is None else split.take(at)


def _workers(workers: int | None) -> int:
    return max(1, min(2, os.cpu_count() or 1)) if workers is None else max(1, workers)


def _pair_keys_of(a: RoundArrays, pairs: list[tuple[str, str]]) -> Int64Array:
    talent_index = {x: i for i, x in enumerate(a.talent_ids)}
    package_index = {x: i for i, x in enumerate(a.package_ids)}
    t = np.array([talent_index[x] for x, _ in pairs], dtype=np.int64)
    p = np.array([package_index[y] for _, y in pairs], dtype=np.int64)
    return a.pair_keys(t, p)


@dataclass(frozen=True, eq=False)
class _Chunk:
    """The compiled pairs of the talents in [lo, hi): the kept edges sorted by (talent,
    package), and the counts that add up over the round."""

    lo: int
    hi: int
    talent: Int64Array
    package: Int64Array
    components: Float32Array
    score: Float32Array
    split: CostSplit
    excluded_by_talent: IntArray  # (hi - lo, len(RULE_NAMES)), the rules after required_skills
    excluded_by_package: IntArray  # (P, len(RULE_NAMES)), likewise
    skilled_by_talent: Int64Array  # candidates passing required_skills
    skilled_by_package: Int64Array
    pruned: IntArray


@dataclass(frozen=True, eq=False)
class _ChunkCompiler:
    """Filters, scores and prunes the candidates of one chunk of talents at a time.

    The candidates are examined in blocks of :data:`BLOCK_PAIRS`, so that the temporaries
    of each rule and score stay in the processor cache; pruning needs a talent's pairs all
    at once, hence chunks of whole talents.
    """

    a: RoundArrays
    candidates: _Candidates
    rules: dict[str, Rule]
    top_k: int | None
    forced: Int64Array  # sorted pair keys always kept

    def __call__(self, span: tuple[int, int]) -> _Chunk:
        a = self.a
        lo, hi = span
        n_packages = a.n_packages
        cand_t, cand_p = self.candidates.candidates(lo, hi)
        skills_rule = self.rules.get("required_skills")
        later = {k: r for k, r in self.rules.items() if k != "required_skills"}
        skilled: list[tuple[Int64Array, Int64Array]] = []
        failed: dict[str, list[tuple[Int64Array, Int64Array]]] = {r: [] for r in later}
        kept_t: list[Int64Array] = []
        kept_p: list[Int64Array] = []
        keys: list[Int64Array] = []
        scores: list[Float32Array] = []
        splits: list[CostSplit] = []
        components: dict[str, list[Float32Array]] = {name: [] for name in SCORE_NAMES}
        for start in range(0, cand_t.size, BLOCK_PAIRS):
            t = cand_t[start : start + BLOCK_PAIRS]
            p = cand_p[start : start + BLOCK_PAIRS]
            if skills_rule is not None:
                t, p = _select(skills_rule(a, t, p), t, p)
                skilled.append((t, p))
            # the cost split is computed once per pair: for its rule, its score and the edges
            split: CostSplit | None = None
            # a pair counts under the first later rule it fails; the pairs are narrowed only
            # after a rule that fails many of them, the others just mark their failures
            passed = np.ones(t.size, dtype=bool)
            for name, rule in later.items():
                if name == "cost_split":
                    split = cost_split(a, t, p)
                    ok = split_fits_budgets(a, t, p, split)
                else:
                    ok = rule(a, t, p)
                failing = np.flatnonzero(passed & ~ok)
                if failing.size == 0:
                    continue
                failed[name].append((t[failing], p[failing]))
                passed[failing] = False
                if failing.size * _NARROW_SHARE > t.size:
                    t, p, split = _narrow(passed, t, p, split)
                    passed = np.ones(t.size, dtype=bool)
            if not passed.all():
                t, p, split = _narrow(passed, t, p, split)
            if split is None:
                split = cost_split(a, t, p)
            by_name = {
                name: split_cost_score(split) if name == "cost" else SCORES[name](a, t, p)
                for name in SCORE_NAMES
            }
            score = total_score(by_name, a.policy.weights)
            kept_t.append(t)
            kept_p.append(p)
            splits.append(split)
            keys.append(_rank_keys(t - lo, score, p, n_packages))
            scores.append(score)
            for name in SCORE_NAMES:
                components[name].append(by_name[name])

        # counted once per chunk, not per block: np.bincount holds the GIL
        skilled_t = np.zeros(hi - lo, dtype=np.int64)
        skilled_p = np.zeros(n_packages, dtype=np.int64)
        if skilled:
            skilled_t += np.bincount(
                np.concatenate([x for x, _ in skilled]) - lo, minlength=hi - lo
            )
            skilled_p += np.bincount(np.concatenate([y for _, y in skilled]), minlength=n_packages)
        excluded_t = np.zeros((hi - lo, len(RULE_NAMES)), dtype=np.int32)
        excluded_p = np.zeros((n_packages, len(RULE_NAMES)), dtype=np.int32)
        for name, fails in failed.items():
            if fails:
                fail_t = np.concatenate([x for x, _ in fails])
                fail_p = np.concatenate([y for _, y in fails])
                excluded_t[:, RULE_INDEX[name]] = np.bincount(fail_t - lo, minlength=hi - lo)
                excluded_p[:, RULE_INDEX[name]] = np.bincount(fail_p, minlength=n_packages)

        t = np.concatenate(kept_t)
        p = np.concatenate(kept_p)
        keep = np.ones(t.size, dtype=bool)
        if self.top_k is not None:
            keep = _top_k_mask(np.concatenate(keys), t - lo, hi - lo, self.top_k)
            first, last = np.searchsorted(
                self.forced, a.pair_keys(np.array([lo, hi]), np.zeros(2, dtype=np.int64))
            )
            if last > first:
                keep |= np.isin(a.pair_keys(t, p), self.forced[first:last])
        kept = np.flatnonzero(keep)
        pruned = (
            np.bincount(t - lo, minlength=hi - lo) - np.bincount(t[kept] - lo, minlength=hi - lo)
        ).astype(np.int32)
        kept = kept[np.argsort(a.pair_keys(t[kept], p[kept]))]
        # one column at a time: gathering rows of a 2-D array is much slower
        columns = [np.concatenate(components[name])[kept] for name in SCORE_NAMES]
        return _Chunk(
            lo,
            hi,
            t[kept],
            p[kept],
            np.stack(columns, axis=1),
            np.concatenate(scores)[kept],
            CostSplit.concatenate(splits).take(kept),
            excluded_t,
            excluded_p,
            skilled_t,
            skilled_p,
            pruned,
        )


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

    pin_pairs = [(x.talent, x.package) for x in round_.pins]
    accepted_at = [i for i, x in enumerate(round_.previous) if x.status == "accepted"]
    accepted_pairs = [(round_.previous[i].talent, round_.previous[i].package) for i in accepted_at]
    proposed_pairs = [(x.talent, x.package) for x in round_.previous if x.status == "proposed"]

    candidates = _Candidates.build(a, alive, location_on, skills_on)
    # every candidate passes the location rule; the required-skills rule goes first
    checked = {k: r for k, r in rules.items() if k not in ("age", "location")}
    compiler = _ChunkCompiler(
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
    parts: list[_Chunk] = []
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


def _rank_keys(t: Int64Array, score: Float32Array, p: Int64Array, n_packages: int) -> Int64Array:
    """One int64 key per pair that orders by talent, then score descending, then package.

    A non-negative float32's bit pattern orders like its value. ``t`` counts from 0 within a
    chunk, and ``(t.max() + 1) * n_packages <= 2**32`` keeps the key within 63 bits.
    """
    bits = (np.maximum(score, 0).astype(np.float32) + np.float32(0)).view(np.int32)
    key = t * (1 << 31) + ((1 << 30) - bits.astype(np.int64))
    key *= n_packages
    key += p
    return key


def _top_k_mask(key: Int64Array, t: Int64Array, n_talents: int, k: int) -> npt.NDArray[np.bool_]:
    """True for each talent's ``k`` best pairs by :func:`_rank_keys` (``t`` counts from 0):
    sorting the keys gives each talent's k-th best key, and a pair is kept when its key is
    no larger."""
    counts = np.bincount(t, minlength=n_talents)
    over = np.flatnonzero(counts > k)
    if over.size == 0:
        return np.ones(t.size, dtype=bool)
    ordered = np.sort(key)
    starts = np.cumsum(counts) - counts
    threshold = np.full(n_talents, np.iinfo(np.int64).max, dtype=np.int64)
    threshold[over] = ordered[starts[over] + k - 1]
    return np.asarray(key <= threshold[t], dtype=bool)
