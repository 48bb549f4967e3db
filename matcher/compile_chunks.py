"""One chunk of talents through the compile step: its candidate pairs filtered by the rules,
scored, and pruned to each talent's ``top_k`` best packages.

A chunk holds whole talents, since pruning needs a talent's pairs all at once; within it the
candidates are examined in blocks of :data:`BLOCK_PAIRS`, so that the temporaries of each
rule and score stay in the processor cache. :func:`matcher.compile.compile_arrays` runs the
chunks on threads and adds up their counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.arrays import Float32Array, Int64Array, IntArray, RoundArrays
from matcher.candidates import Candidates
from matcher.costs import CostSplit, cost_split
from matcher.eligibility import Rule, split_fits_budgets
from matcher.models import RULE_NAMES, SCORE_NAMES
from matcher.scores import SCORES, split_cost_score, total_score

__all__ = ["BLOCK_PAIRS", "RULE_INDEX", "Chunk", "ChunkCompiler", "rank_keys", "top_k_mask"]

RULE_INDEX = {name: i for i, name in enumerate(RULE_NAMES)}
"""The column of each rule in the exclusion counts (``RULE_NAMES`` order)."""
BLOCK_PAIRS = 131_072
"""Candidate pairs filtered and scored at once within a chunk, so that the temporaries of
each rule and score stay in the processor cache."""
_NARROW_SHARE = 8
"""Pairs are narrowed after a rule that fails more than one in this many of them."""


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


@dataclass(frozen=True, eq=False)
class Chunk:
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
class ChunkCompiler:
    """Filters, scores and prunes the candidates of one chunk of talents at a time.

    The candidates are examined in blocks of :data:`BLOCK_PAIRS`, so that the temporaries
    of each rule and score stay in the processor cache; pruning needs a talent's pairs all
    at once, hence chunks of whole talents.
    """

    a: RoundArrays
    candidates: Candidates
    rules: dict[str, Rule]
    top_k: int | None
    forced: Int64Array  # sorted pair keys always kept

    def __call__(self, span: tuple[int, int]) -> Chunk:
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
            keys.append(rank_keys(t - lo, score, p, n_packages))
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
            keep = top_k_mask(np.concatenate(keys), t - lo, hi - lo, self.top_k)
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
        return Chunk(
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


def rank_keys(t: Int64Array, score: Float32Array, p: Int64Array, n_packages: int) -> Int64Array:
    """One int64 key per pair that orders by talent, then score descending, then package.

    A non-negative float32's bit pattern orders like its value. ``t`` counts from 0 within a
    chunk, and ``(t.max() + 1) * n_packages <= 2**32`` keeps the key within 63 bits.
    """
    bits = (np.maximum(score, 0).astype(np.float32) + np.float32(0)).view(np.int32)
    key = t * (1 << 31) + ((1 << 30) - bits.astype(np.int64))
    key *= n_packages
    key += p
    return key


def top_k_mask(key: Int64Array, t: Int64Array, n_talents: int, k: int) -> npt.NDArray[np.bool_]:
    """True for each talent's ``k`` best pairs by :func:`rank_keys` (``t`` counts from 0):
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
